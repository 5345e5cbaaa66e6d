"""Celery tasks of the alerts app: thin, taking ids, idempotent, acknowledged late; each calls one
function of the app (the outbox dispatcher that enqueues ``deliver_batch`` is ``alerts.dispatch``).
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_process_init

from alerts.delivery import compile_batch_statements, deliver
from alerts.delivery import sweep as run_sweep
from alerts.escalation import alerts_escalate
from alerts.retention import deliveries_expire
from alerts.services import alerts_expire_due

logger = logging.getLogger(__name__)


@worker_process_init.connect
def _compile_ahead(**_kwargs) -> None:
    """A fresh pool process compiles a batch's statements before its first task arrives."""
    try:
        compile_batch_statements()
    except Exception:  # never keep a worker from starting: the first batch compiles them then
        logger.warning("compiling the delivery batch statements ahead failed", exc_info=True)


@shared_task(name="alerts.tasks.deliver_batch", acks_late=True, ignore_result=True)
def deliver_batch(delivery_ids: list[int]) -> dict:
    """Claim and send each delivery; a duplicate of this task finds nothing to do."""
    return dict(deliver(delivery_ids))


@shared_task(name="alerts.tasks.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Re-enqueue waiting rows that are due and in-flight rows a lost worker left behind."""
    return run_sweep()


@shared_task(name="alerts.tasks.escalate", acks_late=True, ignore_result=True)
def escalate() -> int:
    """Remind organisations that have not acknowledged in time; then the duty officer."""
    return alerts_escalate()


@shared_task(name="alerts.tasks.expire", acks_late=True, ignore_result=True)
def expire() -> int:
    return alerts_expire_due()


@shared_task(name="alerts.tasks.expire_deliveries", ignore_result=True)
def expire_deliveries() -> int:
    """Nightly: finished deliveries past RETENTION_DELIVERIES_DAYS go (audited)."""
    return deliveries_expire()
