"""The gate's lock order (``alerts.gate.hold_and_lock``) against a covenant's revocation.

A new version taking effect, or a party withdrawing, writes the signature, then the covenant,
then moves the grants (``partnerships.services.covenants._replace``,
``partnerships.sharing.services.grants_move_to_version``). The gate share-locks in a fixed
order — alert and recipient rows, signatures, covenants, grants, users and memberships, the
deliveries — so it never holds a grant while waiting for the covenant the revocation holds: no
deadlock; the gate waits, then sees the revocation and lets nothing through.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from alerts import delivery as engine
from alerts.models import AlertGroupGrant, Delivery
from partnerships.models import Covenant, CovenantSignatory
from tests.alerts.gating import claimed, gate_round, writer_meanwhile
from tests.pdfs import real_pdf

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's (SQLite serialises)"
)


def test_a_gate_waiting_for_a_covenant_being_replaced_does_not_deadlock_and_sends_nothing(
    transactional_db, world
):
    alert = world.published(organisations=[world.org_a], tlp="amber")
    assert AlertGroupGrant.objects.filter(content_object=alert, covenant=world.covenant).exists()
    gate = gate_round(claimed(alert, recipient__isnull=False))

    def terminate():  # as ``_replace``: the covenant terminated, then its grants moved
        Covenant.objects.filter(pk=world.covenant.pk).update(terminated_on=timezone.localdate())

    def move_grants():
        AlertGroupGrant.all_grants.filter(covenant=world.covenant).update(covenant=world.covenant)

    with writer_meanwhile(terminate, move_grants) as revocation:
        # the gate, started meanwhile, waits for the covenant
        engine._pass_gate(gate.attempts)  # before: "deadlock detected" (the gate held the grant)

    assert revocation.outcome == "committed"
    assert gate.statuses() == {Delivery.Status.CANCELLED}
    assert gate.sent == []


def test_the_gate_holds_every_alert_and_recipient_row_whatever_plan_is_chosen(
    transactional_db, world
):
    """A ``WITH`` query locks only the rows its reader pulls. With the planner steered to a
    semi-join that need not read the alert and recipient rows (no nested loop, no hash
    aggregate), the gate must still hold them all: a revocation writing one waits."""
    from alerts.gate import hold_and_lock
    from alerts.models import AlertRecipient

    alert = world.published(organisations=[world.org_a], tlp="amber")
    rows = list(Delivery.objects.filter(alert=alert, recipient__isnull=False))
    recipient = AlertRecipient.objects.get(alert=alert, organisation=world.org_a)
    # no signature to read: a hash semi-join with the signatures outside never builds its
    # inner side, so nothing but the gate's own count reads the alert and recipient rows
    CovenantSignatory.objects.filter(covenant_id=recipient.covenant_id).delete()
    held = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL enable_hashagg = off")
        hold_and_lock(rows)

        def try_to_write():
            try:
                with transaction.atomic(), connection.cursor() as other:
                    other.execute("SET LOCAL lock_timeout = '200ms'")
                    for table, pk in [
                        (alert._meta.db_table, alert.pk),
                        (recipient._meta.db_table, recipient.pk),
                    ]:
                        try:
                            with transaction.atomic():
                                other.execute(
                                    f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE",  # noqa: S608  # nosec B608
                                    [pk],
                                )
                            held[table] = False
                        except Exception:
                            held[table] = True
            finally:
                connections.close_all()

        writer = threading.Thread(target=try_to_write)
        writer.start()
        writer.join(10)
    assert held == {alert._meta.db_table: True, recipient._meta.db_table: True}


def test_a_gate_waiting_for_a_member_leaving_does_not_deadlock_and_sends_nothing(
    transactional_db, world
):
    """A user anonymised ends their membership, then writes the user row
    (``ppsportal.privacy.user_anonymise``): the gate holds memberships before users, so it
    never holds the user while it waits for the membership."""
    from partnerships.models import Membership
    from partnerships.services import organisations as org_services

    alert = world.published(organisations=[world.org_a], tlp="amber")
    gate = gate_round(claimed(alert, recipient=world.viewer_a))

    def end_membership():  # as ``user_anonymise``: the membership ended, then the user written
        org_services.membership_end(membership=Membership.objects.get(user=world.viewer_a))

    def deactivate():
        org_services.user_deactivate(user=world.viewer_a)

    with writer_meanwhile(end_membership, deactivate) as leaving:
        # the gate, started meanwhile, waits for the membership
        engine._pass_gate(gate.attempts)  # before: "deadlock detected" (the gate held the user)

    assert leaving.outcome == "committed"
    assert gate.statuses() == {Delivery.Status.CANCELLED}
    assert gate.sent == []


@pytest.mark.parametrize("write_covenant", ["update", "terminate", "upload"])
def test_a_covenant_written_then_a_signature_withdrawn_in_one_transaction_does_not_deadlock(
    transactional_db, world, write_covenant
):
    """The covenant admin saves the covenant (``covenant_change``: ``covenant_update``; or
    ``covenant_upload_document``), then its signatory inline withdraws a party, in one
    transaction: the covenant before a signature, the reverse of the gate's order. A service
    that writes a covenant first locks that covenant's signatures
    (``partnerships.services.covenants.hold_signatures``), so the gate, started meanwhile, waits
    at the signatures and then sees the withdrawal."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partnerships.services import covenants as covenant_services

    alert = world.published(organisations=[world.org_a], tlp="amber")
    gate = gate_round(claimed(alert, recipient=world.admin_a))
    covenant = Covenant.objects.get(pk=world.covenant.pk)
    writes = {
        "update": lambda: covenant_services.covenant_update(
            covenant=covenant, title="Convenant Stadion (bijgewerkt)"
        ),
        "terminate": lambda: covenant_services.covenant_terminate(
            covenant=covenant, terminated_on=timezone.localdate() + timedelta(days=30)
        ),
        "upload": lambda: covenant_services.covenant_upload_document(
            covenant=covenant,
            upload=SimpleUploadedFile("getekend.pdf", real_pdf(), content_type="application/pdf"),
        ),
    }

    def withdraw():  # the signatory inline, after ``save_model``
        covenant_services.covenant_withdraw_signatory(covenant=covenant, organisation=world.org_a)

    with writer_meanwhile(writes[write_covenant], withdraw) as admin:
        # the gate, started meanwhile, waits for the covenant
        engine._pass_gate(gate.attempts)  # before: "deadlock detected" (it held the signatures)

    assert admin.outcome == "committed"
    assert gate.statuses() == {Delivery.Status.CANCELLED}
    assert gate.sent == []


