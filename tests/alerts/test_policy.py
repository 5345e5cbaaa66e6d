"""The rules of ``alerts.policy``, each asked by every face: the faces answer what the policy
answers on the same data, and the SQL form of a rule equals its Python form.

- who may acknowledge (decided in docs/permissions.md): a viewer never, on the dashboard and in
  the API alike, also after a colleague acknowledged;
- the acknowledgement deadline: dashboard, board, API, home and escalation use ``ack_deadline``;
- the channel choice: ``alerts.fanout`` (SQL) reaches exactly the channels
  ``policy.effective_channel`` (Python) chooses;
- the lifecycle: the board and admin buttons are ``allowed_steps``; every state refusal answers
  409 in the API;
- an empty update makes no new version (alert: API and admin; covenant: API).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from alerts import policy, services
from alerts.board import board_alerts
from alerts.escalation import alerts_escalate
from alerts.models import (
    USER_CHANNELS,
    Acknowledgement,
    Alert,
    ChannelPreference,
    Delivery,
    EscalationStep,
    OrganisationChannelDefault,
)
from alerts.preferences import preferences_of
from alerts.selectors import audience_recipients, unacknowledged_for
from partnerships.models import Covenant
from partnerships.selectors import actor_for
from tests import signin
from tests.alerts.api.conftest import detail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    signin.sign_in(client, user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def browser(client, user):
    signin.sign_in(client, user)
    return client


# --- who may acknowledge -----------------------------------------------------------------------


def test_a_viewer_may_not_acknowledge_on_any_face_before_or_after_a_colleague(client, world):
    alert = world.published(tlp="amber", organisations=[world.org_a])
    assert policy.may_acknowledge(actor_for(world.admin_a))
    assert not policy.may_acknowledge(actor_for(world.viewer_a))
    assert not policy.may_acknowledge(actor_for(world.author))  # the NCTV sends, never receives
    dashboard = browser(client, world.viewer_a)
    url = reverse("alert-acknowledge", args=[alert.public_id])
    for _ in ("before", "after"):
        assert dashboard.post(url, {"note": "gezien"}).status_code == 403
        refused = api(world.viewer_a).post(detail(alert, "acknowledge/"), {}, format="json")
        assert refused.status_code == 403
        assert refused.json() == {"detail": "Your role does not allow acknowledging alerts."}
        with pytest.raises(services.PermissionDenied):
            services.alert_acknowledge(alert=alert, by=world.viewer_a)
        if not Acknowledgement.objects.exists():
            services.alert_acknowledge(alert=alert, by=world.admin_a, note="Opgeschaald")
    assert list(Acknowledgement.objects.values_list("note", flat=True)) == ["Opgeschaald"]
    page = dashboard.get(reverse("alert-detail", args=[alert.public_id])).content.decode()
    assert 'id="acknowledge-form"' not in page and "Opgeschaald" in page


def test_the_dashboard_passes_the_alert_it_loaded_and_the_service_answers_created(client, world):
    alert = world.published(tlp="amber", organisations=[world.org_a])
    ack, created = services.alert_acknowledge(alert=alert, by=world.admin_a)
    assert created and isinstance(ack, Acknowledgement)
    again, created = services.alert_acknowledge(alert=alert, by=world.admin_a, note="anders")
    assert not created and again.pk == ack.pk and again.note == ""
    response = browser(client, world.admin_a).post(
        reverse("alert-acknowledge", args=[alert.public_id]), {"note": "x"}, follow=True
    )
    (message,) = [str(m) for m in response.context["messages"]]
    assert message == "Uw organisatie had deze alert al bevestigd; er is niets veranderd."


# --- the deadline ------------------------------------------------------------------------------


def test_every_face_shows_the_policys_deadline_and_escalation_follows_it(client, world):
    alert = world.published(tlp="amber", organisations=[world.org_a])
    deadline = policy.ack_deadline(alert)
    assert deadline == alert.published_at + timedelta(minutes=alert.ack_deadline_minutes)
    assert policy.ack_deadline(world.draft()) is None
    # API
    body = api(world.admin_a).get(detail(alert)).json()
    assert datetime.fromisoformat(body["ack_deadline"]) == deadline
    # board and the partner's start page
    assert next(a for a in board_alerts() if a.pk == alert.pk).deadline == deadline
    assert unacknowledged_for(actor_for(world.admin_a))[0].deadline == deadline
    # escalation: nothing before the deadline, the reminder at it, the duty officers at twice it
    reminder_at, duty_at = policy.escalation_due(alert)
    assert reminder_at == deadline and duty_at == deadline + (deadline - alert.published_at)
    assert alerts_escalate(now=deadline - timedelta(seconds=1)) == 0
    assert alerts_escalate(now=deadline) == 1
    assert not EscalationStep.objects.filter(step=EscalationStep.Step.DUTY_OFFICER).exists()
    assert alerts_escalate(now=duty_at) == 1
    assert policy.is_overdue(alert, deadline + timedelta(seconds=1))
    assert not policy.is_overdue(alert, deadline)


# --- the channel choice: SQL equals Python -----------------------------------------------------


def test_the_fan_out_sql_reaches_exactly_the_channels_the_python_rule_chooses(world):
    """Every combination of (own preference, organisation default) per channel, for users of
    two organisations: the rows ``alerts.fanout`` inserts are ``policy.effective_channel``'s."""
    choices = (None, True, False)
    users = []
    for org_default in choices:
        for channel in USER_CHANNELS:
            if org_default is not None:
                OrganisationChannelDefault.objects.update_or_create(
                    organisation=world.org_b, channel=channel, defaults={"enabled": org_default}
                )
        for own in choices:
            org = world.org_a if org_default is None else world.org_b
            user = UserFactory(username=f"u-{org_default}-{own}", organisation=org, role="member")
            if own is not None:
                for channel in USER_CHANNELS:
                    ChannelPreference.objects.create(
                        user=user, channel=channel, enabled=own, address="+31611111111"
                    )
            users.append(user)
        if org_default is not None:
            break  # org_b's defaults are one setting; the loop covers None and one value
    OrganisationChannelDefault.objects.filter(organisation=world.org_b, channel="sms").update(
        enabled=False
    )
    alert = world.published(tlp="amber", organisations=[world.org_a, world.org_b])
    sql = {
        (d.recipient_id, d.channel)
        for d in Delivery.objects.filter(
            alert=alert, purpose=Delivery.Purpose.NOTICE, recipient__isnull=False
        )
    }
    python = {
        (r.user_id, channel)
        for r in audience_recipients([world.org_a.pk, world.org_b.pk])
        for channel in r.channels
    }
    assert sql == python
    # everyone reaches something but those who switched every channel off themselves
    assert {u for u, _c in sql} == {u.pk for u in users if not u.username.endswith("-False")} | {
        u.pk for u in (world.admin_a, world.viewer_a, world.admin_b)
    }
    # and the preference page says the same, with where it comes from
    for user in users:
        shown = {row["channel"]: row["enabled"] for row in preferences_of(user)}
        assert {c for c, on in shown.items() if on} == {c for u, c in python if u == user.pk}


