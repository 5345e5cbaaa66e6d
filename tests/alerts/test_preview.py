"""The audience preview: before publishing, staff see how many organisations, users and messages
per channel the alert would reach, and how many organisations are left out for want of a
covenant allowing its level — the same numbers publication then produces, in a fixed number of
queries."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from alerts import policy, services
from alerts.models import (
    USER_CHANNELS,
    ChannelPreference,
    Delivery,
    Unreachable,
    WebhookSubscription,
)
from alerts.preview import audience_preview
from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services
from tests.factories import OrganisationFactory, UserFactory

# A fixed number of queries for any audience: the audience (3), the count before entitlement
# (3), users with their preferences and organisation defaults (3), webhooks (1); who cannot be
# told is answered from the users read (no query).
PREVIEW_QUERIES = 10


def _webhook(organisation):
    return WebhookSubscription.objects.create(
        organisation=organisation, url="https://hooks.example.invalid/pps", secret="whsec_dGVzdA=="
    )


def test_amber_counts_per_channel_and_the_unentitled_organisation_left_out(world):
    ChannelPreference.objects.create(user=world.viewer_a, channel="sms", address="+31600000003")
    _webhook(world.org_a)
    alert = world.approved(tlp="amber", sectors=[world.sector("football_stadium")])

    preview = audience_preview(alert)

    assert preview["organisations"] == 1  # partner A; outsider D has no covenant
    assert preview["organisation_names"] == ["Partner A Stadion"]
    assert preview["audience_before_entitlement"] == 2
    assert preview["excluded_not_entitled"] == 1
    assert preview["users"] == 2
    assert preview["channels"] == {"in_app": 2, "email": 2, "sms": 1, "webhook": 1}
    assert preview["deliveries"] == 6
    assert not Delivery.objects.exists()  # nothing written


def test_the_preview_matches_what_publication_creates(world):
    ChannelPreference.objects.create(user=world.admin_b, channel="email", enabled=False)
    _webhook(world.org_b)
    alert = world.approved(tlp="amber", partnerships=[world.partnership])
    preview = audience_preview(alert)

    services.alert_publish(alert=alert, by=world.approver)

    created = Counter(Delivery.objects.filter(alert=alert).values_list("channel", flat=True))
    assert {channel: created.get(channel, 0) for channel in preview["channels"]} == preview[
        "channels"
    ]
    assert alert.recipients.count() == preview["organisations"] == 2
    assert preview["excluded_not_entitled"] == 0


def test_green_reaches_the_whole_audience(world):
    alert = world.approved(tlp="green", sectors=[world.sector("football_stadium")])
    preview = audience_preview(alert)
    assert preview["organisation_names"] == ["Buitenstaander D", "Partner A Stadion"]
    assert preview["excluded_not_entitled"] == 0
    assert preview["users"] == 3


def test_an_empty_audience_previews_as_nobody(world):
    alert = world.approved(tlp="amber", organisations=[world.org_d])
    preview = audience_preview(alert)
    assert (preview["organisations"], preview["users"], preview["deliveries"]) == (0, 0, 0)
    assert preview["excluded_not_entitled"] == 1


def test_the_preview_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    alert = world.approved(
        tlp="amber",
        sectors=[world.sector("football_stadium")],
        partnerships=[world.partnership],
    )
    with django_assert_num_queries(PREVIEW_QUERIES):
        small = audience_preview(alert)

    today = timezone.localdate()
    for i in range(4):
        org = OrganisationFactory(name=f"Stadion {i}", sector="football_stadium")
        for j in range(3):
            user = UserFactory(username=f"stadion-{i}-{j}", organisation=org)
            ChannelPreference.objects.create(user=user, channel="sms", address="+3160000{i}{j}")
        _webhook(org)
        if i % 2 == 0:  # half of them join, sign the covenant and become entitled
            partnership_services.partnership_member_add(
                partnership=world.partnership,
                organisation=org,
                role="venue_operator",
                joined_on=today - timedelta(days=2),
            )
            covenant_services.covenant_add_signatory(
                covenant=world.covenant, organisation=org, signed_on=today - timedelta(days=1)
            )
    with django_assert_num_queries(PREVIEW_QUERIES):
        large = audience_preview(alert)

    assert large["organisations"] == small["organisations"] + 2
    assert large["excluded_not_entitled"] == small["excluded_not_entitled"] + 2
    assert large["channels"]["sms"] == small["channels"]["sms"] + 6
    assert large["channels"]["webhook"] == small["channels"]["webhook"] + 2


def test_the_preview_names_the_unreachable_by_the_rule_it_counts_channels_with(world, monkeypatch):
    """The channels counted per user and the organisations named unreachable come from one
    rule: were the channel rule to say no to everyone, every organisation without a webhook is
    named, none left counted as reached."""
    monkeypatch.setattr(policy, "effective_channel", lambda channel, **_: (False, "test"))
    alert = world.approved(tlp="green", organisations=[world.org_a, world.org_b])

    preview = audience_preview(alert)

    assert preview["users"] == 3
    assert {channel: preview["channels"][channel] for channel in USER_CHANNELS} == dict.fromkeys(
        USER_CHANNELS, 0
    )
    assert sorted(preview["unreachable_organisations"]) == sorted(
        [world.org_a.name, world.org_b.name]
    )
    assert {row["reason"] for row in preview["unreachable"]} == {Unreachable.NO_CHANNEL}
