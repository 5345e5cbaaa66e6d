"""Every alerts endpoint is documented: a summary, its error responses and an example."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PREFIXES = (
    "/api/v1/alerts/",
    "/api/v1/inbox/",
    "/api/v1/preferences/",
    "/api/v1/organisation-defaults/",
    "/api/v1/webhooks/",
)
OWN = ("/api/v1/inbox/", "/api/v1/preferences/")  # the caller's own: nothing to forbid


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    out = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def operations(schema):
    for path, item in schema["paths"].items():
        if path.startswith(PREFIXES):
            for method, operation in item.items():
                if method in {"get", "post", "put", "patch", "delete"}:
                    yield method.upper(), path, operation


def examples_of(operation) -> list:
    bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
    return [
        example
        for body in bodies
        for media in body.get("content", {}).values()
        for example in media.get("examples", {}).values()
    ]


def test_every_operation_has_a_summary_errors_and_an_example(schema):
    seen = {f"{method} {path}": operation for method, path, operation in operations(schema)}
    assert sorted(seen) == [
        "DELETE /api/v1/webhooks/{id}/",
        "GET /api/v1/alerts/",
        "GET /api/v1/alerts/feed/",
        "GET /api/v1/alerts/{id}/",
        "GET /api/v1/alerts/{id}/audience-preview/",
        "GET /api/v1/alerts/{id}/cap/",
        "GET /api/v1/inbox/",
        "GET /api/v1/organisation-defaults/",
        "GET /api/v1/organisation-defaults/{channel}/",
        "GET /api/v1/preferences/",
        "GET /api/v1/preferences/{channel}/",
        "GET /api/v1/webhooks/",
        "GET /api/v1/webhooks/{id}/",
        "PATCH /api/v1/organisation-defaults/{channel}/",
        "PATCH /api/v1/preferences/{channel}/",
        "PATCH /api/v1/webhooks/{id}/",
        "POST /api/v1/alerts/",
        "POST /api/v1/alerts/{id}/acknowledge/",
        "POST /api/v1/alerts/{id}/all-clear/",
        "POST /api/v1/alerts/{id}/approve/",
        "POST /api/v1/alerts/{id}/cancel/",
        "POST /api/v1/alerts/{id}/publish/",
        "POST /api/v1/alerts/{id}/status/",
        "POST /api/v1/alerts/{id}/update/",
        "POST /api/v1/inbox/{id}/read/",
        "POST /api/v1/webhooks/",
        "POST /api/v1/webhooks/{id}/enable/",
        "POST /api/v1/webhooks/{id}/rotate-secret/",
        "PUT /api/v1/organisation-defaults/{channel}/",
        "PUT /api/v1/preferences/{channel}/",
    ]
    for name, operation in seen.items():
        method, path = name.split(" ")
        responses = set(operation["responses"])
        assert operation.get("summary"), name
        assert "401" in responses, name
        assert examples_of(operation), name
        if "requestBody" in operation:
            assert "400" in responses, name
        if method != "GET" and not path.startswith(OWN):
            assert "403" in responses, name
        if "{" in path:
            assert "404" in responses, name


def test_lifecycle_conflicts_are_documented_as_409(schema):
    for action in ("approve", "publish", "update", "cancel", "all-clear", "acknowledge"):
        assert "409" in schema["paths"][f"/api/v1/alerts/{{id}}/{action}/"]["post"]["responses"]


def test_the_list_filters_and_documents_are_documented(schema):
    alerts = schema["paths"]["/api/v1/alerts/"]["get"]
    assert {"status", "kind", "atb_level", "tlp", "ordering", "search"} <= {
        p["name"] for p in alerts["parameters"]
    }
    cap = schema["paths"]["/api/v1/alerts/{id}/cap/"]["get"]["responses"]["200"]["content"]
    assert list(cap) == ["application/cap+xml"]
    feed = schema["paths"]["/api/v1/alerts/feed/"]["get"]
    assert list(feed["responses"]["200"]["content"]) == ["application/atom+xml"]
    assert {"status", "kind", "atb_level", "tlp"} <= {p["name"] for p in feed["parameters"]}


def test_secrets_appear_only_where_they_are_given_once(schema):
    components = schema["components"]["schemas"]
    assert "secret" not in components["Webhook"]["properties"]
    assert "secret" in components["WebhookWithSecret"]["properties"]