def test_grants_moved_to_a_new_version_after_the_old_one_ended_do_not_deadlock_with_the_gate(
    transactional_db, world
):
    """The old version already terminated, moving its grants (``grants_move_to_version``)
    writes no covenant row first: nothing makes a gate in progress wait before the grants. The
    grants are locked by id, as the gate locks them, not in the order the ``UPDATE`` finds them
    (here the higher id first: the lower one was written since, its new version lies later)."""
    from datetime import timedelta

    from partnerships.services import covenants as covenant_services
    from partnerships.sharing import services as sharing

    alerts = [world.published(organisations=[world.org_a], tlp="amber") for _ in range(2)]
    today = timezone.localdate()
    version = covenant_services.covenant_create(
        partnership=world.partnership,
        title="Convenant Stadion, versie 2",
        effective_from=today - timedelta(days=1),
        information_clause="amber",
        signatories=[(org, today - timedelta(days=2)) for org in (world.org_a, world.org_b)]
        + [(world.nctv, today - timedelta(days=2))],
    )
    Covenant.objects.filter(pk=world.covenant.pk).update(terminated_on=today)
    first, second = AlertGroupGrant.all_grants.filter(
        content_object__in=alerts, organisation=world.org_a
    ).order_by("pk")
    # the first grant written twice since (an indexed column, so not in place): now found last
    AlertGroupGrant.all_grants.filter(pk=first.pk).update(covenant=version)
    AlertGroupGrant.all_grants.filter(pk=first.pk).update(covenant=world.covenant)
    rows = claimed(
        ids=Delivery.objects.filter(
            alert__in=alerts, recipient=world.admin_a, channel="email"
        ).values_list("pk", flat=True)
    )
    assert len(rows) == 2
    held, release, result = threading.Event(), threading.Event(), {}

    def reader():  # a share lock on the first grant (another gate, say) holds the move up there
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT 1 FROM {AlertGroupGrant._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608  # nosec B608
                    [first.pk],
                )
                held.set()
                release.wait(5)
        finally:
            connections.close_all()

    def move():
        try:
            with transaction.atomic():
                sharing.grants_move_to_version(old=world.covenant, new=version)
            result["move"] = "committed"
        except Exception as error:
            result["move"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader), threading.Thread(target=move)]
    threads[0].start()
    assert held.wait(5)
    threads[1].start()
    time.sleep(0.5)  # the move waits for the first grant (holding the second, before the fix)
    threading.Timer(1.0, release.set).start()
    gate = gate_round(rows)
    engine._pass_gate(gate.attempts)  # before: "deadlock detected" (or the move was its victim)
    release.set()
    for thread in threads:
        thread.join(10)

    assert result["move"] == "committed"
    # the grants rested on the ended version when the gate read them: nothing went
    assert gate.statuses() == {Delivery.Status.CANCELLED}
    assert gate.sent == []
    assert set(
        AlertGroupGrant.all_grants.filter(pk__in=[first.pk, second.pk]).values_list(
            "covenant_id", flat=True
        )
    ) == {version.pk}


