"""Email over SMTP in the engine's three steps (alerts.channels.email): everything up to the
message's final line before the gate, the final line at the gate, the server's verdict after
it. A message whose gate says no is never completed, so the server never takes it."""

from __future__ import annotations

import smtplib
import socket
import time
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import delivery as engine
from alerts.channels.email import EmailTransport, PreparedMail, dot_stuffed
from alerts.models import Alert, Delivery
from tests.factories import UserFactory
from tests.smtp_server import FakeSmtpServer, use_smtp


@pytest.fixture
def smtp(settings):
    with FakeSmtpServer() as server:
        use_smtp(settings, server, timeout=3)
        yield server


def email_of(world, alert) -> Delivery:
    return Delivery.objects.get(alert=alert, recipient=world.admin_a, channel="email")


def test_an_email_goes_out_through_smtp_in_steps_and_is_recorded_sent(world, smtp):
    alert = world.published(
        organisations=[world.org_a], tlp="green", description="Regel een\n.begint met een punt"
    )
    row = email_of(world, alert)
    assert EmailTransport().connects  # the SMTP backend: entitlement checked before connecting

    attempt = engine.begin(row.pk)
    # the message has left (its final line written at the gate), the answer not yet read
    assert attempt.error is None and attempt.status is None
    assert attempt.outgoing.transmitted and not attempt.outgoing.answered
    assert engine.finish(engine.wait(attempt)) == Delivery.Status.SENT

    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT
    assert smtp.received == [str(row.public_id)]
    assert smtp.aborted == 0
    message = smtp.messages[0]
    assert message["To"] == "admin-a@example.invalid"
    body = message.get_payload(decode=True).decode()
    assert "\n.begint met een punt" in body.replace("\r\n", "\n")  # dot-stuffing undone


def test_the_servers_verdict_decides_retry_or_failure(world, smtp):
    alert = world.published(organisations=[world.org_a], tlp="green")
    row = email_of(world, alert)
    smtp.end_reply = "451 try again later"
    assert engine.deliver_one(row.pk) == Delivery.Status.AWAITING_RETRY
    row.refresh_from_db()
    assert "451" in row.last_error

    viewer = Delivery.objects.get(alert=alert, recipient=world.viewer_a, channel="email")
    smtp.end_reply = "554 message refused"
    assert engine.deliver_one(viewer.pk) == Delivery.Status.FAILED
    viewer.refresh_from_db()
    assert "554" in viewer.last_error


def test_a_refused_recipient_fails_for_good_before_anything_is_sent(world, smtp):
    alert = world.published(organisations=[world.org_a], tlp="green")
    row = email_of(world, alert)
    smtp.rcpt_reply = "550 no such mailbox"
    assert engine.deliver_one(row.pk) == Delivery.Status.FAILED
    row.refresh_from_db()
    assert row.last_error.startswith("recipient refused")
    assert smtp.received == []


class CancelledWhilePreparing(EmailTransport):
    """The alert is cancelled after the message was written up to its final line."""

    def prepare(self, delivery):
        outgoing = super().prepare(delivery)
        Alert.objects.filter(pk=delivery.alert_id).update(status=Alert.Status.CANCELLED)
        return outgoing


def test_a_message_the_gate_stops_is_never_completed_and_the_server_takes_nothing(
    world, smtp, settings
):
    settings.ALERTS_TRANSPORTS = {"email": f"{__name__}.CancelledWhilePreparing"}
    alert = world.published(organisations=[world.org_a], tlp="green")
    row = email_of(world, alert)
    assert engine.deliver_one(row.pk) == Delivery.Status.CANCELLED

    row.refresh_from_db()
    assert row.last_error == "alert is cancelled"
    deadline = time.monotonic() + 5
    while not smtp.aborted and time.monotonic() < deadline:  # it notices the dropped connection
        time.sleep(0.05)
    assert smtp.aborted == 1
    assert smtp.received == []


def test_a_server_that_never_answers_is_retried_after_the_timeout(world, settings):
    with FakeSmtpServer(hang=True) as server:
        use_smtp(settings, server, timeout=1)
        alert = world.published(organisations=[world.org_a], tlp="green")
        row = email_of(world, alert)
        assert engine.deliver_one(row.pk) == Delivery.Status.AWAITING_RETRY
        row.refresh_from_db()
        assert "timed out" in row.last_error
        assert server.received == [str(row.public_id)]  # it had the message; no verdict came


