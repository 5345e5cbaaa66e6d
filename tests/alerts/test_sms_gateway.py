"""The HTTP SMS gateway against a fake provider on this machine: what it sends, retries on 5xx
with one idempotency key, and signed delivery receipts that update the delivery row."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from alerts import delivery as engine
from alerts.models import ChannelPreference, Delivery
from alerts.receipts import sign

RECEIPTS = "/api/v1/sms-receipts/"
SECRET = "receipt-secret-of-the-gateway"


class Provider(BaseHTTPRequestHandler):
    """The SMS provider's REST API: answers each POST with the next status of ``answers``."""

    answers: list[int] = []
    received: list[tuple[dict, dict]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        Provider.received.append(
            ({k.lower(): v for k, v in self.headers.items()}, json.loads(body))
        )
        status = Provider.answers.pop(0) if len(Provider.answers) > 1 else Provider.answers[0]
        payload = json.dumps({"id": f"msg-{len(Provider.received)}"}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    """The fake provider, and the settings that make it the SMS backend."""
    Provider.answers, Provider.received = [201], []
    server = HTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # a provider on this machine
    settings.SMS_BACKEND = "alerts.channels.sms_gateway.GatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/v1/messages"
    settings.SMS_GATEWAY_API_KEY = "key-of-the-portal"
    settings.SMS_GATEWAY_SENDER = "NCTV"
    settings.SMS_GATEWAY_RECEIPT_SECRET = SECRET
    yield Provider
    server.shutdown()
    server.server_close()


def sms_row(world, **fields) -> Delivery:
    ChannelPreference.objects.filter(user=world.admin_a, channel="sms").update(enabled=True)
    alert = world.published(organisations=[world.org_a], **fields)
    return Delivery.objects.get(alert=alert, recipient=world.admin_a, channel="sms")


def test_a_text_goes_to_the_provider_with_the_key_and_an_idempotency_key(world, provider):
    row = sms_row(world)
    assert engine.deliver_one(row.pk) == "sent"
    [(headers, body)] = provider.received
    assert headers["authorization"] == "Bearer key-of-the-portal"
    assert headers["idempotency-key"] == f"sms_{row.public_id}"
    assert body["to"] == "+31600000001"
    assert body["from"] == "NCTV"
    assert body["reference"] == str(row.public_id)
    assert body["callback_url"].endswith(RECEIPTS)
    assert str(row.alert.public_id) in body["body"]  # the link to the alert


def test_5xx_is_retried_with_the_same_idempotency_key_then_sent(world, provider):
    provider.answers = [503, 502, 201]
    row = sms_row(world)
    for expected in ("awaiting_retry", "awaiting_retry", "sent"):
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert engine.deliver_one(row.pk) == expected
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 3)
    keys = [headers["idempotency-key"] for headers, _body in provider.received]
    assert keys == [f"sms_{row.public_id}"] * 3


def test_a_4xx_is_final(world, provider):
    provider.answers = [400]
    row = sms_row(world)
    assert engine.deliver_one(row.pk) == "failed"
    row.refresh_from_db()
    assert row.last_error == "HTTP 400"


def test_the_gateway_url_passes_the_same_address_checks_as_webhooks(world, provider, settings):
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = False  # production: 127.0.0.1 is refused
    row = sms_row(world)
    assert engine.deliver_one(row.pk) == "failed"
    row.refresh_from_db()
    assert row.last_error == "SMS gateway URL refused (not_https)"
    assert provider.received == []


def post_receipt(client, data, *, secret=SECRET, at=None, signature=None):
    body = json.dumps(data).encode()
    timestamp = str(int(time.time() if at is None else at))
    return client.post(
        RECEIPTS,
        data=body,
        content_type="application/json",
        HTTP_X_RECEIPT_TIMESTAMP=timestamp,
        HTTP_X_RECEIPT_SIGNATURE=signature or sign(secret, timestamp, body),
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_signed_receipt_updates_the_delivery_row(world, provider, client):
    row = sms_row(world)
    engine.deliver_one(row.pk)
    receipt = {"reference": str(row.public_id), "status": "delivered", "message_id": "msg-1"}
    response = post_receipt(client, receipt)
    assert response.status_code == 200, response.content
    assert response.json() == {"reference": str(row.public_id), "receipt": "delivered"}
    row.refresh_from_db()
    assert (row.status, row.receipt, row.provider_message_id) == ("sent", "delivered", "msg-1")
    assert row.receipt_at is not None
    # a late "pending" does not undo a final receipt; the same receipt again changes nothing
    assert post_receipt(client, {**receipt, "status": "buffered"}).status_code == 200
    assert post_receipt(client, receipt).status_code == 200
    row.refresh_from_db()
    assert row.receipt == "delivered"


def test_a_failed_receipt_keeps_the_reason(world, provider, client):
    row = sms_row(world)
    engine.deliver_one(row.pk)
    receipt = {"reference": str(row.public_id), "status": "undelivered", "error": "absent"}
    assert post_receipt(client, receipt).status_code == 200
    row.refresh_from_db()
    assert (row.receipt, row.receipt_error) == ("failed", "absent")


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "no signature", "stale", "tampered"],
)
def test_a_receipt_with_a_bad_signature_is_refused_and_changes_nothing(
    world, provider, client, how
):
    row = sms_row(world)
    engine.deliver_one(row.pk)
    before = Delivery.objects.filter(pk=row.pk).values().get()
    receipt = {"reference": str(row.public_id), "status": "failed", "message_id": "forged"}
    if how == "wrong secret":
        response = post_receipt(client, receipt, secret="not-the-secret")
    elif how == "no signature":
        response = client.post(RECEIPTS, data=receipt, content_type="application/json")
    elif how == "stale":
        response = post_receipt(client, receipt, at=time.time() - 3600)
    else:
        timestamp = str(int(time.time()))
        signature = sign(SECRET, timestamp, json.dumps({**receipt, "status": "delivered"}).encode())
        response = post_receipt(client, receipt, signature=signature)
    assert response.status_code == 403
    assert Delivery.objects.filter(pk=row.pk).values().get() == before


def test_a_receipt_for_an_unknown_delivery_is_404(world, provider, client):
    response = post_receipt(client, {"reference": str(uuid.uuid4()), "status": "delivered"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No SMS delivery has this reference."}
    sms_row(world)
    email = Delivery.objects.filter(channel="email").first()
    assert email is not None  # an email row is no SMS delivery
    response = post_receipt(client, {"reference": str(email.public_id), "status": "delivered"})
    assert response.status_code == 404
    email.refresh_from_db()
    assert email.receipt == ""


@pytest.mark.parametrize(
    "data",
    [["a list"], {"status": "delivered"}, {"reference": "nope", "status": "delivered"}, {}],
)
def test_a_signed_body_that_is_no_receipt_is_400(world, provider, client, data):
    response = post_receipt(client, data)
    assert response.status_code == 400
    assert "reference" in response.json()["detail"]


def test_the_recording_backend_stays_the_default_in_tests(settings):
    assert settings.SMS_BACKEND == "alerts.channels.sms.RecordingBackend"


@pytest.mark.parametrize(
    ("timestamp", "signature"), [("²", "v1=00"), ("12", "v1=é"), ("", ""), ("-1", "v1=")]
)
def test_odd_signature_headers_are_refused_not_a_server_error(
    db, provider, client, timestamp, signature
):
    response = client.post(
        RECEIPTS,
        data=b"{}",
        content_type="application/json",
        HTTP_X_RECEIPT_TIMESTAMP=timestamp,
        HTTP_X_RECEIPT_SIGNATURE=signature,
    )
    assert response.status_code == 403
