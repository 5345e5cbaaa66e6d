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
from django.utils import timezone
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


# One rule for every day, today included: a day's health reads the dated records as they stand
# on that day (contacts up to it, follow-up not done by it, members joined by it and not yet
# left, covenant parties signed by it and not yet withdrawn: ``Covenant.status_on``), so what
# health says of a day on that day and what it says of it later agree. Joining, leaving and
# withdrawing cannot be dated ahead (``partnerships.services.partnerships.not_dated_ahead``), so
# for today this is the doors' rule too: joined and not left, a party not withdrawn.
#
# A dated record counts by its date, not by when it was entered: a contact logged today for a
# meeting last week counts on last week's days, and an action entered today with a due date
# last week was overdue on the days after that (the demo's history is filled that way, from
# records entered on the day it is seeded). So a past day recorded again later can know of a
# contact its snapshot on the day did not.
#
# What carries no date is read as it is when health is computed, for a past day too, in both
# forms alike (``UNDATED_FACTS``; the health pages and docs/partnerships.md name them): there is
# no history of it to read. The partnership's fields are written in place and not audited; a
# deactivation is traced in the audit log only when an administrator deactivates a member
# (``members.deactivated``, naming the membership, which anonymisation deletes), and that log is
# a trace for people that expires, not data a rule reads. A covenant's terms are dated: a signed
# version changes only by a new version, which ends the old one on a date; only an unsigned
# draft, in force on no day, is edited in place.
UNDATED_FACTS = (
    ("sponsor", _("the sponsor")),
    ("liaison", _("the liaison chosen")),
    ("liaison_account", _("whether the liaison's account is active")),
    ("liaison_organisation", _("the organisation the liaison belongs to")),
    ("required_roles", _("the partnership's own list of required roles")),
    ("variant", _("the partnership's kind and PPS variant (the roles and sharing level they ask)")),
    ("contact_frequency", _("the agreed contact frequency")),
)


def seated(member, today: date) -> bool:
    """The member sat at the partnership's table on ``today``: it had joined by then and had not
    yet left (``seated_q`` in SQL)."""
    return member.joined_on <= today and (member.left_on is None or member.left_on > today)


def seated_q(today: date) -> models.Q:
    """``seated`` as a condition on partnership members."""
    return models.Q(joined_on__lte=today) & (
        models.Q(left_on__isnull=True) | models.Q(left_on__gt=today)
    )


def open_on_q(today: date) -> models.Q:
    """A follow-up (a partnership's action, an exercise's after-action item) still open on
    ``today``: not done by then."""
    return models.Q(done_on__isnull=True) | models.Q(done_on__gt=today)


def _liaison_assigned(partnership, today: date, members: list) -> bool:
    """An active liaison whose organisation sits at the table on ``today`` (``members``: those
    seated then; the service lets only a user of a member organisation be the liaison)."""
    liaison = partnership.liaison if partnership.liaison_id is not None else None
    if liaison is None or not liaison.is_active:
        return False
    membership = getattr(liaison, "membership", None)
    return membership is not None and membership.organisation_id in {
        m.organisation_id for m in members
    }


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
    """Assess a partnership from ``partnerships_with_health_data``: members and
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

    at_table = [m for m in partnership.members.all() if seated(m, today)]
    present = {m.role for m in at_table}
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

    liaison_assigned = _liaison_assigned(partnership, today, at_table)
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


def severity_of(status: str) -> int:
    """The ``health_severity`` of a ``HealthStatus``."""
    return _SEVERITY[status]


def status_of_severity(severity: int) -> str:
    """The ``HealthStatus`` of a ``health_severity`` annotation."""
    return next(status for status, value in _SEVERITY.items() if value == severity)


# --- What ``assess`` reads, fetched with the partnerships -------------------------------------


def _overdue_exercise_items(today):
    """Overdue after-action items of exercises at the partnership's soft targets (the
    preparedness app, when installed): they count as overdue follow-up while open on the day
    (``open_on_q``)."""
    from django.apps import apps
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    if not apps.is_installed("preparedness"):
        return Value(0, IntegerField())
    items = apps.get_model("preparedness", "ActionItem").objects.filter(
        open_on_q(today), exercise__soft_target__partnership=OuterRef("pk"), due_on__lt=today
    )
    partnership = "exercise__soft_target__partnership"
    return Coalesce(Subquery(items.values(partnership).annotate(n=Count("pk")).values("n")), 0)


def partnerships_with_health_data(qs, today=None):
    """Annotate and prefetch what ``assess`` reads: a fixed number of
    queries however many partnerships, contacts or actions there are."""
    from datetime import timedelta

    from django.db.models import Count, OuterRef, Prefetch, Subquery
    from django.db.models.functions import Coalesce

    from partnerships import models as m

    today = today or timezone.localdate()
    since = today - timedelta(days=RECENT_WINDOW_DAYS)
    # the contacts up to the day (``seated``: one rule for every day)
    contacts = m.ContactEntry.objects.filter(partnership=OuterRef("pk"), occurred_on__lte=today)
    overdue = m.Action.objects.filter(
        open_on_q(today), partnership=OuterRef("pk"), due_on__lt=today
    )
    # Correlated subqueries, one per table: joining contacts and actions at once would multiply
    # their rows before counting.
    return (
        qs.annotate(
            last_contact_on=Subquery(contacts.order_by("-occurred_on").values("occurred_on")[:1]),
            recent_contacts=Coalesce(
                Subquery(
                    contacts.filter(occurred_on__gte=since)
                    .values("partnership")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            overdue_actions=Coalesce(
                Subquery(overdue.values("partnership").annotate(n=Count("pk")).values("n")), 0
            )
            + _overdue_exercise_items(today),
        )
        .select_related("sponsor", "liaison__membership")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=m.PartnershipMember.objects.select_related("organisation"),
            ),
            Prefetch(
                "covenants",
                queryset=m.Covenant.objects.prefetch_related("signatories"),
            ),
        )
    )
