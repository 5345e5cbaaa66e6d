"""Tasks only the B2 bench's worker imports (``celery worker --include bench.tasks``): the limit
and the peer of ``bench/b2_delivery.py``, run by the same worker processes as our path."""

from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(name="bench.tasks.mark_sent", ignore_result=True)
def mark_sent(alert_id: int) -> int:
    """The limit: every waiting row of the alert marked sent by one bare UPDATE."""
    from alerts.models import Delivery

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET status = 'sent', sent_at = now()"  # noqa: S608  # nosec B608  # table from model metadata
            " WHERE alert_id = %s AND status = 'queued'",
            [alert_id],
        )
        return cursor.rowcount


@shared_task(name="bench.tasks.deliver_one", acks_late=True, ignore_result=True)
def deliver_one(delivery_id: int) -> str | None:
    """The peer: one task per recipient, through the per-row path (claim, load, check, the
    entitlement gate, record), as the engine worked before batches."""
    from alerts.delivery import deliver_one as deliver

    return deliver(delivery_id)
