"""What the demo modules share: the analyst who writes for the NCTV, measure statuses, local
times."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

ANALYST = "nctv-analyst"

IN, PLANNED, NA = "in_place", "planned", "not_applicable"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
