"""What the gate holds (``alerts.gate.hold_and_lock``): every row the check just before sending
reads (``load_checked``), so a revocation writing any of them waits for a gate in progress and,
once it has committed, no later gate lets a message through.

Each test holds the gate's locks for a round, in a transaction of its own, and meanwhile runs the
revocation through its real service in another connection with a short lock timeout: it must
have to wait. (Run to the end, the revocation would wait until the gate commits; here it gives
up after the timeout and rolls back.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.utils import timezone

from alerts import delivery as engine
from alerts.channels.base import Outgoing
from alerts.models import AlertGroupGrant, AlertRecipient, AlertUserGrant, Delivery
from partnerships.models import Covenant, CovenantSignatory, Membership
from partnerships.services import covenants as covenant_services
from partnerships.services import organisations as org_services
from partnerships.sharing import services as sharing
from tests.alerts.gating import (
    Handing,
    Recorded,
    claimed,
    counting_gate,
    gate_round,
    may_go,
    revocation_waits,
    waits_for_the_gate,
    writer_meanwhile,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's (SQLite serialises)"
)


def _rows(alert, user) -> list[Delivery]:
    return list(Delivery.objects.filter(alert=alert, recipient=user))


def test_a_user_grant_entitles_a_delivery_and_revoking_it_waits_for_the_gate(
    transactional_db, world
):
    alert = world.published(organisations=[world.org_a], tlp="amber")
    sharing.share_with_user(
        obj=alert, user=world.admin_a, covenant=world.covenant, by=world.author, reason="Beveiliger"
    )
    # the organisation's share revoked: the user's own grant is what the delivery rests on now
    sharing.revoke(obj=alert, by=world.author, organisation=world.org_a, reason="Te breed")
    assert not AlertGroupGrant.objects.filter(content_object=alert).exists()
    rows = _rows(alert, world.admin_a)
    assert may_go(rows)

    def revoke_user_grant():
        assert sharing.revoke(obj=alert, by=world.author, user=world.admin_a, reason="Weg")

    assert waits_for_the_gate(rows, revoke_user_grant) is True  # before: False


def test_withdrawing_from_the_covenant_a_moved_grant_rests_on_waits_for_the_gate(
    transactional_db, world
):
    alert = world.published(organisations=[world.org_a], tlp="amber")
    today = timezone.localdate()
    version = covenant_services.covenant_create(
        partnership=world.partnership,
        title="Convenant Stadion, versie 2",
        effective_from=today - timedelta(days=1),
        information_clause="amber",
        signatories=[(org, today - timedelta(days=2)) for org in (world.org_a, world.org_b)]
        + [(world.nctv, today - timedelta(days=2))],
    )
    sharing.grants_move_to_version(old=world.covenant, new=version)
    grant = AlertGroupGrant.all_grants.get(content_object=alert, organisation=world.org_a)
    recipient = AlertRecipient.objects.get(alert=alert, organisation=world.org_a)
    # the grant rests on the new version, the recipient row still names the old one
    assert (grant.covenant_id, recipient.covenant_id) == (version.pk, world.covenant.pk)
    rows = _rows(alert, world.admin_a)
    assert may_go(rows)

    def withdraw():
        covenant_services.covenant_withdraw_signatory(covenant=version, organisation=world.org_a)

    assert waits_for_the_gate(rows, withdraw) is True  # before: False


def test_the_owner_withdrawing_its_signature_waits_for_the_gate(transactional_db, world):
    """The footing is two-sided: the NCTV's own signature is read as much as the recipient's."""
    alert = world.published(organisations=[world.org_a], tlp="amber")
    rows = _rows(alert, world.admin_a)
    assert may_go(rows)

    def nctv_withdraws():
        covenant_services.covenant_withdraw_signatory(
            covenant=world.covenant, organisation=world.nctv
        )

    assert waits_for_the_gate(rows, nctv_withdraws) is True  # before: False


def test_deactivating_a_recipient_without_a_membership_waits_for_the_gate(transactional_db, world):
    """A user who left the organisation after publication is refused by the check (no
    membership, no organisation); the user row is held all the same, so a deactivation waits
    and the check reads a state no one is changing."""
    steward = UserFactory(username="steward", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a], tlp="green")
    rows = _rows(alert, steward)
    assert may_go(rows)
    org_services.membership_end(membership=Membership.objects.get(user=steward))
    assert not may_go(rows)  # what the check answers for such a user: not entitled

    def deactivate():
        org_services.user_deactivate(user=steward)

    assert waits_for_the_gate(rows, deactivate) is True  # before: False


def test_user_grants_for_the_round_are_all_held(transactional_db, world):
    """A user grant of each addressee of the round, whatever its organisation."""
    alert = world.published(organisations=[world.org_a, world.org_b], tlp="amber")
    for user in (world.admin_a, world.admin_b):
        sharing.share_with_user(
            obj=alert, user=user, covenant=world.covenant, by=world.author, reason="Beveiliger"
        )
    rows = list(Delivery.objects.filter(alert=alert, recipient__in=[world.admin_a, world.admin_b]))

    def revoke_b():
        assert AlertUserGrant.all_grants.filter(content_object=alert, user=world.admin_b).delete()

    assert waits_for_the_gate(rows, revoke_b) is True


class Probed(Outgoing):
    """A message whose transmission, inside the gate, tries a revocation meanwhile."""

    def __init__(self, revocation, waited: list) -> None:
        self.revocation, self.waited = revocation, waited

    def transmit(self) -> None:
        self.waited.append(revocation_waits(self.revocation))


def _second_version(world, *, nctv_signed: bool = True) -> Covenant:
    """A second version of the world's covenant, in force since yesterday, signed by A and B
    (and by the NCTV, unless ``nctv_signed`` is false: it takes effect when the NCTV signs)."""
    today = timezone.localdate()
    return covenant_services.covenant_create(
        partnership=world.partnership,
        title="Convenant Stadion, versie 2",
        effective_from=today - timedelta(days=1),
        information_clause="amber",
        signatories=[(org, today - timedelta(days=2)) for org in (world.org_a, world.org_b)]
        + [(world.nctv, today - timedelta(days=2) if nctv_signed else None)],
    )


def _probed_round(rows, version, world):
    """A round whose every message, as it leaves, tries withdrawing A from ``version``:
    ``waited`` says, per message, whether that had to wait for the gate."""
    waited: list = []

    def withdraw():
        covenant_services.covenant_withdraw_signatory(covenant=version, organisation=world.org_a)

    return gate_round(rows, lambda sent: Probed(withdraw, waited)), waited


def test_a_grant_moved_to_a_new_version_while_the_gate_waits_is_held_on_the_new_one(
    transactional_db, world, monkeypatch
):
    """A new version takes effect while the gate waits for the old one: the grants the gate
    then holds rest on the new version, which the statement did not hold. The gate is taken
    again (``alerts.gate.GrantMoved``), so the new version's rows are held while the messages
    leave: withdrawing from it waits."""
    alert = world.published(organisations=[world.org_a], tlp="amber")
    sharing.share_with_user(
        obj=alert, user=world.admin_a, covenant=world.covenant, by=world.author, reason="Beveiliger"
    )
    today = timezone.localdate()
    version = _second_version(world, nctv_signed=False)
    rows = claimed(alert, recipient=world.admin_a)

    def take_effect():  # as ``covenant_sign`` and ``_replace``
        CovenantSignatory.objects.filter(covenant=version, organisation=world.nctv).update(
            signed_on=today
        )
        Covenant.objects.filter(pk=world.covenant.pk).update(terminated_on=today)

    def move_grants():
        sharing.grants_move_to_version(old=world.covenant, new=version)

    gate, waited = _probed_round(rows, version, world)
    with writer_meanwhile(take_effect, move_grants) as new_version:
        tries = counting_gate(monkeypatch)
        engine._pass_gate(gate.attempts)  # started meanwhile, it waits for the old version

    assert new_version.outcome == "committed"
    assert AlertUserGrant.all_grants.get(content_object=alert).covenant_id == version.pk
    assert len(tries) == 2  # taken again once the move was seen
    assert all(attempt.transmitted for attempt in gate.attempts)  # entitled under the new version
    assert waited == [True] * len(rows)  # before: False (the new version was not held)


def test_a_grant_re_shared_under_another_covenant_while_the_gate_waits_is_held_on_the_new_one(
    transactional_db, world, monkeypatch
):
    """Re-sharing under another covenant deletes the grant and makes a new one
    (``share_with_organisation``). The gate waiting for the deleted grant finds nothing there,
    while the check, a statement of its own, reads the new one: the grant the gate read before
    it waited vanished, so it is taken again (``alerts.gate.GrantMoved``) and holds the new
    grant's covenant while the messages leave: withdrawing from it waits."""
    alert = world.published(organisations=[world.org_a], tlp="amber")
    version = _second_version(world)
    rows = claimed(alert, recipient=world.admin_a)

    def re_share():
        sharing.share_with_organisation(
            obj=alert,
            organisation=world.org_a,
            covenant=version,
            by=world.author,
            reason="Nieuwe versie",
        )

    gate, waited = _probed_round(rows, version, world)
    with writer_meanwhile(re_share) as writer:
        tries = counting_gate(monkeypatch)
        engine._pass_gate(gate.attempts)  # started meanwhile, it waits for the deleted grant

    assert writer.outcome == "committed"
    assert (
        AlertGroupGrant.all_grants.get(content_object=alert, organisation=world.org_a).covenant_id
        == version.pk
    )
    assert len(tries) == 2  # before: 1 (the vanished grant went unnoticed)
    assert all(attempt.transmitted for attempt in gate.attempts)  # entitled under the new one
    assert waited == [True] * len(rows)  # before: False (the new covenant was not held)