def test_dot_stuffing():
    assert dot_stuffed(b"a\r\n.b\r\n..c") == b"a\r\n..b\r\n...c\r\n"


# --- a batch: one connection, an outcome per message ----------------------------------------


def _emails(alert) -> list[int]:
    return list(
        Delivery.objects.filter(alert=alert, channel="email")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_a_batch_of_emails_goes_over_the_kept_connections_each_with_its_own_outcome(
    world, smtp, settings
):
    settings.ALERTS_EMAIL_CONNECTIONS = 2  # rounds of two messages, one per connection
    for i in range(4):
        UserFactory(username=f"steward-{i}", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    assert len(ids) == 6

    assert engine.deliver(ids) == {"sent": 6}
    assert smtp.connections == 2  # three rounds over the same two connections
    assert sorted(smtp.received) == sorted(
        str(p) for p in Delivery.objects.filter(pk__in=ids).values_list("public_id", flat=True)
    )
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}


def test_one_refused_address_in_a_batch_fails_alone_and_the_rest_go(world, smtp, settings):
    settings.ALERTS_EMAIL_CONNECTIONS = 1
    for i in range(3):
        UserFactory(username=f"steward-{i}", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    smtp.refuse = {"steward-1@example.invalid"}
    smtp.end_reply = "250 queued"

    assert engine.deliver(ids) == {"sent": 4, "failed": 1}
    outcome = dict(Delivery.objects.filter(pk__in=ids).values_list("recipient__username", "status"))
    assert outcome.pop("steward-1") == "failed"
    assert set(outcome.values()) == {"sent"}
    assert len(smtp.received) == 4
    # the refused message took its connection with it; the next one opened a fresh one
    assert smtp.connections == 2


def test_a_kept_connection_the_server_closed_is_replaced_without_losing_the_message(world, smtp):
    alert = world.published(organisations=[world.org_a], tlp="green")
    first, second = _emails(alert)
    transport = EmailTransport()
    transport.start_batch()
    now = timezone.now()
    assert engine.claim(first, now=now) and engine.claim(second, now=now)

    attempt = engine._begin_claimed(engine._load(first), now=now, reason="", transport=transport)
    assert engine.finish(engine.wait(attempt)) == Delivery.Status.SENT
    assert len(transport._idle) == 1  # kept for the next message
    transport._idle[0].connection.sock.shutdown(socket.SHUT_RDWR)  # ended meanwhile

    attempt = engine._begin_claimed(engine._load(second), now=now, reason="", transport=transport)
    assert engine.finish(engine.wait(attempt)) == Delivery.Status.SENT
    transport.end_batch()
    assert transport._idle == []
    assert sorted(smtp.received) == sorted(
        str(p)
        for p in Delivery.objects.filter(pk__in=[first, second]).values_list("public_id", flat=True)
    )
    assert smtp.connections == 2


def test_a_second_close_after_handing_the_connection_back_leaves_it_to_the_batch(world, smtp):
    """Once a message's connection is handed back to the batch it carries the next message:
    closing the first message again must not quit it in the middle of the second."""
    alert = world.published(organisations=[world.org_a], tlp="green")
    first, second = _emails(alert)
    transport = EmailTransport()
    transport.start_batch()
    now = timezone.now()
    assert engine.claim(first, now=now) and engine.claim(second, now=now)

    done = engine._begin_claimed(engine._load(first), now=now, reason="", transport=transport)
    assert engine.finish(engine.wait(done)) == Delivery.Status.SENT  # closed: handed back
    outgoing = transport.prepare(engine._load(second))  # on the kept connection, mid-DATA
    done.outgoing.close()  # again: nothing to do with the batch's connection any more
    outgoing.transmit()
    outgoing.await_answer()
    outgoing.close()
    transport.end_batch()

    assert sorted(smtp.received) == sorted(
        str(p)
        for p in Delivery.objects.filter(pk__in=[first, second]).values_list("public_id", flat=True)
    )
    assert smtp.connections == 1
    assert smtp.aborted == 0


def test_a_refusal_at_mail_from_on_a_kept_connection_is_retried_once_on_a_fresh_one(
    world, smtp, settings
):
    """A server that limits messages per connection may refuse the next MAIL FROM with a 5xx:
    on a connection kept from an earlier message that is no verdict on the message, which goes
    on a fresh connection; on a fresh connection the refusal stands."""
    settings.ALERTS_EMAIL_CONNECTIONS = 1
    for i in range(2):
        UserFactory(username=f"steward-{i}", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    smtp.mail_limit = 2

    assert engine.deliver(ids) == {"sent": 4}
    assert len(smtp.received) == 4
    assert smtp.connections == 2  # the third MAIL FROM was refused: a fresh connection took it

    later = world.published(organisations=[world.org_b], tlp="green", headline="Later")
    smtp.mail_limit = 0  # every MAIL FROM refused, on a fresh connection too
    assert engine.deliver(_emails(later)) == {"failed": 1}
    assert Delivery.objects.get(alert=later, channel="email").last_error.startswith(
        "SMTP 554 on MAIL FROM"
    )


def test_a_round_of_messages_the_gate_stops_is_never_completed(world, smtp, settings):
    """A round's messages are all written up to their final line before one gate for all of
    them: cancelled meanwhile, none is completed and the server takes none."""
    settings.ALERTS_TRANSPORTS = {"email": f"{__name__}.CancelledWhilePreparing"}
    for i in range(2):
        UserFactory(username=f"steward-{i}", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)

    assert engine.deliver(ids) == {"cancelled": 4}
    assert set(Delivery.objects.filter(pk__in=ids).values_list("last_error", flat=True)) == {
        "alert is cancelled"
    }
    deadline = time.monotonic() + 5
    while smtp.aborted < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert smtp.aborted == 4
    assert smtp.received == []


@pytest.mark.parametrize("size", [1, 10])
def test_a_batch_of_emails_takes_the_same_queries_for_1_as_for_10(world, smtp, size, settings):
    """The gate's locks, the check and the outcomes are statements per round of messages, the
    reader's language read with the batch: nothing is asked per message."""
    settings.ALERTS_EMAIL_CONNECTIONS = 10
    for i in range(size - 2):
        UserFactory(username=f"steward-{i}", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)[:size]
    assert len(ids) == size

    with CaptureQueriesContext(connection) as queries:
        assert engine.deliver(ids) == {"sent": size}
    # claim, heartbeat, load with every check, load with relations; the gate: locks and rows
    # in one statement, the check again; the outcomes recorded
    # (and the test's savepoint around the gate's transaction, released)
    assert len(queries) == 9, "\n".join(q["sql"][:150] for q in queries)
    assert len(smtp.received) == size


# --- a round stopped: by a fault in the gate, by the task's time limit ------------------------


def _statuses(ids) -> dict[int, tuple[str, int]]:
    rows = Delivery.objects.filter(pk__in=ids)
    return {
        pk: (status, attempts)
        for pk, status, attempts in rows.values_list("pk", "status", "attempts")
    }


def _wait_aborted(smtp, count: int) -> None:
    deadline = time.monotonic() + 5
    while smtp.aborted < count and time.monotonic() < deadline:  # it notices the drop
        time.sleep(0.01)


def test_a_database_error_in_the_gate_retries_that_round_and_the_rest_of_the_batch_goes(
    world, smtp, settings, monkeypatch
):
    settings.ALERTS_EMAIL_CONNECTIONS = 2
    for i in range(2):
        UserFactory(username=f"steward-{i}", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    assert len(ids) == 4
    real, calls = engine.hold_and_lock, []

    def deadlock_victim_once(rows):
        calls.append([row.pk for row in rows])
        if len(calls) == 1:
            raise OperationalError("deadlock detected")
        return real(rows)

    monkeypatch.setattr(engine, "hold_and_lock", deadlock_victim_once)

    assert engine.deliver(ids) == {"awaiting_retry": 2, "sent": 2}

    first, rest = calls[0], [pk for pk in ids if pk not in calls[0]]
    statuses = _statuses(ids)
    # the stopped round: retried with backoff, the attempt counted, as any transient fault
    assert {statuses[pk] for pk in first} == {("awaiting_retry", 1)}
    assert all(
        "deadlock detected" in error
        for error in Delivery.objects.filter(pk__in=first).values_list("last_error", flat=True)
    )
    assert {statuses[pk] for pk in rest} == {("sent", 1)}
    sent = Delivery.objects.filter(pk__in=rest).values_list("public_id", flat=True)
    assert sorted(smtp.received) == sorted(str(p) for p in sent)
    _wait_aborted(smtp, 2)
    assert smtp.aborted == 2  # the stopped round's connections dropped before the final line


def test_a_batch_stopped_by_an_error_hands_back_the_claims_it_had_not_begun(
    world, smtp, settings, monkeypatch
):
    settings.ALERTS_EMAIL_CONNECTIONS = 2
    for i in range(2):
        UserFactory(username=f"steward-{i}", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)

    def connection_lost(attempts):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(engine, "finish_round", connection_lost)

    with pytest.raises(OperationalError):
        engine.deliver(ids)

    statuses = _statuses(ids)
    # the first round's messages went: in flight until their claims lapse, for the sweep; the
    # second round's claims, never begun, are waiting again at once, the attempt not counted
    assert sorted(statuses.values()) == [("in_flight", 1)] * 2 + [("queued", 0)] * 2
    assert len(smtp.received) == 2


def test_a_round_stopped_while_waiting_still_records_what_the_server_took(
    world, smtp, settings, monkeypatch
):
    settings.ALERTS_EMAIL_CONNECTIONS = 2
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    assert len(ids) == 2
    real, calls = PreparedMail.await_answer, []

    def out_of_time_on_the_first(self):
        calls.append(self.backend)
        if len(calls) == 1:
            raise SoftTimeLimitExceeded()
        return real(self)

    monkeypatch.setattr(PreparedMail, "await_answer", out_of_time_on_the_first)

    assert engine.deliver(ids) == {"sent": 1, "skipped": 1}

    statuses = _statuses(ids)
    # the message whose answer was cut off: unknown whether it went, in flight for the sweep;
    # the other one's answer was still collected and recorded
    assert statuses[ids[0]] == ("in_flight", 1)
    assert statuses[ids[1]] == ("sent", 1)
    assert all(backend.connection is None for backend in calls)  # every connection closed

    # the sweep takes the first back; only that one goes again, not the whole round
    monkeypatch.setattr(PreparedMail, "await_answer", real)
    engine.recover_stuck(now=timezone.now() + timedelta(minutes=5))
    Delivery.objects.filter(pk__in=ids, status="awaiting_retry").update(
        next_attempt_at=timezone.now()
    )
    assert engine.deliver(ids) == {"sent": 1, "skipped": 1}
    public = dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "public_id"))
    assert sorted(smtp.received) == sorted([str(public[ids[0]])] * 2 + [str(public[ids[1]])])


def test_a_round_stopped_just_after_the_server_took_a_message_records_it_sent(
    world, smtp, settings, monkeypatch
):
    """The stop lands after the answer was read and judged (closing the connection, say): the
    server took the message, so it is sent, not left in flight to go again."""
    settings.ALERTS_EMAIL_CONNECTIONS = 2
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    assert len(ids) == 2
    real, calls = PreparedMail.await_answer, []

    def out_of_time_right_after_the_first_answer(self):
        calls.append(self)
        real(self)
        if len(calls) == 1:
            raise SoftTimeLimitExceeded()

    monkeypatch.setattr(PreparedMail, "await_answer", out_of_time_right_after_the_first_answer)

    assert engine.deliver(ids) == {"sent": 2}
    assert {status for status, _ in _statuses(ids).values()} == {"sent"}
    monkeypatch.setattr(PreparedMail, "await_answer", real)
    engine.recover_stuck(now=timezone.now() + timedelta(minutes=5))
    engine.deliver(ids)
    assert len(smtp.received) == 2  # each once: nothing goes again


def test_out_of_time_the_kept_connections_are_dropped_without_waiting_on_the_server(
    world, smtp, settings, monkeypatch
):
    settings.ALERTS_EMAIL_CONNECTIONS = 2
    UserFactory(username="steward", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    assert len(ids) == 3  # a round of two, then one: the other kept connection stays idle
    real, calls, quits = PreparedMail.await_answer, [], []

    def out_of_time_in_the_second_round(self):
        calls.append(self)
        if len(calls) == 3:
            raise SoftTimeLimitExceeded()
        return real(self)

    monkeypatch.setattr(PreparedMail, "await_answer", out_of_time_in_the_second_round)
    monkeypatch.setattr(smtplib.SMTP, "quit", lambda self: quits.append(self))

    assert engine.deliver(ids) == {"sent": 2, "skipped": 1}

    assert quits == []  # no QUIT (up to EMAIL_TIMEOUT each) before the claims are handed back
    assert sorted(status for status, _ in _statuses(ids).values()) == ["in_flight", "sent", "sent"]


def test_a_round_stopped_at_the_gate_records_what_left_and_only_the_rest_goes_again(
    world, smtp, settings, monkeypatch
):
    """The soft time limit lands in the gate, between two final lines: the message that left
    before is answered and recorded sent; the one cut off and the one not reached stay in
    flight for the sweep, and only they go again."""
    settings.ALERTS_EMAIL_CONNECTIONS = 3
    UserFactory(username="steward", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    assert len(ids) == 3
    real, calls = PreparedMail.transmit, []

    def out_of_time_at_the_second(self):
        calls.append(self)
        if len(calls) == 2:
            raise SoftTimeLimitExceeded()
        return real(self)

    monkeypatch.setattr(PreparedMail, "transmit", out_of_time_at_the_second)

    assert engine.deliver(ids) == {"sent": 1, "skipped": 2}  # before: {} and all in flight

    statuses = _statuses(ids)
    assert sorted(statuses.values()) == [("in_flight", 1)] * 2 + [("sent", 1)]
    public = dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "public_id"))
    sent = [pk for pk, (status, _) in statuses.items() if status == "sent"]
    assert smtp.received == [str(public[sent[0]])]
    assert all(mail.backend is None or mail.backend.connection is None for mail in calls)

    # the sweep takes the two back; only they go again, the first is not sent twice
    monkeypatch.setattr(PreparedMail, "transmit", real)
    engine.recover_stuck(now=timezone.now() + timedelta(minutes=5))
    Delivery.objects.filter(pk__in=ids, status="awaiting_retry").update(
        next_attempt_at=timezone.now()
    )
    assert engine.deliver(ids) == {"sent": 2, "skipped": 1}
    assert sorted(smtp.received) == sorted(str(public[pk]) for pk in ids)


def test_a_message_stopped_after_its_final_line_went_is_answered_and_not_sent_twice(
    world, smtp, settings, monkeypatch
):
    """The soft time limit lands just after a message's final line went (``PreparedMail``
    knows it left): within the grace its answer is awaited and it is recorded sent, like the
    messages before it; only the one not reached stays in flight for the sweep."""
    settings.ALERTS_EMAIL_CONNECTIONS = 3
    UserFactory(username="steward", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    assert len(ids) == 3
    real, calls = PreparedMail.transmit, []

    def out_of_time_once_the_second_left(self):
        calls.append(self)
        real(self)
        if len(calls) == 2:
            raise SoftTimeLimitExceeded()

    monkeypatch.setattr(PreparedMail, "transmit", out_of_time_once_the_second_left)

    assert engine.deliver(ids) == {"sent": 2, "skipped": 1}  # before: sent 1, skipped 2

    statuses = _statuses(ids)
    assert sorted(statuses.values()) == [("in_flight", 1)] + [("sent", 1)] * 2
    assert len(smtp.received) == 2

    # the sweep takes the third back; only it goes again, none is sent twice
    monkeypatch.setattr(PreparedMail, "transmit", real)
    engine.recover_stuck(now=timezone.now() + timedelta(minutes=5))
    Delivery.objects.filter(pk__in=ids, status="awaiting_retry").update(
        next_attempt_at=timezone.now()
    )
    assert engine.deliver(ids) == {"sent": 1, "skipped": 2}
    public = dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "public_id"))
    assert sorted(smtp.received) == sorted(str(public[pk]) for pk in ids)


def test_a_fault_while_recording_a_stopped_round_does_not_replace_the_stop(
    world, smtp, settings, monkeypatch
):
    """The database fails while the stopped round's answers are recorded: the batch still stops
    as the soft time limit asks (its claims not begun handed back, the task not failed by the
    database error); the round's rows stay in flight for the sweep."""
    settings.ALERTS_EMAIL_CONNECTIONS = 2
    UserFactory(username="steward", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    ids = _emails(alert)
    assert len(ids) == 3
    real, calls = PreparedMail.await_answer, []

    def out_of_time_on_the_first(self):
        calls.append(self)
        if len(calls) == 1:
            raise SoftTimeLimitExceeded()
        return real(self)

    def connection_lost(attempts):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(PreparedMail, "await_answer", out_of_time_on_the_first)
    monkeypatch.setattr(engine, "finish_round", connection_lost)

    assert engine.deliver(ids) == {}  # before: OperationalError, the stop replaced

    statuses = _statuses(ids)
    assert sorted(statuses.values()) == [("in_flight", 1)] * 2 + [("queued", 0)]
    assert all(mail.backend is None or mail.backend.connection is None for mail in calls)
