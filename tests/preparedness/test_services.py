"""Preparedness writes: who may write (the soft target's operator and NCTV staff), and the rules
each write enforces, with nothing half-saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from preparedness import services
from preparedness.models import ActionItem, Procedure, TrainingRecord
from preparedness.selectors import open_action_items_by_partnership, training_expiring
from tests.preparedness.conftest import days_ago, days_ahead

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def evacuation(target, by, **overrides):
    fields = {
        "soft_target": target,
        "by": by,
        "kind": "evacuation",
        "title": "Ontruiming",
        "owner": "Hoofd veiligheid",
        "review_due": days_ahead(30),
    }
    return services.procedure_save(**{**fields, **overrides})


def test_one_procedure_per_kind_writing_again_replaces_it(arena, operator_a):
    first = evacuation(arena, operator_a)
    second = evacuation(arena, operator_a, title="Ontruiming v2", state="approved")
    assert first.pk == second.pk
    assert Procedure.objects.get().title == "Ontruiming v2"


@pytest.mark.parametrize("persona", ["viewer_a", "operator_b"])
def test_only_the_operators_writers_write_procedures(request, arena, persona):
    with pytest.raises(PermissionDenied):
        evacuation(arena, request.getfixturevalue(persona))
    assert not Procedure.objects.exists()


def test_nctv_staff_may_write_for_any_target(arena, nctv_staff):
    assert evacuation(arena, nctv_staff).updated_by == nctv_staff


def test_only_nctv_staff_manage_the_course_catalogue(operator_a):
    with pytest.raises(PermissionDenied):
        services.course_create(by=operator_a, code="act", name="ACT")


def test_training_validity_follows_the_course(arena, operator_a, course):
    record = services.training_record_create(
        soft_target=arena,
        by=operator_a,
        course=course,
        role="Stewards",
        trained_count=10,
        staff_total=20,
        held_on=days_ago(10),
    )
    assert record.valid_until == days_ago(10).replace(year=days_ago(10).year + 1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"trained_count": 30}, "trained_count"),
        ({"held_on": days_ahead(2)}, "held_on"),
        ({"valid_until": days_ago(20)}, "valid_until"),
    ],
)
def test_training_refuses_impossible_records(arena, operator_a, course, overrides, field):
    fields = {
        "soft_target": arena,
        "by": operator_a,
        "course": course,
        "role": "Stewards",
        "trained_count": 10,
        "staff_total": 20,
        "held_on": days_ago(10),
    }
    with pytest.raises(ValidationError) as refusal:
        services.training_record_create(**{**fields, **overrides})
    assert field in refusal.value.error_dict
    assert not TrainingRecord.objects.exists()


def test_expiring_training_is_found_for_reminders(a_items, arena, operator_a, course):
    soon = services.training_record_create(
        soft_target=arena,
        by=operator_a,
        course=course,
        role="Hosts",
        trained_count=5,
        staff_total=400,
        held_on=days_ago(300),
        valid_until=days_ahead(10),
    )
    assert list(training_expiring()) == [soon]


def test_action_items_need_a_held_exercise(arena, operator_a):
    planned = services.exercise_plan(
        soft_target=arena, by=operator_a, scenario="Lockdown", planned_for=days_ahead(10)
    )
    with pytest.raises(ValidationError):
        services.action_item_add(
            exercise=planned, by=operator_a, description="x", owner="y", due_on=days_ahead(20)
        )
    assert not ActionItem.objects.exists()


def test_completing_an_action_item_twice_changes_nothing(a_items, operator_a):
    item = services.action_item_complete(item=a_items["item"], by=operator_a, done_on=days_ago(1))
    again = services.action_item_complete(item=item, by=operator_a)
    assert again.done_on == days_ago(1)


def test_open_action_items_count_per_partnership_until_done(a_items, operator_a, pps):
    assert open_action_items_by_partnership([pps.pk]) == {pps.pk: {"open": 1, "overdue": 1}}
    services.action_item_complete(item=a_items["item"], by=operator_a)
    assert open_action_items_by_partnership([pps.pk]) == {}


def test_overdue_exercise_items_count_in_the_partnerships_health_until_done(
    a_items, operator_a, pps
):
    from partnerships.health import assess, partnerships_with_health_data
    from partnerships.models import Partnership

    def health():
        [row] = partnerships_with_health_data(Partnership.objects.filter(pk=pps.pk))
        return assess(row, days_ago(0))

    report = health()
    assert report.overdue_actions == 1
    assert "overdue_actions" in {r.code for r in report.reasons}
    services.action_item_complete(item=a_items["item"], by=operator_a)
    assert health().overdue_actions == 0


def test_a_done_item_cannot_be_rescheduled(a_items, operator_a):
    item = services.action_item_complete(item=a_items["item"], by=operator_a)
    with pytest.raises(ValidationError):
        services.action_item_reschedule(item=item, by=operator_a, due_on=days_ahead(5))
