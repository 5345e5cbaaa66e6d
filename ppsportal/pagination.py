"""Pagination of every list, dashboard and API alike: the count and the page, in one query
where a read door built the list's set anyway, in two everywhere else.

A list that can grow is shown a page at a time. Dashboard views call ``paginate`` and render
``ppsportal/includes/pagination.html`` with ``page``; the page links keep the request's other
query parameters (filters, ordering) through Django's ``{% querystring %}``. The API's
``PortalPagination`` pages with the same ``CountedPaginator``.

Where the count comes from (``counted_in_page``, the one place that decides):

- **In the page's own query** (``COUNT(*) OVER ()`` on each row) when a read door narrowed the
  list to a set it built for one actor: the list's rows are confined by a ``pk IN (<the door's
  set>)`` that holds for every row (``narrowed_by_door``). That set is read whole before any
  ordering or ``LIMIT`` whatever the page (the sharing engine's four arms, a party's current
  partnerships), so counting it in the page costs nothing measurable and the door runs once, not
  twice (docs/benchmarks.md, B3). Only a page that comes back empty (past the end) needs a plain
  ``COUNT`` to know where the end is. Where the door offers its keys (``DoorSQL.keyed``: the
  sharing engine) and the list is the door's set as it is, ordered by its own columns to a total
  order, the page is cut from those keys before a row is fetched (``door_page``, a deferred
  join): 50 rows fetched by primary key instead of every visible one.
- **Apart, as Django does** (a ``COUNT``, then the page) everywhere else: a list nobody narrows
  (NCTV staff, whose doors return everything), a list narrowed only by a column (an
  organisation's own rows, which an index can page and stop at ``LIMIT``), and a queryset or
  list the window would miscount. The window needs every row of the list before ``LIMIT``: at
  200,000 rows a page with it took 187 to 232 ms against 21 to 101 ms for the count and the page
  (docs/benchmarks.md, "Where the window loses").

A door says it narrowed the set by the expression it filters with: ``DoorSQL`` (raw SQL of the
door's primary keys) or ``DoorSubquery`` (a queryset of them), as ``pk__in=…``. The mark is the
condition itself, so it lasts exactly as long as the condition confines the rows: through
``filter``, ``exclude``, ``order_by``, ``annotate``, ``select_related``, ``prefetch_related``
and ``values`` (each keeps the condition among the ``WHERE``'s conjuncts), and no longer once
the condition is ORed with another (``qs | other``), negated, or the queryset only names the
door's rows from another model (``filter(contact__in=door)``: counted apart). A door that lets
everything through (NCTV staff) adds no condition, so nothing marks their lists.
"""

from __future__ import annotations

import functools

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import BigIntegerField, Count, F, QuerySet, Subquery, Window
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In
from django.db.models.query import ModelIterable, ValuesIterable
from django.db.models.sql.query import Query
from django.db.models.sql.where import AND, WhereNode

PAGE_SIZE = 50

# The annotation that carries the count on each row of the page; taken off before the rows go out.
TOTAL = "pagination_total"

# The largest OFFSET and LIMIT a database takes (a 64-bit integer on PostgreSQL and SQLite): a
# page number beyond it (``?page=`` is the caller's) is counted first, as Django does, and found
# past the end without a page query the database would refuse.
LARGEST_OFFSET = 2**63 - 1


class ReadDoorSet:
    """The right of a read door's ``pk IN (…)``: the set of primary keys it built for one actor.
    Filter with ``pk__in=DoorSQL(sql, params)`` or ``pk__in=DoorSubquery(pks)``; the SQL is the
    plain ``IN (…)`` either way."""


class DoorSQL(ReadDoorSet, RawSQL):
    """A read door's set of primary keys as raw SQL (compiled once: the sharing engine).

    ``keyed``, where the door offers it: ``keyed(columns)`` gives the SQL and parameters of the
    same set with those columns of each row beside its primary key (``SELECT pk, *columns``,
    a row possibly more than once), read by the door from the rows it reaches anyway; a page
    ordered by those columns is then sorted and cut before any other row is fetched
    (``door_page``)."""

    def __init__(self, sql, params, output_field=None, *, keyed=None):
        super().__init__(sql, params, output_field)
        self.keyed = keyed


class DoorSubquery(ReadDoorSet, Subquery):
    """A read door's set of primary keys as a ``values("pk")``-like queryset, without its
    ordering (Django drops it from a plain ``pk__in=queryset``; a ``Subquery`` would keep it, with
    the joins it needs, inside the ``IN (…)``)."""

    def __init__(self, queryset, output_field=None, **extra):
        super().__init__(queryset.order_by(), output_field, **extra)


def narrowed_by_door(rows: QuerySet) -> bool:
    """Are ``rows`` confined to a set a read door built: a ``pk IN (<ReadDoorSet>)`` on the
    queryset's own table that holds for every row (among the conjuncts of its ``WHERE``, not
    under an ``OR`` or a ``NOT``)?"""
    query = rows.query
    return _door_conjunct(query.where, query.base_table)


