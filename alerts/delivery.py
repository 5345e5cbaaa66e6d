"""The delivery engine: claim a row, check entitlement, prepare, pass the gate, wait, record.

Each row is claimed with a conditional UPDATE (waiting and due → in flight, one more attempt,
a short lease that the batch's heartbeat renews while the worker works) before anything is
sent, so a duplicate task, a second worker or a redelivered message finds nothing to do. A
lost worker's claims lapse within ``ALERTS_CLAIM_LEASE_SECONDS`` and the sweep takes them back.

A send is split so that no receiver, however slow, holds a lock a staff action needs:

1. **begin**: claim; check entitlement (for a transport that connects); ``Transport.prepare``
   (compose, connect) outside any transaction; then **the gate** — a short transaction that
   share-locks the rows the entitlement rests on, checks again and makes the message leave
   (``Outgoing.transmit``);
2. **wait**: ``Outgoing.await_answer``, outside any lock or transaction;
3. **finish**: record the outcome, with a conditional UPDATE on the claim, so a row the sweep
   took back is never overwritten.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from alerts.channels import transport_for
from alerts.channels.base import Outgoing, PermanentError, TransientError, Transport
from alerts.dispatch import BATCH_SIZE, enqueue_batches
from alerts.gate import GrantMoved, hold_and_lock
from alerts.models import Acknowledgement, Alert, Delivery
from alerts.selectors import (
    organisation_may_see,
    organisations_may_see_q,
    recipients_may_see_q,
    user_may_see,
)
from partnerships.models import Membership
from ppsportal.compiled import compile_once, swap

logger = logging.getLogger(__name__)


def claim_lease() -> timedelta:
    """How long a claim holds without a heartbeat: past it the worker is taken for lost."""
    return timedelta(seconds=settings.ALERTS_CLAIM_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Delay after the ``attempts``-th failed attempt: ``ALERTS_RETRY_BASE_SECONDS`` (30 s),
    doubling each attempt, up to ``CELERY_MAX_RETRY_DELAY``."""
    delay = settings.ALERTS_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(delay, settings.CELERY_MAX_RETRY_DELAY))


def claim(delivery_id: int, *, now: datetime) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status__in=Delivery.PENDING, next_attempt_at__lte=now
        ).update(
            status=Delivery.Status.IN_FLIGHT,
            attempts=F("attempts") + 1,
            next_attempt_at=now + claim_lease(),
        )
    )


def _record(delivery: Delivery, status: str, **fields) -> bool:
    """Write the outcome only if our claim still holds (same status and attempt)."""
    fields.setdefault("last_error", "")
    fields["last_error"] = fields["last_error"][:500]
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.IN_FLIGHT, attempts=delivery.attempts
        ).update(status=status, **fields)
    )


# A cancellation or an all clear is sent while the alert is in that state; the rest while it
# is published.
FOLLOW_UP_STATUS = {
    Delivery.Purpose.CANCEL: Alert.Status.CANCELLED,
    Delivery.Purpose.ALL_CLEAR: Alert.Status.ALL_CLEAR,
}


def why_not_send(delivery: Delivery) -> str:
    """Why this row must not be sent now; empty if it may be."""
    alert = delivery.alert
    if alert.status != FOLLOW_UP_STATUS.get(delivery.purpose, Alert.Status.PUBLISHED):
        return f"alert is {alert.status}"
    if delivery.purpose == Delivery.Purpose.REMINDER and (
        Acknowledgement.objects.filter(alert=alert, organisation=delivery.organisation_id).exists()
    ):
        return "acknowledged meanwhile"
    if delivery.webhook_id is not None:
        if not delivery.webhook.active or delivery.webhook.deleted_at is not None:
            return "webhook subscription disabled"
        if not organisation_may_see(delivery.organisation, alert):
            return "organisation no longer entitled to the alert"
        return ""
    if not recipient_in_organisation(delivery):
        return "recipient no longer in the organisation"
    if not user_may_see(delivery.recipient, alert):
        return "recipient no longer entitled to the alert"
    return ""


# A reminder names the silent organisation, and may go to a liaison of another one. A
# cancellation or all-clear follows the person who was told: it reaches them while they may
# still see the alert, through the organisation they belong to now (the gate holds that
# organisation's rows), so a steward who moved between two recipient organisations hears that
# it is over. Every other user row (the notice to a recipient organisation's users, the duty
# officers' own) goes only to a member of the organisation it names still.
NAMES_ANOTHER_ORGANISATION = [
    Delivery.Purpose.REMINDER,
    Delivery.Purpose.CANCEL,
    Delivery.Purpose.ALL_CLEAR,
]


def recipient_in_organisation(delivery: Delivery) -> bool:
    """An alert addressed to an organisation goes to that organisation's users: a user who has
    left it since (moved to another organisation, or to none) is not sent its rows. The per-row
    form of ``sendable_checks``' ``in_organisation``."""
    if delivery.webhook_id is not None or delivery.purpose in NAMES_ANOTHER_ORGANISATION:
        return True
    return Membership.objects.filter(
        user_id=delivery.recipient_id, organisation_id=delivery.organisation_id
    ).exists()


