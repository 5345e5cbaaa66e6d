"""Soft targets registered by their operators, with measures and scale-up scenarios."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models import Jurisdiction, Organisation, Partnership, PartnershipMember
from partnerships.sharing.models import GroupGrant, UserGrant
from partnerships.sharing.registry import Shareable, register
from ppsportal.sensitivity import TLP
from threats.jurisdictions import OcamScaleUpLevel
from threats.models.levels import AlertLevel, Sector
from threats.models.measures import Measure, MeasureStatus

MAX_CAPACITY = 2_000_000  # larger than any crowd in the Netherlands: a typo, not a venue


class CapacityTier(models.TextChoices):
    """The tiers of the UK's Martyn's Law, shown as a reference."""

    BELOW = "below_200", _("Under 200")
    STANDARD = "standard", _("Standard tier (200 to 799)")
    ENHANCED = "enhanced", _("Enhanced tier (800 and more)")

    @classmethod
    def for_capacity(cls, capacity: int) -> CapacityTier:
        if capacity >= 800:
            return cls.ENHANCED
        if capacity >= 200:
            return cls.STANDARD
        return cls.BELOW


def evidence_path(instance: SecurityMeasure, filename: str) -> str:
    return f"evidence/{instance.soft_target.public_id}/{uuid.uuid4().hex}"


class SoftTarget(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="soft_targets",
        verbose_name=_("operator"),
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="soft_targets", verbose_name=_("category")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    capacity = models.PositiveIntegerField(
        _("capacity (maximum persons)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
    )
    is_event = models.BooleanField(_("event"), default=False)
    event_start = models.DateTimeField(_("event start"), null=True, blank=True)
    event_end = models.DateTimeField(_("event end"), null=True, blank=True)
    route = models.TextField(
        _("route or perimeter"),
        blank=True,
        help_text=_(
            'For an event: "latitude,longitude" pairs separated by spaces; a route (a line of two '
            "or more points) or, with the last point the same as the first, a perimeter."
        ),
    )
    # the route's bounding box, kept by the service: area alerts find events near their area
    route_south = models.FloatField(null=True, blank=True, editable=False)
    route_west = models.FloatField(null=True, blank=True, editable=False)
    route_north = models.FloatField(null=True, blank=True, editable=False)
    route_east = models.FloatField(null=True, blank=True, editable=False)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="soft_targets",
        verbose_name=_("partnership"),
    )
    security_contact_name = models.CharField(_("24/7 security contact"), max_length=200)
    security_contact_phone = models.CharField(_("24/7 security phone"), max_length=40)
    vulnerability_notes = models.TextField(_("vulnerability notes"), blank=True)
    vulnerability_tlp = models.CharField(
        _("TLP of the vulnerability notes"),
        max_length=20,
        choices=TLP.choices,
        default=TLP.AMBER_STRICT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("soft target")
        verbose_name_plural = _("soft targets")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="soft_target_on_earth",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
                name="soft_target_capacity_sane",
            ),
            models.CheckConstraint(
                condition=models.Q(is_event=False)
                | models.Q(
                    event_start__isnull=False,
                    event_end__isnull=False,
                    event_end__gt=models.F("event_start"),
                ),
                name="event_has_start_before_end",
            ),
        ]
        indexes = [
            # "my soft targets" and the NCTV overview by category
            models.Index(fields=["operator", "name"], name="soft_target_by_operator"),
            models.Index(fields=["category", "region"], name="soft_target_overview"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def jurisdiction(self) -> str:
        """Its operator's (``partnerships.Jurisdiction``): whose threat levels apply to it. Read
        from the operator, so it never disagrees with it (select ``operator`` with the target)."""
        return self.operator.jurisdiction

    def get_jurisdiction_display(self) -> str:
        return str(Jurisdiction(self.jurisdiction).label)

    @property
    def capacity_tier(self) -> str:
        return CapacityTier.for_capacity(self.capacity)

    @property
    def capacity_tier_label(self) -> str:
        return str(CapacityTier(self.capacity_tier).label)


class SecurityMeasure(models.Model):
    soft_target = models.ForeignKey(
        SoftTarget,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=_("soft target"),
    )
    measure = models.CharField(_("measure"), max_length=40, choices=Measure.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True, max_length=300)

    class Meta:
        verbose_name = _("security measure")
        verbose_name_plural = _("security measures")
        ordering = ["soft_target", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["soft_target", "measure"], name="one_row_per_measure"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()}: {self.get_status_display()}"


class ScaleUpStep(models.Model):
    """For one level of the target's own authority: the measures this target takes (from its
    sector's package, tailored)."""

    soft_target = models.ForeignKey(
        SoftTarget, on_delete=models.CASCADE, related_name="scale_up", verbose_name=_("soft target")
    )
    # the target's own authority's levels (``threats.jurisdictions.scale_up_levels``): the ATb
    # levels for a Dutch target, OCAM/OCAD's for a Belgian one
    level = models.CharField(
        _("alert level"), max_length=20, choices=[*AlertLevel.choices, *OcamScaleUpLevel.choices]
    )
    measures = models.JSONField(_("measures"), default=list, blank=True)
    omissions = models.JSONField(
        _("omissions explained"),
        default=dict,
        blank=True,
        help_text=_(
            "For each measure a lower level takes but this one does not: why it is not needed here."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("scale-up step")
        verbose_name_plural = _("scale-up scenario")
        ordering = ["soft_target", "level"]
        constraints = [
            models.UniqueConstraint(fields=["soft_target", "level"], name="one_step_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.soft_target}: {self.get_level_display()}"


class SoftTargetUserGrant(UserGrant):
    content_object = models.ForeignKey(SoftTarget, on_delete=models.CASCADE)

    class Meta(UserGrant.Meta):
        verbose_name = _("soft-target details shared with a user")
        verbose_name_plural = _("soft-target details shared with users")


class SoftTargetGroupGrant(GroupGrant):
    content_object = models.ForeignKey(SoftTarget, on_delete=models.CASCADE)

    class Meta(GroupGrant.Meta):
        verbose_name = _("soft-target details shared with an organisation")
        verbose_name_plural = _("soft-target details shared with organisations")


def _partnership_peers_scope(actor):
    return models.Q(
        partnership_id__in=PartnershipMember.objects.filter(
            organisation=actor.organisation, left_on__isnull=True
        ).values("partnership_id")
    )


# The sensitive *details* of a soft target (vulnerability notes, measures' evidence) are
# shareable; its name, category and location reach partnership peers through the selectors.
register(
    Shareable(
        model=SoftTarget,
        user_grant=SoftTargetUserGrant,
        group_grant=SoftTargetGroupGrant,
        open_scope=_partnership_peers_scope,
        tlp_field="vulnerability_tlp",
        owner_field="operator",
        partner_kind="soft_target",
    )
)
