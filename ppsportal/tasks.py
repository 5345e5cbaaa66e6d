"""Core periodic tasks."""

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache
from django.utils import timezone

WORKER_HEARTBEAT_KEY = "ppsportal:worker-heartbeat"


@shared_task(name="ppsportal.tasks.record_worker_heartbeat", ignore_result=True)
def record_worker_heartbeat() -> str:
    """Beat schedules this every minute; the health page tells how long ago a worker ran it."""
    now = timezone.now().isoformat()
    cache.set(WORKER_HEARTBEAT_KEY, now, timeout=24 * 3600)
    return now


@shared_task(name="ppsportal.tasks.expire_audit_log", ignore_result=True)
def expire_audit_log() -> int:
    """Nightly: audit entries past RETENTION_AUDIT_LOG_DAYS go, through the sanctioned path."""
    from ppsportal.retention import audit_log_expire

    return audit_log_expire()


@shared_task(name="ppsportal.tasks.expire_api_tokens", ignore_result=True)
def expire_api_tokens() -> int:
    """Hourly: expired API tokens are deleted (requests no longer clean them up)."""
    from ppsportal.api.authentication import expire_api_tokens as expire

    return expire()


@worker_ready.connect
def _heartbeat_when_a_worker_starts(**kwargs) -> None:
    """A worker that just started is alive: /readyz need not wait for beat's first heartbeat."""
    record_worker_heartbeat()
