"""The writes of the threat picture: who may do what, and bad input refused with a clear message
and nothing half-saved."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from partnerships.services import partnerships as partnership_services
from tests.partnerships.helpers import make_partnership
from tests.threats.targets_world import (
    PDF,
    build_world,
    event_window,
    make_target,
    sector,
    target_fields,
)
from threats import services
from threats.models import (
    AlertLevel,
    AssessmentFacet,
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
)
from threats.models.targets import MAX_CAPACITY
from threats.selectors import sector_level_of, sectors_with_levels, threat_level_current

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages_of(excinfo, field):
    return excinfo.value.message_dict[field]


# --- National threat level (DTN) ------------------------------------------------------------------


def test_staff_set_the_threat_level_with_history_and_who_set_it(w):
    first = services.threat_level_set(level=3, rationale="Dreiging aanzienlijk", by=w.staff)
    second = services.threat_level_set(level=4, rationale="  Nieuwe analyse  ", by=w.staff)
    assert threat_level_current() == second
    assert second.rationale == "Nieuwe analyse" and second.set_by == w.staff
    assert list(NationalThreatLevel.objects.all()) == [second, first]  # newest first


def test_a_regional_level_is_current_for_its_region_only(w):
    services.threat_level_set(level=4, rationale="Landelijk", by=w.staff)
    regional = services.threat_level_set(
        level=5, rationale="Concrete dreiging", region="Amsterdam-Amstelland", by=w.staff
    )
    assert threat_level_current("Amsterdam-Amstelland") == regional
    assert threat_level_current("Gelderland-Zuid").level == 4  # falls back to the national level
    assert threat_level_current().level == 4


@pytest.mark.parametrize("user", ["a", "a_viewer", "b"])
def test_only_staff_set_the_threat_level(w, user):
    with pytest.raises(PermissionDenied):
        services.threat_level_set(level=5, rationale="Nee", by=w.users[user])
    assert not NationalThreatLevel.objects.exists()


@pytest.mark.parametrize(
    ("level", "rationale", "field"),
    [(4, "", "rationale"), (4, "   ", "rationale"), (6, "Te hoog", "level"), (0, "Nul", "level")],
)
def test_a_threat_level_needs_a_known_level_and_a_rationale(w, level, rationale, field):
    with pytest.raises(ValidationError) as excinfo:
        services.threat_level_set(level=level, rationale=rationale, by=w.staff)
    assert messages_of(excinfo, field)
    assert not NationalThreatLevel.objects.exists()


# --- Sectors and ATb levels ---------------------------------------------------------------------


def test_staff_create_a_sector_that_starts_at_the_basic_level(w):
    created = services.sector_create(code="zoo", name="Dierentuin", name_en="Zoo", by=w.staff)
    assert created.alert_levels.get().level == AlertLevel.BASISNIVEAU
    assert created.alert_levels.get().set_by == w.staff
    assert sector_level_of("zoo") == AlertLevel.BASISNIVEAU


@pytest.mark.parametrize("code", ["Zoo", "9zoo", "zoo park", ""])
def test_a_sector_code_is_lowercase_letters_digits_and_underscores(w, code):
    with pytest.raises(ValidationError) as excinfo:
        services.sector_create(code=code, name="Dierentuin", name_en="Zoo", by=w.staff)
    assert messages_of(excinfo, "code")
    assert not Sector.objects.filter(name="Dierentuin").exists()


def test_a_sector_code_is_unique(w):
    with pytest.raises(ValidationError) as excinfo:
        services.sector_create(code="museum", name="Nog een", name_en="Another", by=w.staff)
    assert messages_of(excinfo, "code")
    assert Sector.objects.filter(code="museum").count() == 1


def test_only_staff_create_sectors_and_set_their_level(w):
    with pytest.raises(PermissionDenied):
        services.sector_create(code="zoo", name="Dierentuin", name_en="Zoo", by=w.users["a"])
    with pytest.raises(PermissionDenied):
        services.sector_level_set(
            sector=sector(), level=AlertLevel.HOGE_DREIGING, rationale="", by=w.users["a"]
        )
    assert not Sector.objects.filter(code="zoo").exists()
    assert sector_level_of("football_stadium") == AlertLevel.BASISNIVEAU


def test_a_sectors_level_keeps_its_history_and_the_newest_is_current(w):
    stadium = sector()
    services.sector_level_set(
        sector=stadium, level=AlertLevel.MATIGE_DREIGING, rationale="Derby", by=w.staff
    )
    newest = services.sector_level_set(
        sector=stadium, level=AlertLevel.LICHTE_DREIGING, rationale="Afgeschaald", by=w.staff
    )
    assert sector_level_of("football_stadium") == AlertLevel.LICHTE_DREIGING
    history = list(SectorAlertLevel.objects.filter(sector=stadium).values_list("level", flat=True))
    assert history == ["lichte_dreiging", "matige_dreiging", "basisniveau"]
    annotated = sectors_with_levels().get(code="football_stadium")
    assert annotated.current_level == "lichte_dreiging"
    assert annotated.current_level_set_at == newest.set_at


def test_an_unknown_alert_level_is_refused(w):
    with pytest.raises(ValidationError) as excinfo:
        services.sector_level_set(sector=sector(), level="oranje", rationale="", by=w.staff)
    assert messages_of(excinfo, "level")
    assert SectorAlertLevel.objects.filter(sector=sector()).count() == 1


# --- Measure packages ---------------------------------------------------------------------------


def test_a_measure_package_is_one_per_sector_and_level_and_replaced_as_a_whole(w):
    services.measure_package_set(
        sector=sector(), level="basisniveau", measures=["cctv", "staff_training"], by=w.staff
    )
    package = services.measure_package_set(
        sector=sector(),
        level="basisniveau",
        measures=["bag_checks", "cctv", "bag_checks"],
        notes="Tassencontrole bij elke wedstrijd",
        by=w.staff,
    )
    assert MeasurePackage.objects.filter(sector=sector()).count() == 1
    assert package.measures == ["bag_checks", "cctv"]  # in order, repeats dropped
    assert package.notes == "Tassencontrole bij elke wedstrijd"


def test_a_measure_package_takes_only_catalogue_measures_and_known_levels(w):
    with pytest.raises(ValidationError) as excinfo:
        services.measure_package_set(
            sector=sector(), level="basisniveau", measures=["cctv", "drones"], by=w.staff
        )
    assert messages_of(excinfo, "measures") == ["Unknown values: drones."]
    with pytest.raises(ValidationError) as excinfo:
        services.measure_package_set(sector=sector(), level="rood", measures=[], by=w.staff)
    assert messages_of(excinfo, "level") == ["Unknown alert level."]
    with pytest.raises(PermissionDenied):
        services.measure_package_set(
            sector=sector(), level="basisniveau", measures=[], by=w.users["a"]
        )
    assert not MeasurePackage.objects.exists()


# --- Threat assessments -------------------------------------------------------------------------


def _assessment(w, **overrides):
    fields = {
        "by": w.staff,
        "title": "Dreiging tegen stadions",
        "summary": "Jihadistische oproepen tot aanslagen op stadions.",
        "valid_from": timezone.localdate() - timedelta(days=1),
        "valid_until": timezone.localdate() + timedelta(days=90),
        "tlp": "amber",
        "motives": ["jihadism", "lone_actor_unknown"],
        "modi": ["stabbing", "vehicle_ramming"],
        "target_categories": [sector(), sector("event_grounds")],
        "regions": ["Amsterdam-Amstelland"],
        "recommended_measures": ["bag_checks", "hostile_vehicle_barriers"],
    }
    fields.update(overrides)
    return services.assessment_create(**fields)


def _facets(assessment):
    return sorted(assessment.facets.values_list("kind", "code"))


def test_staff_write_an_assessment_with_motives_modi_and_categories(w):
    assessment = _assessment(w)
    assert assessment.owner_organisation.is_nctv and assessment.created_by == w.staff
    assert _facets(assessment) == [
        ("modus_operandi", "stabbing"),
        ("modus_operandi", "vehicle_ramming"),
        ("motive", "jihadism"),
        ("motive", "lone_actor_unknown"),
    ]
    assert set(assessment.target_categories.values_list("code", flat=True)) == {
        "football_stadium",
        "event_grounds",
    }
    assert assessment.regions == ["Amsterdam-Amstelland"]
    assert assessment.recommended_measures == ["bag_checks", "hostile_vehicle_barriers"]


def test_only_staff_write_assessments(w):
    with pytest.raises(PermissionDenied):
        _assessment(w, by=w.users["a"])
    assert not ThreatAssessment.objects.exists()


def test_an_assessment_cannot_end_before_it_starts(w):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        _assessment(w, valid_from=today, valid_until=today - timedelta(days=1))
    assert messages_of(excinfo, "valid_until") == ["'Valid until' cannot be before 'valid from'."]
    assert not ThreatAssessment.objects.exists()
    assert _assessment(w, valid_from=today, valid_until=today).valid_until == today


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"motives": ["jihadism", "boredom"]}, "motives"),
        ({"modi": ["poison_pen"]}, "modus_operandi"),
        ({"recommended_measures": ["moat"]}, "recommended_measures"),
        ({"tlp": "purple"}, "tlp"),
        ({"title": ""}, "title"),
    ],
)
def test_unknown_values_in_an_assessment_are_refused_and_nothing_is_saved(w, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        _assessment(w, **overrides)
    assert messages_of(excinfo, field)
    assert not ThreatAssessment.objects.exists()
    assert not AssessmentFacet.objects.exists()


def test_an_assessment_about_a_sector_that_does_not_exist_is_refused(w):
    ghost = Sector(pk=999_999, code="ghost", name="Spook", name_en="Ghost")
    with pytest.raises(ValidationError) as excinfo:
        _assessment(w, target_categories=[sector(), ghost])
    assert messages_of(excinfo, "target_categories") == ["Unknown categories: Ghost."]
    with pytest.raises(ValidationError):
        _assessment(w, target_categories=[999_999])
    assert not ThreatAssessment.objects.exists()
    assessment = _assessment(w, target_categories=[sector().pk])
    with pytest.raises(ValidationError):
        services.assessment_update(assessment=assessment, by=w.staff, target_categories=[ghost])
    assert list(assessment.target_categories.all()) == [sector()]


def test_updating_an_assessment_changes_only_what_is_given(w):
    assessment = _assessment(w)
    services.assessment_update(
        assessment=assessment,
        by=w.staff,
        title="Dreiging tegen stadions (herzien)",
        motives=["right_wing_extremism"],
        target_categories=[sector("museum")],
    )
    assessment.refresh_from_db()
    assert assessment.title == "Dreiging tegen stadions (herzien)"
    assert _facets(assessment) == [
        ("modus_operandi", "stabbing"),
        ("modus_operandi", "vehicle_ramming"),
        ("motive", "right_wing_extremism"),
    ]
    assert list(assessment.target_categories.values_list("code", flat=True)) == ["museum"]
    services.assessment_update(assessment=assessment, by=w.staff, modi=[])
    assert _facets(assessment) == [("motive", "right_wing_extremism")]


def test_a_refused_update_leaves_the_assessment_as_it_was(w):
    assessment = _assessment(w)
    before = (_facets(assessment), assessment.valid_until)
    with pytest.raises(ValidationError):
        services.assessment_update(
            assessment=ThreatAssessment.objects.get(pk=assessment.pk),
            by=w.staff,
            valid_until=assessment.valid_from - timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        services.assessment_update(
            assessment=ThreatAssessment.objects.get(pk=assessment.pk),
            by=w.staff,
            title="Nieuwe titel",
            motives=["unknown_motive"],
        )
    fresh = ThreatAssessment.objects.get(pk=assessment.pk)
    assert (_facets(fresh), fresh.valid_until) == before
    assert fresh.title == "Dreiging tegen stadions"
    with pytest.raises(PermissionDenied):
        services.assessment_update(assessment=fresh, by=w.users["a"], title="Nee")
    with pytest.raises(TypeError):
        services.assessment_update(assessment=fresh, by=w.staff, owner_organisation=w.orgs["A"])


# --- Soft targets: registering ------------------------------------------------------------------


def test_an_operator_registers_a_soft_target_for_its_own_organisation(w):
    services.measure_package_set(
        sector=sector(), level="hoge_dreiging", measures=["bag_checks", "lockdown"], by=w.staff
    )
    target = make_target(
        w.users["a"],
        partnership=w.partnership,
        measures=[{"measure": "cctv", "status": "in_place", "last_reviewed": date(2025, 1, 6)}],
    )
    assert target.operator == w.orgs["A"] and target.created_by == w.users["a"]
    assert target.vulnerability_tlp == "amber_strict"  # the default for vulnerability notes
    assert list(target.measures.values_list("measure", "status")) == [("cctv", "in_place")]
    steps = dict(target.scale_up.values_list("level", "measures"))
    assert steps == {
        "basisniveau": [],
        "lichte_dreiging": [],
        "matige_dreiging": [],
        "hoge_dreiging": ["bag_checks", "lockdown"],
    }


def test_viewers_cannot_register_soft_targets(w):
    with pytest.raises(PermissionDenied):
        make_target(w.users["a_viewer"])
    assert not SoftTarget.objects.exists()


def test_only_staff_name_another_operator(w):
    with pytest.raises(PermissionDenied):
        make_target(w.users["b"], operator=w.orgs["A"])
    target = make_target(w.staff, operator=w.orgs["A"], partnership=w.partnership)
    assert target.operator == w.orgs["A"]


def test_the_partnership_must_be_one_the_operator_sits_in(w):
    other = make_partnership(name="PPS elders", operator_org=w.orgs["C"])
    with pytest.raises(ValidationError) as excinfo:
        make_target(w.users["a"], partnership=other)
    assert messages_of(excinfo, "partnership") == [
        "Your organisation is not a member of this partnership."
    ]
    member = w.partnership.members.get(organisation=w.orgs["A"], role="coordinator")
    partnership_services.partnership_member_leave(member=member)
    member = w.partnership.members.get(organisation=w.orgs["A"], role="venue_operator")
    partnership_services.partnership_member_leave(member=member)
    with pytest.raises(ValidationError):
        make_target(w.users["a"], partnership=w.partnership)  # A has left it
    assert not SoftTarget.objects.exists()


def _no_constraint_jargon(excinfo):
    for message in excinfo.value.messages:
        assert "Constraint" not in message, message


BAD_TARGETS = [
    pytest.param({"capacity": -5}, "capacity", id="negative capacity"),
    pytest.param({"capacity": 0}, "capacity", id="no capacity"),
    pytest.param({"capacity": MAX_CAPACITY + 1}, "capacity", id="absurd capacity"),
    pytest.param({"latitude": Decimal("91")}, "latitude", id="latitude 91"),
    pytest.param({"latitude": Decimal("-90.5")}, "latitude", id="latitude -90.5"),
    pytest.param({"longitude": Decimal("181")}, "longitude", id="longitude 181"),
    pytest.param({"name": ""}, "name", id="no name"),
    pytest.param({"municipality": ""}, "municipality", id="no municipality"),
    pytest.param({"security_contact_phone": ""}, "security_contact_phone", id="no 24/7 phone"),
    pytest.param({"vulnerability_tlp": "black"}, "vulnerability_tlp", id="unknown TLP"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_TARGETS)
def test_bad_soft_target_input_is_refused_clearly_and_nothing_is_saved(w, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        make_target(w.users["a"], measures=[{"measure": "cctv", "status": "in_place"}], **overrides)
    assert messages_of(excinfo, field)
    _no_constraint_jargon(excinfo)
    assert not SoftTarget.objects.exists()
    assert not SecurityMeasure.objects.exists()
    assert not ScaleUpStep.objects.exists()


def test_capacity_from_one_up_to_the_maximum_is_accepted(w):
    assert make_target(w.users["a"], name="Klein", capacity=1).capacity == 1
    assert make_target(w.users["a"], name="Groot", capacity=MAX_CAPACITY).capacity == MAX_CAPACITY


def test_coordinates_at_the_edges_of_the_earth_are_accepted(w):
    target = make_target(w.users["a"], latitude=Decimal("-90"), longitude=Decimal("180"))
    assert (target.latitude, target.longitude) == (Decimal("-90"), Decimal("180"))


def test_an_unknown_category_cannot_be_given(w):
    ghost = Sector(pk=999_999, code="ghost", name="Spook", name_en="Ghost")
    with pytest.raises(ValidationError) as excinfo:
        make_target(w.users["a"], category=ghost)
    assert messages_of(excinfo, "category")
    with pytest.raises(ValidationError) as excinfo:
        make_target(w.users["a"], category=Sector(code="unsaved", name="X", name_en="X"))
    assert messages_of(excinfo, "category")
    assert not SoftTarget.objects.exists()


def test_an_event_cannot_end_before_it_starts(w):
    start, _end = event_window()
    for end in (start - timedelta(hours=1), start):
        with pytest.raises(ValidationError) as excinfo:
            make_target(w.users["a"], is_event=True, event_start=start, event_end=end)
        assert messages_of(excinfo, "event_end") == ["An event cannot end before it starts."]
        _no_constraint_jargon(excinfo)
    assert not SoftTarget.objects.exists()


@pytest.mark.parametrize("missing", ["event_start", "event_end", "both"])
def test_an_event_needs_a_start_and_an_end(w, missing):
    start, end = event_window()
    dates = {"event_start": start, "event_end": end}
    for name in ("event_start", "event_end") if missing == "both" else (missing,):
        dates[name] = None
    with pytest.raises(ValidationError) as excinfo:
        make_target(w.users["a"], is_event=True, **dates)
    assert messages_of(excinfo, "event_start") == ["An event needs a start and an end."]
    _no_constraint_jargon(excinfo)
    assert not SoftTarget.objects.exists()


def test_a_multi_day_event_is_registered_and_a_venue_has_no_event_dates(w):
    start, end = event_window(length_days=4)
    event = make_target(
        w.users["a"], name="Vierdaagse", is_event=True, event_start=start, event_end=end
    )
    assert (event.event_end - event.event_start).days == 4
    venue = make_target(w.users["a"], name="Stadion", event_start=start, event_end=end)
    venue.refresh_from_db()
    assert venue.event_start is None and venue.event_end is None


def test_a_measure_outside_the_catalogue_is_refused_and_nothing_is_saved(w):
    with pytest.raises(ValidationError) as excinfo:
        make_target(
            w.users["a"],
            measures=[
                {"measure": "cctv", "status": "in_place"},
                {"measure": "moat", "status": "in_place"},
            ],
        )
    assert messages_of(excinfo, "measure") == ["'moat' is not in the catalogue of measures."]
    assert not SoftTarget.objects.exists() and not SecurityMeasure.objects.exists()


def test_a_review_date_in_the_future_is_refused_and_nothing_is_saved(w):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        make_target(
            w.users["a"],
            measures=[{"measure": "cctv", "status": "in_place", "last_reviewed": tomorrow}],
        )
    assert messages_of(excinfo, "last_reviewed") == ["A review date cannot be in the future."]
    assert not SoftTarget.objects.exists()
    target = make_target(w.users["a"])
    with pytest.raises(ValidationError):
        services.soft_target_set_measure(
            soft_target=target,
            by=w.users["a"],
            measure="cctv",
            status="in_place",
            last_reviewed=tomorrow,
        )
    assert not target.measures.exists()


def test_an_unknown_measure_status_is_refused(w):
    target = make_target(w.users["a"])
    with pytest.raises(ValidationError) as excinfo:
        services.soft_target_set_measure(
            soft_target=target, by=w.users["a"], measure="cctv", status="maybe"
        )
    assert messages_of(excinfo, "status") == ["Unknown status."]
    assert not target.measures.exists()


def test_evidence_must_be_a_pdf(w):
    target = make_target(w.users["a"])
    image = SimpleUploadedFile(
        "bewijs.pdf", b"\x89PNG\r\n\x1a\n....", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.soft_target_set_measure(
            soft_target=target, by=w.users["a"], measure="cctv", status="in_place", evidence=image
        )
    assert messages_of(excinfo, "evidence") == [
        "The document is not a PDF file. Upload the signed document as PDF."
    ]
    assert not target.measures.exists()
    with pytest.raises(ValidationError):
        make_target(
            w.users["a"],
            name="Tweede",
            measures=[{"measure": "cctv", "status": "in_place", "evidence": image}],
        )
    assert SoftTarget.objects.count() == 1
    pdf = SimpleUploadedFile("schouw.pdf", PDF, content_type="application/pdf")
    row = services.soft_target_set_measure(
        soft_target=target, by=w.users["a"], measure="cctv", status="in_place", evidence=pdf
    )
    assert row.evidence.name.startswith(f"evidence/{target.public_id}/")
    assert row.evidence.read().startswith(b"%PDF-")


def test_setting_a_measure_again_changes_its_one_row(w):
    target = make_target(w.users["a"])
    services.soft_target_set_measure(
        soft_target=target, by=w.users["a"], measure="cctv", status="planned"
    )
    reviewed = timezone.localdate()
    services.soft_target_set_measure(
        soft_target=target,
        by=w.users["a"],
        measure="cctv",
        status="in_place",
        last_reviewed=reviewed,
    )
    assert list(target.measures.values_list("measure", "status", "last_reviewed")) == [
        ("cctv", "in_place", reviewed)
    ]


# --- Soft targets: changing ---------------------------------------------------------------------


def test_the_operator_changes_its_soft_target(w):
    target = make_target(w.users["a"])
    services.soft_target_update(soft_target=target, by=w.users["a"], capacity=799, name="Zaal")
    target.refresh_from_db()
    assert (target.name, target.capacity, target.capacity_tier) == ("Zaal", 799, "standard")


@pytest.mark.parametrize("user", ["a_viewer", "b", "c"])
def test_others_cannot_change_a_soft_target(w, user):
    target = make_target(w.users["a"], partnership=w.partnership)
    with pytest.raises(PermissionDenied):
        services.soft_target_update(soft_target=target, by=w.users[user], capacity=10)
    with pytest.raises(PermissionDenied):
        services.soft_target_set_measure(
            soft_target=target, by=w.users[user], measure="cctv", status="in_place"
        )
    with pytest.raises(PermissionDenied):
        services.scale_up_set(
            soft_target=target, by=w.users[user], level="basisniveau", measures=[]
        )
    target.refresh_from_db()
    assert target.capacity == 5000 and not target.measures.exists()


def test_staff_may_change_any_soft_target(w):
    target = make_target(w.users["a"])
    services.soft_target_update(soft_target=target, by=w.staff, region="Haaglanden")
    target.refresh_from_db()
    assert target.region == "Haaglanden"


@pytest.mark.parametrize(("overrides", "field"), BAD_TARGETS)
def test_a_refused_change_leaves_the_soft_target_as_it_was(w, overrides, field):
    target = make_target(w.users["a"])
    with pytest.raises(ValidationError) as excinfo:
        services.soft_target_update(soft_target=target, by=w.users["a"], **overrides)
    assert messages_of(excinfo, field)
    _no_constraint_jargon(excinfo)
    fresh = SoftTarget.objects.get(pk=target.pk)
    assert {name: getattr(fresh, name) for name in target_fields()} == target_fields()


def test_a_refused_event_change_leaves_the_soft_target_as_it_was(w):
    target = make_target(w.users["a"])
    start, _end = event_window()
    with pytest.raises(ValidationError) as excinfo:
        services.soft_target_update(
            soft_target=target,
            by=w.users["a"],
            is_event=True,
            event_start=start,
            event_end=start - timedelta(days=1),
        )
    _no_constraint_jargon(excinfo)
    assert SoftTarget.objects.get(pk=target.pk).is_event is False


def test_unknown_fields_are_a_programming_error(w):
    with pytest.raises(TypeError):
        make_target(w.users["a"], operator_name="Iemand")
    target = make_target(w.users["a"])
    with pytest.raises(TypeError):
        services.soft_target_update(soft_target=target, by=w.users["a"], operator=w.orgs["C"])


# --- Scale-up scenario --------------------------------------------------------------------------


def _packages(w, code="football_stadium"):
    ladder = {
        "basisniveau": ["staff_training"],
        "lichte_dreiging": ["staff_training", "cctv"],
        "matige_dreiging": ["staff_training", "cctv", "bag_checks"],
        "hoge_dreiging": ["staff_training", "cctv", "bag_checks", "lockdown", "access_control"],
    }
    for level, measures in ladder.items():
        services.measure_package_set(
            sector=sector(code), level=level, measures=measures, by=w.staff
        )
    return ladder


def test_the_scale_up_scenario_starts_from_the_sectors_packages(w):
    ladder = _packages(w)
    target = make_target(w.users["a"])
    assert dict(target.scale_up.values_list("level", "measures")) == ladder
    assert target.scale_up.count() == len(AlertLevel.values)


def test_the_operator_tailors_the_scenario_per_level(w):
    ladder = _packages(w)
    target = make_target(w.users["a"])
    step = services.scale_up_set(
        soft_target=target,
        by=w.users["a"],
        level="matige_dreiging",
        measures=["access_control", "cctv", "access_control"],
        notes="Extra toegangspoortjes",
        omissions={"staff_training": "Iedereen is al getraind bij lichte dreiging."},
    )
    assert step.measures == ["access_control", "cctv"] and step.notes == "Extra toegangspoortjes"
    steps = dict(target.scale_up.values_list("level", "measures"))
    assert steps["matige_dreiging"] == ["access_control", "cctv"]
    assert steps["hoge_dreiging"] == ladder["hoge_dreiging"]  # other levels untouched
    assert target.scale_up.count() == 4


def test_a_tailored_scenario_refuses_unknown_measures_and_levels(w):
    target = make_target(w.users["a"])
    with pytest.raises(ValidationError) as excinfo:
        services.scale_up_set(
            soft_target=target, by=w.users["a"], level="hoge_dreiging", measures=["moat"]
        )
    assert messages_of(excinfo, "measures") == ["Unknown values: moat."]
    with pytest.raises(ValidationError) as excinfo:
        services.scale_up_set(soft_target=target, by=w.users["a"], level="rood", measures=[])
    assert messages_of(excinfo, "level") == ["Unknown alert level."]
    assert target.scale_up.get(level="hoge_dreiging").measures == []


def test_a_category_change_keeps_the_operators_tailoring(w):
    ladder = _packages(w)
    _packages(w, "event_grounds")
    target = make_target(w.users["a"])
    tailored = [*ladder["hoge_dreiging"], "first_aid"]
    services.scale_up_set(
        soft_target=target, by=w.users["a"], level="hoge_dreiging", measures=tailored
    )
    services.soft_target_update(
        soft_target=target, by=w.users["a"], category=sector("event_grounds")
    )
    assert target.scale_up.get(level="hoge_dreiging").measures == tailored
    assert target.scale_up.count() == 4


# --- Reports back to government -----------------------------------------------------------------


def _report(w, by=None, target=None, **overrides):
    fields = {
        "kind": "suspicious_situation",
        "what": "Man filmt de toegangen en vraagt naar de diensttijden.",
        "occurred_at": timezone.now() - timedelta(hours=2),
        "location": "Zuidingang",
    }
    fields.update(overrides)
    return services.report_create(
        by=by or w.users["a"], soft_target=target or make_target(w.users["a"]), **fields
    )


def test_an_operator_reports_about_its_own_soft_target(w):
    report = _report(w)
    assert report.status == "new" and report.tlp == "amber"
    assert report.reporter == w.users["a"] and report.reporter_organisation == w.orgs["A"]


def test_a_report_is_only_about_the_organisations_own_soft_targets(w):
    target = make_target(w.users["a"], partnership=w.partnership)
    for user in ("b", "c"):
        with pytest.raises(ValidationError) as excinfo:
            _report(w, by=w.users[user], target=target)
        assert messages_of(excinfo, "soft_target") == [
            "Report only about your own organisation's soft targets."
        ]
    with pytest.raises(PermissionDenied):
        _report(w, by=w.users["a_viewer"], target=target)
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": timezone.now() + timedelta(hours=1)}, "occurred_at"),
        ({"kind": "rumour"}, "kind"),
        ({"what": ""}, "what"),
        ({"tlp": "black"}, "tlp"),
    ],
)
def test_a_bad_report_is_refused(w, overrides, field):
    target = make_target(w.users["a"])
    with pytest.raises(ValidationError) as excinfo:
        _report(w, target=target, **overrides)
    assert messages_of(excinfo, field)
    assert not Report.objects.exists()


def test_a_report_about_the_future_says_so(w):
    with pytest.raises(ValidationError) as excinfo:
        _report(w, occurred_at=timezone.now() + timedelta(minutes=5))
    assert messages_of(excinfo, "occurred_at") == ["A report cannot be about the future."]


def test_only_staff_triage_reports(w):
    report = _report(w)
    for user in ("a", "b"):
        with pytest.raises(PermissionDenied):
            services.report_triage(report=report, status="closed", by=w.users[user])
    services.report_triage(report=report, status="in_review", by=w.staff)
    assert Report.objects.get(pk=report.pk).status == "in_review"
    with pytest.raises(ValidationError) as excinfo:
        services.report_triage(report=report, status="archived", by=w.staff)
    assert messages_of(excinfo, "status") == ["Unknown status."]
    assert Report.objects.get(pk=report.pk).status == "in_review"


def test_staff_and_the_reporting_organisations_writers_reply(w):
    report = _report(w)
    services.report_reply(report=report, body="Dank, we kijken mee.", by=w.staff)
    services.report_reply(report=report, body="  Beelden staan klaar.  ", by=w.users["a"])
    assert list(report.replies.values_list("author__username", "body")) == [
        ("staff", "Dank, we kijken mee."),
        ("a-admin", "Beelden staan klaar."),
    ]
    for user in ("a_viewer", "b", "c"):
        with pytest.raises(PermissionDenied):
            services.report_reply(report=report, body="Ik ook", by=w.users[user])
    with pytest.raises(ValidationError) as excinfo:
        services.report_reply(report=report, body="   ", by=w.staff)
    assert messages_of(excinfo, "body") == ["Write a reply."]
    assert report.replies.count() == 2


def test_a_closed_report_refuses_partner_replies_but_not_staff(w):
    report = _report(w)
    services.report_triage(report=report, status="closed", by=w.staff)
    with pytest.raises(ValidationError) as excinfo:
        services.report_reply(report=report, body="Nog iets", by=w.users["a"])
    assert messages_of(excinfo, "body") == ["This report is closed."]
    services.report_reply(report=report, body="Afgesloten: geen dreiging.", by=w.staff)
    assert list(ReportReply.objects.values_list("body", flat=True)) == [
        "Afgesloten: geen dreiging."
    ]
