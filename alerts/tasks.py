"""Celery tasks of the alerts app: thin, taking ids, idempotent, acknowledged late.

Enqueueing never fails the caller: if the broker is away the rows wait in the outbox and the
periodic sweep hands them to a worker later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Rows marked as handed over per UPDATE (bounded by the database's parameter limit).
MARK_SLICE = 5000

try:  # the Redis client's own errors, should one escape kombu's wrapping
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = KombuOperationalError

BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, OSError, TimeoutError)


def dispatch_lease() -> timedelta:
    """How long the sweep leaves an enqueued row to its task before enqueueing it again (the
    task's message may be lost with a worker killed while holding it)."""
    return timedelta(seconds=settings.ALERTS_DISPATCH_LEASE_SECONDS)


def enqueue_batches(ids: list[int], *, eta: datetime | None = None, marked: bool = False) -> int:
    """Send ``deliver_batch`` tasks for these delivery ids; returns how many were enqueued.

    Rows handed over are marked (``dispatched_until``) so the sweep leaves them to their task;
    ``marked=True`` says the caller marked them already (publication inserts them so). A broker
    that is away stops the loop: the rest are unmarked and wait for the sweep."""

    handed_over = 0
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        try:
            # a short argsrepr: Celery would otherwise format every id for its logs
            deliver_batch.apply_async(
                args=[chunk], eta=eta, argsrepr=f"[{len(chunk)} deliveries from {chunk[0]}]"
            )
        except BROKER_ERRORS as error:
            logger.warning(
                "broker unreachable, %d deliveries wait for the sweep: %s", len(ids) - start, error
            )
            break
        handed_over = start + len(chunk)
    if not marked:
        _mark(ids[:handed_over], (eta or timezone.now()) + dispatch_lease())
    _mark(ids[handed_over:], None)
    return -(-handed_over // BATCH_SIZE)


def _mark(ids: list[int], until: datetime | None) -> None:
    from alerts.models import Delivery

    for start in range(0, len(ids), MARK_SLICE):
        chunk = ids[start : start + MARK_SLICE]
        Delivery.objects.filter(pk__in=chunk, status__in=Delivery.PENDING).update(
            dispatched_until=until
        )


@shared_task(name="alerts.tasks.deliver_batch", acks_late=True, ignore_result=True)
def deliver_batch(delivery_ids: list[int]) -> dict:
    """Claim and send each delivery; a duplicate of this task finds nothing to do."""
    from alerts.delivery import deliver

    return dict(deliver(delivery_ids))


@shared_task(name="alerts.tasks.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Re-enqueue waiting rows that are due and in-flight rows a lost worker left behind."""
    from alerts.delivery import sweep as run

    return run()


@shared_task(name="alerts.tasks.escalate", acks_late=True, ignore_result=True)
def escalate() -> int:
    """Remind organisations that have not acknowledged in time; then the duty officer."""
    from alerts.escalation import alerts_escalate

    return alerts_escalate()


@shared_task(name="alerts.tasks.expire", acks_late=True, ignore_result=True)
def expire() -> int:
    from alerts.services import alerts_expire_due

    return alerts_expire_due()


@shared_task(name="alerts.tasks.expire_deliveries", ignore_result=True)
def expire_deliveries() -> int:
    """Nightly: finished deliveries past RETENTION_DELIVERIES_DAYS go (audited)."""
    from alerts.retention import deliveries_expire

    return deliveries_expire()
