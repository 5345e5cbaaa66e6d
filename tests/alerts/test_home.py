"""The start page leads with what is urgent: a partner's unacknowledged alerts; for NCTV staff
alerts waiting for approval or publication, overdue acknowledgements and partnerships at risk.
Nobody sees another organisation's alerts there, nor staff panels."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from alerts import services
from alerts.models import Alert
from tests import signin

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def panel(html: str, panel_id: str) -> str | None:
    """The text of the panel ``panel_id`` on the page, or None when it is not there."""
    match = re.search(rf'<section class="card[^"]*" id="{panel_id}">(.*?)</section>', html, re.S)
    if match is None:
        return None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def home(client, user) -> str:
    return sign_in(client, user).get("/").content.decode()


def past_deadline(alert):
    Alert.objects.filter(pk=alert.pk).update(
        published_at=timezone.now() - timedelta(minutes=alert.ack_deadline_minutes + 5)
    )


def test_a_partner_home_leads_with_its_unacknowledged_alerts(client, world):
    alert = world.published(organisations=[world.org_a], headline="Dreiging stadions")
    world.published(organisations=[world.org_b], headline="Alleen voor B")
    html = home(client, world.viewer_a)
    text = panel(html, "to-acknowledge")
    assert "Dreiging stadions" in text and "Alleen voor B" not in html
    assert html.index('id="to-acknowledge"') < html.index('id="my-partnerships"')
    assert "Overdue" not in text
    past_deadline(alert)
    assert "Overdue" in panel(home(client, world.viewer_a), "to-acknowledge")

    services.alert_acknowledge(alert=alert, by=world.admin_a)
    text = panel(home(client, world.viewer_a), "to-acknowledge")
    assert "Dreiging stadions" not in text
    assert "acknowledged every alert" in text


def test_an_ended_alert_is_no_longer_asked_for(client, world):
    alert = world.published(organisations=[world.org_a], headline="Dreiging stadions")
    services.alert_all_clear(alert=alert, by=world.approver)
    assert "Dreiging stadions" not in home(client, world.admin_a)


def test_partners_see_no_staff_panels(client, world):
    world.draft(headline="Concept")
    html = home(client, world.admin_a)
    for panel_id in ("waiting-for-approval", "overdue-acknowledgements", "partnerships-at-risk"):
        assert panel(html, panel_id) is None
    assert "Concept" not in html


def test_staff_home_leads_with_drafts_overdue_acknowledgements_and_partnerships_at_risk(
    client, world
):
    world.draft(headline="Concept voor goedkeuring")
    world.approved(headline="Goedgekeurd, nog niet gepubliceerd")
    late = world.published(organisations=[world.org_a, world.org_b], headline="Te laat")
    services.alert_acknowledge(alert=late, by=world.admin_b)
    past_deadline(late)
    world.published(organisations=[world.org_a], headline="Nog binnen de termijn")
    html = home(client, world.duty)

    waiting = panel(html, "waiting-for-approval")
    assert "Concept voor goedkeuring" in waiting and "Goedgekeurd" in waiting
    overdue = panel(html, "overdue-acknowledgements")
    assert "Te laat" in overdue and "1 of 2 organisations has not acknowledged" in overdue
    assert "Nog binnen de termijn" not in overdue
    at_risk = panel(html, "partnerships-at-risk")
    assert world.partnership.name in at_risk  # no contact logged: at risk
    assert panel(html, "to-acknowledge") is None


def test_staff_home_says_so_when_nothing_is_waiting(client, world):
    html = home(client, world.duty)
    assert "No alert is waiting" in panel(html, "waiting-for-approval")
    assert "acknowledged within its deadline" in panel(html, "overdue-acknowledgements")


@pytest.mark.parametrize("count", [1, 4])
def test_the_home_runs_a_fixed_number_of_queries(client, world, count, django_assert_num_queries):
    for i in range(count):
        world.published(organisations=[world.org_a], headline=f"Alert {i}")
        world.draft(headline=f"Concept {i}")
    sign_in(client, world.admin_a)
    with django_assert_num_queries(HOME_PARTNER_QUERIES):
        client.get("/")
    sign_in(client, world.duty)
    with django_assert_num_queries(HOME_STAFF_QUERIES):
        client.get("/")


# the start page as before the panels (tests/partnerships/test_dashboard.py: 8), + the alerts to
# acknowledge, + today's counts per health status (the database counts them; the page loads only
# the worst rows it shows); for staff + the second factor, the alerts waiting, the overdue ones
HOME_PARTNER_QUERIES = 8 + 1 + 1
HOME_STAFF_QUERIES = 8 + 1 + 1 + 2
