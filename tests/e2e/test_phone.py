"""A venue's security manager on a phone (375 px wide): the operator's pages fit the screen, no
sideways scrolling, and the navigation and forms stay usable. Screenshots land in var/screenshots
to look at."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connections

from partnerships.demo import ARENA
from partnerships.models import Partnership
from tests.e2e.browser import browser_page, screenshot
from tests.e2e.test_crawl import sign_in
from threats.models import SoftTarget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
# The innermost elements that stick out past the right edge of the screen, to say what to fix.
WIDEST = """() => {
  const out = e => e.getBoundingClientRect().right > window.innerWidth + 1;
  return Array.from(document.querySelectorAll('body *'))
    .filter(e => out(e) && !Array.from(e.children).some(out)).slice(0, 6)
    .map(e => `${e.tagName}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`);
}"""


def test_operator_pages_fit_a_phone_without_sideways_scrolling(live_server):
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    target = SoftTarget.objects.filter(operator__name="Johan Cruijff ArenA").first()
    partnership = Partnership.objects.get(name=ARENA)
    pages = {
        "phone-home": "/",
        "phone-alerts": "/alerts/",
        "phone-soft-targets": "/soft-targets/",
        "phone-soft-target-form": f"/soft-targets/{target.public_id}/edit/",
        "phone-partnership": f"/partnerships/{partnership.public_id}/",
    }
    too_wide = {}
    with browser_page(live_server.url) as page:
        page.set_viewport_size(PHONE)
        sign_in(page, "arena-operator")
        for name, url in pages.items():
            assert page.goto(url).status == 200, url
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[url] = (width, page.evaluate(WIDEST))
            screenshot(page, name)
        page.goto("about:blank")
    connections.close_all()
    assert not too_wide, too_wide
