"""The rules of the threat picture that are not a write: capacity tiers and the gaps they imply."""

from __future__ import annotations

from threats.models import CapacityTier, Measure, MeasureStatus

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
