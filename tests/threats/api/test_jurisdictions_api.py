"""``/api/v1/threat-level/`` in each partner's own jurisdiction; recording a level through the
API under the same rule as the service (the NCTV cannot set a Belgian level)."""

import pytest

from tests.factories import OrganisationFactory, UserFactory
from threats import services, services_levels
from threats.models import NationalThreatLevel

pytestmark = pytest.mark.django_db

LEVEL = "/api/v1/threat-level/"


@pytest.fixture
def awdc_operator(db):
    awdc = OrganisationFactory(name="AWDC", sector="shopping_area", country="BE")
    return UserFactory(username="awdc-operator", organisation=awdc, role="admin")


@pytest.fixture
def superuser(nctv):
    return UserFactory(
        username="nctv-root", organisation=nctv, role="admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def levels(nctv_staff, superuser):
    services.threat_level_set(level=4, rationale="Substantieel", by=nctv_staff)
    services_levels.level_mandate_grant(user=superuser, jurisdiction="be", by=superuser)
    services.threat_level_set(jurisdiction="be", level=3, rationale="OCAM", by=superuser)


def test_each_partner_reads_its_own_authoritys_level(client_for, awdc_operator, viewer_a, levels):
    body = client_for(awdc_operator).get(LEVEL).json()
    assert (body["jurisdiction"], body["authority"]) == ("be", "OCAM/OCAD")
    national = body["national"]
    assert (national["level"], national["level_label"]) == (3, "3 — serious (OCAM)")
    assert national["on_behalf_of"] == "OCAM/OCAD"
    assert [row["jurisdiction"] for row in body["history"]] == ["be"]

    body = client_for(viewer_a).get(LEVEL).json()
    assert (body["jurisdiction"], body["authority"]) == ("nl", "NCTV")
    assert (body["national"]["level"], body["national"]["level_label"]) == (4, "4 — substantial")
    # anyone may look at the other jurisdiction's level, by name
    assert client_for(viewer_a).get(LEVEL, {"jurisdiction": "be"}).json()["national"]["level"] == 3
    assert client_for(viewer_a).get(LEVEL, {"jurisdiction": "fr"}).status_code == 400


def test_the_nctv_cannot_set_a_belgian_level_through_the_api(client_for, nctv_staff):
    response = client_for(nctv_staff).post(
        LEVEL, {"jurisdiction": "be", "level": 3, "rationale": "OCAM"}, format="json"
    )
    assert response.status_code == 403
    assert "cannot set a level for Belgium" in response.json()["detail"]
    assert not NationalThreatLevel.objects.exists()

    response = client_for(nctv_staff).post(
        LEVEL, {"level": 5, "rationale": "Kritiek"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["jurisdiction"], response.json()["national"]["level"]) == ("nl", 5)


def test_a_mandated_user_records_ocams_level_within_its_scale(client_for, superuser):
    services_levels.level_mandate_grant(user=superuser, jurisdiction="be", by=superuser)
    client = client_for(superuser)
    refused = client.post(
        LEVEL, {"jurisdiction": "be", "level": 5, "rationale": "x"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["level"] == ["OCAM/OCAD's levels run from 1 to 4."]
    response = client.post(
        LEVEL, {"jurisdiction": "be", "level": 2, "rationale": "OCAM"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["national"]["on_behalf_of"] == "OCAM/OCAD"


def test_partners_record_no_level(client_for, operator_a, awdc_operator):
    for user in (operator_a, awdc_operator):
        for jurisdiction in ("nl", "be"):
            response = client_for(user).post(
                LEVEL, {"jurisdiction": jurisdiction, "level": 2, "rationale": "x"}, format="json"
            )
            assert response.status_code == 403
    assert not NationalThreatLevel.objects.exists()
