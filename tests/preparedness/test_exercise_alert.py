"""An exercise linked to its exercise alert: only an alert of kind exercise that the user sees can
be linked (else a field error, in the service, the form and the API); the time from the alert's
publication to each audience organisation's first acknowledgement is read from the alert's own
acknowledgements, in one query, and shown on the preparedness page and in the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts import services as alert_services
from alerts.models import Acknowledgement, Alert
from partnerships.selectors import actor_for
from preparedness import selectors, services
from preparedness.models import Exercise
from tests.alerts.conftest import _purge_broker, _recording_sms, world  # noqa: F401  (fixtures)
from tests.signin import sign_in
from tests.threats.api.conftest import days_ago, make_target

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def stadium(world):  # noqa: F811
    return make_target(world.admin_a, name="Stadion A")


@pytest.fixture
def exercise_alert(world):  # noqa: F811
    """An exercise alert to A and B; A acknowledged 90 s after publication, B did not."""
    alert = world.published(kind=Alert.Kind.EXERCISE, organisations=[world.org_a, world.org_b])
    alert_services.alert_acknowledge(alert=alert, by=world.admin_a)
    published = alert.published_at
    Acknowledgement.objects.filter(alert=alert).update(at=published + timedelta(seconds=90))
    return alert


def plan(world, stadium, **fields):  # noqa: F811
    return services.exercise_plan(
        soft_target=stadium,
        by=world.admin_a,
        scenario="Verdacht voertuig",
        planned_for=days_ago(1),
        **fields,
    )


def test_an_exercise_links_its_exercise_alert(world, stadium, exercise_alert):  # noqa: F811
    exercise = plan(world, stadium, alert=exercise_alert)
    assert Exercise.objects.get(pk=exercise.pk).alert == exercise_alert


def test_an_actual_alert_is_refused(world, stadium):  # noqa: F811
    actual = world.published(organisations=[world.org_a])
    with pytest.raises(ValidationError) as refused:
        plan(world, stadium, alert=actual)
    assert "alert" in refused.value.message_dict
    assert not Exercise.objects.exists()


def test_an_alert_the_user_does_not_see_is_refused(world, stadium):  # noqa: F811
    elsewhere = world.published(kind=Alert.Kind.EXERCISE, organisations=[world.org_d])
    with pytest.raises(ValidationError) as refused:
        plan(world, stadium, alert=elsewhere)
    assert "alert" in refused.value.message_dict


def test_times_come_from_the_alerts_acknowledgements_in_one_query(
    world,  # noqa: F811
    stadium,
    exercise_alert,
    django_assert_num_queries,
):
    exercise = Exercise.objects.get(pk=plan(world, stadium, alert=exercise_alert).pk)
    staff = actor_for(world.author)
    with django_assert_num_queries(1):
        times = selectors.acknowledgement_times(exercise, staff)
    assert [(row["organisation"], row["seconds"]) for row in times] == [
        ("Partner A Stadion", 90),
        ("Partner B Evenementen", None),
    ]


def test_a_partner_sees_only_its_own_organisations_time(world, stadium, exercise_alert):  # noqa: F811
    """As on the alert itself: a partner does not learn the rest of the audience."""
    exercise = Exercise.objects.get(pk=plan(world, stadium, alert=exercise_alert).pk)
    times = selectors.acknowledgement_times(exercise, actor_for(world.admin_a))
    assert [(row["organisation"], row["seconds"]) for row in times] == [("Partner A Stadion", 90)]


def test_many_exercises_load_in_one_query(
    world,  # noqa: F811
    stadium,
    exercise_alert,
    django_assert_num_queries,
):
    for _ in range(3):
        plan(world, stadium, alert=exercise_alert)
    plan(world, stadium)
    exercises = list(Exercise.objects.all())
    staff = actor_for(world.author)
    with django_assert_num_queries(1):
        selectors.load_acknowledgement_times(exercises, staff)
        rows = [selectors.acknowledgement_times(exercise, staff) for exercise in exercises]
    assert sorted(len(row) for row in rows) == [0, 2, 2, 2]


def test_an_exercise_without_alert_has_no_times(world, stadium, django_assert_num_queries):  # noqa: F811
    exercise = plan(world, stadium)
    staff = actor_for(world.author)
    with django_assert_num_queries(0):
        assert selectors.acknowledgement_times(exercise, staff) == []


def test_the_preparedness_page_shows_the_times(client, world, stadium, exercise_alert):  # noqa: F811
    plan(world, stadium, alert=exercise_alert)
    url = reverse("preparedness-detail", kwargs={"public_id": stadium.public_id})
    sign_in(client, world.author)
    html = client.get(url).content.decode()
    assert "acknowledgement-times" in html
    assert "Partner B Evenementen" in html and "1 minuut" in html and "niet bevestigd" in html
    sign_in(client, world.admin_a)
    html = client.get(url).content.decode()
    assert "Partner A Stadion" in html and "Partner B Evenementen" not in html


def test_the_plan_form_links_a_visible_exercise_alert(client, world, stadium, exercise_alert):  # noqa: F811
    sign_in(client, world.admin_a)
    url = reverse("exercise-plan", kwargs={"public_id": stadium.public_id})
    data = {"scenario": "Oefening", "planned_for": days_ago(1).isoformat()}
    elsewhere = world.published(kind=Alert.Kind.EXERCISE, organisations=[world.org_d])
    refused = client.post(url, {**data, "alert": str(elsewhere.public_id)})
    assert refused.status_code == 200 and not Exercise.objects.exists()
    assert client.post(url, {**data, "alert": str(exercise_alert.public_id)}).status_code == 302
    assert Exercise.objects.get().alert == exercise_alert


def test_the_api_links_the_alert_and_answers_the_times(world, stadium, exercise_alert):  # noqa: F811
    from rest_framework.test import APIClient

    api = APIClient()
    sign_in(api, world.admin_a)
    body = {
        "soft_target": str(stadium.public_id),
        "scenario": "Oefening",
        "planned_for": days_ago(1).isoformat(),
    }
    actual = world.published(organisations=[world.org_a])
    elsewhere = world.published(kind=Alert.Kind.EXERCISE, organisations=[world.org_d])
    for refused in (actual, elsewhere):
        response = api.post(
            "/api/v1/exercises/", {**body, "alert": str(refused.public_id)}, format="json"
        )
        assert response.status_code == 400 and "alert" in str(response.json())
    assert not Exercise.objects.exists()

    response = api.post(
        "/api/v1/exercises/", {**body, "alert": str(exercise_alert.public_id)}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["alert"] == str(exercise_alert.public_id)
    assert response.json()["acknowledgement_times"] == [
        {"organisation": "Partner A Stadion", "seconds": 90}
    ]
    sign_in(api, world.author)
    listed = api.get("/api/v1/exercises/").json()["results"]
    assert listed[0]["acknowledgement_times"] == [
        {"organisation": "Partner A Stadion", "seconds": 90},
        {"organisation": "Partner B Evenementen", "seconds": None},
    ]


def test_the_schema_describes_the_times():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    exercise = schema["components"]["schemas"]["Exercise"]["properties"]
    assert "acknowledgement_times" in exercise and "alert" in exercise
    plan_fields = schema["components"]["schemas"]["ExercisePlanRequest"]["properties"]
    assert "alert" in plan_fields


def test_the_page_queries_do_not_grow_with_linked_exercises(
    client,
    world,  # noqa: F811
    stadium,
    exercise_alert,
    django_assert_max_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("preparedness-detail", kwargs={"public_id": stadium.public_id})
    plan(world, stadium, alert=exercise_alert)
    sign_in(client, world.admin_a)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        plan(world, stadium, alert=exercise_alert)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("acknowledgement-times") == 4
