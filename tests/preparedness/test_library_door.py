"""Partnership documents are a shareable model of the sharing registry: the engine's selectors
decide who sees them (no copy of the rule in the library) and the read door records their AMBER
reads. The rule stays the library's: CLEAR/GREEN to the partnership's current parties, AMBER to
the parties that signed a covenant in force of that partnership with the owner, AMBER+STRICT to
the owner; NCTV staff read them as a party would, not as owners of everything."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerships.selectors import actor_for
from partnerships.sharing.registry import grant_specs, spec_for
from partnerships.sharing.selectors import visible_to
from ppsportal.models import AuditEvent
from preparedness import selectors_library, services_library
from preparedness.models import PartnershipDocument
from tests.signin import sign_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(by, partnership, tlp):
    return services_library.partnership_document_upload(
        partnership=partnership,
        by=by,
        title=f"Plattegrond {tlp}",
        tlp=tlp,
        upload=SimpleUploadedFile("plan.png", PNG, content_type="image/png"),
    )


@pytest.fixture
def documents(operator_a, pps, covenant):
    return {tlp: upload(operator_a, pps, tlp) for tlp in ("green", "amber", "amber_strict")}


def seen(user) -> set[str]:
    actor = actor_for(user)
    return {d.tlp for d in selectors_library.partnership_documents_visible_to(actor)}


def test_the_document_is_registered_and_the_library_keeps_no_copy_of_the_door():
    spec = spec_for(PartnershipDocument)
    assert (spec.owner_field, spec.tlp_field, spec.has_grants) == ("organisation", "tlp", False)
    assert spec not in grant_specs()  # nothing shares it object by object
    assert not hasattr(selectors_library, "audit_document_reads")
    with pytest.raises(LookupError):
        spec_for(PartnershipDocument, grants=True)  # the sharing services refuse it


def test_the_engine_answers_by_level_party_and_covenant(
    documents, operator_a, operator_b, operator_c, nctv_staff
):
    assert seen(operator_a) == {"green", "amber", "amber_strict"}
    assert seen(operator_b) == {"green", "amber"}
    assert seen(operator_c) == set()  # not a party
    # NCTV staff: every open document; AMBER only where the NCTV signed with the owner (it did,
    # in this partnership's covenant); AMBER+STRICT never
    assert seen(nctv_staff) == {"green", "amber"}
    actor = actor_for(operator_b)
    assert set(visible_to(actor, PartnershipDocument.objects.all())) == set(
        selectors_library.partnership_documents_visible_to(actor)
    )


def test_amber_stays_with_its_owner_when_the_covenant_ends(documents, operator_b, covenant):
    from partnerships.services.covenants import covenant_terminate

    covenant_terminate(covenant=covenant)
    assert seen(operator_b) == {"green"}


def test_the_read_door_records_the_amber_reads_of_the_library(
    client, documents, operator_a, operator_b
):
    sign_in(client, operator_b)
    assert client.get("/library/").status_code == 200
    event = AuditEvent.objects.get(action="sensitive.viewed")
    assert event.object_type == "preparedness.partnershipdocument"
    assert event.object_ids == [str(documents["amber"].public_id)]
    assert event.owner_organisation_ids == f",{operator_a.membership.organisation_id},"
    amber = documents["amber"].public_id
    assert client.get(f"/library/documents/{amber}/download/").status_code == 200
    assert AuditEvent.objects.filter(action="sensitive.viewed").count() == 2
    strict = documents["amber_strict"].public_id
    assert client.get(f"/library/documents/{strict}/download/").status_code == 404


def test_guardian_answers_nothing_for_a_document(documents, operator_b):
    assert not operator_b.has_perm("preparedness.view_partnershipdocument", documents["amber"])
