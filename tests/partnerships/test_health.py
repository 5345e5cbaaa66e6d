"""Partnership health: each rule gives its reason in words, and the worst reason sets the status."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partnerships.health import assess, partnerships_with_health_data, status_of_severity
from partnerships.health_sql import with_health_status
from partnerships.models import Partnership, Variant
from partnerships.selectors import (
    actor_for,
    health_rows,
    partnerships_by_health,
)
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.health_forms import (
    complete_partnership,
    health_report,
    python_codes,
    reason_codes,
    sql_codes,
    with_reason_flags,
)
from tests.partnerships.helpers import make_partnership

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def complete(org_a):
    """A complete venue partnership with liaison, a long covenant and a contact yesterday."""
    return complete_partnership(org_a)


def test_complete_partnership_is_healthy(complete, today):
    report = health_report(complete, today)
    assert report.status == "healthy"
    assert report.reasons == []
    assert report.days_since_last_contact == 1
    assert report.contacts_last_90_days == 1
    assert report.covenant_state == "active"


def test_contact_due_then_overdue(complete, today):
    later = today + timedelta(days=35)  # frequency 30: due
    assert reason_codes(health_report(complete, later))["contact_due"] == "attention"
    much_later = today + timedelta(days=70)  # more than twice the frequency
    report = health_report(complete, much_later)
    assert reason_codes(report)["contact_overdue"] == "at_risk"
    assert report.status == "at_risk"
    assert "71" in next(r.text for r in report.reasons if r.code == "contact_overdue")


def test_no_contacts_in_90_days_is_a_reason(complete, today):
    complete.contact_frequency_days = 365
    complete.save()
    codes = reason_codes(health_report(complete, today + timedelta(days=100)))
    assert codes["no_recent_contact"] == "attention"
    assert "contact_due" not in codes


def test_never_any_contact_is_at_risk(org_a, today):
    report = health_report(make_partnership(operator_org=org_a), today)
    assert reason_codes(report)["no_contact"] == "at_risk"


def test_covenant_states(complete, today):
    covenant = complete.covenants.get()
    assert (
        health_report(complete, covenant.effective_until - timedelta(days=59)).covenant_state
        == "expiring"
    )
    codes = reason_codes(health_report(complete, covenant.effective_until - timedelta(days=59)))
    assert codes["covenant_expiring"] == "attention"
    after = covenant.effective_until + timedelta(days=1)
    report = health_report(complete, after)
    assert report.covenant_state == "expired"
    assert reason_codes(report)["covenant_expired"] == "at_risk"


def test_no_covenant_is_at_risk(org_a, today):
    report = health_report(make_partnership(operator_org=org_a, covenant=False), today)
    assert report.covenant_state == "none"
    assert reason_codes(report)["no_covenant"] == "at_risk"


def test_terminated_covenant_counts_as_expired(complete, today):
    covenant_services.covenant_terminate(covenant=complete.covenants.get(), terminated_on=today)
    assert health_report(complete, today).covenant_state == "expired"


def test_missing_roles_are_named(org_a, today):
    report = health_report(make_partnership(operator_org=org_a), today)
    assert report.missing_roles == ["municipality", "police"]
    assert reason_codes(report)["incomplete"] == "attention"


def test_no_liaison_is_a_reason(org_a, today):
    report = health_report(make_partnership(operator_org=org_a), today)
    assert report.liaison_assigned is False
    assert "no_liaison" in reason_codes(report)


def test_overdue_actions_are_counted_and_many_put_it_at_risk(complete, org_a, today):
    for i in range(2):
        contact_services.action_create(
            partnership=complete, description=f"a{i}", owner=org_a, due_on=today - timedelta(days=1)
        )
    done = contact_services.action_create(
        partnership=complete, description="done", owner=org_a, due_on=today - timedelta(days=5)
    )
    contact_services.action_set_done(action=done)
    report = health_report(complete, today)
    assert report.overdue_actions == 2
    assert reason_codes(report)["overdue_actions"] == "attention"
    contact_services.action_create(
        partnership=complete, description="a3", owner=org_a, due_on=today - timedelta(days=1)
    )
    assert reason_codes(health_report(complete, today))["overdue_actions"] == "at_risk"


def health_list(actor, today):
    """The overview's rows as its page asks for them: worst first, then assessed."""
    return health_rows(partnerships_by_health(actor, today=today), today=today)


def test_overview_sorts_worst_first(complete, org_b, nctv_staff, today):
    make_partnership(name="Zonder contact", operator_org=org_b)
    rows = health_list(actor_for(nctv_staff), today)
    assert [(p.name, r.status) for p, r in rows] == [
        ("Zonder contact", "at_risk"),
        (complete.name, "healthy"),
    ]


@pytest.mark.parametrize("count", [1, 8])
def test_health_list_costs_a_fixed_number_of_queries(
    count, org_a, nctv_staff, today, django_assert_num_queries
):
    for i in range(count):
        make_partnership(name=f"P{i}", operator_org=org_a)
    actor = actor_for(nctv_staff)
    actor.membership  # noqa: B018 - the actor is resolved once per request, before the list
    # partnerships with annotations, members, covenants, signatories
    with django_assert_num_queries(4):
        rows = health_list(actor, today)
    assert len(rows) == count


