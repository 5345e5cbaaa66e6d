"""The footing of a share, in one function: a covenant in force, signed by both the sharing and the
receiving organisation (neither withdrawn), whose information clause allows the level.

``footing_covenants`` answers with the covenants that give that footing. Everything that asks
"may this reach that organisation" calls it: the sharing service before it writes a grant, the
grant validity rule (``valid_grant_q``, which guardian's managers and the portal's selectors
share), the alert audience and the lapse clean-up. Its arguments are values, or ``OuterRef`` to
columns of the query that wraps the answer in ``Exists`` (for the validity rule in SQL).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.lookups import Exact

from ppsportal.sensitivity import TLP


def _outer(ref):
    # The signature subquery sits one level deeper than the covenant query the caller wraps.
    return OuterRef(ref) if isinstance(ref, OuterRef) else ref


def _signed_by(organisation, today: date) -> Exists:
    from partnerships.models import CovenantSignatory

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
    from partnerships.models import Covenant

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
