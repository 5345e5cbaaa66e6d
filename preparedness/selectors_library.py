"""Reads of the document library, already permission-filtered.

Guidance is at TLP:CLEAR or GREEN and reaches every signed-in partner user. A partnership
document reaches the users of the partnership's current parties (and NCTV staff) by its level:
CLEAR and GREEN all of them; AMBER the owner's organisation and each party that signed, with
the owner, a covenant in force of that partnership whose information clause allows AMBER (the
sharing engine's footing, ``partnerships.sharing.footing``); AMBER+STRICT the owner only."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from partnerships.models import PartnershipMember
from partnerships.selectors import Actor
from partnerships.sharing.footing import footing_covenants
from ppsportal.audit import SENSITIVE_READ, audit_record
from ppsportal.sensitivity import TLP
from preparedness.models import Guidance, GuidanceReceipt, GuidanceVersion, PartnershipDocument


def _signed_in(actor: Actor) -> bool:
    return bool(actor.user.is_authenticated and actor.user.is_active)


def guidance_visible_to(actor: Actor):
    """Every guidance document with its versions (newest first) and, on each version, the
    actor's own receipt (``my_receipts``): three queries for a list."""
    if not _signed_in(actor):
        return Guidance.objects.none()
    return (
        Guidance.objects.filter(tlp__in=TLP.at_or_below(TLP.GREEN))
        .select_related("sector")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=GuidanceVersion.objects.order_by("-number").prefetch_related(
                    Prefetch(
                        "receipts",
                        queryset=GuidanceReceipt.objects.filter(user=actor.user),
                        to_attr="my_receipts",
                    )
                ),
            )
        )
    )


def current_of(guidance):
    """The current version of a guidance loaded by ``guidance_visible_to`` (no query)."""
    versions = list(guidance.versions.all())
    return versions[0] if versions else None


def read_current(guidance) -> bool:
    version = current_of(guidance)
    return bool(version is not None and version.my_receipts)


def guidance_readers(guidance):
    """Receipts of the current version, with the reader and their organisation (NCTV staff)."""
    version = guidance.versions.order_by("-number").first()
    if version is None:
        return GuidanceReceipt.objects.none()
    return (
        GuidanceReceipt.objects.filter(version=version)
        .select_related("user__membership__organisation")
        .order_by("read_at", "id")
    )


def partnership_documents_visible_to(actor: Actor):
    qs = PartnershipDocument.objects.select_related("partnership", "organisation")
    if not _signed_in(actor) or actor.organisation is None:
        return qs.none()
    organisation = actor.organisation
    if not actor.is_nctv_staff:
        member_of = PartnershipMember.objects.filter(
            organisation=organisation, left_on__isnull=True
        ).values("partnership_id")
        qs = qs.filter(partnership_id__in=member_of)
    footing = footing_covenants(
        sharer=OuterRef("organisation"),
        receiver=organisation,
        level=OuterRef("tlp"),
        today=timezone.localdate(),
    ).filter(partnership=OuterRef("partnership"))
    return qs.filter(
        Q(tlp__in=TLP.at_or_below(TLP.GREEN))
        | Q(organisation=organisation)
        | (Q(tlp=TLP.AMBER) & Q(Exists(footing)))
    )


def audit_document_reads(*, actor: Actor, documents, request=None) -> None:
    """One ``sensitive.viewed`` entry naming the AMBER+ documents read; nothing when none is."""
    sensitive = [d for d in documents if not TLP.is_open(d.tlp)]
    if not sensitive:
        return
    audit_record(
        action=SENSITIVE_READ,
        actor=actor.user,
        organisation=actor.organisation,
        object_type="preparedness.partnershipdocument",
        object_ids=[d.public_id for d in sensitive],
        owner_organisation_ids=[d.organisation_id for d in sensitive],
        request=request,
        purpose=request.path if request is not None else "",
    )
