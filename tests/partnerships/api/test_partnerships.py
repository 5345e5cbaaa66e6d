"""/api/v1/partnerships/: members see their own, others get 404, NCTV staff see and manage all."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from partnerships.models import Partnership, PartnershipMember
from partnerships.services.contacts import (
    action_create,
    contact_create,
    cost_allocation_set,
    cost_item_create,
)
from partnerships.services.partnerships import partnership_create, partnership_member_leave
from tests.factories import PASSWORD, UserFactory
from tests.partnerships.api.conftest import JOINED, days_ago, days_ahead

pytestmark = pytest.mark.django_db

URL = "/api/v1/partnerships/"


def detail(partnership) -> str:
    return f"{URL}{partnership.public_id}/"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [URL, "/api/v1/covenants/", "/api/v1/contacts/", "/api/v1/actions/"]
)
def test_without_authentication_every_list_answers_401(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_without_authentication_a_detail_answers_401_not_404(api_client, partnership_a):
    assert api_client.get(detail(partnership_a)).status_code == 401


def test_a_member_sees_its_own_partnership_and_not_the_others(
    client_for, operator_a, partnership_a, partnership_b
):
    client = client_for(operator_a)
    assert names(client.get(URL)) == ["ArenA Amsterdam"]
    response = client.get(detail(partnership_a))
    assert response.status_code == 200
    assert response.json()["id"] == str(partnership_a.public_id)


def test_another_organisation_gets_404_exactly_like_a_missing_partnership(
    client_for, operator_b, partnership_a, partnership_b
):
    client = client_for(operator_b)
    assert names(client.get(URL)) == ["Vierdaagse Nijmegen"]
    hidden = client.get(detail(partnership_a))
    missing = client.get(f"{URL}{uuid.uuid4()}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_a_malformed_id_is_simply_not_found(client_for, operator_a):
    assert client_for(operator_a).get(f"{URL}not-a-uuid/").status_code == 404


def test_not_found_is_dutch_by_default(client_for, operator_b, partnership_a):
    response = client_for(operator_b, language="nl").get(detail(partnership_a))
    assert response.json() == {"detail": "Niet gevonden."}


def test_nctv_staff_see_every_partnership(client_for, nctv_staff, partnership_a, partnership_b):
    client = client_for(nctv_staff)
    assert names(client.get(URL)) == ["ArenA Amsterdam", "Vierdaagse Nijmegen"]
    assert client.get(detail(partnership_b)).status_code == 200


def test_an_organisation_that_left_no_longer_sees_the_partnership(
    client_for, officer, municipality, partnership_a
):
    member = PartnershipMember.objects.get(partnership=partnership_a, organisation=municipality)
    partnership_member_leave(member=member)
    client = client_for(officer)
    assert names(client.get(URL)) == []
    assert client.get(detail(partnership_a)).status_code == 404


def test_a_user_without_an_organisation_sees_nothing(client_for, partnership_a):
    from django.contrib.auth import get_user_model

    loner = get_user_model().objects.create_user(username="loner", password=PASSWORD)
    assert names(client_for(loner).get(URL)) == []


# --- What a partnership shows -------------------------------------------------------------------


def test_the_representation_names_members_roles_variant_and_liaison(
    client_for, operator_a, org_a, municipality, partnership_a
):
    from partnerships.services.partnerships import partnership_set_liaison, partnership_update

    partnership_update(partnership=partnership_a, sponsor=municipality)
    partnership_set_liaison(partnership=partnership_a, liaison=operator_a)
    operator_a.first_name, operator_a.last_name = "Anna", "Arena"
    operator_a.save()

    body = client_for(operator_a).get(detail(partnership_a)).json()

    assert body["kind"] == "venue" and body["kind_label"] == "Venue"
    assert body["variant"] == "deepening"
    assert body["variant_label"] == "Deepening"
    assert body["variant_meaning"].startswith("More mutual information exchange")
    assert body["status"] == "active" and body["status_label"] == "Active"
    assert body["sponsor"] == {"id": str(municipality.public_id), "name": "Gemeente Amsterdam"}
    assert body["liaison"] == {"username": "operator-a", "full_name": "Anna Arena"}
    assert body["contact_frequency_days"] == 30
    assert {(m["organisation"]["name"], m["role"]) for m in body["members"]} == {
        ("Partner A Stadion", "coordinator"),
        ("Partner A Stadion", "venue_operator"),
        ("Gemeente Amsterdam", "municipality"),
    }
    member = body["members"][0]
    assert set(member) == {"organisation", "role", "role_label", "joined_on", "left_on"}
    assert member["joined_on"] == JOINED.isoformat() and member["left_on"] is None
    assert [r["role"] for r in body["required_roles"]] == [
        "venue_operator",
        "municipality",
        "police",
    ]
    assert body["missing_roles"] == [{"role": "police", "role_label": "Police"}]


def test_health_is_computed_with_its_reasons(
    client_for, operator_a, org_a, municipality, partnership_a, covenant_a
):
    contact_create(
        partnership=partnership_a,
        by=operator_a,
        occurred_on=days_ago(45),
        kind="meeting",
        summary="Evaluation",
        participants=[org_a, municipality],
    )
    action_create(partnership=partnership_a, description="Late", owner=org_a, due_on=days_ago(3))

    health = client_for(operator_a).get(detail(partnership_a)).json()["health"]

    assert health["status"] == "attention" and health["status_label"] == "Needs attention"
    assert health["days_since_last_contact"] == 45
    assert health["contacts_last_90_days"] == 1
    assert health["covenant_state"] == "active"
    assert health["overdue_actions"] == 1
    reasons = {r["code"]: r for r in health["reasons"]}
    assert set(reasons) == {"contact_due", "incomplete", "no_liaison", "overdue_actions"}
    assert reasons["contact_due"] == {
        "code": "contact_due",
        "severity": "attention",
        "text": "Last contact 45 days ago; agreed is every 30 days.",
    }


def test_reason_codes_are_the_same_in_every_language(client_for, operator_a, partnership_a):
    dutch = client_for(operator_a, language="nl").get(detail(partnership_a)).json()["health"]
    english = client_for(operator_a, language="en").get(detail(partnership_a)).json()["health"]
    assert [r["code"] for r in dutch["reasons"]] == [r["code"] for r in english["reasons"]]
    assert dutch["status"] == english["status"] == "at_risk"


def test_the_detail_shows_each_partys_share_of_the_costs(
    client_for, operator_a, org_a, municipality, partnership_a
):
    cost_item_create(
        partnership=partnership_a,
        description="Cameras",
        amount=Decimal("1000.00"),
        period_start=days_ago(30),
        period_end=days_ahead(30),
    )
    cost_allocation_set(
        partnership=partnership_a,
        shares={org_a: Decimal("60"), municipality: Decimal("40")},
        by=operator_a,
    )
    costs = client_for(operator_a).get(detail(partnership_a)).json()["costs"]
    assert costs["total"] == "1000.00"
    assert costs["key_complete"] is True
    assert {s["organisation"]["name"]: (s["percentage"], s["amount"]) for s in costs["shares"]} == {
        "Partner A Stadion": ("60.00", "600.00"),
        "Gemeente Amsterdam": ("40.00", "400.00"),
    }


def test_the_list_leaves_costs_to_the_detail(client_for, operator_a, partnership_a):
    row = client_for(operator_a).get(URL).json()["results"][0]
    assert "costs" not in row


# --- Filters, search and ordering ---------------------------------------------------------------


@pytest.fixture
def three_partnerships(org_a, municipality):
    partnership_create(
        name="Diamantkwartier",
        kind="district",
        region="Antwerpen",
        variant="continuation",
        status="dormant",
        members=[(org_a, "coordinator")],
    )
    partnership_create(
        name="Stationsplein",
        kind="transport",
        region="Amsterdam-Amstelland",
        variant="broadening",
        status="active",
        description="Rondom het Centraal Station",
        members=[(org_a, "coordinator"), (municipality, "municipality")],
    )
    partnership_create(
        name="Museumplein",
        kind="venue",
        region="amsterdam-amstelland",
        variant="deepening",
        status="forming",
        members=[(org_a, "coordinator"), (municipality, "municipality")],
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=active", ["Stationsplein"]),
        ("status=dormant", ["Diamantkwartier"]),
        ("variant=broadening", ["Stationsplein"]),
        ("variant=deepening", ["Museumplein"]),
        ("kind=district", ["Diamantkwartier"]),
        ("region=Amsterdam-Amstelland", ["Museumplein", "Stationsplein"]),
        ("region=Antwerpen&status=dormant", ["Diamantkwartier"]),
        ("search=centraal", ["Stationsplein"]),
        ("search=plein", ["Museumplein", "Stationsplein"]),
        ("ordering=-name", ["Stationsplein", "Museumplein", "Diamantkwartier"]),
        ("ordering=status,name", ["Stationsplein", "Diamantkwartier", "Museumplein"]),
    ],
)
def test_filters_search_and_ordering(client_for, operator_a, three_partnerships, query, expected):
    assert names(client_for(operator_a).get(f"{URL}?{query}")) == expected


def test_the_default_order_is_by_name(client_for, operator_a, three_partnerships):
    assert names(client_for(operator_a).get(URL)) == [
        "Diamantkwartier",
        "Museumplein",
        "Stationsplein",
    ]


def test_an_unknown_filter_value_answers_400(client_for, operator_a):
    response = client_for(operator_a).get(f"{URL}?status=flourishing")
    assert response.status_code == 400
    assert "status" in response.json()


def test_the_overview_sorts_by_health(
    client_for, nctv_staff, operator_a, org_a, municipality, police, partnership_a, covenant_a
):
    """At risk first with ``-health``; healthy first with ``health``."""
    from partnerships.services.partnerships import partnership_member_add, partnership_set_liaison

    partnership_member_add(partnership=partnership_a, organisation=police, role="police")
    partnership_set_liaison(partnership=partnership_a, liaison=operator_a)
    contact_create(
        partnership=partnership_a,
        by=operator_a,
        occurred_on=days_ago(5),
        kind="call",
        summary="Check-in",
        participants=[org_a],
    )
    partnership_create(name="Attention", members=[(org_a, "coordinator")])  # at risk
    client = client_for(nctv_staff)

    healthy_first = client.get(f"{URL}?ordering=health").json()["results"]
    assert [(p["name"], p["health"]["status"]) for p in healthy_first] == [
        ("ArenA Amsterdam", "healthy"),
        ("Attention", "at_risk"),
    ]
    worst_first = client.get(f"{URL}?ordering=-health").json()["results"]
    assert [p["name"] for p in worst_first] == ["Attention", "ArenA Amsterdam"]


def test_health_ordering_keeps_pagination(client_for, nctv_staff, org_a):
    for n in range(3):
        partnership_create(name=f"P{n}", members=[(org_a, "coordinator")])
    body = client_for(nctv_staff).get(f"{URL}?ordering=-health,name&page_size=2").json()
    assert body["count"] == 3
    assert [p["name"] for p in body["results"]] == ["P0", "P1"]
    assert body["next"] is not None


# --- Writing: NCTV staff only -------------------------------------------------------------------


def _new_partnership(org_a, municipality) -> dict:
    return {
        "name": "Johan Cruijff ArenA",
        "kind": "venue",
        "region": "Amsterdam-Amstelland",
        "variant": "deepening",
        "sponsor": str(municipality.public_id),
        "contact_frequency_days": 14,
        "members": [
            {"organisation": str(org_a.public_id), "role": "coordinator"},
            {"organisation": str(municipality.public_id), "role": "municipality"},
        ],
        "liaison": "operator-a",
    }


def test_nctv_staff_create_a_partnership_with_its_members(
    client_for, nctv_staff, operator_a, org_a, municipality
):
    response = client_for(nctv_staff).post(
        URL, _new_partnership(org_a, municipality), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    created = Partnership.objects.get(public_id=body["id"])
    assert created.name == "Johan Cruijff ArenA"
    assert created.liaison == operator_a
    assert body["contact_frequency_days"] == 14
    assert body["sponsor"]["name"] == "Gemeente Amsterdam"
    assert {(m["organisation"]["name"], m["role"]) for m in body["members"]} == {
        ("Partner A Stadion", "coordinator"),
        ("Gemeente Amsterdam", "municipality"),
    }
    assert body["health"]["status"] == "at_risk"
    assert body["costs"]["total"] == "0.00"


def test_a_partner_cannot_create_a_partnership(client_for, operator_a, org_a, municipality):
    response = client_for(operator_a).post(
        URL, _new_partnership(org_a, municipality), format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Only NCTV staff can create partnerships."}
    assert not Partnership.objects.exists()


def test_a_liaison_outside_the_member_organisations_is_refused_and_nothing_saved(
    client_for, nctv_staff, operator_b, org_a, municipality
):
    body = {**_new_partnership(org_a, municipality), "liaison": "operator-b"}
    response = client_for(nctv_staff).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "liaison": ["The liaison must be a user of one of the partnership's member organisations."]
    }
    assert not Partnership.objects.exists()
    assert not PartnershipMember.objects.exists()


def test_create_checks_the_input_shape(client_for, nctv_staff):
    response = client_for(nctv_staff).post(
        URL,
        {"name": "", "variant": "sideways", "members": [{"organisation": "nope", "role": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"name", "variant", "members"}
    assert errors["members"]["0"]["organisation"] == ["Not a valid id: give the object's UUID."]


def test_nctv_staff_change_a_partnership(client_for, nctv_staff, operator_a, partnership_a):
    response = client_for(nctv_staff).patch(
        detail(partnership_a),
        {"variant": "broadening", "status": "dormant", "liaison": "operator-a"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["variant"] == "broadening"
    partnership_a.refresh_from_db()
    assert (partnership_a.variant, partnership_a.status) == ("broadening", "dormant")
    assert partnership_a.liaison == operator_a


def test_a_coordinator_cannot_change_the_partnership_itself(client_for, operator_a, partnership_a):
    response = client_for(operator_a).patch(
        detail(partnership_a), {"status": "ended"}, format="json"
    )
    assert response.status_code == 403
    partnership_a.refresh_from_db()
    assert partnership_a.status == "active"


def test_an_outsider_trying_to_change_a_partnership_gets_404(client_for, operator_b, partnership_a):
    response = client_for(operator_b).patch(
        detail(partnership_a), {"status": "ended"}, format="json"
    )
    assert response.status_code == 404


def test_unknown_required_roles_are_refused(client_for, nctv_staff, partnership_a):
    response = client_for(nctv_staff).patch(
        detail(partnership_a), {"required_roles": ["police", "astronaut"]}, format="json"
    )
    assert response.status_code == 400
    assert "required_roles" in response.json()


def test_read_only_fields_are_ignored_on_write(client_for, nctv_staff, partnership_a):
    public_id = partnership_a.public_id
    response = client_for(nctv_staff).patch(
        detail(partnership_a),
        {"id": str(uuid.uuid4()), "health": {"status": "healthy"}, "region": "Zaandam"},
        format="json",
    )
    assert response.status_code == 200
    partnership_a.refresh_from_db()
    assert partnership_a.public_id == public_id
    assert response.json()["health"]["status"] == "at_risk"


def test_viewer_reads_but_cannot_change(client_for, viewer_a, partnership_a):
    client = client_for(viewer_a)
    assert client.get(detail(partnership_a)).status_code == 200
    assert client.patch(detail(partnership_a), {"status": "ended"}, format="json").status_code == (
        403
    )


def test_nctv_staff_without_staff_status_are_ordinary_users(client_for, nctv, partnership_a):
    analyst = UserFactory(username="nctv-analyst", organisation=nctv, role="member")
    assert names(client_for(analyst).get(URL)) == []