def test_a_deactivated_liaison_counts_as_no_liaison(complete, today):
    from partnerships.services import organisations as org_services

    org_services.user_deactivate(user=complete.liaison)
    report = health_report(complete, today)
    assert report.liaison_assigned is False
    assert "no_liaison" in reason_codes(report)


# Dates ahead are refused (tests/partnerships/test_services.py): "seated today" is one rule for
# health and for every door, joined on or before today and not yet left.


# --- sponsor and variant (docs/partnerships.md, "The PPS variants") -----------------------------


def test_a_partnership_without_a_sponsor_is_not_healthy_and_says_why(complete, today):
    from partnerships.services import partnerships as partnership_services

    partnership_services.partnership_update(partnership=complete, sponsor=None)
    report = health_report(complete, today)
    assert report.status == "attention"
    assert reason_codes(report) == {"no_sponsor": "attention"}
    assert "sponsor" in report.reasons[0].text


def test_a_deepening_partnership_needs_a_covenant_in_force_that_covers_amber(
    org_a, today, complete
):
    from partnerships.services import partnerships as partnership_services

    partnership_services.partnership_update(partnership=complete, variant="deepening")
    assert health_report(complete, today).status == "healthy"  # its covenant allows AMBER
    amber = complete.covenants.get()
    covenant_services.covenant_create(
        partnership=complete,
        title="Protocol zonder einddatum",
        effective_from=today - timedelta(days=30),
        information_clause="green",
        signatories=[(s.organisation, today - timedelta(days=31)) for s in amber.signatories.all()],
    )
    covenant_services.covenant_terminate(covenant=amber)
    report = health_report(complete, today)
    assert report.covenant_state == "active"  # the GREEN protocol remains in force
    assert report.status == "at_risk"
    assert reason_codes(report) == {"variant_not_covered": "at_risk"}
    text = report.reasons[0].text
    assert "TLP:AMBER" in text and str(Variant.DEEPENING.label).lower() in text


def test_continuation_is_covered_by_a_green_covenant(org_a, today):
    municipality = OrganisationFactory(name="Gemeente", kind="public", sector="")
    partnership = make_partnership(operator_org=org_a, municipality=municipality, clause="green")
    assert "variant_not_covered" not in reason_codes(health_report(partnership, today))


def test_broadening_asks_the_wider_set_of_roles_at_the_table(complete, today):
    from partnerships.services import partnerships as partnership_services

    partnership_services.partnership_update(partnership=complete, variant="broadening")
    report = health_report(complete, today)
    assert report.missing_roles == ["safety_region", "private_security"]
    assert reason_codes(report) == {"incomplete": "attention"}


def test_the_variant_sets_the_clause_a_covenant_is_drafted_with(org_a, today):
    deepening = make_partnership(operator_org=org_a, covenant=False, variant="deepening")
    continuation = make_partnership(name="PPS Voort", operator_org=org_a, covenant=False)
    for partnership, clause in ((deepening, "amber"), (continuation, "green")):
        covenant = covenant_services.covenant_create(
            partnership=partnership, title=f"Concept {clause}", effective_from=today
        )
        assert covenant.information_clause == clause


def test_an_own_list_of_roles_replaces_the_kinds_default(org_a, today):
    partnership = make_partnership(operator_org=org_a)
    partnership.required_roles = ["venue_operator", "police"]
    partnership.save()
    report = health_report(partnership, today)  # the SQL form reads the same list
    assert report.missing_roles == ["police"]
    partnership.required_roles = ["venue_operator"]
    partnership.save()
    assert "incomplete" not in reason_codes(health_report(partnership, today))


def test_the_health_status_is_built_once_a_day_and_equal_for_every_reader(
    complete, org_b, nctv_staff, today, monkeypatch
):
    """The status expression is built by the ORM once per day and reused as SQL: another
    request, another reader, the same day, no building again; the next day builds anew."""
    from partnerships import health_sql as health
    from ppsportal import compiled

    monkeypatch.setattr(compiled, "COMPILED", {})
    built = []
    original = health._health_severity
    monkeypatch.setattr(
        health, "_health_severity", lambda qs, day: built.append(day) or original(qs, day)
    )
    make_partnership(name="Zonder contact", operator_org=org_b)
    for _ in range(2):
        rows = health_list(actor_for(nctv_staff), today)
        assert [(p.name, r.status) for p, r in rows] == [
            ("Zonder contact", "at_risk"),
            (complete.name, "healthy"),
        ]
    assert built == [today]
    health_list(actor_for(nctv_staff), today - timedelta(days=1))
    assert built == [today, today - timedelta(days=1)]


def test_the_health_status_in_a_subquery_reads_the_subquerys_own_row(complete, org_b, today):
    """The compiled SQL reads the partnership by the table's name; inside another query the
    table is aliased (the admin's facet counts filter ``pk__in`` the filtered list), and there
    the status is built for that alias: the same answer as at the top."""
    at_risk = make_partnership(name="Zonder contact", operator_org=org_b)
    listed = with_health_status(
        partnerships_with_health_data(Partnership.objects.all(), today), today
    )
    for severity, expected in ((2, [at_risk]), (0, [complete])):
        inner = listed.filter(health_severity=severity).values("pk")
        assert list(Partnership.objects.filter(pk__in=inner)) == expected
        assert [p for p in listed if p.health_severity == severity] == expected


