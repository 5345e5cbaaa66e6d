"""Threat assessments: the threat picture, shared with partners at the level each may see."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation
from partnerships.sharing.models import GroupGrant, UserGrant
from partnerships.sharing.registry import Shareable, register
from ppsportal.sensitivity import TLP
from threats.models.levels import Sector


class Motive(models.TextChoices):
    JIHADISM = "jihadism", _("Jihadism")
    RIGHT_WING = "right_wing_extremism", _("Right-wing extremism")
    LEFT_WING = "left_wing_extremism", _("Left-wing extremism")
    SINGLE_ISSUE = "single_issue", _("Single issue")
    LONE_ACTOR = "lone_actor_unknown", _("Lone actor / unknown")


class ModusOperandi(models.TextChoices):
    FIREARMS = "firearms", _("Firearms")
    EXPLOSIVES = "explosives", _("Explosives")
    VEHICLE_RAMMING = "vehicle_ramming", _("Vehicle ramming")
    STABBING = "stabbing", _("Stabbing")
    ARSON = "arson", _("Arson")
    CBRN = "cbrn", _("CBRN")
    DRONE = "drone", _("Drone")
    OTHER = "other", _("Other")


class ThreatAssessment(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("body (Markdown)"), blank=True)
    target_categories = models.ManyToManyField(
        Sector, related_name="assessments", blank=True, verbose_name=_("target categories")
    )
    regions = models.JSONField(_("regions"), default=list, blank=True)
    tlp = models.CharField(_("TLP level"), max_length=20, choices=TLP.choices, default=TLP.AMBER)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recommended_measures = models.JSONField(_("recommended measures"), default=list, blank=True)
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("threat assessment")
        verbose_name_plural = _("threat assessments")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="assessment_valid_until_after_from",
            ),
        ]
        indexes = [
            # "valid now" filter
            models.Index(fields=["valid_from", "valid_until"], name="assessment_validity"),
        ]

    def __str__(self) -> str:
        return self.title


class AssessmentFacet(models.Model):
    """A motive or modus operandi of an assessment (a row each, so lists filter on any DB)."""

    class Kind(models.TextChoices):
        MOTIVE = "motive", _("Motive")
        MODUS = "modus_operandi", _("Modus operandi")

    assessment = models.ForeignKey(
        ThreatAssessment, on_delete=models.CASCADE, related_name="facets"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("motive or modus operandi")
        verbose_name_plural = _("motives and modi operandi")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind", "code"], name="one_facet"),
        ]
        indexes = [models.Index(fields=["kind", "code"], name="facet_filter")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class ThreatAssessmentUserGrant(UserGrant):
    content_object = models.ForeignKey(ThreatAssessment, on_delete=models.CASCADE)

    class Meta(UserGrant.Meta):
        verbose_name = _("threat assessment shared with a user")
        verbose_name_plural = _("threat assessments shared with users")


class ThreatAssessmentGroupGrant(GroupGrant):
    content_object = models.ForeignKey(ThreatAssessment, on_delete=models.CASCADE)

    class Meta(GroupGrant.Meta):
        verbose_name = _("threat assessment shared with an organisation")
        verbose_name_plural = _("threat assessments shared with organisations")


# CLEAR and GREEN assessments reach every signed-in partner user.
register(
    Shareable(
        model=ThreatAssessment,
        user_grant=ThreatAssessmentUserGrant,
        group_grant=ThreatAssessmentGroupGrant,
    )
)
