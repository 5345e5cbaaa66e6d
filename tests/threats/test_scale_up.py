"""A scale-up scenario climbs: a higher ATb level takes at least the measures of the levels below
it, unless each omission is explained. The rule, its service, and the corrected demo scenarios
(the admin, API and dashboard faces are tested with their faces)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from tests.threats.targets_world import build_world, make_target
from threats import services
from threats.demo.cases import case_targets
from threats.demo.generated import generated_targets
from threats.demo.levels import package_for
from threats.models import AlertLevel, Sector
from threats.rules import ScaleUpOmission, scale_up_unexplained

BASIS, LOW, MODERATE, HIGH = AlertLevel.values

pytestmark = pytest.mark.django_db


# --- the rule ---------------------------------------------------------------------------------


def test_a_scenario_that_climbs_has_nothing_unexplained():
    steps = {
        BASIS: {"measures": ["cctv"]},
        LOW: {"measures": ["cctv", "security_staff"]},
        MODERATE: {"measures": ["cctv", "security_staff", "bag_checks"]},
        HIGH: {"measures": ["cctv", "security_staff", "bag_checks", "lockdown"]},
    }
    assert scale_up_unexplained(steps) == []


def test_a_higher_level_that_drops_a_measure_names_it_and_both_levels():
    """The ArenA's old scenario in small: fewer measures at high threat than at moderate."""
    steps = {
        BASIS: {"measures": ["cctv"]},
        LOW: {"measures": []},  # a level left out would ask nothing, the same
        MODERATE: {"measures": ["cctv", "bag_checks", "access_control"]},
        HIGH: {"measures": ["access_control"]},
    }
    assert scale_up_unexplained(steps) == [
        ScaleUpOmission(measure="cctv", asked_at=BASIS, level=LOW),
        ScaleUpOmission(measure="cctv", asked_at=MODERATE, level=HIGH),
        ScaleUpOmission(measure="bag_checks", asked_at=MODERATE, level=HIGH),
    ]


def test_an_explained_omission_is_allowed_at_that_level_only():
    steps = {
        BASIS: {"measures": ["cctv"]},
        LOW: {"measures": [], "omissions": {"cctv": "De gemeente filmt het plein."}},
        MODERATE: {"measures": [], "omissions": {"cctv": "   "}},  # blank is no reason
        HIGH: {"measures": ["cctv"]},
    }
    assert scale_up_unexplained(steps) == [
        ScaleUpOmission(measure="cctv", asked_at=BASIS, level=MODERATE)
    ]


# --- the service ------------------------------------------------------------------------------


@pytest.fixture
def w():
    return build_world()


def blank_target(w):
    """A target whose scenario asks nothing at any level (not the sector's packages)."""
    target = make_target(w.users["a"])
    services.scale_up_replace(
        soft_target=target,
        by=w.users["a"],
        steps={level: {"measures": []} for level in AlertLevel.values},
    )
    return target


def test_the_service_refuses_a_drop_in_dutch_and_english_and_writes_nothing(w):
    target = blank_target(w)
    services.scale_up_replace(
        soft_target=target,
        by=w.users["a"],
        steps={
            MODERATE: {"measures": ["bag_checks", "cctv"]},
            HIGH: {"measures": ["bag_checks", "cctv"]},
        },
    )
    for language, expected in [
        ("nl", "Bij “Hoge dreiging” ontbreekt “Tassencontrole”, terwijl “Matige dreiging”"),
        ("en", "At “High threat”, “Bag checks” is missing although “Moderate threat” asks"),
    ]:
        with translation.override(language), pytest.raises(ValidationError) as refused:
            services.scale_up_replace(
                soft_target=target,
                by=w.users["a"],
                steps={HIGH: {"measures": ["cctv", "lockdown"], "notes": "Dicht"}},
            )
        [message] = refused.value.message_dict[HIGH]
        assert message.startswith(expected), message
    assert target.scale_up.get(level=HIGH).measures == ["bag_checks", "cctv"]


def test_the_service_takes_the_drop_with_its_reason(w):
    target = blank_target(w)
    services.scale_up_replace(
        soft_target=target,
        by=w.users["a"],
        steps={
            MODERATE: {"measures": ["bag_checks", "cctv"]},
            HIGH: {
                "measures": ["cctv", "lockdown"],
                "omissions": {"bag_checks": "Bij lockdown komt niemand binnen.", "cctv": "x"},
            },
        },
    )
    high = target.scale_up.get(level=HIGH)
    # an explanation for a measure the level takes after all is not kept
    assert high.omissions == {"bag_checks": "Bij lockdown komt niemand binnen."}
    # taking the measure away from both levels at once is fine: nothing is dropped
    services.scale_up_replace(
        soft_target=target,
        by=w.users["a"],
        steps={MODERATE: {"measures": ["cctv"]}, HIGH: {"measures": ["cctv"]}},
    )


def test_an_explanation_must_name_a_measure_of_the_catalogue(w):
    target = make_target(w.users["a"])
    with pytest.raises(ValidationError) as refused:
        services.scale_up_set(
            soft_target=target, by=w.users["a"], level=HIGH, measures=[], omissions={"x": "y"}
        )
    assert "omissions" in refused.value.message_dict


def test_only_the_operator_changes_the_scenario(w):
    target = make_target(w.users["a"])
    with pytest.raises(PermissionDenied):
        services.scale_up_set(soft_target=target, by=w.users["c"], level=HIGH, measures=[])


def test_a_package_that_does_not_climb_is_not_held_against_another_level(w):
    """A scenario started from a sector's packages is the NCTV's starting point: the operator
    who changes one level answers for what that level drops, or what its change makes drop."""
    for level in AlertLevel.values:
        services.measure_package_set(
            sector=Sector.objects.get(code="football_stadium"),
            level=level,
            measures=["cctv"] if level == BASIS else [],
            by=w.staff,
        )
    target = make_target(w.users["a"])  # low, moderate and high start empty
    services.scale_up_set(soft_target=target, by=w.users["a"], level=HIGH, measures=["cctv"])
    with pytest.raises(ValidationError):
        services.scale_up_set(soft_target=target, by=w.users["a"], level=MODERATE, measures=[])


# --- the demo -------------------------------------------------------------------------------------


def test_every_demo_package_and_case_scenario_climbs(w):
    for code in Sector.objects.values_list("code", flat=True):
        packages = {level: {"measures": package_for(code, level)} for level in AlertLevel.values}
        assert scale_up_unexplained(packages) == [], code
    today = timezone.localdate()
    for spec in case_targets(today) + generated_targets(today):
        code = spec["fields"]["category"]
        steps = {level: {"measures": package_for(code, level)} for level in AlertLevel.values}
        for level, (measures, _notes) in spec.get("scale_up", {}).items():
            steps[level] = {"measures": measures}
        assert scale_up_unexplained(steps) == [], spec["fields"]["name"]
