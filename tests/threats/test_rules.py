"""Capacity tiers (Martyn's Law, as a reference) and the gaps they imply."""

import pytest

from tests.threats.targets_world import build_world, make_target
from threats import services
from threats.models import CapacityTier, Measure
from threats.models.targets import MAX_CAPACITY
from threats.rules import TIER_REQUIREMENTS, gaps_for

pytestmark = pytest.mark.django_db

STANDARD = ["staff_training", "evacuation", "invacuation", "lockdown", "communication_plan"]
ENHANCED = [*STANDARD, "scale_up_scenario", "security_staff", "cctv"]


@pytest.fixture
def w():
    return build_world()


@pytest.mark.parametrize(
    ("capacity", "tier"),
    [
        (1, CapacityTier.BELOW),
        (199, CapacityTier.BELOW),
        (200, CapacityTier.STANDARD),
        (799, CapacityTier.STANDARD),
        (800, CapacityTier.ENHANCED),
        (MAX_CAPACITY, CapacityTier.ENHANCED),
    ],
)
def test_capacity_tier_boundaries(capacity, tier):
    assert CapacityTier.for_capacity(capacity) == tier


def test_a_soft_target_shows_its_tier_and_label(w):
    target = make_target(w.users["a"], capacity=800)
    assert target.capacity_tier == CapacityTier.ENHANCED
    assert target.capacity_tier_label == str(CapacityTier.ENHANCED.label)


def test_what_each_tier_needs():
    assert TIER_REQUIREMENTS[CapacityTier.BELOW] == ["staff_training"]
    assert TIER_REQUIREMENTS[CapacityTier.STANDARD] == STANDARD
    assert TIER_REQUIREMENTS[CapacityTier.ENHANCED] == ENHANCED
    assert all(m in Measure.values for ms in TIER_REQUIREMENTS.values() for m in ms)


def _target_with(w, capacity, in_place=(), **others):
    measures = [{"measure": m, "status": "in_place"} for m in in_place]
    measures += [{"measure": m, "status": s} for m, s in others.items()]
    return make_target(w.users["a"], capacity=capacity, measures=measures)


@pytest.mark.parametrize(
    ("capacity", "required"), [(150, ["staff_training"]), (500, STANDARD), (55_000, ENHANCED)]
)
def test_every_required_measure_not_in_place_is_a_gap(w, capacity, required):
    assert gaps_for(_target_with(w, capacity)) == required
    assert gaps_for(_target_with(w, capacity, in_place=required)) == []


@pytest.mark.parametrize("capacity", [1, 199, 200, 799, 800, 55_000])
def test_any_tier_without_staff_training_has_a_gap(w, capacity):
    others = [m for m in ENHANCED if m != "staff_training"]
    assert "staff_training" in gaps_for(_target_with(w, capacity, in_place=others))


@pytest.mark.parametrize("missing", ["evacuation", "lockdown"])
def test_the_enhanced_tier_without_evacuation_or_lockdown_has_a_gap(w, missing):
    others = [m for m in ENHANCED if m != missing]
    assert gaps_for(_target_with(w, 800, in_place=others)) == [missing]


def test_below_200_needs_no_procedures(w):
    assert gaps_for(_target_with(w, 199, in_place=["staff_training"])) == []


def test_planned_or_not_applicable_is_still_a_gap(w):
    target = _target_with(w, 150, staff_training="planned")
    assert gaps_for(target) == ["staff_training"]
    services.soft_target_set_measure(
        soft_target=target, by=w.users["a"], measure="staff_training", status="not_applicable"
    )
    assert gaps_for(target) == ["staff_training"]


def test_a_capacity_change_moves_the_target_to_another_tier_and_its_gaps(w):
    target = _target_with(w, 199, in_place=["staff_training"])
    services.soft_target_update(soft_target=target, by=w.users["a"], capacity=200)
    assert gaps_for(target) == STANDARD[1:]


def test_gaps_read_prefetched_measures_without_a_query(w, django_assert_num_queries):
    target = _target_with(w, 55_000, in_place=["cctv"])
    rows = list(target.measures.all())
    with django_assert_num_queries(0):
        assert "cctv" not in gaps_for(target, rows)
