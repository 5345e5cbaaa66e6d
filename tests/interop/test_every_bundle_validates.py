"""Every bundle the portal exports validates with ``stix2-validator``: the REST export for every
persona, whole and per TLP level, and the objects of every TAXII collection they see, with
assessments (CLEAR to AMBER, with and without motives and modi operandi) and alerts in it."""

from __future__ import annotations

import uuid

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient
from stix2validator import ValidationOptions, validate_instance

from interop.taxii import MEDIA_TYPE
from partnerships.sharing import services as sharing
from ppsportal.sensitivity import TLP
from tests.alerts.conftest import world  # noqa: F401 (the alerts world fixture)
from tests.signin import sign_in
from tests.threats.api.conftest import make_assessment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PERSONAS = ("admin_a", "viewer_a", "admin_b", "user_d", "author")


@pytest.fixture
def feed(world):  # noqa: F811
    """What the feed carries: assessments at CLEAR, GREEN and AMBER (shared with A under the
    covenant), one without motives or modi; a GREEN and an AMBER alert."""
    make_assessment(world.author, title="Openbaar beeld", tlp="clear", motives=[], modi=[])
    make_assessment(world.author, title="Groen beeld", tlp="green")
    amber = make_assessment(
        world.author, title="Amber beeld", tlp="amber", modi=["vehicle_ramming", "stabbing"]
    )
    sharing.share_with_organisation(
        obj=amber,
        organisation=world.org_a,
        covenant=world.covenant,
        by=world.author,
        reason="Wedstrijd",
    )
    world.published(tlp="green", sectors=[world.sector("football_stadium")])
    world.published(tlp="amber", organisations=[world.org_a])
    return world


def valid(bundle: dict) -> None:
    results = validate_instance(bundle, ValidationOptions(version="2.1", strict=False))
    assert results.is_valid, [str(e) for e in results.errors]


def as_bundle(objects: list[dict]) -> dict:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_rest_export_validates(api_client, feed, persona):
    user = getattr(feed, persona)
    sign_in(api_client, user)
    reports = 0
    for tlp in (None, *TLP.values):
        response = api_client.get("/api/v1/stix/", {"tlp": tlp} if tlp else {})
        assert response.status_code == 200, tlp
        bundle = response.json()
        valid(bundle)
        if tlp is None:
            reports = sum(o["type"] == "report" for o in bundle["objects"])
    # the bundles were not empty: the world reached everyone (CLEAR and GREEN at least)
    assert reports >= 2


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_taxii_collection_validates(feed, persona):
    user = getattr(feed, persona)
    _instance, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT=MEDIA_TYPE)
    collections = client.get("/taxii2/api/collections/").json()["collections"]
    assert collections
    for collection in collections:
        envelope = client.get(f"/taxii2/api/collections/{collection['id']}/objects/").json()
        valid(as_bundle(envelope.get("objects", [])))


def test_the_amber_export_holds_both_kinds_of_report(api_client, feed):
    """The validated AMBER bundle of partner A is not trivially valid: it has an assessment and an
    alert, each with its TLP and covenant markings."""
    sign_in(api_client, feed.admin_a)
    bundle = api_client.get("/api/v1/stix/", {"tlp": "amber"}).json()
    kinds = sorted(o["x_pps_kind"] for o in bundle["objects"] if o["type"] == "report")
    assert kinds == ["alert", "threat-assessment"]
    valid(bundle)
