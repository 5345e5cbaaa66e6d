"""STIX 2.1 export: what a caller may see, as valid STIX with the official TLP 2.0 markings."""

from __future__ import annotations

import pytest
from stix2validator import ValidationOptions, validate_instance

from interop import stix
from ppsportal.audit import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

URL = "/api/v1/stix/"


def _reports(bundle) -> dict[str, dict]:
    return {o["name"]: o for o in bundle["objects"] if o["type"] == "report"}


def _valid(bundle) -> None:
    results = validate_instance(bundle, ValidationOptions(version="2.1", strict=False))
    assert results.is_valid, [str(e) for e in results.errors]


def test_the_bundle_of_a_partner_holds_what_it_may_see_and_validates(
    client_for, operator_a, green, amber
):
    response = client_for(operator_a).get(URL)
    assert response.status_code == 200
    bundle = response.json()
    _valid(bundle)
    reports = _reports(bundle)
    assert set(reports) == {green.title, amber.title}
    report = reports[amber.title]
    assert report["id"] == f"report--{amber.public_id}"
    assert report["object_marking_refs"][0] == stix.TLP_MARKING_IDS["amber"]
    ids = {o["id"]: o for o in bundle["objects"]}
    # the covenant it was shared under is a statement marking beside the TLP marking
    statement = ids[report["object_marking_refs"][1]]
    assert statement["definition_type"] == "statement"
    assert "Convenant ArenA" in statement["definition"]["statement"]
    # the official TLP 2.0 marking definition is in the bundle
    assert ids[stix.TLP_MARKING_IDS["amber"]]["name"] == "TLP:AMBER"
    patterns = {
        ids[ref]["x_pps_modus_operandi"]
        for ref in report["object_refs"]
        if ref.startswith("attack-pattern--")
    }
    assert patterns == {"vehicle_ramming", "stabbing"}
    actors = [ids[ref] for ref in report["object_refs"] if ref.startswith("threat-actor--")]
    assert [a["x_pps_motive"] for a in actors] == ["jihadism"]
    assert report["x_pps_target_categories"] == ["football_stadium"]
    assert ids[report["created_by_ref"]]["name"] == "NCTV"


def test_a_partner_without_the_share_receives_green_only(client_for, operator_b, green, amber):
    bundle = client_for(operator_b).get(URL).json()
    _valid(bundle)
    assert set(_reports(bundle)) == {green.title}
    assert stix.TLP_MARKING_IDS["amber"] not in {o["id"] for o in bundle["objects"]}


def test_reading_amber_through_stix_is_audited(client_for, operator_a, amber):
    client_for(operator_a).get(URL)
    entry = AuditEvent.objects.get(action="sensitive.viewed")
    assert entry.object_ids == [str(amber.public_id)]


def test_a_tlp_filter_narrows_and_a_bad_one_is_400(client_for, operator_a, green, amber):
    client = client_for(operator_a)
    assert set(_reports(client.get(URL, {"tlp": "green"}).json())) == {green.title}
    bad = client.get(URL, {"tlp": "purple"})
    assert bad.status_code == 400
    assert "tlp" in bad.json()


def test_unauthenticated_is_401(api_client, green):
    assert api_client.get(URL).status_code == 401
