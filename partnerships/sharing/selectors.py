"""Which objects may this actor see: the TLP rules, ownership and grants, in one query.

The rules (docs/permissions.md):
- NCTV staff see everything; an inactive user or one without organisation sees nothing.
- The owning organisation always sees its own.
- CLEAR and GREEN reach the model's open audience (every partner user, or the partnership's
  members for partnership records).
- AMBER and AMBER+STRICT reach organisations with a *valid* group grant; AMBER and above reach
  users with a *valid* user grant (RED: only these).
- A grant is valid only while its covenant is in force, its organisation still a signatory that
  signed and did not withdraw, the covenant's information clause allows the object's *current*
  level, and — for a user grant — the user is active and still in that organisation.
Validity is part of the query, so access ends on the very next request after any change; the
clean-up task only removes what the query already ignores.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from partnerships.sharing.registry import Shareable, spec_for
from ppsportal.sensitivity import TLP

SHARED_LEVELS_FOR_GROUPS = [TLP.AMBER, TLP.AMBER_STRICT]
SHARED_LEVELS_FOR_USERS = [TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]


def _clause_allows_object_level(spec: Shareable, levels: list[str]) -> Q:
    """The grant's covenant clause is at or above the object's current TLP level."""
    level_field = f"content_object__{spec.tlp_field}"
    q = Q(pk__in=[])
    for level in levels:
        q |= Q(**{level_field: level, "covenant__information_clause__in": TLP.at_or_above(level)})
    return q


def _covenant_in_force_q(today: date) -> Q:
    """``Covenant.objects.in_force`` restated on the grant's covenant, without a subquery level."""
    from partnerships.models import CovenantSignatory

    unsigned = CovenantSignatory.objects.filter(
        covenant=OuterRef("covenant"), withdrawn_on__isnull=True
    ).filter(Q(signed_on__isnull=True) | Q(signed_on__gt=today))
    return (
        (Q(covenant__terminated_on__isnull=True) | Q(covenant__terminated_on__gt=today))
        & Q(covenant__effective_from__lte=today)
        & (Q(covenant__effective_until__isnull=True) | Q(covenant__effective_until__gte=today))
        & ~Q(Exists(unsigned))
    )


def valid_grant_q(spec: Shareable, *, today: date, user_grant: bool) -> Q:
    """A Q on a grant model that holds exactly while the grant counts: covenant in force, the
    grant's organisation a signatory that signed and did not withdraw, the clause allowing the
    object's current level (and for users: active, still in that organisation)."""
    from partnerships.models import CovenantSignatory

    signed = CovenantSignatory.objects.filter(
        covenant=OuterRef("covenant"),
        organisation=OuterRef("organisation"),
        withdrawn_on__isnull=True,
        signed_on__lte=today,
    )
    levels = SHARED_LEVELS_FOR_USERS if user_grant else SHARED_LEVELS_FOR_GROUPS
    q = _covenant_in_force_q(today) & Q(Exists(signed)) & _clause_allows_object_level(spec, levels)
    if user_grant:
        q &= Q(user__is_active=True, user__membership__organisation=F("organisation"))
    return q


def group_grants_valid(spec: Shareable, today: date) -> QuerySet:
    return spec.group_grant.objects.filter(valid_grant_q(spec, today=today, user_grant=False))


def user_grants_valid(spec: Shareable, today: date) -> QuerySet:
    return spec.user_grant.objects.filter(valid_grant_q(spec, today=today, user_grant=True))


def visible_q(actor, spec: Shareable, *, today: date | None = None) -> Q | None:
    """The condition on ``spec.model`` for what ``actor`` may see; ``None`` means everything."""
    if actor.is_nctv_staff:
        return None
    organisation = actor.organisation
    if organisation is None or not actor.user.is_active:
        return Q(pk__in=[])
    today = today or timezone.localdate()
    owned = Q(**{f"{spec.owner_field}": organisation})
    open_ = Q(**{f"{spec.tlp_field}__in": [TLP.CLEAR, TLP.GREEN]}) & spec.open_q(actor)
    by_group = group_grants_valid(spec, today).filter(organisation=organisation)
    by_user = user_grants_valid(spec, today).filter(user=actor.user)
    return (
        owned
        | open_
        | Q(pk__in=by_group.values("content_object_id"))
        | Q(pk__in=by_user.values("content_object_id"))
    )


def visible_to(actor, queryset: QuerySet, *, today: date | None = None) -> QuerySet:
    """Filter any queryset of a shareable model down to what the actor may see."""
    q = visible_q(actor, spec_for(queryset.model), today=today)
    return queryset if q is None else queryset.filter(q)


def is_visible(actor, obj, *, today: date | None = None) -> bool:
    return visible_to(actor, type(obj)._default_manager.filter(pk=obj.pk), today=today).exists()


def is_sensitive(spec: Shareable, obj) -> bool:
    """AMBER and above: every read is written to the audit log."""
    return TLP.rank(getattr(obj, spec.tlp_field)) >= TLP.rank(TLP.AMBER)
