"""The alert metrics on /metrics follow the outbox: deliveries by channel and status, pending
rows, the backlog no worker holds, escalations and the time from publication to delivery."""

from __future__ import annotations

import pytest

from alerts.metrics import alert_metrics
from alerts.models import Delivery

pytestmark = pytest.mark.django_db


def _by_name():
    return {metric.name: metric for metric in alert_metrics()}


def _value(metric, **labels):
    return next(value for sample, value in metric.samples if sample == labels)


def test_deliveries_by_channel_and_status_follow_the_outbox(world):
    world.published(partnerships=[world.partnership])
    metrics = _by_name()
    rows = Delivery.objects.all()
    assert rows.exists()
    for channel, status in rows.values_list("channel", "status").distinct():
        expected = rows.filter(channel=channel, status=status).count()
        got = _value(metrics["ppsportal_alert_deliveries"], channel=channel, status=status)
        assert got == expected
    unfinished = rows.filter(status__in=[*Delivery.PENDING, Delivery.Status.IN_FLIGHT]).count()
    assert metrics["ppsportal_alert_deliveries_pending"].samples == [({}, unfinished)]


def test_backlog_counts_due_rows_no_worker_holds(world):
    world.published(partnerships=[world.partnership])
    Delivery.objects.update(status=Delivery.Status.QUEUED, dispatched_until=None)
    total = Delivery.objects.count()
    assert _by_name()["ppsportal_alert_outbox_backlog"].samples == [({}, total)]
    Delivery.objects.update(status=Delivery.Status.SENT)
    assert _by_name()["ppsportal_alert_outbox_backlog"].samples == [({}, 0)]


def test_publish_to_delivery_time_is_measured_over_sent_notices(world):
    world.published(partnerships=[world.partnership])
    metric = _by_name()["ppsportal_alert_publish_to_delivery_seconds"]
    sent = Delivery.objects.filter(status="sent", purpose="notice").count()
    assert _value(metric, stat="count") == sent
    assert _value(metric, stat="max") >= _value(metric, stat="avg") >= 0