@dataclass
class Attempt:
    """One claimed row on its way: what ``begin`` left for ``wait`` and ``finish``. ``status``
    is set once the outcome is known without waiting (cancelled, already sent); ``error`` holds
    what failed."""

    delivery: Delivery
    transport: Transport
    now: datetime
    outgoing: Outgoing | None = None
    status: str | None = None
    error: Exception | None = None
    # the message has left (``transmit`` returned): its answer is awaited whatever happens
    transmitted: bool = False


def _load(delivery_id: int) -> Delivery:
    rows = Delivery.objects.select_related("alert", "recipient", "organisation", "webhook")
    return rows.get(pk=delivery_id)


# An attempt whose claim was taken back before its message could leave: nothing to record.
LOST = "lost"


def _cancel(attempt: Attempt, reason: str) -> Attempt:
    _record(attempt.delivery, Delivery.Status.CANCELLED, last_error=reason)
    attempt.status = Delivery.Status.CANCELLED
    return attempt


def begin(delivery_id: int, *, now: datetime | None = None) -> Attempt | None:
    """Claim, check, prepare and pass the gate. ``None`` if there was nothing to do (someone
    else has the row, or it is done); otherwise an ``Attempt`` whose message has left, or whose
    outcome is already known.

    The claim commits on its own, so a worker lost after it leaves the row in flight for the
    sweep. A row claimed again after a lost worker first asks its transport whether the message
    already went out (``Transport.already_sent``)."""
    now = now or timezone.now()
    if not claim(delivery_id, now=now):
        return None
    delivery = _load(delivery_id)
    transport = transport_for(delivery.channel)
    # early, for a transport that connects: no connection for a row that will not go
    return _begin_claimed(
        delivery, now=now, reason=why_not_send(delivery) if transport.connects else ""
    )


def _begin_claimed(
    delivery: Delivery, *, now: datetime, reason: str, transport: Transport | None = None
) -> Attempt:
    """``begin`` for a row already claimed and loaded; ``reason`` is what the early check
    found against sending it (empty: nothing, or not checked). ``transport``: the batch's
    (``Transport.start_batch``), else one of the row's own."""
    transport = transport or transport_for(delivery.channel)
    attempt = Attempt(delivery=delivery, transport=transport, now=now)
    if reason:
        return _cancel(attempt, reason)
    _begin_round([attempt])
    return attempt


def _prepare(attempt: Attempt) -> None:
    """Before the gate, outside any transaction: a row claimed again after a lost worker asks
    its transport whether the message already went out; the rest are prepared (composed,
    connected). What fails is kept in ``attempt.error``, judged in ``finish``."""
    delivery = attempt.delivery
    if delivery.attempts > 1 and attempt.transport.already_sent(delivery):
        attempt.status = Delivery.Status.SENT
        return
    try:
        attempt.outgoing = attempt.transport.prepare(delivery)
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:  # judged in finish: permanent, transient, unforeseen
        attempt.error = error


def _begin_round(attempts: list[Attempt], outcomes: Counter | None = None) -> None:
    """Prepare each attempt, then one gate for all of them; the attempts that will not wait for
    an answer (stopped, failed, already known) are closed.

    A fault in the gate itself (the database: a deadlock victim, a lock timeout, a lost
    connection) stops no more than this round: its transaction rolled back, the round's messages
    that had not left (all of them, unless the commit failed) are each given a
    ``TransientError`` — retried with backoff, the attempt counted — and their connections
    dropped before the final line, so the server takes none of them.

    Stopped at the gate (the soft time limit) after some messages left: their answers are still
    collected and recorded (``_stopped_round``, counted in ``outcomes``): what the servers took
    is sent, never sent again; the message cut off and those not reached stay in flight until
    their claims lapse, for the sweep."""
    try:
        for attempt in attempts:
            _prepare(attempt)
        _pass_gate(attempts)
    except SoftTimeLimitExceeded:
        for attempt in attempts:
            # the stop landed after the message's final line went (in ``transmit``, or just
            # after it returned): it left, its answer is awaited like the others'
            if getattr(attempt.outgoing, "transmitted", False):
                attempt.transmitted = True
        left = [attempt for attempt in attempts if attempt.transmitted]
        if not left:
            for attempt in attempts:
                _close(attempt)
            raise  # the task is out of time, not the channel at fault
        for attempt in attempts:
            if _ready(attempt) and not attempt.transmitted:
                attempt.status = LOST  # cut off or never reached: unknown, or not sent
        _stopped_round(attempts, left, outcomes if outcomes is not None else Counter())
        raise
    except Exception as error:
        logger.warning("delivery gate failed for a round of %s", len(attempts), exc_info=True)
        for attempt in attempts:
            if attempt.transmitted or attempt.error is not None:
                continue
            if attempt.status not in (None, Delivery.Status.CANCELLED):
                continue  # known without the gate (already sent) or taken back (lost)
            # a cancellation decided in the rolled-back transaction was not written either
            attempt.status = None
            attempt.error = TransientError(f"gate: {type(error).__name__}: {error}")
    for attempt in attempts:
        if attempt.status is not None or attempt.error is not None:
            _close(attempt)


def _ready(attempt: Attempt) -> bool:
    return attempt.status is None and attempt.error is None


# How many times the gate is tried when a grant of the round moves to another covenant while it
# waits for its locks (``alerts.gate.GrantMoved``); then the round is retried with backoff.
GATE_TRIES = 3


