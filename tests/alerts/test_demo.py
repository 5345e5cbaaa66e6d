"""The demo alerts: a published exercise for the Vierdaagse that some of its partners have
acknowledged, an actual alert the ArenA acknowledged, and a draft waiting for a colleague —
written with four eyes, delivered once the seed commits, visible only to their recipients, and
not written again by a second seed."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from alerts.demo import (
    APPROVER,
    AREA_ALERT,
    ARENA_ALERT,
    DRAFT,
    VEHICLE_TEMPLATE,
    VIERDAAGSE_EXERCISE,
)
from alerts.models import (
    Acknowledgement,
    Alert,
    AlertRecipient,
    ChannelPreference,
    Delivery,
    EscalationStep,
)
from alerts.selectors import alerts_visible_to
from partnerships.selectors import actor_for

pytestmark = pytest.mark.django_db

MODELS = [Alert, AlertRecipient, Acknowledgement, Delivery, EscalationStep, ChannelPreference]


@pytest.fixture
def seeded(settings, demo_data):
    """The demo data, seeded once for this module (tests/conftest.py ``demo_data``)."""
    settings.DEBUG = True


def alert(headline) -> Alert:
    return Alert.objects.get(headline=headline)


def visible(username) -> set[str]:
    user = get_user_model().objects.get(username=username)
    return set(alerts_visible_to(actor_for(user)).values_list("headline", flat=True))


def _snapshot():
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "users": get_user_model().objects.count(),
        "alerts": sorted(Alert.objects.values_list("public_id", "status", "version")),
    }


def test_the_deliveries_are_sent_once_the_seed_commits(
    settings, django_capture_on_commit_callbacks
):
    """As `make run` has it: no Redis, tasks in-process (also when the suite runs with Redis).
    First in the module: it seeds an empty database, before ``seeded`` seeds the module's."""
    from ppsportal.celery import app

    settings.DEBUG = True
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo")
    finally:
        app.conf.task_always_eager = eager
    in_app = Delivery.objects.filter(channel="in_app")
    # the Vierdaagse's operator and safety-region officer; the ArenA's operator and integrator,
    # for its alert and for the area alert around it
    assert in_app.count() == 6
    assert set(in_app.values_list("status", flat=True)) == {"sent"}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_the_vierdaagse_exercise_is_published_and_partly_acknowledged(seeded):
    exercise = alert(VIERDAAGSE_EXERCISE)
    assert (exercise.kind, exercise.status, exercise.tlp) == ("exercise", "published", "green")
    assert [p.name for p in exercise.partnerships.all()] == ["Nijmeegse Vierdaagse"]
    recipients = set(exercise.recipients.values_list("organisation__name", flat=True))
    acknowledged = {a.organisation.name for a in exercise.acknowledgements.all()}
    assert acknowledged == {"Stichting DE 4DAAGSE", "Veiligheidsregio Gelderland-Zuid"}
    assert acknowledged < recipients  # some, not all
    assert {"Gemeente Nijmegen", "Politie Oost-Nederland"} <= recipients - acknowledged
    for ack in exercise.acknowledgements.all():
        assert ack.note and ack.measures_taken and ack.user is not None


def test_the_arena_alert_is_actual_and_acknowledged_by_the_arena(seeded):
    arena = alert(ARENA_ALERT)
    assert (arena.kind, arena.status, arena.tlp) == ("actual", "published", "amber")
    ack = arena.acknowledgements.get()
    assert (ack.organisation.name, ack.user.username) == ("Johan Cruijff ArenA", "arena-operator")
    assert ack.note and "bag_checks" in ack.measures_taken
    recipient = arena.recipients.get()
    assert recipient.organisation.name == "Johan Cruijff ArenA"
    assert recipient.covenant.title == "Convenant veiligheid Johan Cruijff ArenA"


def test_the_draft_waits_for_a_colleagues_approval(seeded):
    draft = alert(DRAFT)
    assert (draft.status, draft.approver, draft.author.username) == ("draft", None, "nctv-analyst")
    assert not draft.recipients.exists() and not draft.deliveries.exists()


