"""Fixtures of the reliability tests: a private Redis, a private RabbitMQ node, the broker a test
runs on, worker processes, the recording file, and the NCTV that sends the alerts.

A test that takes ``broker_server`` runs on Redis; parametrised indirectly with
``BROKERS`` it runs once on Redis and once on RabbitMQ (Redis then stays the cache and the
workers' heartbeat store, as in production)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest

from alerts import services
from tests.factories import OrganisationFactory, UserFactory
from tests.reliability.harness import RabbitServer, RedisServer, Worker, broker
from tests.reliability.recording import sends_per_delivery


@pytest.fixture
def sectors(db):
    """The sectors of the data migration: a transactional test before this one flushed them."""
    from django.apps import apps

    importlib.import_module("threats.migrations.0002_default_sectors").forward(apps, None)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rabbit_node(tmp_path_factory):
    """One private RabbitMQ node for the session (it takes half a minute to start)."""
    node = RabbitServer(tmp_path_factory.mktemp("rabbitmq"))
    node.start()
    yield node
    node.stop()


BROKERS = ["redis", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)]


@pytest.fixture
def broker_server(request, redis_server):
    """What the workers take tasks from: the private Redis, or (``request.param`` "rabbitmq")
    the private RabbitMQ node, running and empty. Both have ``url``, ``stop`` and ``start``."""
    if getattr(request, "param", "redis") == "redis":
        return redis_server
    node = request.getfixturevalue("rabbit_node")
    if not node.answers():  # an earlier test stopped it and failed before starting it again
        node.start()
    node.purge()
    return node


@pytest.fixture
def record(tmp_path):
    return tmp_path / "sends.log"


@pytest.fixture
def workers(tmp_path, redis_server, broker_server, record):
    """``workers("w1", beat=True, env={...})`` starts a worker; all are stopped after the test."""
    started: list[Worker] = []
    other = None if broker_server is redis_server else broker_server.url

    def start(name: str, *, beat: bool = False, env: dict | None = None) -> Worker:
        worker = Worker(
            name,
            redis=redis_server,
            record=record,
            logs=tmp_path,
            beat=beat,
            env=env,
            broker=other,
        )
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.stop()


@dataclass
class Sender:
    author: object
    approver: object

    def publish(self, redis, **fields):
        """Draft, approve (a second staff member) and publish, enqueueing on ``redis``."""
        fields.setdefault("headline", "Concrete dreiging")
        fields.setdefault("description", "Aanwijzingen voor een aanslag.")
        fields.setdefault("atb_level", "matige_dreiging")
        alert = services.alert_create(by=self.author, **fields)
        alert = services.alert_approve(alert=alert, by=self.approver)
        with broker(redis.url):
            return services.alert_publish(alert=alert, by=self.approver)


@pytest.fixture
def sender(sectors) -> Sender:
    nctv = OrganisationFactory(name="NCTV", kind="public", sector="", is_nctv=True)
    return Sender(
        author=UserFactory(username="author", organisation=nctv, is_staff=True),
        approver=UserFactory(username="approver", organisation=nctv, is_staff=True),
    )


def sent_exactly_once(alert, record) -> tuple[int, dict]:
    """(number of deliveries, {delivery id: sends} for those not sent exactly once)."""
    from alerts.models import Delivery

    expected = {
        str(i) for i in Delivery.objects.filter(alert=alert).values_list("public_id", flat=True)
    }
    counts = sends_per_delivery(record)
    wrong = {d: counts.get(d, 0) for d in expected | set(counts) if counts.get(d, 0) != 1}
    return len(expected), wrong
