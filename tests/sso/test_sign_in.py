"""Single sign-on through OpenID Connect, against a fake provider in the test process.

A subject is matched by the signed ``iss``+``sub``; a new one is placed only by an approved
organisation rule (never by e-mail domain); NCTV staff need the provider to vouch for a second
factor. Every outcome is audited.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from partnerships.models import Membership
from ppsportal.audit import AuditEvent
from sso.models import ExternalIdentity, OrganisationRule
from tests.sso.provider import ISSUER, SETTINGS, FakeProvider

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
    "sso.backends.PortalOIDCBackend",
]


@pytest.fixture
def provider(monkeypatch):
    import mozilla_django_oidc.auth as oidc_auth

    fake = FakeProvider()
    monkeypatch.setattr(oidc_auth.requests, "post", fake.post)
    monkeypatch.setattr(oidc_auth.requests, "get", fake.get)
    with override_settings(**SETTINGS, SSO_STAFF_MFA_AMR=["mfa"], AUTHENTICATION_BACKENDS=BACKENDS):
        yield fake


@pytest.fixture
def rule_a(org_a, nctv_staff):
    return OrganisationRule.objects.create(
        issuer=ISSUER,
        claim="org_id",
        value="partner-a",
        organisation=org_a,
        role="viewer",
        approved_by=nctv_staff,
        approved_at=timezone.now(),
    )


def sign_in(client, provider, claims: dict):
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    code, state = provider.authorize(start["Location"], claims)
    return client.get("/oidc/callback/", {"code": code, "state": state})


def signed_in_user(client):
    from django.contrib.auth import get_user

    class _Request:
        session = client.session

    user = get_user(_Request())
    return user if user.is_authenticated else None


def test_a_partner_signs_in_and_is_placed_by_the_approved_rule(client, provider, rule_a, org_a):
    claims = {"sub": "abc-123", "preferred_username": "j.jansen", "org_id": "partner-a"}
    response = sign_in(client, provider, claims)
    assert response.status_code == 302 and response["Location"] == "/"
    user = signed_in_user(client)
    membership = Membership.objects.get(user=user)
    assert membership.organisation == org_a and membership.role == "viewer"
    assert not user.is_staff and not user.has_usable_password()
    assert ExternalIdentity.objects.get(user=user).subject == "abc-123"
    assert AuditEvent.objects.filter(action="sso.user_created").count() == 1
    # the next sign-in finds the same user by iss+sub
    client.logout()
    sign_in(client, provider, claims)
    assert signed_in_user(client) == user
    assert Membership.objects.filter(organisation=org_a).count() == 1


@pytest.mark.parametrize("approved", [False, True])
def test_mapping_is_refused_without_an_approved_rule(client, provider, org_a, approved):
    OrganisationRule.objects.create(
        issuer=ISSUER,
        claim="org_id",
        value="partner-a",
        organisation=org_a,
        approved_at=timezone.now() if approved else None,
    )  # approved_at without an approver does not count either
    response = sign_in(client, provider, {"sub": "x-1", "org_id": "partner-a"})
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user(client) is None
    assert not ExternalIdentity.objects.exists()
    event = AuditEvent.objects.get(action="sso.refused")
    assert event.detail["reason"] == "no approved organisation rule"


def test_an_email_domain_alone_places_nobody(client, provider, rule_a):
    claims = {"sub": "x-2", "email": "iemand@partner-a.example", "email_verified": True}
    sign_in(client, provider, claims)
    assert signed_in_user(client) is None


def test_a_rule_on_the_email_claim_cannot_be_stored(org_a):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        OrganisationRule.objects.create(
            issuer=ISSUER, claim="email", value="a@partner-a.example", organisation=org_a
        )


@pytest.mark.parametrize(("amr", "signed_in"), [(["pwd"], False), (["pwd", "mfa"], True)])
def test_staff_need_a_second_factor_from_the_provider(client, provider, nctv_staff, amr, signed_in):
    ExternalIdentity.objects.create(issuer=ISSUER, subject="staff-1", user=nctv_staff)
    sign_in(client, provider, {"sub": "staff-1", "amr": amr})
    assert (signed_in_user(client) == nctv_staff) is signed_in


def test_a_deactivated_user_does_not_sign_in(client, provider, viewer_a):
    ExternalIdentity.objects.create(issuer=ISSUER, subject="v-1", user=viewer_a)
    viewer_a.is_active = False
    viewer_a.save()
    sign_in(client, provider, {"sub": "v-1"})
    assert signed_in_user(client) is None


def test_sign_in_is_not_found_without_a_provider(client, db):
    assert client.get("/oidc/authenticate/").status_code == 404


def test_staff_vouched_for_by_the_provider_reach_the_admin_without_a_second_code(
    client, provider, nctv_staff
):
    """The provider's second factor counts as the portal's: no redirect to the code page."""
    ExternalIdentity.objects.create(issuer=ISSUER, subject="staff-2", user=nctv_staff)
    sign_in(client, provider, {"sub": "staff-2", "amr": ["pwd", "mfa"]})
    response = client.get("/admin/")
    assert response.status_code == 200
    assert client.session.get("sso_second_factor") is True


# --- The button on the sign-in page -----------------------------------------------------------


def _sso_button(page) -> str | None:
    import re

    match = re.search(
        r'<a class="button secondary" id="sso-sign-in" href="([^"]+)">([^<]+)</a>', page
    )
    return match and match.group(1, 2)


def test_the_sign_in_page_has_no_sso_button_without_a_provider(client, db):
    assert _sso_button(client.get("/accounts/login/").content.decode()) is None


@pytest.mark.parametrize(
    ("name", "language", "label"),
    [
        ("", "en", "Sign in with single sign-on"),
        ("", "nl", "Inloggen met single sign-on"),
        ("Rijksportaal", "en", "Sign in with Rijksportaal"),
        ("Rijksportaal", "nl", "Inloggen met Rijksportaal"),
    ],
)
def test_the_sign_in_page_offers_the_configured_provider(client, provider, name, language, label):
    with override_settings(SSO_PROVIDER_NAME=name):
        page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    href, text = _sso_button(page)
    assert text == label
    assert href == "/oidc/authenticate/"


def test_the_sso_button_signs_in_and_returns_to_the_page_asked_for(client, provider, rule_a):
    page = client.get("/accounts/login/", {"next": "/alerts/"}).content.decode()
    href, _label = _sso_button(page)
    assert href == "/oidc/authenticate/?next=/alerts/"
    start = client.get(href.replace("&amp;", "&"))
    code, state = provider.authorize(start["Location"], {"sub": "btn-1", "org_id": "partner-a"})
    response = client.get("/oidc/callback/", {"code": code, "state": state})
    assert response["Location"] == "/alerts/"
    assert signed_in_user(client).external_identities.get().subject == "btn-1"