def test_a_gate_that_sees_a_grant_move_on_every_try_retries_the_round_with_backoff(
    transactional_db, world, monkeypatch
):
    """Out of tries (``GATE_TRIES``): nothing leaves; the round is retried with backoff, the
    attempt counted, as for any fault in the gate. With one try allowed, one move does it."""
    monkeypatch.setattr(engine, "GATE_TRIES", 1)
    alert = world.published(organisations=[world.org_a], tlp="amber")
    today = timezone.localdate()
    version = _second_version(world)
    now = timezone.now()
    rows = claimed(alert, recipient=world.admin_a)

    def terminate():  # as ``_replace``
        Covenant.objects.filter(pk=world.covenant.pk).update(terminated_on=today)

    def move_grants():
        sharing.grants_move_to_version(old=world.covenant, new=version)

    sent: list = []
    attempts = [
        engine.Attempt(delivery=row, transport=Handing(Recorded(sent)), now=now) for row in rows
    ]
    with writer_meanwhile(terminate, move_grants) as new_version:
        tries = counting_gate(monkeypatch)
        engine._begin_round(attempts)  # started meanwhile, it waits for the old version
    assert new_version.outcome == "committed"
    outcomes = engine.finish_round(attempts)

    assert len(tries) == 1
    assert sent == []  # nothing left
    assert not any(attempt.transmitted for attempt in attempts)
    assert set(outcomes) == {Delivery.Status.AWAITING_RETRY}
    for row in Delivery.objects.filter(pk__in=[row.pk for row in rows]):
        assert (row.status, row.attempts) == (Delivery.Status.AWAITING_RETRY, 1)
        assert row.next_attempt_at > now
        assert "GrantMoved" in row.last_error


