"""The demo partnerships: the three cases of the study, each with a different health and its
reasons, on any day; visible to their members and NCTV staff only; seeding twice changes nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from partnerships.health import assess
from partnerships.models import (
    Action,
    ContactEntry,
    CostItem,
    CostShare,
    Covenant,
    CovenantSignatory,
    CovenantTask,
    HealthSnapshot,
    Partnership,
    PartnershipMember,
)
from partnerships.selectors import (
    actor_for,
    cost_summary,
    partnerships_visible_to,
    partnerships_with_health_data,
)
from partnerships.variants import needed_roles

pytestmark = pytest.mark.django_db

ARENA, VIERDAAGSE, DIAMANT = (
    "Johan Cruijff ArenA",
    "Nijmeegse Vierdaagse",
    "Diamantkwartier Antwerpen",
)
MODELS = [
    Partnership,
    PartnershipMember,
    Covenant,
    CovenantSignatory,
    CovenantTask,
    ContactEntry,
    Action,
    CostItem,
    CostShare,
    HealthSnapshot,
]


@pytest.fixture
def seeded(settings, demo_data):
    """The demo data, seeded once for this module (tests/conftest.py ``demo_data``)."""
    settings.DEBUG = True


def _user(username):
    return get_user_model().objects.get(username=username)


def _health(today=None):
    today = today or timezone.localdate()
    loaded = partnerships_with_health_data(Partnership.objects.all(), today)
    return {p.name: assess(p, today) for p in loaded}


def _codes(report):
    return {reason.code for reason in report.reasons}


def _snapshot():
    rows = {model.__name__: model.objects.count() for model in MODELS}
    rows["contacts"] = sorted(ContactEntry.objects.values_list("public_id", "occurred_on"))
    rows["actions"] = sorted(Action.objects.values_list("public_id", "due_on", "done_on"))
    rows["tasks"] = sorted(CovenantTask.objects.values_list("pk", "description"))
    rows["shares"] = sorted(CostShare.objects.values_list("pk", "percentage"))
    rows["covenants"] = sorted(
        Covenant.objects.values_list("public_id", "effective_until", "document")
    )
    return rows


def test_three_demo_partnerships_have_three_health_statuses_with_reasons(seeded):
    health = _health()
    assert {name: report.status for name, report in health.items()} == {
        ARENA: "healthy",
        VIERDAAGSE: "attention",
        DIAMANT: "at_risk",
    }
    assert health[ARENA].reasons == []
    # broadening asks private security at the table too (partnerships.variants)
    assert _codes(health[VIERDAAGSE]) == {"contact_due", "covenant_expiring", "incomplete"}
    # The covenant has expired; the reporting protocol AWDC and the police signed is in force.
    assert _codes(health[DIAMANT]) == {"contact_overdue", "no_recent_contact", "overdue_actions"}
    for report in (health[VIERDAAGSE], health[DIAMANT]):
        assert all(reason.text for reason in report.reasons)


def test_the_demo_has_six_weeks_of_health_history_ending_with_todays(seeded):
    from partnerships.demo import HEALTH_HISTORY_DAYS

    today = timezone.localdate()
    health = _health()
    for partnership in Partnership.objects.all():
        days = list(
            HealthSnapshot.objects.filter(partnership=partnership).values_list("day", flat=True)
        )
        assert len(days) == HEALTH_HISTORY_DAYS + 1
        assert max(days) == today and min(days) == today - timedelta(days=HEALTH_HISTORY_DAYS)
        latest = HealthSnapshot.objects.get(partnership=partnership, day=today)
        assert latest.status == health[partnership.name].status
    # the history shows something: not every day the same for every partnership
    assert HealthSnapshot.objects.order_by().values("partnership", "status").distinct().count() > 3


def test_demo_covenants_match_the_cases(seeded):
    today = timezone.localdate()
    arena = Partnership.objects.get(name=ARENA)
    covenant = arena.covenants.get(kind="covenant")
    assert covenant.status == "active" and covenant.information_clause == "amber"
    assert covenant.effective_until > today + timedelta(days=60)
    assert covenant.document and covenant.tasks.count() >= 3
    assert arena.covenants.get(kind="protocol").status == "active"
    assert {t.organisation.name for t in covenant.tasks.all()} == {
        "Johan Cruijff ArenA",
        "Gemeente Amsterdam",
        "Politie Amsterdam",
    }
    vierdaagse = Partnership.objects.get(name=VIERDAAGSE).covenants.get()
    assert vierdaagse.status == "active"
    assert today < vierdaagse.effective_until <= today + timedelta(days=30)
    diamant = Partnership.objects.get(name=DIAMANT)
    assert diamant.covenants.get(kind="covenant").status == "expired"
    assert diamant.covenants.get(kind="protocol").status == "active"


def test_demo_partnerships_have_contacts_actions_costs_and_a_full_key(seeded):
    for partnership in Partnership.objects.all():
        assert partnership.contacts.exists(), partnership
        assert partnership.actions.exists(), partnership
        summary = cost_summary(partnership)
        assert summary["total"] > 0
        assert sum(share["percentage"] for share in summary["shares"]) == 100
        assert partnership.liaison is not None
        assert needed_roles(partnership)


def test_arena_operator_sees_the_arena_and_not_the_vierdaagse(seeded):
    visible = set(
        partnerships_visible_to(actor_for(_user("arena-operator"))).values_list("name", flat=True)
    )
    assert visible == {ARENA}
    assert VIERDAAGSE not in visible


def test_nctv_analyst_sees_all_three(seeded):
    visible = partnerships_visible_to(actor_for(_user("nctv-analyst")))
    assert set(visible.values_list("name", flat=True)) == {ARENA, VIERDAAGSE, DIAMANT}


def test_seeding_twice_leaves_the_same_data(seeded):
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first


def test_statuses_hold_when_seeded_again_on_a_later_day(seeded):
    later = timezone.localdate() + timedelta(days=45)
    with freeze_time(later):
        call_command("seed_demo")
        counts = {model.__name__: model.objects.count() for model in MODELS}
        health = _health(later)
    assert {name: report.status for name, report in health.items()} == {
        ARENA: "healthy",
        VIERDAAGSE: "attention",
        DIAMANT: "at_risk",
    }
    assert counts["Partnership"] == 3 and counts["ContactEntry"] == 7


def test_arena_operator_gets_404_on_the_vierdaagse_in_dashboard_and_api(settings, client):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from partnerships.models import Partnership

    settings.DEBUG = True
    call_command("seed_demo")
    arena = Partnership.objects.get(name="Johan Cruijff ArenA")
    vierdaagse = Partnership.objects.get(name="Nijmeegse Vierdaagse")
    assert client.login(username="arena-operator", password=settings.DEMO_PASSWORD)
    assert client.get(f"/partnerships/{arena.public_id}/").status_code == 200
    assert client.get(f"/partnerships/{vierdaagse.public_id}/").status_code == 404
    api = APIClient()
    token = api.post(
        "/api/v1/auth/token/", {"username": "arena-operator", "password": settings.DEMO_PASSWORD}
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(f"/api/v1/partnerships/{arena.public_id}/").status_code == 200
    assert api.get(f"/api/v1/partnerships/{vierdaagse.public_id}/").status_code == 404
    analyst = APIClient()
    analyst.force_authenticate(get_user_model().objects.get(username="nctv-analyst"))
    assert analyst.get("/api/v1/partnerships/").json()["count"] == 3


def test_demo_arena_shares_an_amber_contact_entry_with_the_police(seeded):
    """Partners share too: Politie Amsterdam received the ArenA's AMBER call under the covenant
    both signed, with its purpose; Gemeente Amsterdam did not; the NCTV sees a count."""
    from partnerships.models import Organisation
    from partnerships.sharing.partner import partner_share_counts, shares_received_by

    police = Organisation.objects.get(name="Politie Amsterdam")
    [received] = [
        r
        for r in shares_received_by(police)
        if r.kind == "contact_entry" and r.sharer.name == "Johan Cruijff ArenA"
    ]
    assert received.obj.tlp == "amber"
    assert received.covenant.title == "Convenant veiligheid Johan Cruijff ArenA"
    assert "dreigingsinformatie" in received.covenant.purpose
    municipality = Organisation.objects.get(name="Gemeente Amsterdam")
    assert [r for r in shares_received_by(municipality) if r.kind == "contact_entry"] == []
    arena = Partnership.objects.get(name=received.obj.partnership.name)
    assert partner_share_counts()[arena.pk] >= 1
