"""An alert printed: the navigation gone, the scale-up checklist on paper with an empty box
before each measure to tick with a pen (on screen it is a plain list: ticking happens in the
acknowledgement form)."""

from __future__ import annotations

import pytest

from tests.alerts.conftest import world  # noqa: F401 (the alert world fixture)
from tests.e2e.browser import browser_page, screenshot
from tests.e2e.test_alert_inbox import (  # noqa: F401 (fixtures)
    _purge_broker,
    publish_to_a,
    sectors,
    sign_in,
    stop_polling,
)
from tests.threats.dashboard_world import venue
from threats import services as threat_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOX = "el => getComputedStyle(el, '::before').borderTopStyle"


def test_a_printed_alert_shows_its_checklist_without_the_navigation(
    live_server,
    sectors,  # noqa: F811
    world,  # noqa: F811
):
    stadium = venue(world.admin_a, "Stadion Noord")
    threat_services.scale_up_set(
        soft_target=stadium,
        by=world.admin_a,
        level="hoge_dreiging",
        measures=["bag_checks", "security_staff"],
        notes="Extra stewards bij alle poorten.",
    )
    alert = publish_to_a(world, headline="Verhoogde dreiging stadions", atb_level="hoge_dreiging")

    with browser_page(live_server.url) as page:
        page.goto(f"/alerts/{alert.public_id}/")
        sign_in(page, "admin-a")
        page.wait_for_selector("#checklist")
        item = page.locator("#checklist li[data-measure='bag_checks']")
        assert page.locator("header.top nav").first.is_visible()
        assert item.evaluate(BOX) == "none"  # on screen: no box that does nothing

        page.emulate_media(media="print")
        assert not page.locator("header.top nav").first.is_visible()
        assert not page.locator("footer.site-footer").is_visible()
        assert not page.locator("#acknowledgement form").is_visible()
        assert page.locator("#checklist").is_visible()
        assert "Stadion Noord" in page.locator("#checklist").inner_text()
        assert item.is_visible()
        assert item.evaluate(BOX) == "solid"  # a box to tick on paper
        screenshot(page, "alert-print")
        page.emulate_media(media="screen")
        stop_polling(page)
