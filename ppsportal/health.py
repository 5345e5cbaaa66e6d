"""A health page for load balancers and operators: database, broker and worker heartbeat."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ppsportal.tasks import WORKER_HEARTBEAT_KEY

HEARTBEAT_STALE_AFTER_SECONDS = 300


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool | None:
    if not settings.REDIS_URL:
        return None  # tasks run in-process
    from ppsportal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
def health(request):
    database = _database_ok()
    broker = _broker_ok()
    heartbeat = cache.get(WORKER_HEARTBEAT_KEY) if settings.REDIS_URL else None
    age = None
    if heartbeat:
        age = int((timezone.now() - datetime.fromisoformat(heartbeat)).total_seconds())
    ok = database and broker is not False
    body = {
        "status": "ok" if ok else "failing",
        "database": database,
        "broker": broker,
        "worker_heartbeat_age_seconds": age,
        "worker_heartbeat_stale": age is None or age > HEARTBEAT_STALE_AFTER_SECONDS
        if settings.REDIS_URL
        else None,
    }
    return JsonResponse(body, status=200 if ok else 503)
