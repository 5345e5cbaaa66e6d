"""The rules of the threat picture that are not a write: capacity tiers and the gaps they imply,
and the climb of a scale-up scenario."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from threats.models import AlertLevel, CapacityTier, Measure, MeasureStatus

# What each Martyn's-Law tier needs in place (shown as a reference): every tier trains its staff;
# from 200 people procedures for evacuation, invacuation, lockdown and communication; from 800
# also a scale-up scenario, security staff and camera surveillance.
_STANDARD = [
    Measure.STAFF_TRAINING,
    Measure.EVACUATION,
    Measure.INVACUATION,
    Measure.LOCKDOWN,
    Measure.COMMUNICATION_PLAN,
]
TIER_REQUIREMENTS: dict[str, list[str]] = {
    CapacityTier.BELOW: [Measure.STAFF_TRAINING],
    CapacityTier.STANDARD: _STANDARD,
    CapacityTier.ENHANCED: [
        *_STANDARD,
        Measure.SCALE_UP_SCENARIO,
        Measure.SECURITY_STAFF,
        Measure.CCTV,
    ],
}


def gaps_for(soft_target, measures=None) -> list[str]:
    """The required measures of the target's tier that are not in place.

    ``measures``: the target's SecurityMeasure rows (pass prefetched ones to avoid a query)."""
    rows = list(measures if measures is not None else soft_target.measures.all())
    in_place = {m.measure for m in rows if m.status == MeasureStatus.IN_PLACE}
    return [m for m in TIER_REQUIREMENTS[soft_target.capacity_tier] if m not in in_place]


# --- the scale-up scenario climbs -----------------------------------------------------------------


@dataclass(frozen=True)
class ScaleUpOmission:
    """``measure`` is asked at the lower ``asked_at`` level but missing at the higher ``level``."""

    measure: str
    asked_at: str
    level: str


def scale_up_unexplained(
    steps: Mapping[str, Mapping], levels: Sequence[str] | None = None
) -> list[ScaleUpOmission]:
    """The measures a higher level drops without an explanation.

    ``levels``: the order the scenario climbs, lowest first (the target's own authority's,
    ``threats.jurisdictions.scale_up_levels``); by default the ATb levels.

    ``steps``: ``{level: {"measures": [...], "omissions": {measure: reason}}}``; levels left out
    ask nothing. A scenario climbs: each level takes at least what any lower level takes, unless
    that level explains (a non-blank reason) why a measure asked lower down is not taken there.
    An explained omission is explained at that level only: a level above it explains again."""
    asked: dict[str, str] = {}  # measure -> the highest lower level that asks for it
    found: list[ScaleUpOmission] = []
    for level in levels if levels is not None else AlertLevel.values:  # lowest first
        step = steps.get(level) or {}
        measures = set(step.get("measures") or ())
        reasons = step.get("omissions") or {}
        for measure, asked_at in asked.items():
            if measure not in measures and not str(reasons.get(measure) or "").strip():
                found.append(ScaleUpOmission(measure=measure, asked_at=asked_at, level=level))
        for measure in step.get("measures") or ():
            asked[measure] = level
    return found
