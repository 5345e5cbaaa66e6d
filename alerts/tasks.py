"""Celery tasks of the alerts app: thin, taking ids, idempotent, acknowledged late; each calls one
function of the app (the outbox dispatcher that enqueues ``deliver_batch`` is ``alerts.dispatch``).
"""

from __future__ import annotations

from celery import shared_task

from alerts.delivery import deliver
from alerts.delivery import sweep as run_sweep
from alerts.escalation import alerts_escalate
from alerts.retention import deliveries_expire
from alerts.services import alerts_expire_due


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
