"""The health of each partnership as it was recorded on a day, for the charts of its history.

Health itself is computed from the records (``partnerships.health.assess``); a snapshot keeps
the day's outcome, because the records of the past (a sponsor named, a member who left) are not
all dated. ``partnerships.services.health.health_snapshots_record`` writes them, one row per
partnership and day; recording again on the same day overwrites that day's row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HealthStatus(models.TextChoices):
    """The outcome of ``partnerships.health.assess``: the worst weight among its reasons."""

    HEALTHY = "healthy", _("Healthy")
    ATTENTION = "attention", _("Needs attention")
    AT_RISK = "at_risk", _("At risk")


class HealthSnapshot(models.Model):
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.CASCADE,
        related_name="health_snapshots",
        verbose_name=_("partnership"),
    )
    day = models.DateField(_("day"))
    status = models.CharField(_("health"), max_length=20, choices=HealthStatus.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)  # the reason codes
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("health snapshot")
        verbose_name_plural = _("health snapshots")
        ordering = ["partnership", "day"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "day"], name="health_snapshot_per_day"),
        ]
        indexes = [
            # the NCTV overview's chart: counts per day over the last weeks
            models.Index(fields=["day", "status"], name="health_snapshot_by_day"),
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.day}: {self.status}"
