"""TAXII 2.1: discovery, API root, collections per TLP level the caller sees, objects with
``added_after`` paging; the same tokens and the same visibility as the REST API."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from rest_framework.test import APIClient
from taxii2client.v21 import Server, as_pages

from interop.taxii import MEDIA_TYPE, collection_id
from partnerships.services.covenants import covenant_terminate
from ppsportal.audit import AuditEvent

pytestmark = [pytest.mark.postgres]

ROOT = "/taxii2/"
COLLECTIONS = "/taxii2/api/collections/"


def objects_url(level: str) -> str:
    return f"{COLLECTIONS}{collection_id(level)}/objects/"


class TokenAuth(requests.auth.AuthBase):
    def __init__(self, token: str):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Token {self.token}"
        return request


def taxii(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT=MEDIA_TYPE)
    return client


def collection_titles(client) -> list[str]:
    return [c["title"] for c in client.get(COLLECTIONS).json()["collections"]]


def report_names(body) -> set[str]:
    return {o["name"] for o in body.get("objects", []) if o["type"] == "report"}


# --- Conformance, with a TAXII client against the running portal ---------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_taxii_client_reads_what_an_amber_entitled_partner_may_see(
    live_server, token_for, operator_a, green, amber
):
    server = Server(f"{live_server.url}{ROOT}", auth=TokenAuth(token_for(operator_a)))
    assert server.title == "PPS Portal TAXII"
    api_root = server.default
    assert "application/taxii+json;version=2.1" in api_root.versions
    by_title = {c.title: c for c in api_root.collections}
    assert set(by_title) == {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER"}
    amber_collection = by_title["TLP:AMBER"]
    assert amber_collection.can_read and not amber_collection.can_write
    pages = list(as_pages(amber_collection.get_objects, per_request=2))
    objects = [o for page in pages for o in page.get("objects", [])]
    assert len(pages) > 1  # paged: report, identity, actor, two patterns, markings
    assert {o["name"] for o in objects if o["type"] == "report"} == {amber.title}
    assert len({o["id"] for o in objects}) == len(objects)  # each object once
    green_objects = by_title["TLP:GREEN"].get_objects()
    assert report_names(green_objects) == {green.title}


# --- Collections per persona ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_green_only_partner_has_no_amber_collection(token_for, operator_b, green, amber):
    client = taxii(token_for(operator_b))
    discovery = client.get(ROOT).json()  # discovery and the API root answer them as anyone
    assert discovery["api_roots"] == [discovery["default"]]
    assert client.get("/taxii2/api/").json()["versions"] == [MEDIA_TYPE]
    assert collection_titles(client) == ["TLP:CLEAR", "TLP:GREEN"]
    assert report_names(client.get(objects_url("green")).json()) == {green.title}
    for path in (f"{COLLECTIONS}{collection_id('amber')}/", objects_url("amber")):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["http_status"] == "404"
    assert not AuditEvent.objects.filter(action="sensitive.viewed").exists()


@pytest.mark.django_db
def test_a_lapsed_covenant_takes_the_amber_collection_away_on_the_next_request(
    token_for, operator_a, covenant, amber
):
    client = taxii(token_for(operator_a))
    assert "TLP:AMBER" in collection_titles(client)
    assert report_names(client.get(objects_url("amber")).json()) == {amber.title}
    covenant_terminate(covenant=covenant)
    assert collection_titles(client) == ["TLP:CLEAR", "TLP:GREEN"]
    assert client.get(objects_url("amber")).status_code == 404


@pytest.mark.django_db
def test_a_covenant_that_runs_out_takes_the_amber_collection_away_on_the_next_request(
    token_for, operator_a, org_a, nctv, nctv_staff, pps, green
):
    """The covenant lapses by its own end date (no one terminates it): the same token's next
    request, the day after, has no AMBER collection and its objects are not found."""
    from freezegun import freeze_time

    from partnerships.services.covenants import covenant_create
    from partnerships.sharing import services as sharing
    from tests.threats.api.conftest import make_assessment

    today = timezone.localdate()
    short = covenant_create(
        partnership=pps,
        title="Convenant tot vandaag",
        effective_from=today - timedelta(days=5),
        effective_until=today,
        information_clause="amber",
        signatories=[(org_a, today - timedelta(days=6)), (nctv, today - timedelta(days=6))],
    )
    amber = make_assessment(nctv_staff, title="Loopt af met het convenant")
    sharing.share_with_organisation(
        obj=amber, organisation=org_a, covenant=short, by=nctv_staff, reason="Wedstrijd"
    )
    client = taxii(token_for(operator_a))
    assert "TLP:AMBER" in collection_titles(client)
    assert report_names(client.get(objects_url("amber")).json()) == {amber.title}
    with freeze_time(timezone.now() + timedelta(days=1)):
        assert collection_titles(client) == ["TLP:CLEAR", "TLP:GREEN"]
        assert client.get(objects_url("amber")).status_code == 404
        assert report_names(client.get(objects_url("green")).json()) == {green.title}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [ROOT, "/taxii2/api/", COLLECTIONS, f"{COLLECTIONS}{collection_id('green')}/objects/"]
)
def test_a_wrong_token_is_401_as_a_taxii_error(api_client, path, green):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token", HTTP_ACCEPT=MEDIA_TYPE)
    response = api_client.get(path)
    assert response.status_code == 401
    assert response.json()["http_status"] == "401"
    assert response["Content-Type"] == MEDIA_TYPE


@pytest.mark.django_db
def test_amber_read_over_taxii_is_audited(token_for, operator_a, amber):
    taxii(token_for(operator_a)).get(objects_url("amber"))
    entry = AuditEvent.objects.get(action="sensitive.viewed")
    assert entry.object_ids == [str(amber.public_id)]
    assert entry.purpose == "taxii"


# --- Nothing reaches TAXII that the REST API would not show ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["operator_a", "viewer_a", "operator_b", "nctv_staff"])
def test_taxii_serves_exactly_what_the_rest_api_lists(request, token_for, persona, green, amber):
    token = token_for(request.getfixturevalue(persona))
    client = taxii(token)
    via_taxii = set()
    for collection in client.get(COLLECTIONS).json()["collections"]:
        body = client.get(f"{COLLECTIONS}{collection['id']}/objects/").json()
        via_taxii |= {o["id"] for o in body.get("objects", []) if o["type"] == "report"}
    rest = APIClient()
    rest.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    via_rest = set()
    for path in ("/api/v1/threat-assessments/", "/api/v1/alerts/"):
        via_rest |= {f"report--{row['id']}" for row in rest.get(path).json()["results"]}
    assert via_taxii == via_rest
    assert via_rest  # every persona sees at least the GREEN assessment


# --- Paging and input -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_added_after_and_next_page_through_objects(token_for, operator_a, green, nctv_staff):
    from tests.threats.api.conftest import make_assessment

    later = make_assessment(nctv_staff, title="Later beeld", tlp="green")
    client = taxii(token_for(operator_a))
    first = client.get(objects_url("green"), {"limit": 1})
    assert first.json()["more"] is True
    assert first["X-TAXII-Date-Added-First"]
    rest = client.get(objects_url("green"), {"limit": 1000, "next": first.json()["next"]})
    seen = first.json()["objects"] + rest.json()["objects"]
    assert rest.json()["more"] is False
    assert report_names({"objects": seen}) == {green.title, later.title}
    since = (green.created_at + timedelta(microseconds=1)).isoformat()
    newer = client.get(objects_url("green"), {"added_after": since}).json()
    assert report_names(newer) == {later.title}
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert "objects" not in client.get(objects_url("green"), {"added_after": future}).json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"limit": "many"}, {"added_after": "yesterday"}, {"next": "-3"}]
)
def test_bad_paging_input_is_400(token_for, operator_a, green, params):
    response = taxii(token_for(operator_a)).get(objects_url("green"), params)
    assert response.status_code == 400
    assert response.json()["http_status"] == "400"


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["application/xml", "application/taxii+json;version=2.0"])
def test_another_media_type_is_406(api_client, token_for, operator_a, accept):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(operator_a)}")
    assert api_client.get(COLLECTIONS, HTTP_ACCEPT=accept).status_code == 406
    assert api_client.get(COLLECTIONS, HTTP_ACCEPT="*/*").status_code == 200


@pytest.mark.django_db
def test_the_objects_page_costs_the_same_queries_for_one_or_many_reports(
    token_for, operator_a, nctv_staff, covenant, org_a, amber
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnerships.sharing import services as sharing
    from tests.threats.api.conftest import make_assessment

    client = taxii(token_for(operator_a))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(objects_url("amber")).status_code == 200
        return len(queries)

    one = count()
    for title in ("Tweede beeld", "Derde beeld"):
        more = make_assessment(nctv_staff, title=title, motives=["right_wing_extremism"])
        sharing.share_with_organisation(
            obj=more, organisation=org_a, covenant=covenant, by=nctv_staff, reason="Stadion"
        )
    assert count() == one