def test_parties_withdrawn_in_another_order_than_the_gate_s_do_not_deadlock_with_it(
    transactional_db, world
):
    """The covenant admin's signatory inline withdraws parties in the order it lists them (by
    organisation name), one transaction for all: a signature with a higher id may be written
    before one with a lower id, while the gate share-locks them by id. Withdrawing locks all of
    the covenant's signatures by id first (``hold_signatures``), so the gate, started after the
    first withdrawal, waits and then sees both."""
    from partnerships.services import covenants as covenant_services

    alert = world.published(organisations=[world.org_a], tlp="amber")
    gate = gate_round(claimed(alert, recipient=world.admin_a))
    covenant = Covenant.objects.get(pk=world.covenant.pk)
    parties = list(
        CovenantSignatory.objects.filter(covenant=covenant, withdrawn_on__isnull=True)
        .select_related("organisation")
        .order_by("-pk")
    )
    assert len(parties) >= 2

    def withdraw(party):
        return lambda: covenant_services.covenant_withdraw_signatory(
            covenant=covenant, organisation=party.organisation
        )

    def the_others():
        for party in parties[1:]:
            withdraw(party)()

    with writer_meanwhile(withdraw(parties[0]), the_others) as admin:
        # the gate, started after the first withdrawal, takes its locks; before: "deadlock
        # detected" (each held what the other needed)
        engine._pass_gate(gate.attempts)

    assert admin.outcome == "committed"
    assert gate.statuses() == {Delivery.Status.CANCELLED}
    assert gate.sent == []


def test_expiring_ended_covenants_documents_does_not_deadlock_with_the_gate(
    transactional_db, world, settings
):
    """The nightly expiry of signed documents (``partnerships.retention``) writes every ended
    covenant in one transaction. It locks them in the gate's order — all their signatures by
    id, then the covenants by id (``hold_covenants``) — not in the order its scan finds them:
    otherwise it could hold a later covenant while waiting for an earlier one the gate holds,
    the gate waiting for the later one. Here a share lock on the first covenant (another gate,
    say) holds the expiry up after it locked the second, which the scan finds first."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partnerships.retention import covenant_documents_expire
    from partnerships.services import covenants as covenant_services
    from partnerships.sharing import services as sharing

    alert = world.published(organisations=[world.org_a], tlp="amber")
    today = timezone.localdate()
    version = covenant_services.covenant_create(
        partnership=world.partnership,
        title="Convenant Stadion, versie 2",
        effective_from=today - timedelta(days=5),
        information_clause="amber",
        signatories=[(org, today - timedelta(days=6)) for org in (world.org_a, world.nctv)],
    )
    # the round rests on both: the organisation's grant on the first, the user's on the second
    sharing.share_with_user(
        obj=alert, user=world.admin_a, covenant=version, by=world.author, reason="Beveiliger"
    )
    first = Covenant.objects.get(pk=world.covenant.pk)
    for covenant in (first, version):
        covenant_services.covenant_upload_document(
            covenant=covenant,
            upload=SimpleUploadedFile("getekend.pdf", real_pdf(), content_type="application/pdf"),
        )
    # both ended; the first written last, so a scan finds it after the second
    for covenant in (version, first):
        Covenant.objects.filter(pk=covenant.pk).update(terminated_on=today - timedelta(days=1))
    gate = gate_round(claimed(alert, recipient=world.admin_a))
    later = timezone.now() + timedelta(days=settings.RETENTION_DOCUMENTS_DAYS + 1)
    result = {}

    def hold_the_first():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Covenant._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608  # nosec B608
                [first.pk],
            )

    def expire():
        try:
            result["expired"] = covenant_documents_expire(now=later)
        except Exception as error:
            result["expired"] = repr(error)
        finally:
            connections.close_all()

    expiry = threading.Thread(target=expire)
    with writer_meanwhile(hold_the_first, pause=1.5):
        expiry.start()
        time.sleep(0.5)  # the expiry waits for the first covenant (holding the second, before)
        engine._pass_gate(gate.attempts)  # before: "deadlock detected" (or the expiry its victim)
    expiry.join(10)

    assert result["expired"] == 2
    assert Covenant.objects.filter(pk__in=[first.pk, version.pk], document="").count() == 2
    # both covenants had ended when the gate read them: nothing went
    assert gate.statuses() == {Delivery.Status.CANCELLED}
    assert gate.sent == []
