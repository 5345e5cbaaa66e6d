"""Canaries: every sensitive field of the matrix's world holds a unique marker (``CANARY-...``,
one per object and field: titles, bodies, summaries, vulnerability notes, security contacts,
report texts, alert texts, RED items). No marker may reach a principal the object's TLP level and
shares do not entitle (``test_authorization_matrix.entitled``, the matrix's own statement), on any
channel:

- ``response``: the body of every GET door of the matrix, for every principal (404, 403 and 401
  pages included: the error pages);
- ``export``: the STIX bundle and TAXII objects (doors of the matrix too), and the privacy export
  of each principal's own data;
- ``email``, ``sms``, ``webhook``: what publishing the world's alerts sent, through the test
  transports (``locmem`` mail, the recording SMS backend, a receiver on 127.0.0.1);
- ``error``: a 400 page for a form and for the API, sent the markers back as bad input by a
  principal who does not see them;
- ``log``: every log line written while the world was built, the alerts delivered and the doors
  walked (nobody is entitled to a marker in a log line).
The suite prints the number of (principal, channel, marker) checks.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from alerts import delivery as engine
from alerts.channels.sms import RecordingBackend
from alerts.models import Delivery
from ppsportal.logs import JsonFormatter
from ppsportal.privacy import personal_data_of
from tests.security.conftest import COUNTS
from tests.security.matrix_world import SMS_PHONES, after_the_fact, build_world
from tests.security.test_authorization_matrix import (
    PERSONAS,
    cases,
    clients_for,
    entitled,
    openapi_operations,
    personas_for,
    send,
    token_clients,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

EXPORTS = ("api:stix-bundle", "taxii-objects", "taxii-object", "taxii-collection")


class Receiver(BaseHTTPRequestHandler):
    """A partner's webhook endpoint on 127.0.0.1: ``/hook/A`` is partner A's."""

    received: list[tuple[str, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        Receiver.received.append((self.path.rsplit("/", 1)[-1], body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class Lines(logging.Handler):
    """Every log line, as the portal's JSON formatter writes it (with every extra field)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot be formatted is still a line
            self.lines.append(str(record.msg))


def _public(thing) -> bool:
    """A published TLP:CLEAR alert is for anyone: the public feed and CAP carry it (a draft is
    not published)."""
    return thing.model == "alert" and thing.level == "clear" and thing.placement != "other"


class Ledger:
    """The checks made and the leaks found."""

    def __init__(self, world):
        self.world = world
        self.checks = 0
        self.leaks: list[str] = []

    def look(self, persona: str | None, channel: str, text: str, where: str = "") -> None:
        """Every marker the text may not carry for ``persona`` is one check (``None``: nobody is
        entitled, as for log lines)."""
        for marker, thing in self.world.markers.items():
            if persona is not None and (entitled(persona, thing) or _public(thing)):
                continue
            self.checks += 1
            if marker in text:
                self.leaks.append(f"{persona or 'log'} {channel} {where}: {marker}")


