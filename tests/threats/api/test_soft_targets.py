"""/api/v1/soft-targets/: operators register and change their own; NCTV staff read all;
partnership peers see name, category, place and tier only — never the details."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from ppsportal.models import AuditEvent
from tests.threats.api.conftest import NOTES, days_ago, make_target, sector
from threats.models import SecurityMeasure, SoftTarget

pytestmark = pytest.mark.django_db

URL = "/api/v1/soft-targets/"
PEER_KEYS = {
    "view",
    "id",
    "name",
    "category",
    "municipality",
    "latitude",
    "longitude",
    "capacity_tier",
    "capacity_tier_label",
    "operator",
}
DETAILS = {"vulnerability_notes", "measures", "security_contact_name", "security_contact_phone"}


def detail(target) -> str:
    return f"{URL}{target.public_id}/"


def by_name(response) -> dict:
    assert response.status_code == 200, response.content
    return {row["name"]: row for row in response.json()["results"]}


def new_target(**overrides) -> dict:
    return {
        "name": "Concertzaal Noord",
        "category": "event_grounds",
        "address": "Kade 1",
        "municipality": "Amsterdam",
        "region": "Amsterdam-Amstelland",
        "latitude": 52.3901,
        "longitude": 4.9012,
        "capacity": 900,
        "security_contact_name": "Meldkamer",
        "security_contact_phone": "+31 20 123 4567",
        "vulnerability_notes": "Nooduitgang west klemt.",
        "measures": [
            {"measure": "staff_training", "status": "in_place", "last_reviewed": "2026-01-05"},
            {"measure": "evacuation", "status": "planned"},
        ],
        **overrides,
    }


# --- Who sees what ------------------------------------------------------------------------------


def test_the_operator_sees_its_own_target_in_full(client_for, operator_a, org_a, pps, arena):
    body = client_for(operator_a).get(detail(arena)).json()
    assert body["vulnerability_notes"] == NOTES
    assert body["security_contact_name"] == "Meldkamer"
    assert body["security_contact_phone"] == "+31 20 000 0000"
    assert body["operator"] == {"id": str(org_a.public_id), "name": "Partner A Stadion"}
    assert body["partnership"] == {"id": str(pps.public_id), "name": "PPS ArenA"}
    assert body["category"] == {"code": "football_stadium", "name": "Football stadium"}
    assert (body["latitude"], body["longitude"]) == (52.314167, 4.941944)
    assert body["capacity"] == 55000
    assert (body["capacity_tier"], body["capacity_tier_label"]) == (
        "enhanced",
        "Enhanced tier (800 and more)",
    )
    cctv, training = body["measures"]
    assert cctv == {
        "measure": "cctv",
        "measure_label": "Camera surveillance (CCTV)",
        "status": "in_place",
        "status_label": "In place",
        "last_reviewed": days_ago(20).isoformat(),
        "has_evidence": True,
    }
    assert (training["measure"], training["status"], training["has_evidence"]) == (
        "staff_training",
        "planned",
        False,
    )
    assert set(body["scale_up"]) == {
        "basisniveau",
        "lichte_dreiging",
        "matige_dreiging",
        "hoge_dreiging",
    }
    gaps = [gap["code"] for gap in body["gaps"]]
    assert "staff_training" in gaps and "evacuation" in gaps and "cctv" not in gaps


def test_a_read_only_member_of_the_operator_sees_it_in_full_too(client_for, viewer_a, arena):
    assert client_for(viewer_a).get(detail(arena)).json()["vulnerability_notes"] == NOTES


def test_partnership_peers_never_receive_the_details(client_for, operator_b, org_a, arena):
    client = client_for(operator_b)
    for body in (client.get(detail(arena)).json(), by_name(client.get(URL))["ArenA"]):
        assert set(body) == PEER_KEYS
        assert body["view"] == "peer"
        assert body["name"] == "ArenA"
        assert body["operator"]["id"] == str(org_a.public_id)
        assert body["capacity_tier"] == "enhanced"
        serialised = str(body)
        for secret in (NOTES, "Meldkamer", "+31 20 000 0000", "in_place", "scale_up"):
            assert secret not in serialised


def test_details_shared_under_a_covenant_reach_the_peer(
    client_for, operator_a, operator_b, org_b, covenant, arena
):
    from partnerships.sharing import services as sharing
    from threats.services import soft_target_update

    soft_target_update(soft_target=arena, by=operator_a, vulnerability_tlp="amber")
    sharing.share_with_organisation(
        obj=arena, organisation=org_b, covenant=covenant, by=operator_a, reason="Joint exercise"
    )
    body = client_for(operator_b).get(detail(arena)).json()
    assert body["vulnerability_notes"] == NOTES


def test_nctv_staff_see_every_target_in_full(client_for, nctv_staff, arena, route, hall):
    rows = by_name(client_for(nctv_staff).get(URL))
    assert set(rows) == {"ArenA", "Theaterzaal", "Vierdaagse-route"}
    assert all(set(row) >= DETAILS for row in rows.values())


def test_a_list_mixes_full_and_reduced_forms(client_for, operator_a, arena, route, hall):
    rows = by_name(client_for(operator_a).get(URL))
    assert set(rows) == {"ArenA", "Vierdaagse-route"}  # the outsider's hall is not listed
    assert set(rows["ArenA"]) >= DETAILS
    assert set(rows["Vierdaagse-route"]) == PEER_KEYS


def test_invisible_targets_answer_404_like_missing_ones(client_for, operator_a, hall):
    client = client_for(operator_a)
    hidden, missing = client.get(detail(hall)), client.get(f"{URL}{uuid.uuid4()}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert client.patch(detail(hall), {"name": "x"}, format="json").status_code == 404


def test_reading_details_is_audited_but_a_peers_view_is_not(
    client_for, operator_a, operator_b, arena
):
    client_for(operator_b).get(detail(arena))
    assert not AuditEvent.objects.filter(action="sensitive.viewed").exists()
    client_for(operator_a).get(detail(arena))
    event = AuditEvent.objects.get(action="sensitive.viewed")
    assert event.object_ids == [str(arena.public_id)]
    assert event.actor_username == "operator-a"


def test_anonymous_callers_get_401(api_client, arena):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(detail(arena)).status_code == 401
    assert api_client.post(URL, new_target(), format="json").status_code == 401


def test_messages_are_dutch_by_default(api_client):
    assert api_client.get(URL).json() == {"detail": "Authenticatiegegevens zijn niet opgegeven."}


# --- Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=football_stadium", {"ArenA"}),
        ("category=public_events", {"Vierdaagse-route"}),
        ("region=gelderland-zuid", {"Vierdaagse-route"}),
        ("municipality=amsterdam", {"ArenA", "Theaterzaal"}),
        ("tier=enhanced", {"ArenA", "Vierdaagse-route"}),
        ("tier=below_200", {"Theaterzaal"}),
        ("is_event=true", {"Vierdaagse-route"}),
        ("is_event=false", {"ArenA", "Theaterzaal"}),
        ("search=arena", {"ArenA"}),
    ],
)
def test_filters(client_for, nctv_staff, arena, route, hall, query, expected):
    assert set(by_name(client_for(nctv_staff).get(f"{URL}?{query}"))) == expected


@pytest.mark.parametrize(
    ("capacity", "tier"),
    [(1, "below_200"), (199, "below_200"), (200, "standard"), (799, "standard"), (800, "enhanced")],
)
def test_the_tier_filter_draws_the_bounds_of_the_tiers(client_for, operator_a, capacity, tier):
    target = make_target(operator_a, capacity=capacity)
    assert target.capacity_tier == tier
    rows = by_name(client_for(operator_a).get(f"{URL}?tier={tier}"))
    assert set(rows) == {"Stadion"}


# --- Registering --------------------------------------------------------------------------------


def test_an_operator_registers_a_target_with_measures_and_scale_up(
    client_for, operator_a, org_a, pps
):
    payload = new_target(
        partnership=str(pps.public_id),
        scale_up={"hoge_dreiging": ["bag_checks", "hostile_vehicle_barriers"]},
    )
    response = client_for(operator_a).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    target = SoftTarget.objects.get(public_id=body["id"])
    assert target.operator == org_a
    assert target.created_by == operator_a
    assert body["capacity_tier"] == "enhanced"
    assert [(m["measure"], m["status"]) for m in body["measures"]] == [
        ("evacuation", "planned"),
        ("staff_training", "in_place"),
    ]
    assert body["scale_up"]["hoge_dreiging"] == ["bag_checks", "hostile_vehicle_barriers"]
    assert body["vulnerability_tlp"] == "amber_strict"
    assert {gap["code"] for gap in body["gaps"]} >= {"evacuation", "lockdown"}


def test_coordinates_are_rounded_to_six_decimals(client_for, operator_a):
    response = client_for(operator_a).post(
        URL, new_target(latitude=52.39012345678, longitude="4.90123449"), format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["latitude"], response.json()["longitude"]) == (52.390123, 4.901234)


def test_an_event_registers_with_its_start_and_end(client_for, operator_b):
    start = timezone.now() + timedelta(days=10)
    payload = new_target(
        is_event=True,
        event_start=start.isoformat(),
        event_end=(start + timedelta(days=4)).isoformat(),
    )
    response = client_for(operator_b).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["is_event"] is True


def _event(days: int) -> dict:
    start = timezone.now() + timedelta(days=10)
    return {
        "is_event": True,
        "event_start": start.isoformat(),
        "event_end": (start + timedelta(days=days)).isoformat(),
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"capacity": -5}, "capacity", "greater than or equal to 1"),
        ({"capacity": 0}, "capacity", "greater than or equal to 1"),
        ({"capacity": 50_000_000}, "capacity", "less than or equal to 2000000"),
        ({"latitude": 91}, "latitude", "less than or equal to 90"),
        ({"longitude": -180.5}, "longitude", "greater than or equal to -180"),
        ({"category": "volcano"}, "category", "There is no category with code volcano."),
        (_event(-1), "event_end", "An event cannot end before it starts."),
        ({"is_event": True}, "event_start", "An event needs a start and an end."),
        ({"partnership": str(uuid.uuid4())}, "partnership", "There is no partnership with id"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    client_for, operator_a, overrides, field, message
):
    response = client_for(operator_a).post(URL, new_target(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field])
    assert not SoftTarget.objects.exists()
    assert not SecurityMeasure.objects.exists()


def test_a_measure_outside_the_catalogue_is_refused_and_nothing_is_saved(client_for, operator_a):
    payload = new_target(measures=[{"measure": "moat", "status": "in_place"}])
    response = client_for(operator_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"measures": {"0": {"measure": ['"moat" is not a valid choice.']}}}
    assert not SoftTarget.objects.exists()


def test_a_scale_up_level_outside_the_levels_is_refused(client_for, operator_a):
    payload = new_target(scale_up={"panic": ["cctv"]})
    response = client_for(operator_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"scale_up": ["Unknown alert levels: panic."]}
    assert not SoftTarget.objects.exists()


def test_a_partnership_the_operator_is_not_in_is_refused(client_for, nctv_staff, operator_c, pps):
    payload = new_target(partnership=str(pps.public_id))
    response = client_for(operator_c).post(URL, payload, format="json")
    assert response.status_code == 400
    assert "There is no partnership with id" in response.json()["partnership"][0]
    assert not SoftTarget.objects.exists()


def test_errors_follow_the_request_language(client_for, operator_a):
    response = client_for(operator_a, language="nl").post(
        URL, new_target(latitude=91), format="json"
    )
    assert response.json()["latitude"] == [
        "Zorg ervoor dat deze waarde kleiner is dan of gelijk is aan 90."
    ]


def test_a_viewer_may_not_register(client_for, viewer_a):
    response = client_for(viewer_a).post(URL, new_target(), format="json")
    assert response.status_code == 403
    assert not SoftTarget.objects.exists()


def test_only_nctv_staff_name_another_operator(client_for, operator_a, nctv_staff, org_b):
    payload = new_target(operator=str(org_b.public_id))
    assert client_for(operator_a).post(URL, payload, format="json").status_code == 403
    assert not SoftTarget.objects.exists()
    response = client_for(nctv_staff).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["operator"]["id"] == str(org_b.public_id)


# --- Changing -----------------------------------------------------------------------------------


def test_a_scale_up_that_drops_a_measure_unexplained_is_refused_whole(
    client_for, operator_a, arena
):
    before = client_for(operator_a).get(detail(arena)).json()
    response = client_for(operator_a).patch(
        detail(arena),
        {"capacity": 54000, "scale_up": {"matige_dreiging": ["bag_checks"]}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    [message] = response.json()["scale_up.hoge_dreiging"]
    assert "“High threat”, “Bag checks” is missing although “Moderate threat”" in message
    after = client_for(operator_a).get(detail(arena)).json()
    assert (after["capacity"], after["scale_up"]) == (before["capacity"], before["scale_up"])

    response = client_for(operator_a).patch(
        detail(arena),
        {"scale_up_omissions": {"hoge_dreiging": {"bag_checks": ""}}},
        format="json",
    )
    assert response.status_code == 200  # nothing dropped yet: nothing to explain


def test_the_operator_changes_data_measures_and_scale_up(client_for, operator_a, arena):
    scale_up_before = client_for(operator_a).get(detail(arena)).json()["scale_up"]
    response = client_for(operator_a).patch(
        detail(arena),
        {
            "capacity": 54000,
            "measures": [{"measure": "staff_training", "status": "in_place"}],
            "scale_up": {"matige_dreiging": ["bag_checks"]},
            "scale_up_omissions": {"hoge_dreiging": {"bag_checks": "De politie fouilleert."}},
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scale_up_omissions"] == {"hoge_dreiging": {"bag_checks": "De politie fouilleert."}}
    assert body["capacity"] == 54000
    measures = {m["measure"]: m for m in body["measures"]}
    assert measures["staff_training"]["status"] == "in_place"
    assert measures["cctv"]["has_evidence"] is True  # untouched
    assert measures["cctv"]["last_reviewed"] == days_ago(20).isoformat()
    assert body["scale_up"]["matige_dreiging"] == ["bag_checks"]
    assert body["scale_up"]["hoge_dreiging"] == scale_up_before["hoge_dreiging"]
    assert "staff_training" not in {gap["code"] for gap in body["gaps"]}


def test_a_measure_without_review_date_keeps_the_stored_one(client_for, operator_a, arena):
    response = client_for(operator_a).patch(
        detail(arena), {"measures": [{"measure": "cctv", "status": "planned"}]}, format="json"
    )
    [cctv] = [m for m in response.json()["measures"] if m["measure"] == "cctv"]
    assert (cctv["status"], cctv["last_reviewed"]) == ("planned", days_ago(20).isoformat())


def test_a_failed_change_leaves_everything_as_it_was(client_for, operator_a, arena):
    response = client_for(operator_a).patch(
        detail(arena),
        {
            "name": "Renamed",
            "measures": [
                {"measure": "lockdown", "status": "in_place", "last_reviewed": "2999-01-01"}
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    # The register service answers per measure, as on the dashboard form.
    assert response.json() == {
        "measures.lockdown.last_reviewed": ["A review date cannot be in the future."]
    }
    arena.refresh_from_db()
    assert arena.name == "ArenA"
    assert not arena.measures.filter(measure="lockdown").exists()


def test_a_refused_registration_saves_nothing_and_says_so_in_dutch(client_for, operator_a):
    """The target, its measures and its scale-up are one write (``soft_target_register``):
    every refusal comes back at once, as a 400 in the request's language, and nothing stays."""
    before = SoftTarget.objects.count()
    payload = new_target(
        measures=[{"measure": "cctv", "status": "in_place", "last_reviewed": "2999-01-01"}],
        scale_up_omissions={"hoge_dreiging": {"not_a_measure": "Geen reden"}},
    )
    response = client_for(operator_a, language="nl").post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["measures.cctv.last_reviewed"] == [
        "Een beoordelingsdatum kan niet in de toekomst liggen."
    ]
    assert "scale_up.omissions" in body
    assert SoftTarget.objects.count() == before


def test_an_event_cannot_be_moved_to_end_before_it_starts(client_for, operator_b, route):
    response = client_for(operator_b).patch(
        detail(route),
        {"event_end": (route.event_start - timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"event_end": ["An event cannot end before it starts."]}
    route.refresh_from_db()
    assert route.event_end > route.event_start


@pytest.mark.parametrize("persona", ["operator_b", "viewer_a"])
def test_visible_but_not_yours_to_change_is_403(request, client_for, arena, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.patch(detail(arena), {"name": "Mine now"}, format="json")
    assert response.status_code == 403
    arena.refresh_from_db()
    assert arena.name == "ArenA"


def test_nctv_staff_may_change_a_target(client_for, nctv_staff, arena):
    response = client_for(nctv_staff).patch(detail(arena), {"region": "Noord"}, format="json")
    assert response.status_code == 200
    assert response.json()["region"] == "Noord"


def test_the_category_must_be_known_on_change_too(client_for, operator_a, arena):
    response = client_for(operator_a).patch(detail(arena), {"category": "moon"}, format="json")
    assert response.status_code == 400
    arena.refresh_from_db()
    assert arena.category == sector()
