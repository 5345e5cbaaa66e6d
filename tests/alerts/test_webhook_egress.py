"""Server-side request forgery is closed when sending, not only when saving: the address rule
runs again on the address the connection actually uses (DNS rebinding), whatever DEBUG says.

The network's edge is faked (``tests/network.py``): a resolver answering from a table, and a
guard that lets connections reach this machine only. Receivers are real servers on 127.0.0.1,
one speaking TLS with a certificate for ``hooks.partner.example`` from a test CA (``tls/``).
"""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from alerts import delivery as engine
from alerts.models import Delivery
from alerts.webhooks import webhook_create

TLS = Path(__file__).parent / "tls"
NAME = "hooks.partner.example"
PUBLIC = "93.184.215.14"

# Every private, reserved or embedding form the address check must refuse at connect time.
PRIVATE_ADDRESSES = [
    "127.0.0.1",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.10",
    "100.64.0.1",
    "169.254.169.254",
    "169.254.170.2",
    "100.100.100.200",
    "192.0.0.192",
    "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
    "224.0.0.1",
    "240.0.0.1",
    "::1",
    "::",
    "::ffff:10.0.0.1",
    "::a00:1",
    "2002:a00:1::1",
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",
    "64:ff9b::a00:1",
    "64:ff9b:1::a00:1",
    "fc00::1",
    "fd00:ec2::254",
    "fe80::1",
    "fec0::1",
    "ff02::1",
]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        self.server.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def tls_receiver():
    """An https receiver on 127.0.0.1 whose certificate names ``hooks.partner.example``; it
    records each request and the name the client asked for in TLS (SNI)."""
    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.received, server.sni = [], []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "receiver.pem", TLS / "receiver.key")
    context.sni_callback = lambda _sock, name, _ctx: server.sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def trust_test_ca(monkeypatch):
    """The portal verifies receivers against the system's trust store; here, the test CA."""
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "ca.pem"))


@pytest.fixture
def strict(settings):
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    return settings


def _subscribe(world, fake_dns, url=f"https://{NAME}/pps", *, at=PUBLIC):
    """Saved while the name resolved to ``at`` (a public address: the URL check passes)."""
    fake_dns.answer(NAME, at)
    subscription, _secret = webhook_create(organisation=world.org_a, url=url, by=world.admin_a)
    return subscription


def _send(world) -> Delivery:
    alert = world.published(organisations=[world.org_a])
    row = Delivery.objects.get(alert=alert, channel="webhook")
    engine.deliver_one(row.pk)
    row.refresh_from_db()
    return row


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_names_that_resolve_privately_at_send_time_are_refused_without_connecting(
    world, fake_dns, loopback_only, strict, debug
):
    """One subscription per address form, each saved while its name resolved publicly; at send
    time each name resolves to its private form, and none is connected to."""
    strict.DEBUG = debug
    names = {}
    for i, address in enumerate(PRIVATE_ADDRESSES):
        name = f"hook{i}.partner.example"
        fake_dns.answer(name, PUBLIC)
        subscription, _secret = webhook_create(
            organisation=world.org_a, url=f"https://{name}/pps", by=world.admin_a
        )
        names[subscription.pk] = name
        fake_dns.answer(name, address)  # the attacker's DNS answers differently now
    alert = world.published(organisations=[world.org_a])
    rows = Delivery.objects.filter(alert=alert, channel="webhook")
    assert rows.count() == len(PRIVATE_ADDRESSES)
    for row in rows:
        assert engine.deliver_one(row.pk) == "failed"  # permanent: a retry cannot fix it
        row.refresh_from_db()
        assert row.last_error in {
            f"address of {names[row.webhook_id]} refused at connect time (private_address)",
            f"address of {names[row.webhook_id]} refused at connect time (metadata)",
        }, row.last_error
    assert loopback_only.connected == [] and loopback_only.refused == []  # not even tried


def test_rebinding_to_this_machine_reaches_nothing(
    world, fake_dns, loopback_only, strict, tls_receiver, trust_test_ca
):
    _subscribe(world, fake_dns)
    fake_dns.answer(NAME, "127.0.0.1")
    row = _send(world)
    assert row.status == "failed"
    assert tls_receiver.received == [] and loopback_only.connected == []


def test_one_private_address_among_public_ones_refuses_the_name(
    world, fake_dns, loopback_only, strict
):
    _subscribe(world, fake_dns)
    fake_dns.answer(NAME, PUBLIC, "10.0.0.1")
    assert _send(world).status == "failed"
    assert loopback_only.refused == []


def test_the_connection_goes_to_the_address_that_was_checked(
    world, fake_dns, loopback_only, strict, tls_receiver, trust_test_ca
):
    """Resolved once: a resolver that answers a public address to the check and this machine
    to a second lookup would win against code that checks one answer and connects by name."""
    _subscribe(world, fake_dns)
    fake_dns.asked.clear()
    fake_dns.answer_in_turn(NAME, [PUBLIC], ["127.0.0.1"])
    row = _send(world)
    assert fake_dns.asked.count(NAME) == 1  # one lookup per send
    assert loopback_only.refused == [(PUBLIC, 443)]  # the checked address, not a new answer
    assert tls_receiver.received == []
    assert row.status == "awaiting_retry"  # could not connect: worth another try


def test_a_local_receiver_is_reached_only_with_the_explicit_setting(
    world, fake_dns, loopback_only, settings, tls_receiver, trust_test_ca
):
    port = tls_receiver.server_port
    url = f"https://{NAME}:{port}/pps?source=portal"
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    _subscribe(world, fake_dns, url, at="127.0.0.1")

    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    settings.DEBUG = True  # DEBUG is not the switch
    assert _send(world).status == "failed"
    assert tls_receiver.received == []

    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.DEBUG = False
    row = _send(world)
    assert row.status == "sent", row.last_error
    [(headers, body)] = tls_receiver.received
    # connected to the checked address; TLS and Host speak the URL's own name
    assert loopback_only.connected == [("127.0.0.1", port)]
    assert tls_receiver.sni == [NAME]
    assert headers["host"] == f"{NAME}:{port}"
    assert json.loads(body)["data"]["id"] == str(row.alert.public_id)


def test_the_certificate_is_verified_for_the_urls_name(
    world, fake_dns, loopback_only, settings, tls_receiver, trust_test_ca
):
    """Connecting to the address does not weaken TLS: another name on the same address fails
    verification (and is retried later, as any TLS failure)."""
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    fake_dns.answer("other.partner.example", "127.0.0.1")
    webhook_create(
        organisation=world.org_a,
        url=f"https://other.partner.example:{tls_receiver.server_port}/pps",
        by=world.admin_a,
    )
    row = _send(world)
    assert row.status == "awaiting_retry"
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
    assert tls_receiver.received == []


def test_a_stored_http_url_is_not_sent_to_without_the_setting(
    world, fake_dns, loopback_only, settings
):
    """A plain-http URL saved where the setting was on is refused once it is off."""
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    webhook_create(organisation=world.org_a, url="http://127.0.0.1:9/pps", by=world.admin_a)
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    row = _send(world)
    assert (row.status, row.last_error) == ("failed", "webhook URL refused (not_https)")
    assert loopback_only.connected == []


def test_a_name_that_does_not_resolve_at_send_time_is_tried_again(
    world, fake_dns, loopback_only, strict
):
    _subscribe(world, fake_dns)
    del fake_dns.table[NAME]
    row = _send(world)
    assert (row.status, row.last_error) == (
        "awaiting_retry",
        f"host {NAME} could not be resolved",
    )
