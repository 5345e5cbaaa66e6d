"""Which objects may this actor see: the TLP rules, ownership and grants, in one query.

The rules (docs/permissions.md):
- NCTV staff see everything; an inactive user or one without organisation sees nothing.
- The owning organisation always sees its own.
- CLEAR and GREEN reach the model's open audience (every partner user, or the partnership's
  members for partnership records).
- AMBER and AMBER+STRICT reach organisations with a *valid* group grant; AMBER and above reach
  users with a *valid* user grant (RED: only these).
- A model without grants (partnership documents) reaches other organisations through the
  covenants of its own context instead (``Shareable.covenant_scope``, on the same footing
  function); where the spec says so (``staff_see_all=False``), NCTV staff see only what reaches
  their organisation, like any party.
- A grant is valid only while its covenant gives the footing (``footing.footing_covenants``): in
  force, signed by both the object's owner and the grant's organisation (neither withdrawn), its
  information clause allowing the object's *current* level; the covenant's ``retention_days``
  have not passed since the grant was made (then the object is its owner's only again); and —
  for a user grant — the user is active and still in that organisation. guardian's own managers
  apply the same rule (``sharing.models``), so ``has_perm`` and ``get_objects_for_user`` agree
  at every instant.
Validity is part of the query, so access ends on the very next request after any change; the
clean-up task only removes what the query already ignores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from partnerships.sharing.footing import footing_covenants, within_retention_q
from partnerships.sharing.registry import Shareable, spec_for
from ppsportal.compiled import STAND_IN_ORGANISATION, STAND_IN_USER, compile_once, swap
from ppsportal.pagination import DoorSQL
from ppsportal.sensitivity import TLP

SHARED_LEVELS_FOR_GROUPS = [TLP.AMBER, TLP.AMBER_STRICT]
SHARED_LEVELS_FOR_USERS = [TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]


def valid_grant_q(spec: Shareable, *, today: date, user_grant: bool, receiver=None) -> Q:
    """A Q on a grant model that holds exactly while the grant counts: its covenant gives the
    footing (``footing.footing_covenants``: in force, signed by the object's owner and by the
    grant's organisation, the clause allowing the object's *current* level), the covenant's
    retention period has not ended since the grant was made (``footing.retention_end``), the
    level is one that grants reach, and for users: active and still in that organisation.

    ``receiver``: the grant's organisation, where the caller confines the grants to one
    organisation anyway (the door's arm of an organisation's grants); the footing then names it
    as a value, not the grant's column, so PostgreSQL finds that organisation's signatures by
    their index instead of hashing every signature (docs/benchmarks.md, B3)."""
    footing = footing_covenants(
        sharer=OuterRef(f"content_object__{spec.owner_field}"),
        receiver=OuterRef("organisation") if receiver is None else receiver,
        level=OuterRef(f"content_object__{spec.tlp_field}"),
        today=today,
    ).filter(pk=OuterRef("covenant"))
    levels = SHARED_LEVELS_FOR_USERS if user_grant else SHARED_LEVELS_FOR_GROUPS
    q = Q(Exists(footing)) & Q(**{f"content_object__{spec.tlp_field}__in": levels})
    q &= within_retention_q(today)
    if user_grant:
        q &= Q(user__is_active=True, user__membership__organisation=F("organisation"))
    return q


def group_grants_valid(spec: Shareable, today: date, *, receiver=None) -> QuerySet:
    """The group grants that count on ``today`` (``valid_grant_q``); with ``receiver``, only
    that organisation's."""
    grants = spec.group_grant.all_grants
    if receiver is not None:
        grants = grants.filter(organisation=receiver)
    return grants.filter(valid_grant_q(spec, today=today, user_grant=False, receiver=receiver))


def user_grants_valid(spec: Shareable, today: date) -> QuerySet:
    return spec.user_grant.all_grants.filter(valid_grant_q(spec, today=today, user_grant=True))


def visible_pks(actor, spec: Shareable, *, today: date | None = None) -> QuerySet | None:
    """The pks of ``spec.model`` that ``actor`` may see, as one ``UNION ALL`` of four indexed
    sets: owned, open level within the open audience, valid group grants of the actor's
    organisation and valid user grants of the actor. ``None`` means everything.

    Each arm is answered from its own index (``docs/benchmarks.md`` shows the plans); the grant
    arms carry the footing (``valid_grant_q``) once, as semi-joins PostgreSQL plans once per
    query, not as a condition evaluated on every row of the model."""
    if actor.is_nctv_staff and spec.staff_see_all:
        return None
    organisation = actor.organisation
    model = spec.model._base_manager
    if organisation is None or not actor.user.is_active:
        return model.none().values("pk")
    return _pk_sets(spec, organisation, actor.user, actor, today or timezone.localdate())


