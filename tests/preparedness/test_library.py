"""The document library: the NCTV's guidance in versions with a read receipt per user and
version; partnership documents seen by the parties by their TLP level and the covenants in
force, files checked as report evidence is and served only through the portal, AMBER+ reads
audited, anything invisible a 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ppsportal.models import AuditEvent
from preparedness import services_library
from preparedness.models import GuidanceReceipt, PartnershipDocument
from tests.pdfs import real_pdf
from tests.signin import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<html><script>alert(1)</script></html>"


def pdf(name="gids.pdf"):
    return SimpleUploadedFile(name, real_pdf(), content_type="application/pdf")


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def guide(nctv_staff):
    return services_library.guidance_publish(
        by=nctv_staff, title="Handreiking drukke plaatsen", kind="guide", upload=pdf()
    )


def upload(by, partnership, tlp, title=None, content=PNG):
    return services_library.partnership_document_upload(
        partnership=partnership,
        by=by,
        title=title or f"Plattegrond {tlp}",
        tlp=tlp,
        upload=SimpleUploadedFile("plan.png", content, content_type="image/png"),
    )


# --- guidance -----------------------------------------------------------------------------------


def test_a_new_version_is_unread_until_the_reader_downloads_it(
    client, operator_b, nctv_staff, guide
):
    sign_in(client, operator_b)
    detail = f"/library/guidance/{guide.public_id}/"
    download = f"{detail}download/"
    assert client.get(download).status_code == 200
    services_library.guidance_version_add(
        guidance=guide, by=nctv_staff, upload=pdf(), notes="Nieuwe hoofdstukken"
    )
    body = client.get(detail).content.decode()
    assert "You have not read the current version yet." in body
    assert 'id="readers"' not in body  # who read it is for NCTV staff
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    receipts = GuidanceReceipt.objects.filter(user=operator_b)
    assert sorted(r.version.number for r in receipts) == [1, 2]
    assert "You have read the current version." in client.get(detail).content.decode()


def test_staff_see_who_read_the_current_version(client, operator_a, nctv_staff, guide):
    services_library.guidance_mark_read(guidance=guide, by=operator_a)
    services_library.guidance_mark_read(guidance=guide, by=operator_a)  # twice: one receipt
    assert GuidanceReceipt.objects.count() == 1
    sign_in(client, nctv_staff)
    body = client.get(f"/library/guidance/{guide.public_id}/").content.decode()
    assert 'id="readers"' in body and "Partner A Stadion" in body


def test_the_api_marks_read_and_lists_the_current_version(
    client_for, operator_a, nctv_staff, guide
):
    services_library.guidance_version_add(guidance=guide, by=nctv_staff, upload=pdf())
    api = client_for(operator_a)
    row = api.get("/api/v1/guidance/").json()["results"][0]
    assert (row["current_version"], row["read_current"]) == (2, False)
    response = api.post(f"/api/v1/guidance/{guide.public_id}/read/")
    assert response.status_code == 200 and response.json()["read_current"] is True
    assert api.get(f"/api/v1/guidance/{guide.public_id}/download/").status_code == 200
    assert GuidanceReceipt.objects.filter(user=operator_a).count() == 1


def test_guidance_is_published_open_and_by_the_nctv_only(nctv_staff, operator_a):
    with pytest.raises(ValidationError) as refused:
        services_library.guidance_publish(
            by=nctv_staff, title="Geheim", kind="guide", upload=pdf(), tlp="amber"
        )
    assert "tlp" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services_library.guidance_publish(
            by=operator_a, title="Eigen gids", kind="guide", upload=pdf()
        )
    with pytest.raises(ValidationError) as bad_file:
        services_library.guidance_publish(
            by=nctv_staff,
            title="Script",
            kind="checklist",
            upload=SimpleUploadedFile("c.pdf", HTML, content_type="application/pdf"),
        )
    assert list(bad_file.value.message_dict) == ["file"]


def test_staff_publish_guidance_in_the_admin_through_the_service(client, nctv_staff):
    sign_in(client, nctv_staff)
    response = client.post(
        "/admin/preparedness/guidance/add/",
        {
            "title": "Model convenant",
            "kind": "covenant_template",
            "sector": "",
            "summary": "",
            "tlp": "clear",
            "upload": pdf("model.pdf"),
            "notes": "Eerste versie",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from preparedness.models import Guidance

    guidance = Guidance.objects.get(title="Model convenant")
    assert [v.number for v in guidance.versions.all()] == [1]


# --- partnership documents ----------------------------------------------------------------------


def test_parties_see_documents_by_level_and_covenant(
    client,
    operator_a,
    operator_b,
    operator_c,
    pps,
    covenant,
):
    green = upload(operator_a, pps, "green")
    amber = upload(operator_a, pps, "amber")
    strict = upload(operator_a, pps, "amber_strict")

    def downloads(user, document):
        sign_in(client, user)
        return client.get(f"/library/documents/{document.public_id}/download/").status_code

    assert [downloads(operator_b, d) for d in (green, amber, strict)] == [200, 200, 404]
    assert [downloads(operator_a, d) for d in (green, amber, strict)] == [200, 200, 200]
    assert [downloads(operator_c, d) for d in (green, amber, strict)] == [404, 404, 404]


def test_without_a_covenant_in_force_amber_stays_with_its_owner(
    client_for, operator_a, operator_b, pps
):
    amber = upload(operator_a, pps, "amber")
    green = upload(operator_a, pps, "green")
    api = client_for(operator_b)
    ids = [row["id"] for row in api.get("/api/v1/partnership-documents/").json()["results"]]
    assert ids == [str(green.public_id)]
    assert api.get(f"/api/v1/partnership-documents/{amber.public_id}/").status_code == 404
    assert api.get(f"/api/v1/partnership-documents/{amber.public_id}/download/").status_code == 404


def test_an_amber_read_is_audited(client, operator_a, operator_b, pps, covenant):
    amber = upload(operator_a, pps, "amber")
    green = upload(operator_a, pps, "green")
    sign_in(client, operator_b)
    client.get(f"/library/documents/{green.public_id}/download/")
    assert not AuditEvent.objects.filter(action="sensitive.viewed").exists()
    client.get(f"/library/documents/{amber.public_id}/download/")
    event = AuditEvent.objects.get(action="sensitive.viewed")
    assert event.object_type == "preparedness.partnershipdocument"
    assert event.object_ids == [str(amber.public_id)]


def test_the_operator_uploads_in_the_dashboard_with_errors_on_the_file(client, operator_a, pps):
    sign_in(client, operator_a)
    assert client.get("/library/documents/new/").status_code == 200
    form = {"partnership": str(pps.public_id), "title": "Plan", "tlp": "amber", "description": ""}
    response = client.post(
        "/library/documents/new/",
        {**form, "file": SimpleUploadedFile("plan.pdf", HTML, content_type="application/pdf")},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert not PartnershipDocument.objects.exists()
    response = client.post("/library/documents/new/", {**form, "file": pdf("plan.pdf")})
    assert response.status_code == 302
    document = PartnershipDocument.objects.get()
    assert (document.organisation.name, document.file_kind) == ("Partner A Stadion", "pdf")
    assert "/media/" not in client.get("/library/").content.decode()


def test_too_large_and_red_are_refused(settings, operator_a, pps):
    with pytest.raises(ValidationError) as red:
        upload(operator_a, pps, "red")
    assert list(red.value.message_dict) == ["tlp"]
    settings.DOCUMENT_MAX_BYTES = 32
    with pytest.raises(ValidationError) as large:
        upload(operator_a, pps, "green")
    assert list(large.value.message_dict) == ["file"]
    assert not PartnershipDocument.objects.exists()


def test_the_api_uploads_for_parties_only(client_for, operator_a, viewer_a, operator_c, pps):
    data = {
        "partnership": str(pps.public_id),
        "title": "Plan",
        "tlp": "green",
        "file": SimpleUploadedFile("p.png", PNG, content_type="image/png"),
    }
    response = client_for(operator_c).post(
        "/api/v1/partnership-documents/", data, format="multipart"
    )
    assert response.status_code == 400 and list(response.json()) == ["partnership"]
    data["file"] = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    response = client_for(viewer_a).post("/api/v1/partnership-documents/", data, format="multipart")
    assert response.status_code == 400  # a reader's organisation has no partnership to add to
    data["file"] = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    response = client_for(operator_a).post(
        "/api/v1/partnership-documents/", data, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["organisation"] == "Partner A Stadion"


def test_a_reader_may_not_open_the_upload_form(client, viewer_a, pps):
    sign_in(client, viewer_a)
    assert client.get("/library/documents/new/").status_code == 403


# --- query counts -------------------------------------------------------------------------------


def test_the_library_page_does_not_grow_with_documents(
    client,
    operator_a,
    operator_b,
    pps,
    covenant,
    guide,
    nctv_staff,
    django_assert_num_queries,
):
    upload(operator_a, pps, "amber")
    sign_in(client, operator_b)
    client.get("/library/")
    with django_assert_num_queries(LIBRARY_QUERIES):
        client.get("/library/")
    upload(operator_a, pps, "amber", title="Tweede")
    upload(operator_a, pps, "green", title="Derde")
    services_library.guidance_publish(
        by=nctv_staff, title="Checklist", kind="checklist", upload=pdf()
    )
    with django_assert_num_queries(LIBRARY_QUERIES):
        body = client.get("/library/").content.decode()
    assert "Tweede" in body and "Checklist" in body


LIBRARY_QUERIES = 11  # the paginated guidance counted apart (a level filter, no door's set)


def test_the_api_lists_do_not_grow(
    client_for, operator_a, pps, guide, nctv_staff, django_assert_num_queries
):
    api = client_for(operator_a)
    upload(operator_a, pps, "amber")
    for url, queries in (
        ("/api/v1/guidance/", GUIDANCE_API_QUERIES),
        ("/api/v1/partnership-documents/", DOCUMENTS_API_QUERIES),
    ):
        api.get(url)
        with django_assert_num_queries(queries):
            api.get(url)
    upload(operator_a, pps, "green", title="Tweede")
    services_library.guidance_publish(by=nctv_staff, title="Twee", kind="guide", upload=pdf())
    with django_assert_num_queries(GUIDANCE_API_QUERIES):
        assert api.get("/api/v1/guidance/").json()["count"] == 2
    with django_assert_num_queries(DOCUMENTS_API_QUERIES):
        assert api.get("/api/v1/partnership-documents/").json()["count"] == 2


# the documents' count comes with their page (one query: the read door built the set); the
# guidance's apart (a level filter, no door's set: ppsportal.pagination)
GUIDANCE_API_QUERIES = 7
DOCUMENTS_API_QUERIES = 5


def test_amber_goes_at_once_when_the_covenant_ends(
    client_for, operator_a, operator_b, pps, covenant
):
    from partnerships.services.covenants import covenant_terminate

    amber = upload(operator_a, pps, "amber")
    api = client_for(operator_b)
    assert api.get(f"/api/v1/partnership-documents/{amber.public_id}/").status_code == 200
    covenant_terminate(covenant=covenant)
    assert api.get(f"/api/v1/partnership-documents/{amber.public_id}/").status_code == 404
    assert (
        client_for(operator_a).get(f"/api/v1/partnership-documents/{amber.public_id}/").status_code
        == 200
    )


def test_unknown_guidance_is_not_found(client, client_for, operator_a):
    import uuid

    unknown = uuid.uuid4()
    sign_in(client, operator_a)
    assert client.get(f"/library/guidance/{unknown}/").status_code == 404
    assert client.get(f"/library/guidance/{unknown}/download/").status_code == 404
    assert client.post(f"/library/guidance/{unknown}/read/").status_code == 404
    api = client_for(operator_a)
    assert api.get(f"/api/v1/guidance/{unknown}/download/").status_code == 404
    assert api.post(f"/api/v1/guidance/{unknown}/read/").status_code == 404
