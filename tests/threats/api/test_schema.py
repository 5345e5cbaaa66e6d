"""Every threats endpoint is documented: a summary, its error responses and an example."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PREFIXES = (
    "/api/v1/threat-level/",
    "/api/v1/sectors/",
    "/api/v1/threat-assessments/",
    "/api/v1/soft-targets/",
    "/api/v1/reports/",
)


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
                    yield f"{method.upper()} {path}", operation


def examples_of(operation) -> list:
    bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
    return [
        example
        for body in bodies
        for media in body.get("content", {}).values()
        for example in media.get("examples", {}).values()
    ]


def test_every_operation_has_a_summary_errors_and_an_example(schema):
    seen = dict(operations(schema))
    # 22 + a report's attachment download + recording a threat level + linking a report to an
    # assessment
    assert len(seen) == 25, sorted(seen)
    for name, operation in seen.items():
        assert operation.get("summary"), name
        assert "401" in operation["responses"], name
        assert examples_of(operation), name
        if name.startswith(("POST", "PUT", "PATCH")):
            assert {"400", "403"} <= set(operation["responses"]), name
        if "{" in name:
            assert "404" in operation["responses"], name


def test_the_list_filters_are_documented(schema):
    def parameters(path):
        return {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}

    assert {"category", "motive", "modus_operandi", "valid_now", "tlp"} <= parameters(
        "/api/v1/threat-assessments/"
    )
    assert {"category", "region", "municipality", "tier", "is_event"} <= parameters(
        "/api/v1/soft-targets/"
    )
    assert {"status"} <= parameters("/api/v1/reports/")
    assert {"limit"} <= parameters("/api/v1/threat-level/")


def test_peers_form_has_no_details_in_the_schema(schema):
    peer = schema["components"]["schemas"]["SoftTargetPeer"]["properties"]
    assert not {"vulnerability_notes", "measures", "security_contact_name", "scale_up"} & set(peer)