class Planting(Outgoing):
    """A message whose transmission leaves, in the gate's transaction, a fault its commit
    finds: a deferred foreign key broken on a row outside the round."""

    def __init__(self, row_id: int) -> None:
        self.row_id = row_id

    def transmit(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Delivery._meta.db_table} SET alert_id = -1 WHERE id = %s",  # noqa: S608  # nosec B608
                [self.row_id],
            )


class OutOfTime(Outgoing):
    def transmit(self) -> None:
        raise SoftTimeLimitExceeded


def test_a_failing_commit_of_a_gate_stopped_at_the_soft_time_limit_does_not_replace_the_stop(
    transactional_db, world, caplog
):
    """The gate commits what it decided, then the stop goes on; a fault in that commit is
    logged, and the task still stops as the soft limit asks (the message that left is answered
    and recorded by the caller, ``_begin_round``)."""
    alert = world.published(organisations=[world.org_a], tlp="green")
    emails = Delivery.objects.filter(alert=alert, channel="email").order_by("pk")
    ids = list(emails.values_list("pk", flat=True)[:2])
    outside = Delivery.objects.filter(alert=alert).exclude(pk__in=ids).first()
    rows = sorted(claimed(ids=ids), key=lambda row: row.pk)
    assert len(rows) == 2
    now = timezone.now()
    attempts = [
        engine.Attempt(delivery=rows[0], transport=None, now=now, outgoing=Planting(outside.pk)),
        engine.Attempt(delivery=rows[1], transport=None, now=now, outgoing=OutOfTime()),
    ]
    with pytest.raises(SoftTimeLimitExceeded):  # before: IntegrityError, the stop lost
        engine._pass_gate(attempts)
    assert [attempt.transmitted for attempt in attempts] == [True, False]
    assert "the gate's commit failed after the soft time limit" in caplog.text
    assert Delivery.objects.get(pk=outside.pk).alert_id == alert.pk  # rolled back


