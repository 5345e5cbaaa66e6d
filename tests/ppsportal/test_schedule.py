"""Under `make run` (no broker) the beat schedule runs in-process: the demo's Vierdaagse exercise,
which two organisations have not acknowledged, escalates on its schedule (their duty-officer step
was taken at publication, because nobody there can be told: alerts/escalation.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from alerts.demo import VIERDAAGSE_EXERCISE
from alerts.models import Alert, Delivery, EscalationStep
from ppsportal.schedule import InProcessScheduler

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _tick(scheduler, moment):
    with freeze_time(moment):
        ran, wait = scheduler.tick()
    return set(ran), wait


def test_the_demo_exercise_escalates_on_the_in_process_schedule(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    exercise = Alert.objects.get(headline=VIERDAAGSE_EXERCISE)
    silent = set(
        exercise.recipients.exclude(
            organisation__in=exercise.acknowledgements.values("organisation")
        ).values_list("organisation_id", flat=True)
    )
    assert len(silent) >= 2
    published = exercise.published_at
    deadline = timedelta(minutes=exercise.ack_deadline_minutes)
    scheduler = InProcessScheduler(now=published)

    # The demo's silent organisations are the unreachable ones (nobody with a channel there):
    # publication told the duty officer of them at once, with the reason (step 2).
    at_publication = EscalationStep.objects.filter(alert=exercise)
    assert set(at_publication.values_list("organisation_id", "step")) == {(o, 2) for o in silent}
    assert all(at_publication.values_list("reason", flat=True))

    ran, _ = _tick(scheduler, published + timedelta(seconds=1))
    assert {"alerts-escalate", "alerts-sweep", "alerts-expire"} <= ran
    assert not EscalationStep.objects.filter(alert=exercise, step=1).exists()

    ran, _ = _tick(scheduler, published + deadline + timedelta(minutes=1))
    assert "alerts-escalate" in ran
    steps = EscalationStep.objects.filter(alert=exercise)
    assert set(steps.filter(step=1).values_list("organisation_id", flat=True)) == silent
    assert Delivery.objects.filter(alert=exercise, purpose="reminder", channel="sms").exists()

    ran, _ = _tick(scheduler, published + 2 * deadline + timedelta(minutes=2))
    assert "alerts-escalate" in ran
    # the duty officer is told once per organisation, not again at the second deadline
    assert steps.filter(step=2).count() == len(silent)
    assert set(steps.filter(step=2).values_list("organisation_id", flat=True)) == silent


def test_intervals_and_crontabs_run_when_due_as_beat_would(db):
    start = datetime(2026, 7, 14, 10, 3, tzinfo=AMSTERDAM)
    scheduler = InProcessScheduler(
        {
            "sweep": {"task": "alerts.tasks.sweep", "schedule": 30.0},
            "grants": {
                "task": "partnerships.tasks.remove_lapsed_grants",
                "schedule": __import__("celery.schedules").schedules.crontab(minute="*/10"),
            },
        },
        now=start,
    )
    ran, wait = _tick(scheduler, start)
    assert ran == {"sweep"}  # an interval runs at start, a crontab waits for its time
    assert 0.5 <= wait <= 30
    assert _tick(scheduler, start + timedelta(seconds=10))[0] == set()
    assert _tick(scheduler, start + timedelta(seconds=31))[0] == {"sweep"}
    assert _tick(scheduler, start + timedelta(minutes=7, seconds=5))[0] == {"sweep", "grants"}
    assert _tick(scheduler, start + timedelta(minutes=7, seconds=20))[0] == set()
