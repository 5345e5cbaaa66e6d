"""Health of a past day: what health says of a day afterwards is what it said on that day.

Each test builds its world on the day in question (the clock frozen there), asks health then,
lets the records change after it (an item done, a member joining or leaving), and asks health
of the same day again: the reasons must be the same, in ``assess`` and in the SQL form alike
(``health_forms.health_report`` proves the two equal), and so must the snapshot recorded for
that day. Dated records count by their date, whenever they were entered; what carries no date
(``health.UNDATED_FACTS``) is read as it is now, in both forms alike (the last tests).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from partnerships.health import UNDATED_FACTS
from partnerships.models import HealthSnapshot
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import organisations as organisation_services
from partnerships.services import partnerships as partnership_services
from partnerships.services.health import health_snapshots_record
from preparedness import services as preparedness_services
from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.health_forms import complete_partnership, health_report, reason_codes
from tests.threats.api.conftest import make_target

pytestmark = pytest.mark.django_db

THEN = timezone.localdate() - timedelta(days=10)


def on_the_day():
    """The clock at noon on ``THEN``, in the portal's time zone."""
    return freeze_time(timezone.make_aware(datetime.combine(THEN, time(12))))


def health_of_then(partnership) -> tuple[dict, str]:
    """The reasons health gives for ``THEN`` (both forms) and the snapshot it records of it."""
    reasons = reason_codes(health_report(partnership, THEN))
    health_snapshots_record(day=THEN)
    snapshot = HealthSnapshot.objects.get(partnership=partnership, day=THEN)
    return reasons, snapshot.status


@pytest.fixture
def world(org_a, operator_a):
    """On ``THEN``: a complete venue partnership, a contact the day before, and an exercise
    whose after-action item was due five days before and still open."""
    with on_the_day():
        partnership = complete_partnership(org_a)
        target = make_target(operator_a, name="ArenA", partnership=partnership)
        exercise = preparedness_services.exercise_plan(
            soft_target=target, by=operator_a, scenario="Ontruiming", planned_for=THEN
        )
        preparedness_services.exercise_record_held(
            exercise=exercise, by=operator_a, held_on=THEN, outcome="Poort D bleef dicht."
        )
        item = preparedness_services.action_item_add(
            exercise=exercise,
            by=operator_a,
            description="Sleutelbeheer poort D",
            owner="Facilitair",
            due_on=THEN - timedelta(days=5),
        )
    police = partnership.members.get(role="police").organisation
    return {"partnership": partnership, "item": item, "police": police}


def test_an_item_done_after_the_day_was_overdue_on_it(world, operator_a):
    partnership = world["partnership"]
    with on_the_day():
        said = health_of_then(partnership)
    assert "overdue_actions" in said[0]
    preparedness_services.action_item_complete(item=world["item"], by=operator_a)
    assert health_of_then(partnership) == said


def test_an_item_done_before_the_day_was_not_overdue_on_it(world, operator_a):
    partnership = world["partnership"]
    preparedness_services.action_item_complete(
        item=world["item"], by=operator_a, done_on=THEN - timedelta(days=1)
    )
    with on_the_day():
        said = health_of_then(partnership)
    assert "overdue_actions" not in said[0]
    assert health_of_then(partnership) == said


def test_a_member_who_left_after_the_day_sat_at_the_table_on_it(world):
    partnership = world["partnership"]
    with on_the_day():
        said = health_of_then(partnership)
    assert "incomplete" not in said[0]
    police = partnership.members.get(role="police")
    partnership_services.partnership_member_leave(member=police)
    assert health_of_then(partnership) == said


def test_a_member_who_joined_after_the_day_was_missing_on_it(world):
    partnership = world["partnership"]
    partnership.members.get(role="police").delete()  # police never sat there
    with on_the_day():
        said = health_of_then(partnership)
    assert "incomplete" in said[0]
    partnership_services.partnership_member_add(
        partnership=partnership, organisation=world["police"], role="police"
    )
    assert health_of_then(partnership) == said


def test_a_liaison_whose_organisation_joined_after_the_day_was_no_liaison_on_it(world):
    partnership = world["partnership"]
    partnership_services.partnership_update(partnership=partnership, liaison=None)
    with on_the_day():
        said = health_of_then(partnership)
    assert "no_liaison" in said[0]
    newcomer = OrganisationFactory(name="Beveiliging BV", kind="private", sector="")
    partnership_services.partnership_member_add(
        partnership=partnership, organisation=newcomer, role="private_security"
    )
    guard = UserFactory(username="guard", organisation=newcomer)
    partnership_services.partnership_set_liaison(partnership=partnership, liaison=guard)
    assert health_of_then(partnership) == said


