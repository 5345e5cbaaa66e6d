"""The covenant's purpose is shown with every shared object: an AMBER threat assessment the NCTV
shared with a partner's organisation carries ``shared_under`` (the covenant and its purpose) in
the API (list and detail) and on the dashboard page, and the read's audit entry keeps them, so
the NCTV's access log shows why the partner could read it. Its owner (NCTV staff) and a CLEAR or
GREEN assessment (open to every partner, no covenant carries it) have none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnerships.sharing import services as sharing
from ppsportal.models import AuditEvent
from tests.signin import sign_in
from tests.threats.api.conftest import PURPOSE, make_assessment

pytestmark = pytest.mark.django_db

URL = "/api/v1/threat-assessments/"


@pytest.fixture
def shared(assessment, org_a, covenant, nctv_staff):
    sharing.share_with_organisation(
        obj=assessment, organisation=org_a, covenant=covenant, by=nctv_staff, reason="Briefing"
    )
    return assessment


def under(covenant) -> dict:
    return {
        "covenant": {"id": str(covenant.public_id), "title": covenant.title},
        "purpose": PURPOSE,
    }


def test_the_api_shows_the_covenant_and_purpose_with_a_shared_assessment(
    client_for, operator_a, nctv_staff, shared, covenant
):
    green = make_assessment(nctv_staff, title="Open beeld", tlp="green")
    partner = client_for(operator_a)
    rows = {row["id"]: row for row in partner.get(URL).json()["results"]}
    assert rows[str(shared.public_id)]["shared_under"] == under(covenant)
    assert rows[str(green.public_id)]["shared_under"] is None  # open: no covenant carries it
    detail = partner.get(f"{URL}{shared.public_id}/").json()
    assert detail["shared_under"] == under(covenant)
    assert partner.get(f"{URL}{green.public_id}/").json()["shared_under"] is None
    owner = client_for(nctv_staff)
    assert owner.get(f"{URL}{shared.public_id}/").json()["shared_under"] is None
    assert {row["shared_under"] is None for row in owner.get(URL).json()["results"]} == {True}


def test_the_assessment_page_shows_the_purpose(client, operator_a, nctv_staff, shared):
    page = reverse("assessment-detail", args=[shared.public_id])
    sign_in(client, operator_a)
    body = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="notice shared-under"' in body
    assert "Convenant ArenA" in body and PURPOSE in body
    client.logout()
    sign_in(client, nctv_staff)
    assert PURPOSE not in client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_read_entry_and_the_nctv_access_log_carry_the_purpose(
    client_for, operator_a, nctv_staff, nctv, shared, covenant
):
    client_for(operator_a).get(f"{URL}{shared.public_id}/")
    event = AuditEvent.objects.get(action="sensitive.viewed")
    assert event.detail["shared_under"] == [
        {"object": str(shared.public_id), "owner": str(nctv.public_id), **under(covenant)}
    ]
    log = client_for(nctv_staff).get(f"/api/v1/organisations/{nctv.public_id}/access-log/")
    [row] = log.json()["results"]
    assert row["shared_under"] == [{"object": str(shared.public_id), **under(covenant)}]


def test_the_page_of_assessments_finds_their_covenants_in_one_query(
    client_for, operator_a, nctv_staff, org_a, covenant, django_assert_num_queries
):
    from tests.signin import second_factor_queries
    from tests.threats.api.test_queries import ASSESSMENTS, build_assessments

    partner, extra = client_for(operator_a), second_factor_queries(operator_a)
    for more in (2, 20):
        build_assessments(more, staff=nctv_staff, org=org_a, covenant=covenant)
        with django_assert_num_queries(ASSESSMENTS["operator_a"] + extra):
            rows = partner.get(URL).json()["results"]
        assert {row["shared_under"]["purpose"] for row in rows} == {PURPOSE}
