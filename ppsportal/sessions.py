"""Ending a user's sessions and API tokens at once (deactivation, leaving an organisation)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from knox.models import AuthToken

from ppsportal.models import UserSession


@receiver(user_logged_in, dispatch_uid="ppsportal.record_session")
def _record_session(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
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
