"""The schema problems fuzzing found, one by one: each answer is validated against the schema the
portal serves (schemathesis checks the body, status and content type), and each request the
schema calls valid is accepted, each it calls invalid refused."""

from __future__ import annotations

import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.test import APIClient

from alerts import services as alert_services
from alerts.models import OrganisationChannelDefault
from tests import signin
from tests.alerts.conftest import world  # noqa: F401 (the alerts world fixture)
from tests.threats.dashboard_world import build_register

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def served_schema(django_db_blocker):
    with django_db_blocker.unblock():
        raw = SchemaGenerator().get_schema(request=None, public=True)
    served = json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))
    return schemathesis.openapi.from_dict(served)


def conforms(schema, path: str, method: str, response) -> None:
    """The answer is one the schema documents (status, content type, body); raises if not."""
    import requests

    request = requests.Request(method, f"http://testserver{response.request['PATH_INFO']}")
    schema[path][method].validate_response(
        schemathesis.Response(
            status_code=response.status_code,
            headers={name.lower(): [value] for name, value in response.items()},
            content=response.content,
            request=request.prepare(),
            elapsed=0.0,
            verify=True,
            message=response.reason_phrase,
            http_version="1.1",
            encoding="utf-8",
        )
    )


def client_for(user, language="en") -> APIClient:
    client = APIClient()
    signin.sign_in(client, user)
    client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client


def test_a_soft_target_matches_exactly_one_of_its_two_shapes(world, served_schema):  # noqa: F811
    register = build_register(
        operator_a=world.admin_a, org_a=world.org_a, operator_b=world.admin_b, org_b=world.org_b
    )
    url = f"/api/v1/soft-targets/{register.target_a.public_id}/"
    full = client_for(world.admin_a).get(url)
    peer = client_for(world.admin_b).get(url)
    assert (full.json()["view"], peer.json()["view"]) == ("full", "peer")
    for response in (full, peer):
        conforms(served_schema, "/api/v1/soft-targets/{id}/", "GET", response)
    shapes = served_schema.raw_schema["components"]["schemas"]["SoftTargetAnyView"]
    assert shapes["discriminator"]["propertyName"] == "view"


def test_previous_is_a_uuid_and_author_a_user(world, served_schema):  # noqa: F811
    first = world.published(organisations=[world.org_a])
    update = alert_services.alert_update(alert=first, by=world.author, headline="Bijgewerkt")
    response = client_for(world.duty).get(f"/api/v1/alerts/{update.public_id}/")
    body = response.json()
    assert body["previous"] == str(first.public_id)
    assert body["author"] == {"username": "author", "full_name": ""}
    conforms(served_schema, "/api/v1/alerts/{id}/", "GET", response)
    alert = served_schema.raw_schema["components"]["schemas"]["Alert"]["properties"]
    assert (alert["previous"]["type"], alert["previous"]["format"]) == ("string", "uuid")
    assert "UserRef" in json.dumps(alert["author"])


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page=0&page_size=0", 400),
        ("page=-1", 400),
        ("page=abc", 400),
        ("page_size=abc", 400),
        ("page_size=0", 200),
        ("page_size=-5", 200),
        ("page_size=100000", 200),
        ("page=999", 200),
    ],
)
def test_pages_are_numbered_from_one_and_sizes_clamped(world, served_schema, query, status):  # noqa: F811
    for path in ("/api/v1/alerts/", "/api/v1/contacts/", "/api/v1/soft-targets/"):
        response = client_for(world.admin_a).get(f"{path}?{query}")
        assert response.status_code == status, (path, query, response.content)
        conforms(served_schema, path, "GET", response)


def test_a_page_past_the_end_is_empty_and_points_back_to_the_last(world):  # noqa: F811
    world.published(organisations=[world.org_a])
    body = client_for(world.admin_a).get("/api/v1/alerts/?page=7&page_size=1").json()
    assert (body["count"], body["results"], body["next"]) == (1, [], None)
    assert body["previous"] == "http://testserver/api/v1/alerts/?page_size=1"


def test_a_bad_page_is_refused_in_the_requests_language(world):  # noqa: F811
    dutch = client_for(world.admin_a, language="nl").get("/api/v1/alerts/?page=0").json()
    english = client_for(world.admin_a).get("/api/v1/alerts/?page=0").json()
    assert english == {"page": ["Pages are numbered from 1."]}
    assert dutch == {"page": ["Pagina's zijn genummerd vanaf 1."]}


def test_patching_an_organisation_default_with_nothing_changes_nothing(world, served_schema):  # noqa: F811
    url = "/api/v1/organisation-defaults/in_app/"
    response = client_for(world.admin_a).patch(url, {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["source"] == "default"
    conforms(served_schema, "/api/v1/organisation-defaults/{channel}/", "PATCH", response)
    assert not OrganisationChannelDefault.objects.exists()
    assert client_for(world.viewer_a).patch(url, {}, format="json").status_code == 403
    changed = client_for(world.admin_a).patch(url, {"enabled": False}, format="json")
    assert (changed.json()["enabled"], changed.json()["source"]) == (False, "organisation")


def test_no_history_is_a_valid_request_for_the_threat_level(world, served_schema):  # noqa: F811
    response = client_for(world.admin_a).get("/api/v1/threat-level/?limit=0")
    assert response.status_code == 200 and response.json()["history"] == []
    conforms(served_schema, "/api/v1/threat-level/", "GET", response)
    assert client_for(world.admin_a).get("/api/v1/threat-level/?limit=201").status_code == 400


def test_a_number_is_not_text(world):  # noqa: F811
    url = "/api/v1/sectors/football_stadium/level/"
    refused = client_for(world.duty).post(
        url, {"level": "hoge_dreiging", "rationale": 0}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json() == {"rationale": ["Not a valid string."]}
    accepted = client_for(world.duty).post(
        url, {"level": "hoge_dreiging", "rationale": "Oproepen tot aanslagen."}, format="json"
    )
    assert accepted.status_code == 200, accepted.content


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/preferences/in%09app/",
        "/api/v1/sectors/Not-A-Code!/",
        "/api/v1/no-such-collection/",
    ],
)
def test_an_unknown_api_path_answers_json_not_found(world, path):  # noqa: F811
    response = client_for(world.admin_a).get(path)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "Not found."}


def test_a_null_character_in_a_query_is_refused_before_any_view(world, client):  # noqa: F811
    api = client_for(world.admin_a).get("/api/v1/alerts/?search=a%00b")
    assert (api.status_code, api.json()) == (400, {"detail": "Null characters are not allowed."})
    signin.sign_in(client, world.duty)
    admin = client.get("/admin/alerts/alert/?q=%00")
    assert admin.status_code == 400
