"""Sign-in lockout: failed passwords are limited on every way in (dashboard, admin, API token).

One rule, in one place: every sign-in calls ``django.contrib.auth.authenticate``, and the first
authentication backend (``LockoutModelBackend``) refuses a locked attempt before the password is
looked at and counts each failure. Three counters run in the cache (Redis in production), each
for ``SIGNIN_LOCKOUT_SECONDS`` from its first failure:

- a username from one address: ``SIGNIN_FAILURE_LIMIT`` failures (5) lock that username from
  that address; the real user elsewhere can still sign in;
- one address, whatever usernames it tries: ``SIGNIN_ADDRESS_FAILURE_LIMIT`` (20);
- one username, from all addresses together: ``SIGNIN_USERNAME_FAILURE_LIMIT`` (50), so that a
  guesser spread over many addresses is stopped too.

The client's address is the socket's, or, behind ``TRUSTED_PROXY_COUNT`` proxies, the one the
outermost trusted proxy saw (counted from the right of ``X-Forwarded-For``): entries a client
writes into that header itself are never believed. Every failure, lock and refused attempt is
in the audit log (``auth.login_failed`` with ``locked``, ``auth.locked_out``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import ngettext

from ppsportal.addresses import client_address

UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class Counter:
    scope: str  # "username_address", "address" or "username"
    key: str
    limit: int


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def _normalise(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def _counters(request, username: str | None) -> list[Counter]:
    address = client_address(request) or UNKNOWN_ADDRESS
    name = _digest(_normalise(username))
    return [
        Counter(
            "username_address",
            f"signin:pair:{name}:{address}",
            settings.SIGNIN_FAILURE_LIMIT,
        ),
        Counter("address", f"signin:address:{address}", settings.SIGNIN_ADDRESS_FAILURE_LIMIT),
        Counter("username", f"signin:username:{name}", settings.SIGNIN_USERNAME_FAILURE_LIMIT),
    ]


def signin_lock(request, username: str | None) -> Counter | None:
    """The counter that locks this sign-in (username from this address), or None."""
    counters = _counters(request, username)
    counts = cache.get_many([c.key for c in counters])
    for counter in counters:
        if int(counts.get(counter.key, 0)) >= counter.limit:
            return counter
    return None


def signin_failed(request, username: str | None) -> Counter | None:
    """Count one failed sign-in; the counter this failure made reach its limit, if any (the
    lock is audited once, when it starts)."""
    reached = None
    for counter in _counters(request, username):
        cache.add(counter.key, 0, timeout=settings.SIGNIN_LOCKOUT_SECONDS)
        try:
            count = cache.incr(counter.key)
        except ValueError:  # expired between add and incr
            cache.set(counter.key, 1, timeout=settings.SIGNIN_LOCKOUT_SECONDS)
            count = 1
        if count == counter.limit and reached is None:
            reached = counter
    if reached is not None:
        from ppsportal.audit import audit_record

        audit_record(
            action="auth.locked_out",
            request=request,
            detail={
                "username": _normalise(username),
                "address": client_address(request) or UNKNOWN_ADDRESS,
                "scope": reached.scope,
                "seconds": settings.SIGNIN_LOCKOUT_SECONDS,
            },
        )
    return reached


def signin_succeeded(request, username: str | None) -> None:
    """A right password from an address that is not locked clears that username's count from
    that address (the address-wide and username-wide counts keep running)."""
    cache.delete(_counters(request, username)[0].key)


def lockout_message() -> str:
    minutes = max(1, settings.SIGNIN_LOCKOUT_SECONDS // 60)
    return ngettext(
        "Too many failed sign-in attempts. Sign-in is locked for %(minutes)d minute; "
        "try again later or ask your organisation's administrator for help.",
        "Too many failed sign-in attempts. Sign-in is locked for %(minutes)d minutes; "
        "try again later or ask your organisation's administrator for help.",
        minutes,
    ) % {"minutes": minutes}


class LockoutModelBackend(ModelBackend):
    """Django's username-and-password backend, behind the lockout. A locked attempt is refused
    before the password is checked (``PermissionDenied`` ends ``authenticate``; Django then
    sends ``user_login_failed``, which the audit log records with ``locked``)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        if signin_lock(request, username) is not None:
            if request is not None:
                request.signin_locked = True
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            if signin_failed(request, username) is not None and request is not None:
                request.signin_locked = True
            return None
        signin_succeeded(request, username)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


def request_was_locked(request) -> bool:
    return bool(getattr(request, "signin_locked", False))
