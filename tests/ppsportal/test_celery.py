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


# What the Celery app of a process started with CELERY_BROKER_URL=amqp://… is configured with.
EFFECTIVE_CONFIG = """
import json
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppsportal.settings")
import django
django.setup()
from ppsportal.celery import app
from tests.reliability.harness import AMQP_TRANSPORT_OPTIONS
conf = app.conf
with app.connection_for_write() as connection:
    options = connection.transport_options
    transport = connection.transport_cls
print(json.dumps({
    "transport": transport,
    "options": options,
    "harness_options": AMQP_TRANSPORT_OPTIONS,
    "queues": {q.name: [q.durable, q.auto_delete, q.exchange.durable] for q in conf.task_queues},
    "delivery_mode": conf.task_default_delivery_mode,
    "acks_late": conf.task_acks_late,
    "reject_on_worker_lost": conf.task_reject_on_worker_lost,
    "prefetch": conf.worker_prefetch_multiplier,
}))
"""


def test_a_rabbitmq_broker_gets_durable_queues_persistent_messages_and_publisher_confirms():
    import os

    from tests.processes import python_json

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        SECRET_KEY="x" * 50,
        CELERY_BROKER_URL="amqp://pps:secret@mq.example.nl:5672/pps",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    conf = python_json(EFFECTIVE_CONFIG, env)
    assert conf["transport"] == "amqp"
    assert conf["options"]["confirm_publish"] is True  # a publish returns once RabbitMQ has it
    assert "visibility_timeout" not in conf["options"]  # Redis's, meaningless to RabbitMQ
    # the queues and their exchanges survive a broker restart, and so do the messages in them
    assert conf["queues"] == {
        "default": [True, False, True],
        "fanout": [True, False, True],
        "delivery": [True, False, True],
    }
    assert conf["delivery_mode"] in (2, "persistent")  # AMQP delivery mode 2: to disk
    assert conf["acks_late"] and conf["reject_on_worker_lost"] and conf["prefetch"] == 1
    # the reliability tests publish to their RabbitMQ node with the same options
    assert conf["harness_options"] == conf["options"]
