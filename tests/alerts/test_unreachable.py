"""Unreachable recipients are visible: an organisation in the audience with no active user, or
whose users have no channel switched on, and no webhook, is flagged with its reason in the
preview (admin and API) and on the board; at publication the NCTV duty officer is told of it at
once, with the reason, exactly once — and the later escalation step passes it by."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from alerts import delivery as engine
from alerts import services
from alerts.channels.sms import RecordingBackend
from alerts.escalation import alerts_escalate
from alerts.models import ChannelPreference, Delivery, EscalationStep, WebhookSubscription
from alerts.preview import audience_preview
from tests import signin
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience(world):
    """A and B reachable; "Zonder mensen" has nobody; "Alles uit" has a user with every
    channel off; "Met webhook" has nobody but a webhook (reachable)."""
    nobody = OrganisationFactory(name="Zonder mensen", sector="event_grounds")
    silent = OrganisationFactory(name="Alles uit", sector="event_grounds")
    hooked = OrganisationFactory(name="Met webhook", sector="event_grounds")
    quiet = UserFactory(username="alles-uit", organisation=silent, role="admin")
    for channel in ("in_app", "email", "sms"):
        ChannelPreference.objects.create(user=quiet, channel=channel, enabled=False)
    WebhookSubscription.objects.create(
        organisation=hooked, url="https://hooks.example.org/pps", secret="whsec_dGVzdA=="
    )
    gone = UserFactory(username="oud", organisation=nobody, role="admin")
    gone.is_active = False  # left: an inactive user tells nobody
    gone.save(update_fields=["is_active"])
    return [world.org_a, world.org_b, nobody, silent, hooked]


def _send_sms():
    engine.deliver(
        Delivery.objects.filter(status__in=Delivery.PENDING, channel="sms").values_list(
            "pk", flat=True
        )
    )


def test_the_preview_flags_each_unreachable_organisation_with_its_reason(world, audience):
    preview = audience_preview(world.approved(organisations=audience))
    assert preview["unreachable_organisations"] == ["Alles uit", "Zonder mensen"]
    assert [(u["name"], u["reason"]) for u in preview["unreachable"]] == [
        ("Alles uit", "no_channel"),
        ("Zonder mensen", "no_active_user"),
    ]
    assert preview["unreachable"][1]["reason_label"] == "Geen actieve gebruiker en geen webhook"


def test_the_admin_preview_and_the_api_give_the_reasons(world, audience, client):
    alert = world.approved(organisations=audience)
    signin.sign_in(client, world.duty)
    page = client.get(reverse("admin:alerts_alert_publish", args=[alert.pk]))
    html = page.content.decode()
    assert 'data-reason="no_channel">Alles uit: ' in html
    assert 'data-reason="no_active_user">Zonder mensen: ' in html

    from rest_framework.test import APIClient

    api = APIClient()
    signin.sign_in(api, world.duty)
    body = api.get(f"/api/v1/alerts/{alert.public_id}/audience-preview/").json()
    assert [(u["name"], u["reason"]) for u in body["unreachable"]] == [
        ("Alles uit", "no_channel"),
        ("Zonder mensen", "no_active_user"),
    ]


def test_publication_tells_the_duty_officer_at_once_with_the_reason_exactly_once(world, audience):
    alert = world.published(atb_level="hoge_dreiging", organisations=audience)
    steps = EscalationStep.objects.filter(alert=alert)
    assert sorted(steps.values_list("organisation__name", "step", "reason")) == [
        ("Alles uit", 2, "no_channel"),
        ("Zonder mensen", 2, "no_active_user"),
    ]
    _send_sms()
    assert [to for to, _text in RecordingBackend.outbox] == ["+31600000099"]
    text = RecordingBackend.outbox[0][1]
    assert "Zonder mensen (Geen actieve gebruiker en geen webhook)" in text
    assert "Alles uit (" in text
    assert "Partner A Stadion" not in text and alert.headline not in text

    # the sweep, a second escalation run, twice the deadline: no second message about them
    RecordingBackend.outbox.clear()
    services.alert_acknowledge(alert=alert, by=world.admin_a)
    alerts_escalate(now=alert.published_at + timedelta(minutes=31))
    alerts_escalate(now=alert.published_at + timedelta(minutes=45))
    _send_sms()
    duty = [text for to, text in RecordingBackend.outbox if to == "+31600000099"]
    assert len(duty) == 1  # step 2 for the silent reachable ones
    assert "Partner B Evenementen" in duty[0] and "Met webhook" in duty[0]
    assert "Zonder mensen" not in duty[0] and "Alles uit" not in duty[0]
    assert Delivery.objects.filter(alert=alert, purpose="unreachable").count() == 1
    # step 2 stays the one taken at publication (the reminder at the deadline still goes to
    # whoever may help: the liaisons, or an administrator's phone despite the channels off)
    assert list(
        EscalationStep.objects.filter(alert=alert, step=2)
        .order_by("organisation__name")
        .values_list("organisation__name", "reason")
    ) == [
        ("Alles uit", "no_channel"),
        ("Met webhook", ""),
        ("Partner B Evenementen", ""),
        ("Zonder mensen", "no_active_user"),
    ]


def test_a_reachable_audience_escalates_nothing_at_publication(world):
    alert = world.published(organisations=[world.org_a, world.org_b])
    assert not EscalationStep.objects.filter(alert=alert).exists()
    assert not Delivery.objects.filter(alert=alert, purpose="unreachable").exists()


def test_the_board_flags_the_unreachable_with_the_reason(world, audience, client):
    alert = world.published(organisations=audience)
    signin.sign_in(client, world.duty)
    html = client.get(reverse("alert-board-detail", args=[alert.public_id])).content.decode()
    assert html.count('class="badge unreachable"') == 2
    assert 'data-unreachable="no_active_user"' in html
    assert 'data-unreachable="no_channel"' in html
    assert "Geen gebruiker met een kanaal aan en geen webhook" in html
