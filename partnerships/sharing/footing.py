"""The footing of a share, in one function: a covenant in force, signed by both the sharing and the
receiving organisation (neither withdrawn), whose information clause allows the level; and the
covenant's retention period: a grant ends ``retention_days`` after the day it was made
(``retention_end``, and ``within_retention_q`` in SQL).

``footing_covenants`` answers with the covenants that give that footing. Everything that asks
"may this reach that organisation" calls it: the sharing service before it writes a grant, the
grant validity rule (``valid_grant_q``, which guardian's managers and the portal's selectors
share), the alert audience and the lapse clean-up. Its arguments are values, or ``OuterRef`` to
columns of the query that wraps the answer in ``Exists`` (for the validity rule in SQL).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import (
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils import timezone

from ppsportal.sensitivity import TLP


def _outer(ref):
    # The signature subquery sits one level deeper than the covenant query the caller wraps.
    return OuterRef(ref) if isinstance(ref, OuterRef) else ref


def _signed_by(organisation, today: date) -> Exists:
    from partnerships.models.covenants import CovenantSignatory

    return Exists(
        CovenantSignatory.objects.filter(
            covenant=OuterRef("pk"),
            organisation=_outer(organisation),
            withdrawn_on__isnull=True,
            signed_on__lte=today,
        )
    )


def _clause_allows(level) -> Q:
    if not isinstance(level, OuterRef):
        return Q(information_clause__in=TLP.at_or_above(level))
    q = Q(pk__in=[])
    for value in TLP.values:
        q |= Q(Exact(level, value)) & Q(information_clause__in=TLP.at_or_above(value))
    return q


def footing_covenants(*, sharer, receiver, today: date, level=None) -> QuerySet:
    """The covenants in force on ``today`` that both ``sharer`` and ``receiver`` signed (and did
    not withdraw from) and, if ``level`` is given, whose clause allows it."""
    from partnerships.models.covenants import Covenant

    qs = Covenant.objects.in_force(today).filter(
        _signed_by(sharer, today), _signed_by(receiver, today)
    )
    return qs if level is None else qs.filter(_clause_allows(level))


def has_footing(*, covenant, sharer, receiver, level: str, today: date) -> bool:
    return (
        footing_covenants(sharer=sharer, receiver=receiver, level=level, today=today)
        .filter(pk=covenant.pk)
        .exists()
    )


def retention_end(granted_at: datetime, retention_days: int | None) -> date | None:
    """The first day a grant no longer counts because its covenant's retention period ended:
    ``retention_days`` after the day it was shared (``None``: the covenant keeps no limit)."""
    if retention_days is None:
        return None
    return timezone.localdate(granted_at) + timedelta(days=retention_days)


class PlusDays(Func):
    """A moment plus a whole number of days taken from a column, on PostgreSQL and on SQLite
    (where Django cannot multiply an integer column by a duration)."""

    arity = 2
    output_field = DateTimeField()

    def _parts(self, compiler):
        moment, days = self.get_source_expressions()
        moment_sql, moment_params = compiler.compile(moment)
        days_sql, days_params = compiler.compile(days)
        return moment_sql, days_sql, (*moment_params, *days_params)

    def as_sql(self, compiler, connection, **extra_context):
        moment_sql, days_sql, params = self._parts(compiler)
        return f"({moment_sql} + ({days_sql}) * INTERVAL '1 day')", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django keeps a moment as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC; strftime gives the
        # same shape (to the millisecond), so the comparison with a parameter stays textual.
        moment_sql, days_sql, params = self._parts(compiler)
        return (
            f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {moment_sql}, ({days_sql}) || ' days')",
            params,
        )


def within_retention_q(today: date) -> Q:
    """A Q on a grant model holding while ``retention_end`` is after ``today``: the SQL form of
    the same rule (``tests/partnerships/test_retention.py`` proves them equal)."""
    tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    kept_until = PlusDays(F("granted_at"), F("covenant__retention_days"))
    return Q(covenant__retention_days__isnull=True) | Q(GreaterThanOrEqual(kept_until, tomorrow))
