"""The outbox dispatcher: hands delivery rows to ``deliver_batch`` tasks and marks them handed over.

Enqueueing never fails the caller: if the broker is away the rows wait in the outbox and the
periodic sweep hands them to a worker later. The task is found by its registered name (the task
module imports the services that import this module, so this module does not import it back);
``AlertsConfig.ready`` imports ``alerts.tasks``, so it is registered in every process.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from ppsportal.celery import app

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
            _deliver_batch().apply_async(
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


def _deliver_batch():
    """The ``alerts.tasks.deliver_batch`` task, from the Celery app's registry."""
    return app.tasks["alerts.tasks.deliver_batch"]
