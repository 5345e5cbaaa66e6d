"""Lockout that holds: five wrong passwords lock that username on the dashboard sign-in, the
admin sign-in and the API token endpoint alike, whatever X-Forwarded-For says; the real user
from another address still signs in; every failure and lock is in the audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from knox.models import AuthToken

from ppsportal.addresses import client_address
from ppsportal.models import AuditEvent
from tests.factories import PASSWORD
from tests.signin import authenticator_for, current_code

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.redis]

ATTACKER = "203.0.113.7"
REAL_USER = "198.51.100.20"
WRONG = "wrong-password"


def _dashboard(client, username, password, address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _admin(client, username, password, address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, **extra
    )


def _token(client, username, password, address, forwarded=None):
    from rest_framework.test import APIClient

    api = APIClient()
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    body = {"username": username, "password": password}
    staff = get_user_model().objects.filter(username=username, is_staff=True).first()
    if staff is not None:  # staff need their second factor for a token, too
        body["otp_token"] = current_code(authenticator_for(staff))
    return api.post("/api/v1/auth/token/", body, format="json", **extra)


def _signed_in(response, door) -> bool:
    if door is _token:
        return response.status_code == 201
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


DOORS = pytest.mark.parametrize(
    "door", [_dashboard, _admin, _token], ids=["dashboard", "admin", "token"]
)


@DOORS
def test_five_wrong_passwords_lock_the_username_whatever_x_forwarded_for_says(
    client, nctv_staff, door
):
    for attempt in range(5):
        response = door(client, "nctv-staff", WRONG, ATTACKER, forwarded=f"10.9.8.{attempt}")
        assert not _signed_in(response, door)

    response = door(client, "nctv-staff", PASSWORD, ATTACKER, forwarded="10.9.8.250")
    assert not _signed_in(response, door)
    assert AuthToken.objects.count() == 0
    if door is _token:
        assert response.status_code == 429
        assert "Te veel mislukte aanmeldpogingen" in response.json()["detail"]
        assert int(response["Retry-After"]) > 0
    else:
        assert response.status_code == 200
        assert "Te veel mislukte aanmeldpogingen" in response.content.decode()


@DOORS
def test_the_lock_holds_across_every_door(client, nctv_staff, door):
    """Failures on one door count on the others: the lock is the username's, not the form's."""
    for other in (_dashboard, _admin, _token):
        if other is not door:
            for _ in range(2):
                other(client, "nctv-staff", WRONG, ATTACKER)
    door(client, "nctv-staff", WRONG, ATTACKER)  # the fifth
    assert not _signed_in(door(client, "nctv-staff", PASSWORD, ATTACKER), door)


@DOORS
def test_the_real_user_from_another_address_still_signs_in(client, nctv_staff, door):
    for _ in range(5):
        door(client, "nctv-staff", WRONG, ATTACKER)
    assert _signed_in(door(client, "nctv-staff", PASSWORD, REAL_USER), door)


def test_four_failures_then_the_right_password_signs_in_and_clears_the_count(client, operator_a):
    for _ in range(4):
        _dashboard(client, "operator-a", WRONG, REAL_USER)
    assert _signed_in(_dashboard(client, "operator-a", PASSWORD, REAL_USER), _dashboard)
    client.logout()
    for _ in range(4):
        _dashboard(client, "operator-a", WRONG, REAL_USER)
    assert _signed_in(_dashboard(client, "operator-a", PASSWORD, REAL_USER), _dashboard)


def test_usernames_differ_only_in_case_share_a_lock(client, operator_a):
    for name in ("Operator-A", "OPERATOR-A", "operator-a", " operator-a", "operator-A"):
        _dashboard(client, name, WRONG, ATTACKER)
    assert not _signed_in(_dashboard(client, "operator-a", PASSWORD, ATTACKER), _dashboard)


@override_settings(SIGNIN_ADDRESS_FAILURE_LIMIT=6)
def test_one_address_guessing_many_usernames_is_locked(client, operator_a):
    for n in range(6):
        _token(client, f"someone-{n}", WRONG, ATTACKER)
    assert _token(client, "operator-a", PASSWORD, ATTACKER).status_code == 429
    assert _token(client, "operator-a", PASSWORD, REAL_USER).status_code == 201


@override_settings(SIGNIN_USERNAME_FAILURE_LIMIT=8)
def test_one_username_guessed_from_many_addresses_is_locked(client, operator_a):
    for n in range(8):
        _token(client, "operator-a", WRONG, f"192.0.2.{n + 1}")
    assert _token(client, "operator-a", PASSWORD, REAL_USER).status_code == 429


def test_failures_and_the_lock_are_audited(client, operator_a):
    for _ in range(5):
        _admin(client, "operator-a", WRONG, ATTACKER, forwarded="10.0.0.1")
    _admin(client, "operator-a", PASSWORD, ATTACKER)

    failures = AuditEvent.objects.filter(action="auth.login_failed").order_by("at", "pk")
    assert failures.count() == 6
    assert {e.ip_address for e in failures} == {ATTACKER}  # not the header's 10.0.0.1
    assert [e.detail["locked"] for e in failures] == [False] * 4 + [True, True]
    lock = AuditEvent.objects.get(action="auth.locked_out")
    assert lock.detail == {
        "username": "operator-a",
        "address": ATTACKER,
        "scope": "username_address",
        "seconds": 900,
    }


def test_the_lockout_message_is_english_on_request(client, operator_a):
    for _ in range(5):
        _token(client, "operator-a", WRONG, ATTACKER)
    from rest_framework.test import APIClient

    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "operator-a", "password": PASSWORD},
        format="json",
        REMOTE_ADDR=ATTACKER,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["detail"].startswith("Too many failed sign-in attempts.")


# --- The client address -------------------------------------------------------------------------


class _Request:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.1", "203.0.113.7"),  # no proxy: the header is ignored
        (1, "10.0.0.2", "203.0.113.7", "203.0.113.7"),  # one proxy: what it saw
        (1, "10.0.0.2", "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client's own entry ignored
        (2, "10.0.0.3", "1.2.3.4, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "10.0.0.3", "203.0.113.7", "203.0.113.7"),  # fewer entries than proxies
        (1, "10.0.0.2", "not-an-address", None),
        (1, "10.0.0.2", None, "10.0.0.2"),
        (0, "", None, None),
    ],
)
def test_client_address_counts_trusted_proxies_from_the_right(proxies, remote, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_address(_Request(remote, forwarded)) == expected


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_a_forged_first_entry_does_not_escape_the_lock(client, operator_a):
    proxy = "10.0.0.2"
    for n in range(5):
        _token(client, "operator-a", WRONG, proxy, forwarded=f"1.1.1.{n}, {ATTACKER}")
    response = _token(client, "operator-a", PASSWORD, proxy, forwarded=f"9.9.9.9, {ATTACKER}")
    assert response.status_code == 429
    assert _token(client, "operator-a", PASSWORD, proxy, forwarded=REAL_USER).status_code == 201