# --- covenant parties: signed by the day and not yet withdrawn (``Covenant.status_on``) --------


def test_parties_that_withdrew_after_the_day_had_signed_the_covenant_in_force_on_it(world):
    partnership = world["partnership"]
    with on_the_day():
        said = health_of_then(partnership)
    assert "no_covenant" not in said[0]
    covenant = partnership.covenants.get()
    for signatory in covenant.signatories.all():  # every party leaves it, after the day
        covenant_services.covenant_withdraw_signatory(
            covenant=covenant, organisation=signatory.organisation
        )
    assert health_of_then(partnership) == said


def test_a_party_that_withdrew_after_the_day_unsigned_kept_the_covenant_out_of_force_on_it(world):
    partnership = world["partnership"]
    covenant = partnership.covenants.get()
    with on_the_day():
        newcomer = OrganisationFactory(name="Beveiliging BV", kind="private", sector="")
        partnership_services.partnership_member_add(
            partnership=partnership, organisation=newcomer, role="private_security"
        )
        covenant_services.covenant_add_signatory(covenant=covenant, organisation=newcomer)
        said = health_of_then(partnership)
    assert "no_covenant" in said[0]  # a party had yet to sign it
    covenant_services.covenant_withdraw_signatory(covenant=covenant, organisation=newcomer)
    assert health_of_then(partnership) == said


# --- dated records count by their date, whenever they were entered -----------------------------


def test_a_contact_logged_after_the_day_for_a_meeting_on_it_counts_on_it(world, org_a):
    partnership = world["partnership"]
    assert health_report(partnership, THEN).days_since_last_contact == 1
    contact_services.contact_create(
        partnership=partnership,
        by=partnership.liaison,
        occurred_on=THEN,
        kind="call",
        summary="Nagekomen verslag",
        participants=[org_a],
    )
    assert health_report(partnership, THEN).days_since_last_contact == 0


def test_an_action_entered_after_the_day_due_before_it_was_overdue_on_it(world, org_a):
    partnership = world["partnership"]
    assert health_report(partnership, THEN).overdue_actions == 1  # the exercise's open item
    contact_services.action_create(
        partnership=partnership,
        description="Nagekomen afspraak",
        owner=org_a,
        due_on=THEN - timedelta(days=2),
    )
    assert health_report(partnership, THEN).overdue_actions == 2


# --- what carries no date is read as it is now, in both forms alike (``UNDATED_FACTS``) --------


def _contact_twenty_days_before(partnership):
    """The partnership's only contact 20 days before ``THEN`` (due at a 10-day frequency)."""
    partnership.contacts.all().delete()
    contact_services.contact_create(
        partnership=partnership,
        by=partnership.liaison,
        occurred_on=THEN - timedelta(days=20),
        kind="meeting",
        summary="Overleg",
        participants=[partnership.liaison.membership.organisation],
    )


# fact: (what is set on the day, how it changes after the day, the reason it then gives THEN)
UNDATED = {
    "sponsor": (
        None,
        lambda p: partnership_services.partnership_update(partnership=p, sponsor=None),
        "no_sponsor",
    ),
    "liaison": (
        None,
        lambda p: partnership_services.partnership_update(partnership=p, liaison=None),
        "no_liaison",
    ),
    "liaison_account": (
        None,
        lambda p: organisation_services.user_deactivate(user=p.liaison),
        "no_liaison",
    ),
    "liaison_organisation": (
        None,
        lambda p: organisation_services.membership_end(membership=p.liaison.membership),
        "no_liaison",
    ),
    "required_roles": (
        None,
        lambda p: partnership_services.partnership_update(
            partnership=p, required_roles=["venue_operator", "police", "safety_region"]
        ),
        "incomplete",
    ),
    "variant": (
        None,
        lambda p: partnership_services.partnership_update(partnership=p, variant="broadening"),
        "incomplete",
    ),
    "contact_frequency": (
        _contact_twenty_days_before,
        lambda p: partnership_services.partnership_update(partnership=p, contact_frequency_days=10),
        "contact_due",
    ),
}


@pytest.mark.parametrize("fact", UNDATED)
def test_an_undated_fact_changed_after_the_day_is_read_as_it_is_now(world, fact):
    """The page and the docs say so (``UNDATED_FACTS``); both forms read the fact alike."""
    before, change, reason = UNDATED[fact]
    partnership = world["partnership"]
    with on_the_day():
        if before is not None:
            before(partnership)
        said = health_of_then(partnership)
    assert reason not in said[0]
    change(partnership)
    partnership.refresh_from_db()
    assert reason in health_of_then(partnership)[0]


def test_every_undated_fact_the_page_names_is_tested_above():
    assert list(UNDATED) == [code for code, _label in UNDATED_FACTS]