@pytest.fixture(scope="module")
def canaries(django_db_setup, django_db_blocker):
    """The world with its alerts delivered to webhooks, SMS and mail; the log captured."""
    lines = Lines()
    root = logging.getLogger()
    root.addHandler(lines)
    level = root.level
    root.setLevel(logging.DEBUG)
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.received = []
    RecordingBackend.outbox.clear()
    settings = override_settings(
        ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS=True,
        SMS_BACKEND="alerts.channels.sms.RecordingBackend",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    try:
        with settings, django_db_blocker.unblock(), transaction.atomic():
            mail.outbox = []
            world = build_world(webhook_url=f"http://127.0.0.1:{server.server_port}/hook")
            engine.deliver(list(Delivery.objects.values_list("pk", flat=True)))
            clients = clients_for(world)
            after_the_fact(world)
            token_clients(world, clients)
            yield world, clients, lines, list(mail.outbox)
            transaction.set_rollback(True)
    finally:
        root.removeHandler(lines)
        root.setLevel(level)
        server.shutdown()
        server.server_close()


# Messages went out before the token expired and the users were deactivated or removed: then
# they were A's integrator and members, and are judged as such.
WHEN_SENT = {
    "expired_token": "integrator_a",
    "deactivated": "member_a",
    "removed_from_a": "member_a",
}


def _persona_of(world, *, email: str = "", phone: str = "") -> str | None:
    """The principal a message went to, as it was when the message was sent; ``None`` for C's
    admin, who owns most of the world (nothing to check)."""
    for persona, user in world.users.items():
        if email and user.email == email:
            return None if persona == "owner_c" else WHEN_SENT.get(persona, persona)
    for persona, number in SMS_PHONES.items():
        if phone == number:
            return persona
    raise AssertionError(f"a message to someone outside the world: {email or phone}")


def test_no_marker_reaches_anyone_not_entitled(canaries):
    world, clients, lines, outbox = canaries
    ledger = Ledger(world)
    operations = openapi_operations()

    # Every GET door of the matrix, for every principal; exports among them.
    for case in cases(world, operations):
        if case.method != "GET":
            continue
        channel = "export" if case.name in EXPORTS else "response"
        for persona in personas_for(case):
            if PERSONAS[persona].verified:
                continue  # verified staff are entitled to every marker: nothing to check
            response = send(clients[persona], case)
            body = b"".join(response) if response.streaming else response.content
            ledger.look(persona, channel, body.decode("utf-8", "replace"), case.path)

    # Error pages: markers sent back as bad input by someone who does not see them.
    _error_pages(world, clients, ledger)

    # What the alerts sent.
    assert outbox and RecordingBackend.outbox and Receiver.received, "no alert was delivered"
    for message in outbox:
        text = message.subject + message.body
        text += "".join(str(content) for content, _type in getattr(message, "alternatives", []))
        for address in [*message.to, *message.cc, *message.bcc]:
            persona = _persona_of(world, email=address)
            if persona is not None:
                ledger.look(persona, "email", text, message.subject)
    for to, text in RecordingBackend.outbox:
        ledger.look(_persona_of(world, phone=to), "sms", text)
    members = {"A": ("admin_a", "member_a", "viewer_a", "integrator_a"), "B": ("operator_b",)}
    for organisation, body in Receiver.received:
        for persona in members[organisation]:
            ledger.look(persona, "webhook", body.decode(), organisation)

    # The privacy export of each principal's own data.
    for persona, user in world.users.items():
        if persona in PERSONAS:
            export = json.dumps(personal_data_of(user), default=str)
            ledger.look(persona, "export", export, "privacy export")

    # Log lines: nobody.
    ledger.look(None, "log", "\n".join(lines.lines))

    leaks = len(ledger.leaks)
    COUNTS["canaries"] = f"{ledger.checks} (principal, channel, marker) checks, {leaks} leaks"
    print(f"canaries: {ledger.checks} (principal, channel, marker) checks")
    assert ledger.leaks == [], "\n".join(ledger.leaks[:200])
    assert len(lines.lines) > 100, "the log was not captured"


def _error_pages(world, clients, ledger) -> None:
    """400 answers echo input: a principal who sees no marker sends them all and must not get
    back one it did not send... and never one of another object."""
    outsider = "public_partner"
    client = clients[outsider]
    sensitive = [m for m, t in world.markers.items() if not entitled(outsider, t)]
    junk = " ".join(sensitive[:3])
    own_target = world.site_a.public_id
    for path, data, content_type in (
        ("/api/v1/reports/", {"soft_target": str(own_target), "what": junk}, "application/json"),
        ("/reports/new/", {"what": junk}, "application/x-www-form-urlencoded"),
    ):
        with transaction.atomic():
            body = json.dumps(data) if content_type == "application/json" else data
            if content_type != "application/json":
                response = client.post(path, body)
            else:
                response = client.post(path, body, content_type=content_type)
            transaction.set_rollback(True)
        text = response.content.decode("utf-8", "replace")
        for marker in sensitive[:3]:
            text = text.replace(marker, "")  # what it sent itself is its own
        ledger.look(outsider, "error", text, f"{path} {response.status_code}")
