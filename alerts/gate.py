"""The entitlement gate's locks for several rows at once, in one statement.

A message may leave only inside a short transaction that first holds the rows its addressee's
entitlement rests on (``hold_and_lock``), then checks the rows against what is committed (the
batch's checked query, ``alerts.delivery.load_checked``, a statement of its own so it reads
after the locks are granted), and transmits. A revocation (a cancellation, a covenant
terminated, a signature withdrawn, a grant revoked, a user deactivated or moved) writes one of
the held rows, so it waits for the transmissions in progress; once it has committed, no later
gate lets a message through. Concurrent gates share the locks.

The rows held, for each delivery of the round: the alert and its recipient row for the
delivery's organisation, the organisation's group grant on the alert, the covenant the recipient
row rests on with the organisation's signature, and the recipient user with their memberships.
One ``SELECT`` with a ``WITH`` query per kind of row (``FOR SHARE``), and the delivery rows
themselves ``FOR UPDATE`` (the sweep cannot take them back between the check and the
transmission), whatever the number of rows.

The locks are taken in a fixed order, each kind of row by id: the alerts with their recipient
rows, the signatures, the covenants, the grants, the users with their memberships, the
deliveries. Each ``WITH`` query after the first waits for the one before it to be complete (a
one-time filter on its ``count(*)``, evaluated before its own rows are read; ``MATERIALIZED``
keeps each apart), so the planner can neither reorder them nor read one only part-way (a
``WITH`` query locks only the rows its reader pulls: the count pulls them all). A covenant's new
version, or a party withdrawing, writes the signature, then the covenant, then moves the grants
(``partnerships.services.covenants._replace``): the gate never holds a grant while it waits for
that covenant, so the two cannot deadlock (``tests/alerts/test_gate_lock_order.py``). Should the
gate still lose a deadlock or a lock timeout to some other writer, its round is retried with
backoff (``alerts.delivery._begin_round``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection

from alerts.models import Alert, AlertGroupGrant, AlertRecipient, Delivery
from partnerships.models import Covenant, CovenantSignatory, Membership


def _hold_sql() -> str:
    alert, recipient = Alert._meta.db_table, AlertRecipient._meta.db_table
    grants = AlertGroupGrant._meta.db_table
    covenant, signatory = Covenant._meta.db_table, CovenantSignatory._meta.db_table
    user, membership = get_user_model()._meta.db_table, Membership._meta.db_table
    delivery = Delivery._meta.db_table
    # Table names come from the models' metadata; values are parameters (arrays of ids).
    return f"""
        WITH k AS (
            SELECT DISTINCT alert_id, organisation_id
            FROM unnest(%s::bigint[], %s::bigint[]) AS k(alert_id, organisation_id)
        ), ar AS MATERIALIZED (
            SELECT r.covenant_id, r.organisation_id FROM k
            JOIN {alert} a ON a.id = k.alert_id
            JOIN {recipient} r ON r.alert_id = a.id AND r.organisation_id = k.organisation_id
            ORDER BY a.id, r.id
            FOR SHARE OF a, r
        ), s AS MATERIALIZED (
            SELECT s.covenant_id FROM {signatory} s
            WHERE (s.covenant_id, s.organisation_id)
                IN (SELECT covenant_id, organisation_id FROM ar)
                AND (SELECT count(*) FROM ar) >= 0
            ORDER BY s.id
            FOR SHARE OF s
        ), c AS MATERIALIZED (
            SELECT c.id FROM {covenant} c
            WHERE c.id IN (SELECT covenant_id FROM s) AND (SELECT count(*) FROM s) >= 0
            ORDER BY c.id
            FOR SHARE OF c
        ), g AS MATERIALIZED (
            SELECT g.id FROM k JOIN {grants} g
            ON g.content_object_id = k.alert_id AND g.organisation_id = k.organisation_id
            WHERE (SELECT count(*) FROM c) >= 0
            ORDER BY g.id
            FOR SHARE OF g
        ), um AS MATERIALIZED (
            SELECT u.id FROM {user} u JOIN {membership} m ON m.user_id = u.id
            WHERE u.id = ANY(%s::bigint[]) AND (SELECT count(*) FROM g) >= 0
            ORDER BY u.id, m.id
            FOR SHARE OF u, m
        ), d AS MATERIALIZED (
            SELECT id, status, attempts FROM {delivery}
            WHERE id = ANY(%s::bigint[]) AND (SELECT count(*) FROM um) >= 0
            ORDER BY id
            FOR UPDATE
        )
        SELECT id, status, attempts FROM d
    """  # noqa: S608  # nosec B608  # tables from model metadata, values are parameters


def hold_and_lock(rows: list[Delivery]) -> dict[int, tuple[str, int]]:
    """Inside the gate's transaction: share-lock what the entitlement of every row rests on and
    lock the rows themselves, in one statement; each row's status and attempt as the database
    holds it now, by id (a row gone is absent). On SQLite, which serialises writers and has no
    row locks, only the rows are read: the check just before sending is what it has."""
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
                    [row.recipient_id for row in rows if row.recipient_id is not None],
                    ids,
                ],
            )
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT id, status, attempts FROM {Delivery._meta.db_table}"  # noqa: S608  # nosec B608  # table from model metadata, values are parameters
                f" WHERE id IN ({marks})",
                ids,
            )
        return {pk: (status, attempts) for pk, status, attempts in cursor.fetchall()}
