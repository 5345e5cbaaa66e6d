"""/api/v1/contacts/ and /api/v1/actions/: the contact log and its follow-up actions."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from partnerships.models import Action, ContactEntry
from partnerships.services.contacts import action_create, action_set_done, contact_create
from tests.partnerships.api.conftest import days_ago, days_ahead

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"
ACTIONS = "/api/v1/actions/"


def summaries(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["summary"] for row in response.json()["results"]]


def log(partnership, by, participants, *, days=1, kind="meeting", summary="Overleg"):
    return contact_create(
        partnership=partnership,
        by=by,
        occurred_on=days_ago(days),
        kind=kind,
        summary=summary,
        participants=participants,
    )


@pytest.fixture
def contact_a(partnership_a, operator_a, org_a, municipality):
    entry = log(partnership_a, operator_a, [org_a, municipality], days=10, summary="Derby")
    action_create(
        partnership=partnership_a,
        contact=entry,
        description="Extra camera",
        owner=org_a,
        due_on=days_ahead(20),
    )
    return entry


@pytest.fixture
def contact_b(partnership_b, operator_b, org_b):
    return log(partnership_b, operator_b, [org_b], days=3, summary="Route")


def new_contact(partnership, participants, **overrides) -> dict:
    return {
        "partnership": str(partnership.public_id),
        "occurred_on": days_ago(2).isoformat(),
        "kind": "exercise",
        "participants": [str(org.public_id) for org in participants],
        "summary": "Evacuation exercise north stand",
        "tlp": "amber",
        **overrides,
    }


# --- Reading the log ----------------------------------------------------------------------------


def test_members_see_their_own_contact_log_only(client_for, viewer_a, contact_a, contact_b):
    client = client_for(viewer_a)
    assert summaries(client.get(URL)) == ["Derby"]
    assert client.get(f"{URL}{contact_a.public_id}/").status_code == 200


def test_another_organisations_contact_is_not_found(client_for, viewer_a, contact_a, contact_b):
    client = client_for(viewer_a)
    hidden = client.get(f"{URL}{contact_b.public_id}/")
    missing = client.get(f"{URL}{uuid.uuid4()}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_nctv_staff_see_every_contact(client_for, nctv_staff, contact_a, contact_b):
    assert summaries(client_for(nctv_staff).get(URL)) == ["Route", "Derby"]


def test_a_contact_shows_participants_tlp_and_its_actions(
    client_for, operator_a, org_a, municipality, partnership_a, contact_a
):
    body = client_for(operator_a).get(f"{URL}{contact_a.public_id}/").json()
    assert body["partnership"] == {"id": str(partnership_a.public_id), "name": "ArenA Amsterdam"}
    assert body["occurred_on"] == days_ago(10).isoformat()
    assert (body["kind"], body["kind_label"]) == ("meeting", "Meeting")
    assert (body["tlp"], body["tlp_label"]) == ("green", "TLP:GREEN")
    assert [p["name"] for p in body["participants"]] == ["Gemeente Amsterdam", "Partner A Stadion"]
    assert body["owner_organisation"]["id"] == str(org_a.public_id)
    assert body["created_by"]["username"] == "operator-a"
    [action] = body["actions"]
    assert action["description"] == "Extra camera"
    assert action["owner"] == {"id": str(org_a.public_id), "name": "Partner A Stadion"}
    assert action["due_on"] == days_ahead(20).isoformat()
    assert action["done"] is False and action["done_on"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=call", ["Bellen"]),
        ("kind=meeting", ["Derby"]),
        ("occurred_after={d5}", ["Bellen"]),
        ("occurred_before={d5}", ["Derby", "Oefening"]),
        ("occurred_after={d40}&occurred_before={d5}", ["Derby"]),
        ("search=oefen", ["Oefening"]),
        ("ordering=occurred_on", ["Oefening", "Derby", "Bellen"]),
    ],
)
def test_filters(
    client_for, operator_a, org_a, partnership_a, contact_a, contact_b, query, expected
):
    log(partnership_a, operator_a, [org_a], days=1, kind="call", summary="Bellen")
    log(partnership_a, operator_a, [org_a], days=60, kind="exercise", summary="Oefening")
    query = query.format(d5=days_ago(5).isoformat(), d40=days_ago(40).isoformat())
    assert summaries(client_for(operator_a).get(f"{URL}?{query}")) == expected


def test_filter_by_partnership(client_for, nctv_staff, partnership_b, contact_a, contact_b):
    response = client_for(nctv_staff).get(f"{URL}?partnership={partnership_b.public_id}")
    assert summaries(response) == ["Route"]


def test_a_malformed_date_filter_answers_400(client_for, operator_a):
    response = client_for(operator_a).get(f"{URL}?occurred_after=yesterday")
    assert response.status_code == 400
    assert "occurred_after" in response.json()


# --- Logging a contact --------------------------------------------------------------------------


def test_a_member_logs_a_contact_with_follow_up_actions(
    client_for, operator_a, org_a, municipality, partnership_a
):
    body = new_contact(
        partnership_a,
        [org_a, municipality],
        actions=[
            {
                "description": "Report on the exercise",
                "owner": str(municipality.public_id),
                "due_on": days_ahead(14).isoformat(),
            },
            {
                "description": "Fix the north gate",
                "owner": str(org_a.public_id),
                "due_on": days_ahead(7).isoformat(),
            },
        ],
    )
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["kind"] == "exercise"
    assert created["tlp"] == "amber"
    assert created["summary"] == "Evacuation exercise north stand"
    assert created["occurred_on"] == days_ago(2).isoformat()
    assert created["owner_organisation"]["name"] == "Partner A Stadion"
    assert created["created_by"]["username"] == "operator-a"
    assert {a["description"]: a["owner"]["name"] for a in created["actions"]} == {
        "Report on the exercise": "Gemeente Amsterdam",
        "Fix the north gate": "Partner A Stadion",
    }
    entry = ContactEntry.objects.get(public_id=created["id"])
    assert entry.partnership == partnership_a
    assert set(entry.participants.all()) == {org_a, municipality}
    assert set(Action.objects.filter(contact=entry).values_list("partnership", flat=True)) == {
        partnership_a.pk
    }


def test_a_member_of_another_role_in_the_partnership_may_log_too(
    client_for, officer, municipality, partnership_a
):
    response = client_for(officer).post(
        URL, new_contact(partnership_a, [municipality]), format="json"
    )
    assert response.status_code == 201


def test_nctv_staff_may_log_a_contact(client_for, nctv_staff, org_b, partnership_b):
    response = client_for(nctv_staff).post(URL, new_contact(partnership_b, [org_b]), format="json")
    assert response.status_code == 201


def test_a_viewer_may_not_log_a_contact(client_for, viewer_a, org_a, partnership_a):
    response = client_for(viewer_a).post(URL, new_contact(partnership_a, [org_a]), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow adding to the contact log."}
    assert not ContactEntry.objects.exists()


def test_an_outsider_cannot_log_into_a_partnership_it_cannot_see(
    client_for, operator_b, org_a, partnership_a
):
    response = client_for(operator_b).post(URL, new_contact(partnership_a, [org_a]), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "partnership": [f"There is no partnership with id {partnership_a.public_id}."]
    }
    assert not ContactEntry.objects.exists()


def test_a_contact_in_the_future_is_refused(client_for, operator_a, org_a, partnership_a):
    body = new_contact(partnership_a, [org_a], occurred_on=days_ahead(1).isoformat())
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"occurred_on": ["A contact cannot take place in the future."]}
    assert not ContactEntry.objects.exists()


def test_a_participant_that_is_not_a_member_is_refused(
    client_for, operator_a, org_a, org_b, partnership_a
):
    body = new_contact(partnership_a, [org_a, org_b])
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "participants": ["Not a member of the partnership: Partner B Evenementen."]
    }
    assert not ContactEntry.objects.exists()


def test_no_participants_is_refused(client_for, operator_a, partnership_a):
    response = client_for(operator_a).post(URL, new_contact(partnership_a, []), format="json")
    assert response.status_code == 400
    assert "participants" in response.json()


def test_an_action_for_an_outsider_saves_neither_the_contact_nor_any_action(
    client_for, operator_a, org_a, org_b, partnership_a
):
    body = new_contact(
        partnership_a,
        [org_a],
        actions=[
            {"description": "Fine", "owner": str(org_a.public_id), "due_on": "2030-01-01"},
            {"description": "Outsider", "owner": str(org_b.public_id), "due_on": "2030-01-01"},
        ],
    )
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"owner": ["Not a member of the partnership: Partner B Evenementen."]}
    assert not ContactEntry.objects.exists()
    assert not Action.objects.exists()


def test_malformed_actions_are_refused_per_field(client_for, operator_a, org_a, partnership_a):
    body = new_contact(partnership_a, [org_a], actions=[{"description": "", "due_on": "soon"}])
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["actions"]["0"]) == {"description", "owner", "due_on"}
    assert not ContactEntry.objects.exists()


def test_the_owner_and_author_cannot_be_set_by_the_caller(
    client_for, operator_a, org_a, org_b, operator_b, partnership_a
):
    body = new_contact(
        partnership_a,
        [org_a],
        owner_organisation=str(org_b.public_id),
        created_by="operator-b",
    )
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 201
    entry = ContactEntry.objects.get()
    assert entry.owner_organisation == org_a and entry.created_by == operator_a


# --- Follow-up actions --------------------------------------------------------------------------


@pytest.fixture
def action_a(contact_a):
    return contact_a.actions.get()


@pytest.fixture
def action_b(partnership_b, org_b, contact_b):
    return action_create(
        partnership=partnership_b,
        contact=contact_b,
        description="Route check",
        owner=org_b,
        due_on=days_ago(1),
    )


def test_members_list_their_own_actions(client_for, viewer_a, contact_a, action_a, action_b):
    response = client_for(viewer_a).get(ACTIONS)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == str(action_a.public_id)
    assert row["contact"] == str(contact_a.public_id)
    assert row["partnership"]["name"] == "ArenA Amsterdam"


def test_open_actions_come_first_then_by_due_date(client_for, nctv_staff, org_a, partnership_a):
    action_create(partnership=partnership_a, description="Late", owner=org_a, due_on=days_ago(9))
    done = action_create(
        partnership=partnership_a, description="Done", owner=org_a, due_on=days_ago(20)
    )
    action_set_done(action=done)
    action_create(partnership=partnership_a, description="Soon", owner=org_a, due_on=days_ahead(2))
    rows = client_for(nctv_staff).get(ACTIONS).json()["results"]
    assert [r["description"] for r in rows] == ["Late", "Soon", "Done"]


@pytest.mark.parametrize(("query", "expected"), [("done=true", ["Done"]), ("done=false", ["Open"])])
def test_filter_actions_by_done(client_for, operator_a, org_a, partnership_a, query, expected):
    done = action_create(
        partnership=partnership_a, description="Done", owner=org_a, due_on=days_ago(1)
    )
    action_set_done(action=done)
    action_create(partnership=partnership_a, description="Open", owner=org_a, due_on=days_ago(1))
    rows = client_for(operator_a).get(f"{ACTIONS}?{query}").json()["results"]
    assert [r["description"] for r in rows] == expected


def test_a_member_marks_an_action_done_and_open_again(client_for, officer, action_a):
    client = client_for(officer)
    url = f"{ACTIONS}{action_a.public_id}/"
    response = client.patch(url, {"done": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["done"] is True
    assert response.json()["done_on"] == timezone.localdate().isoformat()
    action_a.refresh_from_db()
    assert action_a.done_on == timezone.localdate()

    response = client.patch(url, {"done": False}, format="json")
    assert response.json()["done"] is False
    action_a.refresh_from_db()
    assert action_a.done_on is None


def test_a_viewer_cannot_mark_an_action_done(client_for, viewer_a, action_a):
    response = client_for(viewer_a).patch(
        f"{ACTIONS}{action_a.public_id}/", {"done": True}, format="json"
    )
    assert response.status_code == 403
    action_a.refresh_from_db()
    assert action_a.done_on is None


def test_an_outsider_cannot_find_the_action(client_for, operator_b, action_a):
    response = client_for(operator_b).patch(
        f"{ACTIONS}{action_a.public_id}/", {"done": True}, format="json"
    )
    assert response.status_code == 404
    action_a.refresh_from_db()
    assert action_a.done_on is None


def test_only_done_can_be_changed(client_for, operator_a, org_b, action_a):
    response = client_for(operator_a).patch(
        f"{ACTIONS}{action_a.public_id}/",
        {"description": "Rewritten", "owner": str(org_b.public_id), "done": "maybe"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"done"}
    action_a.refresh_from_db()
    assert action_a.description == "Extra camera"


def test_actions_cannot_be_replaced_with_put(client_for, operator_a, action_a):
    response = client_for(operator_a).put(
        f"{ACTIONS}{action_a.public_id}/", {"done": True}, format="json"
    )
    assert response.status_code == 405


# --- Pages: the count comes from the page's own query (ppsportal.pagination) -------------------


@pytest.mark.parametrize("number", ["1", "2", "3", "4", "9", "0", "x", str(2**70)])
def test_each_page_is_what_the_count_and_page_apart_gave(
    client_for, operator_a, org_a, partnership_a, contact_b, number, monkeypatch
):
    """First, middle, last and past the end (an empty page, ``previous`` at the last one, also
    past what a database's OFFSET holds), and the numbers answered 400: the same body with the
    count taken from the page as with a ``COUNT`` query of its own."""
    from django.core.paginator import Paginator

    from ppsportal.api.pagination import PortalPagination

    for days in range(1, 8):
        log(partnership_a, operator_a, [org_a], days=days, summary=f"Overleg {days}")
    client = client_for(operator_a)
    url = f"{URL}?page_size=3&page={number}"
    one = client.get(url)
    monkeypatch.setattr(PortalPagination, "django_paginator_class", Paginator)
    two = client.get(url)
    assert (one.status_code, one.json()) == (two.status_code, two.json())
    if one.status_code == 200:
        assert one.json()["count"] == 7  # contact_b is another partnership's


@pytest.mark.parametrize("number", ["1", "2"])
def test_an_empty_log_pages_as_before(client_for, viewer_a, contact_b, number, monkeypatch):
    from django.core.paginator import Paginator

    from ppsportal.api.pagination import PortalPagination

    client = client_for(viewer_a)
    one = client.get(f"{URL}?page={number}")
    monkeypatch.setattr(PortalPagination, "django_paginator_class", Paginator)
    assert one.json() == client.get(f"{URL}?page={number}").json()
    assert (one.json()["count"], one.json()["results"]) == (0, [])
