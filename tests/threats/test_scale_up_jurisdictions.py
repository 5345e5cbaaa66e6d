"""A soft target's scale-up scenario climbs its own authority's levels: the ATb levels for a Dutch
target, OCAM/OCAD's 1 to 4 for a Belgian one. The service refuses a level of another authority;
the climb rule runs over the target's own order; the admin, the API and the dashboard offer only
the target's levels; the Diamantkwartier's demo scenario is in OCAM levels."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests import signin
from tests.factories import OrganisationFactory, UserFactory
from tests.threats.targets_world import build_world, make_target, sector
from tests.threats.test_admin import form_data, form_errors, url
from threats import services
from threats.demo.cases import case_targets
from threats.jurisdictions import scale_up_levels
from threats.models import AlertLevel
from threats.rules import ScaleUpOmission, scale_up_unexplained

OCAM = ["ocam_1", "ocam_2", "ocam_3", "ocam_4"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def awdc_operator(db):
    awdc = OrganisationFactory(
        name="AWDC", sector="shopping_area", country="BE", region="Antwerpen"
    )
    return UserFactory(username="awdc-operator", organisation=awdc, role="admin")


@pytest.fixture
def district(awdc_operator):
    return make_target(awdc_operator, name="Diamantkwartier", category=sector("shopping_area"))


# --- the levels of each jurisdiction ------------------------------------------------------------


def test_each_jurisdiction_climbs_its_own_authoritys_levels():
    assert [value for value, _label in scale_up_levels("nl")] == AlertLevel.values
    assert [value for value, _label in scale_up_levels("be")] == OCAM
    with translation.override("en"):
        assert str(scale_up_levels("be")[3][1]) == "OCAM level 4 — very serious"


def test_the_climb_rule_runs_over_the_order_it_is_given():
    steps = {
        "ocam_2": {"measures": ["cctv", "bag_checks"]},
        "ocam_3": {"measures": ["cctv"]},
        "ocam_4": {"measures": ["cctv", "bag_checks"]},
    }
    assert scale_up_unexplained(steps, OCAM) == [
        ScaleUpOmission(measure="bag_checks", asked_at="ocam_2", level="ocam_3")
    ]
    assert scale_up_unexplained(steps) == []  # the ATb order does not know OCAM's levels


# --- the service ---------------------------------------------------------------------------------


def test_a_belgian_target_starts_with_ocams_levels_and_a_dutch_one_with_the_atb(district):
    assert sorted(district.scale_up.values_list("level", flat=True)) == OCAM
    w = build_world()
    dutch = make_target(w.users["a"])
    assert sorted(dutch.scale_up.values_list("level", flat=True)) == sorted(AlertLevel.values)


def test_the_service_refuses_an_atb_level_for_a_belgian_target(district, awdc_operator):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.scale_up_set(
            soft_target=district, by=awdc_operator, level="hoge_dreiging", measures=["cctv"]
        )
    [message] = refused.value.message_dict["level"]
    assert "not a level of this target's own authority (OCAM/OCAD)" in message
    assert not district.scale_up.filter(level="hoge_dreiging").exists()
    with translation.override("nl"), pytest.raises(ValidationError, match="eigen autoriteit"):
        services.scale_up_set(
            soft_target=district, by=awdc_operator, level="hoge_dreiging", measures=["cctv"]
        )


def test_the_service_refuses_an_ocam_level_for_a_dutch_target():
    w = build_world()
    target = make_target(w.users["a"])
    with pytest.raises(ValidationError):
        services.scale_up_set(soft_target=target, by=w.users["a"], level="ocam_4", measures=[])
    assert not target.scale_up.filter(level="ocam_4").exists()


def test_a_belgian_scenario_must_climb_ocams_order(district, awdc_operator):
    services.scale_up_set(
        soft_target=district, by=awdc_operator, level="ocam_4", measures=["cctv", "bag_checks"]
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.scale_up_set(
            soft_target=district,
            by=awdc_operator,
            level="ocam_3",
            measures=["cctv", "bag_checks", "lockdown"],
        )
    [message] = refused.value.message_dict["ocam_4"]
    assert "OCAM level 4 — very serious" in message and "OCAM level 3 — serious" in message
    assert district.scale_up.get(level="ocam_3").measures == []  # nothing saved
    services.scale_up_replace(
        soft_target=district,
        by=awdc_operator,
        steps={
            "ocam_3": {"measures": ["cctv", "bag_checks", "lockdown"]},
            "ocam_4": {
                "measures": ["cctv", "bag_checks"],
                "omissions": {"lockdown": "De politie sluit de wijk af."},
            },
        },
    )
    assert district.scale_up.get(level="ocam_4").omissions == {
        "lockdown": "De politie sluit de wijk af."
    }


# --- the API -------------------------------------------------------------------------------------


def _api(client, user):
    signin.sign_in(client, user)
    return client


def test_the_api_shows_and_takes_only_the_targets_own_levels(client, district, awdc_operator):
    api = _api(client, awdc_operator)
    detail = f"/api/v1/soft-targets/{district.public_id}/"
    response = api.get(detail)
    assert response.status_code == 200, response.content
    assert list(response.json()["scale_up"]) == OCAM

    response = api.patch(
        detail,
        {"scale_up": {"hoge_dreiging": ["cctv"]}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    [message] = response.json()["scale_up.level"]
    assert "OCAM/OCAD" in message
    assert not district.scale_up.filter(level="hoge_dreiging").exists()

    response = api.patch(
        detail, {"scale_up": {"ocam_4": ["cctv"]}}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["scale_up"]["ocam_4"] == ["cctv"]


def test_a_belgian_operator_registering_with_atb_levels_gets_a_400_and_nothing(
    client, awdc_operator
):
    from threats.models import SoftTarget

    payload = {
        "name": "Beurs Antwerpen",
        "category": "shopping_area",
        "address": "Pelikaanstraat 1",
        "municipality": "Antwerpen",
        "region": "Antwerpen",
        "latitude": 51.2172,
        "longitude": 4.4214,
        "capacity": 900,
        "security_contact_name": "Meldpunt",
        "security_contact_phone": "+32 3 000 0200",
        "vulnerability_notes": "Open zijstraat.",
        "scale_up": {"matige_dreiging": ["cctv"]},
    }
    api = _api(client, awdc_operator)
    response = api.post("/api/v1/soft-targets/", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "scale_up.level" in response.json()
    assert not SoftTarget.objects.filter(name="Beurs Antwerpen").exists()

    payload["scale_up"] = {level: ["cctv"] for level in OCAM[1:]}  # a scenario that climbs
    response = api.post("/api/v1/soft-targets/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["scale_up"]["ocam_2"] == ["cctv"]


def test_the_api_shows_a_dutch_target_the_atb_levels(client):
    w = build_world()
    target = make_target(w.users["a"])
    response = _api(client, w.users["a"]).get(f"/api/v1/soft-targets/{target.public_id}/")
    assert list(response.json()["scale_up"]) == AlertLevel.values


# --- the dashboard -------------------------------------------------------------------------------


def _edit_post(target, **overrides) -> dict:
    data = {
        "name": target.name,
        "category": target.category.code,
        "address": target.address,
        "municipality": target.municipality,
        "region": target.region,
        "latitude": str(target.latitude),
        "longitude": str(target.longitude),
        "capacity": str(target.capacity),
        "security_contact_name": target.security_contact_name,
        "security_contact_phone": target.security_contact_phone,
        "vulnerability_notes": target.vulnerability_notes,
        "vulnerability_tlp": target.vulnerability_tlp,
    }
    for step in target.scale_up.all():
        data[f"scale_up-{step.level}"] = list(step.measures)
    data.update(overrides)
    return data


def test_the_dashboard_form_offers_only_ocams_levels(client, district, awdc_operator):
    signin.sign_in(client, awdc_operator)
    edit = reverse("soft-target-edit", args=[district.public_id])
    form = client.get(edit).context["scale_up"]
    assert [level for level, *_rest in form.levels] == OCAM
    assert "hoge_dreiging" not in form.fields

    response = client.post(
        edit, _edit_post(district, **{"scale_up-ocam_3": ["bag_checks"], "scale_up-ocam_4": []})
    )
    assert response.status_code == 200
    assert response.context["scale_up"].errors["ocam_4"]  # ocam_4 drops the bag checks
    assert district.scale_up.get(level="ocam_3").measures == []

    response = client.post(
        edit,
        _edit_post(
            district, **{"scale_up-ocam_3": ["bag_checks"], "scale_up-ocam_4": ["bag_checks"]}
        ),
    )
    assert response.status_code == 302, response.context["scale_up"].errors
    assert district.scale_up.get(level="ocam_4").measures == ["bag_checks"]
    detail = client.get(reverse("soft-target-detail", args=[district.public_id]))
    assert [str(label) for label, *_rest in detail.context["scale_up"]] == [
        str(label) for _value, label in scale_up_levels("be")
    ]


# --- the admin -----------------------------------------------------------------------------------


def test_the_admin_inline_lists_and_writes_ocams_levels(client, district):
    w = build_world()
    signin.sign_in(client, w.staff)
    page = client.get(url("softtarget", district))
    inline = page.context["inline_admin_formsets"][1].formset
    levels = [form.instance.level for form in inline.forms]
    assert sorted(levels) == OCAM
    data = form_data(page)
    row = levels.index("ocam_4")
    data[f"{inline.prefix}-{row}-measures"] = ["cctv"]
    response = client.post(url("softtarget", district), data)
    assert response.status_code == 302, form_errors(response)
    assert district.scale_up.get(level="ocam_4").measures == ["cctv"]


# --- the demo ------------------------------------------------------------------------------------


def test_the_diamantkwartiers_demo_scenario_climbs_ocams_levels():
    from datetime import date

    [spec] = [s for s in case_targets(date(2026, 6, 1)) if s["operator"] == "AWDC"]
    steps = {level: {"measures": measures} for level, (measures, _n) in spec["scale_up"].items()}
    assert sorted(steps) == OCAM
    assert scale_up_unexplained(steps, OCAM) == []
    assert len(steps["ocam_4"]["measures"]) > len(steps["ocam_1"]["measures"])


def test_the_seeded_diamantkwartier_reads_in_ocam_levels(settings):
    from django.core.management import call_command

    from threats.models import SoftTarget

    settings.DEBUG = True
    call_command("seed_demo")
    district = SoftTarget.objects.get(name="Diamantkwartier Antwerpen")
    steps = {step.level: step.measures for step in district.scale_up.all()}
    assert sorted(steps) == OCAM
    assert "hostile_vehicle_barriers" in steps["ocam_4"] and steps["ocam_1"]
    assert scale_up_unexplained({k: {"measures": v} for k, v in steps.items()}, OCAM) == []
    arena = SoftTarget.objects.get(name="Johan Cruijff ArenA")
    assert sorted(arena.scale_up.values_list("level", flat=True)) == sorted(AlertLevel.values)
