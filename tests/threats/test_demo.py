"""The demo threat picture: levels, packages, the three cases and generated soft targets,
assessments at each TLP level shared along the demo covenants, reports in each state; seeding
twice (or again on a later day) changes nothing it should not."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from partnerships.selectors import actor_for
from threats.demo.generated import generated_targets
from threats.demo.levels import package_for
from threats.models import (
    AlertLevel,
    CapacityTier,
    Measure,
    MeasurePackage,
    NationalThreatLevel,
    Report,
    ReportReply,
    ScaleUpStep,
    Sector,
    SectorAlertLevel,
    SecurityMeasure,
    SoftTarget,
    ThreatAssessment,
    ThreatAssessmentGroupGrant,
    ThreatAssessmentUserGrant,
)
from threats.selectors import (
    assessments_visible_to,
    sector_level_of,
    soft_targets_visible_to,
    threat_level_current,
)

pytestmark = pytest.mark.django_db

AMBER_TITLE = "Verhoogde aandacht voor voetbalstadions in Amsterdam"
MODELS = [
    NationalThreatLevel,
    SectorAlertLevel,
    MeasurePackage,
    SoftTarget,
    SecurityMeasure,
    ScaleUpStep,
    ThreatAssessment,
    ThreatAssessmentGroupGrant,
    ThreatAssessmentUserGrant,
    Report,
    ReportReply,
]


@pytest.fixture
def seeded(settings, demo_data):
    """The demo data, seeded once for this module (tests/conftest.py ``demo_data``)."""
    settings.DEBUG = True


def actor(username):
    return actor_for(get_user_model().objects.get(username=username))


def _snapshot():
    rows = {model.__name__: model.objects.count() for model in MODELS}
    rows["targets"] = sorted(
        SoftTarget.objects.values_list(
            "public_id", "name", "capacity", "latitude", "event_start", "updated_at"
        )
    )
    rows["measures"] = sorted(
        SecurityMeasure.objects.values_list("pk", "status", "last_reviewed", "evidence")
    )
    rows["packages"] = sorted(MeasurePackage.objects.values_list("pk", "measures"))
    rows["assessments"] = sorted(
        ThreatAssessment.objects.values_list("public_id", "valid_from", "valid_until")
    )
    rows["reports"] = sorted(Report.objects.values_list("public_id", "status"))
    return rows


def test_the_national_level_is_substantial_set_by_the_analyst(seeded):
    level = threat_level_current()
    assert (level.level, level.region, level.set_by.username) == (4, "", "nctv-analyst")
    assert level.rationale


def test_sector_levels_and_a_package_for_every_sector_and_level(seeded):
    assert sector_level_of("football_stadium") == AlertLevel.LICHTE_DREIGING
    assert sector_level_of("event_grounds") == AlertLevel.MATIGE_DREIGING
    assert sector_level_of("public_events") == AlertLevel.MATIGE_DREIGING
    for code in ("shopping_area", "museum", "local_public_transport"):
        assert sector_level_of(code) == AlertLevel.BASISNIVEAU
    assert MeasurePackage.objects.count() == Sector.objects.count() * len(AlertLevel.values)
    for sector in Sector.objects.all():
        previous: set[str] = set()
        for level in AlertLevel.values:
            package = MeasurePackage.objects.get(sector=sector, level=level)
            assert package.measures and set(package.measures) <= set(Measure.values)
            assert previous <= set(package.measures), (sector.code, level)  # a level adds
            previous = set(package.measures)
    assert "hostile_vehicle_barriers" in package_for("event_grounds", "matige_dreiging")
    assert "bag_checks" not in package_for("public_transport", "hoge_dreiging")


def test_the_johan_cruijff_arena(seeded):
    arena = SoftTarget.objects.get(name="Johan Cruijff ArenA")
    assert (arena.category.code, arena.capacity, arena.municipality) == (
        "football_stadium",
        55000,
        "Amsterdam",
    )
    assert (arena.latitude, arena.longitude) == (Decimal("52.3143"), Decimal("4.9419"))
    assert arena.operator.name == "Johan Cruijff ArenA"
    assert arena.partnership.name == "Johan Cruijff ArenA"
    assert arena.vulnerability_notes and arena.vulnerability_tlp == "amber_strict"
    statuses = [m.status for m in arena.measures.all()]
    assert statuses.count("in_place") >= 9 and len(statuses) == len(Measure.values)
    assert arena.measures.get(measure="evacuation").evidence
    high = arena.scale_up.get(level="hoge_dreiging")
    assert "hostile_vehicle_barriers" in high.measures and high.notes


def test_the_nijmeegse_vierdaagse_is_a_four_day_event_next_july(seeded):
    event = SoftTarget.objects.get(name="Nijmeegse Vierdaagse")
    start = timezone.localtime(event.event_start)
    end = timezone.localtime(event.event_end)
    assert event.is_event and event.category.code == "event_grounds"
    assert (start.year, start.month, end.month) == (timezone.localdate().year + 1, 7, 7)
    assert start.weekday() == 1 and (end.date() - start.date()).days == 3  # Tuesday to Friday
    assert (event.capacity, event.municipality) == (47000, "Nijmegen")
    assert (event.latitude, event.longitude) == (Decimal("51.8426"), Decimal("5.8546"))
    assert event.operator.name == "Stichting DE 4DAAGSE"


def test_the_diamantkwartier(seeded):
    district = SoftTarget.objects.get(name="Diamantkwartier Antwerpen")
    assert (district.category.code, district.municipality, district.operator.name) == (
        "shopping_area",
        "Antwerpen",
        "AWDC",
    )
    assert (district.latitude, district.longitude) == (Decimal("51.2172"), Decimal("4.4214"))


def test_generated_soft_targets_spread_over_categories_regions_and_tiers(seeded):
    generated = SoftTarget.objects.exclude(
        name__in=["Johan Cruijff ArenA", "Nijmeegse Vierdaagse", "Diamantkwartier Antwerpen"]
    )
    assert generated.count() == 36
    assert generated.values("category").distinct().count() == Sector.objects.count()
    assert generated.values("region").distinct().count() >= 8
    assert {t.capacity_tier for t in generated} == set(CapacityTier.values)
    assert generated.filter(is_event=True).exists()
    assert all(t.scale_up.count() == 4 for t in generated)


def test_generated_data_is_the_same_on_every_run():
    today = timezone.localdate()
    assert generated_targets(today) == generated_targets(today)


def test_assessments_at_each_tlp_level(seeded):
    assert set(ThreatAssessment.objects.values_list("tlp", flat=True)) == {
        "clear",
        "green",
        "amber",
        "amber_strict",
        "red",
    }
    assert all(a.owner_organisation.is_nctv for a in ThreatAssessment.objects.all())


def test_arena_operator_sees_the_amber_assessment_and_vierdaagse_operator_does_not(seeded):
    def titles(username):
        return set(assessments_visible_to(actor(username)).values_list("title", flat=True))

    assert AMBER_TITLE in titles("arena-operator")
    assert AMBER_TITLE not in titles("vierdaagse-operator")
    assert AMBER_TITLE not in titles("amsterdam-police")
    grant = ThreatAssessmentGroupGrant.all_grants.get(content_object__title=AMBER_TITLE)
    assert grant.covenant.title == "Convenant veiligheid Johan Cruijff ArenA"
    assert grant.organisation.name == "Johan Cruijff ArenA" and grant.reason
    assert len(titles("nctv-analyst")) == 5


def test_no_demo_covenant_allows_amber_strict_or_red_so_those_stay_unshared(seeded):
    # The demo covenants allow at most TLP:AMBER (see partnerships/demo.py).
    assert not ThreatAssessmentGroupGrant.all_grants.filter(content_object__tlp="amber_strict")
    assert not ThreatAssessmentUserGrant.all_grants.exists()


def test_partnership_peers_see_each_others_targets_by_name(seeded):
    arena_sees = set(
        soft_targets_visible_to(actor("arena-operator")).values_list("name", flat=True)
    )
    assert {"Johan Cruijff ArenA", "Museumplein Amsterdam"} <= arena_sees
    assert "Nijmeegse Vierdaagse" not in arena_sees


def test_a_report_in_each_state(seeded):
    reports = {r.status: r for r in Report.objects.all()}
    assert set(reports) == {"new", "in_review", "closed"}
    in_review = reports["in_review"]
    authors = [reply.author.username for reply in in_review.replies.all()]
    assert authors == ["nctv-analyst", "vierdaagse-operator"]
    assert reports["closed"].replies.exists()
    assert reports["new"].soft_target.name == "Johan Cruijff ArenA"


def test_seeding_twice_leaves_the_same_data(seeded):
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first


def test_seeding_again_on_a_later_day_moves_dates_but_adds_nothing(seeded):
    before = {model.__name__: model.objects.count() for model in MODELS}
    later = timezone.localdate() + timedelta(days=200)
    with freeze_time(later):
        call_command("seed_demo")
        after = {model.__name__: model.objects.count() for model in MODELS}
        event = SoftTarget.objects.get(name="Nijmeegse Vierdaagse")
        assert timezone.localtime(event.event_start).year == later.year + 1
        amber = ThreatAssessment.objects.get(title=AMBER_TITLE)
        assert amber.valid_from == later - timedelta(days=10)
        titles = set(
            assessments_visible_to(actor("arena-operator")).values_list("title", flat=True)
        )
    assert after == before
    assert AMBER_TITLE in titles  # the demo covenant moved along with the dates: still in force
