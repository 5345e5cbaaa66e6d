"""Reads about parties and people, shared by the dashboard, the API, the admin and tasks."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from partnerships.health import partnerships_with_health_data
from partnerships.models import Membership, Organisation
from partnerships.roles import Capability, role_allows


@dataclass(frozen=True)
class Actor:
    """Who is asking: the user, their organisation and role, and whether they are NCTV staff."""

    user: AbstractBaseUser | AnonymousUser
    membership: Membership | None

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def is_nctv_staff(self) -> bool:
        return bool(
            self.user.is_authenticated
            and self.user.is_active
            and self.user.is_staff
            and self.membership is not None
            and self.membership.organisation.is_nctv
        )

    @property
    def is_organisation_admin(self) -> bool:
        return self.can(Capability.MANAGE_ORGANISATION)

    def can(self, capability: Capability) -> bool:
        if not self.user.is_authenticated or not self.user.is_active:
            return False
        return role_allows(self.role, capability)


def membership_for_user(user) -> Membership | None:
    if not user.is_authenticated:
        return None
    if "membership" in user._state.fields_cache:  # loaded with select_related("membership…")
        return user._state.fields_cache["membership"]
    try:
        return Membership.objects.select_related("organisation").get(user_id=user.pk)
    except Membership.DoesNotExist:
        return None


def actor_for(user) -> Actor:
    """The actor for a user, cached on the user object for the length of a request."""
    cached = getattr(user, "_pps_actor", None)
    if cached is not None:
        return cached
    actor = Actor(user=user, membership=membership_for_user(user))
    if user.is_authenticated:
        user._pps_actor = actor
    return actor


def organisation_list():
    return Organisation.objects.order_by("name")


def organisations_visible_to(actor: Actor):
    """The organisations this actor may look up through the API: their own, nothing else."""
    if actor.organisation is None or not actor.user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=actor.organisation.pk)


def organisation_get_nctv() -> Organisation | None:
    return Organisation.objects.filter(is_nctv=True).first()


# --- Partnerships -------------------------------------------------------------------------------


def _partnership_models():
    from partnerships import models as m

    return m


def partnerships_visible_to(actor: Actor):
    """Partnerships this actor may see: NCTV staff all; others those their organisation is a
    current member of (a ``DoorSubquery``: the set a party's list is counted in its page by,
    ``ppsportal.pagination.counted_in_page``). Everything else answers 404."""
    from ppsportal.pagination import DoorSubquery

    m = _partnership_models()
    qs = m.Partnership.objects.all()
    if actor.is_nctv_staff:
        return qs
    if actor.organisation is None or not actor.user.is_active:
        return qs.none()
    member_of = m.PartnershipMember.objects.filter(
        organisation=actor.organisation, left_on__isnull=True
    ).values("partnership_id")
    return qs.filter(pk__in=DoorSubquery(member_of))


def partnerships_by_health(actor: Actor, *, today):
    """The visible partnerships worst health first, then by name, ready for ``health_rows``:
    the status is computed by the database in the same query (``health_sql.with_health_status``,
    the rule's SQL form), so the list is ordered and paged there and only the rows shown are
    assessed for their reasons."""
    from partnerships.health_sql import with_health_status

    qs = partnerships_with_health_data(partnerships_visible_to(actor), today)
    return with_health_status(qs, today).order_by("-health_severity", "name", "pk")


def partnerships_by_name_with_health_data(actor: Actor, *, today):
    """The visible partnerships by name, ready for ``health_rows``: the database orders and
    pages them, so a page assesses only its own rows."""
    return partnerships_with_health_data(partnerships_visible_to(actor), today).order_by(
        "name", "pk"
    )


def health_rows(partnerships, *, today) -> list:
    """[(partnership, health report)] for partnerships from ``partnerships_with_health_data``
    (a queryset, a page of one, or a list): no queries beyond loading them."""
    from partnerships.health import assess

    return [(p, assess(p, today)) for p in partnerships]


def partnership_get(actor: Actor, public_id):
    """One visible partnership with its health data, or ``None`` (the caller answers 404)."""
    qs = partnerships_with_health_data(partnerships_visible_to(actor))
    return qs.filter(public_id=public_id).first()


def contacts_visible_to(actor: Actor):
    """Contact-log entries the actor may see, per entry by the sharing engine: CLEAR and GREEN
    to the partnership's current members, AMBER and above to the owning organisation and those
    it was validly shared with under a covenant, everything to NCTV staff."""
    from partnerships.sharing.selectors import visible_to

    m = _partnership_models()
    return visible_to(actor, m.ContactEntry.objects.all())


def covenant_document_visible_to(actor: Actor, covenant) -> bool:
    """May the actor download the covenant's signed document (its ``document_tlp``)?"""
    from partnerships.sharing.selectors import is_visible

    return bool(covenant.document) and is_visible(actor, covenant)


def covenants_visible_to(actor: Actor):
    m = _partnership_models()
    return m.Covenant.objects.filter(partnership__in=partnerships_visible_to(actor))


def actions_visible_to(actor: Actor):
    """Follow-up actions of visible partnerships, except those agreed in a contact-log entry
    the actor may not see (an action can carry the entry's sensitive content)."""
    from django.db.models import Q

    m = _partnership_models()
    return m.Action.objects.filter(partnership__in=partnerships_visible_to(actor)).filter(
        Q(contact__isnull=True) | Q(contact__in=contacts_visible_to(actor))
    )


def cost_summary(partnership) -> dict:
    """Total costs and each party's share of them, from the allocation key."""
    from decimal import ROUND_HALF_UP, Decimal

    from django.db.models import Sum

    total = partnership.cost_items.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    shares = list(partnership.cost_shares.select_related("organisation"))
    per_party = [
        {
            "organisation": share.organisation,
            "percentage": share.percentage,
            "amount": (total * share.percentage / Decimal(100)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            ),
        }
        for share in shares
    ]
    return {"total": total, "shares": per_party, "key_complete": bool(shares)}


# --- Dashboard reads (partnership page, overview) ----------------------------------------------

OVERVIEW_ORDERS = ("health", "name", "last_contact")


def partnership_overview_rows(actor: Actor, *, order: str = "health", today=None):
    """The visible partnerships, ready for ``health_rows``, in one of ``OVERVIEW_ORDERS``,
    ordered by the database (so a page assesses only its own rows): worst health first, by
    name, or longest since the last contact first (never contacted before all others)."""
    from django.db.models import F
    from django.utils import timezone

    today = today or timezone.localdate()
    if order == "name":
        return partnerships_by_name_with_health_data(actor, today=today)
    if order == "last_contact":
        return partnerships_with_health_data(partnerships_visible_to(actor), today).order_by(
            F("last_contact_on").asc(nulls_first=True), "name", "pk"
        )
    return partnerships_by_health(actor, today=today)


def health_status_counts(actor: Actor, *, today, by_health=None) -> dict:
    """{(health status, ended?): partnerships} over the partnerships visible to ``actor``, the
    status computed by the database (``health_sql.with_health_status``): one query. ``by_health``:
    ``partnerships_by_health(actor, today=today)`` when the caller has it already (the status
    expression is costly to build)."""
    from django.db.models import Count, Q

    from partnerships.health import status_of_severity
    from partnerships.health_sql import with_health_status

    m = _partnership_models()
    qs = by_health
    if qs is None:
        qs = with_health_status(
            partnerships_with_health_data(partnerships_visible_to(actor), today), today
        )
    rows = (
        qs.prefetch_related(None)
        .annotate(ended=Q(status=m.Partnership.Status.ENDED))
        .order_by()
        .values("health_severity", "ended")
        .annotate(n=Count("pk"))
    )
    return {(status_of_severity(row["health_severity"]), row["ended"]): row["n"] for row in rows}


def partnership_member_organisations(partnership):
    """The organisations at the table now: the only choices for participants and owners."""
    m = _partnership_models()
    current = m.PartnershipMember.objects.filter(
        partnership=partnership, left_on__isnull=True
    ).values("organisation_id")
    return m.Organisation.objects.filter(pk__in=current).order_by("name")


def partnership_covenants(actor: Actor, partnership, today=None):
    """The partnership's covenants with signatories and tasks. Each carries ``current_status``
    (a ``Covenant.Status`` derived from its dates and signatures on ``today``) and
    ``document_visible`` (whether the actor may download its signed document)."""
    from django.db.models import Prefetch
    from django.utils import timezone

    from partnerships.sharing.selectors import visible_to

    m = _partnership_models()
    today = today or timezone.localdate()
    of_partnership = m.Covenant.objects.filter(partnership=partnership)
    documents_visible = set(visible_to(actor, of_partnership).values_list("pk", flat=True))
    covenants = list(
        of_partnership.order_by("-effective_from", "title").prefetch_related(
            Prefetch(
                "signatories",
                queryset=m.CovenantSignatory.objects.select_related("organisation"),
            ),
            Prefetch(
                "tasks",
                queryset=m.CovenantTask.objects.select_related("organisation").order_by(
                    "organisation__name", "position", "id"
                ),
            ),
        )
    )
    for covenant in covenants:
        covenant.current_status = m.Covenant.Status(
            covenant.status_on(today, list(covenant.signatories.all()))
        )
        covenant.document_visible = bool(covenant.document) and covenant.pk in documents_visible
    return covenants


def partnership_contacts(actor: Actor, partnership):
    """The contact-log entries of the partnership that the actor may see (TLP and grants, by
    ``contacts_visible_to``), newest first, with participants."""
    return (
        contacts_visible_to(actor)
        .filter(partnership=partnership)
        .select_related("owner_organisation", "created_by")
        .prefetch_related("participants")
    )


def partnership_actions(actor: Actor, partnership, today=None):
    """Follow-up actions the actor may see (``actions_visible_to``), open ones first by due
    date; ``is_overdue`` when open past due."""
    from django.db.models import BooleanField, ExpressionWrapper, F, Q
    from django.utils import timezone

    today = today or timezone.localdate()
    return (
        actions_visible_to(actor)
        .filter(partnership=partnership)
        .select_related("owner", "contact")
        .annotate(
            is_overdue=ExpressionWrapper(
                Q(done_on__isnull=True, due_on__lt=today), output_field=BooleanField()
            )
        )
        .order_by(F("done_on").asc(nulls_first=True), "due_on", "id")
    )


def covenant_get(actor: Actor, public_id):
    """One covenant the actor may see (with its partnership), or ``None`` (the caller: 404)."""
    return (
        covenants_visible_to(actor)
        .select_related("partnership")
        .filter(public_id=public_id)
        .first()
    )


def action_get(actor: Actor, public_id):
    """One follow-up action the actor may see (with its partnership), or ``None``."""
    return (
        actions_visible_to(actor).select_related("partnership").filter(public_id=public_id).first()
    )


def covenants_with_status(qs, status: str, on=None):
    """Narrow covenants to one derived status on a date, as ``Covenant.status_on`` derives it:
    terminated, expired, active (``Covenant.objects.in_force``) or draft (all the rest)."""
    from django.db.models import Q
    from django.utils import timezone

    m = _partnership_models()
    on = on or timezone.localdate()
    status_choices = m.Covenant.Status
    terminated = Q(terminated_on__lte=on)
    expired = Q(effective_until__lt=on) & ~terminated
    in_force = m.Covenant.objects.in_force(on).values("pk")
    if status == status_choices.TERMINATED:
        return qs.filter(terminated)
    if status == status_choices.EXPIRED:
        return qs.filter(expired)
    if status == status_choices.ACTIVE:
        return qs.filter(pk__in=in_force)
    if status == status_choices.DRAFT:
        return qs.exclude(terminated).exclude(expired).exclude(pk__in=in_force)
    raise ValueError(f"unknown covenant status {status!r}")


def audit_trail_for_organisation(organisation):
    """What the audit log holds about the organisation's own data: every event naming an
    object it owns (grants and revocations, reads, changes to its members), newest first."""
    from ppsportal.audit import owner_filter_value
    from ppsportal.models import AuditEvent

    return AuditEvent.objects.filter(
        owner_organisation_ids__contains=owner_filter_value(organisation.pk)
    ).order_by("-at", "-id")


def access_log_for_organisation(organisation, *, limit: int | None = None):
    """Access transparency: reads of the organisation's sensitive data by anyone outside it
    (``sensitive.viewed`` entries naming an object it owns), newest first."""
    from django.db.models import Q

    from ppsportal.audit import owner_filter_value
    from ppsportal.models import AuditEvent

    events = (
        AuditEvent.objects.filter(
            action="sensitive.viewed",
            owner_organisation_ids__contains=owner_filter_value(organisation.pk),
        )
        .exclude(Q(organisation_id=organisation.pk))
        .order_by("-at", "-id")
    )
    return events[:limit] if limit else events


def access_log_name_scope(organisation):
    """Which objects an access-log entry may name for ``organisation``'s administrator: its own
    only (one entry can name several organisations' objects read in one request)."""
    from django.db.models import Q

    from partnerships.sharing.registry import spec_for

    def scope(model):
        try:
            return Q(**{spec_for(model).owner_field: organisation})
        except LookupError:  # not a shared object: no owner to compare
            return None

    return scope


# --- health history (the charts) ----------------------------------------------------------------

HISTORY_DAYS = 42


def _history_days(today, days: int) -> list:
    from datetime import timedelta

    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def health_history(partnership, *, today, today_status: str, days: int = HISTORY_DAYS):
    """[(day, status or None)] over the last ``days`` days up to ``today``, from the recorded
    snapshots, with today's live status last (the badge beside the chart says the same); days
    before the first record are left out. One query. The caller has found the partnership
    visible to its reader."""
    m = _partnership_models()
    span = _history_days(today, days)
    recorded = dict(
        m.HealthSnapshot.objects.filter(
            partnership=partnership, day__gte=span[0], day__lt=today
        ).values_list("day", "status")
    )
    recorded[today] = today_status
    first = min(recorded)
    return [(day, recorded.get(day)) for day in span if day >= first]


def health_history_counts(actor: Actor, *, today, today_counts, days: int = HISTORY_DAYS):
    """For NCTV staff's overview: [(day, {status: partnerships})] over the last ``days`` days
    of the partnerships visible to ``actor``, from the recorded snapshots; today's from
    ``today_counts`` (``health_status_counts``), ended partnerships left out as in the
    snapshots. Days before the first record are left out. One query."""
    from django.db.models import Count

    m = _partnership_models()
    span = _history_days(today, days)
    counts: dict = {}
    rows = (
        m.HealthSnapshot.objects.filter(
            partnership__in=partnerships_visible_to(actor), day__gte=span[0], day__lt=today
        )
        .values("day", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["day"], {})[row["status"]] = row["n"]
    todays = counts.setdefault(today, {})
    for (status, ended), n in today_counts.items():
        if not ended:
            todays[status] = todays.get(status, 0) + n
    first = min(counts)
    return [(day, counts.get(day, {})) for day in span if day >= first]
