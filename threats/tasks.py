"""Celery tasks of the threats app: thin, idempotent, calling services."""

from celery import shared_task


@shared_task(name="threats.tasks.expire_reports", ignore_result=True)
def expire_reports() -> int:
    """Nightly: closed reports past RETENTION_REPORTS_DAYS go (audited)."""
    from threats.retention import reports_expire

    return reports_expire()