def _pk_sets(
    spec: Shareable, organisation, user, actor, today: date, keys: tuple[str, ...] = ()
) -> QuerySet:
    """The door's ``UNION ALL`` of its arms; with ``keys`` (columns of ``spec.model``), each arm
    also gives those columns of its rows, read from the rows it reaches anyway (the page's
    ordering: ``door_keyed``)."""
    model = spec.model._base_manager
    through_grant = [f"content_object__{key}" for key in keys]
    owned = model.filter(**{spec.owner_field: organisation}).order_by().values("pk", *keys)
    open_ = (
        model.filter(**{f"{spec.tlp_field}__in": [TLP.CLEAR, TLP.GREEN]})
        .filter(spec.open_q(actor))
        .order_by()
        .values("pk", *keys)
    )
    arms = []
    if spec.has_grants:
        by_group = (
            group_grants_valid(spec, today, receiver=organisation)
            .order_by()
            .values("content_object_id", *through_grant)
        )
        by_user = (
            user_grants_valid(spec, today)
            .filter(user=user)
            .order_by()
            .values("content_object_id", *through_grant)
        )
        arms += [by_group, by_user]
    if spec.covenant_scope is not None:
        arms.append(model.filter(spec.covenant_scope(actor, today)).order_by().values("pk", *keys))
    return owned.union(open_, *arms, all=True)


# Building and compiling the footing's query costs the ORM far more than PostgreSQL needs to
# answer it (a profile at 100k rows: ~150 ms of Python for a 20 ms query). The SQL depends only on
# the model, the day and the database; the organisation and user are parameters. So it is built
# once per model and day with stand-in ids (``ppsportal.compiled``), the stand-ins swapped for the
# actor's, and on PostgreSQL planned once per connection (a prepared statement).


@dataclass(frozen=True)
class _StandIn:
    organisation: int = STAND_IN_ORGANISATION


def _compiled(
    spec: Shareable, today: date, using: str, keys: tuple[str, ...] = ()
) -> tuple[str, list]:
    return compile_once(
        (spec.label, today, keys),
        lambda: _pk_sets(spec, STAND_IN_ORGANISATION, STAND_IN_USER, _StandIn(), today, keys),
        prepare=True,
        using=using,
    )


def _valid_grants_compiled(spec: Shareable, today: date, user_grant: bool) -> tuple[str, list]:
    def build():
        grants = user_grants_valid(spec, today) if user_grant else group_grants_valid(spec, today)
        return grants.order_by().values("pk")

    return compile_once(("valid_grants", spec.label, user_grant, today), build, prepare=True)


def valid_grant_ids(spec: Shareable, *, today: date, user_grant: bool) -> Q:
    """A Q on a grant model holding exactly for the grants that count on ``today``: the same rule
    as ``valid_grant_q`` (it is that Q, compiled once per model, kind and day), as
    ``pk IN (…)``. guardian's managers filter with it, so ``has_perm`` and
    ``get_objects_for_user`` pay for building the footing once, not on every call."""
    sql, params = _valid_grants_compiled(spec, today, user_grant)
    # The SQL is the ORM's own compilation of ``valid_grant_q``; nothing of the caller's in it.
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611  # nosec B611: compiled by the ORM


_STAND_IN_OBJECT = -7_000_000_003


