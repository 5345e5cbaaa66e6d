"""Partnerships (PPS) and their member organisations."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models.organisations import Organisation


class Variant(models.TextChoices):
    CONTINUATION = "continuation", _("Continuation")
    DEEPENING = "deepening", _("Deepening")
    BROADENING = "broadening", _("Broadening")


VARIANT_MEANINGS = {
    Variant.CONTINUATION: _(
        "Continue what exists, with tempered expectations of what the partnership can add."
    ),
    Variant.DEEPENING: _(
        "More mutual information exchange: government and private partners share as much, "
        "including more sensitive information."
    ),
    Variant.BROADENING: _(
        "Government widens the private parties' work by revising the division of tasks, roles "
        "and responsibilities."
    ),
}


class PartnerRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    VENUE_OPERATOR = "venue_operator", _("Venue operator")
    EVENT_ORGANISER = "event_organiser", _("Event organiser")
    MUNICIPALITY = "municipality", _("Municipality")
    POLICE = "police", _("Police")
    SAFETY_REGION = "safety_region", _("Safety region")
    PRIVATE_SECURITY = "private_security", _("Private security")
    TRANSPORT_OPERATOR = "transport_operator", _("Transport operator")
    OTHER = "other", _("Other")


class PartnershipKind(models.TextChoices):
    VENUE = "venue", _("Venue")
    EVENT = "event", _("Event")
    DISTRICT = "district", _("District or shopping area")
    TRANSPORT = "transport", _("Public transport")
    OTHER = "other", _("Other")


# The roles a partnership of each kind needs at the table (DOMAIN.md, finding 1).
DEFAULT_REQUIRED_ROLES: dict[str, list[str]] = {
    PartnershipKind.VENUE: [
        PartnerRole.VENUE_OPERATOR,
        PartnerRole.MUNICIPALITY,
        PartnerRole.POLICE,
    ],
    PartnershipKind.EVENT: [
        PartnerRole.EVENT_ORGANISER,
        PartnerRole.MUNICIPALITY,
        PartnerRole.POLICE,
        PartnerRole.SAFETY_REGION,
    ],
    PartnershipKind.DISTRICT: [
        PartnerRole.VENUE_OPERATOR,
        PartnerRole.MUNICIPALITY,
        PartnerRole.POLICE,
    ],
    PartnershipKind.TRANSPORT: [
        PartnerRole.TRANSPORT_OPERATOR,
        PartnerRole.MUNICIPALITY,
        PartnerRole.POLICE,
    ],
    PartnershipKind.OTHER: [PartnerRole.MUNICIPALITY, PartnerRole.POLICE],
}


class Partnership(models.Model):
    class Status(models.TextChoices):
        FORMING = "forming", _("Forming")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        ENDED = "ended", _("Ended")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PartnershipKind.choices, default=PartnershipKind.VENUE
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    variant = models.CharField(
        _("PPS variant"), max_length=20, choices=Variant.choices, default=Variant.CONTINUATION
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.FORMING
    )
    sponsor = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_partnerships",
        verbose_name=_("sponsor"),
        help_text=_("The authority that backs the partnership (administrative backing)."),
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_for",
        verbose_name=_("liaison"),
        help_text=_("The connecting person: a user of a member organisation."),
    )
    contact_frequency_days = models.PositiveIntegerField(
        _("agreed contact frequency (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    required_roles = models.JSONField(
        _("required roles"),
        default=list,
        blank=True,
        help_text=_("Roles that must be at the table; empty means the default for the kind."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["name"]
        indexes = [
            # the API and overview filter by status, variant and region
            models.Index(fields=["status", "variant", "region"], name="partnership_filters"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def variant_meaning(self) -> str:
        return str(VARIANT_MEANINGS[self.variant])


class PartnershipMember(models.Model):
    """An organisation at the table of a partnership, in one role, from one date to another."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="members", verbose_name=_("partnership")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partnership_memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role in the partnership"), max_length=30, choices=PartnerRole.choices
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("partnership member")
        verbose_name_plural = _("partnership members")
        ordering = ["partnership", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation", "role"],
                condition=models.Q(left_on__isnull=True),
                name="one_current_role_per_member",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="member_leaves_after_joining",
            ),
        ]
        indexes = [
            # "which partnerships is this organisation in now" — every visibility check
            models.Index(
                fields=["organisation", "partnership"],
                condition=models.Q(left_on__isnull=True),
                name="current_member_by_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_role_display()}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None
