"""The preparedness rules that are not a write: which procedures a tier requires, when a
procedure is a gap, and the share of staff trained against the tier's expectation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from preparedness.models import ProcedureKind, ProcedureState
from threats.models import CapacityTier

_FOUR = [
    ProcedureKind.EVACUATION,
    ProcedureKind.INVACUATION,
    ProcedureKind.LOCKDOWN,
    ProcedureKind.COMMUNICATION,
]
# Martyn's Law as a reference: under 200 people an evacuation procedure; from 200 the four
# public-protection procedures; from 800 (enhanced) all of them, including a security plan.
REQUIRED_PROCEDURES: dict[str, list[str]] = {
    CapacityTier.BELOW: [ProcedureKind.EVACUATION],
    CapacityTier.STANDARD: _FOUR,
    CapacityTier.ENHANCED: [*_FOUR, ProcedureKind.SECURITY_PLAN],
}

# The share of staff (percent) trained in a course that counts for coverage, per tier.
TRAINING_EXPECTATION: dict[str, int] = {
    CapacityTier.BELOW: 50,
    CapacityTier.STANDARD: 75,
    CapacityTier.ENHANCED: 90,
}

# A training reminder goes out this many days before a record's validity ends.
TRAINING_REMINDER_DAYS = 30


@dataclass(frozen=True)
class ProcedureGap:
    kind: str
    reason: str  # "missing", "draft" or "overdue"

    @property
    def label(self) -> str:
        return str(ProcedureKind(self.kind).label)


def procedure_gaps(soft_target, procedures, *, today: date) -> list[ProcedureGap]:
    """The tier's required procedures that are missing, not approved, or past their review date.

    ``procedures``: the target's Procedure rows (pass prefetched ones to avoid a query)."""
    by_kind = {p.kind: p for p in procedures}
    gaps = []
    for kind in REQUIRED_PROCEDURES[soft_target.capacity_tier]:
        procedure = by_kind.get(kind)
        if procedure is None:
            gaps.append(ProcedureGap(kind, "missing"))
        elif procedure.state != ProcedureState.APPROVED:
            gaps.append(ProcedureGap(kind, "draft"))
        elif procedure.review_due < today:
            gaps.append(ProcedureGap(kind, "overdue"))
    return gaps


@dataclass(frozen=True)
class Coverage:
    trained: int
    staff: int
    expected_percent: int

    @property
    def percent(self) -> int:
        return 100 * self.trained // self.staff if self.staff else 0

    @property
    def meets_expectation(self) -> bool:
        return self.staff > 0 and self.percent >= self.expected_percent


def training_coverage(soft_target, records, *, today: date) -> Coverage:
    """Staff trained (valid today, in courses that count) against the staff at the target (the
    largest count any valid record gives), and the tier's expected share."""
    valid = [
        r
        for r in records
        if r.valid_until >= today and r.held_on <= today and r.course.counts_for_coverage
    ]
    staff = max((r.staff_total for r in valid), default=0)
    trained = min(sum(r.trained_count for r in valid), staff)
    return Coverage(trained, staff, TRAINING_EXPECTATION[soft_target.capacity_tier])
