"""The dashboard and the admin over the same rules: a peer's preparedness page is not found,
readers see but do not change, NCTV staff use the admin through the services."""

from __future__ import annotations

import pytest

from preparedness.models import Course, Procedure
from tests.preparedness.conftest import days_ahead
from tests.signin import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def page(target) -> str:
    return f"/soft-targets/{target.public_id}/preparedness/"


def test_the_operator_sees_gaps_coverage_and_open_items(client, operator_a, arena, a_items):
    sign_in(client, operator_a)
    response = client.get(page(arena))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="procedure-gaps"' in body  # enhanced tier: four of five procedures missing
    assert "Sleutelbeheer poort D" in body and "action-items/" in body


def test_a_peers_page_and_item_are_not_found(client, operator_b, arena, a_items):
    sign_in(client, operator_b)
    assert client.get(page(arena)).status_code == 404
    item = a_items["item"]
    assert client.post(f"/action-items/{item.public_id}/complete/").status_code == 404
    assert "ArenA" not in client.get("/preparedness/").content.decode()


def test_a_reader_sees_but_may_not_complete(client, viewer_a, arena, a_items):
    sign_in(client, viewer_a)
    assert "action-items/" not in client.get(page(arena)).content.decode()
    item = a_items["item"]
    assert client.post(f"/action-items/{item.public_id}/complete/").status_code == 403
    item.refresh_from_db()
    assert item.done_on is None


def test_the_writer_completes_an_item(client, operator_a, a_items):
    sign_in(client, operator_a)
    item = a_items["item"]
    assert client.post(f"/action-items/{item.public_id}/complete/").status_code == 302
    item.refresh_from_db()
    assert item.done_on is not None


def test_overview_queries_do_not_grow_with_targets(
    client, operator_a, arena, a_items, django_assert_num_queries
):
    from tests.preparedness.conftest import make_target

    sign_in(client, operator_a)
    client.get("/preparedness/")
    with django_assert_num_queries(OVERVIEW_QUERIES):
        client.get("/preparedness/")
    make_target(operator_a, name="Tweede zaal")
    with django_assert_num_queries(OVERVIEW_QUERIES):
        assert "Tweede zaal" in client.get("/preparedness/").content.decode()


OVERVIEW_QUERIES = 10  # the paginated targets counted apart (a column, no read door's set)


def test_staff_write_procedures_in_the_admin_through_the_service(client, nctv_staff, arena):
    sign_in(client, nctv_staff)
    form = {
        "soft_target": arena.pk,
        "kind": "evacuation",
        "title": "Ontruiming",
        "steps": "",
        "owner": "NCTV",
        "state": "approved",
        "review_due": str(days_ahead(30)),
    }
    response = client.post("/admin/preparedness/procedure/add/", form)
    assert response.status_code == 302, response.content[:2000]
    assert Procedure.objects.get().updated_by == nctv_staff


def test_staff_add_a_course_and_partners_have_no_admin(client, nctv_staff, operator_a):
    sign_in(client, operator_a)
    assert client.get("/admin/preparedness/course/").status_code == 302
    sign_in(client, nctv_staff)
    response = client.post(
        "/admin/preparedness/course/add/",
        {"code": "act", "name": "ACT", "validity_months": 24, "counts_for_coverage": "on"},
    )
    assert response.status_code == 302
    assert Course.objects.get().validity_months == 24


@pytest.mark.parametrize("superuser", [False, True])
def test_staff_delete_no_preparedness_row_in_the_admin(
    client, nctv, nctv_staff, a_items, course, superuser
):
    """Courses, procedures, training records and exercises are kept (others refer to them):
    no delete page for NCTV staff, superusers included."""
    from tests.factories import UserFactory

    user = nctv_staff
    if superuser:
        user = UserFactory(username="root", organisation=nctv, is_staff=True, is_superuser=True)
    sign_in(client, user)
    rows = {
        "course": course,
        "procedure": a_items["procedure"],
        "trainingrecord": a_items["record"],
        "exercise": a_items["exercise"],
    }
    for model, obj in rows.items():
        address = f"/admin/preparedness/{model}/{obj.pk}/delete/"
        assert client.get(address).status_code == 403, model
        assert client.post(address, {"post": "yes"}).status_code == 403, model
        assert type(obj).objects.filter(pk=obj.pk).exists()