@pytest.fixture
def elsewhere():
    """A second database alias of the same vendor (here the same test database under another
    name, as a read replica would be): compiled SQL is kept per alias."""
    from django.db import connections

    connections.settings["elsewhere"] = dict(connections["default"].settings_dict)
    yield "elsewhere"
    connections["elsewhere"].close()
    del connections["elsewhere"]
    del connections.settings["elsewhere"]


def test_the_health_status_is_compiled_for_each_database_alias(
    complete, today, elsewhere, monkeypatch
):
    """Two databases of one vendor can differ (server version, settings): the status compiled
    for one is not reused for the other; each alias compiles its own, once a day, and a query
    put on another database than its status was compiled for builds it there."""
    from partnerships import health_sql as health
    from ppsportal import compiled

    monkeypatch.setattr(compiled, "COMPILED", {})
    built = []
    original = health._health_severity
    monkeypatch.setattr(
        health, "_health_severity", lambda qs, day: built.append(qs.db) or original(qs, day)
    )
    data = partnerships_with_health_data(Partnership.objects.all(), today)
    for _ in range(2):
        for alias in ("default", elsewhere):
            listed = with_health_status(data.using(alias), today)
            assert listed.query.annotations["health_severity"].using == alias
    assert built == ["default", elsewhere]
    cases = []
    case = health._severity_case
    monkeypatch.setattr(health, "_severity_case", lambda day: cases.append(day) or case(day))
    moved = with_health_status(data, today).using(elsewhere)
    moved.query.get_compiler(using=elsewhere).as_sql()  # built there, not "default"'s SQL
    assert (built, cases) == (["default", elsewhere], [today])


def test_the_sql_status_equals_assess_over_varied_partnerships(complete, org_a, today):
    """The status the database computes (each value the rule reads computed once per
    partnership, the covenants in force summed up in one subquery) is ``assess``'s, reason by
    reason, over partnerships of every variant with none, one or several covenants (in force,
    expiring, expired, terminated, not yet signed; every clause), contacts and actions at
    varied dates, and members missing — today, on a past day and on a later one."""
    import random

    from ppsportal.sensitivity import TLP

    rng = random.Random(15)
    municipality = OrganisationFactory(name="Gemeente Elders", kind="public", sector="")
    police = OrganisationFactory(name="Politie Elders", kind="public", sector="")
    liaison = UserFactory(username="liaison-elders", organisation=org_a)
    for n in range(14):
        partnership = make_partnership(
            name=f"PPS {n}",
            operator_org=org_a,
            municipality=municipality,
            police=police if rng.random() < 0.7 else None,
            liaison=liaison if rng.random() < 0.7 else None,
            covenant=False,
            variant=rng.choice(Variant.values),
        )
        signers = [org_a, municipality]
        for c in range(rng.choice([0, 1, 1, 2, 3])):
            start = today + timedelta(days=rng.randint(-400, 10))
            until = rng.choice([None, start + timedelta(days=rng.randint(20, 500))])
            covenant = covenant_services.covenant_create(
                partnership=partnership,
                title=f"Convenant {n}.{c}",
                effective_from=start,
                effective_until=until,
                information_clause=rng.choice(TLP.values),
                signatories=[
                    (org, rng.choice([start - timedelta(days=1), start, None])) for org in signers
                ],
            )
            if rng.random() < 0.2:
                covenant_services.covenant_terminate(
                    covenant=covenant, terminated_on=today - timedelta(days=rng.randint(0, 30))
                )
        for _ in range(rng.choice([0, 1, 2])):
            contact_services.contact_create(
                partnership=partnership,
                by=liaison,
                occurred_on=today - timedelta(days=rng.randint(0, 200)),
                kind="meeting",
                summary="Overleg",
                participants=[org_a],
            )
        for _ in range(rng.choice([0, 1, 3])):
            action = contact_services.action_create(
                partnership=partnership,
                description="Opvolgen",
                owner=org_a,
                due_on=today + timedelta(days=rng.randint(-60, 30)),
            )
            if rng.random() < 0.4:
                contact_services.action_set_done(
                    action=action, on=today - timedelta(days=rng.randint(0, 20))
                )
    seen = set()
    for day in (today, today - timedelta(days=25), today + timedelta(days=45)):
        loaded = with_reason_flags(
            with_health_status(partnerships_with_health_data(Partnership.objects.all(), day), day),
            day,
        )
        for partnership in loaded:
            report = assess(partnership, day)
            assert status_of_severity(partnership.health_severity) == report.status, (
                partnership.name,
                day,
            )
            assert sql_codes(partnership) == python_codes(report), (partnership.name, day)
            seen |= {report.status, report.covenant_state}
    assert seen >= {"healthy", "attention", "at_risk", "active", "expiring", "expired", "none"}
