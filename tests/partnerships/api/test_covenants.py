"""/api/v1/covenants/: members read; coordinators and NCTV staff create, change and upload."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerships.models import Covenant, CovenantSignatory, CovenantTask
from partnerships.services.covenants import covenant_create, covenant_terminate
from tests.partnerships.api.conftest import days_ago, days_ahead
from tests.pdfs import real_pdf

pytestmark = pytest.mark.django_db

URL = "/api/v1/covenants/"
PDF = real_pdf()


def detail(covenant) -> str:
    return f"{URL}{covenant.public_id}/"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def pdf(content: bytes = PDF, name: str = "getekend.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- Who sees what ------------------------------------------------------------------------------


def test_members_see_the_covenants_of_their_own_partnerships(
    client_for, viewer_a, covenant_a, covenant_b
):
    client = client_for(viewer_a)
    assert titles(client.get(URL)) == ["Convenant ArenA"]
    assert client.get(detail(covenant_a)).status_code == 200


def test_another_organisations_covenant_is_not_found(
    client_for, operator_a, covenant_a, covenant_b
):
    client = client_for(operator_a)
    hidden = client.get(detail(covenant_b))
    missing = client.get(f"{URL}{uuid.uuid4()}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_nctv_staff_see_every_covenant(client_for, nctv_staff, covenant_a, covenant_b):
    assert titles(client_for(nctv_staff).get(URL)) == ["Convenant ArenA", "Convenant Vierdaagse"]


def test_a_covenant_shows_signatories_with_dates_tasks_and_derived_status(
    client_for, operator_a, org_a, municipality, partnership_a, covenant_a
):
    body = client_for(operator_a).get(detail(covenant_a)).json()
    assert body["id"] == str(covenant_a.public_id)
    assert body["partnership"] == {"id": str(partnership_a.public_id), "name": "ArenA Amsterdam"}
    assert body["kind"] == "covenant" and body["kind_label"] == "Covenant"
    assert body["status"] == "active" and body["status_label"] == "Active"
    assert body["information_clause"] == "amber"
    assert body["information_clause_label"] == "TLP:AMBER"
    assert body["effective_from"] == days_ago(100).isoformat()
    assert body["effective_until"] == days_ahead(365).isoformat()
    assert body["signatories"] == [
        {
            "organisation": {"id": str(municipality.public_id), "name": "Gemeente Amsterdam"},
            "signed_on": days_ago(105).isoformat(),
            "signed_at": None,
            "signed_by": None,
            "withdrawn_on": None,
        },
        {
            "organisation": {"id": str(org_a.public_id), "name": "Partner A Stadion"},
            "signed_on": days_ago(110).isoformat(),
            "signed_at": None,
            "signed_by": None,
            "withdrawn_on": None,
        },
    ]
    assert body["tasks"] == [
        {
            "organisation": {"id": str(org_a.public_id), "name": "Partner A Stadion"},
            "description": "Watches the cameras.",
        },
        {
            "organisation": {"id": str(municipality.public_id), "name": "Gemeente Amsterdam"},
            "description": "Calls the triangle together.",
        },
    ]
    assert body["has_document"] is False and body["document_uploaded_at"] is None


def test_an_unsigned_covenant_is_a_draft(client_for, operator_a, org_a, partnership_a):
    draft = covenant_create(
        partnership=partnership_a,
        title="Concept",
        effective_from=days_ago(1),
        signatories=[(org_a, None)],
    )
    body = client_for(operator_a).get(detail(draft)).json()
    assert (body["status"], body["status_label"]) == ("draft", "Draft")


# --- Filters ------------------------------------------------------------------------------------


@pytest.fixture
def four_states(partnership_a, org_a, municipality, covenant_a):
    """covenant_a is active; add a draft, an expired and a terminated one, and a protocol."""
    both_signed = [(org_a, days_ago(400)), (municipality, days_ago(400))]
    covenant_create(
        partnership=partnership_a,
        title="Concept",
        effective_from=days_ago(5),
        signatories=[(org_a, days_ago(5)), (municipality, None)],
    )
    covenant_create(
        partnership=partnership_a,
        title="Verlopen",
        effective_from=days_ago(400),
        effective_until=days_ago(1),
        signatories=both_signed,
    )
    ended = covenant_create(
        partnership=partnership_a,
        title="Opgezegd",
        effective_from=days_ago(300),
        signatories=both_signed,
    )
    covenant_terminate(covenant=ended, terminated_on=days_ago(2))
    covenant_create(
        partnership=partnership_a,
        kind="protocol",
        title="Protocol camerabeelden",
        effective_from=days_ahead(10),
        signatories=both_signed,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=active", {"Convenant ArenA"}),
        ("status=draft", {"Concept", "Protocol camerabeelden"}),
        ("status=expired", {"Verlopen"}),
        ("status=terminated", {"Opgezegd"}),
        ("kind=protocol", {"Protocol camerabeelden"}),
        ("kind=covenant&status=draft", {"Concept"}),
        ("search=camera", {"Protocol camerabeelden"}),
    ],
)
def test_filters(client_for, operator_a, four_states, query, expected):
    response = client_for(operator_a).get(f"{URL}?{query}")
    assert set(titles(response)) == expected


def test_each_status_filter_agrees_with_the_status_shown(client_for, operator_a, four_states):
    client = client_for(operator_a)
    for status in ("active", "draft", "expired", "terminated"):
        rows = client.get(f"{URL}?status={status}").json()["results"]
        assert rows and {row["status"] for row in rows} == {status}


def test_filter_by_partnership(client_for, nctv_staff, partnership_b, covenant_a, covenant_b):
    response = client_for(nctv_staff).get(f"{URL}?partnership={partnership_b.public_id}")
    assert titles(response) == ["Convenant Vierdaagse"]


def test_filtering_on_an_invisible_partnership_finds_nothing(
    client_for, operator_a, partnership_b, covenant_b
):
    response = client_for(operator_a).get(f"{URL}?partnership={partnership_b.public_id}")
    assert titles(response) == []


def test_the_default_order_is_partnership_then_newest_first(client_for, operator_a, four_states):
    assert titles(client_for(operator_a).get(URL)) == [
        "Protocol camerabeelden",
        "Concept",
        "Convenant ArenA",
        "Opgezegd",
        "Verlopen",
    ]


# --- Creating -----------------------------------------------------------------------------------


def _new_covenant(partnership, *signers, until=None, tasks=()) -> dict:
    return {
        "partnership": str(partnership.public_id),
        "kind": "data_sharing",
        "title": "Gegevensdeling ArenA",
        "effective_from": days_ago(1).isoformat(),
        "effective_until": until,
        "information_clause": "amber_strict",
        "purpose": "Camera images during events",
        "retention_days": 28,
        "signatories": [{"organisation": str(org.public_id)} for org in signers],
        "tasks": [{"organisation": str(org.public_id), "description": text} for org, text in tasks],
    }


def test_a_coordinator_creates_a_covenant_with_signatories_and_tasks(
    client_for, operator_a, org_a, municipality, partnership_a
):
    body = _new_covenant(
        partnership_a, org_a, municipality, tasks=[(municipality, "Calls whom when.")]
    )
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["title"] == "Gegevensdeling ArenA"
    assert created["kind"] == "data_sharing"
    assert created["status"] == "draft"  # each party signs for itself, afterwards
    assert created["information_clause"] == "amber_strict"
    assert created["retention_days"] == 28
    assert [s["organisation"]["name"] for s in created["signatories"]] == [
        "Gemeente Amsterdam",
        "Partner A Stadion",
    ]
    assert created["tasks"][0]["description"] == "Calls whom when."
    covenant = Covenant.objects.get(public_id=created["id"])
    assert covenant.partnership == partnership_a
    assert covenant.signatories.count() == 2


def test_nctv_staff_create_covenants_too(client_for, nctv_staff, org_b, partnership_b):
    response = client_for(nctv_staff).post(URL, _new_covenant(partnership_b, org_b), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("persona", ["officer", "viewer_a"])
def test_a_member_that_does_not_coordinate_cannot_create(
    request, client_for, org_a, partnership_a, persona
):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(URL, _new_covenant(partnership_a, org_a), format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the partnership's coordinators and NCTV staff can do this."
    }
    assert not Covenant.objects.exists()


def test_an_invisible_partnership_is_unknown_like_a_missing_one(
    client_for, operator_b, org_a, partnership_a
):
    client = client_for(operator_b)
    hidden = client.post(URL, _new_covenant(partnership_a, org_a), format="json")
    body = _new_covenant(partnership_a, org_a)
    missing_id = str(uuid.uuid4())
    missing = client.post(URL, {**body, "partnership": missing_id}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == {
        "partnership": [f"There is no partnership with id {partnership_a.public_id}."]
    }
    assert missing.json() == {"partnership": [f"There is no partnership with id {missing_id}."]}
    assert not Covenant.objects.exists()


def test_until_before_from_is_refused_and_nothing_saved(
    client_for, operator_a, org_a, partnership_a
):
    body = _new_covenant(partnership_a, org_a, until=days_ago(30).isoformat())
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "effective_until": ["'Effective until' cannot be before 'effective from'."]
    }
    assert not Covenant.objects.exists()
    assert not CovenantSignatory.objects.exists()


def test_a_signatory_that_is_not_a_member_is_refused_and_nothing_saved(
    client_for, operator_a, org_a, org_b, partnership_a
):
    body = _new_covenant(partnership_a, org_a, org_b)
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "signatories": ["Not a member of the partnership: Partner B Evenementen."]
    }
    assert not Covenant.objects.exists()
    assert not CovenantSignatory.objects.exists()


def test_a_task_for_a_non_member_is_refused(client_for, operator_a, org_a, org_b, partnership_a):
    body = _new_covenant(partnership_a, org_a, tasks=[(org_b, "Cameras")])
    response = client_for(operator_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert "tasks" in response.json()
    assert not Covenant.objects.exists()


def test_refusals_are_dutch_by_default(client_for, operator_a, org_a, partnership_a):
    response = client_for(operator_a, language="nl").post(URL, {}, format="json")
    assert response.status_code == 400
    assert response.json()["title"] == ["Dit veld is vereist."]


# --- Changing -----------------------------------------------------------------------------------


def test_a_coordinator_changes_the_terms_and_tasks_of_a_draft(
    client_for, operator_a, org_a, municipality, partnership_a
):
    covenant_a = covenant_create(
        partnership=partnership_a,
        title="Concept",
        effective_from=days_ago(1),
        signatories=[(org_a, None), (municipality, None)],
    )
    until = days_ahead(700).isoformat()
    response = client_for(operator_a).patch(
        detail(covenant_a),
        {
            "effective_until": until,
            "information_clause": "green",
            "tasks": [{"organisation": str(municipality.public_id), "description": "All tasks."}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["effective_until"] == until
    covenant_a.refresh_from_db()
    assert covenant_a.information_clause == "green"
    assert list(covenant_a.tasks.values_list("description", flat=True)) == ["All tasks."]


def test_a_bad_change_leaves_terms_and_tasks_as_they_were(
    client_for, operator_a, org_b, covenant_a
):
    response = client_for(operator_a).patch(
        detail(covenant_a),
        {
            "title": "Changed",
            "tasks": [{"organisation": str(org_b.public_id), "description": "Outsider task"}],
        },
        format="json",
    )
    assert response.status_code == 400
    covenant_a.refresh_from_db()
    assert covenant_a.title == "Convenant ArenA"
    assert CovenantTask.objects.filter(covenant=covenant_a).count() == 2


def test_a_change_that_ends_before_it_starts_is_refused(client_for, operator_a, covenant_a):
    response = client_for(operator_a).patch(
        detail(covenant_a), {"effective_until": days_ago(200).isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert "effective_until" in response.json()
    covenant_a.refresh_from_db()
    assert covenant_a.effective_until == days_ahead(365)


def test_a_member_that_does_not_coordinate_cannot_change(client_for, officer, covenant_a):
    response = client_for(officer).patch(detail(covenant_a), {"title": "X"}, format="json")
    assert response.status_code == 403
    covenant_a.refresh_from_db()
    assert covenant_a.title == "Convenant ArenA"


def test_an_outsider_cannot_even_find_a_covenant_to_change(client_for, operator_b, covenant_a):
    response = client_for(operator_b).patch(detail(covenant_a), {"title": "X"}, format="json")
    assert response.status_code == 404


# --- The signed document ------------------------------------------------------------------------


def document_url(covenant) -> str:
    return f"{detail(covenant)}document/"


def test_a_coordinator_uploads_the_signed_pdf(client_for, operator_a, covenant_a):
    response = client_for(operator_a).post(
        document_url(covenant_a), {"document": pdf()}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json()["has_document"] is True
    assert response.json()["document_uploaded_at"] is not None
    covenant_a.refresh_from_db()
    assert covenant_a.document.name.endswith(".pdf")
    assert "getekend" not in covenant_a.document.name  # never the uploader's file name
    with covenant_a.document.open("rb") as fh:
        assert fh.read() == PDF


def test_a_member_that_does_not_coordinate_cannot_upload(client_for, officer, covenant_a):
    response = client_for(officer).post(
        document_url(covenant_a), {"document": pdf()}, format="multipart"
    )
    assert response.status_code == 403
    covenant_a.refresh_from_db()
    assert not covenant_a.document


def test_an_outsider_gets_404_on_upload(client_for, operator_b, covenant_a):
    response = client_for(operator_b).post(
        document_url(covenant_a), {"document": pdf()}, format="multipart"
    )
    assert response.status_code == 404


def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(client_for, operator_a, covenant_a):
    fake = pdf(b"MZ\x90\x00 this is an executable", name="covenant.pdf")
    response = client_for(operator_a).post(
        document_url(covenant_a), {"document": fake}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {
        "document": ["The document is not a PDF file. Upload the signed document as PDF."]
    }
    covenant_a.refresh_from_db()
    assert not covenant_a.document and covenant_a.document_uploaded_at is None


def test_a_document_that_is_too_large_is_refused(client_for, operator_a, covenant_a, settings):
    settings.DOCUMENT_MAX_BYTES = 2 * 1024 * 1024
    big = pdf(PDF + b"0" * (2 * 1024 * 1024))
    response = client_for(operator_a).post(
        document_url(covenant_a), {"document": big}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"document": ["The document is too large: at most 2 MB is allowed."]}
    covenant_a.refresh_from_db()
    assert not covenant_a.document


def test_an_upload_without_a_file_is_refused(client_for, operator_a, covenant_a):
    response = client_for(operator_a).post(document_url(covenant_a), {}, format="multipart")
    assert response.status_code == 400
    assert "document" in response.json()


def test_a_new_upload_replaces_the_old_document(client_for, operator_a, covenant_a):
    client = client_for(operator_a)
    client.post(document_url(covenant_a), {"document": pdf()}, format="multipart")
    covenant_a.refresh_from_db()
    first = covenant_a.document.name
    second_pdf = PDF + b"% second version\n"
    response = client.post(
        document_url(covenant_a), {"document": pdf(second_pdf)}, format="multipart"
    )
    assert response.status_code == 200
    covenant_a.refresh_from_db()
    assert covenant_a.document.name != first
    with covenant_a.document.open("rb") as fh:
        assert fh.read() == second_pdf