def _pass_gate(attempts: list[Attempt]) -> None:
    """The only moment messages may leave: in one short transaction, the rows their
    entitlement rests on share-locked and their own rows locked (``alerts.gate.hold_and_lock``,
    one statement), the rows checked once more against the committed state (``load_checked``,
    one statement for all of them) and each message that may go transmitted. A revocation waits
    at most for this; once it has committed, no later gate lets a message through. Nothing here
    waits for a receiver: ``transmit`` only writes.

    A grant that moved to a new covenant version while the gate waited rests on a covenant the
    gate does not hold: the transaction is rolled back (nothing has left yet) and the gate taken
    again, up to ``GATE_TRIES`` times.

    Stopped while transmitting (the soft time limit): the messages that left before are
    marked transmitted (their answers are still collected, ``_begin_round``), the one cut off
    and the ones not reached are not; the gate commits what it decided, then the stop goes on."""
    ready = [attempt for attempt in attempts if _ready(attempt)]
    if not ready:
        return
    for tried in range(1, GATE_TRIES + 1):
        try:
            stop = _gate(ready)
        except GrantMoved:
            if tried == GATE_TRIES:
                raise
            logger.info("a grant or membership moved while the gate waited: taken again")
        else:
            if stop is not None:
                raise stop
            return


def _gate(ready: list[Attempt]) -> SoftTimeLimitExceeded | None:
    """One try of the gate (``_pass_gate``); the stop that cut the transmissions short, if
    any, for the caller to raise once the transaction has committed. Should that commit fail,
    the fault is logged and the stop still returned: the task is out of time, and the messages
    that left are answered and recorded all the same (the cancellations decided in the
    transaction were not written: the next check decides them again)."""
    stopped: list[SoftTimeLimitExceeded] = []
    try:
        _gate_transaction(ready, stopped)
    except DatabaseError:
        if not stopped:
            raise
        logger.error("the gate's commit failed after the soft time limit", exc_info=True)
    return stopped[0] if stopped else None


def _gate_transaction(ready: list[Attempt], stopped: list[SoftTimeLimitExceeded]) -> None:
    """The gate's transaction: hold, check, transmit. A stop while transmitting is put in
    ``stopped`` and ends the transmissions; the transaction then commits what it decided."""
    with transaction.atomic():
        held = hold_and_lock([attempt.delivery for attempt in ready])
        ours = []
        for attempt in ready:
            delivery = attempt.delivery
            if held.get(delivery.pk) != (Delivery.Status.IN_FLIGHT, delivery.attempts):
                # the lease lapsed (no heartbeat for a whole lease) and the row moved on
                attempt.status = LOST
            else:
                ours.append(attempt)
        if not ours:
            return
        # what holds now, under the locks (a statement of its own: it reads after they are held)
        checked = {row.pk: row for row in load_checked([a.delivery.pk for a in ours])}
        refused = []
        for attempt in ours:
            row = checked.get(attempt.delivery.pk)
            reason = reason_from(row) if row is not None else "delivery gone"
            if reason:
                refused.append((attempt.delivery, reason))
                attempt.status = Delivery.Status.CANCELLED
        if refused:
            _cancel_all(refused)
        for attempt in ours:
            if attempt.status is not None:
                continue
            try:
                attempt.outgoing.transmit()
            except SoftTimeLimitExceeded as stop:
                # the task is out of time: this message and the rest do not leave (or it is
                # unknown whether the cut-off one did); those that left are recorded after
                stopped.append(stop)
                return
            except Exception as error:  # judged in finish
                attempt.error = error
            else:
                attempt.transmitted = True


def _close(attempt: Attempt) -> None:
    if attempt.outgoing is not None:
        attempt.outgoing.close()


def wait(attempt: Attempt) -> Attempt:
    """The receiver's answer, outside any lock or transaction (a hanging receiver holds up
    nothing but this worker's thread, until the transport's timeout)."""
    if attempt.status is not None or attempt.error is not None:
        return attempt
    try:
        attempt.outgoing.await_answer()
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:  # judged in finish
        attempt.error = error
    finally:
        _close(attempt)
    return attempt


