"""The partner faces of alerts: the inbox and its live endpoint, the alert page with the scale-up
checklist and the acknowledgement, and the channel preferences.

Not a recipient, a draft, or missing: 404 alike. A viewer sees the alert but may not acknowledge
it: no form, and a POST answers 403. What others may not read is checked in the body.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from alerts import delivery as engine
from alerts import services
from alerts.models import Acknowledgement, ChannelPreference, Delivery, OrganisationChannelDefault
from tests import signin
from tests.alerts.conftest import pending_ids
from tests.threats.dashboard_world import venue
from threats import services as threat_services

pytestmark = pytest.mark.django_db


def sign_in(client, user, language="en"):
    """Sign in; the labels asserted below are English unless a test says otherwise."""
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def delivered(alert):
    """Send what the publication queued (the tests run the workers' part themselves)."""
    engine.deliver(pending_ids(alert))
    return alert


def to_a(world, **fields):
    return delivered(world.published(organisations=[world.org_a], **fields))


def page_url(alert):
    return reverse("alert-detail", args=[alert.public_id])


def ack_url(alert):
    return reverse("alert-acknowledge", args=[alert.public_id])


# --- the inbox ----------------------------------------------------------------------------------


def test_the_inbox_lists_the_users_own_alerts_newest_first_with_their_marks(client, world):
    first = to_a(world, headline="Dreiging stadions", tlp="amber")
    drill = to_a(world, headline="Oefening ontruiming", kind="exercise")
    other = delivered(world.published(organisations=[world.org_b], headline="Alleen voor B"))

    response = sign_in(client, world.admin_a).get(reverse("alert-inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(drill.headline) < body.index(first.headline)  # newest first
    assert other.headline not in body
    text = text_of(response)
    assert "EXERCISE" in text and "TLP:AMBER" in text and "Moderate threat" in text
    assert text.count("Unread") == 2 and text.count("Not yet acknowledged") == 2
    assert 'id="alerts-unread"' in body and ">2</span>" in body  # the counter in the navigation


def test_drills_are_marked_in_dutch_by_default(client, world):
    to_a(world, kind="exercise")
    to_a(world, headline="Testbericht", kind="test")
    text = text_of(sign_in(client, world.viewer_a, language="nl").get(reverse("alert-inbox")))
    assert "OEFENING" in text and "TEST" in text


def test_the_inbox_shows_the_organisations_acknowledgement(client, world):
    alert = to_a(world)
    services.alert_acknowledge(alert=alert, by=world.admin_a)
    text = text_of(sign_in(client, world.viewer_a).get(reverse("alert-inbox")))
    assert "Acknowledged" in text and "Not yet acknowledged" not in text


def test_the_inbox_asks_for_sign_in(client):
    for name in ("alert-inbox", "alert-inbox-json", "alert-unread-json", "alert-preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_live_endpoint_returns_only_the_callers_own_items(client, world):
    mine = to_a(world, headline="Voor A")
    theirs = delivered(world.published(organisations=[world.org_b], headline="Voor B"))

    data = sign_in(client, world.admin_a).get(reverse("alert-inbox-json")).json()
    ids = {item["id"] for item in data["items"]}
    own = Delivery.objects.get(alert=mine, recipient=world.admin_a, channel="in_app")
    assert ids == {str(own.public_id)}
    assert data["unread"] == 1
    assert "Voor A" in data["items"][0]["html"] and "Voor B" not in str(data)
    assert str(theirs.public_id) not in str(data)

    outsider = sign_in(client, world.user_d).get(reverse("alert-inbox-json")).json()
    assert outsider["items"] == [] and outsider["unread"] == 0


def test_the_live_endpoint_returns_what_was_sent_since_the_cursor(client, world):
    before = to_a(world, headline="Eerder")
    sent_at = Delivery.objects.get(alert=before, recipient=world.admin_a, channel="in_app").sent_at
    sign_in(client, world.admin_a)
    url = reverse("alert-inbox-json")

    cursor = (sent_at + timedelta(seconds=1)).isoformat()
    assert client.get(url, {"since": cursor}).json()["items"] == []
    later = to_a(world, headline="Later")
    Delivery.objects.filter(alert=later).update(sent_at=sent_at + timedelta(seconds=5))
    data = client.get(url, {"since": cursor}).json()
    assert [i["html"].count("Later") for i in data["items"]] == [1]
    assert data["announcement"] == "1 new alert" and data["cursor"]
    both = client.get(url, {"since": (sent_at - timedelta(seconds=1)).isoformat()}).json()
    assert len(both["items"]) == 2

    refused = client.get(url, {"since": "yesterday"})
    assert refused.status_code == 400 and "ISO 8601" in refused.json()["error"]
    for edge in ("0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        assert client.get(url, {"since": edge}).status_code == 400  # out of range: not a 500


def test_the_unread_counter_counts_only_the_users_unread_entries(client, world):
    to_a(world)
    to_a(world)
    assert sign_in(client, world.viewer_a).get(reverse("alert-unread-json")).json() == {"unread": 2}
    assert sign_in(client, world.admin_b).get(reverse("alert-unread-json")).json() == {"unread": 0}


def test_the_json_endpoints_are_not_cached(client, world):
    sign_in(client, world.admin_a)
    for name in ("alert-inbox-json", "alert-unread-json"):
        assert "no-store" in client.get(reverse(name))["Cache-Control"]


# --- the alert page -----------------------------------------------------------------------------


def test_the_alert_page_shows_the_alert_and_marks_it_read(client, world):
    alert = to_a(world, instruction="Schaal op naar matige dreiging.", tlp="amber")
    entry = Delivery.objects.get(alert=alert, recipient=world.admin_a, channel="in_app")
    assert entry.read_at is None

    response = sign_in(client, world.admin_a).get(page_url(alert))
    assert response.status_code == 200
    text = text_of(response)
    for expected in (
        alert.headline,
        alert.description,
        "Schaal op naar matige dreiging.",
        "Moderate threat",
        "TLP:AMBER",
        "Acknowledge before",
    ):
        assert expected in text, expected
    entry.refresh_from_db()
    assert entry.read_at is not None
    assert client.get(reverse("alert-unread-json")).json() == {"unread": 0}


def test_the_alert_page_answers_404_to_whoever_is_not_a_recipient(client, world):
    alert = to_a(world)
    draft = world.draft(organisations=[world.org_a])
    assert sign_in(client, world.user_d).get(page_url(alert)).status_code == 404
    assert sign_in(client, world.admin_b).get(page_url(alert)).status_code == 404
    assert sign_in(client, world.admin_a).get(page_url(draft)).status_code == 404
    missing = reverse("alert-detail", args=[uuid.uuid4()])
    assert client.get(missing).status_code == 404
    # and a POST to acknowledge answers alike
    assert sign_in(client, world.user_d).post(ack_url(alert)).status_code == 404
    assert not Acknowledgement.objects.exists()


def test_nctv_staff_may_view_any_alert_here_including_a_draft(client, world):
    draft = world.draft(organisations=[world.org_a])
    response = sign_in(client, world.duty).get(page_url(draft))
    assert response.status_code == 200
    assert "Not published" in text_of(response)
    assert 'id="acknowledge-form"' not in response.content.decode()


def test_drills_ended_alerts_and_versions_are_shown_clearly(client, world):
    drill = to_a(world, kind="exercise")
    text = text_of(sign_in(client, world.admin_a).get(page_url(drill)))
    assert "This is an exercise, not an actual alert." in text

    services.alert_cancel(alert=drill, by=world.approver)
    response = client.get(page_url(drill))
    assert "Cancelled on" in text_of(response)
    assert 'id="acknowledge-form"' not in response.content.decode()

    first = to_a(world, headline="Eerste versie")
    update = services.alert_update(alert=first, by=world.author, headline="Tweede versie")
    services.alert_approve(alert=update, by=world.approver)
    delivered(services.alert_publish(alert=update, by=world.approver))
    old = client.get(page_url(first)).content.decode()
    assert "Superseded by a newer version." in old
    assert page_url(update) in old and "superseded by version 2" in old
    new = client.get(page_url(update)).content.decode()
    assert page_url(first) in new and "replaces version 1" in new


# --- the scale-up checklist -----------------------------------------------------------------------


def test_the_checklist_lists_each_own_soft_targets_scale_up_steps_for_the_level(client, world):
    stadium = venue(world.admin_a, "Stadion Noord")
    training = venue(world.admin_a, "Trainingscomplex", capacity=300)
    peers = venue(world.admin_b, "Terrein van B", sector="event_grounds")
    below = {m for step in stadium.scale_up.all() for m in step.measures}  # a scenario climbs
    threat_services.scale_up_replace(
        soft_target=stadium,
        by=world.admin_a,
        steps={
            "matige_dreiging": {
                "measures": ["bag_checks", "security_staff"],
                "notes": "Extra stewards bij alle poorten.",
            },
            "hoge_dreiging": {
                "measures": [
                    *sorted(below - {"lockdown"} | {"bag_checks", "security_staff"}),
                    "lockdown",
                ]
            },
        },
    )
    threat_services.scale_up_replace(
        soft_target=training,
        by=world.admin_a,
        steps={"matige_dreiging": {"measures": ["cctv"]}, "hoge_dreiging": {"measures": ["cctv"]}},
    )
    alert = to_a(world, atb_level="matige_dreiging")

    response = sign_in(client, world.viewer_a).get(page_url(alert))
    checklist = response.content.decode().split('id="checklist"')[1].split("</section>")[0]
    assert "Stadion Noord" in checklist and "Trainingscomplex" in checklist
    assert 'data-measure="bag_checks"' in checklist and 'data-measure="security_staff"' in checklist
    assert 'data-measure="cctv"' in checklist
    assert "Extra stewards bij alle poorten." in checklist
    assert 'data-measure="lockdown"' not in checklist  # another level
    assert peers.name not in checklist  # another organisation's target


# --- acknowledging ------------------------------------------------------------------------------


def test_acknowledging_through_the_form_records_one_acknowledgement(client, world):
    alert = to_a(world)
    sign_in(client, world.admin_a)
    form = client.get(page_url(alert)).content.decode()
    assert 'id="acknowledge-form"' in form and 'value="bag_checks"' in form

    response = client.post(
        ack_url(alert),
        {"measures_taken": ["bag_checks", "cctv"], "note": "Tassencontrole vanaf 18:00."},
        follow=True,
    )
    ack = Acknowledgement.objects.get()
    assert (ack.organisation, ack.user, ack.measures_taken) == (
        world.org_a,
        world.admin_a,
        ["bag_checks", "cctv"],
    )
    text = text_of(response)
    assert "Acknowledged for Partner A Stadion" in text
    assert "Acknowledged for Partner A Stadion by admin-a on" in text
    assert "Bag checks" in text and "Tassencontrole vanaf 18:00." in text
    assert 'id="acknowledge-form"' not in response.content.decode()

    again = client.post(ack_url(alert), {"measures_taken": ["lockdown"]}, follow=True)
    assert Acknowledgement.objects.count() == 1
    assert Acknowledgement.objects.get().measures_taken == ["bag_checks", "cctv"]
    assert "had already acknowledged" in text_of(again)


def test_a_viewer_sees_the_alert_but_no_form_and_a_post_is_refused(client, world):
    alert = to_a(world)
    response = sign_in(client, world.viewer_a).get(page_url(alert))
    assert response.status_code == 200
    body = response.content.decode()
    assert alert.headline in body
    assert 'id="acknowledge-form"' not in body and 'id="viewer-note"' in body
    assert client.post(ack_url(alert), {"note": "gezien"}).status_code == 403
    assert not Acknowledgement.objects.exists()
    services.alert_acknowledge(alert=alert, by=world.admin_a)
    assert client.post(ack_url(alert), {"note": "gezien"}).status_code == 403  # also after
    assert Acknowledgement.objects.get().note == ""


def test_an_ended_alert_is_not_acknowledged_and_says_why(client, world):
    alert = to_a(world)
    services.alert_all_clear(alert=alert, by=world.approver)
    response = sign_in(client, world.admin_a).post(ack_url(alert), {"note": "te laat"})
    assert response.status_code == 200
    assert "no longer needs acknowledging" in text_of(response)
    assert not Acknowledgement.objects.exists()


def test_unknown_measures_are_refused_by_the_form(client, world):
    alert = to_a(world)
    response = sign_in(client, world.admin_a).post(ack_url(alert), {"measures_taken": ["magic"]})
    assert "The alert has not been acknowledged." in text_of(response)
    assert not Acknowledgement.objects.exists()


# --- channel preferences --------------------------------------------------------------------------


def own(**values):
    data = {"form": "own", "address": values.pop("address", "")}
    data |= {channel: "on" for channel, on in values.items() if on}
    return data


def test_preferences_show_the_effective_value_and_its_source(client, world):
    OrganisationChannelDefault.objects.create(
        organisation=world.org_a, channel="email", enabled=False
    )
    response = sign_in(client, world.viewer_a).get(reverse("alert-preferences"))
    body = response.content.decode()
    row = {c: body.split(f'id="channel-{c}"')[1].split("</tr>")[0] for c in ("in_app", "email")}
    assert "the portal's default" in row["in_app"] and ">on<" in row["in_app"]
    assert "your organisation's default" in row["email"] and ">off<" in row["email"]
    assert 'id="organisation-defaults"' not in body  # a viewer sets no defaults


def test_saving_preferences_keeps_defaults_for_channels_left_alone(client, world):
    sign_in(client, world.viewer_a)
    response = client.post(
        reverse("alert-preferences"),
        own(in_app=True, email=True, sms=True, address="+31 6 1234 5678"),
        follow=True,
    )
    assert "Your alert channels have been saved." in text_of(response)
    assert list(
        ChannelPreference.objects.filter(user=world.viewer_a).values_list(
            "channel", "enabled", "address"
        )
    ) == [("sms", True, "+31612345678")]
    body = response.content.decode()
    assert "your own choice" in body.split('id="channel-sms"')[1].split("</tr>")[0]


def test_sms_without_a_phone_number_is_refused_and_nothing_is_saved(client, world):
    sign_in(client, world.viewer_a)
    response = client.post(reverse("alert-preferences"), own(in_app=True, email=False, sms=True))
    assert response.status_code == 200
    text = text_of(response)
    assert "Nothing has been saved." in text
    assert "Give the phone number that should receive the SMS messages." in text
    field = response.content.decode().split('id="id_address"')[1].split("</div>")[0]
    assert "errorlist" in field  # the message stands next to the phone number
    assert not ChannelPreference.objects.filter(user=world.viewer_a).exists()  # not even email


def test_an_organisation_admin_sets_the_defaults_and_members_follow_them(client, world):
    sign_in(client, world.admin_a)
    assert 'id="organisation-defaults"' in client.get(reverse("alert-preferences")).content.decode()
    response = client.post(
        reverse("alert-preferences"), {"form": "organisation", "org-in_app": "on"}, follow=True
    )
    assert "default channels have been saved" in text_of(response)
    assert dict(
        OrganisationChannelDefault.objects.filter(organisation=world.org_a).values_list(
            "channel", "enabled"
        )
    ) == {"email": False}  # only what changed; SMS was already off by default

    body = sign_in(client, world.viewer_a).get(reverse("alert-preferences")).content.decode()
    assert "your organisation's default" in body.split('id="channel-email"')[1].split("</tr>")[0]


def test_a_member_who_is_no_admin_may_not_set_the_defaults(client, world):
    response = sign_in(client, world.viewer_a).post(
        reverse("alert-preferences"), {"form": "organisation", "org-email": "on"}
    )
    assert response.status_code == 403
    assert not OrganisationChannelDefault.objects.exists()


# --- query counts -------------------------------------------------------------------------------

# session, user, membership (the actor); the banner (one query)
BASE_QUERIES = 4


@pytest.mark.parametrize("count", [2, 7])
def test_the_inbox_runs_a_fixed_number_of_queries(client, world, count, django_assert_num_queries):
    for i in range(count):
        to_a(world, headline=f"Alert {i}", kind="exercise" if i % 2 else "actual")
    sign_in(client, world.admin_a)
    # entries counted, then listed (with the alert and the acknowledgement: the user's own
    # entries, no read door's set, so counted apart); unread counted; the organisation's own
    # times to acknowledge (the chart)
    with django_assert_num_queries(BASE_QUERIES + 4):
        response = client.get(reverse("alert-inbox"))
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [2, 7])
def test_the_live_endpoint_runs_a_fixed_number_of_queries(
    client, world, count, django_assert_num_queries
):
    for i in range(count):
        to_a(world, headline=f"Alert {i}")
    sign_in(client, world.admin_a)
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    # session, user, membership; the entries; the unread count
    with django_assert_num_queries(5):
        data = client.get(reverse("alert-inbox-json"), {"since": since}).json()
    assert len(data["items"]) == count


# --- the trace of AMBER reads -------------------------------------------------------------------


def _viewed(user):
    from ppsportal.models import AuditEvent

    return list(AuditEvent.objects.filter(action="sensitive.viewed", actor_username=user.username))


def test_reading_an_amber_alert_in_the_inbox_is_audited_once(client, world):
    amber = to_a(world, headline="Dreiging stadions", tlp="amber")
    to_a(world, headline="Openbaar bericht", tlp="green")
    sign_in(client, world.admin_a).get(reverse("alert-inbox"))
    (event,) = _viewed(world.admin_a)
    assert event.object_type == "alerts.alert"
    assert event.object_ids == [str(amber.public_id)]


def test_the_live_inbox_audits_the_amber_alerts_it_returns(client, world):
    amber = to_a(world, tlp="amber")
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    sign_in(client, world.admin_a).get(reverse("alert-inbox-json"), {"since": since})
    (event,) = _viewed(world.admin_a)
    assert event.object_ids == [str(amber.public_id)]


def test_reading_an_amber_alert_page_is_audited_once(client, world):
    amber = to_a(world, tlp="amber")
    sign_in(client, world.admin_a).get(page_url(amber))
    (event,) = _viewed(world.admin_a)
    assert event.object_ids == [str(amber.public_id)]
    assert event.owner_organisation_ids == f",{amber.owner_organisation_id},"


def test_a_green_alert_page_and_a_refused_one_write_no_trace(client, world):
    green = to_a(world, tlp="green")
    amber_b = delivered(world.published(organisations=[world.org_b], tlp="amber"))
    sign_in(client, world.admin_a)
    assert client.get(page_url(green)).status_code == 200
    assert client.get(page_url(amber_b)).status_code == 404
    assert _viewed(world.admin_a) == []
