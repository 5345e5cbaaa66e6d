"""Suspicious-activity reports with evidence: category and location on the map, photos and
files checked by content and size (PDFs parsed), served only to who sees the report; routed to
the police partner under a covenant that allows the report's TLP level, and not without."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.helpers import make_partnership
from tests.pdfs import encrypted_pdf, real_pdf
from tests.threats.api.conftest import make_target
from threats.models import Report, ReportAttachment

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
URL = "/api/v1/reports/"


@pytest.fixture
def police(db):
    return OrganisationFactory(name="Politie Antwerpen", kind="public", sector="")


@pytest.fixture
def officer(police):
    return UserFactory(username="officer", organisation=police, role="member")


def quarter(operator_a, org_a, police, clause):
    partnership = make_partnership(
        name=f"PPS {clause}", operator_org=org_a, police=police, clause=clause
    )
    return make_target(operator_a, name="Kwartier", partnership=partnership)


def body(target, **overrides):
    return {
        "soft_target": str(target.public_id),
        "kind": "suspicious_situation",
        "category": "hostile_reconnaissance",
        "what": "Iemand fotografeerde de toegangen.",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "location": "Hoveniersstraat",
        "latitude": "51.217800",
        "longitude": "4.416100",
        "tlp": "amber",
        **overrides,
    }


def post(client, data):
    return client.post(URL, data, format="multipart")


def test_a_report_with_a_photo_reaches_the_police_under_the_covenant(
    client_for, operator_a, org_a, police, officer
):
    target = quarter(operator_a, org_a, police, "amber")
    photo = SimpleUploadedFile("foto.jpg", JPEG, "image/jpeg")
    response = post(client_for(operator_a), body(target, attachments=[photo]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["category"], data["latitude"]) == ("hostile_reconnaissance", 51.2178)
    [attachment] = data["attachments"]
    assert attachment["kind"] == "jpeg" and "/media/" not in attachment["download"]

    police_client = client_for(officer)
    assert police_client.get(f"{URL}{data['id']}/").status_code == 200
    download = police_client.get(attachment["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content) == JPEG


def test_no_covenant_that_allows_it_no_routing(client_for, operator_a, org_a, police, officer):
    target = quarter(operator_a, org_a, police, "green")
    response = post(client_for(operator_a), body(target))
    assert response.status_code == 201
    assert client_for(officer).get(f"{URL}{response.json()['id']}/").status_code == 404
    assert client_for(officer).get(URL).json()["count"] == 0


def test_another_organisation_never_sees_the_report_or_its_files(
    client_for, operator_a, operator_b, org_a, police
):
    target = quarter(operator_a, org_a, police, "amber")
    photo = SimpleUploadedFile("foto.jpg", JPEG, "image/jpeg")
    data = post(client_for(operator_a), body(target, attachments=[photo])).json()
    other = client_for(operator_b)
    assert other.get(f"{URL}{data['id']}/").status_code == 404
    assert other.get(data["attachments"][0]["download"]).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.jpg", b"<html>not a photo</html>", "JPEG"),
        ("stuk.pdf", b"%PDF-1.7 broken", "PDF"),
        ("stuk.pdf", encrypted_pdf(), "password"),
    ],
)
def test_attachments_are_checked_by_content(
    client_for, operator_a, org_a, police, name, content, message
):
    target = quarter(operator_a, org_a, police, "amber")
    upload = SimpleUploadedFile(name, content, "image/jpeg")
    response = post(client_for(operator_a), body(target, attachments=[upload]))
    assert response.status_code == 400
    assert message in str(response.json()["attachments"])
    assert not Report.objects.exists() and not ReportAttachment.objects.exists()


def test_attachments_are_size_capped(client_for, operator_a, org_a, police, settings):
    settings.DOCUMENT_MAX_BYTES = 2048
    target = quarter(operator_a, org_a, police, "amber")
    big = SimpleUploadedFile("foto.jpg", JPEG + b"\x00" * 4096, "image/jpeg")
    response = post(client_for(operator_a), body(target, attachments=[big]))
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_pdf_attachment_is_accepted(client_for, operator_a, org_a, police):
    target = quarter(operator_a, org_a, police, "amber")
    pdf = SimpleUploadedFile("verslag.pdf", real_pdf(), "application/pdf")
    response = post(client_for(operator_a), body(target, attachments=[pdf]))
    assert response.status_code == 201
    assert response.json()["attachments"][0]["kind"] == "pdf"


def test_half_a_location_is_refused(client_for, operator_a, org_a, police):
    target = quarter(operator_a, org_a, police, "amber")
    data = body(target)
    del data["longitude"]
    response = post(client_for(operator_a), data)
    assert response.status_code == 400
    assert "latitude" in response.json()


def test_the_dashboard_form_takes_a_photo_and_the_detail_serves_it(
    client, operator_a, operator_b, org_a, police
):
    target = quarter(operator_a, org_a, police, "amber")
    client.force_login(operator_a)
    response = client.post(
        "/reports/new/",
        {
            "soft_target": str(target.public_id),
            "kind": "suspicious_situation",
            "category": "drone",
            "what": "Drone boven de toegang.",
            "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Pelikaanstraat",
            "latitude": "51.2170",
            "longitude": "4.4210",
            "tlp": "amber",
            "attachment": SimpleUploadedFile("drone.jpg", JPEG, "image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report = Report.objects.get()
    assert report.category == "drone"
    attachment = report.attachments.get()
    url = f"/reports/{report.public_id}/attachments/{attachment.public_id}/"
    assert url in client.get(f"/reports/{report.public_id}/").content.decode()
    assert client.get(url).status_code == 200
    client.force_login(operator_b)
    assert client.get(url).status_code == 404


def test_the_dashboard_form_refuses_a_fake_photo(client, operator_a, org_a, police):
    target = quarter(operator_a, org_a, police, "amber")
    client.force_login(operator_a)
    response = client.post(
        "/reports/new/",
        {
            "soft_target": str(target.public_id),
            "kind": "suspicious_situation",
            "category": "drone",
            "what": "Drone.",
            "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "tlp": "amber",
            "attachment": SimpleUploadedFile("drone.jpg", b"MZ\x90\x00", "image/jpeg"),
        },
    )
    assert response.status_code == 200
    assert "JPEG" in response.content.decode()
    assert not Report.objects.exists()
