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
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from alerts.channels import transport_for
from alerts.channels.base import Outgoing, PermanentError, TransientError, Transport
from alerts.dispatch import enqueue_batches
from alerts.models import Acknowledgement, Alert, AlertGroupGrant, AlertRecipient, Delivery
from alerts.selectors import organisation_may_see, user_may_see
from partnerships.models import Covenant, CovenantSignatory, Membership

logger = logging.getLogger(__name__)
User = get_user_model()


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
    if not user_may_see(delivery.recipient, alert):
        return "recipient no longer entitled to the alert"
    return ""


def hold_entitlement(delivery: Delivery) -> None:
    """On PostgreSQL, share-lock the rows the recipient's entitlement rests on until the outcome
    is recorded: the alert, the recipient row and the covenant with the organisation's
    signature, the user and their membership. A cancellation, a covenant terminated, a signature
    withdrawn, a user deactivated or moved waits for the send in progress, and once it has
    committed no later send passes the check. Concurrent sends share the locks."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers; the check just before sending is what it has
    # Table names come from the models' metadata, values are parameters.
    alert, recipient = Alert._meta.db_table, AlertRecipient._meta.db_table
    covenant, signatory = Covenant._meta.db_table, CovenantSignatory._meta.db_table
    user, membership = User._meta.db_table, Membership._meta.db_table
    org = delivery.organisation_id
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.covenant_id FROM {alert} a JOIN {recipient} r"  # noqa: S608  # nosec B608  # tables from model metadata
            " ON r.alert_id = a.id AND r.organisation_id = %s WHERE a.id = %s FOR SHARE",
            [org, delivery.alert_id],
        )
        row = cursor.fetchone()
        grants = AlertGroupGrant._meta.db_table
        cursor.execute(  # a revocation (deleting the grant) waits too
            f"SELECT 1 FROM {grants} WHERE content_object_id = %s"  # noqa: S608  # nosec B608  # tables from model metadata
            " AND organisation_id = %s FOR SHARE",
            [delivery.alert_id, org],
        )
        if row and row[0] is not None:
            cursor.execute(
                f"SELECT 1 FROM {covenant} c JOIN {signatory} s"  # noqa: S608  # nosec B608  # tables from model metadata
                " ON s.covenant_id = c.id AND s.organisation_id = %s WHERE c.id = %s FOR SHARE",
                [org, row[0]],
            )
        if delivery.recipient_id is not None:
            cursor.execute(
                f"SELECT 1 FROM {user} u JOIN {membership} m"  # noqa: S608  # nosec B608  # tables from model metadata
                " ON m.user_id = u.id WHERE u.id = %s FOR SHARE",
                [delivery.recipient_id],
            )


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


def _load(delivery_id: int, *, lock: bool = False) -> Delivery:
    rows = Delivery.objects.select_related("alert", "recipient", "organisation", "webhook")
    if lock:
        rows = rows.select_for_update(of=("self",))
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
    attempt = Attempt(delivery=delivery, transport=transport_for(delivery.channel), now=now)
    if attempt.transport.connects:  # early: no connection for a row that will not go
        reason = why_not_send(delivery)
        if reason:
            return _cancel(attempt, reason)
    if delivery.attempts > 1 and attempt.transport.already_sent(delivery):
        attempt.status = Delivery.Status.SENT
        return attempt
    try:
        attempt.outgoing = attempt.transport.prepare(delivery)
        _pass_gate(attempt)
    except SoftTimeLimitExceeded:
        _close(attempt)
        raise  # the task is out of time, not the channel at fault
    except Exception as error:  # judged in finish: permanent, transient, unforeseen
        attempt.error = error
    if attempt.status is not None or attempt.error is not None:
        _close(attempt)
    return attempt


def _pass_gate(attempt: Attempt) -> None:
    """The only moment a message may leave: in a short transaction holding the entitlement
    (``hold_entitlement``), the row is checked once more against the committed state and the
    message transmitted. A revocation waits at most for this; once it has committed, no later
    gate lets a message through."""
    with transaction.atomic():
        hold_entitlement(attempt.delivery)
        claimed = attempt.delivery.attempts
        # what holds now, under the locks; our own row locked so the sweep cannot take it back
        # between this check and the transmission
        attempt.delivery = _load(attempt.delivery.pk, lock=True)
        if (attempt.delivery.status, attempt.delivery.attempts) != (
            Delivery.Status.IN_FLIGHT,
            claimed,
        ):  # the lease lapsed (no heartbeat for a whole lease) and the row moved on
            attempt.status = LOST
            return
        reason = why_not_send(attempt.delivery)
        if reason:
            _cancel(attempt, reason)
            return
        attempt.outgoing.transmit()


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

    def __init__(self, ids: list[int]) -> None:
        self.current: int | None = None
        self.waiting = list(ids)
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
        self.current, self.waiting = delivery_id, self.waiting[position + 1 :]

    def beat(self) -> None:
        now = timezone.now()
        until = now + claim_lease()
        current, waiting = self.current, self.waiting
        if current is not None:
            Delivery.objects.filter(pk=current, status=Delivery.Status.IN_FLIGHT).update(
                next_attempt_at=until
            )
        if waiting:
            Delivery.objects.filter(
                pk__in=waiting, status__in=Delivery.PENDING, next_attempt_at__lte=now
            ).update(dispatched_until=until)

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


def deliver(delivery_ids) -> Counter:
    """Deliver a batch; safe to call any number of times with the same ids. Past the task's
    soft time limit the batch stops: the row being sent stays in flight until its claim
    lapses, the rest wait for the sweep."""
    ids = [int(i) for i in delivery_ids]
    outcomes: Counter = Counter()
    with Heartbeat(ids) as heartbeat:
        try:
            for position, delivery_id in enumerate(ids):
                heartbeat.working_on(position, delivery_id)
                outcomes[deliver_one(delivery_id) or "skipped"] += 1
        except SoftTimeLimitExceeded:
            logger.warning("batch stopped at the soft time limit: %s", dict(outcomes))
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
