"""Every change told: an update, a cancellation and an all clear reach every earlier recipient
once on each channel the alert reached them on, in their language, marked as such — sent by
the delivery engine as the workers run it; and nobody the alert never reached."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.core import mail

from alerts import delivery as engine
from alerts import services
from alerts.channels.sms import RecordingBackend
from alerts.models import ChannelPreference, Delivery, WebhookSubscription
from alerts.preferences import reader_language_set
from tests.alerts.conftest import pending_ids
from tests.alerts.test_channels import SECRET, Receiver, receiver  # noqa: F401  # the fixture


def _run(alert) -> None:
    engine.deliver(pending_ids(alert))


def _published_and_sent(world, **fields):
    ChannelPreference.objects.filter(user=world.admin_a).update(enabled=True)  # SMS on
    reader_language_set(user=world.viewer_a, language="en")
    fields.setdefault("tlp", "green")
    fields.setdefault("organisations", [world.org_a])
    alert = world.published(**fields)
    _run(alert)
    mail.outbox.clear()
    RecordingBackend.outbox.clear()
    return alert


def _sent(alert, purpose) -> Counter:
    return Counter(
        (d.recipient.username, d.channel)
        for d in Delivery.objects.filter(
            alert=alert, purpose=purpose, status=Delivery.Status.SENT
        ).select_related("recipient")
    )


EVERY_CHANNEL = {
    ("admin-a", "in_app"): 1,
    ("admin-a", "email"): 1,
    ("admin-a", "sms"): 1,
    ("viewer-a", "in_app"): 1,
    ("viewer-a", "email"): 1,
}


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("end", "purpose", "english", "dutch"),
    [
        (services.alert_cancel, "cancel", "Cancelled: ", "Ingetrokken: "),
        (services.alert_all_clear, "all_clear", "All clear: ", "Alles veilig: "),
    ],
)
def test_a_cancellation_and_an_all_clear_reach_every_recipient_once_per_channel(
    world, end, purpose, english, dutch
):
    alert = _published_and_sent(world)
    # a channel that had not reached its recipient is not used to tell them either
    ChannelPreference.objects.filter(user=world.viewer_a).delete()

    end(alert=alert, by=world.approver)
    _run(alert)
    _run(alert)  # a second run (a duplicate task) sends nothing more

    assert _sent(alert, purpose) == EVERY_CHANNEL
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert len(mail.outbox) == 2
    assert subjects[world.viewer_a.email].startswith(english)
    assert subjects[world.admin_a.email].startswith(dutch)
    assert [to for to, _text in RecordingBackend.outbox] == ["+31600000001"]
    assert RecordingBackend.outbox[0][1].startswith(dutch)


@pytest.mark.postgres
def test_only_those_the_alert_reached_are_told_of_its_end(world):
    alert = _published_and_sent(world)
    Delivery.objects.filter(alert=alert, recipient=world.viewer_a, channel="email").update(
        status=Delivery.Status.FAILED
    )  # as if the mail server had refused it for good
    services.alert_cancel(alert=alert, by=world.approver)
    _run(alert)
    expected = dict(EVERY_CHANNEL)
    del expected[("viewer-a", "email")]
    assert _sent(alert, "cancel") == expected


def test_a_draft_withdrawn_tells_nobody(world):
    draft = world.draft(organisations=[world.org_a])
    services.alert_cancel(alert=draft, by=world.approver)
    assert not Delivery.objects.filter(alert=draft).exists()


@pytest.mark.postgres
def test_an_update_reaches_every_earlier_recipient_once_on_their_channels(world):
    first = _published_and_sent(world)
    # admin A switched email off since: the update still comes where the alert reached them
    ChannelPreference.objects.create(user=world.admin_a, channel="email", enabled=False)
    draft = services.alert_update(
        alert=first, by=world.author, headline="Dreiging stadions: nieuwe aanwijzingen"
    )
    update = services.alert_publish(
        alert=services.alert_approve(alert=draft, by=world.approver), by=world.approver
    )
    _run(update)
    _run(update)

    assert _sent(update, "notice") == EVERY_CHANNEL
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[world.viewer_a.email].startswith("Update: ")
    assert subjects[world.admin_a.email].startswith("Update: ")
    assert "versie 2" in next(m.body for m in mail.outbox if m.to[0] == world.admin_a.email)


@pytest.mark.postgres
def test_webhooks_are_told_with_the_event_type(world, receiver):  # noqa: F811
    WebhookSubscription.objects.create(organisation=world.org_a, url=receiver, secret=SECRET)
    alert = _published_and_sent(world)
    services.alert_all_clear(alert=alert, by=world.approver)
    _run(alert)
    types = [json.loads(body)["type"] for _headers, body in Receiver.received]
    assert types == ["alert.published", "alert.all_clear"]


@pytest.mark.postgres
def test_the_inbox_marks_the_cancellation_as_such(client, world):
    alert = _published_and_sent(world)
    services.alert_cancel(alert=alert, by=world.approver)
    _run(alert)
    client.force_login(world.admin_a)
    client.cookies["django_language"] = "en"
    body = client.get("/alerts/").content.decode()
    # the inbox list itself (the page's chart of acknowledgement times names alerts too)
    inbox = body[body.index('id="inbox"') : body.index('id="inbox-empty"')]
    assert inbox.count(alert.headline) == 2  # the alert and its cancellation
    assert 'class="badge inbox-purpose">The alert is cancelled<' in body
