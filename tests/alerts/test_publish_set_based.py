"""Publication is set-based: who cannot be told (``unreachable_reasons``) is answered per
organisation in the database by the fan-out's own channel rule, and equals what the Python rule
(``policy.effective_channel``) says over every combination of own preference and organisation
default; the recipients are written by one ``INSERT … SELECT``; and the number of queries of a
publication does not grow with its recipients or their users."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts import policy, services
from alerts.models import (
    USER_CHANNELS,
    AlertRecipient,
    ChannelPreference,
    Delivery,
    EscalationStep,
    OrganisationChannelDefault,
    Unreachable,
    WebhookSubscription,
)
from alerts.selectors import unreachable_reasons
from partnerships.models import Membership
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHOICES = (None, True, False)


def _python_reasons(org_ids: list[int], hooked: set[int]) -> dict[int, str]:
    """The rule stated with the Python function only, user by user."""
    reasons = {}
    for org_id in org_ids:
        if org_id in hooked:
            continue
        members = Membership.objects.filter(organisation_id=org_id, user__is_active=True)
        users = [m.user_id for m in members]
        if not users:
            reasons[org_id] = Unreachable.NO_ACTIVE_USER
            continue
        defaults = dict(
            OrganisationChannelDefault.objects.filter(organisation_id=org_id).values_list(
                "channel", "enabled"
            )
        )
        told = False
        for user_id in users:
            own = dict(
                ChannelPreference.objects.filter(user_id=user_id).values_list("channel", "enabled")
            )
            told |= any(
                policy.effective_channel(
                    channel, preference=own.get(channel), organisation_default=defaults.get(channel)
                )[0]
                for channel in USER_CHANNELS
            )
        if not told:
            reasons[org_id] = Unreachable.NO_CHANNEL
    return reasons


def test_who_cannot_be_told_in_sql_equals_the_python_rule_over_every_combination(world):
    """Per channel, every (own preference, organisation default) pair, the other channels off by
    the organisation's default; and the edge cases: nobody, only a former user, a webhook, two
    users of whom one is told."""
    org_ids = []
    for channel in USER_CHANNELS:
        for default in CHOICES:
            for own in CHOICES:
                org = OrganisationFactory(name=f"O {channel} {default} {own}")
                for other in USER_CHANNELS:
                    enabled = default if other == channel else False
                    if enabled is not None:
                        OrganisationChannelDefault.objects.create(
                            organisation=org, channel=other, enabled=enabled
                        )
                user = UserFactory(username=f"u-{channel}-{default}-{own}", organisation=org)
                if own is not None:
                    ChannelPreference.objects.create(
                        user=user, channel=channel, enabled=own, address="+31611111111"
                    )
                org_ids.append(org.pk)
    nobody = OrganisationFactory(name="Niemand")
    former = OrganisationFactory(name="Oud-gebruiker")
    gone = UserFactory(username="oud", organisation=former)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    hooked = OrganisationFactory(name="Webhook")
    WebhookSubscription.objects.create(
        organisation=hooked, url="https://hooks.example.org/pps", secret="whsec_dGVzdA=="
    )
    mixed = OrganisationFactory(name="Een van twee")
    for name, enabled in (("stil", False), ("luid", True)):
        user = UserFactory(username=name, organisation=mixed)
        for channel in USER_CHANNELS:
            ChannelPreference.objects.create(
                user=user, channel=channel, enabled=enabled and channel == "sms", address="+316"
            )
    org_ids += [nobody.pk, former.pk, hooked.pk, mixed.pk, world.org_a.pk]

    sql = unreachable_reasons(org_ids)
    python = _python_reasons(org_ids, {hooked.pk})
    assert sql == python
    # not a vacuous comparison: each answer occurs
    assert set(sql.values()) == {Unreachable.NO_ACTIVE_USER, Unreachable.NO_CHANNEL}
    assert sql[nobody.pk] == sql[former.pk] == Unreachable.NO_ACTIVE_USER
    assert {hooked.pk, mixed.pk, world.org_a.pk}.isdisjoint(sql)
    assert len(sql) < len(org_ids) - 3


def _audience(world, count: int, *, tag: str) -> list:
    """``count`` organisations of three users each; one of them with nobody to tell."""
    orgs = []
    for i in range(count):
        org = OrganisationFactory(name=f"{tag} {i}", sector="event_grounds")
        for k in range(3):
            UserFactory(username=f"{tag}-{i}-{k}", organisation=org)
        orgs.append(org)
    orgs.append(OrganisationFactory(name=f"{tag} leeg", sector="event_grounds"))
    return orgs


def _queries_to_publish(world, orgs, **fields) -> tuple[int, object]:
    alert = world.approved(organisations=orgs, **fields)
    with CaptureQueriesContext(connection) as queries:
        services.alert_publish(alert=alert, by=world.approver)
    return len(queries), alert


def test_publication_takes_the_same_queries_for_3_organisations_as_for_12(world):
    few, _small = _queries_to_publish(world, _audience(world, 2, tag="klein"), headline="Klein")
    many, alert = _queries_to_publish(world, _audience(world, 11, tag="groot"), headline="Groot")

    assert few == many
    assert AlertRecipient.objects.filter(alert=alert).count() == 12
    # 11 organisations of three users: in-app and e-mail each
    assert Delivery.objects.filter(alert=alert, purpose="notice").count() == 66
    assert list(
        EscalationStep.objects.filter(alert=alert).values_list("organisation__name", "reason")
    ) == [("groot leeg", Unreachable.NO_ACTIVE_USER)]


def test_amber_recipients_are_written_with_the_covenant_that_entitles_them(world):
    alert = world.published(tlp="amber", organisations=[world.org_a, world.org_b, world.org_d])
    assert set(
        AlertRecipient.objects.filter(alert=alert).values_list("organisation_id", "covenant_id")
    ) == {(world.org_a.pk, world.covenant.pk), (world.org_b.pk, world.covenant.pk)}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the count is PostgreSQL's (savepoints)"
)
def test_a_green_publication_to_many_organisations_is_a_fixed_number_of_queries(
    world, django_assert_num_queries
):
    orgs = _audience(world, 20, tag="veel")
    alert = world.approved(organisations=orgs, tlp="green")
    # savepoint; lock and read the alert; its sectors and partnerships (the audience); the
    # recipients written (INSERT … SELECT) and read back; webhooks; the state; the sectors to
    # raise; the fan-out (INSERT … SELECT); who cannot be told (one aggregate); the escalation
    # (steps, duty officers, their SMS rows); release. None of them per organisation or user.
    with django_assert_num_queries(15):
        services.alert_publish(alert=alert, by=world.approver)
    assert AlertRecipient.objects.filter(alert=alert).count() == 21


def test_recipients_written_by_sql_keep_their_time_as_the_orm_writes_it(world):
    """The recipients' ``created_at`` goes through the database's own adaptation, as the ORM's
    rows do: on SQLite a raw ``datetime`` was stored as text with ``+00:00``, which compares
    after the ORM's text of the same moment."""
    alert = world.published(organisations=[world.org_a, world.org_b])
    table = AlertRecipient._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST(created_at AS TEXT) FROM {table} WHERE alert_id = %s",  # noqa: S608  # nosec B608
            [alert.pk],
        )
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 2
    if connection.vendor == "sqlite":
        assert all("+" not in value for value in stored), stored
    assert all(
        abs(r.created_at - alert.published_at) < timedelta(seconds=5)
        for r in AlertRecipient.objects.filter(alert=alert)
    )