def test_four_eyes_and_a_duty_officer(seeded):
    for headline in (VIERDAAGSE_EXERCISE, ARENA_ALERT):
        published = alert(headline)
        assert (published.author.username, published.approver.username) == (
            "nctv-analyst",
            "nctv-admin",
        )
    officers = Group.objects.get(name=django_settings.ALERTS_DUTY_OFFICER_GROUP)
    assert list(officers.user_set.values_list("username", flat=True)) == ["nctv-admin"]
    assert ChannelPreference.objects.get(user__username="nctv-admin", channel="sms").address


def test_only_recipients_see_the_published_alerts_and_no_partner_the_draft(seeded):
    assert VIERDAAGSE_EXERCISE not in visible("arena-operator")
    assert ARENA_ALERT in visible("arena-operator")
    assert visible("vierdaagse-operator") == {VIERDAAGSE_EXERCISE}
    assert VIERDAAGSE_EXERCISE in visible("vrgz-officer")
    assert visible("diamant-operator") == set()
    assert visible("nctv-analyst") == {VIERDAAGSE_EXERCISE, ARENA_ALERT, AREA_ALERT, DRAFT}


def test_seeding_twice_adds_nothing(seeded):
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first


def test_the_extra_demo_user_signs_in(seeded, client):
    assert client.login(username="vrgz-officer", password=django_settings.DEMO_PASSWORD)


def test_an_area_alert_from_a_template_a_status_back_and_the_unreachable_flagged(seeded):
    from alerts.models import AlertTemplate, StatusReport
    from alerts.preview import audience_preview

    area = alert(AREA_ALERT)
    assert area.status == Alert.Status.PUBLISHED and area.area_targets
    assert area.template == AlertTemplate.objects.get(name=VEHICLE_TEMPLATE)
    assert area.headline_en == area.template.headline_en  # written in both languages
    assert set(area.recipients.values_list("organisation__name", flat=True)) == {
        "Johan Cruijff ArenA"
    }
    assert "Johan Cruijff ArenA" in [t["name"] for t in audience_preview(area)["area_targets"]]
    report = StatusReport.objects.get(alert=area)
    assert (report.organisation.name, report.status) == ("Johan Cruijff ArenA", "measures_in_place")
    # two of the Vierdaagse's four recipient organisations have no users: flagged
    preview = audience_preview(alert(VIERDAAGSE_EXERCISE))
    assert len(preview["unreachable_organisations"]) == 2
    assert preview["organisations"] == 4


def test_the_unreachable_vierdaagse_organisations_are_flagged_and_the_duty_officer_told(seeded):
    from alerts.board import board_alert_state
    from alerts.preview import audience_preview

    exercise = alert(VIERDAAGSE_EXERCISE)
    reasons = {u["name"]: u["reason"] for u in audience_preview(exercise)["unreachable"]}
    assert reasons == {
        "Gemeente Nijmegen": "no_active_user",
        "Politie Oost-Nederland": "no_active_user",
    }
    flagged = {r.organisation.name: r.unreachable for r in board_alert_state(exercise)}
    assert {name for name, reason in flagged.items() if reason} == set(reasons)
    # told at publication, once, to the demo's duty officer
    told = Delivery.objects.filter(alert=exercise, purpose="unreachable")
    assert list(told.values_list("recipient__username", flat=True)) == [APPROVER]
    steps = EscalationStep.objects.filter(alert=exercise, step=2)
    assert set(steps.values_list("organisation__name", "reason")) == set(reasons.items())


def test_the_vierdaagse_is_an_event_with_its_route(seeded):
    from threats.models import SoftTarget

    vierdaagse = SoftTarget.objects.get(name="Nijmeegse Vierdaagse")
    assert vierdaagse.is_event and len(vierdaagse.route.split()) >= 5
    assert vierdaagse.route_north > float(vierdaagse.latitude)  # the route goes north to Elst
