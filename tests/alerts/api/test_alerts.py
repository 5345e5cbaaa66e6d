"""/api/v1/alerts/: partners read what was sent to them and nothing else; NCTV staff run the
lifecycle through the services (four eyes included); state conflicts answer 409."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts import services
from alerts.escalation import alerts_escalate
from alerts.models import Alert, Delivery
from tests.alerts.api.conftest import URL, deliver, detail


def headlines(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["headline"] for row in response.json()["results"]]


# --- Reading ------------------------------------------------------------------------------------


def test_partners_list_only_the_alerts_sent_to_them(world, client_for, green, amber):
    draft = world.draft(headline="Concept", organisations=[world.org_a])
    assert headlines(client_for(world.admin_a).get(URL)) == [amber.headline, green.headline]
    assert headlines(client_for(world.admin_b).get(URL)) == [amber.headline]
    assert headlines(client_for(world.user_d).get(URL)) == [green.headline]
    staff = headlines(client_for(world.duty).get(URL))
    assert set(staff) == {amber.headline, green.headline, draft.headline}


def test_not_visible_is_404_like_missing(world, client_for, green):
    draft = world.draft(organisations=[world.org_b])
    client = client_for(world.admin_b)
    for url in (detail(green), detail(draft), f"{URL}{uuid.uuid4()}/", f"{URL}not-a-uuid/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}


def test_alerts_need_sign_in(api_client, green):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(detail(green)).status_code == 401
    assert api_client.post(detail(green, "acknowledge/"), {}).status_code == 401


def test_a_partner_sees_the_audience_only_as_far_as_it_concerns_them(world, client_for, amber):
    body_a = client_for(world.admin_a).get(detail(amber)).json()
    assert body_a["audience"] == {
        "sectors": [],
        "regions": [],
        "partnerships": [{"id": str(world.partnership.public_id), "name": "Stadion PPS"}],
        "organisations": [{"id": str(world.org_a.public_id), "name": "Partner A Stadion"}],
    }
    body_b = client_for(world.admin_b).get(detail(amber)).json()
    assert body_b["audience"]["organisations"] == []  # A is not named to B
    assert (body_b["counts"], body_b["author"], body_b["approver"]) == (None, None, None)
    text = str(body_b)
    assert "Partner A" not in text and str(world.org_a.public_id) not in text


def test_staff_see_the_whole_audience_and_the_counts(world, client_for, amber):
    deliver(amber)
    Delivery.objects.filter(alert=amber, recipient=world.admin_b, channel="email").update(
        status=Delivery.Status.FAILED
    )
    services.alert_acknowledge(alert=amber, by=world.admin_a)
    body = client_for(world.duty).get(detail(amber)).json()
    assert {o["name"] for o in body["audience"]["organisations"]} == {"Partner A Stadion"}
    assert body["counts"] == {
        "recipients": 2,
        "delivered": 5,  # admin-a, viewer-a and admin-b in-app and email, less one failed
        "pending": 0,
        "failed": 1,
        "acknowledged": 1,
    }
    assert body["author"]["username"] == "author"
    assert body["approver"]["username"] == "approver"
    assert body["my_acknowledgement"] is None
    # escalation SMS to B (silent past the deadline) are not the alert's own messages
    alerts_escalate(now=timezone.now() + timedelta(days=2))
    assert Delivery.objects.filter(alert=amber).exclude(purpose="notice").exists()
    again = client_for(world.duty).get(detail(amber)).json()["counts"]
    assert (again["delivered"], again["pending"], again["failed"]) == (5, 0, 1)


def test_the_detail_carries_version_labels_deadline_and_my_acknowledgement(
    world, client_for, green
):
    services.alert_acknowledge(alert=green, by=world.admin_a, measures_taken=["bag_checks"])
    body = client_for(world.viewer_a).get(detail(green)).json()
    assert (body["id"], body["version"], body["previous"]) == (str(green.public_id), 1, None)
    assert (body["atb_level"], body["atb_level_label"]) == ("matige_dreiging", "Moderate threat")
    assert (body["tlp_label"], body["kind_label"], body["status"]) == (
        "TLP:GREEN",
        "Actual",
        "published",
    )
    assert body["sender"]["name"] == "NCTV"
    assert body["ack_deadline"] is not None and body["ack_deadline_minutes"] == 60
    ack = body["my_acknowledgement"]
    assert ack["organisation"]["name"] == "Partner A Stadion"
    assert ack["by"]["username"] == "admin-a"
    assert ack["measures_taken"] == [{"code": "bag_checks", "label": "Bag checks"}]
    # D received the same alert but has not acknowledged: it sees no one else's
    assert client_for(world.user_d).get(detail(green)).json()["my_acknowledgement"] is None


def test_filters(world, client_for, green):
    drill = world.published(kind="exercise", atb_level="hoge_dreiging", organisations=[world.org_a])
    client = client_for(world.admin_a)
    assert headlines(client.get(f"{URL}?kind=exercise")) == [drill.headline]
    assert headlines(client.get(f"{URL}?atb_level=hoge_dreiging")) == [drill.headline]
    assert headlines(client.get(f"{URL}?atb_level=matige_dreiging")) == [green.headline]
    services.alert_cancel(alert=green, by=world.approver)
    assert headlines(client.get(f"{URL}?status=cancelled")) == [green.headline]
    bad = client.get(f"{URL}?status=lost")
    assert bad.status_code == 400 and "status" in bad.json()


# --- The lifecycle through the API --------------------------------------------------------------


def new_alert(world, **overrides) -> dict:
    return {
        "headline": "Dreiging evenementen",
        "description": "Aanwijzingen voor een aanslag op een evenement.",
        "instruction": "Tassencontrole bij elke ingang.",
        "atb_level": "lichte_dreiging",
        "tlp": "amber",
        "organisations": [str(world.org_b.public_id)],
        "sectors": ["event_grounds"],
        "regions": ["Rotterdam-Rijnmond"],
        "area_polygon": "51.9,4.4 51.95,4.5 51.9,4.55 51.9,4.4",
        **overrides,
    }


def test_four_eyes_from_draft_to_publication(world, client_for):
    author, approver = client_for(world.author), client_for(world.approver)
    created = author.post(URL, new_alert(world), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["urgency"], body["ack_deadline_minutes"]) == (
        "draft",
        "Future",
        240,
    )
    alert = Alert.objects.get(public_id=body["id"])

    own = author.post(detail(alert, "approve/"))
    assert own.status_code == 409
    assert own.json() == {"detail": "You wrote this alert; another staff member must approve it."}
    early = approver.post(detail(alert, "publish/"))
    assert early.status_code == 409
    assert "approved" in early.json()["detail"]

    approved = approver.post(detail(alert, "approve/"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = approver.post(detail(alert, "approve/"))
    assert again.status_code == 409
    assert again.json() == {"detail": "Only a draft can be approved."}

    published = author.post(detail(alert, "publish/"))
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    assert published.json()["counts"]["recipients"] == 1
    assert client_for(world.admin_b).get(detail(alert)).status_code == 200


def test_update_creates_a_new_version_that_supersedes_on_publication(world, client_for, green):
    client = client_for(world.author)
    response = client.post(detail(green, "update/"), {"atb_level": "hoge_dreiging"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["previous"], body["status"]) == (2, str(green.public_id), "draft")
    # the deadline follows the new level (the CAP urgency is copied: see alerts.services)
    assert (body["headline"], body["atb_level"], body["ack_deadline_minutes"]) == (
        green.headline,
        "hoge_dreiging",
        15,
    )
    twice = client.post(detail(green, "update/"), {}, format="json")
    assert twice.status_code == 409
    assert twice.json() == {"detail": "This alert already has a newer version; update that one."}

    new = Alert.objects.get(public_id=body["id"])
    client_for(world.approver).post(detail(new, "approve/"))
    assert client.post(detail(new, "publish/")).status_code == 200
    green.refresh_from_db()
    assert green.status == Alert.Status.SUPERSEDED
    draft = world.draft()
    assert client.post(detail(draft, "update/"), {}, format="json").status_code == 409


def test_cancel_and_all_clear(world, client_for, green):
    client = client_for(world.approver)
    approved = world.approved()
    assert client.post(detail(approved, "all-clear/")).status_code == 409
    assert client.post(detail(approved, "cancel/")).json()["status"] == "cancelled"
    response = client.post(detail(green, "all-clear/"))
    assert response.status_code == 200 and response.json()["status"] == "all_clear"
    ended = client.post(detail(green, "cancel/"))
    assert ended.status_code == 409
    assert ended.json() == {"detail": "This alert is All clear and cannot become Cancelled."}


def test_a_draft_can_be_cancelled(world, client_for):
    draft = world.draft()
    response = client_for(world.approver).post(detail(draft, "cancel/"))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_partners_may_not_run_the_lifecycle(world, client_for, green):
    client = client_for(world.admin_a)
    assert client.post(URL, new_alert(world), format="json").status_code == 403
    for action in ("approve/", "publish/", "update/", "cancel/", "all-clear/"):
        response = client.post(detail(green, action), {}, format="json")
        assert response.status_code == 403, action
        assert response.json() == {"detail": "Only NCTV staff may do this."}
    assert client.get(detail(green, "audience-preview/")).status_code == 403
    # a draft they cannot see is not found, whatever they try
    draft = world.draft(organisations=[world.org_a])
    for action in ("approve/", "publish/", "cancel/"):
        assert client.post(detail(draft, action)).status_code == 404
    assert client.get(detail(draft, "audience-preview/")).status_code == 404
    green.refresh_from_db()
    assert green.status == Alert.Status.PUBLISHED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tlp": "red"}, "tlp"),
        ({"atb_level": "panic"}, "atb_level"),
        ({"headline": ""}, "headline"),
        ({"sectors": ["moon_base"]}, "sectors"),
        ({"organisations": [str(uuid.uuid4())]}, "organisations"),
        ({"area_polygon": "52,4 53,5"}, "area_polygon"),
        ({"kind": "exercise", "raises_sectors": ["event_grounds"]}, "raises_sectors"),
    ],
)
def test_bad_drafts_are_refused_by_field(world, client_for, overrides, field):
    response = client_for(world.author).post(URL, new_alert(world, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Alert.objects.exists()


def test_an_audience_of_nobody_is_refused_with_the_reason(world, client_for):
    alert = world.approved(sectors=[world.sector("museum")])
    response = client_for(world.author).post(detail(alert, "publish/"))
    assert response.status_code == 400
    assert "nobody" in response.json()["detail"][0]


def test_the_audience_preview_for_staff(world, client_for):
    alert = world.draft(tlp="amber", sectors=[world.sector("football_stadium")])
    body = client_for(world.duty).get(detail(alert, "audience-preview/")).json()
    assert body["organisations"] == 1 and body["organisation_names"] == ["Partner A Stadion"]
    assert body["excluded_not_entitled"] == 1  # D has no covenant
    assert body["channels"]["in_app"] == 2


def test_messages_are_dutch_by_default_and_english_on_request(world, client_for, green):
    dutch = client_for(world.admin_a, language="nl").post(detail(green, "approve/"))
    assert dutch.json() == {"detail": "Alleen NCTV-medewerkers mogen dit."}
    english = client_for(world.admin_a).post(detail(green, "approve/"))
    assert english.json() == {"detail": "Only NCTV staff may do this."}
    draft = world.draft()
    conflict = client_for(world.approver, language="nl").post(detail(draft, "publish/"))
    assert conflict.status_code == 409
    assert conflict.json()["detail"].startswith("Alleen een goedgekeurd alert")
    required = client_for(world.author, language="nl").post(URL, {}, format="json")
    assert required.json()["headline"] == ["Dit veld is vereist."]


def test_a_retried_create_with_the_same_idempotency_key_drafts_once(world, client_for):
    staff = client_for(world.author)
    body = new_alert(world)
    first = staff.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-42")
    again = staff.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-42")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = staff.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-43")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert staff.post(URL, body, format="json").status_code == 201  # no key: a new draft each time
    assert Alert.objects.count() == 3
    # the key is the author's: a colleague's same key is another alert
    colleague = client_for(world.approver).post(
        URL, body, format="json", HTTP_IDEMPOTENCY_KEY="create-42"
    )
    assert colleague.status_code == 201 and Alert.objects.count() == 4
    too_long = staff.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="x" * 101)
    assert too_long.status_code == 400 and Alert.objects.count() == 4
