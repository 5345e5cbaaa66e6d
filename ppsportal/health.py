"""Health for load balancers and operators.

- ``/healthz``: liveness. The process answers; nothing else is asked (no database), so a
  database outage never makes an orchestrator restart healthy web processes.
- ``/readyz``: readiness. The database answers, every migration is applied, and with a broker
  configured: the broker answers and a worker ran the heartbeat that beat schedules (so beat and
  a worker are alive). 200 or 503 with a JSON body naming each failing check; never a secret
  (no URL, no exception text).
- ``/health/``: the older combined page, kept for existing monitors.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ppsportal.celery import app
from ppsportal.tasks import WORKER_HEARTBEAT_KEY

HEARTBEAT_STALE_AFTER_SECONDS = 300

# Once every migration was seen applied, this process need not load the migration graph again.
_migrations_seen_applied = False


def _database_ok() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _migrations_applied() -> bool:
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return True
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        return False
    _migrations_seen_applied = not plan
    return _migrations_seen_applied


def _broker_ok() -> bool | None:
    if not settings.REDIS_URL:
        return None  # tasks run in-process

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def heartbeat_age_seconds() -> int | None:
    """Seconds since a worker last ran the heartbeat task; None when none is known."""
    try:
        heartbeat = cache.get(WORKER_HEARTBEAT_KEY)
    except Exception:
        return None
    if not heartbeat:
        return None
    return int((timezone.now() - datetime.fromisoformat(heartbeat)).total_seconds())


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks: dict[str, str] = {}
    database = _database_ok()
    checks["database"] = "ok" if database else "unreachable"
    if database:
        checks["migrations"] = "ok" if _migrations_applied() else "not applied"
    if settings.REDIS_URL:
        checks["broker"] = "ok" if _broker_ok() else "unreachable"
        age = heartbeat_age_seconds() if checks["broker"] == "ok" else None
        if age is None:
            checks["worker"] = "no heartbeat"
        elif age > HEARTBEAT_STALE_AFTER_SECONDS:
            checks["worker"] = f"heartbeat {age} s old"
        else:
            checks["worker"] = "ok"
    failing = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "failing" if failing else "ok", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)


@never_cache
def health(request):
    database = _database_ok()
    broker = _broker_ok()
    age = heartbeat_age_seconds() if settings.REDIS_URL else None
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