def granted_codenames(
    spec: Shareable, user, obj, *, users: bool = True, groups: bool = True, today: date
) -> set[str]:
    """The codenames of the grants that count on ``today`` and give ``user`` ``obj``: its own user
    grants (``users``) and its organisation's group grants (``groups``), in one query. What
    guardian's backend answers ``has_perm`` with; compiled once per model, kind and day like
    ``visible_q`` (the user and object ids are its only parameters)."""

    def build():
        arms = []
        if users:
            arms.append(
                user_grants_valid(spec, today).filter(
                    user_id=STAND_IN_USER, content_object_id=_STAND_IN_OBJECT
                )
            )
        if groups:
            arms.append(
                group_grants_valid(spec, today).filter(
                    group__user=STAND_IN_USER, content_object_id=_STAND_IN_OBJECT
                )
            )
        arms = [arm.order_by().values_list("permission__codename", flat=True) for arm in arms]
        return arms[0].union(*arms[1:]) if len(arms) > 1 else arms[0]

    sql, params = compile_once(("codenames", spec.label, users, groups, today), build, prepare=True)
    params = swap(params, {STAND_IN_USER: user.pk, _STAND_IN_OBJECT: obj.pk})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def visible_q(
    actor, spec: Shareable, *, today: date | None = None, using: str = DEFAULT_DB_ALIAS
) -> Q | None:
    """The condition on ``spec.model`` for what ``actor`` may see (``visible_pks``, compiled
    once per model and day for the database ``using``, where the query it goes into runs);
    ``None`` means everything. The set is a ``DoorSQL``: a list narrowed by it is counted in
    its page's query (``ppsportal.pagination.counted_in_page``), one left whole (``None``: NCTV
    staff) apart."""
    if actor.is_nctv_staff and spec.staff_see_all:
        return None
    organisation = actor.organisation
    if organisation is None or not actor.user.is_active:
        return Q(pk__in=[])
    if not spec.staff_see_all:
        # its scopes depend on who asks (staff or party), not only on ids: not compiled once
        pks = visible_pks(actor, spec, today=today).query
        sql, params = pks.get_compiler(using=using).as_sql()
        return Q(pk__in=DoorSQL(sql, params))  # nosec B611: compiled by the ORM
    today = today or timezone.localdate()
    ids = {STAND_IN_ORGANISATION: organisation.pk, STAND_IN_USER: actor.user.pk}

    def keyed(keys: tuple[str, ...]) -> tuple[str, list]:
        # the same arms, each also giving the columns ``keys`` of its rows (``DoorSQL.keyed``)
        sql, params = _compiled(spec, today, using, keys)
        return sql, swap(params, ids)

    sql, params = keyed(())
    # The SQL is the ORM's own compilation of ``_pk_sets``; only bound parameters vary.
    return Q(pk__in=DoorSQL(sql, params, keyed=keyed))  # nosec B611: compiled by the ORM


def visible_to(actor, queryset: QuerySet, *, today: date | None = None) -> QuerySet:
    """Filter any queryset of a shareable model down to what the actor may see (the condition
    compiled for the queryset's database)."""
    q = visible_q(actor, spec_for(queryset.model), today=today, using=queryset.db)
    return queryset if q is None else queryset.filter(q)


def is_visible(actor, obj, *, today: date | None = None) -> bool:
    return visible_to(actor, type(obj)._default_manager.filter(pk=obj.pk), today=today).exists()


def is_sensitive(spec: Shareable, obj) -> bool:
    """AMBER and above: every read is written to the audit log."""
    return TLP.rank(getattr(obj, spec.tlp_field)) >= TLP.rank(TLP.AMBER)


# --- the same rule for many (object, user) pairs at once ----------------------------------------


@dataclass(frozen=True)
class _ActorOfRow:
    """What ``Shareable.open_q`` reads of an actor, for the organisation of the row two queries
    out (the open arm sits in a subquery of the row's ``Exists``)."""

    organisation: object


def nctv_staff_q(*, user: str, organisation: str) -> Q:
    """``Actor.is_nctv_staff`` for the user and organisation named by these field paths."""
    return Q(
        **{f"{user}__is_active": True, f"{user}__is_staff": True, f"{organisation}__is_nctv": True}
    )


def visible_to_rows_q(
    spec: Shareable, *, obj: str, user: str, organisation: str, today: date | None = None
) -> Q:
    """The condition on rows of another model (a delivery, say) that name an object of
    ``spec.model`` (``obj``), a user (``user``) and that user's current organisation
    (``organisation``, through the membership): the user may see the object. The same four arms
    as ``visible_pks`` — owned, open level within the open audience, a valid group grant of the
    organisation, a valid user grant — each correlated with the row, so one query answers for a
    whole batch of rows. ``tests/alerts/test_delivery_batch.py`` proves it equals the per-row
    form (``visible_to``) for the delivery worker's rows."""
    today = today or timezone.localdate()
    model = spec.model._base_manager
    obj_ref, user_ref, org_ref = OuterRef(obj), OuterRef(user), OuterRef(organisation)
    owned = Q(**{f"{obj}__{spec.owner_field}": F(organisation)})
    open_ = Exists(
        model.filter(pk=obj_ref, **{f"{spec.tlp_field}__in": [TLP.CLEAR, TLP.GREEN]}).filter(
            spec.open_q(_ActorOfRow(organisation=OuterRef(org_ref)))
        )
    )
    by_group = Exists(
        group_grants_valid(spec, today).filter(content_object=obj_ref, organisation=org_ref)
    )
    by_user = Exists(user_grants_valid(spec, today).filter(content_object=obj_ref, user=user_ref))
    member = Q(**{f"{user}__is_active": True, f"{organisation}__isnull": False})
    return member & (
        nctv_staff_q(user=user, organisation=organisation) | owned | open_ | by_group | by_user
    )
