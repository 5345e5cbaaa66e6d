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
import http.client
import json
import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from alerts.channels import messages
from alerts.channels.base import Outgoing, PermanentError, TransientError, Transport
from alerts.egress import TargetRefused, open_connection, target_of

logger = logging.getLogger(__name__)

RETRYABLE_4XX = {408, 425, 429}


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


def _judge(status: int) -> None:
    """2xx is delivered; a redirect is never followed (it may point into our network); 4xx is
    final but for 408, 425 and 429; anything else is worth another try."""
    if 200 <= status < 300:
        return
    text = f"HTTP {status}"
    if 300 <= status < 400:
        raise PermanentError(f"{text}: redirects are not followed")
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        raise PermanentError(text)
    raise TransientError(text)


@contextmanager
def _connection_errors():
    """What can go wrong on the wire, as the engine's errors: an address refused when
    connecting is permanent (but a name that does not resolve), anything else transient."""
    try:
        yield
    except TargetRefused as refused:
        if refused.code == "unresolvable":
            raise TransientError(f"host {refused.host} could not be resolved") from refused
        raise PermanentError(
            f"address of {refused.host} refused at connect time ({refused.code})"
        ) from refused
    except (http.client.HTTPException, OSError) as error:
        raise TransientError(f"{type(error).__name__}: {error}") from error


class WebhookRequest(Outgoing):
    """A POST on a connection already open: ``transmit`` writes it (a few kilobytes into the
    socket's buffer, no waiting), ``await_answer`` waits up to ``ALERTS_WEBHOOK_TIMEOUT`` for the
    receiver's status."""

    def __init__(self, connection, path: str, body: bytes, headers: dict) -> None:
        self.connection, self.path, self.body, self.headers = connection, path, body, headers

    def transmit(self) -> None:
        with _connection_errors():
            self.connection.request("POST", self.path, body=self.body, headers=self.headers)

    def await_answer(self) -> None:
        with _connection_errors():
            response = self.connection.getresponse()
            response.read(1024)
        _judge(response.status)

    def close(self) -> None:
        self.connection.close()


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

    def prepare(self, delivery) -> WebhookRequest:
        """Sign the payload and connect through a connection that checks, when it connects, the
        address it connects to (``alerts.egress``): a name that now resolves into a private
        network is refused for good, whatever it resolved to when the URL was saved."""
        subscription = delivery.webhook
        try:
            target = target_of(subscription.url)
        except TargetRefused as refused:
            raise PermanentError(f"webhook URL refused ({refused.code})") from refused
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
        connection = open_connection(target, timeout=settings.ALERTS_WEBHOOK_TIMEOUT)
        try:
            with _connection_errors():
                connection.connect()
        except BaseException:
            connection.close()
            raise
        return WebhookRequest(connection, target.path, body.encode(), headers)

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
