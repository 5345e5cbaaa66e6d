"""MFA for staff: a staff user without a verified second factor reaches no staff page, no admin
page and no API call; enrolment gives an authenticator key and recovery codes; staff API tokens
need a code; partners sign in with a password alone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from ppsportal.models import AuditEvent
from tests.factories import PASSWORD
from tests.signin import authenticator_for, current_code, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

VERIFY = "/accounts/second-factor/"
ENROL = "/accounts/second-factor/enrol/"
STAFF_PAGES = [
    "/",
    "/admin/",
    "/admin/partnerships/organisation/",
    "/admin/ppsportal/auditevent/",
    "/partnerships/overview/",
]


def _password_only(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_with_a_password_only_are_sent_to_the_second_factor(client, nctv_staff, path):
    authenticator_for(nctv_staff)
    _password_only(client, nctv_staff)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY + "?next=")


def test_staff_without_an_authenticator_are_sent_to_enrol(client, nctv_staff):
    _password_only(client, nctv_staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


def test_a_session_api_call_of_unverified_staff_is_refused(client, nctv_staff):
    authenticator_for(nctv_staff)
    _password_only(client, nctv_staff)
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json() == {"detail": "Staff must confirm their second factor first."}


def test_admin_sign_in_also_asks_for_the_second_factor(client, nctv_staff):
    authenticator_for(nctv_staff)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "nctv-staff", "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response["Location"].startswith(VERIFY)


def test_a_right_code_opens_the_staff_pages_and_is_audited(client, nctv_staff):
    device = authenticator_for(nctv_staff)
    _password_only(client, nctv_staff)
    response = client.post(VERIFY, {"otp_token": current_code(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_verified", actor_id=nctv_staff.pk).exists()


def test_a_wrong_code_is_refused_clearly_and_audited(client, nctv_staff):
    authenticator_for(nctv_staff)
    _password_only(client, nctv_staff)
    response = client.post(VERIFY, {"otp_token": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.mfa_failed").count() == 1


def test_a_code_is_used_once(client, nctv_staff):
    device = authenticator_for(nctv_staff)
    code = current_code(device)
    _password_only(client, nctv_staff)
    assert client.post(VERIFY, {"otp_token": code}).status_code == 302
    client.logout()
    _password_only(client, nctv_staff)
    assert client.post(VERIFY, {"otp_token": code}).status_code == 200  # replay refused


def test_next_never_leaves_the_portal(client, nctv_staff):
    device = authenticator_for(nctv_staff)
    _password_only(client, nctv_staff)
    response = client.post(
        VERIFY, {"otp_token": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_enrolment_key_code_and_recovery_codes(client, nctv_staff):
    _password_only(client, nctv_staff)
    page = client.get(ENROL)
    assert page.status_code == 200
    assert 'id="mfa-secret"' in page.content.decode()
    device = TOTPDevice.objects.get(user=nctv_staff, confirmed=False)
    assert client.post(ENROL, {"otp_token": "000000"}).status_code == 200
    assert client.get("/admin/").status_code == 302  # still not verified

    response = client.post(ENROL, {"otp_token": current_code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_enrolled").count() == 1

    # A recovery code signs in once, instead of the app.
    client.logout()
    _password_only(client, nctv_staff)
    assert client.post(VERIFY, {"otp_token": codes[0]}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.logout()
    _password_only(client, nctv_staff)
    assert client.post(VERIFY, {"otp_token": codes[0]}).status_code == 200


def test_an_enrolled_user_cannot_enrol_another_authenticator_around_the_first(client, nctv_staff):
    authenticator_for(nctv_staff)
    _password_only(client, nctv_staff)
    response = client.get(ENROL)
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=nctv_staff).count() == 1


def test_partners_sign_in_with_a_password_alone(client, operator_a):
    _password_only(client, operator_a)
    assert client.get("/").status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("home")


def test_sign_in_helper_verifies_staff(client, nctv_staff):
    sign_in(client, nctv_staff)
    assert client.get("/admin/").status_code == 200


# --- API tokens -----------------------------------------------------------------------------------


def _token(api_client, username, **extra):
    body = {"username": username, "password": PASSWORD, **extra}
    return api_client.post("/api/v1/auth/token/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_staff_get_no_api_token_without_a_code(api_client, nctv_staff):
    authenticator_for(nctv_staff)
    response = _token(api_client, "nctv-staff")
    assert response.status_code == 401
    assert "authenticator" in response.json()["detail"]
    assert _token(api_client, "nctv-staff", otp_token="000000").status_code == 401
    assert AuthToken.objects.count() == 0


def test_staff_get_an_api_token_with_a_code(api_client, nctv_staff):
    device = authenticator_for(nctv_staff)
    response = _token(api_client, "nctv-staff", otp_token=current_code(device))
    assert response.status_code == 201
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get("/api/v1/me/").json()["is_nctv_staff"] is True


def test_partners_get_an_api_token_with_a_password(api_client, operator_a):
    assert _token(api_client, "operator-a").status_code == 201
