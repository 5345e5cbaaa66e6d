"""A hanging receiver holds up no staff action (docs/alerts.md, "A send in three steps").

A local HTTP receiver reads each webhook request and never answers, so every send waits for
its full ``ALERTS_WEBHOOK_TIMEOUT``. While 100 such sends hang, cancelling the alert or
terminating the covenant it rests on returns within a second, and nothing more reaches the
receiver for it afterwards: neither the rows still waiting nor the hanging ones' retries.
The same for email (each test runs for both channels): a local SMTP server takes each message and
then never answers, so every send waits for its full ``EMAIL_TIMEOUT``.

The sends run the engine's own steps (``begin``, ``wait``, ``finish``: ``deliver_one`` is the
three in a row), each in a thread of its own; a thread hands its database connection back
while it waits for the receiver, as 100 connections would pass the server's limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.utils import timezone

from alerts import delivery as engine
from alerts import services
from alerts.models import Delivery
from alerts.webhooks import webhook_create
from partnerships.models import Organisation
from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services
from tests.factories import OrganisationFactory
from tests.reliability.harness import broker, members, wait_until
from tests.smtp_server import FakeSmtpServer, use_smtp

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.reliability,
    pytest.mark.django_db(transaction=True),
]

HANGING = 100
WAITING = 50
# ALERTS_WEBHOOK_TIMEOUT: long enough for all 100 sends to be under way at once (starting them
# takes seconds on a busy two-core machine); production's default is 5 s.
TIMEOUT = 15


class HangingHandler(BaseHTTPRequestHandler):
    """Reads the request, records its ``webhook-id``, then says nothing until released."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with self.server.lock:
            self.server.received.append(self.headers["webhook-id"])
        self.server.release.wait(timeout=60)
        try:
            self.send_response(204)
            self.end_headers()
        except OSError:
            pass  # the sender gave up long ago

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), HangingHandler, bind_and_activate=False)
    server.request_queue_size = 4 * HANGING
    server.daemon_threads = True
    server.server_bind()
    server.server_activate()
    server.received, server.lock, server.release = [], threading.Lock(), threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooks(settings, receiver, sender):
    """``hooks(organisation)``: that many subscriptions of it, all pointing at the receiver."""
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the receiver is on this machine
    settings.ALERTS_WEBHOOK_TIMEOUT = TIMEOUT
    port = receiver.server_address[1]

    def subscribe(organisation) -> None:
        for i in range(HANGING + WAITING):
            webhook_create(
                organisation=organisation,
                url=f"http://127.0.0.1:{port}/hook/{i}",
                by=sender.approver,
            )

    return subscribe


class Senders:
    """One thread per delivery running the engine's steps; what each ended with."""

    def __init__(self, ids: list[int]) -> None:
        self.slots = threading.BoundedSemaphore(8)  # database connections in use at once
        self.outcomes: dict[int, tuple[str, float] | BaseException] = {}
        self.threads = [threading.Thread(target=self._send, args=(pk,)) for pk in ids]

    def _send(self, pk: int) -> None:
        try:
            with self.slots:
                attempt = engine.begin(pk)
                connection.close()
            started = time.monotonic()
            engine.wait(attempt)  # the receiver hangs: no lock, no transaction, no connection
            waited = time.monotonic() - started
            with self.slots:
                self.outcomes[pk] = (engine.finish(attempt), waited)
                connection.close()
        except BaseException as error:  # reported by the test
            self.outcomes[pk] = error

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def hanging(self) -> int:
        return sum(thread.is_alive() for thread in self.threads)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=TIMEOUT * 6)


@pytest.fixture
def smtp_server(settings):
    with FakeSmtpServer(hang=True) as server:
        use_smtp(settings, server, timeout=TIMEOUT)
        yield server


@dataclass
class Channel:
    """One way out that hangs: its server, how a venue gets 150 recipients on it, what the
    server records of a delivery, and the gate's words for a recipient no longer entitled."""

    name: str
    server: object  # ``received``: what reached it
    subscribe: Callable[[Organisation], None]
    taken: Callable[[list[int]], set[str]]
    not_entitled: str


def _webhook_ids(ids) -> set[str]:
    public_ids = Delivery.objects.filter(pk__in=ids).values_list("public_id", flat=True)
    return {f"msg_{public_id}" for public_id in public_ids}


def _email_ids(ids) -> set[str]:
    return {str(i) for i in Delivery.objects.filter(pk__in=ids).values_list("public_id", flat=True)}


@pytest.fixture(params=["webhook", "email"])
def channel(request) -> Channel:
    """Each test below runs for a hanging webhook receiver (reads each request, never answers)
    and a hanging SMTP server (takes each message, never gives its verdict)."""
    if request.param == "webhook":
        return Channel(
            name="webhook",
            server=request.getfixturevalue("receiver"),
            subscribe=request.getfixturevalue("hooks"),
            taken=_webhook_ids,
            not_entitled="organisation no longer entitled to the alert",
        )
    return Channel(
        name="email",
        server=request.getfixturevalue("smtp_server"),
        subscribe=lambda venue: members(venue, HANGING + WAITING, "mail"),
        taken=_email_ids,
        not_entitled="recipient no longer entitled to the alert",
    )


