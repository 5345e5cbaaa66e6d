"""The dashboard's write forms: the operator writes procedures, training, exercises and action
items of its own soft targets through the services; a refusal shows on its field; another
organisation's target or item is not found; a reader of the own organisation is forbidden."""

from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta

from preparedness.models import ActionItem, Exercise, Procedure, TrainingRecord
from tests.preparedness.conftest import days_ago, days_ahead
from tests.signin import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def client(client):
    """Messages in English, to read them in the assertions."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def detail(target) -> str:
    return f"/soft-targets/{target.public_id}/preparedness/"


def errors_of(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


PROCEDURE = {
    "kind": "lockdown",
    "title": "Lockdown",
    "owner": "Hoofd veiligheid",
    "state": "approved",
    "review_due": "",
    "steps": "1. Deuren dicht.",
}


# --- procedures ---------------------------------------------------------------------------------


def test_the_operator_writes_a_procedure(client, operator_a, arena):
    sign_in(client, operator_a)
    url = f"{detail(arena)}procedures/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {**PROCEDURE, "review_due": str(days_ahead(90))})
    assert response.status_code == 302 and response["Location"].endswith("#procedures")
    procedure = Procedure.objects.get(soft_target=arena, kind="lockdown")
    assert (procedure.state, procedure.updated_by) == ("approved", operator_a)
    assert "Lockdown" in client.get(detail(arena)).content.decode()


def test_a_procedure_without_review_date_is_refused_on_its_field(client, operator_a, arena):
    sign_in(client, operator_a)
    response = client.post(f"{detail(arena)}procedures/new/", PROCEDURE)
    assert response.status_code == 200
    assert list(errors_of(response)) == ["review_due"]
    assert not Procedure.objects.exists()


def test_the_operator_changes_a_procedure(client, operator_a, a_items):
    sign_in(client, operator_a)
    procedure = a_items["procedure"]
    url = f"/procedures/{procedure.public_id}/edit/"
    assert 'value="Ontruimingsplan"' in client.get(url).content.decode()
    data = {**PROCEDURE, "kind": "evacuation", "state": "draft", "review_due": "2030-01-01"}
    assert client.post(url, data).status_code == 302
    procedure.refresh_from_db()
    assert (procedure.title, procedure.state) == ("Lockdown", "draft")


def test_another_organisations_target_and_procedure_are_not_found(
    client, operator_b, arena, a_items
):
    sign_in(client, operator_b)
    data = {**PROCEDURE, "review_due": str(days_ahead(90))}
    assert client.get(f"{detail(arena)}procedures/new/").status_code == 404
    assert client.post(f"{detail(arena)}procedures/new/", data).status_code == 404
    procedure = a_items["procedure"]
    assert client.post(f"/procedures/{procedure.public_id}/edit/", data).status_code == 404
    assert Procedure.objects.count() == 1 and procedure.title == "Ontruimingsplan"


def test_a_reader_of_the_operator_may_not_write(client, viewer_a, arena, a_items):
    sign_in(client, viewer_a)
    data = {**PROCEDURE, "review_due": str(days_ahead(90))}
    assert client.post(f"{detail(arena)}procedures/new/", data).status_code == 403
    exercise = a_items["exercise"]
    assert client.get(f"/exercises/{exercise.public_id}/action-items/new/").status_code == 403
    assert Procedure.objects.count() == 1
    assert "procedures/new/" not in client.get(detail(arena)).content.decode()


# --- training -----------------------------------------------------------------------------------


def training(course, **overrides) -> dict:
    return {
        "course": str(course.public_id),
        "role": "Stewards",
        "trained_count": "30",
        "staff_total": "40",
        "held_on": str(days_ago(3)),
        "valid_until": "",
        **overrides,
    }


def test_the_operator_records_a_training_valid_for_the_course(client, operator_a, arena, course):
    sign_in(client, operator_a)
    url = f"{detail(arena)}training/new/"
    assert course.name in client.get(url).content.decode()
    assert client.post(url, training(course)).status_code == 302
    record = TrainingRecord.objects.get(soft_target=arena)
    assert record.valid_until == days_ago(3) + relativedelta(months=course.validity_months)


def test_more_trained_than_staff_is_refused_on_its_field(client, operator_a, arena, course):
    sign_in(client, operator_a)
    response = client.post(f"{detail(arena)}training/new/", training(course, trained_count="50"))
    assert errors_of(response) == {
        "trained_count": ["More staff trained than work at the soft target."]
    }
    response = client.post(
        f"{detail(arena)}training/new/", training(course, held_on=str(days_ahead(2)))
    )
    assert list(errors_of(response)) == ["held_on"]
    assert not TrainingRecord.objects.exists()


def test_training_on_another_organisations_target_is_not_found(client, operator_b, arena, course):
    sign_in(client, operator_b)
    response = client.post(f"{detail(arena)}training/new/", training(course))
    assert response.status_code == 404
    assert not TrainingRecord.objects.exists()


# --- exercises ----------------------------------------------------------------------------------


def test_the_operator_plans_an_exercise_and_records_it_held(client, operator_a, arena):
    sign_in(client, operator_a)
    response = client.post(
        f"{detail(arena)}exercises/new/",
        {"scenario": "Lockdown noord", "planned_for": str(days_ago(2)), "participants": "Stewards"},
    )
    assert response.status_code == 302
    exercise = Exercise.objects.get(soft_target=arena)
    assert exercise.status == "planned"
    held = f"/exercises/{exercise.public_id}/held/"
    assert client.get(held).status_code == 200
    response = client.post(held, {"held_on": str(days_ago(2)), "outcome": "  "})
    assert errors_of(response) == {"outcome": ["Say what happened at the exercise."]}
    exercise.refresh_from_db()
    assert exercise.status == "planned"
    assert client.post(held, {"held_on": str(days_ago(2)), "outcome": "Goed."}).status_code == 302
    exercise.refresh_from_db()
    assert (exercise.status, exercise.outcome) == ("held", "Goed.")


def test_an_exercise_without_a_scenario_is_refused_on_its_field(client, operator_a, arena):
    sign_in(client, operator_a)
    response = client.post(
        f"{detail(arena)}exercises/new/", {"scenario": "", "planned_for": str(days_ahead(9))}
    )
    assert list(errors_of(response)) == ["scenario"]
    assert not Exercise.objects.exists()


def test_another_organisations_exercises_are_not_found(client, operator_b, arena, a_items):
    sign_in(client, operator_b)
    exercise = a_items["exercise"]
    plan = {"scenario": "X", "planned_for": str(days_ahead(9))}
    assert client.post(f"{detail(arena)}exercises/new/", plan).status_code == 404
    held = {"held_on": str(days_ago(1)), "outcome": "Overschreven"}
    assert client.post(f"/exercises/{exercise.public_id}/held/", held).status_code == 404
    exercise.refresh_from_db()
    assert exercise.outcome == "Poort D bleef dicht." and Exercise.objects.count() == 1


# --- action items -------------------------------------------------------------------------------


def test_the_operator_adds_reschedules_and_closes_an_action_item(client, operator_a, a_items):
    sign_in(client, operator_a)
    exercise = a_items["exercise"]
    url = f"/exercises/{exercise.public_id}/action-items/new/"
    item = {"description": "Omroep testen", "owner": "Techniek", "due_on": str(days_ahead(14))}
    assert client.post(url, item).status_code == 302
    added = ActionItem.objects.get(description="Omroep testen")
    edit = f"/action-items/{added.public_id}/edit/"
    assert client.post(edit, {"due_on": str(days_ahead(30))}).status_code == 302
    added.refresh_from_db()
    assert added.due_on == days_ahead(30)
    assert client.post(f"/action-items/{added.public_id}/complete/").status_code == 302
    added.refresh_from_db()
    assert added.done_on is not None
    response = client.post(edit, {"due_on": str(days_ahead(40))})
    assert errors_of(response) == {"due_on": ["This action item is done already."]}


def test_an_action_item_on_a_planned_exercise_is_refused(client, operator_a, arena):
    from preparedness import services

    exercise = services.exercise_plan(
        soft_target=arena, by=operator_a, scenario="Later", planned_for=days_ahead(5)
    )
    sign_in(client, operator_a)
    response = client.post(
        f"/exercises/{exercise.public_id}/action-items/new/",
        {"description": "Iets", "owner": "Iemand", "due_on": str(days_ahead(9))},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Record what happened at the exercise before its action items."
    ]
    assert not ActionItem.objects.exists()


def test_another_organisations_action_items_are_not_found(client, operator_b, a_items):
    sign_in(client, operator_b)
    exercise, item = a_items["exercise"], a_items["item"]
    new = {"description": "X", "owner": "Y", "due_on": str(days_ahead(9))}
    assert client.post(f"/exercises/{exercise.public_id}/action-items/new/", new).status_code == 404
    edit = f"/action-items/{item.public_id}/edit/"
    assert client.post(edit, {"due_on": str(days_ahead(99))}).status_code == 404
    item.refresh_from_db()
    assert item.due_on == days_ago(1) and ActionItem.objects.count() == 1
