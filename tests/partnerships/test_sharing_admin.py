"""Share and revoke from the admin page of a shareable object, with the covenant check."""

import pytest

from partnerships.models import ContactEntryGroupGrant
from ppsportal.models import AuditEvent
from tests import signin
from tests.partnerships.sharing_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _url(entry):
    return f"/admin/partnerships/contactentry/{entry.pk}/shares/"


def test_staff_share_from_the_admin_under_a_covenant(client, w):
    signin.sign_in(client, w.staff)
    entry = w.entries["amber"]
    page = client.get(_url(entry))
    assert page.status_code == 200
    response = client.post(
        _url(entry),
        {
            "organisation": w.orgs["B"].pk,
            "covenant": w.covenants["amber"].pk,
            "reason": "Voorbereiding",
        },
    )
    assert response.status_code == 302
    grant = ContactEntryGroupGrant.all_grants.get()
    assert (grant.organisation, grant.covenant, grant.granted_by) == (
        w.orgs["B"],
        w.covenants["amber"],
        w.staff,
    )
    assert AuditEvent.objects.filter(action="sharing.granted").count() == 1
    listing = client.get(_url(entry)).content.decode()
    assert "Partner B" in listing and "Voorbereiding" in listing


def test_the_admin_refuses_with_the_covenant_reason(client, w):
    signin.sign_in(client, w.staff)
    response = client.post(
        _url(w.entries["amber"]),
        {"organisation": w.orgs["B"].pk, "covenant": w.covenants["green"].pk, "reason": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "allows at most TLP:GREEN" in response.content.decode()
    assert not ContactEntryGroupGrant.all_grants.exists()


def test_revoke_from_the_admin(client, w):
    signin.sign_in(client, w.staff)
    entry = w.entries["amber"]
    client.post(
        _url(entry),
        {"organisation": w.orgs["B"].pk, "covenant": w.covenants["amber"].pk, "reason": "x"},
    )
    response = client.post(_url(entry), {"revoke": f"organisation:{w.orgs['B'].pk}"})
    assert response.status_code == 302
    assert not ContactEntryGroupGrant.all_grants.exists()
    assert AuditEvent.objects.filter(action="sharing.revoked").count() == 1


def test_partners_cannot_reach_the_admin_share_page(client, w):
    signin.sign_in(client, w.users["a1"])
    response = client.get(_url(w.entries["amber"]))
    assert response.status_code == 302  # to the admin login: the admin is NCTV staff's face
    assert not ContactEntryGroupGrant.all_grants.exists()


def test_the_change_page_links_to_the_shares_page_and_a_bad_id_is_not_found(client, w):
    """Found by the browser crawl: the relative link "shares/" on /<id>/change/ led to
    /<id>/change/shares/, which answered 500 (the id "<id>/change" reached the database)."""
    signin.sign_in(client, w.staff)
    entry = w.entries["amber"]
    change = client.get(f"/admin/partnerships/contactentry/{entry.pk}/change/")
    assert f'href="{_url(entry)}"' in change.content.decode()
    assert client.get(_url(entry)).status_code == 200
    bad = f"/admin/partnerships/contactentry/{entry.pk}/change/shares/"
    assert client.get(bad).status_code == 404
