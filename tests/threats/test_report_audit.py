"""Reads of reports at TLP:AMBER and above are written to the audit log, like any sensitive one."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ppsportal.models import AuditEvent
from tests import signin
from threats import services
from threats.models import Sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(operator_a, nctv_staff):
    target = services.soft_target_create(
        by=operator_a,
        name="Stadion A",
        category=Sector.objects.get(code="football_stadium"),
        municipality="Amsterdam",
        latitude=Decimal("52.3"),
        longitude=Decimal("4.9"),
        capacity=1000,
        security_contact_name="Meldkamer",
        security_contact_phone="020-0000000",
    )
    return services.report_create(
        by=operator_a,
        soft_target=target,
        kind="incident",
        what="Verdacht pakket",
        occurred_at=timezone.now() - timedelta(hours=1),
        tlp="amber",
    )


def test_staff_reading_an_amber_report_is_logged(report, nctv_staff):
    client = APIClient()
    client.force_authenticate(nctv_staff)
    assert client.get(f"/api/v1/reports/{report.public_id}/").status_code == 200
    event = AuditEvent.objects.get(action="sensitive.viewed", purpose="api detail")
    assert event.object_type == "threats.report"
    assert event.object_ids == [str(report.public_id)]
    assert event.owner_organisation_ids == f",{report.reporter_organisation_id},"


def test_dashboard_report_page_is_logged(client, report, nctv_staff):
    signin.sign_in(client, nctv_staff)
    assert client.get(f"/reports/{report.public_id}/").status_code == 200
    assert (
        AuditEvent.objects.filter(action="sensitive.viewed", object_type="threats.report").count()
        == 1
    )
