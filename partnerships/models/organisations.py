"""Parties and people: organisations and the memberships of users in them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    """Soft-target categories (DOMAIN.md) an organisation operates in."""

    SHOPPING_AREA = "shopping_area", _("Shopping area")
    FOOTBALL_STADIUM = "football_stadium", _("Football stadium")
    EVENT_GROUNDS = "event_grounds", _("Event grounds")
    PUBLIC_TRANSPORT = "public_transport", _("Public transport")
    AIRPORT = "airport", _("Airport")
    HOSPITALITY = "hospitality", _("Hospitality")
    NIGHTLIFE = "nightlife", _("Nightlife")
    MUSEUM = "museum", _("Museum")
    UNIVERSITY = "university", _("University")
    RELIGIOUS_INSTITUTION = "religious_institution", _("Religious institution")
    GOVERNMENT_BUILDING = "government_building", _("Government building")


class Jurisdiction(models.TextChoices):
    """Whose threat levels an organisation lives under (the levels: ``threats.jurisdictions``)."""

    NL = "nl", _("Netherlands (NCTV)")
    BE = "be", _("Belgium (OCAM/OCAD)")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sector = models.CharField(
        _("sector"),
        max_length=40,
        choices=Sector.choices,
        blank=True,
        help_text=_(
            "The soft-target category the organisation operates in; blank for authorities."
        ),
    )
    registration_number = models.CharField(
        _("registration number"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9][0-9.]{7,13}$",
                _("Enter a registration number of 8 to 10 digits, such as a KvK number."),
            )
        ],
        help_text=_("Chamber of Commerce (KvK) number or its foreign equivalent."),
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=2,
        choices=Jurisdiction.choices,
        default=Jurisdiction.NL,
        help_text=_("Whose threat levels apply to this organisation and its soft targets."),
    )
    is_nctv = models.BooleanField(
        _("is the NCTV"),
        default=False,
        help_text=_("Members of the NCTV organisation who are staff see and manage everything."),
    )
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        related_name="organisation",
        editable=False,
        verbose_name=_("group"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_nctv"], condition=models.Q(is_nctv=True), name="one_nctv_organisation"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """A user's role in their organisation. What each role may do is in ``partnerships.roles``."""

    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer (read only)")
    INTEGRATOR = "integrator", _("Integrator (API account)")


class Membership(models.Model):
    """A user belongs to exactly one organisation, with one role in it."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"
