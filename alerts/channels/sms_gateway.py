"""An SMS provider's REST API: the production backend for ``SMS_BACKEND``.

``send`` POSTs one message as JSON to ``SMS_GATEWAY_URL`` with the API key as a bearer token::

    {"to": "+316…", "from": "NCTV", "body": "…", "reference": "<delivery id>",
     "callback_url": "<SITE_URL>/api/v1/sms-receipts/"}

and an ``Idempotency-Key`` header that is the same on every attempt of one delivery (``sms_`` +
the delivery's public id), so a retry after a lost answer does not send a second text. The
answer is judged as for webhooks (``alerts.channels.outbound``): 2xx sent, 5xx, 408, 425, 429
and timeouts retried with the engine's backoff, any other 4xx final. The connection goes through
the same address checks as webhooks (``alerts.egress``): https to a public address.

The provider reports what became of the message by POSTing a signed receipt to
``/api/v1/sms-receipts/`` (``alerts.receipts``), naming the ``reference`` it was given.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse

from alerts.channels import outbound

IDEMPOTENCY_PREFIX = "sms_"


def receipt_url() -> str:
    return settings.SITE_URL + reverse("api:sms-receipt")


class GatewayBackend:
    def send(self, to: str, text: str, *, reference: str = "") -> None:
        body = {
            "to": to,
            "from": settings.SMS_GATEWAY_SENDER,
            "body": text,
            "reference": reference,
            "callback_url": receipt_url(),
        }
        headers = {
            "content-type": "application/json",
            "accept": "application/json",
            "user-agent": "PPS-Portal-SMS/1",
            "authorization": f"Bearer {settings.SMS_GATEWAY_API_KEY}",
        }
        if reference:
            headers["idempotency-key"] = IDEMPOTENCY_PREFIX + reference
        answer = outbound.post(
            settings.SMS_GATEWAY_URL,
            body=json.dumps(body, separators=(",", ":")).encode(),
            headers=headers,
            timeout=settings.SMS_GATEWAY_TIMEOUT,
            what="SMS gateway",
        )
        outbound.judge(answer.status)
