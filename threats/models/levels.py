"""The national threat level (DTN), sectors with their alert levels (ATb) and measure packages."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from partnerships.models import Jurisdiction
from threats.jurisdictions import AlertLevel, level_label, valid_levels_condition


class ThreatLevel(models.IntegerChoices):
    MINIMAL = 1, _("1 — minimal")
    LIMITED = 2, _("2 — limited")
    SIGNIFICANT = 3, _("3 — significant")
    SUBSTANTIAL = 4, _("4 — substantial")
    CRITICAL = 5, _("5 — critical")


class NationalThreatLevel(models.Model):
    """One row per decision: the history is the table, the current level is the newest row.

    A jurisdiction's own authority sets its levels (``threats.jurisdictions``): the NCTV the Dutch
    DTN, OCAM/OCAD the Belgian level, which a mandated user may record on its behalf."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=2, choices=Jurisdiction.choices, default=Jurisdiction.NL
    )
    level = models.PositiveSmallIntegerField(_("threat level"))
    on_behalf_of = models.CharField(
        _("set on behalf of"),
        max_length=40,
        blank=True,
        help_text=_("The authority whose level this is, when a mandated user recorded it for it."),
    )
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("Empty for the national level.")
    )
    rationale = models.TextField(_("rationale"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("national threat level")
        verbose_name_plural = _("national threat levels")
        ordering = ["-set_at", "-id"]
        indexes = [
            # the banner: newest level per jurisdiction and region
            models.Index(
                fields=["jurisdiction", "region", "-set_at"], name="level_current_by_region"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=valid_levels_condition(), name="threat_level_of_its_jurisdiction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level_label} ({self.region or _('national')})"

    @property
    def level_label(self) -> str:
        return level_label(self.jurisdiction, self.level)


class LevelMandate(models.Model):
    """A user may record the levels of a jurisdiction whose authority is not the NCTV, on that
    authority's behalf (in the demo: an NCTV administrator for OCAM/OCAD). A superuser grants it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="level_mandates",
        verbose_name=_("user"),
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("level mandate")
        verbose_name_plural = _("level mandates")
        ordering = ["jurisdiction", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "jurisdiction"], name="one_mandate_per_jurisdiction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_jurisdiction_display()}"


class Sector(models.Model):
    """A soft-target category with its own ATb level. Staff can add sectors."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", _("Use lowercase letters, digits, _."))],
    )
    name = models.CharField(_("name (Dutch)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "nl").startswith("en") else self.name


class SectorAlertLevel(models.Model):
    """One row per decision on a sector's ATb level; the newest row is the current level."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    sector = models.ForeignKey(
        Sector, on_delete=models.CASCADE, related_name="alert_levels", verbose_name=_("sector")
    )
    level = models.CharField(_("alert level"), max_length=20, choices=AlertLevel.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sector alert level")
        verbose_name_plural = _("sector alert levels")
        ordering = ["-set_at", "-id"]
        indexes = [
            # current level per sector
            models.Index(fields=["sector", "-set_at"], name="atb_current_by_sector"),
        ]

    def __str__(self) -> str:
        return f"{self.sector}: {self.get_level_display()}"


class MeasurePackage(models.Model):
    """The measures expected of venues in a sector at an ATb level, maintained by NCTV staff."""

    sector = models.ForeignKey(
        Sector, on_delete=models.CASCADE, related_name="packages", verbose_name=_("sector")
    )
    level = models.CharField(_("alert level"), max_length=20, choices=AlertLevel.choices)
    measures = models.JSONField(_("measures"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("measure package")
        verbose_name_plural = _("measure packages")
        ordering = ["sector__name", "level"]
        constraints = [
            models.UniqueConstraint(fields=["sector", "level"], name="one_package_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.sector} — {self.get_level_display()}"
