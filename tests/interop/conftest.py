"""The world of the STIX and TAXII tests, built through the services on the shared personas.

- ``pps`` and ``covenant`` (clause AMBER, signed by A and B) from the threats API tests;
- ``green``: a GREEN assessment of the NCTV (every partner sees it);
- ``amber``: an AMBER assessment shared with partner A under ``covenant`` (B does not see it);
- ``token_for(user)``: an API token, as an integrator (MISP, OpenCTI) would hold it.
"""

from __future__ import annotations

import pytest
from knox.models import AuthToken

from partnerships.sharing import services as sharing
from tests.threats.api.conftest import client_for, covenant, make_assessment, pps  # noqa: F401


@pytest.fixture
def green(nctv_staff):
    return make_assessment(nctv_staff, title="Oproepen op sociale media", tlp="green")


@pytest.fixture
def amber(nctv_staff, org_a, covenant):  # noqa: F811
    assessment = make_assessment(
        nctv_staff, title="Dreiging tegen stadions", modi=["vehicle_ramming", "stabbing"]
    )
    sharing.share_with_organisation(
        obj=assessment, organisation=org_a, covenant=covenant, by=nctv_staff, reason="Stadion"
    )
    return assessment


@pytest.fixture
def token_for(db):
    def issue(user) -> str:
        _instance, token = AuthToken.objects.create(user=user)
        return token

    return issue
