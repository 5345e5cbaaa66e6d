"""An organisation's administrator manages its own people, through the API and the dashboard.

Another organisation's member is not found (404) on every face; a member who does not
administer is refused (403); every change is in the audit log; an invitation link expires and
works once; deactivation ends sessions and tokens at once; nobody is made staff this way.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from partnerships.models import MemberInvitation, Membership
from ppsportal.audit import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MEMBERS = "/api/v1/members/"
INVITATIONS = "/api/v1/member-invitations/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def member_url(user, suffix: str = "") -> str:
    return f"{MEMBERS}{user.membership.public_id}/{suffix}"


# --- API ------------------------------------------------------------------------------------------


def test_an_administrator_lists_the_members_of_their_own_organisation_only(
    operator_a, viewer_a, operator_b
):
    response = api(operator_a).get(MEMBERS)
    assert response.status_code == 200
    assert {row["username"] for row in response.json()["results"]} == {"operator-a", "viewer-a"}


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [("get", "", None), ("patch", "", {"role": "viewer"}), ("post", "deactivate/", None)],
)
def test_another_organisations_member_is_not_found(operator_a, operator_b, method, suffix, body):
    response = getattr(api(operator_a), method)(member_url(operator_b, suffix), body, format="json")
    assert response.status_code == 404
    operator_b.refresh_from_db()
    assert operator_b.is_active and operator_b.membership.role == "admin"
    assert not AuditEvent.objects.filter(action__startswith="members.").exists()


@pytest.mark.parametrize("path", [MEMBERS, INVITATIONS])
def test_a_member_who_does_not_administer_is_refused(viewer_a, path):
    assert api(viewer_a).get(path).status_code == 403


def test_nctv_staff_do_not_manage_partners_people_through_the_api(nctv_staff, viewer_a):
    response = api(nctv_staff).patch(member_url(viewer_a), {"role": "admin"}, format="json")
    assert response.status_code in {403, 404}
    assert Membership.objects.get(user=viewer_a).role == "viewer"


def test_a_role_change_is_applied_and_audited(operator_a, viewer_a):
    response = api(operator_a).patch(member_url(viewer_a), {"role": "member"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "member"
    event = AuditEvent.objects.get(action="members.role_changed")
    assert event.detail["before"] == "viewer" and event.detail["after"] == "member"
    assert event.actor_username == "operator-a"


@pytest.mark.parametrize("role", ["staff", "superuser", ""])
def test_no_role_outside_the_organisation_roles(operator_a, viewer_a, role):
    response = api(operator_a).patch(member_url(viewer_a), {"role": role}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()
    viewer_a.refresh_from_db()
    assert not viewer_a.is_staff and viewer_a.membership.role == "viewer"


def test_an_administrator_does_not_demote_or_deactivate_themselves(operator_a):
    client = api(operator_a)
    assert (
        client.patch(member_url(operator_a), {"role": "viewer"}, format="json").status_code == 400
    )
    assert client.post(member_url(operator_a, "deactivate/")).status_code == 400
    operator_a.refresh_from_db()
    assert operator_a.is_active and operator_a.membership.role == "admin"


def test_deactivation_ends_tokens_at_once_and_is_audited(operator_a, viewer_a):
    _instance, token = AuthToken.objects.create(user=viewer_a)
    integrator = APIClient()
    integrator.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert integrator.get("/api/v1/me/").status_code == 200
    response = api(operator_a).post(member_url(viewer_a, "deactivate/"))
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert integrator.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="members.deactivated").count() == 1
    # twice changes nothing
    assert api(operator_a).post(member_url(viewer_a, "deactivate/")).status_code == 200
    assert AuditEvent.objects.filter(action="members.deactivated").count() == 1


# --- Invitations ----------------------------------------------------------------------------------


def invite(operator, mailoutbox, django_capture_on_commit_callbacks, role="member") -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = api(operator).post(
            INVITATIONS, {"email": "nieuw@partner-a.example", "role": role}, format="json"
        )
    assert response.status_code == 201
    (mail,) = mailoutbox
    assert mail.to == ["nieuw@partner-a.example"]
    return re.search(r"https?://\S+/invitations/(\S+)/", mail.body).group(1)


def test_an_invitation_link_joins_the_inviting_organisation_once(
    client, operator_a, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    token = invite(operator_a, mailoutbox, django_capture_on_commit_callbacks, role="admin")
    assert client.get(f"/invitations/{token}/").status_code == 200
    response = client.post(
        f"/invitations/{token}/", {"username": "nieuw", "password": "een-lang-wachtwoord-26"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="nieuw")
    assert membership.organisation == org_a and membership.role == "admin"
    assert not membership.user.is_staff
    assert AuditEvent.objects.filter(action="members.joined").count() == 1
    assert AuditEvent.objects.filter(action="members.invited").count() == 1
    again = client.post(
        f"/invitations/{token}/", {"username": "nog-een", "password": "een-lang-wachtwoord-26"}
    )
    assert again.status_code == 404
    assert not Membership.objects.filter(user__username="nog-een").exists()


def test_an_expired_invitation_link_is_refused(
    client, operator_a, mailoutbox, django_capture_on_commit_callbacks
):
    token = invite(operator_a, mailoutbox, django_capture_on_commit_callbacks)
    MemberInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(
        f"/invitations/{token}/", {"username": "laat", "password": "een-lang-wachtwoord-26"}
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user__username="laat").exists()


def test_an_unknown_invitation_link_is_not_found(client, db):
    assert client.get("/invitations/not-a-token/").status_code == 404


# --- Dashboard ------------------------------------------------------------------------------------


def test_the_members_page_shows_the_own_organisation(client, operator_a, viewer_a, operator_b):
    client.force_login(operator_a)
    response = client.get("/organisation/members/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "viewer-a" in page and "operator-b" not in page


def test_the_members_page_refuses_a_non_administrator(client, viewer_a):
    client.force_login(viewer_a)
    assert client.get("/organisation/members/").status_code == 403


@pytest.mark.parametrize("action", ["role", "deactivate"])
def test_the_dashboard_cannot_touch_another_organisations_member(
    client, operator_a, operator_b, action
):
    client.force_login(operator_a)
    url = f"/organisation/members/{operator_b.membership.public_id}/{action}/"
    assert client.post(url, {"role": "viewer"}).status_code == 404
    operator_b.refresh_from_db()
    assert operator_b.is_active and operator_b.membership.role == "admin"


def test_the_dashboard_changes_a_role_and_deactivates(client, operator_a, viewer_a):
    client.force_login(operator_a)
    base = f"/organisation/members/{viewer_a.membership.public_id}/"
    assert client.post(f"{base}role/", {"role": "member"}).status_code == 302
    assert client.post(f"{base}deactivate/").status_code == 302
    viewer_a.refresh_from_db()
    assert viewer_a.membership.role == "member" and not viewer_a.is_active
