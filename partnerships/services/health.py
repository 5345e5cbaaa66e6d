"""Recording each partnership's health of the day, for the charts of its history."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from partnerships.health import assess


@transaction.atomic
def health_snapshots_record(*, day: date | None = None) -> int:
    """Record every partnership's health on ``day`` (default today), as ``assess`` finds it
    from the records on that day. Idempotent per day: recording again overwrites the day's rows
    with the newest outcome. Ended partnerships are left out. Returns the rows written."""
    from partnerships.health import partnerships_with_health_data
    from partnerships.models import HealthSnapshot, Partnership

    day = day or timezone.localdate()
    partnerships = partnerships_with_health_data(
        Partnership.objects.exclude(status=Partnership.Status.ENDED), day
    )
    rows = []
    for partnership in partnerships:
        report = assess(partnership, day)
        rows.append(
            HealthSnapshot(
                partnership=partnership,
                day=day,
                status=report.status,
                reasons=[reason.code for reason in report.reasons],
            )
        )
    HealthSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["partnership", "day"],
        update_fields=["status", "reasons", "recorded_at"],
    )
    return len(rows)
