"""Reports back to government (reciprocity): suspicious situations and incidents."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation
from partnerships.sharing.models import GroupGrant, UserGrant
from partnerships.sharing.registry import Shareable, register
from ppsportal.sensitivity import TLP
from threats.models.targets import SoftTarget


class ReportCategory(models.TextChoices):
    HOSTILE_RECONNAISSANCE = "hostile_reconnaissance", _("Hostile reconnaissance")
    SUSPICIOUS_OBJECT = "suspicious_object", _("Suspicious object")
    SUSPICIOUS_BEHAVIOUR = "suspicious_behaviour", _("Suspicious behaviour")
    DRONE = "drone", _("Drone")
    VEHICLE = "vehicle", _("Vehicle")
    OTHER = "other", _("Other")


class Report(models.Model):
    class Kind(models.TextChoices):
        SUSPICIOUS = "suspicious_situation", _("Suspicious situation")
        INCIDENT = "incident", _("Incident")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    soft_target = models.ForeignKey(
        SoftTarget, on_delete=models.PROTECT, related_name="reports", verbose_name=_("soft target")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    what = models.TextField(_("what happened"))
    occurred_at = models.DateTimeField(_("when"))
    location = models.CharField(_("where"), max_length=300, blank=True)
    category = models.CharField(
        _("category"), max_length=30, choices=ReportCategory.choices, default=ReportCategory.OTHER
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    tlp = models.CharField(_("TLP level"), max_length=20, choices=TLP.choices, default=TLP.AMBER)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    reporter_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("reporting organisation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # NCTV staff link the threat assessment a report feeds into (``report_link_assessment``).
    assessment = models.ForeignKey(
        "threats.ThreatAssessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("threat assessment"),
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the NCTV report queue: open reports oldest first
            models.Index(fields=["status", "created_at"], name="report_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.soft_target}"


class ReportReply(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="replies", verbose_name=_("report")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("reply"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:50]


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    return f"reports/{instance.report.public_id}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    """A photo or file with a report: type-checked and size-capped by the service, stored under
    a name of its own and served only through the portal to those who see the report."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("report")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    kind = models.CharField(_("file type"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["report", "created_at", "id"]

    def __str__(self) -> str:
        return self.name


class ReportUserGrant(UserGrant):
    content_object = models.ForeignKey(Report, on_delete=models.CASCADE)

    class Meta(UserGrant.Meta):
        verbose_name = _("report shared with a user")
        verbose_name_plural = _("reports shared with users")


class ReportGroupGrant(GroupGrant):
    content_object = models.ForeignKey(Report, on_delete=models.CASCADE)

    class Meta(GroupGrant.Meta):
        verbose_name = _("report routed to an organisation")
        verbose_name_plural = _("reports routed to organisations")


def _own_organisation_scope(actor):
    return models.Q(reporter_organisation=actor.organisation)


# A report reaches the NCTV (staff see all) and, routed under a covenant that allows its TLP
# level, the police partner; even at CLEAR or GREEN it is not open to other partners.
register(
    Shareable(
        model=Report,
        user_grant=ReportUserGrant,
        group_grant=ReportGroupGrant,
        open_scope=_own_organisation_scope,
        tlp_field="tlp",
        owner_field="reporter_organisation",
        partner_kind="report",
        label_related=("soft_target",),
    )
)
