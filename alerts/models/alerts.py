"""Alerts: the message, its audience, its lifecycle, and who acknowledged it.

An alert is owned by the NCTV and shared through the covenant-bound sharing engine
(docs/permissions.md): CLEAR and GREEN reach the organisations it was sent to; AMBER and
AMBER+STRICT reach them through a group grant resting on the recipient's covenant.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation, Partnership
from partnerships.sharing.models import GroupGrant, UserGrant
from partnerships.sharing.registry import Shareable, register
from ppsportal.sensitivity import TLP
from threats.models import AlertLevel, Sector, ThreatAssessment


class Urgency(models.TextChoices):
    """CAP 1.2 urgency."""

    IMMEDIATE = "Immediate", _("Immediate")
    EXPECTED = "Expected", _("Expected")
    FUTURE = "Future", _("Future")
    PAST = "Past", _("Past")
    UNKNOWN = "Unknown", _("Unknown")


class Severity(models.TextChoices):
    """CAP 1.2 severity."""

    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    """CAP 1.2 certainty."""

    OBSERVED = "Observed", _("Observed")
    LIKELY = "Likely", _("Likely")
    POSSIBLE = "Possible", _("Possible")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


# ATb level -> (CAP urgency, severity, certainty, acknowledgement deadline in minutes).
LEVEL_DEFAULTS: dict[str, tuple[str, str, str, int]] = {
    AlertLevel.HOGE_DREIGING: (Urgency.IMMEDIATE, Severity.EXTREME, Certainty.LIKELY, 15),
    AlertLevel.MATIGE_DREIGING: (Urgency.EXPECTED, Severity.SEVERE, Certainty.POSSIBLE, 60),
    AlertLevel.LICHTE_DREIGING: (Urgency.FUTURE, Severity.MODERATE, Certainty.POSSIBLE, 240),
    AlertLevel.BASISNIVEAU: (Urgency.FUTURE, Severity.MINOR, Certainty.UNLIKELY, 1440),
}


class Alert(models.Model):
    class Kind(models.TextChoices):
        ACTUAL = "actual", _("Actual")
        EXERCISE = "exercise", _("Exercise")
        TEST = "test", _("Test")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")
        ALL_CLEAR = "all_clear", _("All clear")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded by an update")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("description"))
    instruction = models.TextField(_("instruction"), blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=160, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    instruction_en = models.TextField(_("instruction (English)"), blank=True)
    atb_level = models.CharField(_("alert level (ATb)"), max_length=20, choices=AlertLevel.choices)
    raises_sectors = models.ManyToManyField(
        Sector,
        blank=True,
        related_name="+",
        verbose_name=_("raises the level of sectors"),
        help_text=_("Publishing sets these sectors' ATb level to the alert's level."),
    )
    tlp = models.CharField(_("TLP level"), max_length=20, choices=TLP.choices, default=TLP.GREEN)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ACTUAL)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )

    # Audience: the union of these, narrowed to organisations entitled to the TLP level.
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="+", verbose_name=_("sectors")
    )
    regions = models.JSONField(_("regions"), default=list, blank=True)
    partnerships = models.ManyToManyField(
        Partnership, blank=True, related_name="+", verbose_name=_("partnerships")
    )
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("named organisations")
    )

    area_description = models.CharField(
        _("area description"),
        max_length=200,
        blank=True,
        help_text=_("CAP areaDesc; by default the regions, or the Netherlands."),
    )
    area_polygon = models.TextField(
        _("area polygon"),
        blank=True,
        help_text=_(
            'Optional CAP polygon: "latitude,longitude" pairs separated by spaces, at least four, '
            "the last the same as the first."
        ),
    )
    area_circle = models.CharField(
        _("area circle"),
        max_length=80,
        blank=True,
        help_text=_(
            'Optional CAP circle: "latitude,longitude radius" with the radius in kilometres, '
            "for example 52.3142,4.9419 1.5."
        ),
    )
    area_regions = models.JSONField(
        _("municipalities and safety regions"),
        default=list,
        blank=True,
        help_text=_("Codes of the municipalities and safety regions in the area (CBS codes)."),
    )
    area_targets = models.BooleanField(
        _("reach the soft targets in the area"),
        default=False,
        help_text=_(
            "Add the operators of the soft targets inside the area (the polygon, the circle and "
            "the chosen regions) to the audience, narrowed to the categories and the capacity "
            "below."
        ),
    )
    target_categories = models.ManyToManyField(
        Sector,
        blank=True,
        related_name="+",
        verbose_name=_("soft-target categories in the area"),
        help_text=_("Only targets of these categories; none chosen: every category."),
    )
    target_min_capacity = models.PositiveIntegerField(
        _("minimum capacity of targets in the area"),
        null=True,
        blank=True,
        help_text=_("Only targets for at least this many people; empty: any capacity."),
    )

    assessment = models.ForeignKey(
        ThreatAssessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("threat assessment"),
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    ack_deadline_minutes = models.PositiveIntegerField(_("acknowledgement deadline (minutes)"))

    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("sender")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approver"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    template = models.ForeignKey(
        "alerts.AlertTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started from template"),
    )
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("The API client's Idempotency-Key: a retried create returns this alert."),
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-published_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver=models.F("author")), name="alert_four_eyes"
            ),
            # a draft may be withdrawn (cancelled) unapproved; publication needs the approver
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"]) | Q(approver__isnull=False),
                name="alert_approved_before_publication",
            ),
            models.CheckConstraint(condition=~Q(tlp=TLP.RED), name="alert_not_red"),
            # one alert per author and idempotency key (a retried API create)
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="alert_idempotency_key_once",
            ),
        ]
        indexes = [
            # escalation: published alerts whose deadlines may have passed; expiry
            models.Index(
                fields=["published_at"],
                condition=Q(status="published"),
                name="alert_published",
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def is_drill(self) -> bool:
        """Exercise and test alerts: marked on every channel and left out of statistics."""
        return self.kind != self.Kind.ACTUAL


class AlertTemplate(models.Model):
    """A recurring situation written once: staff start an alert from it and adapt. Every change
    raises its version; an alert records the template and the version it started from."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120, unique=True)
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("description"))
    instruction = models.TextField(_("instruction"), blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=160, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    instruction_en = models.TextField(_("instruction (English)"), blank=True)
    atb_level = models.CharField(_("alert level (ATb)"), max_length=20, choices=AlertLevel.choices)
    tlp = models.CharField(_("TLP level"), max_length=20, choices=TLP.choices, default=TLP.GREEN)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Alert.Kind.choices, default=Alert.Kind.ACTUAL
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    certainty = models.CharField(
        _("certainty"), max_length=10, choices=Certainty.choices, blank=True
    )
    active = models.BooleanField(_("offered to staff"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("alert template")
        verbose_name_plural = _("alert templates")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(tlp=TLP.RED), name="alert_template_not_red"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


TEMPLATE_FIELDS = (
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "atb_level",
    "tlp",
    "kind",
    "urgency",
    "severity",
    "certainty",
)


class AlertUserGrant(UserGrant):
    content_object = models.ForeignKey(Alert, on_delete=models.CASCADE)

    class Meta(UserGrant.Meta):
        verbose_name = _("alert shared with a user")
        verbose_name_plural = _("alerts shared with users")


class AlertGroupGrant(GroupGrant):
    content_object = models.ForeignKey(Alert, on_delete=models.CASCADE)

    class Meta(GroupGrant.Meta):
        verbose_name = _("alert shared with an organisation")
        verbose_name_plural = _("alerts shared with organisations")


class AlertRecipient(models.Model):
    """An organisation an alert was sent to: the resolved audience, fixed at publication.

    CLEAR and GREEN alerts are visible to these organisations (the open audience); AMBER and
    above additionally need the group grant, which stops counting when the covenant ends."""

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("alert")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    covenant = models.ForeignKey(
        "partnerships.Covenant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("covenant"),
        help_text=_("The covenant the share rests on (none for CLEAR and GREEN)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recipient organisation")
        verbose_name_plural = _("recipient organisations")
        constraints = [
            models.UniqueConstraint(fields=["alert", "organisation"], name="one_recipient_row"),
        ]
        indexes = [
            # visibility: "alerts sent to this organisation"
            models.Index(fields=["organisation", "alert"], name="alert_recipient_by_org"),
        ]

    def __str__(self) -> str:
        return f"{self.alert} → {self.organisation}"


class Acknowledgement(models.Model):
    """An organisation's acknowledgement of an alert, once; with the scale-up measures taken."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("alert")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    note = models.TextField(_("note"), blank=True)
    measures_taken = models.JSONField(_("measures taken"), default=list, blank=True)
    at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "organisation"], name="one_ack_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.alert}"


class StatusReport(models.Model):
    """An organisation's answer back on an alert, besides the acknowledgement: its situation,
    with a note; one row per organisation, updated while the alert is published."""

    class Status(models.TextChoices):
        MEASURES_IN_PLACE = "measures_in_place", _("Measures in place")
        NEED_ASSISTANCE = "need_assistance", _("Need assistance")
        CLOSED = "closed", _("Closed or evacuated")
        NOT_AFFECTED = "not_affected", _("Not affected")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="status_reports", verbose_name=_("alert")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    first_at = models.DateTimeField(_("first reported at"), auto_now_add=True)
    at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "organisation"], name="one_status_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_status_display()}"


class Unreachable(models.TextChoices):
    """Why nobody in a recipient organisation can be told of an alert."""

    NO_ACTIVE_USER = "no_active_user", _("No active user and no webhook")
    NO_CHANNEL = "no_channel", _("No user with a channel switched on and no webhook")


class EscalationStep(models.Model):
    """A step of escalation taken for an organisation that has not acknowledged; each once.
    An organisation nobody can be told of (``reason``) reaches step 2 at publication."""

    class Step(models.IntegerChoices):
        REMINDER = 1, _("Reminder by SMS to the organisation's liaison and administrators")
        DUTY_OFFICER = 2, _("NCTV duty officer notified")

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("alert")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    reason = models.CharField(
        _("unreachable because"),
        max_length=20,
        choices=Unreachable.choices,
        blank=True,
        help_text=_("Set when the duty officer was told at publication: nobody there to tell."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "organisation", "step"], name="escalation_step_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert} / {self.organisation}: {self.get_step_display()}"


def alert_recipients_scope(actor) -> Q:
    """CLEAR and GREEN alerts reach the organisations they were sent to."""
    return Q(
        pk__in=AlertRecipient.objects.filter(organisation=actor.organisation).values("alert_id")
    )


register(
    Shareable(
        model=Alert,
        user_grant=AlertUserGrant,
        group_grant=AlertGroupGrant,
        open_scope=alert_recipients_scope,
    )
)
