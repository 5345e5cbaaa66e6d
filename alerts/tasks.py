"""Celery tasks of the alerts app: thin, taking ids, idempotent, acknowledged late.

Enqueueing never fails the caller: if the broker is away the rows wait in the outbox and the
periodic sweep hands them to a worker later.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

BATCH_SIZE = 200

try:  # the Redis client's own errors, should one escape kombu's wrapping
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = KombuOperationalError

BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, OSError, TimeoutError)


def enqueue_batches(ids: list[int], *, eta: datetime | None = None) -> int:
    """Send ``deliver_batch`` tasks for these delivery ids; returns how many were enqueued."""
    enqueued = 0
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        try:
            deliver_batch.apply_async(args=[chunk], eta=eta)
        except BROKER_ERRORS as error:
            logger.warning(
                "broker unreachable, %d deliveries wait for the sweep: %s", len(ids) - start, error
            )
            break
        enqueued += 1
    return enqueued


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