def _door_conjunct(node, table) -> bool:
    if node.negated or (node.connector != AND and len(node.children) > 1):
        return False
    for child in node.children:
        if isinstance(child, In):
            column = child.lhs
            if (
                isinstance(child.rhs, ReadDoorSet)
                and getattr(column, "alias", None) == table
                and getattr(getattr(column, "target", None), "primary_key", False)
            ):
                return True
        elif hasattr(child, "connector") and _door_conjunct(child, table):
            return True
    return False


def counted_in_page(rows) -> bool:
    """May the count of ``rows`` come from ``COUNT(*) OVER ()`` on its page? Only where a read
    door built the list's set anyway (``narrowed_by_door``): elsewhere the window would read the
    whole list before ``LIMIT`` (the module's docstring). Never for a list, nor where the window
    would count other rows than the result holds (``DISTINCT``: the window is taken before
    duplicates go; a union, a slice already taken), nor for rows other than model instances or
    dicts (the extra column would change their shape), nor with ``FOR UPDATE`` (PostgreSQL
    refuses it beside a window), nor where a window is filtered on (the count would be taken
    before that filter) or the ordering goes through a relation with many rows (its joins would
    be counted: Django's ``count()`` drops the ordering), nor on a database without window
    functions. Those are counted and paged by two queries, as Django does."""
    if not isinstance(rows, QuerySet):
        return False
    query = rows.query
    return (
        not query.distinct
        and not query.combinator
        and not query.is_sliced
        and not query.select_for_update
        and not query.where.contains_over_clause
        and not _ordered_through_many(rows)
        and rows._iterable_class in (ModelIterable, ValuesIterable)
        and connections[rows.db].features.supports_over_clause
        and narrowed_by_door(rows)
    )


def _ordered_through_many(rows: QuerySet) -> bool:
    """Does the ordering of ``rows`` follow a relation to many rows (``members__name``, also
    inside an expression), which joins one row per related row?"""
    query = rows.query
    names = []
    for item in query.order_by or (query.default_ordering and rows.model._meta.ordering) or ():
        if isinstance(item, str):
            names.append(item.lstrip("-+"))
        else:
            names += [e.name for e in item.flatten() if isinstance(e, F)]
    return any(_through_many(rows.model, name) for name in names)


def _through_many(model, name: str) -> bool:
    for part in name.split(LOOKUP_SEP):
        if model is None:
            return False  # past a plain field: a transform
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # an annotation or a transform: it joins nothing
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def door_page(rows: QuerySet, bottom: int, top: int) -> QuerySet | None:
    """The rows ``bottom`` to ``top`` of ``rows``, each with the count of all as ``TOTAL``, in
    one query that sorts and cuts the door's keys before it fetches a row (a deferred join):
    the door gives its primary keys with the ordering's columns (``DoorSQL.keyed``), read from
    the rows its arms reach anyway; those are sorted, counted (``COUNT(*) OVER ()``) and cut to
    the page, and only the page's rows are fetched by primary key, with the queryset's own
    columns, joins and annotations. ``None`` where that is not the same list: the door offers
    no keyed set, or ``rows`` has a condition besides the door's, a join, a grouping, or an
    ordering other than columns of its own table ending in a total order (a tie would let the
    two sorts choose different rows); those take the page with the window
    (``CountedPaginator.page``)."""
    found = _keyed_door(rows)
    connection = connections[rows.db]
    if found is None or connection.vendor not in ("postgresql", "sqlite"):
        return None
    door, ordering = found
    pk = rows.model._meta.pk
    keys = [field for field, _ in ordering if field != pk]
    sql, params = door.keyed(tuple(field.name for field in keys))
    # The keyed set's columns by position (the door names them as its first arm does), the
    # page's by fixed names, each read qualified: a name the table lacked would otherwise be
    # taken from the outer query's row.
    names = ["pps_pk", *(f"pps_k{i}" for i in range(len(keys)))]
    named = dict(zip([pk, *keys], names, strict=True))
    order = ", ".join(f"{named[f]} {'DESC' if desc else 'ASC'}" for f, desc in ordering)
    # the door's SQL is the ORM's compilation; the rest is fixed text
    cut = f"pps_door({', '.join(names)}) AS ({sql}), "  # nosec B608
    cut += "pps_door_page AS (SELECT pps_pk, COUNT(*) OVER () AS pps_total FROM "
    cut += f"(SELECT DISTINCT {', '.join(names)} FROM pps_door) pps_keys "  # noqa: S608  # nosec B608
    cut += f"ORDER BY {order} LIMIT %s OFFSET %s)"
    page = rows.all()
    page.query.where = WhereNode()  # the door was its only condition: the page's rows meet it
    # both read the page's common table, which the compiler writes ahead (``_PageQuery``)
    keyed = RawSQL("SELECT pps_door_page.pps_pk FROM pps_door_page", ())
    total = "SELECT pps_door_page.pps_total FROM pps_door_page LIMIT 1"
    total = RawSQL(total, (), output_field=BigIntegerField())  # noqa: S611  # nosec B611
    page = page.filter(pk__in=keyed).annotate(**{TOTAL: total})
    page.query.__class__ = _PageQuery
    page.query.page = (cut, [*params, top - bottom, bottom])
    return page


