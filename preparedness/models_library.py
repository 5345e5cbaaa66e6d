"""The document library: guidance the NCTV publishes for every partner (the crowded-places
guide, covenant and protocol templates, checklists per category) in numbered versions with a
read receipt per user and version; and the documents partners upload to their own partnership,
seen by its parties according to their TLP level and the covenants in force."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation, Partnership
from partnerships.models.grants import partnership_members_scope
from partnerships.sharing.footing import footing_covenants
from partnerships.sharing.registry import Shareable, register
from ppsportal.sensitivity import TLP
from threats.models import ReportAttachment, Sector


class GuidanceKind(models.TextChoices):
    GUIDE = "guide", _("Guide")
    COVENANT_TEMPLATE = "covenant_template", _("Covenant template")
    PROTOCOL_TEMPLATE = "protocol_template", _("Protocol template")
    CHECKLIST = "checklist", _("Checklist")


# Files are checked and typed as report evidence is (threats.services_reports.attachment_kind).
FileKind = ReportAttachment.Kind


def guidance_path(instance: GuidanceVersion, filename: str) -> str:
    return f"library/guidance/{instance.guidance.public_id}/{uuid.uuid4().hex}"


def partnership_document_path(instance: PartnershipDocument, filename: str) -> str:
    return f"library/partnerships/{instance.partnership.public_id}/{uuid.uuid4().hex}"


class Guidance(models.Model):
    """A document the NCTV publishes for all partners; its text lives in its versions."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=GuidanceKind.choices)
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("For a checklist of one category of soft targets."),
    )
    summary = models.TextField(_("summary"), blank=True)
    tlp = models.CharField(_("TLP level"), max_length=20, choices=TLP.choices, default=TLP.CLEAR)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("guidance document")
        verbose_name_plural = _("guidance documents")
        ordering = ["kind", "title", "id"]
        constraints = [
            # Guidance reaches every partner: only the levels that do so without sharing.
            models.CheckConstraint(
                condition=models.Q(tlp__in=["clear", "green"]), name="guidance_open_tlp"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GuidanceVersion(models.Model):
    """One published version of a guidance document; the highest number is the current one."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    guidance = models.ForeignKey(
        Guidance, on_delete=models.CASCADE, related_name="versions", verbose_name=_("guidance")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=guidance_path, max_length=300)
    file_kind = models.CharField(_("file type"), max_length=10, choices=FileKind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    notes = models.TextField(_("what changed"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("guidance version")
        verbose_name_plural = _("guidance versions")
        ordering = ["guidance", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["guidance", "number"], name="one_guidance_version_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guidance} v{self.number}"


class GuidanceReceipt(models.Model):
    """A user read this version (downloaded it or said so); once per user and version."""

    version = models.ForeignKey(
        GuidanceVersion,
        on_delete=models.CASCADE,
        related_name="receipts",
        verbose_name=_("version"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        ordering = ["version", "read_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "user"], name="one_receipt_per_user_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.user}"


class PartnershipDocument(models.Model):
    """A document a party uploads to its partnership: its own organisation owns it; the TLP
    level and the covenants in force say which parties see it (registered as shareable below:
    ``partnerships.sharing`` decides and audits its reads, as for every shared model)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="library_documents",
        verbose_name=_("partnership"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="library_documents",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tlp = models.CharField(_("TLP level"), max_length=20, choices=TLP.choices, default=TLP.AMBER)
    file = models.FileField(_("file"), upload_to=partnership_document_path, max_length=300)
    file_kind = models.CharField(_("file type"), max_length=10, choices=FileKind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partnership document")
        verbose_name_plural = _("partnership documents")
        ordering = ["partnership", "-created_at", "-id"]
        constraints = [
            # RED reaches named users only: not a partnership's library.
            models.CheckConstraint(
                condition=~models.Q(tlp="red"), name="partnership_document_not_red"
            ),
        ]
        indexes = [
            # the library page: a partnership's documents, newest first
            models.Index(fields=["partnership", "-created_at"], name="partnership_document_list"),
        ]

    def __str__(self) -> str:
        return self.title


# --- who sees a partnership document: the sharing registry ---------------------------------------


def _document_members_scope(actor) -> Q:
    """CLEAR and GREEN reach the partnership's current parties (NCTV staff: every partnership)."""
    if getattr(actor, "is_nctv_staff", False):
        return Q()
    return partnership_members_scope(actor)


def _document_covenant_scope(actor, today) -> Q:
    """AMBER reaches each party that signed, with the owner, a covenant in force of the
    document's partnership whose clause allows AMBER (``footing.footing_covenants``);
    AMBER+STRICT stays with its owner."""
    footing = footing_covenants(
        sharer=OuterRef("organisation"),
        receiver=actor.organisation,
        level=OuterRef("tlp"),
        today=today,
    ).filter(partnership=OuterRef("partnership"))
    return Q(tlp=TLP.AMBER) & Q(Exists(footing)) & _document_members_scope(actor)


# A partnership's library: no grants; the document's own partnership and its covenants decide,
# and NCTV staff read it as a party would (they see the open documents of every partnership).
register(
    Shareable(
        model=PartnershipDocument,
        owner_field="organisation",
        open_scope=_document_members_scope,
        covenant_scope=_document_covenant_scope,
        staff_see_all=False,
    )
)
