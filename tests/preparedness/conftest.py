"""The preparedness world: the threats API world (partner A's ``arena`` and partner B's
``route`` in one partnership, so B is A's peer) with a course, and A's procedure, training
record and held exercise with one open action item."""

from __future__ import annotations

import pytest

from preparedness import services
from tests.threats.api.conftest import (  # noqa: F401  (fixtures)
    arena,
    client_for,
    covenant,
    days_ago,
    days_ahead,
    make_target,
    operator_c,
    outsider,
    pps,
    route,
)


@pytest.fixture
def course(nctv_staff):
    return services.course_create(
        by=nctv_staff, code="awareness", name="Awareness", validity_months=12
    )


@pytest.fixture
def a_items(arena, operator_a, course):  # noqa: F811
    """Partner A's preparedness items on the ArenA."""
    procedure = services.procedure_save(
        soft_target=arena,
        by=operator_a,
        kind="evacuation",
        title="Ontruimingsplan",
        owner="Hoofd veiligheid",
        state="approved",
        review_due=days_ahead(100),
    )
    record = services.training_record_create(
        soft_target=arena,
        by=operator_a,
        course=course,
        role="Stewards",
        trained_count=300,
        staff_total=400,
        held_on=days_ago(30),
    )
    exercise = services.exercise_plan(
        soft_target=arena, by=operator_a, scenario="Ontruiming oost", planned_for=days_ago(20)
    )
    services.exercise_record_held(
        exercise=exercise, by=operator_a, held_on=days_ago(20), outcome="Poort D bleef dicht."
    )
    item = services.action_item_add(
        exercise=exercise,
        by=operator_a,
        description="Sleutelbeheer poort D",
        owner="Facilitair",
        due_on=days_ago(1),
    )
    return {"procedure": procedure, "record": record, "exercise": exercise, "item": item}
