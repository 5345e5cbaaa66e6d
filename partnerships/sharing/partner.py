"""Partners share too: what an organisation shared of its own, what it received and under which
covenant, and how much sharing between partners there is per partnership (for NCTV staff).

The rule of who may share what stays in ``sharing.services`` (``may_share``, the footing); this
module only reads. The models partners share are those registered with a ``partner_kind``
(contact-log entries, soft-target details, reports).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone

from partnerships.models import Covenant, Organisation
from partnerships.sharing.footing import footing_covenants
from partnerships.sharing.registry import Shareable, partner_specs, spec_for, spec_for_kind
from partnerships.sharing.selectors import (
    group_grants_valid,
    is_sensitive,
    user_grants_valid,
    valid_grant_q,
    visible_to,
)
from ppsportal.compiled import (
    STAND_IN_ORGANISATION,
    STAND_IN_USER,
    compile_annotation_once,
    compile_once,
    swap,
)


@dataclass(frozen=True)
class SharedUnder:
    """Why a receiver sees an object: the covenant of its grant and that covenant's purpose."""

    covenant: Covenant
    sharer: Organisation | None

    @property
    def purpose(self) -> str:
        return self.covenant.purpose

    def as_dict(self) -> dict:
        return {
            "covenant": {"id": str(self.covenant.public_id), "title": self.covenant.title},
            "purpose": self.covenant.purpose,
        }


@dataclass(frozen=True)
class PartnerShare:
    """One organisation grant on a partner-shareable object."""

    spec: Shareable
    obj: object
    organisation: Organisation
    covenant: Covenant
    granted_by: object | None
    granted_at: datetime
    reason: str
    valid: bool

    @property
    def kind(self) -> str:
        return self.spec.partner_kind

    @property
    def sharer(self) -> Organisation:
        return getattr(self.obj, self.spec.owner_field)

    @property
    def kind_label(self) -> str:
        return str(self.spec.model._meta.verbose_name)


def shared_under_map(actor, objects: Iterable, *, today: date | None = None) -> dict:
    """For the shareable objects of one model that ``actor`` sees only by a grant (AMBER and
    above, not its own, not as NCTV staff): object pk -> ``SharedUnder``. Every shareable model
    alike: what partners share (contact entries, soft-target details, reports) and what the NCTV
    shares (threat assessments; alerts, whose AMBER+ recipients hold a group grant under the
    covenant that entitled them). CLEAR and GREEN objects reach their open audience without a
    covenant, so they have none. One query for organisation grants, one more only when some
    object came by a grant to the user."""
    objects = list(objects)
    if not objects or actor.is_nctv_staff or actor.organisation is None:
        return {}
    spec = spec_for(objects[0])
    if not spec.has_grants:
        return {}  # partnership documents: no grant names a covenant (docs/permissions.md)
    own = actor.organisation.pk
    wanted = {
        o.pk: o
        for o in objects
        if is_sensitive(spec, o) and getattr(o, f"{spec.owner_field}_id") != own
    }
    if not wanted:
        return {}
    today = today or timezone.localdate()
    asked_for = _asked_for(actor, today)
    if all(getattr(o, SHARED_UNDER_FOR, None) == asked_for for o in wanted.values()):
        # the rows were fetched ``with_shared_under`` for this actor and day: the same two
        # lookups, already answered (rows fetched for someone else, or another day, are asked
        # about again)
        return {
            pk: _shared_under_of_row(spec, o)
            for pk, o in wanted.items()
            if getattr(o, SHARED_UNDER_ROW) is not None
        }
    if connection.vendor != "postgresql":
        return _shared_under_orm(actor, spec, wanted, today)
    found = _shared_under_rows(spec, today, False, actor.organisation.pk, list(wanted))
    rest = [pk for pk in wanted if pk not in found]
    if rest:
        found.update(_shared_under_rows(spec, today, True, actor.user.pk, rest))
    return found


def _shared_under_orm(actor, spec: Shareable, wanted: dict, today: date) -> dict:
    """``shared_under_map`` through the ORM on every call (SQLite has no arrays)."""
    found: dict = {}
    related = ("covenant", f"content_object__{spec.owner_field}")
    grants = (
        group_grants_valid(spec, today)
        .filter(organisation=actor.organisation, content_object_id__in=list(wanted))
        .select_related(*related)
    )
    for grant in grants:
        found[grant.content_object_id] = grant
    rest = [pk for pk in wanted if pk not in found]
    if rest:
        grants = (
            user_grants_valid(spec, today)
            .filter(user=actor.user, content_object_id__in=rest)
            .select_related(*related)
        )
        for grant in grants:
            found[grant.content_object_id] = grant
    return {
        pk: SharedUnder(
            covenant=grant.covenant,
            sharer=getattr(grant.content_object, spec.owner_field),
        )
        for pk, grant in found.items()
    }


