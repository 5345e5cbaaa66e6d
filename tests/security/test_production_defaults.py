"""Production-safe defaults: a Content-Security-Policy without inline script or style, HSTS,
no caching of what carries TLP:AMBER or above, the API's schema and docs for signed-in users
only, and `check --deploy` clean with the production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from alerts import delivery as engine
from ppsportal.audit import audit_record
from ppsportal.middleware import SensitiveResponseMiddleware
from tests import signin
from tests.alerts.conftest import pending_ids, world  # noqa: F401 (the alerts world fixture)
from tests.factories import PASSWORD
from tests.threats.dashboard_world import build_register

ROOT = Path(__file__).resolve().parents[2]
APPS = ("ppsportal", "partnerships", "threats", "alerts")

pytestmark = pytest.mark.django_db


# --- Content-Security-Policy ---------------------------------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "a <script> without src"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def _templates():
    for app in APPS:
        yield from sorted((ROOT / app / "templates").rglob("*.html"))
    yield from sorted((ROOT / "templates").rglob("*.html"))  # the admin's theme


def test_no_template_has_inline_script_or_style():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in _templates()
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert list(_templates()) and found == []


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (directive.split() for directive in header.split(";") if directive)
    }


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_every_page_carries_a_policy_without_inline_script_style_or_eval(
    client, settings, operator_a, nctv_staff, debug
):
    settings.DEBUG = debug
    assert "script-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]
    signin.sign_in(client, operator_a)
    for url in ["/", "/soft-targets/", "/alerts/", "/api/docs/", "/api/v1/me/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    signin.sign_in(client, nctv_staff)
    assert _policy(client.get("/admin/"))["script-src"] == ["'self'"]


def test_map_tiles_are_the_one_outside_image_source(client, operator_a):
    signin.sign_in(client, operator_a)
    img = _policy(client.get("/soft-targets/"))["img-src"]
    assert img == ["'self'", "data:", "https://service.pdok.nl"]  # PDOK, the default


def test_swagger_ui_starts_from_a_script_file_not_an_inline_script(client, operator_a):
    signin.sign_in(client, operator_a)
    html = client.get("/api/docs/").content.decode()
    assert not INLINE[0][0].search(html) and "<style" not in html
    [init] = re.findall(r'<script src="([^"]*script=[^"]*)"', html)
    script = client.get(init.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


# --- HSTS and https ------------------------------------------------------------------------------


def test_hsts_is_on_by_default_for_a_year_with_subdomains(client, settings):
    assert settings.DEBUG is False  # the test settings are the production settings
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {
        k: v
        for k, v in os.environ.items()
        # The browser tests allow async-unsafe calls in the test process; a deployment never does.
        if k
        not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not k.startswith(("SECURE_", "ALERTS_"))
    }
    environ.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "kP3-production-like-secret-" + "x7Qz" * 12,
            "ALLOWED_HOSTS": "portal.example.nl",
            **env,
        }
    )
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_check_deploy_passes_with_the_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_webhooks_may_reach_private_addresses():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS="1"
    )
    assert result.returncode != 0
    assert "alerts.W001" in result.stderr + result.stdout


# --- the schema and Swagger UI -------------------------------------------------------------------


def test_schema_and_docs_only_for_signed_in_users(client, operator_a):
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith(reverse("login"))
    _instance, token = AuthToken.objects.create(user=operator_a)
    with_token = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token}")
    assert with_token.status_code == 200
    client.login(username=operator_a.username, password=PASSWORD)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


# --- no caching of AMBER and above ---------------------------------------------------------------


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_every_face_keeps_amber_out_of_caches(client, world):  # noqa: F811
    """Dashboard, API (token), CAP, Atom feed and admin: each response that carries the AMBER
    alert, soft target or assessment says no-store."""
    from threats import services as threat_services

    alert = world.published(tlp="amber", organisations=[world.org_a])
    engine.deliver(pending_ids(alert))
    register = build_register(
        operator_a=world.admin_a, org_a=world.org_a, operator_b=world.admin_b, org_b=world.org_b
    )
    assessment = threat_services.assessment_create(
        by=world.author,
        title="Dreigingsbeeld stadions",
        summary="AMBER",
        valid_from=timezone.localdate(),
        tlp="amber",
    )
    _i, token = AuthToken.objects.create(user=world.admin_a)
    api = {"HTTP_AUTHORIZATION": f"Token {token}"}
    target = register.target_a.public_id
    faces = {
        "api alert": client.get(f"/api/v1/alerts/{alert.public_id}/", **api),
        "api alerts": client.get("/api/v1/alerts/", **api),
        "cap": client.get(f"/api/v1/alerts/{alert.public_id}/cap/", **api),
        "atom": client.get("/api/v1/alerts/feed/", **api),
        "api soft target": client.get(f"/api/v1/soft-targets/{target}/", **api),
    }
    signin.sign_in(client, world.admin_a)
    faces |= {
        "dashboard alert": client.get(reverse("alert-detail", args=[alert.public_id])),
        "dashboard inbox": client.get(reverse("alert-inbox")),
        "dashboard soft target": client.get(reverse("soft-target-detail", args=[target])),
        "evidence": client.get(reverse("soft-target-evidence", args=[target, "cctv"])),
    }
    signin.sign_in(client, world.author)
    faces |= {
        "admin assessment": client.get(
            reverse("admin:threats_threatassessment_change", args=[assessment.pk])
        ),
        "api assessment (session)": client.get(
            f"/api/v1/threat-assessments/{assessment.public_id}/"
        ),
    }
    statuses = {name: r.status_code for name, r in faces.items()}
    assert set(statuses.values()) == {200}, statuses
    assert [name for name, r in faces.items() if not _no_store(r)] == []


def _through_middleware(view_response, *, mark: bool):
    request = RequestFactory().get("/anything/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()

    def view(req):
        if mark:
            audit_record(action="sensitive.viewed", request=req, object_type="x.y")
        else:
            audit_record(action="auth.login_failed", request=req)
        return view_response

    return SensitiveResponseMiddleware(view)(request)


def test_an_audited_sensitive_read_overrides_whatever_caching_the_view_chose():
    cacheable = HttpResponse("ok")
    cacheable["Cache-Control"] = "public, max-age=600"
    marked = _through_middleware(cacheable, mark=True)
    assert _no_store(marked) and "public" not in marked["Cache-Control"]
    left = HttpResponse("ok")
    left["Cache-Control"] = "public, max-age=600"
    assert _through_middleware(left, mark=False)["Cache-Control"] == "public, max-age=600"


def test_static_files_stay_cacheable_for_signed_in_users(client, operator_a):
    signin.sign_in(client, operator_a)
    response = client.get("/static/ppsportal/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
