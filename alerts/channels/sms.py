"""SMS, used for escalation: a pluggable backend (``SMS_BACKEND``, a dotted path).

``ConsoleBackend`` (the default, for development) writes the message to the log;
``RecordingBackend`` keeps messages in memory for tests; ``alerts.channels.sms_gateway.
GatewayBackend`` speaks a provider's REST API. A backend implements ``send(to, text, *,
reference)`` (``reference``: the delivery's public id, the same on every attempt) and raises
``TransientError`` or ``PermanentError``.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.utils.module_loading import import_string

from alerts.channels import messages
from alerts.channels.base import PermanentError, Transport

logger = logging.getLogger(__name__)


class ConsoleBackend:
    def send(self, to: str, text: str, *, reference: str = "") -> None:
        logger.warning("SMS to %s: %s", to, text)


class RecordingBackend:
    """Keeps what was sent, per process, for tests: ``RecordingBackend.outbox``."""

    outbox: list[tuple[str, str]] = []
    _lock = threading.Lock()

    def send(self, to: str, text: str, *, reference: str = "") -> None:
        with self._lock:
            RecordingBackend.outbox.append((to, text))


def get_backend():
    path = settings.SMS_BACKEND
    return import_string(path)()


def phone_of(user) -> str:
    from alerts.models import ChannelPreference

    pref = ChannelPreference.objects.filter(user=user, channel="sms").first()
    return (pref.address if pref else "").strip()


class SmsTransport(Transport):
    channel = "sms"

    def send(self, delivery) -> None:
        to = phone_of(delivery.recipient)
        if not to:
            raise PermanentError("recipient has no phone number for SMS")
        get_backend().send(
            to, messages.for_delivery(delivery).short, reference=str(delivery.public_id)
        )
