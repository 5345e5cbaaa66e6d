"""/api/v1/reports/: operators report about their own soft targets and follow their reports;
NCTV staff triage and reply; the reporting organisation's writers may reply back."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from threats.models import Report, ReportReply
from threats.services import report_create, report_reply, report_triage

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"


def detail(report) -> str:
    return f"{URL}{report.public_id}/"


def new_report(target, **overrides) -> dict:
    return {
        "soft_target": str(target.public_id),
        "kind": "suspicious_situation",
        "what": "Twee mannen filmden de ingangen.",
        "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "location": "Poort F",
        "tlp": "amber",
        **overrides,
    }


def report_about(target, by, what="Verdachte situatie"):
    return report_create(
        by=by,
        soft_target=target,
        kind="suspicious_situation",
        what=what,
        occurred_at=timezone.now() - timedelta(days=1),
    )


@pytest.fixture
def report_a(arena, operator_a):
    return report_about(arena, operator_a, "Filmen bij poort F")


@pytest.fixture
def report_b(route, operator_b):
    return report_about(route, operator_b, "Drone boven de route")


def whats(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["what"] for row in response.json()["results"]}


# --- Reporting ----------------------------------------------------------------------------------


def test_an_operator_reports_about_its_own_target(client_for, operator_a, org_a, arena):
    response = client_for(operator_a).post(URL, new_report(arena), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["soft_target"] == {"id": str(arena.public_id), "name": "ArenA"}
    assert (body["kind"], body["kind_label"]) == ("suspicious_situation", "Suspicious situation")
    assert (body["status"], body["status_label"]) == ("new", "New")
    assert body["reporter"]["username"] == "operator-a"
    assert body["reporter_organisation"]["id"] == str(org_a.public_id)
    assert body["replies"] == []
    assert Report.objects.get().reporter_organisation == org_a


def test_a_peers_target_cannot_be_reported_on(client_for, operator_a, route):
    response = client_for(operator_a).post(URL, new_report(route), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "soft_target": ["Report only about your own organisation's soft targets."]
    }
    assert not Report.objects.exists()


def test_an_invisible_target_is_unknown(client_for, operator_a, hall):
    response = client_for(operator_a).post(URL, new_report(hall), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "soft_target": [f"There is no soft target with id {hall.public_id}."]
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": (timezone.now() + timedelta(days=1)).isoformat()}, "occurred_at"),
        ({"kind": "gossip"}, "kind"),
        ({"what": ""}, "what"),
        ({"tlp": "purple"}, "tlp"),
    ],
)
def test_bad_reports_are_refused(client_for, operator_a, arena, overrides, field):
    response = client_for(operator_a).post(URL, new_report(arena, **overrides), format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert not Report.objects.exists()


def test_a_viewer_may_not_report(client_for, viewer_a, arena):
    assert client_for(viewer_a).post(URL, new_report(arena), format="json").status_code == 403
    assert not Report.objects.exists()


# --- Following ----------------------------------------------------------------------------------


def test_an_organisation_sees_its_own_reports_with_status_and_replies(
    client_for, viewer_a, nctv_staff, report_a, report_b
):
    report_triage(report=report_a, status="in_review", by=nctv_staff)
    report_reply(report=report_a, body="Politie rijdt langs.", by=nctv_staff)
    client = client_for(viewer_a)
    assert whats(client.get(URL)) == {"Filmen bij poort F"}
    body = client.get(detail(report_a)).json()
    assert body["status"] == "in_review"
    [reply] = body["replies"]
    assert reply["body"] == "Politie rijdt langs."
    assert reply["author"]["username"] == "nctv-staff"
    assert reply["author_organisation"]["name"] == "NCTV"


def test_another_organisations_report_is_404(client_for, operator_a, report_b):
    client = client_for(operator_a)
    hidden, missing = client.get(detail(report_b)), client.get(f"{URL}{uuid.uuid4()}/")
    assert hidden.status_code == missing.status_code == 404
    assert client.post(f"{detail(report_b)}reply/", {"body": "Hoi"}).status_code == 404


def test_nctv_staff_see_every_report_and_filter_the_queue(
    client_for, nctv_staff, report_a, report_b
):
    report_triage(report=report_b, status="closed", by=nctv_staff)
    client = client_for(nctv_staff)
    assert whats(client.get(URL)) == {"Filmen bij poort F", "Drone boven de route"}
    assert whats(client.get(f"{URL}?status=new")) == {"Filmen bij poort F"}
    assert whats(client.get(f"{URL}?status=closed")) == {"Drone boven de route"}
    assert whats(client.get(f"{URL}?soft_target={report_a.soft_target.public_id}")) == {
        "Filmen bij poort F"
    }


# --- Triage and replies -------------------------------------------------------------------------


def test_nctv_staff_triage(client_for, nctv_staff, report_a):
    response = client_for(nctv_staff).post(
        f"{detail(report_a)}triage/", {"status": "in_review"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["status_label"]) == (
        "in_review",
        "In review",
    )
    bad = client_for(nctv_staff).post(f"{detail(report_a)}triage/", {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_the_reporter_may_not_triage(client_for, operator_a, report_a):
    response = client_for(operator_a).post(f"{detail(report_a)}triage/", {"status": "closed"})
    assert response.status_code == 403
    report_a.refresh_from_db()
    assert report_a.status == "new"


def test_staff_and_the_reporting_organisation_reply(client_for, nctv_staff, operator_a, report_a):
    staff = client_for(nctv_staff).post(f"{detail(report_a)}reply/", {"body": "Dank"})
    assert staff.status_code == 201, staff.content
    own = client_for(operator_a).post(f"{detail(report_a)}reply/", {"body": "Nog iets gezien"})
    assert own.status_code == 201
    assert [r["body"] for r in own.json()["replies"]] == ["Dank", "Nog iets gezien"]


def test_a_viewer_may_not_reply(client_for, viewer_a, report_a):
    response = client_for(viewer_a).post(f"{detail(report_a)}reply/", {"body": "Hoi"})
    assert response.status_code == 403
    assert not ReportReply.objects.exists()


def test_an_empty_reply_is_refused(client_for, nctv_staff, report_a):
    response = client_for(nctv_staff).post(f"{detail(report_a)}reply/", {"body": "  "})
    assert response.status_code == 400
    assert response.json() == {"body": ["Write a reply."]}


def test_a_closed_report_takes_no_more_replies_from_the_reporter(
    client_for, nctv_staff, operator_a, report_a
):
    report_triage(report=report_a, status="closed", by=nctv_staff)
    response = client_for(operator_a).post(f"{detail(report_a)}reply/", {"body": "Nog iets"})
    assert response.status_code == 400
    assert response.json() == {"body": ["This report is closed."]}


def test_reports_need_sign_in(api_client, report_a):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(f"{detail(report_a)}triage/", {"status": "closed"}).status_code == 401
