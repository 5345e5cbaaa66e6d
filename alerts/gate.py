"""The entitlement gate's locks for several rows at once, in one statement.

A message may leave only inside a short transaction that first holds the rows its addressee's
entitlement rests on (``hold_and_lock``), then checks the rows against what is committed (the
batch's checked query, ``alerts.delivery.load_checked``, a statement of its own so it reads
after the locks are granted), and transmits. A revocation (a cancellation, a covenant
terminated, a signature withdrawn, a grant revoked, a user deactivated or moved) writes one of
the held rows, so it waits for the transmissions in progress; once it has committed, no later
gate lets a message through. Concurrent gates share the locks.

The rows held are every row the check reads (``alerts.delivery.sendable_checks``: the sharing
rule's ``visible_to_rows_q`` for users, ``organisations_may_see_q`` for webhooks), for each
delivery of the round:

- the alert, whether or not the delivery's organisation is one of its recipients (the duty
  officers' SMS rows name the NCTV, which usually is not: a cancellation must wait for them
  too), and its recipient rows for the delivery's organisation and for the organisation the
  recipient user belongs to now, which is the one the check reads (a notice addressed to an
  organisation's members goes only to a member of it still, ``recipient_in_organisation``; a
  reminder names the silent organisation and may go to a liaison of another one, and a
  cancellation or all-clear follows the person who was told); the
  covenant a recipient row names is not read by the check, so it is not held: the grants' own
  covenants are;
- the grants that may entitle the addressee: those organisations' group grants on the alert,
  and the recipient user's own grant on it (an AMBER alert shared with a named user reaches them
  even without their organisation's grant: ``partnerships.sharing.services.share_with_user``);
- the covenant each grant rests on — the grant's own, which after a new version took effect
  (``grants_move_to_version``) is no longer the covenant the recipient row names — and every
  signature on it: the owner's (the NCTV's) and the receiving organisation's, which the footing
  reads, and the other parties', whose signing keeps the covenant in force;
- the recipient user's membership, and the user row itself, with or without a membership (the
  check refuses a user who left their organisation, but reads the row all the same);
- those organisations' rows (the check reads ``is_nctv``: NCTV staff are entitled as such);
- the webhook subscription a webhook row goes to (the check reads whether it is active);
- the delivery rows themselves ``FOR UPDATE`` (the sweep cannot take them back between the
  check and the transmission).

One ``SELECT`` with a ``WITH`` query per kind of row (``FOR SHARE``), whatever the number of rows.
A row inserted meanwhile (a grant made, a signatory added, a membership begun) cannot be held in
advance: see ``docs/alerts.md``, "Known gaps".

The locks are taken in a fixed order, each kind of row by id: the alerts, their recipient rows,
the signatures, the covenants, the group grants, the user grants, the memberships, the users, the
organisations, the webhook subscriptions, the deliveries. Each ``WITH`` query after the first waits
for the one before it to be complete (a one-time filter on its ``count(*)``, evaluated before its
own rows are read; ``MATERIALIZED`` keeps each apart), so the planner can neither reorder them nor
read one only part-way (a ``WITH`` query locks only the rows its reader pulls: the count pulls them
all). Which covenants to hold is read first, unlocked, from the grants (their ids kept with them);
a grant that moved to another covenant while the statement waited is seen when the grant is locked
(the statement answers with it), and so is a grant read first that is gone once locked (re-sharing
under another covenant deletes the grant and makes a new one,
``partnerships.sharing.services.share_with_organisation``; the check, a statement of its own, would
read the new grant, whose covenant is not held): either way ``GrantMoved`` is raised: the gate's
transaction is rolled back and the gate taken again (``alerts.delivery._pass_gate``), never holding
a grant while waiting for a covenant. Which organisations to hold for a user is read first,
unlocked, from the memberships (their ids and organisations kept with them) in the same way: a
membership ended, or moved to another organisation, by the time it is locked raises ``GrantMoved``
too, and the gate is taken again holding the new organisation's rows.

The writers lock in the same order: a covenant's new version, or a party withdrawing, writes the
signature, then the covenant, then moves the grants (``partnerships.services.covenants._replace``);
a service that writes a covenant row (``covenant_update``, ``covenant_terminate``,
``covenant_upload_document``, ``covenant_sign``) or a signature (``covenant_add_signatory``,
``covenant_withdraw_signatory``) first locks all of that covenant's signatures by id
(``partnerships.services.covenants.hold_signatures``), so a transaction that writes the covenant
and then a signature, or several signatures in another order (the covenant admin: the covenant
saved, then its signatory inline, in name order) holds the signatures first, by id; a writer of
several covenants in one transaction (the expiry of signed documents,
``partnerships.retention.covenant_documents_expire``) locks all their signatures by id, then the
covenants by id (``partnerships.services.covenants.hold_covenants``); a user
anonymised ends the membership, then writes the user
(``ppsportal.privacy.user_anonymise``). The gate never holds a later row while waiting for an
earlier one, so none of them can deadlock with it (``tests/alerts/test_gate_lock_order.py``;
what is held: ``tests/alerts/test_gate_holds.py``).
Should the gate still lose a deadlock or a lock timeout to some other writer, its round is
retried with backoff (``alerts.delivery._begin_round``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection

from alerts.models import (
    Alert,
    AlertGroupGrant,
    AlertRecipient,
    AlertUserGrant,
    Delivery,
    WebhookSubscription,
)
from partnerships.models import Covenant, CovenantSignatory, Membership, Organisation


class GrantMoved(DatabaseError):
    """A grant of the round moved to another covenant while the gate waited for its locks (a new
    version took effect), or a recipient's membership ended or moved to another organisation:
    the covenant the grant rests on now, or the organisation the check will read, is not held.
    The gate's transaction is rolled back and the gate tried again
    (``alerts.delivery._pass_gate``)."""


def _hold_sql() -> str:
    alert, recipient = Alert._meta.db_table, AlertRecipient._meta.db_table
    group_grants, user_grants = AlertGroupGrant._meta.db_table, AlertUserGrant._meta.db_table
    covenant, signatory = Covenant._meta.db_table, CovenantSignatory._meta.db_table
    user, membership = get_user_model()._meta.db_table, Membership._meta.db_table
    organisation, webhook = Organisation._meta.db_table, WebhookSubscription._meta.db_table
    delivery = Delivery._meta.db_table
    # Table names come from the models' metadata; values are parameters (arrays of ids).
    return f"""
        WITH r0 AS (
            SELECT alert_id, organisation_id, user_id, webhook_id
            FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[])
                AS r0(alert_id, organisation_id, user_id, webhook_id)
        ), mk AS MATERIALIZED (
            SELECT m.id, m.user_id, m.organisation_id FROM {membership} m
            WHERE m.user_id IN (SELECT user_id FROM r0 WHERE user_id IS NOT NULL)
        ), k AS (
            SELECT DISTINCT alert_id, organisation_id FROM (
                SELECT alert_id, organisation_id FROM r0 WHERE organisation_id IS NOT NULL
                UNION ALL
                SELECT r0.alert_id, mk.organisation_id FROM r0 JOIN mk ON mk.user_id = r0.user_id
            ) x
        ), ku AS (
            SELECT DISTINCT alert_id, user_id FROM r0 WHERE user_id IS NOT NULL
        ), gk AS MATERIALIZED (
            SELECT 'g' AS kind, g.id, g.covenant_id FROM k JOIN {group_grants} g
            ON g.content_object_id = k.alert_id AND g.organisation_id = k.organisation_id
            UNION ALL
            SELECT 'u' AS kind, g.id, g.covenant_id FROM ku JOIN {user_grants} g
            ON g.content_object_id = ku.alert_id AND g.user_id = ku.user_id
        ), a AS MATERIALIZED (
            SELECT a.id FROM {alert} a
            WHERE a.id IN (SELECT alert_id FROM r0) AND (SELECT count(*) FROM gk) >= 0
            ORDER BY a.id
            FOR SHARE OF a
        ), ar AS MATERIALIZED (
            SELECT r.id FROM k
            JOIN {recipient} r ON r.alert_id = k.alert_id AND r.organisation_id = k.organisation_id
            WHERE (SELECT count(*) FROM a) >= 0
            ORDER BY r.id
            FOR SHARE OF r
        ), s AS MATERIALIZED (
            SELECT s.id FROM {signatory} s
            WHERE s.covenant_id IN (SELECT covenant_id FROM gk)
                AND (SELECT count(*) FROM ar) >= 0
            ORDER BY s.id
            FOR SHARE OF s
        ), c AS MATERIALIZED (
            SELECT c.id FROM {covenant} c
            WHERE c.id IN (SELECT covenant_id FROM gk) AND (SELECT count(*) FROM s) >= 0
            ORDER BY c.id
            FOR SHARE OF c
        ), g AS MATERIALIZED (
            SELECT g.id, g.covenant_id FROM k JOIN {group_grants} g
            ON g.content_object_id = k.alert_id AND g.organisation_id = k.organisation_id
            WHERE (SELECT count(*) FROM c) >= 0
            ORDER BY g.id
            FOR SHARE OF g
        ), ug AS MATERIALIZED (
            SELECT g.id, g.covenant_id FROM ku JOIN {user_grants} g
            ON g.content_object_id = ku.alert_id AND g.user_id = ku.user_id
            WHERE (SELECT count(*) FROM g) >= 0
            ORDER BY g.id
            FOR SHARE OF g
        ), m AS MATERIALIZED (
            SELECT m.id, m.organisation_id FROM {membership} m
            WHERE m.user_id IN (SELECT user_id FROM ku) AND (SELECT count(*) FROM ug) >= 0
            ORDER BY m.id
            FOR SHARE OF m
        ), u AS MATERIALIZED (
            SELECT u.id FROM {user} u
            WHERE u.id IN (SELECT user_id FROM ku) AND (SELECT count(*) FROM m) >= 0
            ORDER BY u.id
            FOR SHARE OF u
        ), o AS MATERIALIZED (
            SELECT o.id FROM {organisation} o
            WHERE o.id IN (SELECT organisation_id FROM k) AND (SELECT count(*) FROM u) >= 0
            ORDER BY o.id
            FOR SHARE OF o
        ), w AS MATERIALIZED (
            SELECT w.id FROM {webhook} w
            WHERE w.id IN (SELECT webhook_id FROM r0 WHERE webhook_id IS NOT NULL)
                AND (SELECT count(*) FROM o) >= 0
            ORDER BY w.id
            FOR SHARE OF w
        ), d AS MATERIALIZED (
            SELECT id, status, attempts FROM {delivery}
            WHERE id = ANY(%s::bigint[]) AND (SELECT count(*) FROM w) >= 0
            ORDER BY id
            FOR UPDATE
        ), moved AS (
            SELECT EXISTS (
                SELECT 1 FROM (SELECT covenant_id FROM g UNION ALL SELECT covenant_id FROM ug) x
                WHERE x.covenant_id NOT IN (SELECT id FROM c)
            ) OR EXISTS (
                SELECT 1 FROM gk
                WHERE (gk.kind = 'g' AND gk.id NOT IN (SELECT id FROM g))
                    OR (gk.kind = 'u' AND gk.id NOT IN (SELECT id FROM ug))
            ) OR EXISTS (
                SELECT 1 FROM mk WHERE NOT EXISTS (
                    SELECT 1 FROM m WHERE m.id = mk.id AND m.organisation_id = mk.organisation_id
                )
            ) AS moved
        )
        SELECT d.id, d.status, d.attempts, moved.moved FROM moved LEFT JOIN d ON true
    """  # noqa: S608  # nosec B608  # tables from model metadata, values are parameters


def hold_and_lock(rows: list[Delivery]) -> dict[int, tuple[str, int]]:
    """Inside the gate's transaction: share-lock what the entitlement of every row rests on and
    lock the rows themselves, in one statement; each row's status and attempt as the database
    holds it now, by id (a row gone is absent). ``GrantMoved`` if a grant of the round rests on
    a covenant the statement did not hold (moved to a new version while it waited), or a grant
    it read before waiting was gone once locked (re-shared under another covenant, or revoked),
    or a recipient's membership read before waiting was gone or moved once locked.
    On SQLite, which serialises writers and has no row locks, only the rows are read: the check
    just before sending is what it has."""
    if not rows:
        return {}
    ids = [row.pk for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _hold_sql(),
                [
                    [row.alert_id for row in rows],
                    [row.organisation_id for row in rows],
                    [row.recipient_id for row in rows],
                    [row.webhook_id for row in rows],
                    ids,
                ],
            )
            found = cursor.fetchall()
            if found and found[0][3]:
                raise GrantMoved(
                    "a grant of the round moved to another covenant, or an addressee to another"
                    " organisation, meanwhile"
                )
            return {pk: (status, attempts) for pk, status, attempts, _ in found if pk is not None}
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT id, status, attempts FROM {Delivery._meta.db_table}"  # noqa: S608  # nosec B608  # table from model metadata, values are parameters
            f" WHERE id IN ({marks})",
            ids,
        )
        return {pk: (status, attempts) for pk, status, attempts in cursor.fetchall()}
