"""Retention of reports from partners (docs/privacy.md): closed reports past
``RETENTION_REPORTS_DAYS`` go, with their replies; open ones stay until closed."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction

from ppsportal.retention import cutoff, record_expiry
from threats.models import Report


@transaction.atomic
def reports_expire(*, now: datetime | None = None) -> int:
    days = settings.RETENTION_REPORTS_DAYS
    before = cutoff(days, now=now)
    old = Report.objects.filter(status=Report.Status.CLOSED, created_at__lt=before)
    ids = list(old.values_list("public_id", flat=True))
    if ids:
        Report.objects.filter(public_id__in=ids).delete()
        record_expiry(data_class=Report._meta.label_lower, before=before, days=days, public_ids=ids)
    return len(ids)
