"""Read-only admins for what alerts leave behind: deliveries (the outbox), acknowledgements, and
the organisations' webhook subscriptions, which staff may switch off and on again
(``webhook_disable``, ``webhook_enable``). Nothing here is edited by hand."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.admin.lifecycle import refusal_text
from alerts.models import Acknowledgement, Delivery, StatusReport, WebhookSubscription
from alerts.webhooks import webhook_disable, webhook_enable
from ppsportal.admin.base import ReadOnlyMixin, StaffAdmin
from threats.labels import measures_text


class RecordAdmin(ReadOnlyMixin, StaffAdmin):
    """Staff read these rows; the services and the delivery engine write them."""


@admin.register(Delivery)
class DeliveryAdmin(RecordAdmin):
    list_display = [
        "created_at",
        "alert",
        "addressee",
        "organisation",
        "channel",
        "purpose",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "purpose"]
    search_fields = ["alert__headline", "recipient__username"]
    list_select_related = ["alert", "recipient", "organisation", "webhook"]
    show_full_result_count = False  # the outbox is long: no second count over all of it
    fields = [
        "alert",
        "recipient",
        "webhook",
        "organisation",
        "channel",
        "purpose",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "read_at",
        "created_at",
        "public_id",
    ]

    @admin.display(description=_("recipient"))
    def addressee(self, obj):
        if obj.recipient is not None:
            return obj.recipient.get_username()
        return obj.webhook.url if obj.webhook is not None else "—"


@admin.register(Acknowledgement)
class AcknowledgementAdmin(RecordAdmin):
    list_display = ["at", "alert", "organisation", "user", "measures"]
    list_filter = ["at"]
    search_fields = ["alert__headline", "organisation__name", "user__username"]
    list_select_related = ["alert", "organisation", "user"]
    fields = ["alert", "organisation", "user", "at", "note", "measures", "public_id"]
    readonly_fields = ["measures"]

    @admin.display(description=_("measures taken"))
    def measures(self, obj):
        return measures_text(obj.measures_taken)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(RecordAdmin):
    """Organisations subscribe themselves (the API); staff switch a subscription off
    (``webhook_disable``) or on again (``webhook_enable``, which checks the URL again)."""

    list_display = [
        "organisation",
        "url",
        "active",
        "consecutive_failures",
        "disabled_reason",
        "created_at",
        "deleted_at",
    ]
    list_filter = ["active", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["organisation__name", "url"]
    list_select_related = ["organisation"]
    # The signing secret is never shown.
    fields = [
        "organisation",
        "url",
        "active",
        "consecutive_failures",
        "disabled_reason",
        "created_at",
        "deleted_at",
        "public_id",
    ]
    actions = ["disable", "enable"]

    def _set_active(self, request, queryset, active: bool) -> None:
        count = 0
        for subscription in queryset.exclude(active=active):
            try:
                if active:
                    webhook_enable(subscription=subscription, by=request.user)
                else:
                    webhook_disable(subscription=subscription, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{subscription}: {refusal_text(exc)}", messages.ERROR)
            else:
                count += 1
        done = (
            gettext("Subscriptions enabled: %(count)d.")
            if active
            else gettext("Subscriptions disabled: %(count)d.")
        )
        self.message_user(request, done % {"count": count})

    @admin.action(description=_("Disable the selected webhook subscriptions"))
    def disable(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Enable the selected webhook subscriptions"))
    def enable(self, request, queryset):
        self._set_active(request, queryset, active=True)


@admin.register(StatusReport)
class StatusReportAdmin(RecordAdmin):
    """The latest status each organisation reported back per alert (partners write them)."""

    list_display = ["at", "alert", "organisation", "status", "user", "note"]
    list_filter = ["status"]
    search_fields = ["alert__headline", "organisation__name"]
    list_select_related = ["alert", "organisation", "user"]
    fields = ["alert", "organisation", "status", "note", "user", "first_at", "at"]
    readonly_fields = fields
