"""The delivery guarantee: one row per recipient and channel, claimed before sending, retried
with backoff on the row, given up after a bound, re-checked for entitlement, swept when lost."""

from __future__ import annotations

import time
from datetime import timedelta
from itertools import pairwise

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import mail
from django.db.models import F
from django.utils import timezone

from alerts import delivery as engine
from alerts.channels.base import PermanentError, TransientError, Transport
from alerts.models import Delivery
from alerts.services import enqueue_pending
from partnerships.services import covenants as covenant_services
from tests.alerts.conftest import pending_ids, rows


class FlakyEmail(Transport):
    """Fails as told by ``mode``: 'transient' or 'permanent'."""

    channel = "email"
    mode = "transient"
    calls: list[int] = []

    def send(self, delivery):
        FlakyEmail.calls.append(delivery.pk)
        if FlakyEmail.mode == "permanent":
            raise PermanentError("550 no such mailbox")
        raise TransientError("421 try again later")


class OutOfTimeEmail(Transport):
    """The task's soft time limit strikes while sending."""

    channel = "email"

    def send(self, delivery):
        raise SoftTimeLimitExceeded()


class OvertakenEmail(Transport):
    """While it prepares, its claim lapses and another worker claims the row."""

    channel = "email"
    sent: list[int] = []

    def prepare(self, delivery):
        Delivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
        return super().prepare(delivery)

    def send(self, delivery):
        OvertakenEmail.sent.append(delivery.pk)


@pytest.fixture
def flaky_email(settings):
    settings.ALERTS_TRANSPORTS = {"email": "tests.alerts.test_delivery.FlakyEmail"}
    FlakyEmail.calls = []
    FlakyEmail.mode = "transient"
    return FlakyEmail


