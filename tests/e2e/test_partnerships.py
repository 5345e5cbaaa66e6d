"""A partner signs in, opens their partnership, and logs a meeting with a follow-up action."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partnerships.models import Action, ContactEntry
from tests.e2e.browser import browser_page, screenshot
from tests.factories import PASSWORD
from tests.partnerships.dashboard_data import build_arena

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_opens_the_partnership_and_logs_a_meeting(live_server, operator_a, org_a):
    arena = build_arena(org_a, liaison=operator_a)
    partnership, gemeente = arena["partnership"], arena["gemeente"]
    today = timezone.localdate()
    due = today + timedelta(days=14)

    with browser_page(live_server.url) as page:
        page.goto("/")
        page.fill("#id_username", "operator-a")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]:has-text('Inloggen')")
        page.wait_for_selector("#my-partnerships")
        assert "ArenA veiligheid" in page.locator("#my-partnerships").inner_text()

        page.click("#my-partnerships a:has-text('ArenA veiligheid')")
        page.wait_for_selector("h1:has-text('ArenA veiligheid')")
        assert page.url.endswith(f"/partnerships/{partnership.public_id}/")
        members = page.locator("#members").inner_text()
        assert "Gemeente Amsterdam" in members
        screenshot(page, "partnership-detail")

        page.click(f"a[href='/partnerships/{partnership.public_id}/contacts/new/']")
        page.wait_for_selector("form.stacked")
        page.fill("#id_occurred_on", today.isoformat())
        page.select_option("#id_kind", "meeting")
        page.check(f"input[name=participants][value='{org_a.public_id}']")
        page.check(f"input[name=participants][value='{gemeente.public_id}']")
        page.fill("#id_summary", "Voorbereiding van de bekerfinale met de gemeente.")
        page.select_option("#id_tlp", "green")
        page.fill("#id_actions-0-description", "Politie uitnodigen voor de schouw")
        page.select_option("#id_actions-0-owner", str(gemeente.public_id))
        page.fill("#id_actions-0-due_on", due.isoformat())
        screenshot(page, "partnership-contact-form")

        page.click("form.stacked button[type=submit]")
        page.wait_for_selector("ul.messages li")
        assert page.url.endswith(f"/partnerships/{partnership.public_id}/#contact-log")
        log = page.locator("#contact-log").inner_text()
        assert "Voorbereiding van de bekerfinale met de gemeente." in log
        assert "Politie uitnodigen voor de schouw" in page.locator("#actions").inner_text()
        screenshot(page, "partnership-contact-added")

    entry = ContactEntry.objects.get(summary="Voorbereiding van de bekerfinale met de gemeente.")
    assert set(entry.participants.all()) == {org_a, gemeente}
    assert Action.objects.get(contact=entry).owner == gemeente
