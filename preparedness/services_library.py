"""Writes on the document library. The NCTV publishes guidance and its new versions; every
partner user records that they read the current version; a party uploads its own documents to
its partnership. Files are checked by content and size as report evidence is
(``threats.services_reports.attachment_kind``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from partnerships.policy import is_member, require_nctv_staff
from partnerships.roles import Capability
from partnerships.selectors import actor_for, partnerships_visible_to
from ppsportal.sensitivity import TLP
from preparedness.models import Guidance, GuidanceReceipt, GuidanceVersion, PartnershipDocument
from threats.services_reports import attachment_kind


def _checked(upload) -> str:
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")}, code="required")
    return attachment_kind(upload, field="file")


def _save_file(row, upload, kind: str) -> None:
    row.file_kind = kind
    row.size = upload.size
    row.file.save(f"document.{kind}", upload, save=False)


# --- guidance -----------------------------------------------------------------------------------


@transaction.atomic
def guidance_publish(
    *,
    by,
    title: str,
    kind: str,
    upload,
    summary: str = "",
    sector=None,
    tlp: str = TLP.CLEAR,
    notes: str = "",
) -> Guidance:
    """A new guidance document with its first version."""
    require_nctv_staff(actor_for(by))
    if not TLP.is_open(tlp):
        raise ValidationError(
            {
                "tlp": _(
                    "Guidance reaches every partner: publish it at TLP:CLEAR or TLP:GREEN. "
                    "Share sensitive material as a threat assessment."
                )
            },
            code="guidance_not_open",
        )
    guidance = Guidance(title=title, kind=kind, summary=summary, sector=sector, tlp=tlp)
    guidance.full_clean()
    guidance.save()
    guidance_version_add(guidance=guidance, by=by, upload=upload, notes=notes)
    return guidance


@transaction.atomic
def guidance_version_add(*, guidance: Guidance, by, upload, notes: str = "") -> GuidanceVersion:
    """A new current version: the next number; readers of earlier versions read it again."""
    require_nctv_staff(actor_for(by))
    kind = _checked(upload)
    Guidance.objects.select_for_update().filter(pk=guidance.pk).first()
    latest = guidance.versions.aggregate(n=Max("number"))["n"] or 0
    version = GuidanceVersion(
        guidance=guidance, number=latest + 1, notes=notes, published_by=by, size=0
    )
    _save_file(version, upload, kind)
    version.save()
    return version


def current_version(guidance: Guidance) -> GuidanceVersion | None:
    return guidance.versions.order_by("-number").first()


@transaction.atomic
def guidance_mark_read(*, guidance: Guidance, by) -> GuidanceReceipt:
    """``by`` read the current version; marking it twice changes nothing the second time."""
    if not (by.is_authenticated and by.is_active):
        raise PermissionDenied(_("Your role does not allow this."))
    version = current_version(guidance)
    if version is None:
        raise ValidationError({"guidance": _("This document has no version yet.")})
    receipt, _created = GuidanceReceipt.objects.get_or_create(version=version, user=by)
    return receipt


# --- partnership documents ----------------------------------------------------------------------


def may_upload_document(actor, partnership) -> bool:
    """A writer of a current party of the partnership, or NCTV staff."""
    if actor.is_nctv_staff:
        return True
    return actor.can(Capability.WRITE) and is_member(actor, partnership)


def partnerships_to_upload_to(actor):
    """``may_upload_document`` as a query: the partnerships the actor may add documents to."""
    visible = partnerships_visible_to(actor)  # staff: all; others: their current memberships
    if actor.is_nctv_staff or actor.can(Capability.WRITE):
        return visible
    return visible.none()


@transaction.atomic
def partnership_document_upload(
    *, partnership, by, title: str, upload, tlp: str = TLP.AMBER, description: str = ""
) -> PartnershipDocument:
    """A document of the uploader's own organisation in the partnership's library; who sees it
    follows from its TLP level (``selectors_library.partnership_documents_visible_to``)."""
    actor = actor_for(by)
    if not may_upload_document(actor, partnership):
        raise PermissionDenied(_("Only the partnership's parties may add documents to it."))
    if tlp == TLP.RED:
        raise ValidationError(
            {"tlp": _("TLP:RED is shared with named users only, not in a partnership's library.")},
            code="red_needs_users",
        )
    if tlp not in TLP.values:
        raise ValidationError({"tlp": _("Unknown TLP level.")})
    kind = _checked(upload)
    document = PartnershipDocument(
        partnership=partnership,
        organisation=actor.organisation,
        title=title,
        description=description,
        tlp=tlp,
        uploaded_by=by,
        size=0,
    )
    _save_file(document, upload, kind)
    document.full_clean()
    document.save()
    return document
