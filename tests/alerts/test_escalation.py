"""Silence escalates: a reminder by SMS at the deadline, the duty officer at twice it; once each."""

from __future__ import annotations

from datetime import timedelta

from alerts import delivery as engine
from alerts import services
from alerts.channels.sms import RecordingBackend
from alerts.escalation import alerts_escalate
from alerts.models import Delivery, EscalationStep


def _run(now):
    count = alerts_escalate(now=now)
    engine.deliver(
        Delivery.objects.filter(status__in=Delivery.PENDING, channel="sms").values_list(
            "pk", flat=True
        )
    )
    return count


def test_each_escalation_step_happens_once_and_skips_who_acknowledged(world):
    alert = world.published(
        tlp="amber", atb_level="hoge_dreiging", organisations=[world.org_a, world.org_b]
    )
    start = alert.published_at
    assert _run(start + timedelta(minutes=14)) == 0

    services.alert_acknowledge(alert=alert, by=world.admin_b)
    assert _run(start + timedelta(minutes=15)) == 1
    assert _run(start + timedelta(minutes=16)) == 0  # once
    # A's admin (its liaison is B's admin, whose organisation acknowledged: also told)
    assert sorted(to for to, _text in RecordingBackend.outbox) == ["+31600000001", "+31600000002"]
    assert all(alert.headline not in text for _to, text in RecordingBackend.outbox)
    assert all("Partner A Stadion" in text for _to, text in RecordingBackend.outbox)

    RecordingBackend.outbox.clear()
    assert _run(start + timedelta(minutes=30)) == 1
    assert _run(start + timedelta(minutes=45)) == 0
    assert [to for to, _text in RecordingBackend.outbox] == ["+31600000099"]
    assert "Partner A Stadion" in RecordingBackend.outbox[0][1]
    assert list(
        EscalationStep.objects.filter(alert=alert)
        .order_by("step")
        .values_list("organisation__name", "step")
    ) == [("Partner A Stadion", 1), ("Partner A Stadion", 2)]


def test_a_reminder_is_not_sent_once_the_organisation_acknowledges(world):
    alert = world.published(atb_level="hoge_dreiging", organisations=[world.org_a])
    alerts_escalate(now=alert.published_at + timedelta(minutes=15))
    services.alert_acknowledge(alert=alert, by=world.admin_a)
    _run(alert.published_at + timedelta(minutes=16))
    assert RecordingBackend.outbox == []
    assert set(
        Delivery.objects.filter(alert=alert, purpose="reminder").values_list("status", flat=True)
    ) == {"cancelled"}


def test_ended_alerts_do_not_escalate(world):
    alert = world.published(atb_level="hoge_dreiging", organisations=[world.org_a])
    services.alert_cancel(alert=alert, by=world.author)
    assert alerts_escalate(now=alert.published_at + timedelta(hours=2)) == 0
