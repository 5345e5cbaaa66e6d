"""Delivery receipts from the SMS gateway: a signed callback that says what became of a text.

The provider POSTs JSON to ``/api/v1/sms-receipts/``::

    {"reference": "<delivery id>", "status": "delivered", "message_id": "…", "error": ""}

with ``X-Receipt-Timestamp`` (Unix seconds) and ``X-Receipt-Signature``: ``v1=`` + hex
HMAC-SHA256 over ``{timestamp}.{body}`` with ``SMS_GATEWAY_RECEIPT_SECRET``. A receipt that is
unsigned, wrongly signed or signed more than ``SMS_GATEWAY_RECEIPT_TOLERANCE`` seconds ago is
refused before anything is read from it; nothing is changed.

A receipt updates the delivery row's receipt fields (never its status: the engine sent the row,
the receipt says what the network did with it). Final receipts (delivered, failed) are not
overwritten by a late "pending" that arrives after them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Channel, Delivery

SIGNATURE_HEADER = "X-Receipt-Signature"
TIMESTAMP_HEADER = "X-Receipt-Timestamp"
SIGNATURE_VERSION = "v1="

# The providers' words for where a message is, and ours.
STATUSES = {
    "delivered": Delivery.Receipt.DELIVERED,
    "failed": Delivery.Receipt.FAILED,
    "undelivered": Delivery.Receipt.FAILED,
    "rejected": Delivery.Receipt.FAILED,
    "expired": Delivery.Receipt.FAILED,
    "accepted": Delivery.Receipt.PENDING,
    "queued": Delivery.Receipt.PENDING,
    "sent": Delivery.Receipt.PENDING,
    "buffered": Delivery.Receipt.PENDING,
    "pending": Delivery.Receipt.PENDING,
}
FINAL = (Delivery.Receipt.DELIVERED, Delivery.Receipt.FAILED)


class ReceiptRefused(Exception):
    """``code``: ``signature`` (not from the gateway), ``invalid`` (not a receipt), ``unknown``
    (no SMS delivery by that reference)."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_VERSION + digest.hexdigest()


def verify(*, body: bytes, timestamp: str, signature: str, now: float | None = None) -> None:
    """Raises ``ReceiptRefused("signature")`` unless the gateway signed this body recently."""
    secret = settings.SMS_GATEWAY_RECEIPT_SECRET
    refused = ReceiptRefused("signature", _("The receipt's signature is missing or wrong."))
    if not secret or not (timestamp.isascii() and timestamp.isdigit()) or not signature:
        raise refused
    expected = sign(secret, timestamp, body).encode()
    if not hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace")):
        raise refused
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > settings.SMS_GATEWAY_RECEIPT_TOLERANCE:
        raise refused


def _parse(body: bytes) -> dict:
    invalid = ReceiptRefused(
        "invalid",
        _("A receipt is a JSON object with a reference (the delivery id) and a known status."),
    )
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(data, dict):
        raise invalid
    try:
        reference = uuid.UUID(str(data.get("reference", "")))
    except ValueError:
        raise invalid from None
    status = STATUSES.get(str(data.get("status", "")).lower())
    if status is None:
        raise invalid
    return {
        "reference": reference,
        "receipt": status,
        "provider_message_id": str(data.get("message_id") or "")[:100],
        "receipt_error": str(data.get("error") or "")[:200],
    }


def sms_receipt_record(*, body: bytes, timestamp: str, signature: str) -> Delivery:
    """Check the signature, then record the receipt on its SMS delivery row."""
    verify(body=body, timestamp=timestamp, signature=signature)
    fields = _parse(body)
    with transaction.atomic():
        return _record(fields)


def _record(fields: dict) -> Delivery:
    reference = fields.pop("reference")
    rows = Delivery.objects.filter(public_id=reference, channel=Channel.SMS)
    if not rows.exists():
        raise ReceiptRefused("unknown", _("No SMS delivery has this reference."))
    if fields["receipt"] not in FINAL:
        rows = rows.filter(~Q(receipt__in=FINAL))  # a late "pending" changes nothing
    rows.update(receipt_at=timezone.now(), **fields)
    return Delivery.objects.get(public_id=reference)
