"""The outbox: one delivery row per recipient, channel and purpose, with its status machine.

Also who wants which channel (per user, with organisation defaults) and the organisations'
webhook subscriptions.
"""

from __future__ import annotations

import os
import time
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alerts.models.alerts import Alert
from partnerships.models import Organisation


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the portal")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")
    SMS = "sms", _("SMS")


def time_ordered_uuid() -> uuid.UUID:
    """A UUID whose leading 48 bits are the time in milliseconds (version 7, RFC 9562), the
    other 74 random: unguessable like a random one, but new ids sort after older ones, so the
    unique index on ``Delivery.public_id`` grows at its right edge instead of taking every
    insert to a random leaf. The fan-out builds the same in SQL (``alerts.fanout``)."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # the RFC's variant
    return uuid.UUID(int=value)


# Without a preference of the user or a default of the organisation.
DEFAULT_CHANNELS = frozenset({Channel.IN_APP, Channel.EMAIL})
# Channels a user chooses; webhooks are per organisation (a subscription is the preference).
USER_CHANNELS = [Channel.IN_APP, Channel.EMAIL, Channel.SMS]


class ChannelPreference(models.Model):
    """A user's choice for one channel; ``address`` is the phone number for SMS."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alert_channels",
        verbose_name=_("user"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    address = models.CharField(
        _("address"), max_length=40, blank=True, help_text=_("The phone number for SMS.")
    )

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="one_preference_per_channel"),
            models.CheckConstraint(
                condition=Q(channel__in=USER_CHANNELS), name="preference_user_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.channel} {'on' if self.enabled else 'off'}"


class ReaderLanguage(models.Model):
    """The language a user reads alerts in (Dutch by default)."""

    class Language(models.TextChoices):
        DUTCH = "nl", _("Dutch")
        ENGLISH = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alert_language",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language of alerts"), max_length=5, choices=Language.choices, default=Language.DUTCH
    )

    class Meta:
        verbose_name = _("reader language")
        verbose_name_plural = _("reader languages")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


class OrganisationChannelDefault(models.Model):
    """An organisation admin's default for a channel, for members without a preference."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="alert_channel_defaults",
        verbose_name=_("organisation"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("organisation channel default")
        verbose_name_plural = _("organisation channel defaults")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "channel"], name="one_org_default_per_channel"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=USER_CHANNELS), name="org_default_user_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.channel} {'on' if self.enabled else 'off'}"


class WebhookSubscription(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        help_text=_("Standard Webhooks secret: 'whsec_' followed by base64."),
    )
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_reason = models.CharField(_("disabled because"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deleted_at = models.DateTimeField(
        _("deleted at"),
        null=True,
        blank=True,
        help_text=_("A deleted subscription is kept, without its secret, for its deliveries."),
    )

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        indexes = [
            # fan-out: active subscriptions of the recipient organisations
            models.Index(
                fields=["organisation"], condition=Q(active=True), name="webhook_active_by_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.url}"


class Delivery(models.Model):
    """One message of one alert to one recipient on one channel: the outbox row.

    queued → in_flight (claimed by a conditional update) → sent, or → awaiting_retry (backoff
    stored in ``next_attempt_at``) → in_flight …, or → failed after a bound; cancelled when the
    recipient is no longer entitled or the alert ended before it was sent. While in flight,
    ``next_attempt_at`` is the end of the claim's lease: the sweep recovers rows past it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        IN_FLIGHT = "in_flight", _("In flight")
        AWAITING_RETRY = "awaiting_retry", _("Awaiting retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Purpose(models.TextChoices):
        NOTICE = "notice", _("Alert")
        REMINDER = "reminder", _("Escalation: acknowledgement overdue")
        DUTY_OFFICER = "duty_officer", _("Escalation to the duty officer")
        UNREACHABLE = "unreachable", _("Escalation to the duty officer: nobody to tell")
        CANCEL = "cancel", _("The alert is cancelled")
        ALL_CLEAR = "all_clear", _("All clear")

    class Receipt(models.TextChoices):
        """What an SMS gateway's delivery receipt said last (empty: no receipt)."""

        PENDING = "pending", _("With the provider")
        DELIVERED = "delivered", _("Delivered to the phone")
        FAILED = "failed", _("Not delivered")

    PENDING = (Status.QUEUED, Status.AWAITING_RETRY)

    public_id = models.UUIDField(
        _("public id"), default=time_ordered_uuid, unique=True, editable=False
    )
    alert = models.ForeignKey(
        Alert,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("alert"),
        db_index=False,  # the (alert, status) index below serves every lookup by alert
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_deliveries",
        verbose_name=_("recipient"),
        db_index=False,  # the inbox index (recipient, -created_at) leads with it
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("The recipient's organisation (for a webhook: the subscriber)."),
        # No index: every read goes by alert, recipient or status first; only deleting an
        # organisation looks its rows up by this column (docs/benchmarks.md, B1).
        db_index=False,
    )
    webhook = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.PROTECT,  # the record of what was sent outlives a deleted subscription
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("webhook subscription"),
        db_index=False,  # partial: delivery_by_webhook, user rows have none
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(
        _("purpose"), max_length=15, choices=Purpose.choices, default=Purpose.NOTICE
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    dispatched_until = models.DateTimeField(
        _("handed to a worker until"),
        null=True,
        blank=True,
        help_text=_(
            "Set when a task carrying this row is enqueued; the sweep leaves the row alone until "
            "then, so a long fan-out is not enqueued again and again."
        ),
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    receipt = models.CharField(
        _("delivery receipt"),
        max_length=10,
        choices=Receipt.choices,
        blank=True,
        db_default="",  # the fan-out's INSERT … SELECT names only the columns it fills
    )
    receipt_at = models.DateTimeField(_("receipt at"), null=True, blank=True)
    receipt_error = models.CharField(_("receipt error"), max_length=200, blank=True, db_default="")
    provider_message_id = models.CharField(
        _("provider's message id"),
        max_length=100,
        blank=True,
        db_default="",
        help_text=_("The SMS gateway's id of the message, from its delivery receipt."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # exactly once per recipient, channel and purpose
            models.UniqueConstraint(
                fields=["alert", "recipient", "channel", "purpose"],
                condition=Q(recipient__isnull=False),
                name="delivery_once_per_recipient",
            ),
            models.UniqueConstraint(
                fields=["alert", "webhook", "purpose"],
                condition=Q(webhook__isnull=False),
                name="delivery_once_per_webhook",
            ),
            models.CheckConstraint(
                condition=(Q(channel="webhook") & Q(webhook__isnull=False, recipient__isnull=True))
                | (~Q(channel="webhook") & Q(webhook__isnull=True, recipient__isnull=False)),
                name="delivery_has_one_addressee",
            ),
        ]
        indexes = [
            # the sweep: rows waiting (queued, awaiting retry) or in flight, by when they are due
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["queued", "awaiting_retry", "in_flight"]),
                name="delivery_sweep_due",
            ),
            # the inbox: a user's in-app deliveries, newest first; and every lookup by
            # recipient (privacy, deleting a user), so the column needs no index of its own
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(recipient__isnull=False),
                name="delivery_inbox",
            ),
            # a webhook's deliveries (PROTECT on deleting a subscription); user rows have none
            models.Index(
                fields=["webhook"], condition=Q(webhook__isnull=False), name="delivery_by_webhook"
            ),
            # the board: counts per alert and status
            models.Index(fields=["alert", "status"], name="delivery_by_alert_status"),
        ]

    def __str__(self) -> str:
        return f"{self.alert} → {self.recipient or self.webhook} ({self.channel})"
