"""Answers back: besides the acknowledgement, a recipient organisation reports its situation
with a note, updatable while the alert is published; NCTV staff see the latest per organisation
on the board. Through the service, the dashboard and the API, for every persona."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from alerts import services
from alerts.models import StatusReport
from tests.alerts.api.conftest import detail
from tests.alerts.test_dashboard import sign_in, text_of
from tests.signin import sign_in as signed_in


def _report(alert, user, status, note=""):
    return services.alert_report_status(alert=alert, by=user, status=status, note=note)


def test_a_recipient_reports_and_updates_its_status_once_per_organisation(world):
    alert = world.published(organisations=[world.org_a])
    first = _report(alert, world.admin_a, "measures_in_place", "Extra stewards")
    later = _report(alert, world.admin_a, "need_assistance", "Verdacht pakket bij poort B")
    assert StatusReport.objects.filter(alert=alert).count() == 1
    assert later.pk == first.pk and later.status == "need_assistance"
    assert later.at > first.at and later.first_at == first.first_at


def test_who_may_report(world):
    alert = world.published(organisations=[world.org_a])
    with pytest.raises(PermissionDenied):
        _report(alert, world.viewer_a, "not_affected")
    with pytest.raises(services.AlertNotFound):
        _report(alert, world.user_d, "not_affected")  # not a recipient: as if missing
    with pytest.raises(services.AlertNotFound):
        _report(alert, world.author, "not_affected")  # the NCTV sends, it does not answer
    with pytest.raises(ValidationError):
        _report(alert, world.admin_a, "on_fire")
    services.alert_all_clear(alert=alert, by=world.approver)
    with pytest.raises(ValidationError):
        _report(alert, world.admin_a, "closed")
    assert not StatusReport.objects.exists()


def test_the_service_takes_the_alert_and_checks_it_again(world):
    """The face passes the alert it loaded; the service asks the read door again and judges by
    the stored status, not the object's (one loaded before the all clear is still refused)."""
    alert = world.published(organisations=[world.org_a])
    loaded = type(alert).objects.get(pk=alert.pk)
    services.alert_all_clear(alert=alert, by=world.approver)
    assert loaded.status == "published"
    with pytest.raises(ValidationError):
        _report(loaded, world.admin_a, "closed")
    with pytest.raises(services.AlertNotFound):
        _report(loaded, world.admin_b, "closed")  # not sent to B
    assert not StatusReport.objects.exists()


def test_the_board_shows_the_latest_status_and_the_time_to_it(client, world):
    alert = world.published(organisations=[world.org_a, world.org_b])
    _report(alert, world.admin_a, "closed", "Stadion ontruimd")
    page = text_of(
        sign_in(client, world.duty).get(reverse("alert-board-detail", args=[alert.public_id]))
    )
    assert "Closed or evacuated" in page and "Stadion ontruimd" in page
    assert "after 0" in page  # minutes after publication


def test_a_partner_reports_on_the_alert_page(client, world):
    alert = world.published(organisations=[world.org_a])
    sign_in(client, world.admin_a)
    page = client.get(reverse("alert-detail", args=[alert.public_id]))
    assert 'id="status-form"' in page.content.decode()
    url = reverse("alert-report-status", args=[alert.public_id])
    response = client.post(url, {"status-status": "not_affected", "status-note": ""})
    assert response.status_code == 302
    assert StatusReport.objects.get(alert=alert).status == "not_affected"
    refused = client.post(url, {"status-status": "nonsense"})
    assert refused.status_code == 400
    sign_in(client, world.viewer_a)
    assert (
        'id="status-form"'
        not in client.get(reverse("alert-detail", args=[alert.public_id])).content.decode()
    )
    assert client.post(url, {"status-status": "closed"}).status_code == 403


def _post(user, url, body):
    from rest_framework.test import APIClient

    client = APIClient()
    signed_in(client, user)
    return client.post(url, body, format="json")


def test_the_api_takes_a_status_with_the_right_answers(world):
    alert = world.published(organisations=[world.org_a])
    url = detail(alert, "status/")
    made = _post(world.admin_a, url, {"status": "measures_in_place", "note": "Extra"})
    assert made.status_code == 200, made.content
    assert made.json()["status"] == "measures_in_place"
    assert made.json()["organisation"]["name"] == "Partner A Stadion"
    assert _post(world.admin_a, url, {"status": "x"}).status_code == 400
    assert _post(world.viewer_a, url, {"status": "closed"}).status_code == 403
    assert _post(world.user_d, url, {"status": "closed"}).status_code == 404
    services.alert_cancel(alert=alert, by=world.approver)
    assert _post(world.admin_a, url, {"status": "closed"}).status_code == 409
    assert StatusReport.objects.get(alert=alert).status == "measures_in_place"
