"""NCTV staff open the national map in Chromium: targets close together are one cluster that
zooms in when chosen, each target links to its page; with the tile server blocked the map draws
the bundled outline of the Netherlands and says the background map could not be loaded."""

import importlib
from decimal import Decimal

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.browser import browser_page, screenshot
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.signin import authenticator_for, code_now, forget_last_step
from tests.threats.dashboard_world import venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFLINE_SENTENCE = "De achtergrondkaart kon niet worden geladen"


@pytest.fixture
def sectors(db):
    """The sectors of the data migration: a transactional test before this one flushed them."""
    from django.apps import apps

    migration = importlib.import_module("threats.migrations.0002_default_sectors")
    migration.forward(apps, None)


@pytest.fixture
def country(sectors):
    """Five venues in Amsterdam within a few hundred metres (a cluster at national zoom) and
    one in Maastricht; the staff member who looks."""
    nctv = OrganisationFactory(name="NCTV", kind="public", sector="", is_nctv=True)
    staff = UserFactory(username="landelijk", organisation=nctv, is_staff=True)
    amsterdam = OrganisationFactory(name="Uitgaan Amsterdam", sector="nightlife")
    owner = UserFactory(username="amsterdam", organisation=amsterdam, role="admin")
    for number in range(5):
        venue(
            owner,
            f"Club {number}",
            sector="nightlife",
            latitude=Decimal("52.3600") + Decimal(number) / 1000,
            longitude=Decimal("4.8900"),
            capacity=300,
        )
    limburg = OrganisationFactory(name="Vrijthof Evenementen", sector="event_grounds")
    other = UserFactory(username="limburg", organisation=limburg, role="admin")
    venue(
        other,
        "Vrijthof",
        sector="public_events",
        municipality="Maastricht",
        region="Limburg-Zuid",
        latitude=Decimal("50.8489"),
        longitude=Decimal("5.6890"),
    )
    return staff


def sign_in_staff(page, staff):
    device = authenticator_for(staff)
    forget_last_step(device)  # before the browser's requests (tests.signin.forget_last_step)
    page.goto("/accounts/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form.stacked button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.fill("#id_otp_token", code_now(device))
    page.click("button[type=submit]:has-text('Bevestigen')")
    page.wait_for_url(lambda url: "/accounts/second-factor/" not in url)


def test_blocked_tiles_show_the_outline_of_the_netherlands_and_say_so(live_server, country):
    tile_host = settings.MAP_TILE_URL.split("/")[2]  # the default: PDOK
    assert tile_host == "service.pdok.nl"
    with browser_page(live_server.url) as page:
        blocked = []
        page.route(
            f"https://{tile_host}/**",
            lambda route: (blocked.append(route.request.url), route.abort())[1],
        )
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in_staff(page, country)
        page.goto("/nctv/soft-targets/map/")
        page.wait_for_selector("#national-map[data-markers='6']")
        expect(page.locator("#map-offline")).to_be_visible()
        expect(page.locator("#map-offline")).to_contain_text(OFFLINE_SENTENCE)
        expect(page.locator("#national-map path.nl-outline").first).to_be_visible()
        assert blocked, "the map asked the tile server first"
        # the five Amsterdam venues are one cluster; Maastricht's venue is a marker of its own
        cluster = page.locator("#national-map .map-cluster")
        expect(cluster).to_have_count(1)
        expect(cluster).to_have_text("5")
        assert page.locator("#national-map path.soft-target-marker").count() == 1
        screenshot(page, "national-map-offline")

        cluster.click()  # zooms in until the venues stand apart
        expect(page.locator("#national-map path.soft-target-marker")).to_have_count(6)
        expect(page.locator("#national-map .map-cluster")).to_have_count(0)
        # the tile layer taken off in its own "load" event threw inside Leaflet afterwards
        assert errors == [], errors


def test_a_marker_links_to_the_targets_page(live_server, country):
    with browser_page(live_server.url) as page:
        page.route("https://service.pdok.nl/**", lambda route: route.abort())
        sign_in_staff(page, country)
        page.goto("/nctv/soft-targets/map/?region=Limburg-Zuid")
        page.wait_for_selector("#national-map[data-markers='1']")
        page.locator("#national-map path.soft-target-marker").click()
        link = page.locator(".leaflet-popup-content a")
        expect(link).to_have_text("Vrijthof")
        link.click()
        page.wait_for_url("**/soft-targets/*/")
        expect(page.locator("h1")).to_contain_text("Vrijthof")


def test_the_register_overviews_three_tables_stand_apart_at_desk_width(live_server, country):
    """At 1280 px the tables per category, region and capacity tier overlapped (each wider than
    its column); each now has a column it fits in, and none spills into another."""
    with browser_page(live_server.url) as page:
        page.set_viewport_size({"width": 1280, "height": 800})
        sign_in_staff(page, country)
        page.goto("/nctv/soft-targets/")
        boxes = page.eval_on_selector_all(
            ".overview-totals > section",
            """sections => sections.map(s => {
                const t = s.querySelector('table').getBoundingClientRect();
                return {id: s.id, left: t.left, right: t.right, top: t.top, bottom: t.bottom,
                        fits: s.querySelector('table').scrollWidth <= s.clientWidth};
            })""",
        )
        assert [box["id"] for box in boxes] == ["by-category", "by-region", "by-tier"]
        assert all(box["fits"] for box in boxes), boxes
        for first, second in [(0, 1), (0, 2), (1, 2)]:
            a, b = boxes[first], boxes[second]
            apart = a["right"] <= b["left"] or b["right"] <= a["left"]
            apart = apart or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            assert apart, (a, b)
