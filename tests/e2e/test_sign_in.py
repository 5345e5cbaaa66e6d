"""A person signs in with the browser, sees their organisation, switches language, signs out."""

import pytest

from tests.e2e.browser import browser_page, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_signs_in_sees_organisation_switches_to_english_and_signs_out(
    live_server, operator_a
):
    with browser_page(live_server.url) as page:
        page.goto("/")
        assert page.url.endswith("/accounts/login/?next=/")
        assert page.locator("h1").inner_text() == "Inloggen"

        page.fill("#id_username", "operator-a")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]:has-text('Inloggen')")
        page.wait_for_selector("h1:has-text('Welkom')")
        body = page.locator("main").inner_text()
        assert "Partner A Stadion" in body
        assert "Beheerder" in body
        screenshot(page, "home-nl")

        page.click("button[name=language][value=en]")
        page.wait_for_selector("h1:has-text('Welcome')")
        assert "Administrator" in page.locator("main").inner_text()
        screenshot(page, "home-en")

        page.click("button:has-text('Sign out')")
        page.wait_for_selector("h1:has-text('Sign in')")


def test_wrong_password_shows_a_clear_message(live_server, operator_a):
    with browser_page(live_server.url) as page:
        page.goto("/accounts/login/")
        page.fill("#id_username", "operator-a")
        page.fill("#id_password", "wrong")
        page.click("button[type=submit]:has-text('Inloggen')")
        alert = page.locator("[role=alert]")
        assert "komen niet overeen" in alert.inner_text()
