"""Health in both its forms, for the tests of ``partnerships.health`` (today, any day, a past
day recorded later): ``health_report`` asks ``assess`` and the SQL form on the same data and
asserts they agree, so every test that asks for a report proves the two forms equal in its own
case."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import BooleanField, Case, When
from django.utils import timezone

from partnerships.health import assess, partnerships_with_health_data, status_of_severity
from partnerships.health_sql import REASON_WEIGHTS, health_conditions, with_health_status
from partnerships.models import Partnership
from partnerships.services import contacts as contact_services
from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.helpers import make_partnership


def health_report(partnership, day):
    """``assess`` on the loaded partnership; and, on the same data, the rule's SQL form
    (``with_health_status``, ``health_conditions``) must give the same status and the same
    reasons."""
    loaded = with_reason_flags(
        with_health_status(
            partnerships_with_health_data(Partnership.objects.filter(pk=partnership.pk), day),
            day,
        ),
        day,
    ).get()
    found = assess(loaded, day)
    assert status_of_severity(loaded.health_severity) == found.status
    assert sql_codes(loaded) == python_codes(found)
    return found


def with_reason_flags(qs, day):
    """``qs`` with a ``reason_<code>`` flag per SQL condition (``health_conditions``)."""
    return qs.annotate(
        **{
            f"reason_{code}": Case(When(q, then=True), default=False, output_field=BooleanField())
            for code, q in health_conditions(day).items()
        }
    )


def sql_codes(loaded) -> set[str]:
    return {code for code in REASON_WEIGHTS if getattr(loaded, f"reason_{code}")}


def python_codes(found) -> set[str]:
    # the SQL form names the heavier weight of overdue actions apart
    return {
        "overdue_actions_many"
        if (r.code == "overdue_actions" and r.severity == "at_risk")
        else r.code
        for r in found.reasons
    }


def reason_codes(found) -> dict[str, str]:
    """The reasons of a report, code to weight."""
    return {reason.code: reason.severity for reason in found.reasons}


def complete_partnership(org_a):
    """A complete venue partnership with liaison, a long covenant and a contact the day before
    the clock's today (healthy)."""
    municipality = OrganisationFactory(name="Gemeente", kind="public", sector="")
    police = OrganisationFactory(name="Politie", kind="public", sector="")
    liaison = UserFactory(username="liaison", organisation=org_a)
    partnership = make_partnership(
        operator_org=org_a, municipality=municipality, police=police, liaison=liaison
    )
    contact_services.contact_create(
        partnership=partnership,
        by=liaison,
        occurred_on=timezone.localdate() - timedelta(days=1),
        kind="meeting",
        summary="Overleg",
        participants=[org_a, police],
    )
    return partnership
