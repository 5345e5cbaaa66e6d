"""Partners share too, through the API: ``POST /api/v1/shares/`` shares an object of your own,
``GET /api/v1/shares/`` lists what you shared, ``GET /api/v1/shares/received/`` what was shared
with you (from whom, under which covenant, for what purpose), ``DELETE
/api/v1/shares/<type>/<id>/<organisation>/`` withdraws. A received object's body carries
``shared_under``; the owner's access log carries the covenant and purpose of each read."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from partnerships.models import ContactEntryGroupGrant, Covenant
from ppsportal.models import AuditEvent
from tests.partnerships.partner_world import PURPOSE, build_partner_world
from tests.partnerships.partner_world import share as _share

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_partner_world()


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(w, *, entry="amber", to="B", covenant="amber"):
    return {
        "object_type": "contact_entry",
        "object": str(w.entries[entry].public_id),
        "organisation": str(w.orgs[to].public_id),
        "covenant": str(w.covenants[covenant].public_id),
        "reason": "Voorbereiding wedstrijd",
    }


def test_share_list_received_and_the_object_carries_the_purpose(w):
    owner = api_as(w.users["a1"])
    response = owner.post("/api/v1/shares/", _body(w), format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert row["organisation"]["name"] == "Partner B"
    assert row["shared_by"]["name"] == "Eigenaar A"
    assert row["shared_under"] == {
        "covenant": {"id": str(w.covenants["amber"].public_id), "title": "Convenant amber"},
        "purpose": PURPOSE,
    }
    assert row["in_effect"] is True
    # sharing twice changes nothing
    assert owner.post("/api/v1/shares/", _body(w), format="json").status_code == 201
    assert ContactEntryGroupGrant.all_grants.count() == 1
    assert AuditEvent.objects.filter(action="sharing.granted").count() == 1

    [made] = owner.get("/api/v1/shares/").json()["results"]
    assert made["object"]["id"] == str(w.entries["amber"].public_id)

    receiver = api_as(w.users["b1"])
    [received] = receiver.get("/api/v1/shares/received/").json()["results"]
    assert received["shared_by"]["name"] == "Eigenaar A"
    assert received["shared_under"]["purpose"] == PURPOSE
    assert api_as(w.users["c1"]).get("/api/v1/shares/received/").json()["results"] == []

    entry = f"/api/v1/contacts/{w.entries['amber'].public_id}/"
    assert receiver.get(entry).json()["shared_under"]["purpose"] == PURPOSE
    assert owner.get(entry).json()["shared_under"] is None
    listed = {r["id"]: r for r in receiver.get("/api/v1/contacts/").json()["results"]}
    assert listed[str(w.entries["amber"].public_id)]["shared_under"]["purpose"] == PURPOSE


def _refused(w, user, body, status, **headers):
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    response = api_as(w.users[user]).post("/api/v1/shares/", body, format="json", **headers)
    assert response.status_code == status, response.json()
    assert ContactEntryGroupGrant.all_grants.count() == 0
    return response.json()


def test_above_the_clause_is_400(w):
    body = _refused(w, "a1", _body(w, covenant="green"), 400)
    assert "allows at most TLP:GREEN" in body["covenant"][0]


def test_an_organisation_that_did_not_sign_is_400_in_english_and_dutch(w):
    body = _refused(w, "a1", _body(w, to="D"), 400, HTTP_ACCEPT_LANGUAGE="en")
    assert body["organisation"] == [
        "Buitenstaander D has not signed the covenant 'Convenant amber'."
    ]
    body = _refused(w, "a1", _body(w, to="D"), 400, HTTP_ACCEPT_LANGUAGE="nl")
    assert body["organisation"] == [
        "Buitenstaander D heeft het convenant 'Convenant amber' niet ondertekend."
    ]


def test_a_covenant_the_sharer_did_not_sign_is_400(w):
    body = _refused(w, "a1", _body(w, covenant="bc"), 400)
    assert "Eigenaar A, which shares this, has not signed" in body["covenant"][0]


def test_someone_elses_object_is_404_unseen_and_403_seen(w):
    _refused(w, "c1", _body(w, to="C"), 404)
    _share(w)
    response = api_as(w.users["b1"]).post("/api/v1/shares/", _body(w, to="C"), format="json")
    assert response.status_code == 403
    assert ContactEntryGroupGrant.all_grants.count() == 1


def test_a_viewer_is_403(w):
    body = _refused(w, "a_viewer", _body(w), 403)
    assert "Your role does not allow sharing" in body["detail"]


def test_delete_withdraws_at_once_and_twice_is_204(w):
    _share(w)
    entry = w.entries["amber"]
    url = f"/api/v1/shares/contact_entry/{entry.public_id}/{w.orgs['B'].public_id}/"
    assert api_as(w.users["b1"]).delete(url).status_code == 403  # seen, not theirs
    assert api_as(w.users["c1"]).delete(url).status_code == 404  # not seen
    assert api_as(w.users["a_viewer"]).delete(url).status_code == 403
    assert ContactEntryGroupGrant.all_grants.count() == 1
    owner = api_as(w.users["a1"])
    assert owner.delete(url).status_code == 204
    assert api_as(w.users["b1"]).get(f"/api/v1/contacts/{entry.public_id}/").status_code == 404
    assert owner.delete(url).status_code == 204
    assert AuditEvent.objects.filter(action="sharing.revoked").count() == 1


def test_the_owners_access_log_names_the_covenant_and_purpose_of_each_read(w):
    _share(w)
    api_as(w.users["b1"]).get(f"/api/v1/contacts/{w.entries['amber'].public_id}/")
    log = api_as(w.users["a_admin"]).get(
        f"/api/v1/organisations/{w.orgs['A'].public_id}/access-log/"
    )
    [event] = log.json()["results"]
    assert event["actor_organisation"] == "Partner B"
    assert event["shared_under"] == [
        {
            "object": str(w.entries["amber"].public_id),
            "covenant": {"id": str(w.covenants["amber"].public_id), "title": "Convenant amber"},
            "purpose": PURPOSE,
        }
    ]


def test_a_page_of_two_kinds_is_recorded_in_one_insert_one_entry_per_kind(
    w, django_assert_num_queries
):
    """``read_many`` on a page that mixes kinds (the shares lists): one entry per kind, written
    in one INSERT; the received entry names its covenant."""
    from partnerships.selectors import actor_for
    from partnerships.sharing.reads import read_many

    _share(w)
    covenant = w.covenants["amber"]
    Covenant.objects.filter(pk=covenant.pk).update(document_tlp="amber", document_owner=w.orgs["B"])
    covenant.refresh_from_db()
    entry = w.entries["amber"]
    actor = actor_for(w.users["b1"])
    # the grant's covenant (one query; the covenant is B's own: none for it), one INSERT
    with django_assert_num_queries(2):
        read_many(actor, [entry, covenant], purpose="test")
    events = AuditEvent.objects.filter(action="sensitive.viewed", purpose="test")
    assert sorted(e.object_type for e in events) == sorted(
        ["partnerships.contactentry", "partnerships.covenant"]
    )
    by_kind = {e.object_type: e for e in events}
    assert by_kind["partnerships.contactentry"].object_ids == [str(entry.public_id)]
    assert by_kind["partnerships.covenant"].object_ids == [str(covenant.public_id)]
    assert entry.shared_under.purpose == PURPOSE
    assert covenant.shared_under is None
