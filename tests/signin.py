"""Signing a test client in for real: the password through the dashboard's sign-in form (the
lockout and every check on the way), then, for staff, the second factor through its page.

    from tests.signin import sign_in
    sign_in(client, nctv_staff)

A staff user without an authenticator gets one (``authenticator_for``); the code is computed
from its key, as an app would. API-only accounts (integrators) cannot use the dashboard: for
them the session stands in for their token, as ``force_login`` did.
"""

from __future__ import annotations

from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnerships.demo import DEMO_TOTP_KEY_BASE32
from partnerships.roles import Capability
from partnerships.selectors import actor_for
from ppsportal.mfa import second_factor_required
from tests.factories import PASSWORD

# Test staff get the demo staff's key (partnerships.demo.DEMO_TOTP_KEY_BASE32).
TEST_TOTP_KEY_HEX = b32decode(DEMO_TOTP_KEY_BASE32).hex()


def authenticator_for(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="authenticator", key=TEST_TOTP_KEY_HEX, confirmed=True
        )
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now. The device forgets the last step it accepted, so that a test
    may sign the same user in twice within one 30-second step."""
    forget_last_step(device)
    return code_now(device)


def forget_last_step(device: TOTPDevice) -> None:
    """The device forgets the last step it accepted and its failures (one write). A browser test
    does this before its browser signs in: against the live server on SQLite, a write from the
    test while a request reads the device table (every staff request checks the second factor)
    fails with "database table is locked"."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.last_t, device.throttling_failure_count = -1, 0


def code_now(device: TOTPDevice) -> str:
    """The code the app shows now, from the device's key alone (no query)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user, password: str = PASSWORD):
    """Sign ``user`` in on ``client`` (a Django or DRF test client) as a browser would."""
    if "_auth_user_id" in client.session:
        client.logout()  # the sign-in page sends a signed-in user away without signing in
    actor = actor_for(user)
    if actor.membership is not None and not actor.can(Capability.USE_DASHBOARD):
        client.force_login(user)
        return client
    form = {"username": user.get_username(), "password": password}
    response = _post(client, "/accounts/login/", form)
    assert response.status_code == 302, f"sign-in of {user} refused: {response.status_code}"
    if second_factor_required(user):
        code = current_code(authenticator_for(user))
        response = _post(client, "/accounts/second-factor/", {"otp_token": code})
        assert response.status_code == 302, f"second factor of {user} refused"
        assert "/accounts/second-factor/" not in response["Location"]
    assert client.session["_auth_user_id"] == str(user.pk)
    return client


def _post(client, path: str, data: dict):
    if getattr(client.handler, "enforce_csrf_checks", False):  # a client that checks CSRF
        client.get(path)
        data = {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    return client.post(path, data)


def second_factor_queries(user) -> int:
    """Queries a signed-in session adds for the second factor: django-otp loads the verified
    device of a staff user on each request (partners have none)."""
    return 1 if second_factor_required(user) else 0
