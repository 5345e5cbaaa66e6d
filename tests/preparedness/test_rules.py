"""The preparedness rules: required procedures by tier, when a procedure is a gap, and the
share of staff trained against the tier's expectation."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from preparedness.rules import (
    REQUIRED_PROCEDURES,
    TRAINING_EXPECTATION,
    procedure_gaps,
    training_coverage,
)
from threats.models import CapacityTier

TODAY = date(2026, 12, 3)


def target(capacity):
    return SimpleNamespace(capacity_tier=CapacityTier.for_capacity(capacity))


def procedure(kind, state="approved", review_due=TODAY + timedelta(days=10)):
    return SimpleNamespace(kind=kind, state=state, review_due=review_due)


def record(trained, staff, *, held=-30, valid=300, counts=True):
    return SimpleNamespace(
        trained_count=trained,
        staff_total=staff,
        held_on=TODAY + timedelta(days=held),
        valid_until=TODAY + timedelta(days=valid),
        course=SimpleNamespace(counts_for_coverage=counts),
    )


@pytest.mark.parametrize(
    ("capacity", "required"),
    [
        (150, {"evacuation"}),
        (500, {"evacuation", "invacuation", "lockdown", "communication"}),
        (5000, {"evacuation", "invacuation", "lockdown", "communication", "security_plan"}),
    ],
)
def test_each_tier_requires_its_procedures(capacity, required):
    gaps = procedure_gaps(target(capacity), [], today=TODAY)
    assert {g.kind for g in gaps} == required
    assert {g.reason for g in gaps} == {"missing"}


def test_enhanced_tier_requires_every_kind():
    from preparedness.models import ProcedureKind

    assert set(REQUIRED_PROCEDURES[CapacityTier.ENHANCED]) == set(ProcedureKind.values)


def test_a_draft_or_overdue_procedure_is_a_gap_an_approved_current_one_is_not():
    procedures = [
        procedure("evacuation"),
        procedure("invacuation", state="draft"),
        procedure("lockdown", review_due=TODAY - timedelta(days=1)),
        procedure("communication", review_due=TODAY),
    ]
    gaps = {g.kind: g.reason for g in procedure_gaps(target(500), procedures, today=TODAY)}
    assert gaps == {"invacuation": "draft", "lockdown": "overdue"}


def test_coverage_counts_valid_records_of_counting_courses_only():
    records = [
        record(60, 100),
        record(30, 100, valid=-1),  # expired
        record(20, 100, counts=False),  # a course that does not count
        record(10, 100, held=5),  # not held yet
    ]
    coverage = training_coverage(target(500), records, today=TODAY)
    assert (coverage.trained, coverage.staff, coverage.percent) == (60, 100, 60)
    assert coverage.expected_percent == TRAINING_EXPECTATION[CapacityTier.STANDARD] == 75
    assert not coverage.meets_expectation


def test_coverage_meets_the_tier_expectation_and_never_exceeds_the_staff():
    coverage = training_coverage(target(150), [record(40, 60), record(40, 60)], today=TODAY)
    assert (coverage.trained, coverage.percent) == (60, 100)
    assert coverage.meets_expectation


def test_no_records_means_no_coverage():
    coverage = training_coverage(target(5000), [], today=TODAY)
    assert (coverage.percent, coverage.meets_expectation) == (0, False)