_STAND_IN_OBJECTS = [-7_000_000_004]


def _shared_under_rows(spec: Shareable, today: date, user_grant: bool, whom: int, pks) -> dict:
    """One query: object pk -> ``SharedUnder`` for the objects among ``pks`` that ``whom`` (the
    organisation, or for ``user_grant`` the user) holds a valid grant on. The ORM builds it once
    per model, kind and day (``ppsportal.compiled.compile_once``, stand-in ids swapped for the
    caller's; building it on every request cost more than the page itself, docs/benchmarks.md,
    B4)."""
    covenant_fields = [f.attname for f in Covenant._meta.concrete_fields]
    owner_fields = [f.attname for f in Organisation._meta.concrete_fields]
    stand_in = STAND_IN_USER if user_grant else STAND_IN_ORGANISATION

    def build():
        grants = user_grants_valid(spec, today) if user_grant else group_grants_valid(spec, today)
        whom_filter = {"user_id": stand_in} if user_grant else {"organisation_id": stand_in}
        # one array parameter for any number of objects (the stand-in swapped for the page's)
        ids = RawSQL("SELECT unnest(%s)", [_STAND_IN_OBJECTS])  # nosec B611
        return (
            grants.filter(content_object_id__in=ids, **whom_filter)
            .order_by("pk")
            .values_list(
                "content_object_id",
                *(f"covenant__{name}" for name in covenant_fields),
                *(f"content_object__{spec.owner_field}__{name}" for name in owner_fields),
            )
        )

    sql, params = compile_once(("shared_under", spec.label, user_grant, today), build)
    params = [
        list(pks) if p == _STAND_IN_OBJECTS else (whom if p == stand_in else p) for p in params
    ]
    found: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    split = 1 + len(covenant_fields)
    for row in rows:
        if row[0] in found:
            continue  # the first grant found names the covenant, as before
        found[row[0]] = SharedUnder(
            covenant=Covenant.from_db(connection.alias, covenant_fields, row[1:split]),
            sharer=Organisation.from_db(connection.alias, owner_fields, row[split:]),
        )
    return found


# The annotation ``with_shared_under`` puts on each row: the covenant of its first valid grant
# (``_shared_under_rows``' order: the organisation's grants, then the user's, each by grant id)
# as text, ``[covenant id, covenant public id, title, purpose, the owner's public id]``, or NULL.
SHARED_UNDER_ROW = "shared_under_row"
# For whom and which day the rows' ``SHARED_UNDER_ROW`` was read (``_asked_for``): the answer
# belongs to that organisation, user and day only.
SHARED_UNDER_FOR = "shared_under_for"


def _asked_for(actor, today: date) -> str:
    return f"{actor.organisation.pk}:{actor.user.pk}:{today.isoformat()}"


def with_shared_under(actor, queryset: QuerySet, *, today: date | None = None) -> QuerySet:
    """``queryset`` (of one shareable model) with what ``shared_under_map`` asks
    its one or two queries for, read in the queryset's own query as two correlated subqueries
    (the same valid-grant conditions, ``group_grants_valid`` and ``user_grants_valid``, compiled
    once per model and day); ``shared_under_map`` then reads the rows instead of asking
    (docs/benchmarks.md, B4). Unchanged where ``shared_under_map`` asks nothing (NCTV staff, no
    organisation, a model without grants) and on a database other than PostgreSQL and SQLite,
    where it asks as before."""
    spec = spec_for(queryset.model)
    if (
        connection.vendor not in ("postgresql", "sqlite")
        or actor.is_nctv_staff
        or actor.organisation is None
        or not spec.has_grants
    ):
        return queryset
    today = today or timezone.localdate()
    sql, params = compile_annotation_once(
        ("shared_under_row", spec.label, today),
        lambda: spec.model._base_manager.annotate(
            **{
                SHARED_UNDER_ROW: Coalesce(
                    _first_grant(spec, today, False), _first_grant(spec, today, True)
                )
            }
        ),
        SHARED_UNDER_ROW,
        prepare=True,
    )
    params = swap(
        params, {STAND_IN_ORGANISATION: actor.organisation.pk, STAND_IN_USER: actor.user.pk}
    )
    # The SQL is the ORM's own compilation of the grant conditions; the ids are parameters.
    row = RawSQL(sql, params, output_field=TextField())  # noqa: S611  # nosec B611
    asked_for = Value(_asked_for(actor, today), output_field=TextField())
    return queryset.annotate(**{SHARED_UNDER_ROW: row, SHARED_UNDER_FOR: asked_for})


