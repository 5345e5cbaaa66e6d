"""The admin in the portal's look, and the one loosening of the Content-Security-Policy it needs:
inline styles under /admin/ only, never inline script, never on the dashboard."""

import pytest

from ppsportal.audit import audit_record
from tests import signin

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def test_the_admin_allows_inline_styles_but_never_inline_script(client, nctv_staff):
    signin.sign_in(client, nctv_staff)
    policy = directives(client.get("/admin/"))
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]


def test_the_dashboard_keeps_styles_strict(client, nctv_staff, operator_a):
    for user in (nctv_staff, operator_a):
        signin.sign_in(client, user)
        assert directives(client.get("/"))["style-src"] == ["'self'"]
        client.logout()
    assert directives(client.get("/accounts/login/"))["style-src"] == ["'self'"]


def test_the_admin_wears_the_portal_theme(client, nctv_staff):
    signin.sign_in(client, nctv_staff)
    html = client.get("/admin/").content.decode()
    assert "/static/ppsportal/admin.css" in html
    assert "/static/ppsportal/admin.js" in html
    assert 'href="/accessibility/"' in html  # the statement, in the footer as on the dashboard
    assert "admin/css/dark_mode.css" not in html  # one light theme, its contrast checked


def test_a_change_list_without_actions_writes_no_style_element(client, nctv_staff):
    signin.sign_in(client, nctv_staff)
    page = client.get("/admin/ppsportal/auditevent/")  # read-only: its one action is an export
    assert page.status_code == 200
    assert "<style" not in page.content.decode()
    assert "<style" not in client.get("/admin/auth/group/").content.decode()


def test_audit_entries_about_no_object_have_a_named_filter(client, nctv_staff):
    audit_record(action="auth.login_failed", purpose="test")
    signin.sign_in(client, nctv_staff)
    html = client.get("/admin/ppsportal/auditevent/").content.decode()
    assert 'href="?object_type="' in html
    assert "(geen)" in html
    filtered = client.get("/admin/ppsportal/auditevent/", {"object_type": ""})
    assert filtered.status_code == 200
