"""The delivery engine: claim a row, re-check entitlement, send through its channel, record.

Each row is claimed with a conditional UPDATE (waiting and due → in flight, one more attempt,
a lease until the task time limit has surely passed) before anything is sent, so a duplicate
task, a second worker or a redelivered message finds nothing to do. Outcomes are written with a
conditional UPDATE on the claim too, so a row the sweep took back is never overwritten.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from alerts.channels import transport_for
from alerts.channels.base import PermanentError, TransientError
from alerts.models import Acknowledgement, Alert, AlertGroupGrant, AlertRecipient, Delivery
from alerts.selectors import organisation_may_see, user_may_see
from partnerships.models import Covenant, CovenantSignatory, Membership

logger = logging.getLogger(__name__)
User = get_user_model()

# Give up after this many attempts (a row is marked failed with the last error).
MAX_ATTEMPTS = getattr(settings, "ALERTS_MAX_ATTEMPTS", 6)
# First retry after this many seconds, doubling each attempt, capped at CELERY_MAX_RETRY_DELAY.
RETRY_BASE_SECONDS = getattr(settings, "ALERTS_RETRY_BASE_SECONDS", 30)


def claim_lease() -> timedelta:
    """How long a claim holds: past the task's hard time limit the worker is surely gone."""
    margin = getattr(settings, "ALERTS_LEASE_MARGIN_SECONDS", 60)
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + margin)


def backoff(attempts: int) -> timedelta:
    """Delay after the ``attempts``-th failed attempt: 30 s, 60 s, 120 s … up to the cap."""
    delay = RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
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


def deliver_one(delivery_id: int) -> str | None:
    """Claim, check, send, record. Returns the new status, or ``None`` if there was nothing to
    do (someone else has it, or it is done).

    The claim commits on its own, so a worker lost after it leaves the row in flight for the
    sweep. Check, send and record then run in one transaction holding the entitlement
    (``hold_entitlement``). A row claimed again after a lost worker first asks its transport
    whether the message already went out (``Transport.already_sent``)."""
    now = timezone.now()
    if not claim(delivery_id, now=now):
        return None
    after_commit = []
    with transaction.atomic():
        delivery = Delivery.objects.select_related(
            "alert", "recipient", "organisation", "webhook"
        ).get(pk=delivery_id)
        hold_entitlement(delivery)
        status = _check_and_send(delivery, now=now, after_commit=after_commit)
    for callback in after_commit:
        callback()
    return status


def _check_and_send(delivery: Delivery, *, now: datetime, after_commit: list) -> str:
    reason = why_not_send(delivery)
    if reason:
        _record(delivery, Delivery.Status.CANCELLED, last_error=reason)
        return Delivery.Status.CANCELLED
    transport = transport_for(delivery.channel)
    if delivery.attempts > 1 and transport.already_sent(delivery):
        _record(delivery, Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
        return Delivery.Status.SENT
    try:
        transport.send(delivery)
    except PermanentError as error:
        _record(delivery, Delivery.Status.FAILED, last_error=str(error))
        after_commit.append(lambda failure=error: transport.on_permanent_failure(delivery, failure))
        return Delivery.Status.FAILED
    except TransientError as error:
        return _retry_or_fail(delivery, str(error), now=now, after_commit=after_commit)
    except SoftTimeLimitExceeded:
        raise  # the task is out of time, not the channel at fault
    except Exception as error:  # an unforeseen fault: retry, within the bound
        logger.exception("delivery %s: unexpected error in %s", delivery.pk, delivery.channel)
        return _retry_or_fail(
            delivery, f"{type(error).__name__}: {error}", now=now, after_commit=after_commit
        )
    if _record(delivery, Delivery.Status.SENT, sent_at=timezone.now()):
        after_commit.append(lambda: transport.on_success(delivery))
    return Delivery.Status.SENT


def _retry_or_fail(delivery: Delivery, error: str, *, now: datetime, after_commit: list) -> str:
    if delivery.attempts >= MAX_ATTEMPTS:
        _record(
            delivery,
            Delivery.Status.FAILED,
            last_error=f"gave up after {delivery.attempts} attempts: {error}",
        )
        return Delivery.Status.FAILED
    due = now + backoff(delivery.attempts)
    _record(delivery, Delivery.Status.AWAITING_RETRY, last_error=error, next_attempt_at=due)
    from alerts.tasks import enqueue_batches

    after_commit.append(lambda: enqueue_batches([delivery.pk], eta=due))
    return Delivery.Status.AWAITING_RETRY


def deliver(delivery_ids) -> Counter:
    """Deliver a batch; safe to call any number of times with the same ids. Past the task's
    soft time limit the batch stops: the row being sent stays in flight until its claim
    expires, the rest wait for the sweep."""
    outcomes: Counter = Counter()
    try:
        for delivery_id in delivery_ids:
            outcomes[deliver_one(int(delivery_id)) or "skipped"] += 1
    except SoftTimeLimitExceeded:
        logger.warning("batch stopped at the soft time limit: %s", dict(outcomes))
    return outcomes


# --- the sweep ---------------------------------------------------------------------------------

# Rows due this long ago that are still waiting were not handed to a worker (broker down at
# publication) or their task was lost; younger ones are most likely still in the queue.
SWEEP_GRACE = timedelta(seconds=getattr(settings, "ALERTS_SWEEP_GRACE_SECONDS", 30))
SWEEP_LIMIT = getattr(settings, "ALERTS_SWEEP_LIMIT", 20_000)


def recover_stuck(*, now: datetime) -> list[int]:
    """In-flight rows past their lease: the worker was lost. Back to waiting (or failed if out of
    attempts). Conditional, so a worker that does finish late cannot be overwritten wrongly."""
    stuck = Delivery.objects.filter(status=Delivery.Status.IN_FLIGHT, next_attempt_at__lte=now)
    ids = list(stuck.values_list("pk", flat=True))
    stuck = stuck.filter(pk__in=ids)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Delivery.Status.FAILED, last_error="gave up: worker lost on the last attempt"
    )
    stuck.update(
        status=Delivery.Status.AWAITING_RETRY,
        next_attempt_at=now,
        last_error="claim expired: worker lost",
    )
    return ids


def sweep(*, now: datetime | None = None) -> int:
    """Re-enqueue what waits: rows stuck in flight, and waiting rows due for a while that no
    task holds (never handed over because the broker was away, or their task's lease passed)."""
    from alerts.tasks import enqueue_batches

    now = now or timezone.now()
    stuck = recover_stuck(now=now)
    waiting = list(
        Delivery.objects.filter(status__in=Delivery.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
        .filter(Q(dispatched_until__isnull=True) | Q(dispatched_until__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    ids = list(dict.fromkeys(stuck + waiting))
    enqueue_batches(ids)
    return len(ids)
