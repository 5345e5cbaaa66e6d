"""Who is asking: the actor behind a user, for the core's face helpers.

The core's faces (``ppsportal.api``, ``ppsportal.admin``) need the actor — the user with their
organisation and role — but the core depends on no app. The app that knows memberships
(``partnerships``) provides the function from its ``AppConfig.ready``; the core asks it here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_provider: Callable | None = None


def provide(function: Callable) -> Callable:
    """Register ``function(user) -> actor``; called once, from an app's ``ready``."""
    global _provider
    _provider = function
    return function


def actor_for(user):
    """The actor for ``user`` (``is_nctv_staff``, ``organisation``, ``can(...)``)."""
    if _provider is None:
        raise ImproperlyConfigured("No installed app provides the actor (ppsportal.actors).")
    return _provider(user)
