"""Publishing shows its audience before the button: per organisation the people on each channel,
and every organisation that would get nothing with why (nobody to tell, or no covenant allowing
the level). While it runs, the alert's page reports per channel how many messages went out (its
state.json, polled by board.js); the board marks an organisation that received nothing."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from alerts import delivery as engine
from alerts.models import ChannelPreference
from alerts.preview import audience_preview
from tests import signin
from tests.alerts.conftest import pending_ids
from tests.alerts.test_board import RefusedEmail  # noqa: F401  (the transport named below)
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def detail_url(alert):
    return reverse("alert-board-detail", args=[alert.public_id])


def state_url(alert):
    return reverse("alert-board-detail-json", args=[alert.public_id])


@pytest.fixture
def audience(world):
    """A and B (entitled: the covenant), D (no covenant: left out of an AMBER alert) and an
    organisation whose only user has left (nobody to tell; without a covenant too)."""
    empty = OrganisationFactory(name="Zonder mensen", sector="football_stadium")
    gone = UserFactory(username="vertrokken", organisation=empty)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    ChannelPreference.objects.filter(user=world.admin_a, channel="sms").update(enabled=True)
    return [world.org_a, world.org_b, world.org_d, empty]


# --- before publishing ----------------------------------------------------------------------------


def test_the_preview_gives_people_per_channel_and_who_gets_nothing_with_why(world, audience):
    preview = audience_preview(world.approved(tlp="amber", organisations=audience))
    rows = {row["name"]: row for row in preview["per_organisation"]}
    assert rows["Partner A Stadion"] == {
        "name": "Partner A Stadion",
        "people": 2,  # admin-a (portal, email, SMS) and viewer-a (portal, email)
        "channels": {"in_app": 2, "email": 2, "sms": 1},
        "webhook": False,
    }
    assert rows["Partner B Evenementen"]["channels"] == {"in_app": 1, "email": 1, "sms": 0}
    assert [(r["name"], r["reason"]) for r in preview["gets_nothing"]] == [
        ("Buitenstaander D", "not_entitled"),
        ("Zonder mensen", "not_entitled"),
    ]
    assert "TLP:AMBER" in preview["gets_nothing"][0]["reason_label"]


def test_a_green_alert_names_the_organisation_nobody_could_be_told_in(world, audience):
    preview = audience_preview(world.approved(tlp="green", organisations=audience))
    assert [(r["name"], r["reason"]) for r in preview["gets_nothing"]] == [
        ("Zonder mensen", "no_active_user")
    ]
    assert {r["name"] for r in preview["per_organisation"]} == {
        "Buitenstaander D",
        "Partner A Stadion",
        "Partner B Evenementen",
        "Zonder mensen",
    }


def test_the_alert_page_shows_the_audience_before_the_publish_button(client, world, audience):
    alert = world.approved(tlp="amber", organisations=audience)
    html = sign_in(client, world.duty).get(detail_url(alert)).content.decode()
    preview = html.split('id="audience-preview"')[1].split("</section>")[0]
    text = text_of(preview)
    assert "2 organisations, 3 people, 7 messages in all" in text
    assert re.search(
        r'data-organisation="Partner A Stadion">.*?<td class="num">2</td>', preview, re.S
    )
    assert "2 organisations in the audience would get nothing" in text
    assert 'data-nothing="not_entitled"><strong>Buitenstaander D</strong>' in preview
    # the confirmation names the audience, not just "its audience"
    assert "Publish this alert now to 2 organisations (3 people, 7 messages)?" in html


def test_a_published_alert_shows_no_preview(client, world):
    alert = world.published(organisations=[world.org_a])
    html = sign_in(client, world.duty).get(detail_url(alert)).content.decode()
    assert 'id="audience-preview"' not in html


def test_the_admin_publish_page_lists_people_per_channel_and_who_gets_nothing(
    client, world, audience
):
    alert = world.approved(tlp="amber", organisations=audience)
    sign_in(client, world.duty)
    html = client.get(reverse("admin:alerts_alert_publish", args=[alert.pk])).content.decode()
    assert 'id="audience-per-organisation"' in html
    assert 'data-nothing="not_entitled"><strong>Zonder mensen</strong>' in html


@pytest.mark.parametrize("extra", [0, 4])
def test_the_alert_page_with_its_preview_runs_a_fixed_number_of_queries(
    client, world, extra, django_assert_num_queries
):
    organisations = [world.org_a, world.org_b]
    for i in range(extra):
        org = OrganisationFactory(name=f"Locatie {i}", sector="museum")
        UserFactory(username=f"locatie-{i}", organisation=org, role="admin")
        organisations.append(org)
    alert = world.approved(tlp="green", organisations=organisations)
    sign_in(client, world.duty)
    client.get(detail_url(alert))  # warm the session and the caches
    from tests.alerts.test_board import BASE_QUERIES

    # the page as for a published alert (test_board: BASE_QUERIES + 9) and the preview, the
    # same number whatever the audience's size (who cannot be told: from the users the preview
    # reads for its channel counts, no query of its own)
    with django_assert_num_queries(BASE_QUERIES + 14):
        client.get(detail_url(alert))


# --- while it runs -------------------------------------------------------------------------------


def progress_of(client, alert) -> str:
    return text_of(client.get(state_url(alert)).json()["regions"]["state-progress"])


def test_the_alert_page_reports_messages_sent_per_channel_until_done(client, world):
    alert = world.published(organisations=[world.org_a, world.org_b])
    sign_in(client, world.duty)
    page = client.get(detail_url(alert)).content.decode()
    assert 'id="state-progress"' in page and "alerts/board.js" in page
    before = progress_of(client, alert)
    # admin-a, viewer-a and admin-b: in the portal and by email, nothing sent yet
    assert "In the portal: 0 of 3 messages sent" in before
    assert "Email: 0 of 3 messages sent" in before
    assert "this page updates by itself" in before

    engine.deliver(pending_ids(alert))

    after = progress_of(client, alert)
    assert "In the portal: 3 of 3 messages sent" in after
    assert "Email: 3 of 3 messages sent" in after
    assert "Sending is done" in after


def test_the_board_marks_an_organisation_that_received_nothing(client, world, settings):
    settings.ALERTS_TRANSPORTS = {"email": "tests.alerts.test_board.RefusedEmail"}
    # admin-b hears of alerts by email only, and the email bounces
    ChannelPreference.objects.create(user=world.admin_b, channel="in_app", enabled=False)
    alert = world.published(organisations=[world.org_a, world.org_b])
    sign_in(client, world.duty)
    waiting = client.get(state_url(alert)).json()["regions"]["state-rows"]
    assert "Received nothing" not in waiting  # still on its way: waiting

    engine.deliver(pending_ids(alert))

    regions = client.get(state_url(alert)).json()["regions"]
    b_row = regions["state-rows"].split('data-organisation="')[2]
    assert "Partner B Evenementen" in b_row
    assert "Received nothing" in b_row and "its 1 message failed" in b_row
    assert "Waiting" not in b_row
    a_row = regions["state-rows"].split('data-organisation="')[1]
    assert "Received nothing" not in a_row  # A's portal messages went out
    assert 'data-total="received_nothing">1<' in regions["state-totals"]
    assert "Email: 0 of 3 messages sent, 3 failed" in text_of(regions["state-progress"])
