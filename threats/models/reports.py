"""Reports back to government (reciprocity): suspicious situations and incidents."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation
from ppsportal.sensitivity import TLP
from threats.models.targets import SoftTarget


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
