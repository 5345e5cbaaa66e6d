"""Ending a user's sessions and API tokens at once (deactivation, leaving an organisation), and
the limits on a browser session: an idle timeout and an absolute lifetime."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.utils.translation import gettext
from knox.models import AuthToken

from ppsportal.models import UserSession

SIGNED_IN_AT = "pps_signed_in_at"
LAST_SEEN = "pps_last_seen"
# The last-seen time is written at most this often (seconds), not on every request.
LAST_SEEN_RESOLUTION = 60


@receiver(user_logged_in, dispatch_uid="ppsportal.record_session")
def _record_session(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now
    if session.session_key is None:
        session.save()
    UserSession.objects.get_or_create(session_key=session.session_key, defaults={"user": user})


@receiver(user_logged_out, dispatch_uid="ppsportal.forget_session")
def _forget_session(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()


def user_sign_out_everywhere(*, user) -> None:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    AuthToken.objects.filter(user=user).delete()


@receiver(user_login_failed, dispatch_uid="ppsportal.audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    from ppsportal.audit import audit_record

    audit_record(
        action="auth.login_failed",
        request=request,
        detail={
            "username": str(credentials.get("username", ""))[:150],
            "locked": bool(getattr(request, "signin_locked", False)),
        },
    )


def session_expiry(session, now: int) -> str | None:
    """Why this signed-in session has ended, or None: ``"idle"`` after
    ``SESSION_IDLE_TIMEOUT`` seconds without a request, ``"absolute"`` ``SESSION_ABSOLUTE_TIMEOUT``
    seconds after signing in, whatever happened since."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    if not isinstance(signed_in_at, int) or not isinstance(last_seen, int):
        return "absolute"  # a session from before the limits, or tampered with: sign in again
    if now - signed_in_at >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - last_seen >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


class SessionLimitMiddleware:
    """Ends a browser session that was idle too long or is older than its lifetime, before any
    view runs: the request goes on signed out (a page then asks to sign in, the API answers 401)
    and the sign-in page says why. API tokens have their own expiry (``API_TOKEN_TTL_HOURS``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.get("_auth_user_id") is not None:
            now = int(time.time())
            reason = session_expiry(session, now)
            if reason is not None:
                logout(request)
                messages.info(request, _expiry_message(reason))
            elif now - session[LAST_SEEN] >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN] = now
        return self.get_response(request)


def _expiry_message(reason: str) -> str:
    if reason == "idle":
        return gettext(
            "You were signed out after %(minutes)d minutes without activity. Please sign in again."
        ) % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60}
    return gettext("Your session ended after %(hours)d hours. Please sign in again.") % {
        "hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600
    }