def test_fan_out_twice_makes_no_second_row_and_no_second_send(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alert = world.published(organisations=[world.org_a])
    assert len(callbacks) == 1
    # the publication's own tasks, run twice (a redelivered message, a double enqueue)
    engine.deliver(pending_ids(alert))
    engine.deliver(Delivery.objects.filter(alert=alert).values_list("pk", flat=True))
    enqueue_pending(alert_id=alert.pk)
    assert rows(alert) == [
        ("admin-a", "email", "sent"),
        ("admin-a", "in_app", "sent"),
        ("viewer-a", "email", "sent"),
        ("viewer-a", "in_app", "sent"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin-a@example.invalid",
        "viewer-a@example.invalid",
    ]
    # the rows themselves cannot be made twice
    from alerts.selectors import audience_recipients
    from alerts.services import _delivery_rows

    again = _delivery_rows(alert, audience_recipients([world.org_a.pk]), [], timezone.now())
    Delivery.objects.bulk_create(again, ignore_conflicts=True)
    assert Delivery.objects.filter(alert=alert).count() == 4


def test_a_claimed_row_is_not_sent_by_a_second_caller(world):
    alert = world.published(organisations=[world.org_a])
    ids = pending_ids(alert)
    assert engine.claim(ids[0], now=timezone.now())
    assert engine.deliver_one(ids[0]) is None  # someone else holds it
    assert not engine.claim(ids[0], now=timezone.now())


def test_transient_failures_back_off_on_the_row_then_fail_at_the_bound(world, flaky_email):
    alert = world.published(organisations=[world.org_a], regions=[])
    email = Delivery.objects.get(alert=alert, recipient=world.admin_a, channel="email")
    before = timezone.now()
    assert engine.deliver_one(email.pk) == Delivery.Status.AWAITING_RETRY
    email.refresh_from_db()
    assert email.attempts == 1 and "421" in email.last_error
    assert email.next_attempt_at >= before + timedelta(seconds=settings.ALERTS_RETRY_BASE_SECONDS)
    assert engine.deliver_one(email.pk) is None  # not due yet: nothing happens
    for _attempt in range(settings.ALERTS_MAX_ATTEMPTS - 1):
        Delivery.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        engine.deliver_one(email.pk)
    email.refresh_from_db()
    assert email.status == Delivery.Status.FAILED
    assert email.attempts == settings.ALERTS_MAX_ATTEMPTS
    assert email.last_error.startswith(f"gave up after {settings.ALERTS_MAX_ATTEMPTS} attempts")
    assert flaky_email.calls.count(email.pk) == settings.ALERTS_MAX_ATTEMPTS


def test_backoff_doubles_and_is_capped():
    assert engine.backoff(1) == timedelta(seconds=settings.ALERTS_RETRY_BASE_SECONDS)
    assert engine.backoff(2) == timedelta(seconds=2 * settings.ALERTS_RETRY_BASE_SECONDS)
    assert engine.backoff(30) == timedelta(seconds=settings.CELERY_MAX_RETRY_DELAY)


def test_a_permanent_error_fails_at_once(world, flaky_email):
    flaky_email.mode = "permanent"
    alert = world.published(organisations=[world.org_a])
    email = Delivery.objects.get(alert=alert, recipient=world.admin_a, channel="email")
    assert engine.deliver_one(email.pk) == Delivery.Status.FAILED
    email.refresh_from_db()
    assert (email.attempts, email.last_error) == (1, "550 no such mailbox")


def test_entitlement_revoked_between_publication_and_sending_means_not_sent(world):
    alert = world.published(tlp="amber", organisations=[world.org_a, world.org_b])
    covenant_services.covenant_terminate(covenant=world.covenant)
    engine.deliver(pending_ids(alert))
    assert {status for _u, _c, status in rows(alert)} == {"cancelled"}
    assert set(Delivery.objects.filter(alert=alert).values_list("last_error", flat=True)) == {
        "recipient no longer entitled to the alert"
    }
    assert mail.outbox == []


def test_a_deactivated_recipient_gets_nothing(world):
    from partnerships.services.organisations import user_deactivate

    alert = world.published(organisations=[world.org_a])
    user_deactivate(user=world.viewer_a)
    engine.deliver(pending_ids(alert))
    assert ("viewer-a", "email", "cancelled") in rows(alert)
    assert [m.to for m in mail.outbox] == [["admin-a@example.invalid"]]


def test_the_sweep_resends_rows_a_lost_worker_or_absent_broker_left(world):
    alert = world.published(organisations=[world.org_a])
    stuck, waiting, fresh, held = pending_ids(alert)
    long_ago = timezone.now() - timedelta(hours=1)
    # a worker claimed this one and died: in flight, lease long expired
    Delivery.objects.filter(pk=stuck).update(
        status=Delivery.Status.IN_FLIGHT, attempts=1, next_attempt_at=long_ago
    )
    # this one was never handed to a worker (broker down at publication: unmarked)
    Delivery.objects.filter(pk=waiting).update(next_attempt_at=long_ago, dispatched_until=None)
    # this one is long due too, but its task holds it (handed over, lease running)
    Delivery.objects.filter(pk=held).update(next_attempt_at=long_ago)
    # a worker holds this one right now: leave it alone
    engine.claim(fresh, now=timezone.now())

    found = engine.sweep()
    if settings.CELERY_TASK_ALWAYS_EAGER is False:  # a real broker: run what was enqueued here
        engine.deliver([stuck, waiting])
    assert found == 2
    statuses = dict(Delivery.objects.filter(alert=alert).values_list("pk", "status"))
    assert statuses[stuck] == statuses[waiting] == Delivery.Status.SENT
    assert statuses[fresh] == Delivery.Status.IN_FLIGHT
    assert statuses[held] == Delivery.Status.QUEUED
    assert Delivery.objects.get(pk=stuck).attempts == 2


def test_the_sweep_takes_a_handed_over_row_once_its_task_lease_has_passed(world, settings):
    alert = world.published(organisations=[world.org_a])
    pk = pending_ids(alert)[0]
    past = timezone.now() - timedelta(seconds=settings.ALERTS_DISPATCH_LEASE_SECONDS + 1)
    Delivery.objects.filter(pk=pk).update(next_attempt_at=past - timedelta(hours=1))
    assert engine.sweep() == 0  # the publication's task still holds it
    Delivery.objects.filter(pk=pk).update(dispatched_until=past)  # the task was lost
    found = engine.sweep()
    if settings.CELERY_TASK_ALWAYS_EAGER is False:
        engine.deliver([pk])
    assert found == 1
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.SENT


def test_a_lost_last_attempt_is_failed_by_the_sweep(world):
    alert = world.published(organisations=[world.org_a])
    pk = pending_ids(alert)[0]
    Delivery.objects.filter(pk=pk).update(
        status=Delivery.Status.IN_FLIGHT,
        attempts=settings.ALERTS_MAX_ATTEMPTS,
        next_attempt_at=timezone.now() - timedelta(hours=1),
    )
    engine.sweep()
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.FAILED


def _reset_connections(app):
    """Forget the app's pools so the next use connects to the configured broker (kombu keeps
    one pool per broker URL: closing them would break later users of the real one)."""
    app._pool = None
    app.amqp._producer_pool = None


def test_publication_succeeds_when_the_broker_is_unreachable(
    world, django_capture_on_commit_callbacks
):
    """A real broker connection to a port nobody listens on: publishing still commits, the rows
    wait for the sweep."""
    from alerts.dispatch import enqueue_batches
    from ppsportal.celery import app

    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    _reset_connections(app)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            alert = world.published(organisations=[world.org_a])
        assert enqueue_batches(pending_ids(alert)) == 0
    finally:
        app.conf.task_always_eager, app.conf.broker_url = previous
        _reset_connections(app)
    assert alert.status == "published"
    assert len(pending_ids(alert)) == 4
    # not handed over: nothing holds them from the sweep
    assert not Delivery.objects.filter(alert=alert, dispatched_until__isnull=False).exists()


def test_a_batch_out_of_time_stops_and_leaves_the_rest_to_the_sweep(world, settings):
    settings.ALERTS_TRANSPORTS = {"email": "tests.alerts.test_delivery.OutOfTimeEmail"}
    alert = world.published(organisations=[world.org_a])
    ids = list(
        Delivery.objects.filter(alert=alert).order_by("channel", "pk").values_list("pk", flat=True)
    )  # email rows first
    outcomes = engine.deliver(ids)
    # the in-app rows are marked sent with the batch, before any message leaves; then the
    # batch stops at the first email row
    assert outcomes == {"sent": 2}
    statuses = dict(Delivery.objects.filter(alert=alert).values_list("pk", "status"))
    assert statuses[ids[0]] == Delivery.Status.IN_FLIGHT  # its claim expires, the sweep takes it
    # the claim not yet begun is handed back, its attempt not counted
    assert statuses[ids[1]] == Delivery.Status.QUEUED
    assert Delivery.objects.get(pk=ids[1]).attempts == 0
    assert [statuses[i] for i in ids[2:]] == [Delivery.Status.SENT] * 2


def test_a_claim_holds_the_short_lease_and_the_heartbeat_renews_it(world, settings):
    settings.ALERTS_CLAIM_LEASE_SECONDS = 30
    alert = world.published(organisations=[world.org_a])
    sending, *waiting = pending_ids(alert)
    before = timezone.now()
    assert engine.claim(sending, now=before)
    assert Delivery.objects.get(pk=sending).next_attempt_at == before + timedelta(seconds=30)

    Delivery.objects.filter(pk=sending).update(next_attempt_at=before + timedelta(seconds=1))
    heartbeat = engine.Heartbeat([sending, *waiting])
    heartbeat.working_on(0, sending)
    heartbeat.beat()  # the worker is alive and still sending: its claim and its batch are kept
    beat = timezone.now()
    assert Delivery.objects.get(pk=sending).next_attempt_at >= beat + timedelta(seconds=29)
    held = Delivery.objects.filter(pk__in=waiting).values_list("dispatched_until", flat=True)
    assert all(beat < until <= beat + timedelta(seconds=31) for until in held)
    assert engine.sweep(now=beat + timedelta(seconds=29)) == 0


def test_a_lost_workers_claim_and_batch_go_to_the_sweep_one_lease_after_its_last_beat(
    world, settings
):
    settings.ALERTS_CLAIM_LEASE_SECONDS = 30
    alert = world.published(organisations=[world.org_a])
    sending, *waiting = pending_ids(alert)
    heartbeat = engine.Heartbeat([sending, *waiting])
    heartbeat.working_on(0, sending)
    assert engine.claim(sending, now=timezone.now())
    heartbeat.beat()
    last_beat = timezone.now()
    # the worker dies here: SIGKILL, no more beats; its broker message is not seen for an hour
    found = engine.sweep(now=last_beat + timedelta(seconds=31))
    assert found == 1 + len(waiting)
    sent = Delivery.objects.get(pk=sending)
    assert (sent.last_error, sent.attempts) == ("claim expired: worker lost", 1)


def test_the_heartbeat_beats_every_third_of_the_lease_from_its_own_thread(monkeypatch, settings):
    settings.ALERTS_CLAIM_LEASE_SECONDS = 3
    beats = []
    monkeypatch.setattr(engine.Heartbeat, "beat", lambda self: beats.append(time.monotonic()))
    with engine.Heartbeat([1, 2]):
        time.sleep(2.5)
    assert len(beats) >= 2  # at once, then every second (the lease's third) until the end
    assert all(0.9 < later - earlier < 1.5 for earlier, later in pairwise(beats))


def test_the_sweep_takes_back_expired_claims_oldest_first_within_its_bound(
    world, settings, monkeypatch
):
    settings.ALERTS_SWEEP_LIMIT = 3  # read when the sweep runs, so the override counts
    monkeypatch.setattr(engine, "RECOVER_SLICE", 2)
    alert = world.published(organisations=[world.org_a])
    ids = pending_ids(alert)
    now = timezone.now()
    for age, pk in enumerate(ids):  # the last is the oldest
        Delivery.objects.filter(pk=pk).update(
            status=Delivery.Status.IN_FLIGHT,
            attempts=1,
            next_attempt_at=now - timedelta(minutes=age + 1),
        )
    assert sorted(engine.recover_stuck(now=now)) == sorted(ids[1:])
    statuses = dict(Delivery.objects.filter(alert=alert).values_list("pk", "status"))
    assert statuses[ids[0]] == Delivery.Status.IN_FLIGHT  # the next sweep's
    assert engine.recover_stuck(now=now) == [ids[0]]


def test_a_claim_taken_back_before_the_gate_lets_nothing_out_and_records_nothing(world, settings):
    settings.ALERTS_TRANSPORTS = {"email": "tests.alerts.test_delivery.OvertakenEmail"}
    OvertakenEmail.sent = []
    alert = world.published(organisations=[world.org_a])
    email = Delivery.objects.get(alert=alert, recipient=world.admin_a, channel="email")
    assert engine.deliver_one(email.pk) is None  # not ours any more
    assert OvertakenEmail.sent == []
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Delivery.Status.IN_FLIGHT, 2)  # the other's claim
