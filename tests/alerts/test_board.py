"""The NCTV alert board: for staff only (404 to everyone else), counts that are right (failed
included), the state per organisation with escalation and overdue, the lifecycle buttons behind
the services' four eyes, and the acknowledgement record that leaves drills out."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from alerts import board, policy, services
from alerts import delivery as engine
from alerts.channels.base import PermanentError, Transport
from alerts.escalation import alerts_escalate
from alerts.models import Acknowledgement, Alert
from tests import signin
from tests.alerts.conftest import pending_ids
from tests.factories import OrganisationFactory, UserFactory
from threats.models import Measure

pytestmark = pytest.mark.django_db


class RefusedEmail(Transport):
    """Every email bounces for good."""

    channel = "email"

    def send(self, delivery):
        raise PermanentError("550 no such mailbox")


def sign_in(client, user, language="en"):
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def detail_url(alert):
    return reverse("alert-board-detail", args=[alert.public_id])


def action_url(alert, action):
    return reverse("alert-board-action", args=[alert.public_id, action])


def acknowledge(alert, user, **fields):
    return services.alert_acknowledge(alert=alert, by=user, **fields).acknowledgement


def acknowledged_after(ack, minutes):
    """Pretend the acknowledgement came ``minutes`` after publication."""
    Alert.objects.filter(pk=ack.alert_id).update(published_at=ack.at - timedelta(minutes=minutes))


# --- staff only --------------------------------------------------------------------------------


def test_the_board_answers_404_to_everyone_but_nctv_staff(client, world):
    alert = world.published(organisations=[world.org_a])
    urls = [
        reverse("alert-board"),
        reverse("alert-board-json"),
        detail_url(alert),
        reverse("alert-board-detail-json", args=[alert.public_id]),
    ]
    for user in (world.admin_a, world.viewer_a, world.admin_b, world.user_d):
        sign_in(client, user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(action_url(alert, "cancel")).status_code == 404
    alert.refresh_from_db()
    assert alert.status == Alert.Status.PUBLISHED
    sign_in(client, world.duty)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_unknown_alerts_and_actions_answer_404(client, world):
    alert = world.draft()
    sign_in(client, world.approver)
    assert client.post(action_url(alert, "explode")).status_code == 404
    assert client.get(reverse("alert-board-detail", args=[uuid.uuid4()])).status_code == 404


# --- counts ---------------------------------------------------------------------------------------


def test_board_counts_are_right_including_failed_deliveries(client, world, settings):
    settings.ALERTS_TRANSPORTS = {"email": "tests.alerts.test_board.RefusedEmail"}
    sent = world.published(organisations=[world.org_a], headline="Verstuurd")
    engine.deliver(pending_ids(sent))
    waiting = world.published(organisations=[world.org_a, world.org_b], headline="Wacht")
    drill = world.published(organisations=[world.org_b], kind="exercise", headline="Oefening")
    acknowledge(sent, world.admin_a)
    draft = world.draft(headline="Concept")

    rows = {a.headline: a for a in board.board_alerts()}
    # org A: admin-a and viewer-a, each in the portal and by email; the emails bounced
    assert rows["Verstuurd"].counts == board.Counts(
        sent=2, failed=2, pending=0, recipients=1, acknowledged=1
    )
    assert rows["Wacht"].counts == board.Counts(pending=6, recipients=2)
    assert rows["Oefening"].counts.pending == 2 and rows["Oefening"].is_drill
    assert rows["Concept"].counts.total == 0
    assert next(iter(rows)) == "Concept"  # waiting for a second pair of eyes comes first

    response = sign_in(client, world.duty).get(reverse("alert-board"))
    body = response.content.decode()
    row = body.split(f'data-alert="{sent.public_id}"')[1].split("</tr>")[0]
    assert 'data-count="sent">2<' in row and 'data-count="failed">2<' in row
    assert 'data-count="pending">0<' in row and "1 / 1" in row
    drill_row = body.split(f'data-alert="{drill.public_id}"')[1].split("</tr>")[0]
    assert "EXERCISE" in drill_row
    assert "waiting for approval" in body.split(f'data-alert="{draft.public_id}"')[1]
    assert waiting.headline in body


def test_the_live_board_endpoint_returns_fresh_rows(client, world):
    sign_in(client, world.duty)
    before = client.get(reverse("alert-board-json")).json()["regions"]
    assert "No alerts on the board." in before["board-rows"]
    alert = world.published(organisations=[world.org_a])
    after = client.get(reverse("alert-board-json"))
    assert "no-store" in after["Cache-Control"]
    regions = after.json()["regions"]
    assert str(alert.public_id) in regions["board-rows"] and "board-updated" in regions


def test_ended_alerts_leave_the_board_after_a_while(world):
    alert = world.published(organisations=[world.org_a])
    services.alert_cancel(alert=alert, by=world.approver)
    assert [a.pk for a in board.board_alerts()] == [alert.pk]
    Alert.objects.filter(pk=alert.pk).update(
        ended_at=alert.published_at - timedelta(days=board.RECENT_DAYS + 1)
    )
    assert board.board_alerts() == []


# --- one alert, per organisation ------------------------------------------------------------------


def test_the_state_per_organisation_shows_acknowledgement_escalation_and_overdue(client, world):
    alert = world.published(organisations=[world.org_a, world.org_b], atb_level="hoge_dreiging")
    engine.deliver(pending_ids(alert))
    acknowledge(alert, world.admin_a, measures_taken=["bag_checks"], note="Poorten dicht.")
    deadline = policy.ack_deadline(alert)
    alerts_escalate(now=deadline + timedelta(minutes=1))

    rows = {r.organisation.name: r for r in board.board_alert_state(alert)}
    a, b = rows["Partner A Stadion"], rows["Partner B Evenementen"]
    assert a.acknowledgement.user == world.admin_a
    assert a.measures == [str(Measure.BAG_CHECKS.label)]
    assert not a.overdue and a.escalation_step is None
    assert a.sent == 2 + 2 and a.failed == 0  # admin-a and viewer-a: portal and email
    later = deadline + timedelta(minutes=1)
    b_late = {r.organisation.name: r for r in board.board_alert_state(alert, now=later)}
    assert b_late["Partner B Evenementen"].overdue
    assert b.escalation_step == 1

    response = sign_in(client, world.duty).get(detail_url(alert))
    text = text_of(response)
    assert "Poorten dicht." in text and "Bag checks" in text and "admin-a" in text
    assert "step 1" in text
    data = client.get(reverse("alert-board-detail-json", args=[alert.public_id])).json()
    assert set(data["regions"]) == {"state-rows", "state-totals", "state-progress", "board-updated"}
    assert 'data-total="acknowledged">1 / 2<' in data["regions"]["state-totals"]


def test_an_organisation_past_the_deadline_is_overdue_on_the_page(client, world):
    alert = world.published(organisations=[world.org_b])
    Alert.objects.filter(pk=alert.pk).update(
        published_at=alert.published_at - timedelta(minutes=alert.ack_deadline_minutes + 5)
    )
    body = sign_in(client, world.duty).get(detail_url(alert)).content.decode()
    row = body.split('id="state-rows"')[1].split("</tr>")[0]
    assert 'class="overdue"' in row and "Overdue" in row


# --- the lifecycle buttons ------------------------------------------------------------------------


def test_staff_approving_their_own_draft_is_refused_with_the_services_message(client, world):
    draft = world.draft(organisations=[world.org_a])
    sign_in(client, world.author)
    page = client.get(detail_url(draft))
    assert "another staff member must approve it" in text_of(page)
    response = client.post(action_url(draft, "approve"), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(draft)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["You wrote this alert; another staff member must approve it."]
    draft.refresh_from_db()
    assert draft.status == Alert.Status.DRAFT


def test_staff_approve_publish_and_end_alerts_through_the_services(client, world):
    draft = world.draft(organisations=[world.org_a])
    sign_in(client, world.approver)
    response = client.post(action_url(draft, "approve"), follow=True)
    assert "the alert can now be published" in text_of(response)
    response = client.post(action_url(draft, "publish"), follow=True)
    assert "on its way to 1 organisation." in text_of(response)
    draft.refresh_from_db()
    assert draft.status == Alert.Status.PUBLISHED

    refused = client.post(action_url(draft, "publish"), follow=True)
    assert "Only an approved alert can be published" in text_of(refused)

    client.post(action_url(draft, "all-clear"))
    draft.refresh_from_db()
    assert draft.status == Alert.Status.ALL_CLEAR
    for other in (world.approved(organisations=[world.org_a]), world.draft()):
        response = client.post(action_url(other, "cancel"), follow=True)
        assert "The alert is cancelled" in text_of(response)
        other.refresh_from_db()
        assert other.status == Alert.Status.CANCELLED


def test_actions_take_post_only(client, world):
    draft = world.draft()
    assert sign_in(client, world.approver).get(action_url(draft, "approve")).status_code == 405


# --- the acknowledgement record -------------------------------------------------------------------


def test_the_median_time_to_acknowledge_leaves_exercises_and_tests_out(client, world):
    for minutes in (10, 30):
        alert = world.published(organisations=[world.org_a])
        acknowledged_after(acknowledge(alert, world.admin_a), minutes)
    for kind in ("exercise", "test"):
        drill = world.published(organisations=[world.org_a], kind=kind)
        acknowledged_after(acknowledge(drill, world.admin_a), 1)
    world.published(organisations=[world.org_b])  # received, never acknowledged

    records = {r.name: r for r in board.acknowledgement_records()}
    a = records["Partner A Stadion"]
    assert (a.received, a.acknowledged) == (2, 2)
    assert a.median == timedelta(minutes=20)
    b = records["Partner B Evenementen"]
    assert (b.received, b.acknowledged, b.median) == (1, 0, None)

    body = sign_in(client, world.duty).get(reverse("alert-board")).content.decode()
    row = body.split('data-organisation="Partner A Stadion"')[1].split("</tr>")[0]
    assert "20 minutes" in row


def test_a_drill_only_organisation_has_no_record(world):
    drill = world.published(organisations=[world.org_a], kind="exercise")
    acknowledge(drill, world.admin_a)
    assert board.acknowledgement_records() == []


def test_an_exercise_alert_page_shows_a_dash_for_an_organisation_without_a_record(client, world):
    """Regression: publishing an exercise landed on a 500 (the median of an organisation with no
    acknowledgement record reached the duration filter as an empty string)."""
    drill = world.published(organisations=[world.org_a], kind="exercise")
    sign_in(client, world.duty)
    page = client.get(detail_url(drill))
    assert page.status_code == 200
    row = page.content.decode().split('data-organisation="')[1].split("</tr>")[0]
    assert '<td class="num median">—</td>' in row
    state = client.get(reverse("alert-board-detail-json", args=[drill.public_id]))
    assert state.status_code == 200


# --- query counts -------------------------------------------------------------------------------

# session, user, the verified second factor (staff), membership (the actor); the banner
BASE_QUERIES = 5


def more_alerts(world, count):
    """``count`` published alerts, each to a new organisation and to A, half of them delivered
    and acknowledged, the others drills."""
    for i in range(count):
        org = OrganisationFactory(name=f"Locatie {i:02d}", sector="museum")
        user = UserFactory(username=f"operator-{i}", organisation=org, role="admin")
        alert = world.published(
            organisations=[world.org_a, org], kind="exercise" if i % 2 else "actual"
        )
        engine.deliver(pending_ids(alert))
        acknowledge(alert, user, measures_taken=["cctv"])
    world.draft(headline="Nog goed te keuren")


@pytest.mark.parametrize("count", [2, 6])
def test_the_board_runs_a_fixed_number_of_queries(client, world, count, django_assert_num_queries):
    more_alerts(world, count)
    sign_in(client, world.duty)
    # alerts; deliveries, recipients, acknowledgements counted per alert; the record (two)
    with django_assert_num_queries(BASE_QUERIES + 6):
        response = client.get(reverse("alert-board"))
    assert response.content.decode().count("data-alert=") == count + 1
    # the live rows: the actor (with the second factor), the alerts and their three counts
    with django_assert_num_queries(4 + 4):
        client.get(reverse("alert-board-json"))


@pytest.mark.parametrize("count", [1, 5])
def test_the_board_detail_runs_a_fixed_number_of_queries(
    client, world, count, django_assert_num_queries
):
    orgs = [world.org_a]
    for i in range(count):
        org = OrganisationFactory(name=f"Locatie {i:02d}", sector="museum")
        UserFactory(username=f"operator-{i}", organisation=org, role="admin")
        orgs.append(org)
    alert = world.published(organisations=orgs)
    engine.deliver(pending_ids(alert))
    acknowledge(alert, world.admin_a, measures_taken=["cctv"])
    alerts_escalate(now=policy.ack_deadline(alert) + timedelta(minutes=1))
    sign_in(client, world.duty)
    # the alert; deliveries, acknowledgements, status reports, escalation steps, recipients;
    # the record (two); the messages per channel
    with django_assert_num_queries(BASE_QUERIES + 9):
        response = client.get(detail_url(alert))
    assert response.content.decode().count("data-organisation=") == count + 1
    assert Acknowledgement.objects.count() == 1
