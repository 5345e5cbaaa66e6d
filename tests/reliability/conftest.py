"""Fixtures of the reliability tests: a private Redis, worker processes, the recording file,
and the NCTV that sends the alerts."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest

from alerts import services
from tests.factories import OrganisationFactory, UserFactory
from tests.reliability.harness import RedisServer, Worker, broker
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


@pytest.fixture
def record(tmp_path):
    return tmp_path / "sends.log"


@pytest.fixture
def workers(tmp_path, redis_server, record):
    """``workers("w1", beat=True, env={...})`` starts a worker; all are stopped after the test."""
    started: list[Worker] = []

    def start(name: str, *, beat: bool = False, env: dict | None = None) -> Worker:
        worker = Worker(name, redis=redis_server, record=record, logs=tmp_path, beat=beat, env=env)
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