def finish(attempt: Attempt) -> str:
    """Record the outcome, if the claim still holds; then the transport's follow-up."""
    delivery, transport, error = attempt.delivery, attempt.transport, attempt.error
    if attempt.status in (Delivery.Status.CANCELLED, LOST):
        return attempt.status
    if attempt.status == Delivery.Status.SENT:  # reconciled: it went out before the loss
        _record(delivery, Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
        return attempt.status
    if isinstance(error, PermanentError):
        if _record(delivery, Delivery.Status.FAILED, last_error=str(error)):
            transport.on_permanent_failure(delivery, error)
        return Delivery.Status.FAILED
    if isinstance(error, TransientError):
        return _retry_or_fail(delivery, str(error), now=attempt.now)
    if error is not None:  # an unforeseen fault: retry, within the bound
        logger.error(
            "delivery %s: unexpected error in %s",
            delivery.pk,
            delivery.channel,
            exc_info=(type(error), error, error.__traceback__),
        )
        return _retry_or_fail(delivery, f"{type(error).__name__}: {error}", now=attempt.now)
    if _record(delivery, Delivery.Status.SENT, sent_at=timezone.now()):
        transport.on_success(delivery)
    return Delivery.Status.SENT


def finish_round(attempts: list[Attempt]) -> list[str]:
    """``finish`` for a round's attempts: the messages the receivers took are recorded sent in
    one statement (on the rows whose claim still holds); the rest one by one. The statuses, in
    the attempts' order."""
    answered = [a for a in attempts if _ready(a) and a.outgoing is not None]
    recorded = _record_sent([a.delivery for a in answered])
    statuses = []
    for attempt in attempts:
        if _ready(attempt) and attempt.outgoing is not None:
            if attempt.delivery.pk in recorded:
                attempt.transport.on_success(attempt.delivery)
            statuses.append(Delivery.Status.SENT)
        else:
            statuses.append(finish(attempt))
    return statuses


def _record_sent(rows: list[Delivery]) -> set[int]:
    """Mark these rows sent where our claim still holds (``_record``'s condition, for many rows
    in one plain statement); the ids marked."""
    if not rows:
        return set()
    by_attempt: dict[int, list[int]] = {}
    for row in rows:
        by_attempt.setdefault(row.attempts, []).append(row.pk)
    held, params = [], []
    for attempts, ids in by_attempt.items():
        held.append(f"(id IN ({', '.join(['%s'] * len(ids))}) AND attempts = %s)")
        params += [*ids, attempts]
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, last_error = %s"  # noqa: S608  # nosec B608  # table from model metadata, values are parameters
            f" WHERE status = %s AND ({' OR '.join(held)}) RETURNING id",
            [
                Delivery.Status.SENT.value,
                adapt(timezone.now()),
                "",
                Delivery.Status.IN_FLIGHT.value,
                *params,
            ],
        )
        return {row[0] for row in cursor.fetchall()}


def deliver_one(delivery_id: int) -> str | None:
    """Begin, wait, finish. Returns the new status, or ``None`` if there was nothing to do."""
    attempt = begin(delivery_id)
    if attempt is None:
        return None
    status = finish(wait(attempt))
    return None if status == LOST else status


def _retry_or_fail(delivery: Delivery, error: str, *, now: datetime) -> str:
    if delivery.attempts >= settings.ALERTS_MAX_ATTEMPTS:
        _record(
            delivery,
            Delivery.Status.FAILED,
            last_error=f"gave up after {delivery.attempts} attempts: {error}",
        )
        return Delivery.Status.FAILED
    due = now + backoff(delivery.attempts)
    if _record(delivery, Delivery.Status.AWAITING_RETRY, last_error=error, next_attempt_at=due):
        enqueue_batches([delivery.pk], eta=due)
    return Delivery.Status.AWAITING_RETRY


class Heartbeat:
    """While a worker works through a batch, renew every third of the lease, from a thread of
    its own: the claim of the row being sent (however long its receiver takes) and the batch's
    hold on its rows still waiting (``dispatched_until``). A worker that dies stops beating, so
    its rows are free for the sweep within ``ALERTS_CLAIM_LEASE_SECONDS``, not after the task
    or broker timeouts."""

    def __init__(self, ids: list[int], *, held: list[int] | None = None) -> None:
        self.current: int | None = None
        self.waiting = list(ids)
        self.held = list(held or [])  # claimed by the batch, not yet begun
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delivery-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.beat()  # at once: a worker lost in its first seconds frees the batch as soon
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def working_on(self, position: int, delivery_id: int) -> None:
        """The ``position``-th row of the list being worked through (held claims if any, else
        the waiting rows) is being sent; the ones before it are done."""
        if self.held:
            self.current, self.held = delivery_id, self.held[position + 1 :]
        else:
            self.current, self.waiting = delivery_id, self.waiting[position + 1 :]

    def working_on_round(self, delivery_ids: list[int]) -> None:
        """These held claims are being sent together (a round); the round before is done."""
        sending = set(delivery_ids)
        self.current = list(delivery_ids)
        self.held = [pk for pk in self.held if pk not in sending]

    def beat(self) -> None:
        now = timezone.now()
        until = now + claim_lease()
        current, waiting, held = self.current, self.waiting, self.held
        if current is None:
            current = []
        claims = (current if isinstance(current, list) else [current]) + held
        adapt = connection.ops.adapt_datetimefield_value
        table = Delivery._meta.db_table
        # plain statements: the ORM would build and compile them afresh on every beat
        with connection.cursor() as cursor:
            if claims:
                cursor.execute(
                    f"UPDATE {table} SET next_attempt_at = %s WHERE id IN"  # noqa: S608  # nosec B608  # table from model metadata, values are parameters
                    f" ({', '.join(['%s'] * len(claims))}) AND status = %s",
                    [adapt(until), *claims, Delivery.Status.IN_FLIGHT.value],
                )
            if waiting:
                cursor.execute(
                    f"UPDATE {table} SET dispatched_until = %s WHERE id IN"  # noqa: S608  # nosec B608  # table from model metadata, values are parameters
                    f" ({', '.join(['%s'] * len(waiting))}) AND status IN (%s, %s)"
                    " AND next_attempt_at <= %s",
                    [
                        adapt(until),
                        *waiting,
                        *(status.value for status in Delivery.PENDING),
                        adapt(now),
                    ],
                )

    def _run(self) -> None:
        interval = settings.ALERTS_CLAIM_LEASE_SECONDS / 3
        try:
            while not self._stop.wait(interval):
                try:
                    self.beat()
                except DatabaseError:  # the next beat tries again; the lease has slack for it
                    logger.warning("delivery heartbeat failed", exc_info=True)
        finally:
            connection.close()  # this thread's own connection


