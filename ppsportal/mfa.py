"""A second factor for staff: who needs one, and enrolling, verifying and recovering it.

The rule (``second_factor_required``) lives here; ``SecondFactorMiddleware`` applies it to every
page, the admin and session calls to the API, and the API token endpoint asks it before issuing
a token. The factor is a TOTP code from an authenticator app (django-otp), with ten single-use
recovery codes made at enrolment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppsportal.audit import audit_record

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def second_factor_required(user) -> bool:
    """Everyone who can reach staff pages or the admin: NCTV staff (``is_staff``) and
    superusers. Partners sign in with a password alone."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_is_verified(user, session=None) -> bool:
    """Verified here with a code, or signed in through single sign-on whose provider vouched
    for a second factor (``sso.backends`` marks such a session)."""
    if session is not None and session.get("sso_second_factor") is True:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed authenticator this user is enrolling (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def enrol_confirm(*, request, user, token: str) -> list[str] | None:
    """Confirm the enrolling authenticator with a code from it; on success the session is
    verified and the ten recovery codes (shown once) are returned."""
    if has_second_factor(user):
        return None
    device = enrolment_device(user)
    if not device.verify_token(_clean(token)):
        audit_record(action="auth.mfa_failed", actor=user, request=request)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    otp_login(request, device)
    audit_record(action="auth.mfa_enrolled", actor=user, request=request)
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(*, request, user, token: str, session: bool = True) -> bool:
    """A code from the authenticator or an unused recovery code verifies this session (or,
    with ``session=False``, only this request: the API token endpoint)."""
    device = match_token(user, _clean(token))
    if device is None:
        audit_record(action="auth.mfa_failed", actor=user, request=request)
        return False
    if session:
        otp_login(request, device)
    audit_record(
        action="auth.mfa_verified",
        actor=user,
        request=request,
        detail={"recovery_code": isinstance(device, StaticDevice)},
    )
    return True


def _clean(token: str) -> str:
    return "".join(str(token or "").split())[:32]


# --- The gate ----------------------------------------------------------------------------------


def _open_paths() -> tuple[str, ...]:
    """Paths an unverified staff user may still reach: signing in and out, the second factor
    itself, the language switch, the health check and static files."""
    return (
        reverse("login"),
        reverse("logout"),
        reverse("mfa-verify"),
        reverse("mfa-enrol"),
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("set_language"),
        reverse("health"),
        "/oidc/",  # single sign-on's own round trip (the provider vouches for the factor)
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class SecondFactorMiddleware:
    """Staff signed in with a password only reach the second-factor pages: a page or the admin
    redirects there, a session call to the API answers 403. API tokens are issued to staff only
    with a code (``ppsportal.api.auth``), so a token is already verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            second_factor_required(user)
            and not session_is_verified(user, getattr(request, "session", None))
            and not request.path.startswith(_open_paths())
        ):
            return self._refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, user):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": gettext("Staff must confirm their second factor first.")}, status=403
            )
        target = reverse("mfa-verify") if has_second_factor(user) else reverse("mfa-enrol")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
