"""Demo data for the threat picture: the national threat level, the sectors' ATb levels and measure
packages, the soft targets of the three cases plus a few dozen generated ones, threat assessments
at each TLP level shared along the demo covenants, and a report in each state.

Everything is written through the services and the sharing engine; running it twice changes
nothing. Dates are relative to today (running it again on a later day moves the demo's own dates
along). Generated data comes from ``random.Random(2026)``: the same on every run."""

from __future__ import annotations

from django.utils import timezone

from threats.demo.assessments import seed_assessments
from threats.demo.levels import seed_levels
from threats.demo.reports import seed_reports
from threats.demo.targets import seed_soft_targets


def seed(ctx) -> None:
    today = timezone.localdate()
    seed_levels(ctx.objects["users"])
    targets = seed_soft_targets(ctx, today)
    ctx.objects["soft_targets"] = targets
    ctx.objects["assessments"] = seed_assessments(ctx, today)
    ctx.objects["reports"] = seed_reports(ctx, targets)
