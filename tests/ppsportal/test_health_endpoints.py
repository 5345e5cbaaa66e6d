"""/healthz answers without the database; /readyz names what is not ready (database,
migrations, broker, worker heartbeat) with 200 or 503 and no secrets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from ppsportal import health
from ppsportal.celery import app
from ppsportal.tasks import WORKER_HEARTBEAT_KEY, record_worker_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_migration_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_seen_applied", False)


def test_healthz_answers_without_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ok_when_everything_is_ready(client):
    record_worker_heartbeat()
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    expected = {"database", "migrations"} | ({"broker", "worker"} if settings.REDIS_URL else set())
    assert set(body["checks"]) == expected


def test_readyz_names_an_unapplied_migration(client):
    record_worker_heartbeat()
    MigrationRecorder(__import__("django.db").db.connection).record_unapplied(
        "ppsportal", "0004_audit_expiry"
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert response.json()["checks"]["migrations"] == "not applied"


@pytest.mark.redis
def test_readyz_names_the_broker_when_it_is_unreachable(client, monkeypatch):
    record_worker_heartbeat()
    # A broker address where nothing listens: the same as a stopped Redis.
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert "broker" in body["failing"]
    assert body["checks"]["broker"] == "unreachable"
    assert "127.0.0.1:9" not in response.content.decode()  # no address, no secret


@pytest.mark.redis
def test_readyz_names_a_missing_or_stale_worker_heartbeat(client):
    cache.delete(WORKER_HEARTBEAT_KEY)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"] == "no heartbeat"
    stale = timezone.now() - timedelta(seconds=health.HEARTBEAT_STALE_AFTER_SECONDS + 60)
    cache.set(WORKER_HEARTBEAT_KEY, stale.isoformat())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"].startswith("heartbeat ")
    record_worker_heartbeat()
    assert client.get("/readyz").status_code == 200
