"""NCTV staff link a report to the threat assessment it feeds into (``report_link_assessment``,
``POST /api/v1/reports/{id}/link-assessment/``); the reporter sees the link only when it may see
the assessment."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from partnerships.selectors import actor_for
from tests.threats.api.conftest import make_assessment
from threats.models import Report
from threats.selectors import assessments_visible_to
from threats.services import report_create
from threats.services_reports import report_link_assessment

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"


def link_url(report) -> str:
    return f"{URL}{report.public_id}/link-assessment/"


@pytest.fixture
def report_a(arena, operator_a):
    return report_create(
        by=operator_a,
        soft_target=arena,
        kind="suspicious_situation",
        what="Filmen bij poort F",
        occurred_at=timezone.now() - timedelta(days=1),
    )


@pytest.fixture
def secret(nctv_staff):
    """An assessment the reporting organisation may not see."""
    return make_assessment(nctv_staff, title="Geheim beeld", tlp="amber")


def test_staff_link_and_unlink(report_a, secret, nctv_staff):
    report_link_assessment(report=report_a, assessment=secret, by=nctv_staff)
    assert Report.objects.get(pk=report_a.pk).assessment == secret
    report_link_assessment(report=report_a, assessment=None, by=nctv_staff)
    assert Report.objects.get(pk=report_a.pk).assessment is None


def test_only_staff_link(report_a, secret, operator_a):
    with pytest.raises(PermissionDenied):
        report_link_assessment(report=report_a, assessment=secret, by=operator_a)
    assert Report.objects.get(pk=report_a.pk).assessment is None


def test_staff_link_through_the_api(client_for, report_a, secret, nctv_staff):
    response = client_for(nctv_staff).post(
        link_url(report_a), {"assessment": str(secret.public_id)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["assessment"] == {"id": str(secret.public_id), "title": "Geheim beeld"}
    assert Report.objects.get(pk=report_a.pk).assessment == secret


def test_a_partner_may_not_link(client_for, report_a, secret, operator_a, operator_b):
    assert (
        client_for(operator_a)
        .post(link_url(report_a), {"assessment": str(secret.public_id)}, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(operator_b)
        .post(link_url(report_a), {"assessment": str(secret.public_id)}, format="json")
        .status_code
        == 404
    )
    assert Report.objects.get(pk=report_a.pk).assessment is None


def test_an_unknown_assessment_or_report_is_404(client_for, report_a, secret, nctv_staff):
    client = client_for(nctv_staff)
    missing = client.post(link_url(report_a), {"assessment": str(uuid.uuid4())}, format="json")
    assert missing.status_code == 404
    report_a.public_id = uuid.uuid4()
    assert (
        client.post(
            link_url(report_a), {"assessment": str(secret.public_id)}, format="json"
        ).status_code
        == 404
    )


def test_the_reporter_does_not_see_an_assessment_it_may_not_see(
    client_for, report_a, secret, nctv_staff, operator_a
):
    assert not assessments_visible_to(actor_for(operator_a)).filter(pk=secret.pk).exists()
    report_link_assessment(report=report_a, assessment=secret, by=nctv_staff)
    client = client_for(operator_a)
    assert client.get(f"{URL}{report_a.public_id}/").json()["assessment"] is None
    assert client.get(URL).json()["results"][0]["assessment"] is None
    assert "Geheim" not in client.get(URL).content.decode()


def test_the_reporter_sees_the_title_of_an_assessment_it_may_see(
    client_for, report_a, nctv_staff, operator_a
):
    open_one = make_assessment(nctv_staff, title="Open beeld", tlp="clear")
    assert assessments_visible_to(actor_for(operator_a)).filter(pk=open_one.pk).exists()
    report_link_assessment(report=report_a, assessment=open_one, by=nctv_staff)
    row = client_for(operator_a).get(URL).json()["results"][0]
    assert row["assessment"] == {"id": str(open_one.public_id), "title": "Open beeld"}