# --- whose organisation the check reads: the addressee's own, held -----------------------------


def _move(user, organisation) -> None:
    """The user leaves their organisation for another (the admin: the membership ended, a new
    one made)."""
    org_services.membership_end(membership=Membership.objects.get(user=user))
    org_services.membership_create(user=user, organisation=organisation)


def test_a_recipient_who_moved_to_another_organisation_is_not_sent_the_alert_of_the_first(
    world,
):
    """An alert addressed to an organisation goes to its users. A user who moved to another
    organisation after publication is not sent the rows made for the first one, even when the
    new one received the alert as well: the row is cancelled with its reason. (Before, the
    check read the new organisation's grant, which the gate did not hold: a revocation of it
    did not wait for a send in progress.)"""
    steward = UserFactory(username="steward", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a, world.org_b], tlp="amber")
    ids = list(
        Delivery.objects.filter(alert=alert, recipient=steward, channel="in_app").values_list(
            "pk", flat=True
        )
    )
    assert ids
    _move(steward, world.org_b)

    assert engine.deliver(ids) == {"cancelled": len(ids)}  # before: {"sent": 1}
    assert set(Delivery.objects.filter(pk__in=ids).values_list("last_error", flat=True)) == {
        "recipient no longer in the organisation"
    }


def _escalated(alert, *, purpose: str) -> list[Delivery]:
    """The escalation's SMS rows of ``purpose`` once both steps are due."""
    from alerts.escalation import alerts_escalate
    from alerts.policy import escalation_due

    alerts_escalate(now=escalation_due(alert)[1])
    return list(Delivery.objects.filter(alert=alert, purpose=purpose))


def test_a_reminder_to_a_liaison_of_another_organisation_holds_that_organisation_s_grant(
    transactional_db, world
):
    """A reminder names the silent organisation (A); the liaison it goes to belongs to another
    recipient (B), whose grant entitles them: the check reads B's grant, so the gate holds it
    and revoking B's share waits."""
    from alerts.services import alert_acknowledge

    alert = world.published(organisations=[world.org_a, world.org_b], tlp="amber")
    alert_acknowledge(alert=alert, by=world.admin_b)  # only A is silent
    rows = [
        row
        for row in _escalated(alert, purpose=Delivery.Purpose.REMINDER)
        if row.recipient_id == world.admin_b.pk
    ]
    assert [row.organisation_id for row in rows] == [world.org_a.pk]
    assert may_go(rows)

    def revoke_b():
        assert sharing.revoke(obj=alert, by=world.author, organisation=world.org_b, reason="Weg")

    assert waits_for_the_gate(rows, revoke_b) is True  # before: False (A's grant was held)


def test_a_reminder_recipient_moving_while_the_gate_waits_has_the_new_organisation_held(
    transactional_db, world, monkeypatch
):
    """The organisations to hold are read from the memberships before the gate waits. A member
    who moves meanwhile (from A to B, both recipients) is entitled through B once the gate has
    its locks, which the statement did not hold: it is taken again (``GrantMoved``), and
    revoking B's share waits for the message."""
    alert = world.published(organisations=[world.org_a, world.org_b], tlp="amber")
    rows = claimed(
        ids=[
            row.pk
            for row in _escalated(alert, purpose=Delivery.Purpose.REMINDER)
            if row.recipient_id == world.admin_a.pk
        ]
    )
    assert len(rows) == 1
    waited: list = []

    def revoke_b():
        sharing.revoke(obj=alert, by=world.author, organisation=world.org_b, reason="Weg")

    gate = gate_round(rows, lambda sent: Probed(revoke_b, waited))

    def leave_a():
        org_services.membership_end(membership=Membership.objects.get(user=world.admin_a))

    def join_b():
        org_services.membership_create(user=world.admin_a, organisation=world.org_b)

    with writer_meanwhile(leave_a, join_b) as move:
        tries = counting_gate(monkeypatch)
        engine._pass_gate(gate.attempts)  # started meanwhile, it waits for the membership

    assert move.outcome == "committed"
    assert len(tries) == 2  # before: 1 (the membership that vanished went unnoticed)
    assert all(attempt.transmitted for attempt in gate.attempts)  # entitled through B
    assert waited == [True]  # before: False (B's grant was not held)