# --- a batch: one claim, one entitlement check, in-app marked sent in one statement ------------


def claim_batch(delivery_ids: list[int], *, now: datetime) -> list[int]:
    """Claim every row of the batch that waits and is due, in one conditional UPDATE (as
    ``claim``, for all of them): the ids claimed, in no particular order. The batch's hold on
    its rows (``dispatched_until``) ends with the claim's lease: a worker lost before its first
    heartbeat leaves nothing held longer than that."""
    if not delivery_ids:
        return []
    adapt = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(delivery_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET status = %s, attempts = attempts + 1,"  # noqa: S608  # nosec B608  # table from model metadata, values are parameters
            f" next_attempt_at = %s, dispatched_until = %s WHERE id IN ({marks})"
            " AND status IN (%s, %s) AND next_attempt_at <= %s RETURNING id",
            [
                Delivery.Status.IN_FLIGHT.value,
                adapt(now + claim_lease()),
                adapt(now + claim_lease()),
                *delivery_ids,
                *(status.value for status in Delivery.PENDING),
                adapt(now),
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def sendable_checks(*, today=None) -> dict[str, Q]:
    """``why_not_send``'s checks as conditions on ``Delivery`` rows, so one query answers them
    for a whole batch: the alert in the state the purpose is sent in, a reminder not yet
    acknowledged, a webhook still active, a user addressed as a member of the row's
    organisation still one of its members (``recipient_in_organisation``), and the addressee
    still entitled to the alert (``alerts.selectors.recipients_may_see_q``,
    ``organisations_may_see_q``)."""
    purposes = list(FOLLOW_UP_STATUS)
    in_state = ~Q(purpose__in=purposes) & Q(alert__status=Alert.Status.PUBLISHED)
    for purpose, status in FOLLOW_UP_STATUS.items():
        in_state |= Q(purpose=purpose, alert__status=status)
    acknowledged = Exists(
        Acknowledgement.objects.filter(
            alert=OuterRef("alert"), organisation=OuterRef("organisation")
        )
    )
    hook = Q(webhook__isnull=False)
    member = Q(recipient__membership__organisation=F("organisation"))
    return {
        "in_state": in_state,
        "unacknowledged": ~Q(purpose=Delivery.Purpose.REMINDER) | ~acknowledged,
        "hook_active": ~hook | Q(webhook__active=True, webhook__deleted_at__isnull=True),
        "in_organisation": hook | Q(purpose__in=NAMES_ANOTHER_ORGANISATION) | member,
        "entitled": (hook & organisations_may_see_q(today=today))
        | (~hook & recipients_may_see_q(today=today)),
    }


def reason_from(delivery: Delivery) -> str:
    """``why_not_send`` read from the checks ``load_checked`` annotated on the row (``ok_*``,
    and ``alert_status``), in the same order and words."""
    if not delivery.ok_in_state:
        return f"alert is {delivery.alert_status}"
    if not delivery.ok_unacknowledged:
        return "acknowledged meanwhile"
    if delivery.webhook_id is not None:
        if not delivery.ok_hook_active:
            return "webhook subscription disabled"
        if not delivery.ok_entitled:
            return "organisation no longer entitled to the alert"
        return ""
    if not delivery.ok_in_organisation:
        return "recipient no longer in the organisation"
    if not delivery.ok_entitled:
        return "recipient no longer entitled to the alert"
    return ""


# The batch's two checked statements (the load and the marking UPDATE) cost the ORM far more to
# build and compile than PostgreSQL needs to run them (~50-250 ms a batch under load). Their SQL
# depends only on the day, the number of ids and how the claims split by attempt: each is compiled
# once per such shape (``ppsportal.compiled.compile_once``) with stand-in ids, and
# the batch's ids swapped in as parameters. Id lists are padded (the last id repeated) to a power
# of two, so a handful of shapes serve every batch size.
_STAND_IN_DELIVERY = -7_000_100_000
# attempts is a small positive integer: a stand-in out of its range would make the ORM drop the
# condition as matching nothing, so these stand at the top of the range (never reached: at most
# ``ALERTS_MAX_ATTEMPTS``), one per group, counting down.
_STAND_IN_ATTEMPTS = 32_767


def _bucket(count: int) -> int:
    size = 8
    while size < count:
        size *= 2
    return size


def _stand_ins(start: int, count: int) -> list[int]:
    return [start - i for i in range(count)]


def _padded(ids: list[int], size: int) -> list[int]:
    return ids + [ids[-1]] * (size - len(ids))


def _checked_rows(ids: list[int], *, today) -> QuerySet:
    flags = {
        f"ok_{name}": ExpressionWrapper(check, output_field=BooleanField())
        for name, check in sendable_checks(today=today).items()
    }
    return (
        Delivery.objects.filter(pk__in=ids)
        .annotate(alert_status=F("alert__status"), **flags)
        .order_by()
    )


def load_checked(delivery_ids: list[int], *, today=None) -> list[Delivery]:
    """The rows with the result of each of ``sendable_checks`` (``ok_<name>``) and their
    alert's status (``alert_status``): one query for the whole batch, compiled once per day and
    size. Relations are not loaded: what sends one by one takes them with ``_with_relations``."""
    ids = list(dict.fromkeys(int(i) for i in delivery_ids))
    if not ids:
        return []
    today = today or timezone.localdate()
    size = _bucket(len(ids))
    stand_ins = _stand_ins(_STAND_IN_DELIVERY, size)
    sql, params = compile_once(
        ("deliveries_checked", size, today), lambda: _checked_rows(stand_ins, today=today)
    )
    params = swap(params, dict(zip(stand_ins, _padded(ids, size), strict=True)))
    # The SQL is the ORM's own compilation of ``_checked_rows``; only bound ids vary.
    return list(Delivery.objects.raw(sql, params))


def compile_batch_statements(*, today=None, size: int | None = None) -> None:
    """Compile a full batch's load and marking statement, and the gate's check for a round of
    e-mails (``ALERTS_EMAIL_CONNECTIONS`` rows) and of one row, ahead of the first batch (a
    worker's pool process calls it as it starts, ``alerts.tasks``): the first publication after
    a start then finds them compiled. Harmless to call again: the cache keeps them once."""
    today = today or timezone.localdate()
    size = _bucket(size or BATCH_SIZE)
    for checked in dict.fromkeys((size, _bucket(settings.ALERTS_EMAIL_CONNECTIONS), _bucket(1))):
        stand_ins = _stand_ins(_STAND_IN_DELIVERY, checked)
        compile_once(
            ("deliveries_checked", checked, today),
            lambda stand_ins=stand_ins: _checked_rows(stand_ins, today=today),
        )
    compile_once(
        ("deliveries_sendable", (size,), today), lambda: _sendable_held((size,), today=today)
    )


def _with_relations(rows: list[Delivery]) -> list[Delivery]:
    """The same rows with what a send needs (alert, recipient, organisation, webhook, the
    reader's language), in one query, keeping the checks ``load_checked`` annotated."""
    if not rows:
        return []
    full = Delivery.objects.select_related("alert", "recipient", "organisation", "webhook")
    # the reader's language with the row (``messages.delivery_language``), not a query a message
    full = full.annotate(recipient_language=F("recipient__alert_language__language"))
    found = full.in_bulk([row.pk for row in rows])
    loaded = []
    for row in rows:
        fresh = found.get(row.pk)
        if fresh is None:  # gone meanwhile (expired): nothing to send
            continue
        for name, value in vars(row).items():
            if name.startswith("ok_") or name == "alert_status":
                setattr(fresh, name, value)
        loaded.append(fresh)
    return loaded


def _held_by(rows: list[Delivery]) -> Q:
    """The rows still in flight on the attempt this batch claimed them with (``_record``'s
    condition, for many rows in one statement)."""
    by_attempt: dict[int, list[int]] = {}
    for row in rows:
        by_attempt.setdefault(row.attempts, []).append(row.pk)
    held = Q(pk__in=[])
    for attempts, ids in by_attempt.items():
        held |= Q(pk__in=ids, attempts=attempts)
    return Q(status=Delivery.Status.IN_FLIGHT) & held


def _cancel_all(rows: list[tuple[Delivery, str]]) -> int:
    """Cancel rows with their reasons: one UPDATE per reason (a handful at most)."""
    by_reason: dict[str, list[Delivery]] = {}
    for row, reason in rows:
        by_reason.setdefault(reason, []).append(row)
    return sum(
        Delivery.objects.filter(_held_by(group)).update(
            status=Delivery.Status.CANCELLED, last_error=reason[:500]
        )
        for reason, group in by_reason.items()
    )


def _sendable_held(shape: tuple[int, ...], *, today) -> QuerySet:
    """The pks of the rows held (``_held_by``) and sendable (every one of ``sendable_checks``),
    for stand-in ids: one group per attempt count, of the sizes in ``shape``."""
    held, start = Q(pk__in=[]), _STAND_IN_DELIVERY
    for group, size in enumerate(shape):
        held |= Q(pk__in=_stand_ins(start, size), attempts=_STAND_IN_ATTEMPTS - group)
        start -= size
    sendable = Q()
    for check in sendable_checks(today=today).values():
        sendable &= check
    return (
        Delivery.objects.filter(Q(status=Delivery.Status.IN_FLIGHT) & held)
        .filter(sendable)
        .order_by()
        .values("pk")
    )


def _show_in_portal(rows: list[Delivery], *, today) -> set[int]:
    """Mark in-app rows sent in one statement that checks again what it marks
    (``sendable_checks``, on the rows our claim still holds): an alert cancelled or a covenant
    terminated before the statement began is seen, and such a row stays in flight for the
    per-row path. Nothing leaves the portal; the row is the inbox entry (and the inbox checks
    visibility on every read too). The ids marked sent."""
    if not rows:
        return set()
    by_attempt: dict[int, list[int]] = {}
    for row in rows:
        by_attempt.setdefault(row.attempts, []).append(row.pk)
    groups = sorted(by_attempt.items())
    shape = tuple(_bucket(len(ids)) for _, ids in groups)
    swaps, start = {}, _STAND_IN_DELIVERY
    for group, ((attempts, ids), size) in enumerate(zip(groups, shape, strict=True)):
        swaps.update(zip(_stand_ins(start, size), _padded(ids, size), strict=True))
        swaps[_STAND_IN_ATTEMPTS - group] = attempts
        start -= size
    sql, params = compile_once(
        ("deliveries_sendable", shape, today), lambda: _sendable_held(shape, today=today)
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        # The subquery is the ORM's own compilation of ``_sendable_held``; only ids vary.
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, last_error = %s"  # noqa: S608  # nosec B608  # table from model metadata, values are parameters
            f" WHERE id IN ({sql})",
            [Delivery.Status.SENT.value, adapt(timezone.now()), "", *swap(params, swaps)],
        )
        marked = cursor.rowcount
    ids = [row.pk for row in rows]
    if marked == len(ids):  # the usual case: every row we hold went
        return set(ids)
    return set(
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENT).values_list(
            "pk", flat=True
        )
    )


def _release(rows: list[Delivery], *, now: datetime) -> None:
    """Hand back claims the batch could not begin (out of time): waiting again, the attempt
    not counted, due now, for the sweep."""
    if not rows:
        return
    Delivery.objects.filter(_held_by(rows)).update(
        status=Case(
            When(attempts__lte=1, then=Value(Delivery.Status.QUEUED.value)),
            default=Value(Delivery.Status.AWAITING_RETRY.value),
        ),
        attempts=F("attempts") - 1,
        next_attempt_at=now,
        dispatched_until=None,
    )


def _in_rounds(rows: list[Delivery], heartbeat: Heartbeat, outcomes: Counter) -> None:
    """The rows whose transport sends something, channel by channel, in rounds of the
    transport's ``window`` (e-mail over SMTP: ``ALERTS_EMAIL_CONNECTIONS``; else one): each
    round's messages are prepared, pass one gate together (``_pass_gate``), are waited for
    outside it, and their outcomes are recorded together (``finish_round``). One transport per
    channel for the whole batch (``Transport.start_batch``: e-mail keeps its SMTP connections
    from one round to the next), each row with its own verdict and outcome."""
    heartbeat.held = [row.pk for row in rows]
    by_channel: dict[str, list[Delivery]] = {}
    for row in rows:
        by_channel.setdefault(row.channel, []).append(row)
    transports: dict[str, Transport] = {}
    stopped = False
    try:
        for channel, group in by_channel.items():
            transport = transports[channel] = transport_for(channel)
            transport.start_batch()
            window = max(1, transport.window)
            for start in range(0, len(group), window):
                chunk = group[start : start + window]
                heartbeat.working_on_round([row.pk for row in chunk])
                now = timezone.now()
                attempts = [Attempt(delivery=row, transport=transport, now=now) for row in chunk]
                _begin_round(attempts, outcomes)
                _wait_round(attempts, outcomes)
                for status in finish_round(attempts):
                    outcomes["skipped" if status == LOST else status] += 1
    except BaseException:
        stopped = True
        raise
    finally:
        for transport in transports.values():
            # stopped (out of time): the idle connections are dropped, not quit one by one
            transport.end_batch(at_once=stopped)


# How long a round stopped while waiting (the soft time limit) still listens for the answers to
# the messages that left with it, all together, before handing back what it knows.
STOPPED_ROUND_GRACE_SECONDS = 2.0


def _wait_round(attempts: list[Attempt], outcomes: Counter) -> None:
    """Each of the round's answers (``wait``). Stopped while waiting for one (the soft time
    limit): its answer is unknown, its row stays in flight until its claim lapses; the others'
    messages have left too, so their answers are still collected (``_stopped_round``); then the
    stop goes on."""
    position = 0
    try:
        for position, attempt in enumerate(attempts):  # noqa: B007  # read on a stop
            wait(attempt)
    except BaseException:
        stopped = attempts[position]
        undecided = stopped.status is None and stopped.error is None
        # stopped after the server took it (closing the connection, say): recorded sent below;
        # otherwise unknown whether it went: in flight, for the sweep
        if undecided and not getattr(stopped.outgoing, "accepted", False):
            stopped.status = LOST
        _stopped_round(attempts, attempts[position + 1 :], outcomes)
        raise


def _stopped_round(attempts: list[Attempt], later: list[Attempt], outcomes: Counter) -> None:
    """A round stopped (the soft time limit): the answers to the messages in ``later``, which
    left, are collected for at most ``STOPPED_ROUND_GRACE_SECONDS`` together, and the round's
    outcomes recorded (``finish_round``: what the receivers took is sent, never sent again),
    every connection closed. A fault meanwhile (the database gone while recording) is logged,
    never raised: the stop is what the caller raises, so the task stops as its soft limit asks;
    the rows not recorded stay in flight for the sweep."""
    try:
        deadline = time.monotonic() + STOPPED_ROUND_GRACE_SECONDS
        for attempt in later:
            if attempt.outgoing is not None and _ready(attempt):
                attempt.outgoing.hurry(max(deadline - time.monotonic(), 0.05))
            wait(attempt)
        for status in finish_round(attempts):
            outcomes["skipped" if status == LOST else status] += 1
    except Exception:
        logger.warning("recording a round stopped at the soft time limit failed", exc_info=True)
    finally:
        for attempt in attempts:
            _close(attempt)


def deliver(delivery_ids) -> Counter:
    """Deliver a batch; safe to call any number of times with the same ids.

    One UPDATE claims every row that waits and is due; one query loads them with the answer
    to every ``why_not_send`` check (``load_checked``). Rows that may not go are cancelled, a
    statement per reason. In-app rows whose transport sends nothing are marked sent in one
    statement that checks again (``_show_in_portal``). The rest — e-mail, SMS, webhooks — go
    one by one through prepare, the entitlement gate and the wait for the answer, each with its
    own retry and backoff. The number of queries for a batch of in-app rows does not grow with
    the batch (``tests/alerts/test_delivery_batch.py``).

    Past the task's soft time limit the batch stops: the row being sent stays in flight until
    its claim lapses, the claims not yet begun are handed back for the sweep."""
    ids = [int(i) for i in delivery_ids]
    outcomes: Counter = Counter()
    now = timezone.now()
    claimed = set(claim_batch(list(dict.fromkeys(ids)), now=now))
    if len(ids) > len(claimed):
        outcomes["skipped"] = len(ids) - len(claimed)
    if not claimed:
        return outcomes
    order = [pk for pk in dict.fromkeys(ids) if pk in claimed]
    rest: list[Delivery] = []
    with Heartbeat([], held=order) as heartbeat:
        try:
            today = timezone.localdate()
            position = {pk: n for n, pk in enumerate(order)}
            rows = sorted(load_checked(order, today=today), key=lambda r: position[r.pk])
            rest = rows
            refused, in_app, others = [], [], []
            transports: dict[str, Transport] = {}
            for row in rows:
                reason = reason_from(row)
                transport = transports.get(row.channel) or transport_for(row.channel)
                transports[row.channel] = transport
                if reason:
                    refused.append((row, reason))
                elif transport.sends_nothing:
                    in_app.append(row)
                else:
                    others.append(row)
            if refused:
                outcomes["cancelled"] += _cancel_all(refused)
            shown = _show_in_portal(in_app, today=today)
            if shown:
                outcomes["sent"] += len(shown)
            # what the marking statement refused (changed meanwhile) goes the long way
            rest = [row for row in in_app if row.pk not in shown] + others
            rest = _with_relations(rest)
            _in_rounds(rest, heartbeat, outcomes)
            rest = []
        except Exception as error:
            # out of time, or a fault no round could absorb (the database): the claims not yet
            # begun are handed back at once; the round being sent is not among them
            if isinstance(error, SoftTimeLimitExceeded):
                logger.warning("batch stopped at the soft time limit: %s", dict(outcomes))
            else:
                logger.error("batch stopped by an error: %s", dict(outcomes))
            held = set(heartbeat.held)
            try:
                _release([row for row in rest if row.pk in held], now=timezone.now())
            except DatabaseError:  # the sweep takes them back when their claims lapse
                logger.warning("could not hand back the batch's claims", exc_info=True)
            if not isinstance(error, SoftTimeLimitExceeded):
                raise
    return outcomes


# --- the sweep ---------------------------------------------------------------------------------

# Rows due longer than ``ALERTS_SWEEP_GRACE_SECONDS`` ago that are still waiting were not handed
# to a worker (broker down at publication) or their task was lost; younger ones are most likely
# still in the queue. At most ``ALERTS_SWEEP_LIMIT`` rows per run.


# Claims taken back per UPDATE (bounded by the database's parameter limit).
RECOVER_SLICE = 1000


def recover_stuck(*, now: datetime) -> list[int]:
    """In-flight rows past their lease — the worker stopped beating: it was lost. Back to
    waiting (or failed if out of attempts), oldest first, at most ``ALERTS_SWEEP_LIMIT`` per
    sweep in slices of ``RECOVER_SLICE``. Conditional on the lease still being past, so a
    worker whose heartbeat renewed it meanwhile keeps its row."""
    expired = Delivery.objects.filter(status=Delivery.Status.IN_FLIGHT, next_attempt_at__lte=now)
    ids = list(
        expired.order_by("next_attempt_at").values_list("pk", flat=True)[
            : settings.ALERTS_SWEEP_LIMIT
        ]
    )
    recovered: list[int] = []
    for start in range(0, len(ids), RECOVER_SLICE):
        chunk = expired.filter(pk__in=ids[start : start + RECOVER_SLICE])
        chunk.filter(attempts__gte=settings.ALERTS_MAX_ATTEMPTS).update(
            status=Delivery.Status.FAILED, last_error="gave up: worker lost on the last attempt"
        )
        recovered += chunk.values_list("pk", flat=True)
        chunk.update(
            status=Delivery.Status.AWAITING_RETRY,
            next_attempt_at=now,
            last_error="claim expired: worker lost",
        )
    return recovered


def sweep(*, now: datetime | None = None) -> int:
    """Re-enqueue what waits: rows stuck in flight, and waiting rows due for a while that no
    task holds (never handed over because the broker was away, or their task's lease passed)."""
    now = now or timezone.now()
    stuck = recover_stuck(now=now)
    waiting = list(
        Delivery.objects.filter(
            status__in=Delivery.PENDING,
            next_attempt_at__lte=now - timedelta(seconds=settings.ALERTS_SWEEP_GRACE_SECONDS),
        )
        .filter(Q(dispatched_until__isnull=True) | Q(dispatched_until__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: settings.ALERTS_SWEEP_LIMIT]
    )
    ids = list(dict.fromkeys(stuck + waiting))
    enqueue_batches(ids)
    return len(ids)
