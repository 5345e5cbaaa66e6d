"""Retention of personal data (AVG): the shared steps, and the audit log's own expiry.

Each app removes its own data classes (``partnerships.retention``, ``threats.retention``,
``alerts.retention``), called by nightly Celery tasks; every removal writes a
``retention.expired`` audit entry with how many rows of which class went, older than which
moment, and their public ids — never what they said.

The audit log is append-only (model, queryset and a PostgreSQL trigger). Its one sanctioned
removal is :func:`audit_log_expire`: on PostgreSQL the SECURITY DEFINER function
``ppsportal_audit_expire`` (migration 0004), whose trigger lets only rows older than the
retention period — and never younger than 180 days — go.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ppsportal.audit import audit_record
from ppsportal.models import AuditEvent

AUDIT_FLOOR_DAYS = 180  # also in the database function: no audit entry younger than this goes


def cutoff(days: int, *, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=days)


def record_expiry(*, data_class: str, before: datetime, days: int, public_ids: Iterable) -> None:
    """The trace of a removal: the class, the cut-off and the rows' public ids (random UUIDs,
    meaningless without the removed rows), never their content."""
    ids = [str(i) for i in public_ids]
    audit_record(
        action="retention.expired",
        object_type=data_class,
        object_ids=ids,
        purpose=f"retention {days} days",
        detail={"count": len(ids), "before": before.isoformat(), "retention_days": days},
    )


@transaction.atomic
def audit_log_expire(*, now: datetime | None = None) -> int:
    """Remove audit entries older than ``RETENTION_AUDIT_LOG_DAYS``; returns how many went."""
    days = max(settings.RETENTION_AUDIT_LOG_DAYS, AUDIT_FLOOR_DAYS)
    before = cutoff(days, now=now)
    if connection.vendor == "postgresql":
        if now is not None:
            raise ValueError("on PostgreSQL the database's clock decides the audit cut-off")
        with connection.cursor() as cursor:
            cursor.execute("SELECT ppsportal_audit_expire(%s)", [days])
            removed = cursor.fetchone()[0]
    else:  # SQLite (development): the same rule, in Python
        removed = AuditEvent.objects.filter(at__lt=before)._expire()
    audit_record(
        action="retention.expired",
        object_type=AuditEvent._meta.label_lower,
        purpose=f"retention {days} days",
        detail={"count": removed, "before": before.isoformat(), "retention_days": days},
    )
    return removed
