"""Celery is configured for reliable delivery and runs against the real Redis when set."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache

from ppsportal.celery import app
from ppsportal.tasks import WORKER_HEARTBEAT_KEY, record_worker_heartbeat


def test_reliability_settings_are_in_force():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    timeout = settings.CELERY_VISIBILITY_TIMEOUT
    assert conf.broker_transport_options["visibility_timeout"] == timeout
    assert conf.result_backend_transport_options["visibility_timeout"] == timeout
    # The visibility timeout must outlast the longest task and the longest retry delay.
    assert timeout > conf.task_time_limit
    assert timeout > settings.CELERY_MAX_RETRY_DELAY
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_without_redis_tasks_run_in_process(settings):
    if settings.REDIS_URL:
        assert app.conf.task_always_eager is False
        assert app.conf.broker_url == settings.REDIS_URL
    else:
        assert app.conf.task_always_eager is True
        record_worker_heartbeat.delay()
        assert cache.get(WORKER_HEARTBEAT_KEY)


@pytest.mark.redis
def test_a_real_worker_runs_a_task_through_redis():
    from celery.contrib.testing.worker import start_worker

    cache.delete(WORKER_HEARTBEAT_KEY)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        record_worker_heartbeat.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not cache.get(WORKER_HEARTBEAT_KEY):
            time.sleep(0.1)
    assert cache.get(WORKER_HEARTBEAT_KEY), "the worker did not run the task within 20 seconds"


@pytest.mark.django_db
def test_health_page_reports_database_and_broker(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] is True
    assert body["status"] == "ok"
    assert body["broker"] is (True if settings.REDIS_URL else None)


def test_delivery_and_fan_out_have_their_own_queues_a_plain_worker_consumes():
    routes = app.conf.task_routes
    assert routes["alerts.tasks.deliver_batch"]["queue"] == "delivery"
    assert routes["alerts.tasks.sweep"]["queue"] == "fanout"
    assert routes["alerts.tasks.escalate"]["queue"] == "fanout"
    assert app.conf.task_default_queue == "default"
    # a worker without -Q consumes every declared queue, so no routed task is left unserved
    assert {queue.name for queue in app.conf.task_queues} == {"default", "fanout", "delivery"}
