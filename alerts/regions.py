"""Municipalities and safety regions (veiligheidsregio's) an alert's area may be chosen from:
a small dataset of simplified outlines, ``alerts/data/regions.json`` (its ``source`` says where
they come from and how coarse they are). Codes are CBS's: ``GM0363`` Amsterdam, ``VR13``
Amsterdam-Amstelland."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

DATA = Path(__file__).resolve().parent / "data" / "regions.json"

KINDS = {"municipality": _("Municipality"), "safety_region": _("Safety region")}


@dataclass(frozen=True)
class Region:
    code: str
    kind: str
    name: str
    polygon: tuple[tuple[float, float], ...]


@cache
def regions() -> dict[str, Region]:
    """The regions by code, in the order of the file."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {
        r["code"]: Region(
            code=r["code"],
            kind=r["kind"],
            name=r["name"],
            polygon=tuple((float(lat), float(lon)) for lat, lon in r["polygon"]),
        )
        for r in data["regions"]
    }


def region_choices() -> list[tuple[str, str]]:
    """(code, "name (kind)") for forms, safety regions first, then municipalities."""
    ordered = sorted(regions().values(), key=lambda r: (r.kind != "safety_region", r.name))
    return [(r.code, f"{r.name} ({KINDS[r.kind]})") for r in ordered]