def test_effective_channel_falls_back_from_user_to_organisation_to_built_in():
    assert policy.effective_channel("sms", preference=True, organisation_default=False) == (
        True,
        policy.Source.USER,
    )
    assert policy.effective_channel("email", preference=None, organisation_default=False) == (
        False,
        policy.Source.ORGANISATION,
    )
    assert policy.effective_channel("email", preference=None, organisation_default=None) == (
        True,
        policy.Source.DEFAULT,
    )
    assert policy.effective_channel("sms", preference=None, organisation_default=None)[0] is False


# --- the lifecycle -----------------------------------------------------------------------------


def test_the_board_and_admin_buttons_are_the_allowed_steps(client, world):
    draft = world.draft(organisations=[world.org_a])
    staff = actor_for(world.approver)
    assert policy.allowed_steps(staff, draft) == ["approve", "cancel"]
    assert policy.allowed_steps(actor_for(world.admin_a), draft) == []
    published = world.published(organisations=[world.org_a])
    assert policy.allowed_steps(staff, published) == ["update", "all-clear", "cancel"]
    signin.sign_in(client, world.approver)
    board = client.get(reverse("alert-board-detail", args=[published.public_id]))
    assert board.context["steps"] == ["update", "all-clear", "cancel"]
    admin = client.get(f"/admin/alerts/alert/{published.pk}/change/")
    urls = [t["url"] for t in admin.context["alert_tools"]][:-1]  # the last: a new draft from it
    assert [u.rstrip("/").rsplit("/", 1)[1] for u in urls] == ["update", "all-clear", "cancel"]


@pytest.mark.parametrize(
    ("status_of", "action"),
    [("published", "approve"), ("draft", "publish"), ("draft", "all-clear")],
)
def test_every_state_refusal_answers_409_in_the_api(world, status_of, action):
    audience = {"organisations": [world.org_a]}
    alert = world.published(**audience) if status_of == "published" else world.draft(**audience)
    response = api(world.approver).post(detail(alert, f"{action}/"), {}, format="json")
    assert response.status_code == 409, response.content
    problem = policy.step_refusal(actor_for(world.approver), alert, policy.Step(action))
    assert response.json() == {"detail": problem.messages[0]}


def test_a_refusal_code_is_a_conflict_exactly_when_the_policy_says_so():
    for name, kind in policy.REFUSALS.items():
        code = policy.refusal(name, status="x", new="y").code
        assert (code in policy.CONFLICT_CODES) is kind.conflict


# --- an empty update makes no version ---------------------------------------------------------


def test_an_empty_alert_update_makes_no_version_through_the_service_the_api_and_the_admin(
    client, world
):
    alert = world.published(tlp="amber", organisations=[world.org_a])
    with pytest.raises(services.ValidationError) as refused:
        services.alert_update(alert=alert, by=world.author, headline=alert.headline)
    assert refused.value.code == "no_change"
    response = api(world.author).post(detail(alert, "update/"), {}, format="json")
    assert response.status_code == 400, response.content
    same = api(world.author).post(detail(alert, "update/"), {"tlp": "amber"}, format="json")
    assert same.status_code == 400
    signin.sign_in(client, world.author)
    page = client.get(f"/admin/alerts/alert/{alert.pk}/update/")
    assert page.status_code == 200
    assert Alert.objects.count() == 1
    changed = api(world.author).post(detail(alert, "update/"), {"tlp": "green"}, format="json")
    assert changed.status_code == 201
    assert Alert.objects.filter(previous=alert).count() == 1


def test_an_empty_covenant_amendment_makes_no_version(world):
    from partnerships.services import signing

    covenant = world.covenant
    with pytest.raises(services.ValidationError) as refused:
        signing.covenant_amend(covenant=covenant, by=world.author)
    assert refused.value.code == "no_change"
    with pytest.raises(services.ValidationError):
        signing.covenant_amend(
            covenant=covenant, by=world.author, information_clause=covenant.information_clause
        )
    response = api(world.author).post(
        f"/api/v1/covenants/{covenant.public_id}/versions/", {}, format="json"
    )
    assert response.status_code == 400, response.content
    assert Covenant.objects.count() == 1
    new = signing.covenant_amend(covenant=covenant, by=world.author, information_clause="green")
    assert new.version == covenant.version + 1
