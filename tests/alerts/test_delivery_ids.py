"""Deliveries carry time-ordered public ids (UUID version 7: the time in milliseconds first, then
random bits), from Python (``time_ordered_uuid``, ORM creates) and from the fan-out's SQL alike,
so the unique index on ``public_id`` grows at its right edge (docs/benchmarks.md, B1)."""

from __future__ import annotations

import time
import uuid

from django.db import connection

from alerts.models import Delivery
from alerts.models.deliveries import time_ordered_uuid


def _millis(value: uuid.UUID) -> int:
    return value.int >> 80


def test_python_ids_are_version_7_and_ordered_by_time():
    before = time.time_ns() // 1_000_000
    ids = [time_ordered_uuid() for _ in range(200)]
    after = time.time_ns() // 1_000_000
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert all(before <= _millis(i) <= after for i in ids)
    assert [_millis(i) for i in ids] == sorted(_millis(i) for i in ids)
    assert len(set(ids)) == len(ids)
    time.sleep(0.002)
    assert time_ordered_uuid() > ids[-1]  # a later millisecond sorts after


def test_fan_out_ids_are_time_ordered_too(world):
    before = time.time_ns() // 1_000_000
    alert = world.published(tlp="green", organisations=[world.org_a, world.org_b])
    after = time.time_ns() // 1_000_000
    ids = list(Delivery.objects.filter(alert=alert).values_list("public_id", flat=True))
    assert ids and len(set(ids)) == len(ids)
    if connection.vendor == "postgresql":  # SQLite's fan-out keeps random hex ids
        assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
        assert all(before <= _millis(i) <= after for i in ids)
