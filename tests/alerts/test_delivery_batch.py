"""Delivery in batches: one claim, one entitlement check and one marking statement per batch of
in-app rows, whatever its size; the batch's set-based check answers exactly as the per-row one
(``why_not_send``, ``user_may_see``, ``organisation_may_see``) on the same data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import delivery as engine
from alerts import services
from alerts.models import Delivery
from alerts.selectors import organisation_may_see, user_may_see
from alerts.webhooks import webhook_create, webhook_disable
from partnerships.models import Membership
from partnerships.services import covenants as covenant_services
from tests.factories import UserFactory


def in_app_ids(alert) -> list[int]:
    return list(
        Delivery.objects.filter(alert=alert, channel="in_app", status__in=Delivery.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def queries_to_deliver(ids) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        outcomes = engine.deliver(ids)
    return len(queries), dict(outcomes)


@pytest.mark.parametrize("tlp", ["green", "amber"])
def test_a_batch_of_in_app_deliveries_takes_the_same_queries_for_10_as_for_200(world, tlp):
    for i in range(200):
        UserFactory(username=f"steward-{i}", organisation=world.org_a)
    small = world.published(organisations=[world.org_a], tlp=tlp, headline="Tien")
    large = world.published(organisations=[world.org_a], tlp=tlp, headline="Tweehonderd")

    few, few_outcomes = queries_to_deliver(in_app_ids(small)[:10])
    many, many_outcomes = queries_to_deliver(in_app_ids(large)[:200])

    assert few_outcomes == {"sent": 10}
    assert many_outcomes == {"sent": 200}
    # claim, heartbeat, load with every check, mark sent
    assert few == many == 4
    assert Delivery.objects.filter(alert=large, channel="in_app", status="sent").count() == 200


def test_a_batch_cancels_who_is_no_longer_entitled_and_shows_the_rest(world):
    alert = world.published(organisations=[world.org_a, world.org_b], tlp="amber")
    covenant_services.covenant_withdraw_signatory(covenant=world.covenant, organisation=world.org_b)
    ids = in_app_ids(alert)

    assert engine.deliver(ids) == {"sent": 2, "cancelled": 1}
    assert set(
        Delivery.objects.filter(pk__in=ids).values_list(
            "recipient__username", "status", "last_error"
        )
    ) == {
        ("admin-a", "sent", ""),
        ("viewer-a", "sent", ""),
        ("admin-b", "cancelled", "recipient no longer entitled to the alert"),
    }
    assert engine.deliver(ids) == {"skipped": 3}  # a duplicate task finds nothing to do


def _compare_with_per_row_form(alerts) -> tuple[set, set]:
    """Every delivery of these alerts, whatever its status: the batch's reasons equal the
    per-row ``why_not_send``, and its entitlement the per-row ``*_may_see``. The reasons and
    the entitlement answers seen, so the caller can check both sides were exercised."""
    ids = list(Delivery.objects.filter(alert__in=alerts).values_list("pk", flat=True))
    checked = engine.load_checked(ids)
    assert len(checked) == len(ids)
    reasons, entitled = set(), set()
    for row in checked:
        fresh = engine._load(row.pk)
        reason = engine.reason_from(row)
        assert reason == engine.why_not_send(fresh), (row.pk, row.channel, row.purpose)
        if fresh.webhook_id is not None:
            expected = organisation_may_see(fresh.organisation, fresh.alert)
        else:
            expected = user_may_see(fresh.recipient, fresh.alert)
        assert row.ok_entitled == expected, (row.pk, fresh.recipient, fresh.webhook_id)
        reasons.add(reason)
        entitled.add(expected)
    return reasons, entitled


def test_the_set_based_check_equals_the_per_row_rule_on_the_same_data(world, settings):
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # no name to resolve: nothing is sent
    today = timezone.localdate()
    hooks = {}
    for organisation, admin in ((world.org_a, world.admin_a), (world.org_b, world.admin_b)):
        hooks[organisation.pk], _secret = webhook_create(
            organisation=organisation, url="http://127.0.0.1:9/pps", by=admin
        )
    audience = [world.org_a, world.org_b, world.org_d]
    green = world.published(organisations=audience, tlp="green", headline="Groen")
    amber = world.published(organisations=audience, tlp="amber", headline="Amber")
    cancelled = world.published(organisations=audience, tlp="amber", headline="Ingetrokken")
    draft = world.draft(organisations=audience, tlp="green", headline="Concept")
    services.alert_cancel(alert=cancelled, by=world.approver)
    # reminders: one organisation acknowledged meanwhile, the other not
    now = timezone.now()
    for user in (world.admin_a, world.admin_b):
        Delivery.objects.create(
            alert=amber,
            recipient=user,
            organisation=Membership.objects.get(user=user).organisation,
            channel="in_app",
            purpose=Delivery.Purpose.REMINDER,
            next_attempt_at=now,
        )
    Delivery.objects.create(  # a row of a draft: nobody but NCTV staff may see it
        alert=draft,
        recipient=world.admin_a,
        organisation=world.org_a,
        channel="in_app",
        next_attempt_at=now,
    )
    services.alert_acknowledge(alert=amber, by=world.admin_a)
    alerts = [green, amber, cancelled, draft]
    first_reasons, first_entitled = _compare_with_per_row_form(alerts)

    # then the world changes: a user deactivated, one moved to the outsider, a webhook
    # disabled, the covenant B rests on withdrawn from
    world.viewer_a.is_active = False
    world.viewer_a.save(update_fields=["is_active"])
    Membership.objects.filter(user=world.admin_b).update(organisation=world.org_d)
    webhook_disable(subscription=hooks[world.org_a.pk], by=world.approver)
    covenant_services.covenant_withdraw_signatory(
        covenant=world.covenant, organisation=world.org_b, withdrawn_on=today - timedelta(days=1)
    )
    later_reasons, later_entitled = _compare_with_per_row_form(alerts)

    assert first_entitled == later_entitled == {True, False}
    assert {"", "alert is cancelled", "acknowledged meanwhile"} <= first_reasons
    assert {
        "",
        "recipient no longer entitled to the alert",
        "organisation no longer entitled to the alert",
        "webhook subscription disabled",
    } <= later_reasons


def test_a_pool_process_compiles_the_batch_statements_before_its_first_batch(world):
    from ppsportal import compiled

    alert = world.published(organisations=[world.org_a], tlp="amber")
    ids = in_app_ids(alert)
    compiled.COMPILED.clear()
    engine.compile_batch_statements(size=len(ids))  # what alerts.tasks runs as a process starts
    ready = dict(compiled.COMPILED)

    assert engine.deliver(ids) == {"sent": len(ids)}
    assert ready == compiled.COMPILED  # the batch compiled nothing: both were ready
