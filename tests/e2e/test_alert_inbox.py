"""An operator has the inbox open when the NCTV publishes an alert: it appears at the top without
reloading, with the unread counter in the navigation. The operator opens it, sees the scale-up
checklist of their stadium and acknowledges; NCTV staff watch it arrive on the live board."""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connections

from alerts import delivery as engine
from alerts import services
from alerts.models import Delivery
from ppsportal.mfa import second_factor_required
from tests.alerts.conftest import pending_ids, world  # noqa: F401 (the alert world fixture)
from tests.e2e.browser import browser_page, screenshot
from tests.factories import PASSWORD
from tests.threats.dashboard_world import venue
from threats import services as threat_services

TMP = Path(tempfile.gettempdir())  # the pictures also land here, to look at after a run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sectors(db):
    """The sectors of the data migration: a transactional test before this one flushed them."""
    from django.apps import apps

    migration = importlib.import_module("threats.migrations.0002_default_sectors")
    migration.forward(apps, None)


@pytest.fixture(autouse=True)
def _purge_broker():
    """With Redis, publishing enqueues tasks no worker here consumes: drop them after."""
    yield
    if django_settings.REDIS_URL:
        from ppsportal.celery import app

        app.control.purge()


def publish_to_a(w, **fields):
    """Publish and send (with a broker, no worker runs here: the test sends itself)."""
    alert = w.published(organisations=[w.org_a], **fields)
    engine.deliver(pending_ids(alert))
    return alert


def sign_in(page, username):
    user = get_user_model().objects.get(username=username)
    if second_factor_required(user):
        # Staff sign in with password and code through the same pages (tests.signin), and the
        # browser carries that verified session.
        from django.conf import settings
        from django.test import Client

        from tests.signin import sign_in as sign_in_client

        client = sign_in_client(Client(), user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        url = page.url
        origin = "/".join(url.split("/")[:3]) + "/"  # the cookie for every path, as sign-in sets it
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": origin}]
        )
        page.goto(url.split("?next=")[-1] if "?next=" in url else url)
        return
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Inloggen')")


def stop_polling(page):
    """Leave the live page, and close the database connection the test's own queries opened
    while the browser ran: Playwright's event loop gives them a connection of their own, which
    would otherwise outlive the test database."""
    page.goto("about:blank")
    page.wait_for_timeout(300)
    connections.close_all()


def test_a_new_alert_appears_in_the_open_inbox_and_is_acknowledged(
    live_server,
    sectors,
    world,  # noqa: F811
    settings,
):
    settings.ALERTS_INBOX_POLL_SECONDS = 1
    settings.ALERTS_BOARD_POLL_SECONDS = 1
    stadium = venue(world.admin_a, "Stadion Noord")
    threat_services.scale_up_set(
        soft_target=stadium,
        by=world.admin_a,
        level="hoge_dreiging",
        measures=["bag_checks", "security_staff", "hostile_vehicle_barriers"],
        notes="Extra stewards bij alle poorten; tassencontrole vanaf opening.",
    )
    publish_to_a(
        world,
        headline="Oefening: ontruiming tribune",
        kind="exercise",
        atb_level="lichte_dreiging",
    )

    with browser_page(live_server.url) as page:
        page.goto("/alerts/")
        sign_in(page, "admin-a")
        page.wait_for_selector("#inbox li.inbox-item")
        assert page.locator("#inbox li.inbox-item").count() == 1
        page.wait_for_selector("#inbox[data-polls]")  # the live endpoint answers
        page.evaluate("window.__samePage = true")

        alert = publish_to_a(
            world,
            headline="Verhoogde dreiging stadions Amsterdam",
            atb_level="hoge_dreiging",
            tlp="amber",
            instruction="Schaal op naar het draaiboek voor hoge dreiging.",
        )
        entry = Delivery.objects.get(alert=alert, recipient=world.admin_a, channel="in_app")
        page.wait_for_selector(f'#inbox li[data-id="{entry.public_id}"]', timeout=15_000)
        assert page.evaluate("window.__samePage") is True  # no reload
        first = page.locator("#inbox li.inbox-item").first
        assert "Verhoogde dreiging stadions Amsterdam" in first.inner_text()
        assert "unread" in first.get_attribute("class").split()
        page.wait_for_selector("#alerts-unread[data-count='2']")
        assert page.locator("#inbox li.inbox-item").count() == 2
        assert "OEFENING" in page.locator("#inbox li.inbox-item").nth(1).inner_text()
        page.wait_for_timeout(2600)  # let the arrival highlight fade for the picture
        page.screenshot(path=TMP / "inbox.png", full_page=True)
        screenshot(page, "alert-inbox")

        first.locator("a.inbox-headline").click()
        page.wait_for_selector("#checklist")
        assert "Stadion Noord" in page.locator("#checklist").inner_text()
        assert page.locator("#checklist li[data-measure='bag_checks']").count() == 1
        page.check("#acknowledge-form input[value='bag_checks']")
        page.check("#acknowledge-form input[value='security_staff']")
        page.fill("#id_note", "Tassencontrole en extra stewards vanaf 18:00.")
        page.screenshot(path=TMP / "alert.png", full_page=True)
        screenshot(page, "alert-page")
        page.click("#acknowledge-form button[type=submit]")
        page.wait_for_selector("#acknowledged")
        assert "admin-a" in page.locator("#acknowledged").inner_text()
        screenshot(page, "alert-page-acknowledged")

        page.click("#nav-alerts")
        page.click("a[href='/profile/alerts/']")
        page.wait_for_selector("#organisation-defaults")  # admin-a sets the defaults too
        page.screenshot(path=TMP / "preferences.png", full_page=True)
        screenshot(page, "alert-preferences")
        stop_polling(page)

    with browser_page(live_server.url) as page:
        page.goto("/nctv/alerts/")
        sign_in(page, "duty")
        page.wait_for_selector("#board-rows tr[data-alert]")
        row = page.locator(f'#board-rows tr[data-alert="{alert.public_id}"]')
        assert row.locator('[data-count="acknowledged"]').inner_text() == "1 / 1"
        page.screenshot(path=TMP / "board.png", full_page=True)
        screenshot(page, "alert-board")

        second = world.published(
            organisations=[world.org_a, world.org_b], headline="Tweede alert voor A en B"
        )
        page.goto(f"/nctv/alerts/{second.public_id}/")
        page.wait_for_selector("#state-rows tr[data-organisation]")
        assert page.locator('#state-totals [data-total="acknowledged"]').inner_text() == "0 / 2"
        engine.deliver(pending_ids(second))
        services.alert_acknowledge(alert=second, by=world.admin_b, measures_taken=["cctv"])
        page.wait_for_selector(
            '#state-totals [data-total="acknowledged"]:has-text("1 / 2")', timeout=15_000
        )
        page.screenshot(path=TMP / "board-detail.png", full_page=True)
        screenshot(page, "alert-board-detail")
        stop_polling(page)
