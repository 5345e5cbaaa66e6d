"""Drafts from imported STIX bundles: nothing imported is published without an NCTV review."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppsportal.sensitivity import TLP
from threats.models import ThreatAssessment


class AssessmentDraft(models.Model):
    """A STIX report mapped to an assessment's fields, waiting for review."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    stix_id = models.CharField(_("STIX id"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("body (Markdown)"), blank=True)
    tlp = models.CharField(_("TLP level"), max_length=20, choices=TLP.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    motives = models.JSONField(_("motives"), default=list, blank=True)
    modi = models.JSONField(_("modi operandi"), default=list, blank=True)
    target_categories = models.JSONField(_("target categories"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    assessment = models.ForeignKey(
        ThreatAssessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("threat assessment"),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("imported assessment draft")
        verbose_name_plural = _("imported assessment drafts")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.title
