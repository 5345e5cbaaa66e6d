"""Sensitivity as TLP 2.0 (Traffic Light Protocol), the project's one scale of secrecy.

CLEAR and GREEN reach every signed-in partner user; AMBER reaches the organisations an object is
explicitly shared with; AMBER+STRICT one named organisation; RED named users only. The owning
organisation and NCTV staff always see their own.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TLP(models.TextChoices):
    CLEAR = "clear", _("TLP:CLEAR")
    GREEN = "green", _("TLP:GREEN")
    AMBER = "amber", _("TLP:AMBER")
    AMBER_STRICT = "amber_strict", _("TLP:AMBER+STRICT")
    RED = "red", _("TLP:RED")

    @classmethod
    def rank(cls, level: str) -> int:
        return _RANK[level]

    @classmethod
    def allows(cls, clause: str, level: str) -> bool:
        """Does an information clause at ``clause`` allow sharing at ``level``?"""
        return _RANK[level] <= _RANK[clause]

    @classmethod
    def at_or_below(cls, level: str) -> list[str]:
        return [value for value in cls.values if _RANK[value] <= _RANK[level]]

    @classmethod
    def at_or_above(cls, level: str) -> list[str]:
        return [value for value in cls.values if _RANK[value] >= _RANK[level]]

    @classmethod
    def is_open(cls, level: str) -> bool:
        """CLEAR and GREEN reach every signed-in partner user without a grant."""
        return _RANK[level] <= _RANK[cls.GREEN]


_RANK = {"clear": 0, "green": 1, "amber": 2, "amber_strict": 3, "red": 4}


# --- responses that carry sensitive objects -------------------------------------------------------

_SENSITIVE_MARK = "_pps_carries_sensitive"


def mark_sensitive_response(request) -> None:
    """The response to ``request`` carries an object at TLP:AMBER or above: no cache may keep
    it (``ppsportal.middleware.SensitiveResponseMiddleware``). Called where such reads are
    audited; a DRF request is marked on the Django request it wraps."""
    if request is None:
        return
    setattr(getattr(request, "_request", request), _SENSITIVE_MARK, True)


def response_is_sensitive(request) -> bool:
    return getattr(getattr(request, "_request", request), _SENSITIVE_MARK, False)
