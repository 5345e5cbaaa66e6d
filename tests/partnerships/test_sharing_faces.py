"""The sharing engine behind every face: dashboard and API hide what is not shared (404), audit
every AMBER+ read, and show an organisation's admins who outside read their data."""

import pytest
from rest_framework.test import APIClient

from partnerships.sharing import services as sharing
from ppsportal.models import AuditEvent
from tests.partnerships.sharing_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = build_world()
    sharing.share_with_organisation(
        obj=world.entries["amber"],
        organisation=world.orgs["B"],
        covenant=world.covenants["amber"],
        by=world.users["a1"],
        reason="Wedstrijd",
    )
    return world


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_detail_of_a_shared_amber_entry_is_audited(w):
    entry = w.entries["amber"]
    response = api_as(w.users["b1"]).get(f"/api/v1/contacts/{entry.public_id}/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="sensitive.viewed")
    assert event.actor_username == "b1"
    assert event.organisation_name == "Partner B"
    assert event.object_ids == [str(entry.public_id)]
    assert event.purpose == "api detail"


def test_api_answers_404_for_what_is_not_shared(w):
    for level in ("amber", "amber_strict", "red"):
        response = api_as(w.users["c1"]).get(f"/api/v1/contacts/{w.entries[level].public_id}/")
        assert response.status_code == 404, level
    assert not AuditEvent.objects.filter(action="sensitive.viewed").exists()


def test_api_list_writes_one_entry_naming_the_sensitive_ids_shown(w):
    response = api_as(w.users["b1"]).get("/api/v1/contacts/")
    ids = {row["id"] for row in response.json()["results"]}
    assert str(w.entries["amber"].public_id) in ids
    assert str(w.entries["red"].public_id) not in ids
    event = AuditEvent.objects.get(action="sensitive.viewed")
    assert event.object_ids == [str(w.entries["amber"].public_id)]
    assert event.purpose == "api list"


def test_green_list_reads_are_not_audited(w):
    api_as(w.users["c1"]).get("/api/v1/contacts/")
    assert not AuditEvent.objects.filter(action="sensitive.viewed").exists()


def test_dashboard_shows_the_shared_entry_and_audits_it(client, w):
    client.force_login(w.users["b1"])
    page = client.get(f"/partnerships/{w.partnership.public_id}/")
    content = page.content.decode()
    assert "Verslag amber" in content
    assert "Verslag red" not in content
    assert AuditEvent.objects.filter(action="sensitive.viewed", actor_username="b1").count() == 1


def test_dashboard_hides_unshared_entries(client, w):
    client.force_login(w.users["c1"])
    content = client.get(f"/partnerships/{w.partnership.public_id}/").content.decode()
    assert "Verslag green" in content
    for level in ("amber", "amber_strict", "red"):
        assert f"Verslag {level}" not in content


def test_access_transparency_shows_outside_reads_to_the_owners_admin(client, w):
    from partnerships.services import organisations as org_services

    api_as(w.users["b1"]).get(f"/api/v1/contacts/{w.entries['amber'].public_id}/")
    api_as(w.users["a1"]).get(f"/api/v1/contacts/{w.entries['red'].public_id}/")  # own read
    org_services.membership_change_role(membership=w.users["a1"].membership, role="admin")
    client.force_login(w.users["a1"])
    page = client.get("/organisation/access-log/")
    assert page.status_code == 200
    rows = list(page.context["page"].object_list)
    assert [(e.actor_username, e.organisation_name) for e in rows] == [("b1", "Partner B")]


def test_access_transparency_is_for_admins_only(client, w):
    client.force_login(w.users["b2"])  # a member, not an admin
    assert client.get("/organisation/access-log/").status_code == 403


def test_actions_of_a_hidden_entry_are_hidden_too(w):
    from datetime import timedelta

    from django.utils import timezone

    from partnerships.services import contacts as contact_services

    contact_services.action_create(
        partnership=w.partnership,
        contact=w.entries["red"],
        description="Geheim vervolg",
        owner=w.orgs["A"],
        due_on=timezone.localdate() + timedelta(days=3),
    )
    descriptions = [
        a["description"] for a in api_as(w.users["c1"]).get("/api/v1/actions/").json()["results"]
    ]
    assert "Geheim vervolg" not in descriptions
    descriptions = [
        a["description"] for a in api_as(w.users["a1"]).get("/api/v1/actions/").json()["results"]
    ]
    assert "Geheim vervolg" in descriptions


def _shared_world(extra):
    from partnerships.models import ContactEntry

    world = build_world(extra_entries=extra)
    for entry in ContactEntry.objects.filter(tlp="amber"):
        sharing.share_with_organisation(
            obj=entry,
            organisation=world.orgs["B"],
            covenant=world.covenants["amber"],
            by=world.users["a1"],
            reason="x",
        )
    return world


@pytest.mark.parametrize("extra", [10, 1000])
def test_api_contact_list_queries_are_fixed_at_10_and_1000_visible(
    extra, django_assert_num_queries
):
    world = _shared_world(extra)
    client = api_as(world.users["b1"])
    # the page with its count, participants, actions and the covenant each was shared under
    # (shown with it and kept in the audit entry), and the one audit insert (who is asking is
    # the test's user, its membership already read)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/contacts/?page_size=200")
    assert response.json()["count"] == 3 + extra


# among them: the covenant the entries were shared under, and the health history
DASHBOARD_DETAIL_QUERIES = 23


@pytest.mark.parametrize("extra", [10, 1000])
def test_dashboard_partnership_page_queries_are_fixed_at_10_and_1000_visible(
    extra, client, django_assert_num_queries
):
    world = _shared_world(extra)
    client.force_login(world.users["b1"])
    url = f"/partnerships/{world.partnership.public_id}/"
    client.get(url)  # warm the session
    with django_assert_num_queries(DASHBOARD_DETAIL_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["contacts"]) == 3 + extra


def test_after_the_end_date_the_next_api_request_gets_404_before_the_clean_up(w):
    from datetime import timedelta

    from django.utils import timezone

    from partnerships.models import ContactEntryGroupGrant
    from partnerships.services import covenants as covenant_services
    from partnerships.tasks import remove_lapsed_grants

    url = f"/api/v1/contacts/{w.entries['amber'].public_id}/"
    assert api_as(w.users["b1"]).get(url).status_code == 200
    covenant_services.covenant_update(
        covenant=w.covenants["amber"], effective_until=timezone.localdate() - timedelta(days=1)
    )
    assert api_as(w.users["b1"]).get(url).status_code == 404
    assert ContactEntryGroupGrant.all_grants.count() == 1  # the clean-up has not run yet
    remove_lapsed_grants()
    assert not ContactEntryGroupGrant.all_grants.exists()
    assert AuditEvent.objects.filter(action="sharing.lapsed").count() == 1