class _TextRow(Func):
    """A row of text values as one value: an array on PostgreSQL, a JSON array on SQLite."""

    function = "ARRAY"
    template = "%(function)s[%(expressions)s]"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, function="JSON_ARRAY", template="%(function)s(%(expressions)s)"
        )


def _first_grant(spec: Shareable, today: date, user_grant: bool) -> Subquery:
    """The first valid grant on the outer row to the organisation (or for ``user_grant`` the
    user), as ``SHARED_UNDER_ROW`` describes it, for stand-in ids."""
    grants = user_grants_valid(spec, today) if user_grant else group_grants_valid(spec, today)
    whom = {"user_id": STAND_IN_USER} if user_grant else {"organisation_id": STAND_IN_ORGANISATION}
    row = _TextRow(
        Cast("covenant_id", TextField()),
        Cast("covenant__public_id", TextField()),
        Cast("covenant__title", TextField()),
        Cast("covenant__purpose", TextField()),
        Cast(f"content_object__{spec.owner_field}__public_id", TextField()),
    )
    first = (
        grants.filter(content_object_id=OuterRef("pk"), **whom)
        .order_by("pk")
        .annotate(row=row)
        .values("row")[:1]
    )
    return Subquery(first, output_field=TextField())


def _shared_under_of_row(spec: Shareable, obj) -> SharedUnder:
    """The ``SharedUnder`` of a row fetched ``with_shared_under``: the covenant and the sharer
    with the fields the row carries (the others load if asked for, as deferred fields do)."""
    row = getattr(obj, SHARED_UNDER_ROW)
    if isinstance(row, str):
        row = json.loads(row)  # SQLite's JSON array
    covenant_id, covenant_public_id, title, purpose, owner_public_id = row
    covenant = {
        "id": int(covenant_id),
        "public_id": uuid.UUID(covenant_public_id),
        "title": title,
        "purpose": purpose,
    }
    sharer = {"id": getattr(obj, f"{spec.owner_field}_id"), "public_id": uuid.UUID(owner_public_id)}
    return SharedUnder(covenant=_partial(Covenant, covenant), sharer=_partial(Organisation, sharer))


def _partial(model, values: dict):
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def access_log_shared_under(event, organisation) -> list[dict]:
    """The covenants and purposes an access-log entry recorded for ``organisation``'s own
    objects (an entry can name other owners' objects read in the same request: not theirs)."""
    mine = str(organisation.public_id)
    rows = (event.detail or {}).get("shared_under") or []
    return [row for row in rows if row.get("owner") == mine]


