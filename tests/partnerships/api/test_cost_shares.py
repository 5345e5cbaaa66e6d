"""``/api/v1/partnerships/{id}/cost-shares/``: every member reads the allocation key; the
partnership's coordinators and NCTV staff set it, under ``cost_allocation_set``'s rules (the
admin's too): each party a member, named once, nothing negative, adding up to exactly 100.
A refusal is a 400 in the caller's language and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnerships.models import CostShare
from partnerships.services.contacts import cost_allocation_set, cost_item_create
from tests.partnerships.api.conftest import days_ago, days_ahead
from tests.signin import second_factor_queries

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def url(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.public_id}/cost-shares/"


def key(*pairs) -> dict:
    return {"shares": [{"organisation": str(org.public_id), "percentage": p} for org, p in pairs]}


def current(partnership) -> dict:
    return {
        s.organisation_id: s.percentage for s in CostShare.objects.filter(partnership=partnership)
    }


@pytest.fixture
def costs(partnership_a, operator_a, org_a, municipality):
    cost_item_create(
        partnership=partnership_a,
        description="Cameras",
        amount=Decimal("1000.00"),
        period_start=days_ago(30),
        period_end=days_ahead(30),
    )
    cost_allocation_set(partnership=partnership_a, shares={org_a: 100}, by=operator_a)
    return partnership_a


def test_a_member_who_is_not_coordinator_reads_the_key_but_cannot_set_it(
    client_for, officer, costs, org_a, municipality
):
    client = client_for(officer)
    body = client.get(url(costs)).json()
    assert body["total"] == "1000.00"
    assert [(s["organisation"]["name"], s["amount"]) for s in body["shares"]] == [
        (org_a.name, "1000.00")
    ]
    response = client.put(url(costs), key((org_a, "50"), (municipality, "50")), format="json")
    assert response.status_code == 403
    assert current(costs) == {org_a.pk: Decimal("100")}


def test_a_coordinator_sets_the_key(client_for, operator_a, costs, org_a, municipality):
    response = client_for(operator_a).put(
        url(costs), key((org_a, "60.00"), (municipality, "40.00")), format="json"
    )
    assert response.status_code == 200
    assert {s["organisation"]["name"]: s["amount"] for s in response.json()["shares"]} == {
        org_a.name: "600.00",
        municipality.name: "400.00",
    }
    assert current(costs) == {org_a.pk: Decimal("60"), municipality.pk: Decimal("40")}


def test_nctv_staff_set_the_key(client_for, nctv_staff, costs, org_a, municipality):
    response = client_for(nctv_staff).put(
        url(costs), key((org_a, "25"), (municipality, "75")), format="json"
    )
    assert response.status_code == 200
    assert current(costs) == {org_a.pk: Decimal("25"), municipality.pk: Decimal("75")}


def test_a_viewer_of_the_coordinator_cannot_set_it(client_for, viewer_a, costs, org_a):
    response = client_for(viewer_a).put(url(costs), key((org_a, "100")), format="json")
    assert response.status_code == 403
    assert current(costs) == {org_a.pk: Decimal("100")}


@pytest.mark.parametrize("method", ["get", "put"])
def test_another_partnership_is_not_found(client_for, operator_b, costs, org_a, method):
    response = getattr(client_for(operator_b), method)(
        url(costs), key((org_a, "100")), format="json"
    )
    assert response.status_code == 404
    assert current(costs) == {org_a.pk: Decimal("100")}


@pytest.mark.parametrize(
    ("shares", "language", "message"),
    [
        (
            lambda a, m: key((a, "60"), (m, "30")),
            "en",
            "The percentages must add up to exactly 100; they add up to 90",
        ),
        (
            lambda a, m: key((a, "60"), (m, "30")),
            "nl",
            "De percentages moeten samen precies 100 zijn; ze zijn samen 90",
        ),
        (lambda a, m: key((a, "110"), (m, "-10")), "en", "A percentage cannot be negative."),
        (lambda a, m: key((a, "50"), (a, "50")), "en", "Name each party once"),
        (lambda a, m: key((a, "50"), (a, "50")), "nl", "Noem elke partij één keer"),
    ],
)
def test_a_key_that_breaks_the_rules_is_refused_and_nothing_changes(
    client_for, operator_a, costs, org_a, municipality, shares, language, message
):
    client = client_for(operator_a, language=language)
    response = client.put(url(costs), shares(org_a, municipality), format="json")
    assert response.status_code == 400
    assert message in response.json()["shares"][0]
    assert current(costs) == {org_a.pk: Decimal("100")}


@pytest.mark.parametrize(
    "body",
    [
        {"shares": []},
        {"shares": [{"organisation": "not-a-uuid", "percentage": "100"}]},
        {"shares": [{"organisation": "00000000-0000-4000-8000-000000000000", "percentage": "1"}]},
        {"shares": [{"percentage": "100"}]},
        {},
    ],
)
def test_malformed_input_is_a_400(client_for, operator_a, costs, org_a, body):
    response = client_for(operator_a).put(url(costs), body, format="json")
    assert response.status_code == 400
    assert current(costs) == {org_a.pk: Decimal("100")}


def test_a_party_outside_the_partnership_is_refused(client_for, operator_a, costs, org_a, org_b):
    response = client_for(operator_a).put(
        url(costs), key((org_a, "50"), (org_b, "50")), format="json"
    )
    assert response.status_code == 400
    assert current(costs) == {org_a.pk: Decimal("100")}


@pytest.mark.parametrize("persona", ["operator_a", "nctv_staff"])
def test_cost_shares_run_a_fixed_number_of_queries(
    request, client_for, django_assert_num_queries, costs, org_a, municipality, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    extra = second_factor_queries(user)
    # who is asking (3), the partnership (1), total and shares (2)
    with django_assert_num_queries(3 + 1 + 2 + extra):
        assert client.get(url(costs)).status_code == 200
    body = key((org_a, "60"), (municipality, "40"))
    # who is asking (3), the partnership (1), one lookup per party named (2); the service in a
    # savepoint (2): the coordinator's roles (staff need none), the members, delete, insert;
    # total and shares (2)
    service = 2 + (0 if persona == "nctv_staff" else 1) + 3
    with django_assert_num_queries(3 + extra + 1 + 2 + service + 2):
        assert client.put(url(costs), body, format="json").status_code == 200
