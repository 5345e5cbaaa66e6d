"""Web and workers survive a restart of PostgreSQL and of the broker without being restarted
themselves: a real web process (gunicorn) and a real Celery worker run against a private
PostgreSQL cluster and a private broker (Redis, or a RabbitMQ node); the test stops the server
under them. While it is down ``/readyz`` answers 503 naming it; once it is back, 200 again, the
same processes still running, and an alert published afterwards is delivered, once each."""

from __future__ import annotations

import os
import socket
import time

import pytest
from django.db import connections

from alerts.models import Delivery
from tests.factories import OrganisationFactory
from tests.reliability.conftest import BROKERS, sent_exactly_once
from tests.reliability.harness import (
    PostgresServer,
    WebServer,
    database_url,
    members,
    wait_until,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.reliability,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def private_postgres(transactional_db):
    """A private PostgreSQL cluster holding a copy of the test database; for the test's
    duration this process's connection (and so the workers' ``DATABASE_URL``) points at it."""
    server = PostgresServer()
    server.init()
    server.start()
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    try:
        server.copy_database(database_url(), "pps")
        connection.close()
        connection.settings_dict.update(
            HOST="127.0.0.1", PORT=str(server.port), NAME="pps", USER="postgres", PASSWORD=""
        )
        yield server
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        server.remove()


@pytest.fixture
def web(tmp_path, redis_server, broker_server, record):
    """``web()`` starts gunicorn with the workers' settings against the current database and
    broker; stopped after the test."""
    started: list[WebServer] = []

    def start() -> WebServer:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reliability.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_server.url,
            "RECORDING_TRANSPORT_FILE": str(record),
            "ALLOWED_HOSTS": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
        }
        if broker_server is not redis_server:
            env["CELERY_BROKER_URL"] = broker_server.url
        server = WebServer(env=env, logs=tmp_path)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


def ready(web: WebServer) -> bool:
    return web.readyz()[0] == 200


def delivered_once(sender, broker_server, record, name: str) -> float:
    """Publish an alert to 20 new members; seconds until all 40 deliveries are sent, once."""
    venue = OrganisationFactory(name=name)
    members(venue, 20, name.lower().replace(" ", "-"))
    alert = sender.publish(broker_server, tlp="green", organisations=[venue])
    took = wait_until(
        lambda: Delivery.objects.filter(alert=alert, status=Delivery.Status.SENT).count() == 40,
        timeout=90,
        what="the alert published after the restart delivered",
    )
    assert sent_exactly_once(alert, record) == (40, {})
    return took


def test_web_and_worker_survive_a_postgresql_restart(
    private_postgres, sender, broker_server, workers, web, record
):
    worker = workers("only", beat=True)
    site = web()
    wait_until(lambda: ready(site), timeout=60, what="/readyz 200")

    private_postgres.stop()
    status, body = site.readyz()
    assert status == 503
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "unreachable"
    time.sleep(3)  # the worker's beat and tasks meet the missing database too

    private_postgres.start()
    back = wait_until(lambda: ready(site), timeout=30, what="/readyz 200 after the restart")
    assert site.alive() and worker.alive()  # the same processes: none was restarted
    connections["default"].close()  # this process's own connection was cut as well

    took = delivered_once(sender, broker_server, record, "Na Herstart Database")
    print(f"ready again {back:.1f} s after PostgreSQL was back; delivered in {took:.1f} s")
    assert worker.alive() and site.alive()


def _redis_save(port: int) -> None:
    """As a persisted Redis would (appendonly in production): the heartbeat survives."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"SAVE\r\n")
        assert s.recv(16).startswith(b"+OK")


@pytest.mark.parametrize("broker_server", BROKERS, indirect=True)
def test_web_and_worker_survive_a_broker_restart(
    sender, redis_server, broker_server, workers, web, record
):
    worker = workers("only", beat=True)
    site = web()
    wait_until(lambda: ready(site), timeout=60, what="/readyz 200")

    if broker_server is redis_server:
        _redis_save(redis_server.port)
    broker_server.stop()
    status, body = site.readyz()
    assert status == 503
    assert "broker" in body["failing"]
    assert body["checks"]["broker"] == "unreachable"
    assert body["checks"]["database"] == "ok"

    broker_server.start()
    back = wait_until(lambda: ready(site), timeout=30, what="/readyz 200 after the restart")
    assert site.alive() and worker.alive()  # the same processes: none was restarted

    took = delivered_once(sender, broker_server, record, "Na Herstart Broker")
    print(f"ready again {back:.1f} s after the broker was back; delivered in {took:.1f} s")
    assert worker.alive() and site.alive()
