"""The health of a partnership, computed from its records, never typed in.

Each rule gives a reason in words and a weight: ``attention`` or ``at_risk``. The status is the
worst weight among the reasons, or ``healthy`` when there is none. The rules follow the study's
findings: regular contact, written agreements, the right parties, a connecting person, and
follow-up that gets done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partnerships.models.health import HealthStatus
from partnerships.models.partnerships import PartnerRole, Variant
from partnerships.variants import defaults_for, needed_roles
from ppsportal.sensitivity import TLP

EXPIRING_WITHIN_DAYS = 60
RECENT_WINDOW_DAYS = 90


class CovenantState(models.TextChoices):
    NONE = "none", _("No covenant")
    ACTIVE = "active", _("Active")
    EXPIRING = "expiring", _("Expiring within 60 days")
    EXPIRED = "expired", _("Expired")


_SEVERITY = {HealthStatus.HEALTHY: 0, HealthStatus.ATTENTION: 1, HealthStatus.AT_RISK: 2}


@dataclass(frozen=True)
class Reason:
    code: str
    severity: str
    text: str


@dataclass
class HealthReport:
    status: str
    reasons: list[Reason] = field(default_factory=list)
    days_since_last_contact: int | None = None
    contacts_last_90_days: int = 0
    covenant_state: str = CovenantState.NONE
    missing_roles: list[str] = field(default_factory=list)
    liaison_assigned: bool = False
    overdue_actions: int = 0

    @property
    def status_label(self) -> str:
        return str(HealthStatus(self.status).label)

    @property
    def severity(self) -> int:
        return _SEVERITY[self.status]


def covenant_state(covenants, today: date) -> str:
    """``covenants``: the partnership's covenants with ``signatories`` prefetched."""
    statuses = [(c, c.status_on(today, list(c.signatories.all()))) for c in covenants]
    active = [c for c, s in statuses if s == "active"]
    if active:
        ends = [c.effective_until for c in active]
        if all(end is not None for end in ends) and max(ends) <= today + timedelta(
            days=EXPIRING_WITHIN_DAYS
        ):
            return CovenantState.EXPIRING
        return CovenantState.ACTIVE
    if any(s in {"expired", "terminated"} for _c, s in statuses):
        return CovenantState.EXPIRED
    return CovenantState.NONE


def _variant_not_covered(partnership, today: date, state: str) -> str:
    """Why the covenants in force do not cover the sharing the partnership's variant expects
    (``partnerships.variants``), or "". Only asked while some covenant is in force: without
    one, ``no_covenant`` or ``covenant_expired`` already says so."""
    if state not in (CovenantState.ACTIVE, CovenantState.EXPIRING):
        return ""
    expected = defaults_for(partnership).expected_clause
    for covenant in partnership.covenants.all():
        in_force = covenant.status_on(today, list(covenant.signatories.all())) == "active"
        if in_force and TLP.rank(covenant.information_clause) >= TLP.rank(expected):
            return ""
    return _(
        "No covenant in force covers the %(level)s sharing a %(variant)s partnership expects."
    ) % {
        "level": str(TLP(expected).label),
        "variant": str(Variant(partnership.variant).label).lower(),
    }


def assess(partnership, today: date) -> HealthReport:
    """Assess a partnership from ``selectors.partnerships_with_health_data``: members and
    covenants (with signatories) prefetched, contact and action counts annotated. No queries."""
    reasons: list[Reason] = []
    last = partnership.last_contact_on
    days_since = (today - last).days if last else None
    recent = partnership.recent_contacts
    frequency = partnership.contact_frequency_days

    if last is None:
        reasons.append(
            Reason("no_contact", HealthStatus.AT_RISK, str(_("No contact has been logged yet.")))
        )
    elif days_since > 2 * frequency:
        reasons.append(
            Reason(
                "contact_overdue",
                HealthStatus.AT_RISK,
                ngettext(
                    "Last contact %(days)d day ago; agreed is every %(frequency)d days.",
                    "Last contact %(days)d days ago; agreed is every %(frequency)d days.",
                    days_since,
                )
                % {"days": days_since, "frequency": frequency},
            )
        )
    elif days_since > frequency:
        reasons.append(
            Reason(
                "contact_due",
                HealthStatus.ATTENTION,
                ngettext(
                    "Last contact %(days)d day ago; agreed is every %(frequency)d days.",
                    "Last contact %(days)d days ago; agreed is every %(frequency)d days.",
                    days_since,
                )
                % {"days": days_since, "frequency": frequency},
            )
        )
    if last is not None and recent == 0:
        reasons.append(
            Reason(
                "no_recent_contact",
                HealthStatus.ATTENTION,
                str(_("No contacts in the last 90 days.")),
            )
        )

    state = covenant_state(partnership.covenants.all(), today)
    if state == CovenantState.NONE:
        reasons.append(
            Reason(
                "no_covenant", HealthStatus.AT_RISK, str(_("There is no signed covenant in force."))
            )
        )
    elif state == CovenantState.EXPIRED:
        reasons.append(
            Reason(
                "covenant_expired",
                HealthStatus.AT_RISK,
                str(_("The covenant has expired or was terminated.")),
            )
        )
    elif state == CovenantState.EXPIRING:
        reasons.append(
            Reason(
                "covenant_expiring",
                HealthStatus.ATTENTION,
                str(_("The covenant expires within 60 days.")),
            )
        )

    uncovered = _variant_not_covered(partnership, today, state)
    if uncovered:
        reasons.append(Reason("variant_not_covered", HealthStatus.AT_RISK, uncovered))

    present = {m.role for m in partnership.members.all() if m.left_on is None}
    missing = [r for r in needed_roles(partnership) if r not in present]
    if missing:
        labels = ", ".join(str(PartnerRole(r).label) for r in missing)
        reasons.append(
            Reason(
                "incomplete",
                HealthStatus.ATTENTION,
                _("Missing at the table: %(roles)s.") % {"roles": labels},
            )
        )

    if partnership.sponsor_id is None:
        reasons.append(
            Reason(
                "no_sponsor",
                HealthStatus.ATTENTION,
                str(_("No sponsor (the authority that backs the partnership) is named.")),
            )
        )

    liaison_assigned = partnership.liaison_id is not None and partnership.liaison.is_active
    if not liaison_assigned:
        reasons.append(
            Reason(
                "no_liaison",
                HealthStatus.ATTENTION,
                str(_("No liaison (connecting person) is assigned.")),
            )
        )

    overdue = partnership.overdue_actions
    if overdue:
        reasons.append(
            Reason(
                "overdue_actions",
                HealthStatus.ATTENTION if overdue < 3 else HealthStatus.AT_RISK,
                ngettext(
                    "%(count)d follow-up action is overdue.",
                    "%(count)d follow-up actions are overdue.",
                    overdue,
                )
                % {"count": overdue},
            )
        )

    status = max(
        (r.severity for r in reasons), key=lambda s: _SEVERITY[s], default=HealthStatus.HEALTHY
    )
    return HealthReport(
        status=status,
        reasons=reasons,
        days_since_last_contact=days_since,
        contacts_last_90_days=recent,
        covenant_state=state,
        missing_roles=missing,
        liaison_assigned=liaison_assigned,
        overdue_actions=overdue,
    )
