"""No broken page for anyone: each demo persona signs in and the browser walks every page its
navigation leads to (one page of each kind, every link's status checked), the admin too for NCTV
staff. A server error, a broken link, a console error or a CSP violation fails the crawl, and so
does a serious or critical axe-core (WCAG 2.1 AA) violation on the first page of each kind.
The admin is held to the same: axe reads its index, each app's index, every model's change list
and one change form per model (and one add, delete and history page)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections

from ppsportal.mfa import second_factor_required
from tests.e2e.browser import browser_page
from tests.e2e.crawl import Crawler
from tests.signin import authenticator_for, code_now, forget_last_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (persona, what they are, where the crawl starts)
PERSONAS = [
    (None, "anonymous", ["/"]),
    ("arena-operator", "partner administrator", ["/"]),
    ("amsterdam-police", "partner member (reads)", ["/"]),
    ("nctv-admin", "NCTV staff", ["/", "/admin/"]),
]


@pytest.fixture
def demo(settings):
    """The demo data `make run` shows, with its personas (seed_demo, as a newcomer gets it)."""
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    yield
    if django_settings.REDIS_URL:
        from ppsportal.celery import app

        app.control.purge()


def sign_in(page, username):
    # the test's own queries before the browser's requests (tests.signin.forget_last_step)
    user = get_user_model().objects.get(username=username)
    device = None
    if second_factor_required(user):  # staff confirm with the code from their app
        device = authenticator_for(user)
        forget_last_step(device)
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", django_settings.DEMO_PASSWORD)
    page.click("main form.stacked button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if device is not None:
        page.fill("#id_otp_token", code_now(device))
        page.click("button[type=submit]:has-text('Bevestigen')")
        page.wait_for_url(lambda url: "/accounts/second-factor/" not in url)


def test_every_persona_reaches_every_page_without_errors(live_server, demo):
    axe_checked: set[str] = set()
    report = []
    visited = 0
    for username, who, starts in PERSONAS:
        with browser_page(live_server.url) as page:
            if username:
                sign_in(page, username)
            crawler = Crawler(page, live_server.url, run_axe=axe_checked)
            for start in starts:
                crawler.crawl(start)
            result = crawler.result
            visited += len(result.visited)
            report += [f"[{who}] {finding}" for finding in result.findings]
            # The crawl reached the pages of the persona's role, not just the sign-in page.
            if username:
                assert len(result.patterns) >= 8, (who, sorted(result.patterns))
            if username == "nctv-admin":
                assert any(p.startswith("admin:threats_softtarget_change") for p in result.patterns)
                assert "alert-board-detail" in result.patterns
            page.goto("about:blank")
        connections.close_all()
    assert not report, "\n".join(report)
    assert len(axe_checked) >= 15
    # the admin was read by axe: its index, an app's index, a model's list and change form
    admin_pages = {"admin:index", "admin:threats_softtarget_changelist"}
    assert admin_pages | {"admin:threats_softtarget_change"} <= axe_checked
    assert any(kind.startswith("admin:app_list:") for kind in axe_checked)
