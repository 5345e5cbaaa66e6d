"""The fan-out in one statement: a delivery row for every active user of the recipient
organisations and every channel they receive on, inserted by the database itself.

``INSERT … SELECT`` resolves each user's channels by the rule ``alerts.policy.effective_channel``
states in Python (the user's preference, else the organisation's default, else the built-in
choice, ``policy.built_in_enabled``), as ``COALESCE`` over the same three; a test compares both
on the same data (``tests/alerts/test_policy.py``). It skips rows that exist (the unique key on
alert, recipient, channel and purpose). No model instance is built: 10,000 rows are one round
trip (bench/run.py, ``alert_publish_fan_out_10000``)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection

from alerts.models import (
    USER_CHANNELS,
    AlertRecipient,
    ChannelPreference,
    Delivery,
    OrganisationChannelDefault,
)
from alerts.policy import built_in_enabled
from partnerships.models import Membership

# ``models.deliveries.time_ordered_uuid`` in SQL (PostgreSQL 15 has no uuidv7()): a random UUID
# whose first 6 bytes are replaced by the time in milliseconds and whose version nibble becomes 7.
_TIME_ORDERED_UUID_SQL = (
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing "
    "substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) "
    "FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid"
)


def _new_uuid_sql() -> str:
    if connection.vendor == "postgresql":
        return _TIME_ORDERED_UUID_SQL
    return "lower(hex(randomblob(16)))"  # SQLite keeps a UUIDField as 32 hex digits


def _channels_sql() -> str:
    """A derived table (channel, enabled by default) of the channels a user chooses."""
    rows = [
        f"SELECT '{channel}' AS channel, {'TRUE' if built_in_enabled(channel) else 'FALSE'}"
        " AS fallback"
        for channel in USER_CHANNELS
    ]
    return " UNION ALL ".join(rows)


# Whether the user of a row of ``_user_channels_sql`` receives on its channel: their own
# preference, else their organisation's default, else the built-in choice.
RECEIVES_SQL = "COALESCE(p.enabled, d.enabled, c.fallback)"


def _user_channels_sql(organisations_sql: str) -> str:
    """``FROM … WHERE`` of every active user of the organisations ``organisations_sql`` selects
    (a subquery or a list of organisation ids), crossed with every channel a user chooses:
    ``u`` the user, ``m`` the membership, ``c.channel`` the channel, and ``RECEIVES_SQL``
    whether they receive on it. The rule (``alerts.policy.effective_channel``) is here once, for
    the fan-out and for whom an organisation can be told through (``organisations_reach``)."""
    users = get_user_model()._meta.db_table
    return f"""
        FROM {users} u
        JOIN {Membership._meta.db_table} m ON m.user_id = u.id
        CROSS JOIN ({_channels_sql()}) c
        LEFT JOIN {ChannelPreference._meta.db_table} p
            ON p.user_id = u.id AND p.channel = c.channel
        LEFT JOIN {OrganisationChannelDefault._meta.db_table} d
            ON d.organisation_id = m.organisation_id AND d.channel = c.channel
        WHERE u.is_active AND m.organisation_id IN ({organisations_sql})
    """  # nosec B608  # table names from model metadata


def insert_user_deliveries(
    *, alert_id: int, purpose: str, now: datetime, dispatched_until: datetime | None = None
) -> int:
    """One queued delivery row per active user of the alert's recipient organisations and per
    channel they receive on; returns how many rows were inserted. ``dispatched_until`` marks
    them handed to a worker already (publication enqueues them right after commit)."""
    table = Delivery._meta.db_table
    recipients = f"SELECT organisation_id FROM {AlertRecipient._meta.db_table} WHERE alert_id = %s"  # noqa: S608  # nosec B608  # table name from model metadata
    sql = f"""
        INSERT INTO {table} (
            public_id, alert_id, recipient_id, organisation_id, webhook_id, channel, purpose,
            status, attempts, next_attempt_at, dispatched_until, last_error, sent_at, read_at,
            created_at
        )
        SELECT {_new_uuid_sql()}, %s, u.id, m.organisation_id, NULL, c.channel, %s,
            %s, 0, %s, %s, '', NULL, NULL, %s
        {_user_channels_sql(recipients)} AND {RECEIVES_SQL}
        ORDER BY m.organisation_id, u.id, c.channel
        ON CONFLICT DO NOTHING
    """  # nosec B608  # see above
    params = [alert_id, purpose, Delivery.Status.QUEUED, now, dispatched_until, now, alert_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def organisations_reach(organisation_ids: list[int]) -> dict[int, bool]:
    """For each of these organisations that has an active user: whether any of its active users
    receives on some channel (the fan-out's own rule and joins, ``_user_channels_sql``). One
    query, grouped per organisation in the database; no user is read into Python.
    Organisations without an active user are absent."""
    if not organisation_ids:
        return {}
    marks = ", ".join(["%s"] * len(organisation_ids))
    sql = f"""
        SELECT m.organisation_id, MAX(CASE WHEN {RECEIVES_SQL} THEN 1 ELSE 0 END)
        {_user_channels_sql(marks)}
        GROUP BY m.organisation_id
    """  # nosec B608  # table names from model metadata, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(pk) for pk in organisation_ids])
        return {org_id: bool(on) for org_id, on in cursor.fetchall()}


def insert_follow_ups(
    *,
    source_alert_id: int,
    alert_id: int,
    purpose: str,
    now: datetime,
    dispatched_until: datetime | None = None,
    recipients_of_alert: bool = False,
) -> int:
    """Tell again whoever received ``source_alert_id``: one queued row per recipient (user or
    webhook) and channel its own message (``notice``) was sent on or is being sent on, for
    ``alert_id`` with ``purpose`` (an update's notice, a cancellation, an all clear). With
    ``recipients_of_alert`` only organisations that are recipients of ``alert_id`` (an update
    narrows its audience). Rows that exist are skipped: each recipient once per channel."""
    table = Delivery._meta.db_table
    narrow = ""
    params = [alert_id, purpose, Delivery.Status.QUEUED, now, dispatched_until, now]
    params += [source_alert_id, Delivery.Purpose.NOTICE, Delivery.Status.SENT]
    params += [Delivery.Status.IN_FLIGHT]
    if recipients_of_alert:
        recipients = AlertRecipient._meta.db_table
        narrow = f" AND d.organisation_id IN (SELECT organisation_id FROM {recipients} WHERE alert_id = %s)"  # noqa: S608, E501  # nosec B608  # table name from model metadata
        params.append(alert_id)
    sql = f"""
        INSERT INTO {table} (
            public_id, alert_id, recipient_id, organisation_id, webhook_id, channel, purpose,
            status, attempts, next_attempt_at, dispatched_until, last_error, sent_at, read_at,
            created_at
        )
        SELECT {_new_uuid_sql()}, %s, d.recipient_id, d.organisation_id, d.webhook_id,
            d.channel, %s, %s, 0, %s, %s, '', NULL, NULL, %s
        FROM {table} d
        WHERE d.alert_id = %s AND d.purpose = %s AND d.status IN (%s, %s){narrow}
        ORDER BY d.organisation_id, d.id
        ON CONFLICT DO NOTHING
    """  # noqa: S608  # nosec B608  # table names from model metadata, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