def _keyed_door(rows: QuerySet):
    """The door and the ordering as ``[(field, descending)]`` where ``door_page`` may page
    ``rows``; else ``None``."""
    query = rows.query
    where = query.where
    if where.negated or len(where.children) != 1 or len(query.alias_map) != 1:
        return None
    door = where.children[0]
    if not (
        isinstance(door, In)
        and isinstance(door.rhs, DoorSQL)
        and door.rhs.keyed is not None
        and getattr(door.lhs, "alias", None) == query.base_table
        and getattr(getattr(door.lhs, "target", None), "primary_key", False)
    ):
        return None
    if query.group_by is not None or query.extra or query.extra_order_by:
        return None
    if not query.standard_ordering:
        return None  # ``reverse()``: the window's page reads the reversed ordering as it is
    opts = rows.model._meta
    names = query.order_by or (query.default_ordering and opts.ordering) or ()
    ordering = []
    for name in names:
        if not isinstance(name, str) or name == "?" or LOOKUP_SEP in name:
            return None
        bare = name.lstrip("-+")
        try:
            field = opts.pk if bare == "pk" else opts.get_field(bare)
        except FieldDoesNotExist:
            return None  # an annotation
        if field.is_relation or not field.concrete or field.model is not rows.model:
            return None
        if field in [seen for seen, _ in ordering]:
            continue  # a later term on a column already sorted on changes nothing (?ordering=a,-a)
        ordering.append((field, name.startswith("-")))
    if opts.pk not in [field for field, _ in ordering]:
        return None
    return door.rhs, ordering


class _PageQuery(Query):
    """The query of a page ``door_page`` cut: its SQL starts with the page's common tables."""

    page: tuple[str, list]

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        if using:
            connection = connections[using]
        return _page_compiler(connection.ops.compiler("SQLCompiler"))(
            self, connection, using, elide_empty
        )


class _WithPage:
    def as_sql(self, with_limits=True, with_col_aliases=False):
        sql, params = super().as_sql(with_limits, with_col_aliases)
        page_sql, page_params = self.query.page
        return f"WITH {page_sql} {sql}", (*page_params, *params)


@functools.cache
def _page_compiler(base: type) -> type:
    """The database's own compiler, writing the page's common tables ahead of its SQL."""
    return type(f"Page{base.__name__}", (_WithPage, base), {})


class CountedPaginator(Paginator):
    """Django's ``Paginator`` with the same answers (pages, count, ``EmptyPage`` and
    ``PageNotAnInteger`` for the same numbers, ``get_page``'s fallbacks), the count taken from
    the page's own query where a read door built the set (``counted_in_page``)."""

    def page(self, number):
        if "count" in self.__dict__ or not counted_in_page(self.object_list):
            return super().page(number)
        number = self._whole_number(number)
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page + self.orphans > LARGEST_OFFSET:
            return super().page(number)
        # the orphans a last page would take in: fetched too, so its end needs no second query
        top = bottom + self.per_page + self.orphans
        rows = door_page(self.object_list, bottom, top)
        if rows is None:
            rows = self.object_list.annotate(**{TOTAL: Window(Count("*"))})[bottom:top]
        fetched = list(rows)
        for row in fetched:
            if isinstance(row, dict):
                total = row.pop(TOTAL)
            else:
                total = getattr(row, TOTAL)
                delattr(row, TOTAL)
        if fetched:
            self.count = total
        elif bottom == 0:
            self.count = 0  # the first page is empty: so is the whole list
        # else: past the end, or a page an orphan went to the one before: ``count`` asks
        number = self.validate_number(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(fetched[: top - bottom], number, self)

    def _whole_number(self, number) -> int:
        """The page number as Django's ``validate_number`` takes it, short of the last page's
        check (which needs the count): ``PageNotAnInteger``, or ``EmptyPage`` below 1."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number):
        """As Django's: a page number that is not a whole number gives the first page, one out of
        range the last. Past the end of a list counted in the page that is three queries (the
        empty page, the count, the last page: two apart); below 1 two (the count, the last
        page), as Django's."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)


def paginate(request, rows, *, per_page: int | None = None):
    """The requested page of ``rows`` (a queryset or a list); a missing, malformed or too high
    page number gives the first or the last page, never an error; ``PAGE_SIZE`` rows a page
    unless ``per_page`` says otherwise. ``page.numbers`` is the elided range of page numbers
    for the navigation (``Paginator.ELLIPSIS`` between runs)."""
    paginator = CountedPaginator(rows, per_page or PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.numbers = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
