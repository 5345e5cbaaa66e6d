"""Who is asking: the actor behind a user, for the core's face helpers.

The core's faces (``ppsportal.api``, ``ppsportal.admin``) need the actor — the user with their
organisation and role — but the core depends on no app. The app that knows memberships
(``partnerships``) provides the function from its ``AppConfig.ready``; the core asks it here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_provider: Callable | None = None
_user_related: tuple[str, ...] = ()


def provide(function: Callable, *, user_related: tuple[str, ...] = ()) -> Callable:
    """Register ``function(user) -> actor``; called once, from an app's ``ready``.
    ``user_related``: the user's relations the actor reads (``select_related`` paths), which
    whoever loads the user for a request may join in the same query (``user_related``)."""
    global _provider, _user_related
    _provider = function
    _user_related = tuple(user_related)
    return function


def user_related() -> tuple[str, ...]:
    """The ``select_related`` paths from a user to what its actor reads."""
    return _user_related


def actor_for(user):
    """The actor for ``user`` (``is_nctv_staff``, ``organisation``, ``can(...)``)."""
    if _provider is None:
        raise ImproperlyConfigured("No installed app provides the actor (ppsportal.actors).")
    return _provider(user)