def partner_object(actor, kind: str, public_id):
    """The partner-shareable object of ``kind`` with ``public_id`` that ``actor`` may see;
    ``Http404`` for an unknown kind, a missing object and an invisible one alike."""
    try:
        spec = spec_for_kind(kind)
    except LookupError:
        raise Http404 from None
    try:
        return visible_to(actor, spec.model._default_manager.all()).get(public_id=public_id)
    except (spec.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _rows(spec: Shareable, grants, today: date) -> list[PartnerShare]:
    grants = grants.annotate(
        counts=Case(
            When(valid_grant_q(spec, today=today, user_grant=False), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).select_related(
        "content_object",
        f"content_object__{spec.owner_field}",
        "organisation",
        "covenant",
        "granted_by",
        *(f"content_object__{name}" for name in spec.label_related),
    )
    return [
        PartnerShare(
            spec=spec,
            obj=g.content_object,
            organisation=g.organisation,
            covenant=g.covenant,
            granted_by=g.granted_by,
            granted_at=g.granted_at,
            reason=g.reason,
            valid=g.counts,
        )
        for g in grants
    ]


def shares_made_by(organisation: Organisation, *, today: date | None = None) -> list:
    """What ``organisation`` shared of its own with other organisations, newest first, each
    with whether it still counts (one query per partner-shareable model)."""
    today = today or timezone.localdate()
    rows: list[PartnerShare] = []
    for spec in partner_specs():
        grants = spec.group_grant.all_grants.filter(
            **{f"content_object__{spec.owner_field}": organisation}
        )
        rows += _rows(spec, grants, today)
    return sorted(rows, key=lambda r: r.granted_at, reverse=True)


def shares_received_by(organisation: Organisation, *, today: date | None = None) -> list:
    """What other organisations shared with ``organisation`` and it may see today, newest first,
    from whom and under which covenant (one query per partner-shareable model)."""
    today = today or timezone.localdate()
    rows: list[PartnerShare] = []
    for spec in partner_specs():
        grants = (
            group_grants_valid(spec, today)
            .filter(organisation=organisation)
            .exclude(**{f"content_object__{spec.owner_field}": organisation})
        )
        rows += _rows(spec, grants, today)
    return sorted(rows, key=lambda r: r.granted_at, reverse=True)


def partner_share_counts(*, today: date | None = None) -> Counter:
    """Partnership id -> how many shares between partners count today under its covenants:
    numbers only, for NCTV staff (one query per partner-shareable model)."""
    today = today or timezone.localdate()
    counts: Counter = Counter()
    for spec in partner_specs():
        per_partnership = (
            group_grants_valid(spec, today)
            .order_by()
            .values("covenant__partnership_id")
            .annotate(n=Count("pk"))
        )
        for row in per_partnership:
            counts[row["covenant__partnership_id"]] += row["n"]
    return counts


def share_row(spec: Shareable, grant, *, today: date | None = None) -> PartnerShare:
    """One grant as a ``PartnerShare`` (after sharing: the row the faces answer with)."""
    return _rows(
        spec, spec.group_grant.all_grants.filter(pk=grant.pk), today or timezone.localdate()
    )[0]


def share_covenants(actor, *, today: date) -> QuerySet:
    """The covenants ``actor`` may share under at all: those in force; for a partner, only those
    of the partnerships its organisation sits in now."""
    from partnerships.models import PartnershipMember

    covenants = Covenant.objects.in_force(today)
    if actor.organisation is not None and not actor.is_nctv_staff:
        covenants = covenants.filter(
            partnership_id__in=PartnershipMember.objects.filter(
                organisation=actor.organisation, left_on__isnull=True
            ).values("partnership_id")
        )
    return covenants


def share_offers(actor, obj, *, today: date) -> QuerySet:
    """What the share form may offer for ``obj``, as signatures (covenant, organisation): the
    covenant is one ``actor`` may share under (``share_covenants``) and gives the footing for
    sharing ``obj`` with that organisation (``footing.footing_covenants``: in force, signed by
    the owner and by the organisation, neither withdrawn, the clause allowing the object's
    level); the organisation is neither the owner nor the actor's own. Both lists of the form
    are this set's two columns, so every organisation offered has a covenant offered that gives
    it the footing, and every covenant offered gives some organisation offered the footing."""
    from partnerships.models import CovenantSignatory

    spec = spec_for(obj)
    owner_id = getattr(obj, f"{spec.owner_field}_id")
    footing = footing_covenants(
        sharer=owner_id,
        receiver=OuterRef("organisation"),
        level=getattr(obj, spec.tlp_field),
        today=today,
    ).filter(pk=OuterRef("covenant"))
    offers = CovenantSignatory.objects.filter(
        Exists(footing), covenant__in=share_covenants(actor, today=today).values("pk")
    ).exclude(organisation=owner_id)
    if actor.organisation is not None:
        offers = offers.exclude(organisation=actor.organisation.pk)
    return offers


def share_choices(actor, obj=None, *, today: date | None = None) -> dict:
    """What the share form offers: the ``organisations`` that may receive ``obj`` and the
    ``covenants`` to share it under, both from ``share_offers`` (one rule). Without an object:
    every organisation but the actor's own, and every covenant it may share under. The service
    checks the footing again for the pair chosen."""
    today = today or timezone.localdate()
    if obj is None:
        organisations = Organisation.objects.all()
        if actor.organisation is not None:
            organisations = organisations.exclude(pk=actor.organisation.pk)
        covenants = share_covenants(actor, today=today)
    else:
        offers = share_offers(actor, obj, today=today)
        organisations = Organisation.objects.filter(pk__in=offers.values("organisation_id"))
        covenants = Covenant.objects.filter(pk__in=offers.values("covenant_id"))
    return {
        "organisations": organisations.order_by("name"),
        "covenants": covenants.order_by("title"),
    }
