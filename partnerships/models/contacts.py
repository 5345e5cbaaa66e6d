"""The contact log (meetings, calls, exercises, debriefs), follow-up actions and cost sharing."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships.models.organisations import Organisation
from partnerships.models.partnerships import Partnership
from ppsportal.sensitivity import TLP


class ContactEntry(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Call")
        EXERCISE = "exercise", _("Exercise")
        DEBRIEF = "debrief", _("Debrief")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("partnership"),
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    participants = models.ManyToManyField(
        Organisation, related_name="contacts", verbose_name=_("participating organisations")
    )
    summary = models.TextField(_("summary"))
    tlp = models.CharField(_("TLP level"), max_length=20, choices=TLP.choices, default=TLP.GREEN)
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
        verbose_name = _("contact-log entry")
        verbose_name_plural = _("contact log")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            # health: last contact and contacts in the last 90 days per partnership
            models.Index(fields=["partnership", "-occurred_on"], name="contact_by_partnership"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"


class Action(models.Model):
    """A follow-up action agreed in a contact, with an owner and a due date."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("partnership"),
    )
    contact = models.ForeignKey(
        ContactEntry,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("contact-log entry"),
    )
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="actions", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["done_on", "due_on", "id"]
        indexes = [
            # health: open overdue actions per partnership
            models.Index(
                fields=["partnership", "due_on"],
                condition=Q(done_on__isnull=True),
                name="open_action_by_due",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class CostItem(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="cost_items",
        verbose_name=_("partnership"),
    )
    description = models.CharField(_("what"), max_length=200)
    amount = models.DecimalField(
        _("amount (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))

    class Meta:
        verbose_name = _("cost item")
        verbose_name_plural = _("cost items")
        ordering = ["partnership", "period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="cost_period_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.description}: € {self.amount}"


class CostShare(models.Model):
    """One party's percentage in the partnership's allocation key (all shares sum to 100)."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="cost_shares",
        verbose_name=_("partnership"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cost_shares",
        verbose_name=_("party"),
    )
    percentage = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("cost share")
        verbose_name_plural = _("allocation key")
        ordering = ["partnership", "-percentage"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"], name="one_share_per_party"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.percentage}%"
