"""Demo preparedness: the NCTV's course catalogue; the ArenA's procedures (the evacuation plan
approved, lockdown still a draft) and a held evacuation exercise with open action items; the
Vierdaagse's training records, some expiring within the reminder window.

Written through the services; running it twice changes nothing (an item that exists by its
natural key is left alone). Dates are relative to today."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from preparedness import services
from preparedness.models import Course, Exercise, Procedure, TrainingRecord

ANALYST = "nctv-analyst"

COURSES = [
    ("awareness", "Bewustwording terrorisme (awareness)", 24, True),
    ("first_response", "Eerste hulp bij aanslagen (first response)", 12, True),
    ("act", "ACT-achtige terrorismebewustwording (ACT awareness)", 12, True),
]


def seed(ctx) -> None:
    users = ctx.objects["users"]
    targets = ctx.objects["soft_targets"]
    today = timezone.localdate()
    courses = _courses(users[ANALYST])
    arena = targets["Johan Cruijff ArenA"]
    _procedures(arena, users["arena-operator"], today)
    _exercise(arena, users["arena-operator"], today)
    _training(targets["Nijmeegse Vierdaagse"], users["vierdaagse-operator"], courses, today)


def _courses(by) -> dict:
    courses = {}
    for code, name, months, counts in COURSES:
        course = Course.objects.filter(code=code).first() or services.course_create(
            by=by, code=code, name=name, validity_months=months, counts_for_coverage=counts
        )
        courses[code] = course
    return courses


def _procedures(arena, by, today) -> None:
    specs = [
        ("evacuation", "Ontruimingsplan ArenA", "approved", 120),
        ("communication", "Crisiscommunicatie ArenA", "approved", 200),
        ("lockdown", "Lockdownprocedure ArenA", "draft", 60),
    ]
    for kind, title, state, days in specs:
        if Procedure.objects.filter(soft_target=arena, kind=kind).exists():
            continue
        services.procedure_save(
            soft_target=arena,
            by=by,
            kind=kind,
            title=title,
            owner="Hoofd veiligheid ArenA",
            state=state,
            review_due=today + timedelta(days=days),
            steps="1. Omroep en schermen. 2. Stewards openen de nooduitgangen. "
            "3. Verzamelen op P1 en P3. 4. Melding aan de meldkamer.",
        )


ITEMS = [
    ("Sleutelbeheer poort D bij de stewards onderbrengen", "Facilitair ArenA", 7),
    ("Omroepinstallatie catacomben laten doormeten", "Techniek ArenA", 30),
]


def _exercise(arena, by, today) -> None:
    """The held exercise; its open items' due dates move along with the demo's days."""
    scenario = "Ontruiming oostzijde bij een verdacht pakket"
    exercise = Exercise.objects.filter(soft_target=arena, scenario=scenario).first()
    if exercise is None:
        exercise = services.exercise_plan(
            soft_target=arena,
            by=by,
            scenario=scenario,
            planned_for=today - timedelta(days=21),
            participants="ArenA-stewards, politie Amsterdam, brandweer, gemeente Amsterdam",
        )
        services.exercise_record_held(
            exercise=exercise,
            by=by,
            held_on=today - timedelta(days=21),
            outcome="De oostzijde was in 11 minuten leeg; poort D bleef dicht omdat de sleutel "
            "niet bij de stewards lag. De omroep was in de catacomben niet te verstaan.",
        )
    existing = {item.description: item for item in exercise.action_items.all()}
    for description, owner, due in ITEMS:
        due_on = today + timedelta(days=due)
        item = existing.get(description)
        if item is None:
            services.action_item_add(
                exercise=exercise, by=by, description=description, owner=owner, due_on=due_on
            )
        elif item.done_on is None and item.due_on != due_on:
            services.action_item_reschedule(item=item, by=by, due_on=due_on)


def _training(vierdaagse, by, courses, today) -> None:
    specs = [
        ("awareness", "Verkeersregelaars", 400, 650, 600, None),
        ("first_response", "EHBO-posten", 120, 650, 340, 20),  # expires within 30 days
        ("act", "Vrijwilligers startterrein", 60, 650, 90, None),
    ]
    for code, role, trained, staff, days_ago, valid_days in specs:
        if TrainingRecord.objects.filter(soft_target=vierdaagse, role=role).exists():
            continue
        services.training_record_create(
            soft_target=vierdaagse,
            by=by,
            course=courses[code],
            role=role,
            trained_count=trained,
            staff_total=staff,
            held_on=today - timedelta(days=days_ago),
            valid_until=today + timedelta(days=valid_days) if valid_days else None,
        )
