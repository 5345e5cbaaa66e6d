"""The threat picture on every dashboard page: the national threat level (DTN), the level of the
user's region when it has its own, and the alert level (ATb) of the user's sector — one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

from partnerships.selectors import actor_for
from threats import selectors
from threats.models import AlertLevel, ThreatLevel


@dataclass(frozen=True)
class ThreatPicture:
    national: int | None  # DTN level 1 to 5, None while none has been set
    regional: int | None  # the level of ``region`` when it has one of its own
    region: str
    sector: object  # Sector with ``current_level``, or None

    @property
    def national_label(self) -> str:
        return ThreatLevel(self.national).label if self.national else ""

    @property
    def regional_label(self) -> str:
        return ThreatLevel(self.regional).label if self.regional else ""

    @property
    def sector_level(self) -> str:
        return (self.sector.current_level if self.sector else "") or AlertLevel.BASISNIVEAU

    @property
    def sector_level_label(self) -> str:
        return AlertLevel(self.sector_level).label


def _picture(user) -> ThreatPicture:
    organisation = actor_for(user).organisation
    region = organisation.region if organisation else ""
    levels = selectors.banner_levels(
        region=region, sector_code=organisation.sector if organisation else ""
    )
    return ThreatPicture(region=region, **levels)


def threat_picture(request):
    """``threat_picture`` for base.html's banner; read only when a page renders it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"threat_picture": None}
    return {"threat_picture": SimpleLazyObject(lambda: _picture(user))}