def notices(alert, channel: str) -> tuple[list[int], list[int]]:
    ids = list(
        Delivery.objects.filter(alert=alert, channel=channel, purpose="notice")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(ids) == HANGING + WAITING
    return ids[:HANGING], ids[HANGING:]


def hang(alert, channel: Channel) -> tuple[Senders, list[int], list[int]]:
    hanging, waiting = notices(alert, channel.name)
    senders = Senders(hanging)
    senders.start()
    wait_until(
        lambda: len(channel.server.received) == HANGING,
        timeout=60,
        what=f"100 {channel.name} sends at the server",
    )
    assert senders.hanging() == HANGING
    return senders, hanging, waiting


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def settle_and_retry(senders: Senders, hanging: list[int]) -> None:
    """The hanging sends time out (worth another try); their retries come due and are run."""
    senders.join()
    for pk in hanging:
        status, waited = senders.outcomes[pk]
        assert status == Delivery.Status.AWAITING_RETRY
        assert waited >= TIMEOUT - 0.5  # it did hang for the full timeout
    Delivery.objects.filter(pk__in=hanging).update(next_attempt_at=timezone.now())
    assert engine.deliver(hanging) == {"cancelled": HANGING}


def test_cancelling_takes_effect_within_a_second_while_100_sends_hang(
    sender, redis_server, channel
):
    venue = OrganisationFactory(name=f"Hangende Ontvanger ({channel.name})")
    channel.subscribe(venue)
    alert = sender.publish(redis_server, tlp="green", organisations=[venue])
    senders, hanging, waiting = hang(alert, channel)

    with broker(redis_server.url):  # the cancellation notices are enqueued, never sent here
        took = timed(lambda: services.alert_cancel(alert=alert, by=sender.approver))
    assert took < 1.0, f"cancelling took {took:.2f} s"
    assert senders.hanging() == HANGING  # all still waiting for the receiver when it returned

    assert engine.deliver(waiting) == {"skipped": WAITING}  # the cancellation took them
    assert set(Delivery.objects.filter(pk__in=waiting).values_list("status", "last_error")) == {
        ("cancelled", "alert cancelled before sending")
    }
    settle_and_retry(senders, hanging)
    assert set(Delivery.objects.filter(pk__in=hanging).values_list("last_error", flat=True)) == {
        "alert is cancelled"
    }
    # what reached the receiver: the 100 that left before the cancellation, each once
    assert sorted(channel.server.received) == sorted(channel.taken(hanging))


def test_terminating_the_covenant_takes_effect_within_a_second_while_100_sends_hang(
    sender, redis_server, channel
):
    today = timezone.localdate()
    venue = OrganisationFactory(name=f"Opzeggende Partner ({channel.name})")
    partnership = partnership_services.partnership_create(
        name="PPS Opzeggende Partner",
        kind="venue",
        status="active",
        members=[(venue, "venue_operator")],
        joined_on=today - timedelta(days=30),
    )
    covenant = covenant_services.covenant_create(
        partnership=partnership,
        title="Convenant Opzeggende Partner",
        effective_from=today - timedelta(days=10),
        information_clause="amber",
        signatories=[
            (venue, today - timedelta(days=20)),
            (Organisation.objects.get(is_nctv=True), today - timedelta(days=20)),
        ],
    )
    channel.subscribe(venue)
    alert = sender.publish(redis_server, tlp="amber", organisations=[venue])
    senders, hanging, waiting = hang(alert, channel)

    took = timed(lambda: covenant_services.covenant_terminate(covenant=covenant))
    assert took < 1.0, f"terminating took {took:.2f} s"
    assert senders.hanging() == HANGING

    assert engine.deliver(waiting) == {"cancelled": WAITING}  # the gate: no longer entitled
    settle_and_retry(senders, hanging)
    assert set(
        Delivery.objects.filter(pk__in=[*hanging, *waiting]).values_list("last_error", flat=True)
    ) == {channel.not_entitled}
    assert sorted(channel.server.received) == sorted(channel.taken(hanging))
    if channel.name == "email":  # none was cut off: the rows that did not go never connected
        assert channel.server.aborted == 0


def test_cancelling_takes_effect_within_a_second_while_email_sends_wait_for_a_mute_server(
    sender, redis_server, settings
):
    """A server that accepts the connection and never greets: each send waits while preparing
    (before the gate, holding its database connection but no transaction), as many at once as
    a worker has threads."""
    with FakeSmtpServer(mute=True) as server:
        use_smtp(settings, server, timeout=TIMEOUT)
        venue = OrganisationFactory(name="Zwijgende Mailserver")
        members(venue, HANGING + WAITING, "mail")
        alert = sender.publish(redis_server, tlp="green", organisations=[venue])
        stalled = notices(alert, "email")[0][:8]
        senders = Senders(stalled)
        senders.start()
        wait_until(lambda: server.connections == len(stalled), timeout=30, what="8 connections")

        with broker(redis_server.url):
            took = timed(lambda: services.alert_cancel(alert=alert, by=sender.approver))
        assert took < 1.0, f"cancelling took {took:.2f} s"
        assert senders.hanging() == len(stalled)

        senders.join()
        assert {senders.outcomes[pk][0] for pk in stalled} == {Delivery.Status.AWAITING_RETRY}
        Delivery.objects.filter(pk__in=stalled).update(next_attempt_at=timezone.now())
        assert engine.deliver(stalled) == {"cancelled": len(stalled)}
        assert server.received == []  # nothing ever left
