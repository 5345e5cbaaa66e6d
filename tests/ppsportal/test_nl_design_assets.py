"""The NL Design System tokens are vendored (built by `make assets` from the pinned npm package,
committed with their licence), so that run and test need no Node; the dashboard and the admin
load them before the portal's own CSS, which uses their custom properties."""

import json
import re
from pathlib import Path

import pytest

from tests import signin

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "ppsportal" / "static" / "ppsportal" / "vendor"
PACKAGE = "@nl-design-system-unstable/voorbeeld-design-tokens"
TOKENS_URL = "/static/ppsportal/vendor/nl-design-tokens.css"


def locked_version() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return lock["packages"][f"node_modules/{PACKAGE}"]["version"]


def test_the_package_is_pinned_exactly():
    wanted = json.loads((ROOT / "package.json").read_text())["dependencies"][PACKAGE]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted)  # no range: make assets is reproducible
    assert wanted == locked_version()


def test_the_vendored_tokens_name_the_locked_version_and_carry_their_licence():
    css = (VENDOR / "nl-design-tokens.css").read_text()
    assert f"{PACKAGE} {locked_version()}" in css.splitlines()[0]
    assert f"{PACKAGE} {locked_version()}" in (VENDOR / "README.md").read_text()
    assert "EUROPEAN UNION PUBLIC LICENCE" in (VENDOR / "LICENSE-design-tokens.md").read_text()
    assert "--basis-focus-outline-color:" in css


def test_the_vendored_css_fetches_nothing_and_ships_no_font():
    css = (VENDOR / "nl-design-tokens.css").read_text()
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    assert "Noto" not in css and "Rijksoverheid" not in css  # system fonts only


def test_every_token_the_portal_uses_is_defined():
    defined = set(re.findall(r"(--[\w-]+)\s*:", (VENDOR / "nl-design-tokens.css").read_text()))
    static = ROOT / "ppsportal" / "static" / "ppsportal"
    used = set()
    for name in ("nl-design.css", "admin.css"):
        used |= set(re.findall(r"var\((--(?:basis|voorbeeld)-[\w-]+)", (static / name).read_text()))
    assert used, "the portal's CSS uses the design tokens"
    assert used <= defined


@pytest.mark.django_db
def test_the_dashboard_and_the_admin_load_the_tokens_before_their_own_css(client, nctv_staff):
    html = client.get("/accounts/login/").content.decode()
    assert TOKENS_URL in html
    assert html.index(TOKENS_URL) < html.index("/static/ppsportal/portal.css")
    assert html.index(TOKENS_URL) < html.index("/static/ppsportal/nl-design.css")
    signin.sign_in(client, nctv_staff)
    for path in ("/", "/admin/", "/admin/ppsportal/auditevent/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert TOKENS_URL in page.content.decode(), path
    for path in ("/admin/", "/admin/ppsportal/auditevent/"):
        html = client.get(path).content.decode()
        assert html.index(TOKENS_URL) < html.index("/static/ppsportal/admin.css"), path
