"""Retention of alert deliveries (docs/privacy.md): who received which alert on which channel.
Finished deliveries (sent, failed, cancelled) past ``RETENTION_DELIVERIES_DAYS`` go; the alert
and the organisations' acknowledgements stay."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction

from alerts.models import Delivery
from ppsportal.retention import cutoff, record_expiry

FINISHED = [Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.CANCELLED]


@transaction.atomic
def deliveries_expire(*, now: datetime | None = None) -> int:
    days = settings.RETENTION_DELIVERIES_DAYS
    before = cutoff(days, now=now)
    old = Delivery.objects.filter(status__in=FINISHED, created_at__lt=before)
    ids = list(old.values_list("public_id", flat=True))
    if ids:
        Delivery.objects.filter(public_id__in=ids).delete()
        record_expiry(
            data_class=Delivery._meta.label_lower, before=before, days=days, public_ids=ids
        )
    return len(ids)
