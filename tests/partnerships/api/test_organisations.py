"""``/api/v1/organisations/``: the caller's own organisation only, its audit trail and its access
log (read by its administrators, and for the NCTV its staff, under the same rule as the
dashboard's "Who read our data"); another organisation is not found (404) on every path."""

from __future__ import annotations

import pytest

from ppsportal.audit import audit_record
from tests.factories import UserFactory
from tests.signin import second_factor_queries

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ORGANISATIONS = "/api/v1/organisations/"


def url(organisation, suffix: str = "") -> str:
    return f"{ORGANISATIONS}{organisation.public_id}/{suffix}"


def read(actor, owner, object_id="11111111-1111-4111-8111-111111111111", purpose="api detail"):
    """A sensitive read of ``owner``'s object, as the read door records it."""
    from partnerships.selectors import actor_for

    return audit_record(
        action="sensitive.viewed",
        actor=actor,
        organisation=actor_for(actor).organisation,
        object_type="partnerships.contactentry",
        object_ids=[object_id],
        owner_organisation_ids=[owner.pk],
        purpose=purpose,
    )


# --- The organisation ---------------------------------------------------------------------------


def test_a_member_lists_and_reads_their_own_organisation_only(client_for, viewer_a, org_a, org_b):
    client = client_for(viewer_a)
    listed = client.get(ORGANISATIONS).json()
    assert listed["count"] == 1
    [row] = listed["results"]
    assert row["id"] == str(org_a.public_id) and row["your_role"] == "viewer"
    # a viewer neither manages members nor reads the logs: no links to them
    assert row["links"] == {
        "members": None,
        "member_invitations": None,
        "audit_trail": None,
        "access_log": None,
    }
    assert client.get(url(org_a)).json()["name"] == org_a.name
    assert client.get(url(org_b)).status_code == 404


def test_an_administrator_is_linked_to_members_and_logs(client_for, operator_a, org_a):
    links = client_for(operator_a).get(url(org_a)).json()["links"]
    assert links["members"].endswith("/api/v1/members/")
    assert links["member_invitations"].endswith("/api/v1/member-invitations/")
    assert links["audit_trail"].endswith(url(org_a, "audit-trail/"))
    assert links["access_log"].endswith(url(org_a, "access-log/"))


@pytest.mark.parametrize("suffix", ["", "audit-trail/", "access-log/"])
def test_another_organisation_is_not_found_even_for_nctv_staff(
    client_for, operator_a, nctv_staff, org_b, suffix
):
    read(operator_a, org_b)
    assert client_for(operator_a).get(url(org_b, suffix)).status_code == 404
    assert client_for(nctv_staff).get(url(org_b, suffix)).status_code == 404


def test_an_unknown_id_is_not_found_and_anonymous_is_refused(client_for, api_client, operator_a):
    missing = "/api/v1/organisations/00000000-0000-4000-8000-000000000000/audit-trail/"
    assert client_for(operator_a).get(missing).status_code == 404
    api_client.logout()
    assert api_client.get(ORGANISATIONS).status_code == 401


# --- The logs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["audit-trail/", "access-log/"])
def test_the_logs_are_refused_to_a_member_who_does_not_administer(
    client_for, viewer_a, org_a, suffix
):
    response = client_for(viewer_a).get(url(org_a, suffix))
    assert response.status_code == 403
    assert "administrators" in response.json()["detail"]


def test_the_access_log_is_the_dashboards_outside_reads_newest_first(
    client_for, operator_a, viewer_a, operator_b, nctv_staff, org_a, org_b
):
    read(operator_b, org_a, purpose="first")
    read(viewer_a, org_a, purpose="own")  # inside the organisation: not an outside read
    read(operator_a, org_b, purpose="other")  # another organisation's data
    read(nctv_staff, org_a, purpose="second")
    body = client_for(operator_a).get(url(org_a, "access-log/")).json()
    assert body["count"] == 2
    assert [(r["actor"], r["actor_organisation"], r["purpose"]) for r in body["results"]] == [
        ("nctv-staff", "NCTV", "second"),
        ("operator-b", org_b.name, "first"),
    ]
    assert set(body["results"][0]) == {
        "at",
        "actor",
        "actor_organisation",
        "object_type",
        "object_ids",
        "purpose",
        "shared_under",
    }


def test_the_audit_trail_holds_every_event_about_the_organisations_own_data(
    client_for, operator_a, viewer_a, operator_b, org_a, org_b
):
    client = client_for(operator_a)
    read(operator_b, org_a, purpose="outside")
    read(viewer_a, org_a, purpose="inside")
    read(operator_a, org_b, purpose="not ours")
    response = client.patch(
        f"/api/v1/members/{viewer_a.membership.public_id}/", {"role": "member"}, format="json"
    )
    assert response.status_code == 200
    body = client.get(url(org_a, "audit-trail/")).json()
    assert [(r["action"], r["purpose"]) for r in body["results"]] == [
        ("members.role_changed", ""),
        ("sensitive.viewed", "inside"),
        ("sensitive.viewed", "outside"),
    ]
    assert body["results"][0]["detail"]["after"] == "member"
    only_members = client.get(url(org_a, "audit-trail/"), {"action": "members."}).json()
    assert [r["action"] for r in only_members["results"]] == ["members.role_changed"]


def test_nctv_staff_read_the_nctvs_own_logs(client_for, nctv_staff, nctv, operator_a):
    read(operator_a, nctv)
    organisation = client_for(nctv_staff).get(url(nctv)).json()
    assert organisation["is_nctv"] and organisation["sector"] == ""  # an authority: no sector
    body = client_for(nctv_staff).get(url(nctv, "access-log/")).json()
    assert [r["actor"] for r in body["results"]] == ["operator-a"]


def test_the_logs_are_paginated(client_for, operator_a, operator_b, org_a):
    for n in range(3):
        read(operator_b, org_a, purpose=f"read {n}")
    client = client_for(operator_a)
    for suffix in ("audit-trail/", "access-log/"):
        body = client.get(url(org_a, suffix), {"page_size": 2}).json()
        assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
        second = client.get(body["next"]).json()
        assert [r["purpose"] for r in second["results"]] == ["read 0"]


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # who is asking (3); the organisation (1)
        ("", 1),
        # who is asking (3); the list's count and its page (2: the organisation column, no
        # door's set, so counted apart: ppsportal.pagination)
        ("?list", 2),
        # who is asking (3); the organisation (1); the events counted, then their page (2)
        ("audit-trail/", 3),
        ("access-log/", 3),
    ],
)
@pytest.mark.parametrize("persona", ["operator_a", "nctv_staff"])
def test_the_organisation_endpoints_run_a_fixed_number_of_queries(
    request, client_for, django_assert_num_queries, operator_b, path, queries, persona
):
    user = request.getfixturevalue(persona)
    organisation = user.membership.organisation
    client = client_for(user)
    target = ORGANISATIONS if path == "?list" else url(organisation, path)
    expected = 3 + queries + second_factor_queries(user)
    read(operator_b, organisation)
    with django_assert_num_queries(expected):
        assert client.get(target).status_code == 200
    for _ in range(5):
        read(UserFactory(organisation=operator_b.membership.organisation), organisation)
    with django_assert_num_queries(expected):
        assert client.get(target).status_code == 200
