"""The demo preparedness: the ArenA's evacuation procedure and held exercise with open action
items (counted in its partnership's health data), the Vierdaagse's training with one record
expiring; seeding twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from preparedness.models import ActionItem, Course, Exercise, Procedure, TrainingRecord
from preparedness.selectors import open_action_items_by_partnership, training_expiring

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def counts():
    return [m.objects.count() for m in (Course, Procedure, TrainingRecord, Exercise, ActionItem)]


def test_demo_preparedness_is_in_place_and_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first

    evacuation = Procedure.objects.get(soft_target__name="Johan Cruijff ArenA", kind="evacuation")
    assert evacuation.state == "approved"
    exercise = Exercise.objects.get(soft_target__name="Johan Cruijff ArenA")
    assert exercise.status == "held"
    open_items = ActionItem.objects.filter(exercise=exercise, done_on__isnull=True)
    assert open_items.count() == 2
    partnership_id = exercise.soft_target.partnership_id
    assert open_action_items_by_partnership([partnership_id])[partnership_id]["open"] == 2
    expiring = [r.soft_target.name for r in training_expiring()]
    assert expiring == ["Nijmeegse Vierdaagse"]
