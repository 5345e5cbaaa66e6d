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
