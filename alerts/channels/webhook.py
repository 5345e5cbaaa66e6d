"""Webhooks: per-organisation subscriptions, signed per the Standard Webhooks scheme.

Headers ``webhook-id`` (the delivery's public id, the same on every retry), ``webhook-timestamp``
(Unix seconds) and ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 over
``{id}.{timestamp}.{body}`` with the secret). The payload carries the alert's own fields only —
never its audience or anything else the organisation may not see; the engine has re-checked
that the organisation may see the alert itself. 4xx answers are permanent (but 408 and 429),
5xx and timeouts transient. After ``ALERTS_WEBHOOK_MAX_FAILURES`` consecutive permanent failures
the subscription is disabled and the organisation's administrators are told by email.

The send is split for the engine (``Transport.prepare``): connecting happens before the gate,
writing the request inside it, and the wait for the receiver's answer after it, outside any
lock — a receiver that hangs holds up nothing but the sending thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from alerts.channels import messages, outbound
from alerts.channels.base import Transport

logger = logging.getLogger(__name__)


def secret_key(secret: str) -> bytes:
    """A Standard Webhooks secret is 'whsec_' + base64; anything else is used as raw bytes."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    digest = hmac.new(
        secret_key(secret), f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256
    ).digest()
    return "v1," + base64.b64encode(digest).decode()


def _previous_id(delivery) -> str | None:
    """The version this one updates, if the subscriber's organisation may see that one too."""
    from alerts.selectors import organisation_may_see

    previous = delivery.alert.previous
    if previous is None or not organisation_may_see(delivery.organisation, previous):
        return None
    return str(previous.public_id)


EVENT_TYPES = {"cancel": "alert.cancelled", "all_clear": "alert.all_clear"}


def payload(delivery) -> dict:
    alert = delivery.alert
    kind = EVENT_TYPES.get(delivery.purpose)
    at = alert.ended_at if kind else alert.published_at
    if kind is None:
        kind = "alert.updated" if alert.previous_id else "alert.published"
    return {
        "type": kind,
        "timestamp": at.isoformat() if at else None,
        "data": {
            "id": str(alert.public_id),
            "version": alert.version,
            "previous": _previous_id(delivery),
            "kind": alert.kind,
            "exercise_or_test": messages.drill_mark(alert) or None,
            "status": alert.status,
            "tlp": alert.tlp,
            "atb_level": alert.atb_level,
            "headline": messages.marked(alert, alert.headline),
            "description": alert.description,
            "instruction": alert.instruction,
            "urgency": alert.urgency,
            "severity": alert.severity,
            "certainty": alert.certainty,
            "expires_at": alert.expires_at.isoformat() if alert.expires_at else None,
            "ack_deadline_minutes": alert.ack_deadline_minutes,
            "url": messages.alert_url(alert),
        },
    }


class WebhookTransport(Transport):
    channel = "webhook"
    connects = True

    def send(self, delivery) -> None:
        outgoing = self.prepare(delivery)
        try:
            outgoing.transmit()
            outgoing.await_answer()
        finally:
            outgoing.close()

    def prepare(self, delivery) -> outbound.PreparedPost:
        """Sign the payload and connect through a connection that checks, when it connects, the
        address it connects to (``alerts.egress``): a name that now resolves into a private
        network is refused for good, whatever it resolved to when the URL was saved."""
        subscription = delivery.webhook
        body = json.dumps(payload(delivery), separators=(",", ":"), sort_keys=True)
        msg_id = f"msg_{delivery.public_id}"
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": "PPS-Portal-Webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(subscription.secret, msg_id, timestamp, body),
        }
        return outbound.prepare_post(
            subscription.url,
            body=body.encode(),
            headers=headers,
            timeout=settings.ALERTS_WEBHOOK_TIMEOUT,
            what="webhook",
        )

    def on_success(self, delivery) -> None:
        type(delivery.webhook).objects.filter(pk=delivery.webhook_id).exclude(
            consecutive_failures=0
        ).update(consecutive_failures=0)

    def on_permanent_failure(self, delivery, error) -> None:
        model = type(delivery.webhook)
        model.objects.filter(pk=delivery.webhook_id).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        disabled = model.objects.filter(
            pk=delivery.webhook_id,
            active=True,
            consecutive_failures__gte=settings.ALERTS_WEBHOOK_MAX_FAILURES,
        ).update(active=False, disabled_reason=str(error)[:300])
        if disabled:
            _tell_admins(delivery.webhook, str(error))


def _tell_admins(subscription, error: str) -> None:
    from partnerships.models import Membership, Role

    addresses = list(
        Membership.objects.filter(
            organisation_id=subscription.organisation_id,
            role=Role.ADMIN,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        params = {
            "url": subscription.url,
            "count": settings.ALERTS_WEBHOOK_MAX_FAILURES,
            "error": error,
        }
        send_mail(
            subject=_("Your webhook has been disabled"),
            message=_(
                "The webhook %(url)s refused %(count)s alerts in a row (last answer: %(error)s) "
                "and has been disabled. Fix the receiver and enable it again in the portal."
            )
            % params,
            from_email=None,
            recipient_list=addresses,
            fail_silently=True,
        )
