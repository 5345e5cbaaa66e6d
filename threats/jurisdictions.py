"""Jurisdictions and their threat levels: one place for whose levels a partner lives under.

Each organisation and soft target belongs to a jurisdiction (``partnerships.Jurisdiction``). The
Netherlands: the NCTV's national threat level (DTN, 1 to 5) and its sector alert levels (ATb).
Belgium: OCAM/OCAD's threat level (1 to 4), no sector levels. Who may set a jurisdiction's level
is one rule, ``threats.services_levels.level_authority``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships.models import Jurisdiction


@dataclass(frozen=True)
class Authority:
    jurisdiction: str
    name: str  # the body that sets the levels
    levels: dict[int, str]  # level -> label, lowest first
    has_sector_levels: bool  # the NCTV's ATb per sector
    nctv_is_authority: bool  # False: the NCTV has no remit; only a mandate acts on its behalf

    @property
    def highest(self) -> int:
        return max(self.levels)

    def is_valid(self, level) -> bool:
        return isinstance(level, int) and not isinstance(level, bool) and level in self.levels

    def label(self, level) -> str:
        return str(self.levels[level]) if level in self.levels else ""


AUTHORITIES: dict[str, Authority] = {
    Jurisdiction.NL: Authority(
        jurisdiction=Jurisdiction.NL,
        name="NCTV",
        levels={
            1: _("1 — minimal"),
            2: _("2 — limited"),
            3: _("3 — significant"),
            4: _("4 — substantial"),
            5: _("5 — critical"),
        },
        has_sector_levels=True,
        nctv_is_authority=True,
    ),
    Jurisdiction.BE: Authority(
        jurisdiction=Jurisdiction.BE,
        name="OCAM/OCAD",
        levels={
            1: _("1 — low (OCAM)"),
            2: _("2 — average (OCAM)"),
            3: _("3 — serious (OCAM)"),
            4: _("4 — very serious (OCAM)"),
        },
        has_sector_levels=False,
        nctv_is_authority=False,
    ),
}


def authority_for(jurisdiction: str) -> Authority:
    return AUTHORITIES[jurisdiction or Jurisdiction.NL]


def jurisdiction_of(organisation) -> str:
    """An organisation's jurisdiction; without one (a user with no organisation), the NCTV's."""
    return getattr(organisation, "jurisdiction", None) or Jurisdiction.NL


def level_label(jurisdiction: str, level) -> str:
    return authority_for(jurisdiction).label(level)


# --- the levels a scale-up scenario climbs -------------------------------------------------------


class AlertLevel(models.TextChoices):
    """The NCTV's sector alert levels (ATb), in rising order; also the steps of a Dutch
    target's scale-up scenario."""

    BASISNIVEAU = "basisniveau", _("Basic level")
    LICHTE_DREIGING = "lichte_dreiging", _("Low threat")
    MATIGE_DREIGING = "matige_dreiging", _("Moderate threat")
    HOGE_DREIGING = "hoge_dreiging", _("High threat")

    @classmethod
    def rank(cls, level: str) -> int:
        return list(cls.values).index(level)


class OcamScaleUpLevel(models.TextChoices):
    """OCAM/OCAD's threat levels as the steps of a Belgian target's scale-up scenario, rising."""

    OCAM_1 = "ocam_1", _("OCAM level 1 — low")
    OCAM_2 = "ocam_2", _("OCAM level 2 — average")
    OCAM_3 = "ocam_3", _("OCAM level 3 — serious")
    OCAM_4 = "ocam_4", _("OCAM level 4 — very serious")


def scale_up_levels(jurisdiction: str) -> list[tuple[str, str]]:
    """The levels a target's scale-up scenario climbs, lowest first, as ``(value, label)``: its
    own authority's. The Netherlands: the NCTV's ATb sector levels; Belgium: OCAM/OCAD's 1 to 4."""
    if authority_for(jurisdiction).has_sector_levels:
        return list(AlertLevel.choices)
    return list(OcamScaleUpLevel.choices)


def scale_up_level_label(level: str) -> str:
    """The label of a scale-up level of any jurisdiction ('' for an unknown one)."""
    for value, label in [*AlertLevel.choices, *OcamScaleUpLevel.choices]:
        if value == level:
            return str(label)
    return ""


def valid_levels_condition():
    """The database's form of ``Authority.is_valid`` (a check constraint on the level rows)."""
    condition = Q()
    for code, authority in AUTHORITIES.items():
        condition |= Q(jurisdiction=code, level__gte=1, level__lte=authority.highest)
    return condition


# --- the level an alert carries, to a reader under another authority ----------------------------


@dataclass(frozen=True)
class LevelContext:
    """Whose level an alert's ATb level is, for one reader. An alert carries the NCTV's Dutch
    sector level; a reader under another authority (OCAM/OCAD) reads it labelled as the NCTV's,
    with their own authority's current level beside it. The one place deciding those words."""

    jurisdiction: str
    own_level: int | None = None  # the reader's own authority's current level (foreign only)

    @property
    def authority(self) -> Authority:
        return authority_for(self.jurisdiction)

    @property
    def foreign(self) -> bool:
        """The alert's ATb level is not the reader's own authority's."""
        return not self.authority.nctv_is_authority

    @property
    def atb_caption(self) -> str:
        """'ATb level (NCTV, Netherlands)' for a reader under another authority, else ''."""
        return _("ATb level (NCTV, Netherlands)") if self.foreign else ""

    @property
    def own_line(self) -> str:
        """The reader's own authority's current level, for a reader under another authority."""
        if not self.foreign:
            return ""
        label = self.authority.label(self.own_level) or _("not set")
        return _("Your own authority's level (%(authority)s): %(level)s") % {
            "authority": self.authority.name,
            "level": label,
        }

    def atb(self, display: str) -> str:
        """The alert's ATb level ``display`` as this reader reads it."""
        return f"{display} — {self.atb_caption}" if self.foreign else str(display)
