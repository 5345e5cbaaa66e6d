"""Celery tasks of the partnerships app: thin, idempotent, calling services."""

from celery import shared_task

from partnerships.services.reminders import reminders_send


@shared_task(name="partnerships.tasks.send_partnership_reminders", ignore_result=True)
def send_partnership_reminders() -> int:
    """Covenant expiry (60, 30, 7 days) and contact-overdue reminders; each sent once."""
    return reminders_send()


@shared_task(name="partnerships.tasks.remove_lapsed_grants", ignore_result=True)
def remove_lapsed_grants() -> int:
    """Remove grants whose footing is gone (each with a ``sharing.lapsed`` audit entry).
    Access already ended in the queries; this keeps the index tidy and leaves the trace."""
    from partnerships.sharing.services import remove_lapsed_grants as remove

    return remove()


@shared_task(name="partnerships.tasks.expire_contact_log", ignore_result=True)
def expire_contact_log() -> int:
    """Nightly: contact-log entries past RETENTION_CONTACT_LOG_DAYS go (audited)."""
    from partnerships.retention import contact_log_expire

    return contact_log_expire()


@shared_task(name="partnerships.tasks.expire_covenant_documents", ignore_result=True)
def expire_covenant_documents() -> int:
    """Nightly: signed documents of covenants ended past RETENTION_DOCUMENTS_DAYS go."""
    from partnerships.retention import covenant_documents_expire

    return covenant_documents_expire()


@shared_task(name="partnerships.tasks.record_health_snapshots", ignore_result=True)
def record_health_snapshots() -> int:
    """Hourly: each partnership's health of the day, for its history chart (one row per day,
    overwritten until the day ends)."""
    from partnerships.services.health import health_snapshots_record

    return health_snapshots_record()
