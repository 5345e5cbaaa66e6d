"""An operator signs in and opens the map of their soft targets: Leaflet from the portal itself,
a marker for each own target and none for a partnership peer's."""

import importlib

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import browser_page, screenshot
from tests.factories import PASSWORD
from tests.threats.dashboard_world import build_register, venue
from threats import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sectors(db):
    """The sectors of the data migration: a transactional test before this one flushed them."""
    from django.apps import apps

    migration = importlib.import_module("threats.migrations.0002_default_sectors")
    migration.forward(apps, None)


def test_operator_sees_own_soft_targets_on_the_map(
    live_server, sectors, operator_a, org_a, operator_b, org_b, nctv_staff, settings
):
    # Tiles from the live server itself: they answer 404 at once, so nothing waits on the network.
    settings.MAP_TILE_URL = f"{live_server.url}/tiles-offline/{{z}}/{{x}}/{{y}}.png"
    services.threat_level_set(level=4, rationale="Aanhoudende dreiging", by=nctv_staff)
    register = build_register(
        operator_a=operator_a, org_a=org_a, operator_b=operator_b, org_b=org_b
    )
    venue(
        operator_a,
        "Museumplein Zomerconcert",
        sector="public_events",
        latitude="52.357900",
        longitude="4.881600",
        capacity=150,
    )

    with browser_page(live_server.url) as page:
        failed_static = []
        page.on(
            "requestfailed",
            lambda request: (
                failed_static.append(request.url) if settings.STATIC_URL in request.url else None
            ),
        )
        page.goto("/soft-targets/map/")
        page.fill("#id_username", "operator-a")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]:has-text('Inloggen')")
        page.wait_for_selector("#soft-target-map.leaflet-container")
        page.wait_for_selector("#soft-target-map[data-markers='2']")
        markers = page.locator("#soft-target-map path.soft-target-marker")
        assert markers.count() == 2
        assert page.locator("#threat-banner .threat-chip.dtn-4").count() == 1
        screenshot(page, "soft-target-map")

        markers.first.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        # The popup fades in while the map pans to show it. Locator waits, not a JavaScript
        # string: the portal's CSP (script-src 'self') refuses eval, in tests as in production.
        expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
        expect(page.locator(".leaflet-pan-anim")).to_have_count(0)
        assert popup.locator("a").count() == 1
        assert "Museumplein Zomerconcert" in popup.inner_text()
        assert register.target_b.name not in page.content()
        screenshot(page, "soft-target-map-popup")
    assert failed_static == []
