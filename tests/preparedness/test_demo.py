"""The demo preparedness: the ArenA's evacuation procedure and held exercise with open action
items (counted in its partnership's health data), the Vierdaagse's training with one record
expiring; seeding twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from preparedness.models import ActionItem, Course, Exercise, Procedure, TrainingRecord
from preparedness.selectors import open_action_items_by_partnership, training_expiring

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def counts():
    return [m.objects.count() for m in (Course, Procedure, TrainingRecord, Exercise, ActionItem)]


def test_demo_preparedness_is_in_place_and_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first

    evacuation = Procedure.objects.get(soft_target__name="Johan Cruijff ArenA", kind="evacuation")
    assert evacuation.state == "approved"
    exercise = Exercise.objects.get(soft_target__name="Johan Cruijff ArenA")
    assert exercise.status == "held"
    open_items = ActionItem.objects.filter(exercise=exercise, done_on__isnull=True)
    assert open_items.count() == 2
    partnership_id = exercise.soft_target.partnership_id
    assert open_action_items_by_partnership([partnership_id])[partnership_id]["open"] == 2
    expiring = [r.soft_target.name for r in training_expiring()]
    assert expiring == ["Nijmeegse Vierdaagse"]


def test_the_antwerp_report_with_a_photo_is_routed_to_the_police_under_a_protocol_in_force(
    settings,
):
    """The Diamantkwartier covenant has expired (the case's lesson); a reporting protocol
    signed by AWDC and Politie Antwerpen themselves carries the routing of the report."""
    from django.contrib.auth import get_user_model

    from partnerships.models import Covenant
    from partnerships.selectors import actor_for
    from threats.models import Report
    from threats.selectors import reports_visible_to

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    expired = Covenant.objects.get(partnership__name="Diamantkwartier Antwerpen", kind="covenant")
    assert expired.status == "expired"
    protocol = Covenant.objects.in_force().get(partnership__name="Diamantkwartier Antwerpen")
    assert protocol.kind == "protocol" and protocol.information_clause == "amber"
    signers = {(s.organisation.name, s.signed_by.username) for s in protocol.signatories.all()}
    assert signers == {("AWDC", "diamant-operator"), ("Politie Antwerpen", "antwerp-police")}

    report = Report.objects.get(
        soft_target__name="Diamantkwartier Antwerpen", kind="suspicious_situation"
    )
    assert report.tlp == "amber" and report.latitude is not None
    assert [a.kind for a in report.attachments.all()] == ["png"]
    users = get_user_model().objects
    police = actor_for(users.get(username="antwerp-police"))
    assert reports_visible_to(police).filter(pk=report.pk).exists()
    amsterdam_police = actor_for(users.get(username="amsterdam-police"))
    assert not reports_visible_to(amsterdam_police).filter(pk=report.pk).exists()


def test_the_demo_library_has_guidance_read_by_some_and_an_amber_arena_map(settings):
    from django.contrib.auth import get_user_model

    from partnerships.selectors import actor_for
    from preparedness.models import Guidance, PartnershipDocument
    from preparedness.selectors_library import (
        guidance_visible_to,
        partnership_documents_visible_to,
        read_current,
    )

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert set(Guidance.objects.values_list("kind", flat=True)) == {
        "guide",
        "covenant_template",
        "protocol_template",
        "checklist",
    }
    assert Guidance.objects.get(kind="checklist").sector.code == "football_stadium"
    users = get_user_model().objects

    def read_guide(username):
        guide = guidance_visible_to(actor_for(users.get(username=username))).get(kind="guide")
        return read_current(guide)

    assert (read_guide("arena-operator"), read_guide("vierdaagse-operator")) == (True, False)
    arena_map = PartnershipDocument.objects.get()
    assert arena_map.tlp == "amber"

    def sees_map(username):
        actor = actor_for(users.get(username=username))
        return partnership_documents_visible_to(actor).filter(pk=arena_map.pk).exists()

    assert sees_map("amsterdam-police") and not sees_map("vierdaagse-operator")


def test_the_vierdaagse_exercise_is_linked_to_the_demo_exercise_alert(settings):
    """The alerts demo's exercise alert started the Vierdaagse's held exercise; its times are
    read from the alert's acknowledgements (two of the partners acknowledged)."""
    from django.contrib.auth import get_user_model

    from alerts.demo import VIERDAAGSE_EXERCISE
    from partnerships.selectors import actor_for
    from preparedness.selectors import acknowledgement_times

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    exercise = Exercise.objects.get(soft_target__name="Nijmeegse Vierdaagse")
    assert exercise.status == "held"
    assert exercise.alert.headline == VIERDAAGSE_EXERCISE and exercise.alert.kind == "exercise"
    analyst = get_user_model().objects.get(username="nctv-analyst")
    times = acknowledgement_times(exercise, actor_for(analyst))
    acknowledged = [row for row in times if row["seconds"] is not None]
    assert len(acknowledged) == 2 and len(times) > 2
    assert not Exercise.objects.filter(soft_target__name="Johan Cruijff ArenA", alert__isnull=False)
