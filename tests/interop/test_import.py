"""Import of STIX bundles by NCTV staff: drafts first, published only on review; what cannot be
mapped is skipped with its reason; a round trip keeps title, TLP, motives, modi operandi and
target categories."""

from __future__ import annotations

import copy

import pytest

from interop.models import AssessmentDraft
from threats.models import AssessmentFacet, ThreatAssessment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def facets(assessment, kind) -> set[str]:
    return set(assessment.facets.filter(kind=kind).values_list("code", flat=True))


def test_an_export_import_round_trip_keeps_the_assessment(client_for, nctv_staff, amber):
    staff = client_for(nctv_staff)
    bundle = staff.get("/api/v1/stix/", {"tlp": "amber"}).json()
    before = ThreatAssessment.objects.count()
    response = staff.post("/api/v1/stix/import/", bundle, format="json")
    assert response.status_code == 201
    (draft,) = response.json()["drafts"]
    assert ThreatAssessment.objects.count() == before  # nothing published without review
    published = staff.post(f"/api/v1/stix/drafts/{draft['id']}/publish/")
    assert published.status_code == 200
    copy_ = ThreatAssessment.objects.get(public_id=published.json()["assessment"])
    assert copy_.title == amber.title and copy_.tlp == amber.tlp
    for kind in AssessmentFacet.Kind.values:
        assert facets(copy_, kind) == facets(amber, kind)
    assert set(copy_.target_categories.values_list("code", flat=True)) == {"football_stadium"}
    # publishing twice changes nothing
    staff.post(f"/api/v1/stix/drafts/{draft['id']}/publish/")
    assert ThreatAssessment.objects.count() == before + 1


def test_what_cannot_be_mapped_is_skipped_with_a_reason(client_for, nctv_staff, amber, green):
    staff = client_for(nctv_staff)
    bundle = staff.get("/api/v1/stix/").json()
    for obj in bundle["objects"]:
        if obj.get("name") == green.title:
            obj["object_marking_refs"] = []
    response = staff.post("/api/v1/stix/import/", bundle, format="json")
    assert response.status_code == 201
    assert [d["title"] for d in response.json()["drafts"]] == [amber.title]
    (skipped,) = response.json()["skipped"]
    assert skipped["id"] == f"report--{green.public_id}" and skipped["reason"] == "no TLP marking"


def test_a_bundle_with_nothing_to_map_is_refused_whole(client_for, nctv_staff, amber):
    staff = client_for(nctv_staff)
    bundle = staff.get("/api/v1/stix/").json()
    broken = copy.deepcopy(bundle)
    for obj in broken["objects"]:
        if obj["type"] == "attack-pattern":
            obj["x_pps_modus_operandi"] = "teleportation"
            obj["name"] = "Teleportation"
    response = staff.post("/api/v1/stix/import/", broken, format="json")
    assert response.status_code == 400
    assert "Teleportation" in " ".join(response.json()["bundle"])
    assert not AssessmentDraft.objects.exists()
    assert staff.post("/api/v1/stix/import/", {"type": "x"}, format="json").status_code == 400


def test_only_nctv_staff_import_and_publish(client_for, operator_a, nctv_staff, amber):
    bundle = client_for(nctv_staff).get("/api/v1/stix/").json()
    draft = client_for(nctv_staff).post("/api/v1/stix/import/", bundle, format="json").json()
    partner = client_for(operator_a)
    assert partner.post("/api/v1/stix/import/", bundle, format="json").status_code == 403
    publish = f"/api/v1/stix/drafts/{draft['drafts'][0]['id']}/publish/"
    assert partner.post(publish).status_code == 404
    assert AssessmentDraft.objects.get().status == "draft"
