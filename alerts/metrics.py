"""Metrics of alert delivery for /metrics (ppsportal.metrics): what operators alert on.

- ``ppsportal_alert_outbox_backlog``: rows due that no worker holds (waiting for the sweep); it
  should fall back to 0 within a minute, or the broker, beat or the workers are gone;
- ``ppsportal_alert_deliveries``: rows by channel and status (outcome);
- ``ppsportal_alert_deliveries_pending``: rows not yet sent, failed or cancelled;
- ``ppsportal_alert_escalations_total``: escalation steps taken, by step;
- ``ppsportal_alert_publish_to_{delivery,acknowledgement}_seconds``: average and maximum time from
  publication to a sent notice and to an organisation's acknowledgement, over the alerts
  published in the last 24 hours.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q
from django.utils import timezone

from ppsportal.metrics import Metric, register

WINDOW = timedelta(hours=24)


def _seconds(value) -> float:
    return value.total_seconds() if value is not None else 0.0


def _latency(queryset, moment: str, name: str, help_text: str) -> Metric:
    elapsed = ExpressionWrapper(F(moment) - F("alert__published_at"), output_field=DurationField())
    figures = queryset.aggregate(average=Avg(elapsed), maximum=Max(elapsed), count=Count("pk"))
    metric = Metric(name, help_text)
    metric.add(_seconds(figures["average"]), stat="avg")
    metric.add(_seconds(figures["maximum"]), stat="max")
    metric.add(figures["count"], stat="count")
    return metric


@register
def alert_metrics() -> list[Metric]:
    from alerts.models import Acknowledgement, Delivery, EscalationStep

    now = timezone.now()
    by_status = Metric("ppsportal_alert_deliveries", "Deliveries by channel and status")
    pending = 0
    unfinished = {*Delivery.PENDING, Delivery.Status.IN_FLIGHT}
    rows = Delivery.objects.values_list("channel", "status").annotate(n=Count("pk"))
    for channel, status, count in rows.order_by("channel", "status"):
        by_status.add(count, channel=channel, status=status)
        pending += count if status in unfinished else 0
    backlog = Delivery.objects.filter(
        Q(dispatched_until__isnull=True) | Q(dispatched_until__lt=now),
        status__in=Delivery.PENDING,
        next_attempt_at__lte=now,
    ).count()
    escalations = Metric(
        "ppsportal_alert_escalations_total", "Escalation steps taken, by step", "counter"
    )
    for step, count in (
        EscalationStep.objects.values_list("step").annotate(n=Count("pk")).order_by("step")
    ):
        escalations.add(count, step=str(step))
    recent = Q(alert__published_at__gte=now - WINDOW)
    return [
        Metric("ppsportal_alert_outbox_backlog", "Deliveries due that no worker holds").add(
            backlog
        ),
        by_status,
        Metric(
            "ppsportal_alert_deliveries_pending", "Deliveries not yet sent, failed or cancelled"
        ).add(pending),
        escalations,
        _latency(
            Delivery.objects.filter(
                recent, status=Delivery.Status.SENT, purpose=Delivery.Purpose.NOTICE
            ),
            "sent_at",
            "ppsportal_alert_publish_to_delivery_seconds",
            "Publication to sent notice, alerts of the last 24 hours",
        ),
        _latency(
            Acknowledgement.objects.filter(recent),
            "at",
            "ppsportal_alert_publish_to_acknowledgement_seconds",
            "Publication to an organisation's acknowledgement, alerts of the last 24 hours",
        ),
    ]