def test_disabling_a_webhook_subscription_waits_for_the_gate(transactional_db, world, settings):
    """The check reads the subscription (active, not deleted): the gate holds it."""
    from alerts.webhooks import webhook_create, webhook_disable

    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    subscription, _secret = webhook_create(
        organisation=world.org_a, url="http://127.0.0.1:9/pps", by=world.admin_a
    )
    alert = world.published(organisations=[world.org_a], tlp="amber")
    rows = list(Delivery.objects.filter(alert=alert, webhook=subscription))
    assert len(rows) == 1 and may_go(rows)

    def disable():
        webhook_disable(subscription=subscription, by=world.approver, reason="Stuk")

    assert waits_for_the_gate(rows, disable) is True  # before: False


def test_the_nctv_losing_its_mark_waits_for_a_gate_sending_to_a_duty_officer(
    transactional_db, world
):
    """NCTV staff are entitled as staff of an organisation marked ``is_nctv`` (the check reads
    the addressee's organisation row): the gate holds it, so unmarking it waits."""
    alert = world.published(organisations=[world.org_a], tlp="amber")
    rows = _escalated(alert, purpose=Delivery.Purpose.DUTY_OFFICER)
    assert [row.recipient_id for row in rows] == [world.duty.pk]
    assert may_go(rows)

    def unmark():
        org_services.organisation_update(organisation=world.nctv, is_nctv=False)

    assert waits_for_the_gate(rows, unmark) is True  # before: False


def test_cancelling_the_alert_waits_for_a_gate_sending_only_to_a_duty_officer(
    transactional_db, world
):
    """The duty officers' SMS rows name the NCTV, which is not among the alert's recipients: the
    gate held the alert only through a recipient row of the row's organisation, so a round of
    those rows alone held nothing and a cancellation did not wait for it."""
    from alerts.services import alert_cancel

    alert = world.published(organisations=[world.org_a], tlp="amber")
    escalated = _escalated(alert, purpose=Delivery.Purpose.DUTY_OFFICER)
    rows = claimed(ids=[row.pk for row in escalated])  # in flight: the cancellation leaves them
    assert rows and may_go(rows)

    assert waits_for_the_gate(rows, lambda: alert_cancel(alert=alert, by=world.approver)) is True


def test_an_all_clear_reaches_a_steward_who_moved_to_another_recipient_organisation(world):
    """A cancellation or all-clear follows the person who was told: a steward who moved from A
    to B (both recipients, B's grant entitling them) after the notice hears that it is over
    (the row names A; it was cancelled as "no longer in the organisation")."""
    from alerts.services import alert_all_clear

    steward = UserFactory(username="steward", organisation=world.org_a)
    alert = world.published(organisations=[world.org_a, world.org_b], tlp="amber")
    told = Delivery.objects.filter(alert=alert, recipient=steward, channel="in_app")
    assert engine.deliver(list(told.values_list("pk", flat=True))) == {"sent": 1}
    _move(steward, world.org_b)
    alert_all_clear(alert=alert, by=world.approver)
    ids = list(
        Delivery.objects.filter(
            alert=alert, recipient=steward, purpose=Delivery.Purpose.ALL_CLEAR, channel="in_app"
        ).values_list("pk", flat=True)
    )
    assert ids
    assert may_go(list(Delivery.objects.filter(pk__in=ids)))  # the batch's one-query check
    assert engine.deliver(ids) == {"sent": len(ids)}


def test_a_party_added_to_the_covenant_waits_for_the_gate(transactional_db, world):
    """A new party, not yet signed, takes the covenant out of force. Its row is new, so the gate
    cannot have held it; but adding it first locks every signature of the covenant
    (``hold_signatures``), which the gate holds: the addition waits for a send in progress, and
    a gate after it sees the covenant out of force."""
    from partnerships.services.partnerships import partnership_member_add

    alert = world.published(organisations=[world.org_a], tlp="amber")
    partnership_member_add(partnership=world.partnership, organisation=world.org_d, role="other")
    rows = _rows(alert, world.admin_a)
    assert may_go(rows)

    def add_party():
        covenant_services.covenant_add_signatory(covenant=world.covenant, organisation=world.org_d)

    assert waits_for_the_gate(rows, add_party) is True
    add_party()
    assert not may_go(rows)
