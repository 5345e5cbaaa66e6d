"""The threat picture on every dashboard page, in the levels of the user's own jurisdiction: the
national level (the NCTV's DTN, or OCAM/OCAD's in Belgium), the level of the user's region when it
has its own, and the alert level (ATb) of the user's sector where the jurisdiction has sector
levels — one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

from partnerships.selectors import actor_for
from threats import selectors
from threats.jurisdictions import Authority, authority_for, jurisdiction_of
from threats.models import AlertLevel


@dataclass(frozen=True)
class ThreatPicture:
    national: int | None  # the jurisdiction's level, None while none has been set
    regional: int | None  # the level of ``region`` when it has one of its own
    region: str
    sector: object  # Sector with ``current_level``, or None
    authority: Authority  # whose levels these are

    @property
    def national_label(self) -> str:
        return self.authority.label(self.national) if self.national else ""

    @property
    def regional_label(self) -> str:
        return self.authority.label(self.regional) if self.regional else ""

    @property
    def sector_level(self) -> str:
        return (self.sector.current_level if self.sector else "") or AlertLevel.BASISNIVEAU

    @property
    def sector_level_label(self) -> str:
        return AlertLevel(self.sector_level).label


def _picture(user) -> ThreatPicture:
    organisation = actor_for(user).organisation
    jurisdiction = jurisdiction_of(organisation)
    region = organisation.region if organisation else ""
    levels = selectors.banner_levels(
        region=region,
        sector_code=organisation.sector if organisation else "",
        jurisdiction=jurisdiction,
    )
    return ThreatPicture(region=region, authority=authority_for(jurisdiction), **levels)


def threat_picture(request):
    """``threat_picture`` for base.html's banner; read only when a page renders it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"threat_picture": None}
    return {"threat_picture": SimpleLazyObject(lambda: _picture(user))}
