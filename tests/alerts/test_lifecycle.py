"""The life of an alert: draft, four eyes, publication to the right audience, update, end,
acknowledgement — and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alerts import services
from alerts.models import Acknowledgement, Alert, AlertRecipient, Delivery
from alerts.selectors import alerts_visible_to
from partnerships.selectors import actor_for
from partnerships.services import covenants as covenant_services
from tests.alerts.conftest import rows
from threats.models import SectorAlertLevel


def test_draft_derives_cap_fields_and_deadline_from_the_level(world):
    alert = world.draft(atb_level="hoge_dreiging")
    assert (alert.urgency, alert.severity, alert.certainty) == ("Immediate", "Extreme", "Likely")
    assert alert.ack_deadline_minutes == 15
    assert world.draft(atb_level="basisniveau").ack_deadline_minutes == 1440
    assert alert.status == Alert.Status.DRAFT and alert.owner_organisation == world.nctv


def test_only_staff_draft(world):
    with pytest.raises(PermissionDenied):
        services.alert_create(
            by=world.admin_a, headline="x", description="y", atb_level="basisniveau"
        )


def test_red_alerts_and_drills_raising_levels_are_refused(world):
    with pytest.raises(ValidationError) as red:
        world.draft(tlp="red")
    assert red.value.error_dict["tlp"][0].code == "red_alert"
    with pytest.raises(ValidationError) as drill:
        world.draft(kind="exercise", raises_sectors=[world.sector("football_stadium")])
    assert drill.value.error_dict["raises_sectors"][0].code == "drill_raises_level"


@pytest.mark.parametrize(
    ("polygon", "code"),
    [
        ("52.3,4.8 52.4,4.9 52.3", "area_point"),
        ("52.3;4.8 52.4,4.9 52.5,4.7 52.3,4.8", "area_point"),
        ("52.3,4.8 52.4,4.9 95,4.7 52.3,4.8", "area_range"),
        ("52.3,4.8 52.4,4.9 52.3,4.8", "area_too_few"),
        ("52.3,4.8 52.4,4.9 52.5,4.7 52.6,4.8", "area_not_closed"),
    ],
)
def test_an_unparseable_area_is_refused_and_nothing_is_made(world, polygon, code):
    with pytest.raises(ValidationError) as refused:
        world.draft(organisations=[world.org_a], area_polygon=polygon)
    assert [e.code for e in refused.value.error_dict["area_polygon"]] == [code]
    assert not Alert.objects.exists()


def test_control_characters_in_the_text_are_refused_with_the_field(world):
    with pytest.raises(ValidationError) as refused:
        world.draft(organisations=[world.org_a], description="Regel een\x0bregel twee")
    assert list(refused.value.error_dict) == ["description"]
    assert refused.value.error_dict["description"][0].code == "control_character"
    assert not Alert.objects.exists()
    first = world.published(organisations=[world.org_a])
    with pytest.raises(ValidationError):
        services.alert_update(alert=first, by=world.author, headline="Kop\x0c")
    assert Alert.objects.count() == 1


def test_a_valid_area_is_kept_in_cap_form(world):
    alert = world.draft(
        organisations=[world.org_a],
        area_description="Rondom de Johan Cruijff ArenA",
        area_polygon=" 52.31,4.94  52.32,4.95 52.31,4.96 52.31,4.94 ",
    )
    assert alert.area_polygon == "52.31,4.94 52.32,4.95 52.31,4.96 52.31,4.94"
    assert alert.area_description == "Rondom de Johan Cruijff ArenA"


def test_the_author_cannot_approve_their_own_alert(world):
    alert = world.draft()
    with pytest.raises(ValidationError) as error:
        services.alert_approve(alert=alert, by=world.author)
    assert error.value.code == "four_eyes"
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT and alert.approver is None


def test_publishing_without_approval_is_refused(world):
    alert = world.draft(sectors=[world.sector("football_stadium")])
    with pytest.raises(ValidationError) as error:
        services.alert_publish(alert=alert, by=world.approver)
    assert error.value.code == "not_approved"
    assert not Delivery.objects.exists()


def test_green_alert_reaches_everyone_in_the_sector_on_default_channels(world):
    alert = world.published(tlp="green", sectors=[world.sector("football_stadium")])
    assert alert.status == Alert.Status.PUBLISHED and alert.published_at
    assert set(
        AlertRecipient.objects.filter(alert=alert).values_list("organisation__name", flat=True)
    ) == {
        "Partner A Stadion",
        "Buitenstaander D",
    }
    assert rows(alert) == [
        ("admin-a", "email", "queued"),
        ("admin-a", "in_app", "queued"),
        ("user-d", "email", "queued"),
        ("user-d", "in_app", "queued"),
        ("viewer-a", "email", "queued"),
        ("viewer-a", "in_app", "queued"),
    ]
    assert alerts_visible_to(actor_for(world.user_d)).filter(pk=alert.pk).exists()
    assert not alerts_visible_to(actor_for(world.admin_b)).filter(pk=alert.pk).exists()


def test_amber_alert_reaches_only_organisations_entitled_under_a_covenant(world):
    alert = world.published(
        tlp="amber", sectors=[world.sector("football_stadium")], organisations=[world.org_b]
    )
    recipients = AlertRecipient.objects.filter(alert=alert).select_related("organisation")
    assert {(r.organisation.name, r.covenant_id) for r in recipients} == {
        ("Partner A Stadion", world.covenant.pk),
        ("Partner B Evenementen", world.covenant.pk),
    }
    assert {u for u, _c, _s in rows(alert)} == {"admin-a", "viewer-a", "admin-b"}
    assert alerts_visible_to(actor_for(world.viewer_a)).filter(pk=alert.pk).exists()
    assert not alerts_visible_to(actor_for(world.user_d)).filter(pk=alert.pk).exists()


def test_channel_preferences_and_organisation_defaults_choose_the_channels(world):
    from alerts.models import ChannelPreference, OrganisationChannelDefault

    OrganisationChannelDefault.objects.create(
        organisation=world.org_a, channel="email", enabled=False
    )
    ChannelPreference.objects.filter(user=world.admin_a, channel="sms").update(enabled=True)
    ChannelPreference.objects.create(user=world.viewer_a, channel="email", enabled=True)
    alert = world.published(organisations=[world.org_a])
    assert [(u, c) for u, c, _s in rows(alert)] == [
        ("admin-a", "in_app"),
        ("admin-a", "sms"),
        ("viewer-a", "email"),
        ("viewer-a", "in_app"),
    ]


def test_an_audience_that_resolves_to_nobody_is_refused_with_the_reason(world):
    empty = world.approved(sectors=[world.sector("museum")])
    with pytest.raises(ValidationError) as error:
        services.alert_publish(alert=empty, by=world.approver)
    assert error.value.code == "empty_audience"

    unentitled = world.approved(tlp="amber", organisations=[world.org_d])
    with pytest.raises(ValidationError) as error:
        services.alert_publish(alert=unentitled, by=world.approver)
    assert error.value.code == "audience_not_entitled"
    assert "1" in error.value.messages[0]
    unentitled.refresh_from_db()
    assert unentitled.status == Alert.Status.APPROVED
    assert not Delivery.objects.exists() and not AlertRecipient.objects.exists()


def test_amber_strict_goes_to_one_organisation(world):
    covenant_services.covenant_update(covenant=world.covenant, information_clause="amber_strict")
    alert = world.approved(tlp="amber_strict", organisations=[world.org_a, world.org_b])
    with pytest.raises(ValidationError) as error:
        services.alert_publish(alert=alert, by=world.approver)
    assert error.value.code == "strict_single"
    alert.organisations.set([world.org_b])
    services.alert_publish(alert=alert, by=world.approver)
    assert {u for u, _c, _s in rows(alert)} == {"admin-b"}


def test_publishing_raises_sector_levels_in_the_same_transaction(world):
    stadium = world.sector("football_stadium")
    world.published(
        atb_level="hoge_dreiging", organisations=[world.org_a], raises_sectors=[stadium]
    )
    assert SectorAlertLevel.objects.filter(sector=stadium).first().level == "hoge_dreiging"


def test_an_update_is_a_new_version_that_supersedes_the_previous(world):
    first = world.published(organisations=[world.org_a])
    update = services.alert_update(alert=first, by=world.author, headline="Update: dreiging")
    assert (update.version, update.previous, update.status) == (2, first, Alert.Status.DRAFT)
    assert list(update.organisations.all()) == [world.org_a]
    with pytest.raises(ValidationError):
        services.alert_update(alert=first, by=world.author)  # one successor only
    services.alert_approve(alert=update, by=world.approver)
    services.alert_publish(alert=update, by=world.approver)
    first.refresh_from_db()
    assert first.status == Alert.Status.SUPERSEDED
    assert Delivery.objects.filter(alert=update).count() == 4


def test_an_update_to_another_level_takes_that_levels_cap_values_and_deadline(world):
    first = world.published(organisations=[world.org_a])  # matige dreiging
    assert (first.urgency, first.severity, first.ack_deadline_minutes) == ("Expected", "Severe", 60)
    raised = services.alert_update(alert=first, by=world.author, atb_level="hoge_dreiging")
    assert (raised.urgency, raised.severity, raised.certainty, raised.ack_deadline_minutes) == (
        "Immediate",
        "Extreme",
        "Likely",
        15,
    )
    services.alert_cancel(alert=raised, by=world.author)  # a draft may be withdrawn unapproved
    second = world.published(organisations=[world.org_a])
    given = services.alert_update(
        alert=second, by=world.author, atb_level="hoge_dreiging", certainty="Observed"
    )
    assert (given.urgency, given.certainty) == ("Immediate", "Observed")


def test_cancel_and_all_clear_end_the_alert_and_stop_what_was_not_sent(world):
    alert = world.published(organisations=[world.org_a])
    services.alert_cancel(alert=alert, by=world.author)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CANCELLED and alert.ended_at
    assert set(Delivery.objects.filter(alert=alert).values_list("status", flat=True)) == {
        "cancelled"
    }
    with pytest.raises(ValidationError):
        services.alert_all_clear(alert=alert, by=world.author)

    other = world.published(organisations=[world.org_a])
    services.alert_all_clear(alert=other, by=world.author)
    other.refresh_from_db()
    assert other.status == Alert.Status.ALL_CLEAR


def test_alerts_expire_when_their_time_has_come(world):
    alert = world.published(
        organisations=[world.org_a], expires_at=timezone.now() + timedelta(hours=1)
    )
    assert services.alerts_expire_due() == 0
    assert services.alerts_expire_due(now=timezone.now() + timedelta(hours=2)) == 1
    alert.refresh_from_db()
    assert alert.status == Alert.Status.EXPIRED


def test_a_recipient_acknowledges_for_the_organisation_once(world):
    alert = world.published(tlp="amber", organisations=[world.org_a])
    ack, created = services.alert_acknowledge(
        alert=alert,
        by=world.admin_a,
        note="Opgeschaald",
        measures_taken=["bag_checks", "security_staff"],
    )
    again, again_created = services.alert_acknowledge(alert=alert, by=world.admin_a)
    assert created and not again_created
    assert again.pk == ack.pk and again.note == "Opgeschaald"
    assert Acknowledgement.objects.filter(alert=alert).count() == 1
    assert ack.measures_taken == ["bag_checks", "security_staff"]


def test_acknowledgement_refusals(world):
    alert = world.published(tlp="amber", organisations=[world.org_a])
    with pytest.raises(services.AlertNotFound):  # not a recipient: not found (404)
        services.alert_acknowledge(alert=alert, by=world.admin_b)
    with pytest.raises(services.AlertNotFound):  # missing: the same answer
        services.alert_acknowledge(
            alert=Alert(pk=10**9, public_id="4a1f2b1e-0000-4000-8000-000000000000"),
            by=world.admin_a,
        )
    with pytest.raises(PermissionDenied):  # may see, may not write (403)
        services.alert_acknowledge(alert=alert, by=world.viewer_a)
    with pytest.raises(ValidationError):
        services.alert_acknowledge(alert=alert, by=world.admin_a, measures_taken=["teleport"])
    covenant_services.covenant_terminate(covenant=world.covenant)
    with pytest.raises(services.AlertNotFound):  # entitlement gone: no longer visible
        services.alert_acknowledge(alert=alert, by=world.admin_a)
    assert not Acknowledgement.objects.exists()
