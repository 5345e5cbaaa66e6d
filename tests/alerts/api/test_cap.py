"""CAP 1.2 per alert and the Atom feed: the elements receivers need, each message kind
(Alert, Update with references, Cancel), drills marked, and only visible alerts listed."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext
from knox.models import AuthToken

from alerts import services
from alerts.cap import alert_to_cap
from alerts.models import Alert
from tests.alerts.api.conftest import URL, detail

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ATOM = {"atom": "http://www.w3.org/2005/Atom"}
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def parse(document: bytes) -> ET.Element:
    root = ET.fromstring(document)  # noqa: S314 (our own output)
    assert root.tag == "{urn:oasis:names:tc:emergency:cap:1.2}alert"
    return root


def text(root, path: str) -> str:
    element = root.find(path, NS)
    assert element is not None, path
    return element.text


def test_a_published_alert_as_cap(world, settings):
    settings.ALERTS_CAP_SENDER = "nctv@test.example"
    expires = timezone.now() + timedelta(days=1)
    alert = world.published(
        tlp="amber",
        organisations=[world.org_a],
        expires_at=expires,
        area_description="Amsterdam Zuidoost",
        area_polygon="52.31,4.93 52.32,4.95 52.30,4.96 52.31,4.93",
    )
    root = parse(alert_to_cap(alert))
    assert text(root, "cap:identifier") == f"urn:uuid:{alert.public_id}"
    assert text(root, "cap:sender") == "nctv@test.example"
    assert CAP_TIME.match(text(root, "cap:sent"))
    assert (
        text(root, "cap:sent")
        == timezone.localtime(alert.published_at).replace(microsecond=0).isoformat()
    )
    assert (text(root, "cap:status"), text(root, "cap:msgType")) == ("Actual", "Alert")
    assert (text(root, "cap:scope"), text(root, "cap:restriction")) == ("Restricted", "TLP:AMBER")
    assert root.find("cap:references", NS) is None
    info = root.find("cap:info", NS)
    assert text(info, "cap:language") == "nl-NL"
    assert text(info, "cap:category") == "Security"
    assert text(info, "cap:event") == "Matige dreiging"
    assert (text(info, "cap:urgency"), text(info, "cap:severity"), text(info, "cap:certainty")) == (
        "Expected",
        "Severe",
        "Possible",
    )
    assert CAP_TIME.match(text(info, "cap:expires"))
    assert text(info, "cap:senderName") == "NCTV"
    assert text(info, "cap:headline") == alert.headline
    assert text(info, "cap:description") == alert.description
    assert text(info, "cap:instruction") == alert.instruction
    assert text(info, "cap:web").endswith(f"/alerts/{alert.public_id}/")
    assert text(info, "cap:area/cap:areaDesc") == "Amsterdam Zuidoost"
    assert text(info, "cap:area/cap:polygon") == "52.31,4.93 52.32,4.95 52.3,4.96 52.31,4.93"
    # the order CAP 1.2's schema prescribes
    tags = [child.tag.split("}")[1] for child in root]
    assert tags == [
        "identifier",
        "sender",
        "sent",
        "status",
        "msgType",
        "scope",
        "restriction",
        "info",
    ]


def test_the_area_falls_back_to_the_regions_then_the_netherlands(world):
    regional = world.published(organisations=[world.org_a], regions=["Amsterdam-Amstelland"])
    assert text(parse(alert_to_cap(regional)), "cap:info/cap:area/cap:areaDesc") == (
        "Amsterdam-Amstelland"
    )
    national = world.published(organisations=[world.org_a])
    root = parse(alert_to_cap(national))
    with translation.override("nl"):  # "Nederland" once the catalogue has it
        assert text(root, "cap:info/cap:area/cap:areaDesc") == gettext("The Netherlands")
    assert root.find("cap:info/cap:area/cap:polygon", NS) is None
    assert root.find("cap:info/cap:expires", NS) is None


def test_drills_have_their_status(world):
    exercise = parse(alert_to_cap(world.published(kind="exercise", organisations=[world.org_a])))
    assert text(exercise, "cap:status") == "Exercise"
    assert text(exercise, "cap:info/cap:headline").startswith("[OEFENING]")
    test = parse(alert_to_cap(world.published(kind="test", organisations=[world.org_a])))
    assert text(test, "cap:status") == "Test"


def test_an_update_references_the_version_before(world, settings):
    settings.ALERTS_CAP_SENDER = "nctv@test.example"
    first = world.published(organisations=[world.org_a])
    second = services.alert_update(alert=first, by=world.author, headline="Nieuw")
    services.alert_approve(alert=second, by=world.approver)
    second = services.alert_publish(alert=second, by=world.approver)
    root = parse(alert_to_cap(second))
    assert text(root, "cap:msgType") == "Update"
    assert text(root, "cap:identifier") == f"urn:uuid:{second.public_id}"
    sent = timezone.localtime(first.published_at).replace(microsecond=0).isoformat()
    assert text(root, "cap:references") == f"nctv@test.example,urn:uuid:{first.public_id},{sent}"


def test_cancel_and_all_clear_are_messages_of_their_own(world):
    cancelled = world.published(organisations=[world.org_a])
    cancelled = services.alert_cancel(alert=cancelled, by=world.approver)
    root = parse(alert_to_cap(cancelled))
    assert text(root, "cap:msgType") == "Cancel"
    assert text(root, "cap:identifier") != f"urn:uuid:{cancelled.public_id}"
    assert f"urn:uuid:{cancelled.public_id}" in text(root, "cap:references")

    cleared = world.published(organisations=[world.org_a])
    cleared = services.alert_all_clear(alert=cleared, by=world.approver)
    root = parse(alert_to_cap(cleared))
    assert text(root, "cap:msgType") == "Update"
    assert text(root, "cap:info/cap:responseType") == "AllClear"
    assert f"urn:uuid:{cleared.public_id}" in text(root, "cap:references")
    # a stable identifier of its own: the same document every time
    assert text(root, "cap:identifier") not in {
        text(parse(alert_to_cap(cancelled)), "cap:identifier"),
        f"urn:uuid:{cleared.public_id}",
    }
    assert alert_to_cap(cleared) == alert_to_cap(cleared)


def test_a_draft_is_a_cap_draft(world):
    assert text(parse(alert_to_cap(world.draft())), "cap:status") == "Draft"


def test_the_cap_endpoint(world, client_for, amber):
    response = client_for(world.admin_b).get(detail(amber, "cap/"), HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml"
    root = parse(response.content)
    assert text(root, "cap:info/cap:web") == f"http://testserver/alerts/{amber.public_id}/"
    assert client_for(world.user_d).get(detail(amber, "cap/")).status_code == 404
    missing = client_for(world.admin_b).get(f"{URL}{uuid.uuid4()}/cap/")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}


def test_a_partner_learns_of_the_previous_version_only_if_it_reached_them(world, client_for):
    """v1 went to B only; its update v2 goes to A: A sees v2 as an alert of its own."""
    v1 = world.published(tlp="amber", organisations=[world.org_b])
    v2 = services.alert_update(alert=v1, by=world.author, organisations=[world.org_a])
    services.alert_approve(alert=v2, by=world.approver)
    services.alert_publish(alert=v2, by=world.approver)

    as_a = client_for(world.admin_a)
    assert as_a.get(detail(v1)).status_code == 404
    assert as_a.get(detail(v2)).json()["previous"] is None
    assert [a["previous"] for a in as_a.get(URL).json()["results"]] == [None]
    cap = parse(as_a.get(detail(v2, "cap/")).content)
    assert text(cap, "cap:msgType") == "Alert"
    assert cap.find("cap:references", NS) is None
    assert str(v1.public_id) not in as_a.get(detail(v2, "cap/")).content.decode()

    staff = client_for(world.author)
    assert staff.get(detail(v2)).json()["previous"] == str(v1.public_id)
    assert text(parse(staff.get(detail(v2, "cap/")).content), "cap:msgType") == "Update"


def test_a_control_character_in_stored_text_does_not_break_cap_or_the_feed(world, client_for):
    alert = world.published(organisations=[world.org_a])
    Alert.objects.filter(pk=alert.pk).update(description="Regel een\x0bregel twee")  # old data
    as_a = client_for(world.admin_a)
    cap = parse(as_a.get(detail(alert, "cap/")).content)  # well-formed
    assert text(cap, "cap:info/cap:description") == "Regel eenregel twee"
    assert as_a.get(f"{URL}feed/").status_code == 200


def feed_titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    return [e.find("atom:title", ATOM).text for e in root.findall("atom:entry", ATOM)]


def test_the_feed_lists_the_alerts_visible_to_the_caller(world, api_client, green, amber):
    world.draft(headline="Concept", organisations=[world.org_a, world.org_b])
    _instance, token = AuthToken.objects.create(user=world.admin_b)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert feed_titles(api_client.get(f"{URL}feed/")) == [amber.headline]
    _instance, token = AuthToken.objects.create(user=world.user_d)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert feed_titles(api_client.get(f"{URL}feed/")) == [green.headline]
    _instance, token = AuthToken.objects.create(user=world.duty)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert feed_titles(api_client.get(f"{URL}feed/")) == [amber.headline, green.headline]
    assert feed_titles(api_client.get(f"{URL}feed/?tlp=green")) == [green.headline]
    api_client.credentials()
    assert api_client.get(f"{URL}feed/").status_code == 401
