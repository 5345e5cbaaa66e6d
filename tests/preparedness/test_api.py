"""/api/v1/procedures/, training-records/, courses/, exercises/, action-items/: an operator
sees the preparedness of its own soft targets only; another organisation's items (a partnership
peer's included) answer 404; NCTV staff see all; readers may not write (403)."""

from __future__ import annotations

import pytest

from preparedness.models import Procedure
from tests.preparedness.conftest import days_ago, days_ahead

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DETAILS = [
    ("procedures", "procedure"),
    ("training-records", "record"),
    ("exercises", "exercise"),
    ("action-items", "item"),
]


@pytest.mark.parametrize(("collection", "key"), DETAILS)
def test_a_peers_items_are_not_found(client_for, operator_b, a_items, collection, key):
    client = client_for(operator_b)
    assert client.get(f"/api/v1/{collection}/{a_items[key].public_id}/").status_code == 404
    if collection != "action-items":
        assert client.get(f"/api/v1/{collection}/").json()["count"] == 0


@pytest.mark.parametrize("persona", ["operator_a", "viewer_a", "nctv_staff"])
@pytest.mark.parametrize(("collection", "key"), DETAILS)
def test_own_organisation_and_nctv_staff_see_them(
    request, client_for, a_items, persona, collection, key
):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(f"/api/v1/{collection}/{a_items[key].public_id}/")
    assert response.status_code == 200
    assert response.json()["id"] == str(a_items[key].public_id)


def procedure_body(target, **overrides):
    return {
        "soft_target": str(target.public_id),
        "kind": "lockdown",
        "title": "Lockdown",
        "owner": "Hoofd veiligheid",
        "state": "approved",
        "review_due": str(days_ahead(90)),
        **overrides,
    }


def test_the_operator_writes_a_procedure(client_for, operator_a, arena):
    response = client_for(operator_a).post("/api/v1/procedures/", procedure_body(arena))
    assert response.status_code == 201, response.content
    assert response.json()["kind_label"] == "Lockdown"
    assert Procedure.objects.get().soft_target == arena


def test_a_reader_may_not_write(client_for, viewer_a, arena):
    response = client_for(viewer_a).post("/api/v1/procedures/", procedure_body(arena))
    assert response.status_code == 403
    assert not Procedure.objects.exists()


def test_a_peers_target_is_unknown_for_writing(client_for, operator_b, arena):
    response = client_for(operator_b).post("/api/v1/procedures/", procedure_body(arena))
    assert response.status_code == 400
    assert "soft_target" in response.json()
    assert not Procedure.objects.exists()


def test_bad_input_is_400_in_dutch(client_for, operator_a, arena):
    response = client_for(operator_a, language="nl").post(
        "/api/v1/procedures/", procedure_body(arena, kind="panic")
    )
    assert response.status_code == 400
    assert "kind" in response.json()


def test_training_refusal_is_a_field_error(client_for, operator_a, arena, course):
    body = {
        "soft_target": str(arena.public_id),
        "course": str(course.public_id),
        "role": "Stewards",
        "trained_count": 50,
        "staff_total": 10,
        "held_on": str(days_ago(3)),
    }
    response = client_for(operator_a).post("/api/v1/training-records/", body)
    assert response.status_code == 400
    assert "trained_count" in response.json()


def test_an_exercise_is_planned_held_and_followed_up(client_for, operator_a, arena):
    client = client_for(operator_a)
    planned = client.post(
        "/api/v1/exercises/",
        {"soft_target": str(arena.public_id), "scenario": "Lockdown", "planned_for": days_ago(2)},
    )
    assert planned.status_code == 201
    url = f"/api/v1/exercises/{planned.json()['id']}/"
    early = client.post(
        f"{url}action-items/", {"description": "x", "owner": "y", "due_on": days_ahead(9)}
    )
    assert early.status_code == 400
    held = client.post(f"{url}held/", {"held_on": days_ago(2), "outcome": "Deuren te traag."})
    assert held.json()["status"] == "held"
    added = client.post(
        f"{url}action-items/",
        {"description": "Deuren", "owner": "Techniek", "due_on": days_ahead(9)},
    )
    assert added.status_code == 201
    [item] = added.json()["action_items"]
    done = client.post(f"/api/v1/action-items/{item['id']}/complete/")
    assert done.status_code == 200 and done.json()["done_on"] is not None


def test_a_reader_may_not_complete_an_item(client_for, viewer_a, a_items):
    response = client_for(viewer_a).post(
        f"/api/v1/action-items/{a_items['item'].public_id}/complete/"
    )
    assert response.status_code == 403


def test_a_peer_completing_an_item_is_not_found(client_for, operator_b, a_items):
    response = client_for(operator_b).post(
        f"/api/v1/action-items/{a_items['item'].public_id}/complete/"
    )
    assert response.status_code == 404


def test_the_course_catalogue_is_read_by_every_partner(client_for, operator_b, course):
    assert client_for(operator_b).get("/api/v1/courses/").json()["count"] == 1


@pytest.mark.parametrize("persona", ["operator_a", "nctv_staff"])
def test_exercise_list_queries_do_not_grow_with_rows(
    request, client_for, django_assert_num_queries, a_items, arena, persona
):
    from preparedness import services

    client = client_for(request.getfixturevalue(persona))
    client.get("/api/v1/exercises/")  # warm the session and actor
    with django_assert_num_queries(QUERIES[persona]):
        assert client.get("/api/v1/exercises/").json()["count"] == 1
    operator_a = request.getfixturevalue("operator_a")
    services.exercise_plan(
        soft_target=arena, by=operator_a, scenario="Brand", planned_for=days_ahead(5)
    )
    with django_assert_num_queries(QUERIES[persona]):
        assert client.get("/api/v1/exercises/").json()["count"] == 2


# Staff sessions load the verified second-factor device: one query more. The list's count is a
# query apart from its page (its own targets, a column: no read door's set; ppsportal.pagination).
QUERIES = {"operator_a": 6, "nctv_staff": 7}
