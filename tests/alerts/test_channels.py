"""Each channel: what it says (by TLP, with the drill mark), and how its errors are judged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings
from django.core import mail

from alerts import delivery as engine
from alerts import services
from alerts.channels import messages
from alerts.channels.sms import RecordingBackend
from alerts.models import ChannelPreference, Delivery, WebhookSubscription
from tests.alerts.conftest import pending_ids

SECRET = "whsec_" + base64.b64encode(b"a-secret-of-thirty-two-bytes-!!!").decode()


class Receiver(BaseHTTPRequestHandler):
    """A partner's webhook endpoint on 127.0.0.1; answers with ``status``."""

    status = 204
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        Receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(Receiver.status)
        if 300 <= Receiver.status < 400:
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    """A receiver on this machine: reachable only with the explicit setting for local targets."""
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    Receiver.status, Receiver.received = 204, []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


def _send_all(alert):
    engine.deliver(pending_ids(alert))


def test_green_email_carries_the_full_text(world):
    alert = world.published(tlp="green", organisations=[world.org_a])
    _send_all(alert)
    message = mail.outbox[0]
    assert alert.headline in message.subject
    assert alert.description in message.body and alert.instruction in message.body
    assert f"{settings.SITE_URL}/alerts/{alert.public_id}/" in message.body


def test_amber_email_says_sign_in_to_read_and_nothing_more(world):
    alert = world.published(tlp="amber", organisations=[world.org_a])
    _send_all(alert)
    message = mail.outbox[0]
    for text in (message.subject, message.body):
        assert alert.headline not in text and alert.description not in text
        assert alert.instruction not in text
    assert f"{settings.SITE_URL}/alerts/{alert.public_id}/" in message.body
    assert "TLP:AMBER" in message.subject


@pytest.mark.parametrize("kind", ["exercise", "test"])
def test_drills_are_marked_as_such_on_every_channel(world, receiver, kind):
    ChannelPreference.objects.filter(user=world.admin_a).update(enabled=True)
    WebhookSubscription.objects.create(organisation=world.org_a, url=receiver, secret=SECRET)
    alert = world.published(kind=kind, organisations=[world.org_a])
    _send_all(alert)
    mark = f"[{messages.drill_mark(alert)}]"
    assert mark in ("[OEFENING]", "[TEST]")  # Dutch, the default language
    assert all(m.subject.startswith(mark) for m in mail.outbox)
    assert all(messages.drill_mark(alert) in m.body for m in mail.outbox)
    assert RecordingBackend.outbox and all(mark in text for _to, text in RecordingBackend.outbox)
    payload = json.loads(Receiver.received[0][1])
    assert payload["data"]["kind"] == kind and payload["data"]["headline"].startswith(mark)
    in_app = Delivery.objects.get(alert=alert, recipient=world.admin_a, channel="in_app")
    assert in_app.status == "sent" and messages.notice(alert).subject.startswith(mark)


def test_webhook_is_signed_per_standard_webhooks_and_carries_only_the_alert(world, receiver):
    WebhookSubscription.objects.create(organisation=world.org_a, url=receiver, secret=SECRET)
    alert = world.published(tlp="amber", organisations=[world.org_a, world.org_b])
    _send_all(alert)
    assert len(Receiver.received) == 1
    headers, body = Receiver.received[0]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body.decode()}".encode()
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    webhook_row = Delivery.objects.get(alert=alert, channel="webhook")
    assert headers["webhook-id"] == f"msg_{webhook_row.public_id}"
    data = json.loads(body)["data"]
    assert data["id"] == str(alert.public_id) and data["tlp"] == "amber"
    assert "Partner B" not in body.decode()  # never the audience
    assert webhook_row.status == "sent"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_webhook_redirect_is_not_followed(world, receiver, status):
    """A receiver that redirects (to an internal address, say) gets nothing more: the redirect
    is a permanent failure, and only the one POST to the subscribed URL was made."""
    WebhookSubscription.objects.create(organisation=world.org_a, url=receiver, secret=SECRET)
    Receiver.status = status
    alert = world.published(organisations=[world.org_a])
    row = Delivery.objects.get(alert=alert, channel="webhook")
    assert engine.deliver_one(row.pk) == "failed"
    row.refresh_from_db()
    assert row.last_error == f"HTTP {status}: redirects are not followed"
    assert len(Receiver.received) == 1


def test_the_webhook_payload_names_the_previous_version_only_if_it_reached_the_subscriber(
    world, receiver
):
    WebhookSubscription.objects.create(organisation=world.org_a, url=receiver, secret=SECRET)
    to_b = world.published(organisations=[world.org_b])
    update = services.alert_update(alert=to_b, by=world.author, organisations=[world.org_a])
    services.alert_approve(alert=update, by=world.approver)
    services.alert_publish(alert=update, by=world.approver)
    engine.deliver(
        Delivery.objects.filter(alert=update, channel="webhook").values_list("pk", flat=True)
    )
    (_headers, body), *_ = Receiver.received
    assert json.loads(body)["data"]["previous"] is None
    assert str(to_b.public_id) not in body.decode()


def test_webhook_5xx_is_retried_4xx_is_final_and_repeated_refusals_disable_it(world, receiver):
    subscription = WebhookSubscription.objects.create(
        organisation=world.org_a, url=receiver, secret=SECRET, consecutive_failures=3
    )
    Receiver.status = 503
    alert = world.published(organisations=[world.org_a])
    row = Delivery.objects.get(alert=alert, channel="webhook")
    assert engine.deliver_one(row.pk) == "awaiting_retry"
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 3  # transient failures do not count

    Receiver.status = 410
    for _ in range(2):
        other = world.published(organisations=[world.org_a])
        row = Delivery.objects.get(alert=other, channel="webhook")
        mail.outbox.clear()
        assert engine.deliver_one(row.pk) == "failed"
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures) == (False, 5)
    assert "HTTP 410" in subscription.disabled_reason
    assert [m.to for m in mail.outbox] == [["admin-a@example.invalid"]]  # its admins are told

    later = world.published(organisations=[world.org_a])
    assert not Delivery.objects.filter(alert=later, channel="webhook").exists()


def test_webhook_timeout_is_transient(world, settings):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.ALERTS_WEBHOOK_TIMEOUT = 0.3
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        WebhookSubscription.objects.create(organisation=world.org_a, url=url, secret=SECRET)
        alert = world.published(organisations=[world.org_a])
        row = Delivery.objects.get(alert=alert, channel="webhook")
        assert engine.deliver_one(row.pk) == "awaiting_retry"
    finally:
        listener.close()


def test_sms_goes_through_the_configured_backend_and_needs_a_number(world):
    ChannelPreference.objects.filter(user=world.admin_a, channel="sms").update(enabled=True)
    ChannelPreference.objects.create(user=world.viewer_a, channel="sms", enabled=True)
    alert = world.published(tlp="amber", organisations=[world.org_a])
    _send_all(alert)
    assert [to for to, _text in RecordingBackend.outbox] == ["+31600000001"]
    assert alert.headline not in RecordingBackend.outbox[0][1]
    failed = Delivery.objects.get(alert=alert, recipient=world.viewer_a, channel="sms")
    assert (failed.status, failed.last_error) == ("failed", "recipient has no phone number for SMS")


def test_email_without_an_address_fails_for_good(world):
    world.viewer_a.email = ""
    world.viewer_a.save(update_fields=["email"])
    alert = world.published(organisations=[world.org_a])
    _send_all(alert)
    row = Delivery.objects.get(alert=alert, recipient=world.viewer_a, channel="email")
    assert (row.status, row.attempts) == ("failed", 1)
