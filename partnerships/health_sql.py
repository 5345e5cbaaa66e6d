"""The partnership health rule (``partnerships.health.assess``) in SQL, for lists: the health
status as an annotation the database computes, so a list orders, filters and pages by it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.db.models.expressions import RawSQL

from partnerships.health import (
    EXPIRING_WITHIN_DAYS,
    CovenantState,
    partnerships_with_health_data,
    seated_q,
    severity_of,
)
from partnerships.models.health import HealthStatus
from partnerships.models.partnerships import Partnership
from ppsportal.compiled import compile_annotation_once
from ppsportal.sensitivity import TLP

# ``partnerships.health.assess`` is the rule; ``with_health_status`` is the same rule as
# annotations, so that a list can order, filter and page by health in the database and assess
# (for the reasons) only the rows it shows. ``tests/partnerships/test_health.py`` proves the two
# equal on the same data, rule by rule (``health_forms.health_report`` in every test there and in
# ``test_health_past_day.py``, and ``test_the_sql_status_equals_assess_over_varied_partnerships``).


class _DaysSince(models.Func):
    """Whole days from a date column to ``today`` (``(today - column).days``)."""

    output_field = models.IntegerField()

    def __init__(self, column, today: date):
        super().__init__(models.Value(today, output_field=models.DateField()), column)

    def as_sql(self, compiler, connection, **extra_context):
        today_sql, column_sql, params = self._parts(compiler)
        return f"(({today_sql}) - ({column_sql}))", params

    def as_sqlite(self, compiler, connection, **extra_context):
        today_sql, column_sql, params = self._parts(compiler)
        return f"CAST(julianday({today_sql}) - julianday({column_sql}) AS INTEGER)", params

    def _parts(self, compiler):
        today, column = self.get_source_expressions()
        today_sql, today_params = compiler.compile(today)
        column_sql, column_params = compiler.compile(column)
        return today_sql, column_sql, (*today_params, *column_params)


# The number ``_covenants_in_force`` adds when one of the covenants in force lasts past the
# expiring window; below it, the highest rank of their clauses (``TLP.rank``: 0 to 4).
LASTING = 10


def _covenants_in_force(today: date):
    """A partnership's covenants in force on ``today`` as one number, NULL when there is none:
    the highest rank of their information clauses, plus ``LASTING`` when one of them lasts past
    the expiring window (``covenant_state``'s ACTIVE rather than EXPIRING). One subquery, so
    the status tests "in force" once per partnership (``_covenant_state_q``,
    ``_variant_not_covered_q`` read the number)."""
    from django.db.models import Case, IntegerField, Max, OuterRef, Q, Subquery, Value, When

    from partnerships.models import Covenant

    in_force = Covenant.objects.filter(partnership=OuterRef("pk")).in_force(today)
    soon = today + timedelta(days=EXPIRING_WITHIN_DAYS)
    rank = Case(
        *(When(information_clause=level, then=Value(TLP.rank(level))) for level in TLP.values),
        default=Value(0),
        output_field=IntegerField(),
    )
    lasting = Q(effective_until__isnull=True) | Q(effective_until__gt=soon)
    lasts = Case(When(lasting, then=Value(LASTING)), default=Value(0), output_field=IntegerField())
    summary = in_force.values("partnership").annotate(n=Max(rank) + Max(lasts)).values("n")
    return Subquery(summary, output_field=IntegerField())


def _covenant_state_q(today: date, in_force) -> dict[str, models.Q]:
    """``covenant_state`` as one condition per state (ACTIVE is what the others leave), from
    ``in_force`` (``_covenants_in_force``)."""
    from django.db.models import Exists, OuterRef, Q
    from django.db.models.lookups import IsNull, LessThan

    from partnerships.models import Covenant

    mine = Covenant.objects.filter(partnership=OuterRef("pk"))
    active = Q(IsNull(in_force, False))
    ended = Q(terminated_on__lte=today) | Q(effective_until__lt=today)
    return {
        CovenantState.EXPIRING: active & Q(LessThan(in_force, LASTING)),
        CovenantState.EXPIRED: ~active & Exists(mine.filter(ended)),
        CovenantState.NONE: ~active & ~Exists(mine.filter(ended)),
        "in_force": active,
    }


def _variant_not_covered_q(in_force) -> models.Q:
    """``_variant_not_covered``: some covenant in force, none whose clause covers the level the
    partnership's variant expects (the highest clause in force ranks below it), from
    ``in_force`` (``_covenants_in_force``)."""
    from django.db.models import Q
    from django.db.models.functions import Mod
    from django.db.models.lookups import IsNull, LessThan

    from partnerships.variants import VARIANT_DEFAULTS

    highest = Mod(in_force, LASTING)
    uncovered = Q(pk__in=[])
    for variant, defaults in VARIANT_DEFAULTS.items():
        expected = TLP.rank(defaults.expected_clause)
        uncovered |= Q(variant=variant) & Q(LessThan(highest, expected))
    return Q(IsNull(in_force, False)) & uncovered


def _missing_role_q(today: date) -> models.Q:
    """Some role the completeness check asks (``variants.needed_roles``: the partnership's own
    list, else its kind's default and its variant's extra roles) has no current member."""
    from django.db.models import Exists, OuterRef, Q, TextField
    from django.db.models.functions import Cast

    from partnerships.models import DEFAULT_REQUIRED_ROLES, PartnerRole, PartnershipMember
    from partnerships.variants import VARIANT_DEFAULTS

    own_list = Cast("required_roles", TextField())
    missing = Q(pk__in=[])
    for role in PartnerRole.values:
        kinds = [kind for kind, roles in DEFAULT_REQUIRED_ROLES.items() if role in roles]
        variants = [v for v, d in VARIANT_DEFAULTS.items() if role in d.extra_roles]
        by_default = Q(kind__in=kinds) | Q(variant__in=variants)
        # the list is JSON text: '[]' when empty; a role code appears quoted, '"police"'
        from_list = Q(_JsonText(own_list, '"' + role + '"', contains=True))
        needed = (Q(_JsonText(own_list, "[]")) & by_default) | (
            ~Q(_JsonText(own_list, "[]")) & from_list
        )
        present = Exists(
            PartnershipMember.objects.filter(seated_q(today), partnership=OuterRef("pk"), role=role)
        )
        missing |= needed & ~present
    return missing


class _JsonText(models.lookups.Lookup):
    """The JSON list as text equals ``value`` (or, with ``contains``, contains it)."""

    lookup_name = "json_text"
    prepare_rhs = False

    def __init__(self, lhs, value: str, *, contains: bool = False):
        self.contains = contains
        super().__init__(lhs, value.replace(" ", ""))

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        # PostgreSQL writes jsonb as '["a", "b"]', SQLite keeps what was stored: drop spaces
        lhs_sql = f"REPLACE({lhs_sql}, ' ', '')"
        if self.contains:
            return f"{lhs_sql} LIKE %s", [*lhs_params, f"%{self.rhs}%"]
        return f"{lhs_sql} = %s", [*lhs_params, self.rhs]


def _health_values(today: date) -> dict:
    """What ``health_conditions`` reads more than once, each as read where it stands: the
    annotations of ``partnerships_with_health_data`` and ``_covenants_in_force``."""
    from django.db.models import F

    return {
        "last_contact_on": F("last_contact_on"),
        "recent_contacts": F("recent_contacts"),
        "overdue_actions": F("overdue_actions"),
        "covenants_in_force": _covenants_in_force(today),
    }


def health_conditions(today: date, values: dict | None = None) -> dict[str, models.Q]:
    """Each of ``assess``'s reasons as a condition on a partnership annotated by
    ``partnerships_with_health_data`` (``last_contact_on``, ``recent_contacts``,
    ``overdue_actions``), keyed by the reason's code; its weight is in ``REASON_WEIGHTS``.
    ``values``: the expressions for ``_health_values``' names (``_severity_case`` passes each
    computed once per partnership)."""
    from django.db.models import Exists, F, Q
    from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, IsNull

    values = values or _health_values(today)
    last, overdue = values["last_contact_on"], values["overdue_actions"]
    days = _DaysSince(last, today)
    in_force = values["covenants_in_force"]
    states = _covenant_state_q(today, in_force)
    return {
        "no_contact": Q(IsNull(last, True)),
        "contact_overdue": Q(GreaterThan(days, F("contact_frequency_days") * 2)),
        "contact_due": Q(GreaterThan(days, F("contact_frequency_days")))
        & ~Q(GreaterThan(days, F("contact_frequency_days") * 2)),
        "no_recent_contact": Q(IsNull(last, False)) & Q(Exact(values["recent_contacts"], 0)),
        "no_covenant": states[CovenantState.NONE],
        "covenant_expired": states[CovenantState.EXPIRED],
        "covenant_expiring": states[CovenantState.EXPIRING],
        "variant_not_covered": _variant_not_covered_q(in_force),
        "incomplete": _missing_role_q(today),
        "no_sponsor": Q(sponsor__isnull=True),
        # no liaison, or an inactive one: a subquery, not a join, so the expression is the same
        # SQL in any query of partnerships (``with_health_status`` compiles it once a day)
        "no_liaison": ~Exists(_liaison_q(today)),
        "overdue_actions": Q(GreaterThanOrEqual(overdue, 1)) & ~Q(GreaterThanOrEqual(overdue, 3)),
        "overdue_actions_many": Q(GreaterThanOrEqual(overdue, 3)),
    }


def _liaison_q(today: date):
    """``_liaison_assigned``: the partnership's active liaison, of an organisation seated at the
    table on ``today``."""
    from django.contrib.auth import get_user_model
    from django.db.models import OuterRef

    from partnerships.models import PartnershipMember

    liaison = get_user_model().objects.filter(pk=OuterRef("liaison_id"), is_active=True)
    at_table = PartnershipMember.objects.filter(
        seated_q(today), partnership=OuterRef(OuterRef("pk"))
    )
    return liaison.filter(membership__organisation__in=at_table.values("organisation"))


# The weight ``assess`` gives each reason (``overdue_actions`` weighs more from three on).
REASON_WEIGHTS = {
    "no_contact": HealthStatus.AT_RISK,
    "contact_overdue": HealthStatus.AT_RISK,
    "contact_due": HealthStatus.ATTENTION,
    "no_recent_contact": HealthStatus.ATTENTION,
    "no_covenant": HealthStatus.AT_RISK,
    "covenant_expired": HealthStatus.AT_RISK,
    "covenant_expiring": HealthStatus.ATTENTION,
    "variant_not_covered": HealthStatus.AT_RISK,
    "incomplete": HealthStatus.ATTENTION,
    "no_sponsor": HealthStatus.ATTENTION,
    "no_liaison": HealthStatus.ATTENTION,
    "overdue_actions": HealthStatus.ATTENTION,
    "overdue_actions_many": HealthStatus.AT_RISK,
}


class _Let(models.Expression):
    """``body`` reading each of ``values`` (name: expression) computed once per row, as
    ``(SELECT body FROM (SELECT value AS name, … OFFSET 0) AS pps_health)``; ``body`` reads them
    as ``_LetValue(name)``. Written inline, a correlated subquery is run once for each place
    that reads it; ``OFFSET 0`` keeps PostgreSQL from writing the values back into the body."""

    ALIAS = "pps_health"

    def __init__(self, values: dict, body, output_field):
        super().__init__(output_field=output_field)
        self.names, self.values, self.body = list(values), list(values.values()), body

    def get_source_expressions(self):
        return [*self.values, self.body]

    def set_source_expressions(self, exprs):
        *self.values, self.body = exprs

    def as_sql(self, compiler, connection, fence="OFFSET 0"):
        columns, value_params = [], []
        for name, value in zip(self.names, self.values, strict=True):
            sql, params = compiler.compile(value)
            columns.append(f"{sql} AS {connection.ops.quote_name(name)}")
            value_params.extend(params)
        body_sql, body_params = compiler.compile(self.body)
        # compiled expressions and quoted names only; the values are parameters
        sql = f"(SELECT {body_sql} FROM (SELECT {', '.join(columns)} {fence}) AS {self.ALIAS})"  # noqa: S608  # nosec B608
        return sql, (*body_params, *value_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, fence="LIMIT -1 OFFSET 0")

    def get_group_by_cols(self):
        return [self]


class _LetValue(models.Expression):
    """The value ``name`` of the enclosing ``_Let``."""

    def __init__(self, name: str, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return f"{_Let.ALIAS}.{connection.ops.quote_name(self.name)}", []

    def get_group_by_cols(self):
        return []


def _severity_case(today: date):
    """``assess``'s severity as one ``CASE`` over ``health_conditions`` (unresolved), each
    value the conditions read more than once (``_health_values``) computed once."""
    from functools import reduce
    from operator import or_

    from django.db.models import Case, DateField, IntegerField, Value, When

    values = _health_values(today)
    types = {"last_contact_on": DateField()}
    refs = {name: _LetValue(name, types.get(name, IntegerField())) for name in values}
    conditions = health_conditions(today, refs)

    def any_of(weight):
        return reduce(or_, (q for code, q in conditions.items() if REASON_WEIGHTS[code] == weight))

    at_risk, attention = any_of(HealthStatus.AT_RISK), any_of(HealthStatus.ATTENTION)
    case = Case(
        When(at_risk, then=Value(severity_of(HealthStatus.AT_RISK))),
        When(attention, then=Value(severity_of(HealthStatus.ATTENTION))),
        default=Value(severity_of(HealthStatus.HEALTHY)),
        output_field=IntegerField(),
    )
    return _Let(values, case, output_field=IntegerField())


def _health_severity(qs, today: date):
    """``qs`` annotated with ``health_severity``, built by the ORM (``with_health_status``
    compiles it once a day)."""
    return qs.annotate(health_severity=_severity_case(today))


class _CompiledSeverity(RawSQL):
    """The health status expression compiled once (``with_health_status``). Its SQL names the
    partnership's columns by the table's name, as the outermost query of partnerships does. In
    a query that aliases the table (the query as a subquery of another: the admin's facet
    counts, ``pk__in``), or on another database than it was compiled for, the expression is
    built and compiled there as before, for that query's alias and database."""

    def __init__(self, sql, params, *, today: date, using: str, output_field):
        super().__init__(sql, params, output_field=output_field)
        self.today = today
        self.using = using

    def as_sql(self, compiler, connection):
        table = compiler.query.get_initial_alias() == Partnership._meta.db_table
        if table and connection.alias == self.using:
            return super().as_sql(compiler, connection)
        built = _severity_case(self.today).resolve_expression(compiler.query, allow_joins=True)
        return compiler.compile(built)


def with_health_status(qs, today: date):
    """``qs`` (from ``partnerships_with_health_data``) annotated with
    ``health_severity`` (0 healthy, 1 needs attention, 2 at risk; ``status_of_severity`` names
    it): ``assess(p, today).severity`` for every row, computed by the database in the same
    query, so a list orders, filters and pages by it before anything is assessed.

    Building and compiling the expression (a ``CASE`` over a dozen correlated subqueries) costs
    the ORM more than the database needs to answer it (docs/benchmarks.md, B6); it depends only
    on the day, so it is compiled once per day (``ppsportal.compiled``) and put in as SQL."""
    from django.db.models import IntegerField

    sql, params = compile_annotation_once(
        ("health_severity", today),
        lambda: _health_severity(
            partnerships_with_health_data(Partnership.objects.using(qs.db), today), today
        ),
        "health_severity",
        prepare=True,
        using=qs.db,
    )
    # The SQL is the ORM's own compilation of ``_health_severity``; nothing of the caller's in it.
    severity = _CompiledSeverity(  # nosec
        sql, params, today=today, using=qs.db, output_field=IntegerField()
    )
    return qs.annotate(health_severity=severity)
