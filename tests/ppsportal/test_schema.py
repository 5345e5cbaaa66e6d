"""The OpenAPI schema is valid OpenAPI 3 and the Swagger UI needs no network."""

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_validates_as_openapi_3(tmp_path):
    out = tmp_path / "schema.yaml"
    # --validate checks against the OpenAPI 3 JSON schema; --fail-on-warn makes any doubt an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert "/api/v1/auth/token/" in schema["paths"]


def test_schema_endpoint_serves_it(client, operator_a):
    client.force_login(operator_a)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_swagger_ui_loads_its_assets_from_the_portal_itself(client, operator_a):
    client.force_login(operator_a)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-dist" in a for a in assets), assets
    external = [a for a in assets if a.startswith(("http://", "https://", "//"))]
    assert external == []
    for asset in assets:
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset
