"""Channels: one transport module each behind one interface (``alerts.channels.base``).

``ALERTS_TRANSPORTS`` in settings may replace a channel's transport by dotted path — the
reliability tests use a recording transport that counts sends per delivery.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from alerts.channels.base import Transport

DEFAULT_TRANSPORTS = {
    "in_app": "alerts.channels.in_app.InAppTransport",
    "email": "alerts.channels.email.EmailTransport",
    "webhook": "alerts.channels.webhook.WebhookTransport",
    "sms": "alerts.channels.sms.SmsTransport",
}


def transport_for(channel: str) -> Transport:
    paths = {**DEFAULT_TRANSPORTS, **settings.ALERTS_TRANSPORTS}
    return import_string(paths[channel])()
