"""Every CAP document the portal produces is valid against the OASIS CAP 1.2 schema (shipped in
alerts/schemas/), and the Atom feeds carry those documents: the caller's feed by token, and the
public feed of TLP:CLEAR alerts for anyone."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from lxml import etree

import alerts
from alerts import services
from alerts.cap import alert_to_cap
from alerts.models import Alert
from tests.alerts.api.conftest import URL

SCHEMA = etree.XMLSchema(etree.parse(str(Path(alerts.__file__).parent / "schemas/CAP-v1.2.xsd")))
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2", "atom": "http://www.w3.org/2005/Atom"}
PUBLIC_FEED = "/api/v1/public-alerts/feed/"
POLYGON = "52.31,4.93 52.32,4.95 52.30,4.96 52.31,4.93"


def valid(document: bytes | etree._Element) -> etree._Element:
    """The document parsed, after the schema has accepted it (else the schema's errors)."""
    root = etree.fromstring(document) if isinstance(document, bytes) else document
    assert SCHEMA.validate(root), [str(e) for e in SCHEMA.error_log]
    return root


def published_update(world, alert, **changes):
    new = services.alert_update(alert=alert, by=world.author, **changes)
    services.alert_approve(alert=new, by=world.approver)
    return services.alert_publish(alert=new, by=world.approver)


def every_kind_of_alert(world) -> dict[str, Alert]:
    """One alert for each kind of CAP message and each optional part of one."""
    to_a = {"organisations": [world.org_a]}
    first = world.published(**to_a)
    english = {
        "headline_en": "Raised threat to stadiums",
        "description_en": "Concrete indications of an attack on a stadium.",
        "instruction_en": "Scale up to the high-threat playbook.",
    }
    return {
        "draft": world.draft(**to_a),
        "alert": first,
        "update": published_update(world, first, headline="Nieuwe versie"),
        "cancel": services.alert_cancel(alert=world.published(**to_a), by=world.approver),
        "all clear": services.alert_all_clear(alert=world.published(**to_a), by=world.approver),
        "area polygon": world.published(
            area_description="Amsterdam Zuidoost", area_polygon=POLYGON, **to_a
        ),
        "two languages": world.published(**english, **to_a),
        "two languages, no instruction": world.published(
            **{**english, "instruction": "", "instruction_en": ""}, **to_a
        ),
        "exercise": world.published(kind="exercise", **to_a),
        "test": world.published(kind="test", **to_a),
        "amber, expiring": world.published(
            tlp="amber", expires_at=timezone.now() + timedelta(hours=6), **to_a
        ),
        "clear": world.published(tlp="clear", **to_a),
        "regions": world.published(regions=["Amsterdam-Amstelland"], **to_a),
        "circle and chosen regions": world.published(
            area_circle="52.3142,4.9419 1.5", area_regions=["VR13", "GM0363"], **to_a
        ),
    }


def test_every_cap_document_is_valid_cap_1_2(world):
    for name, alert in every_kind_of_alert(world).items():
        root = valid(alert_to_cap(alert))
        assert root.find("cap:identifier", NS) is not None, name


def test_the_message_kinds_and_their_parts(world):
    docs = {name: valid(alert_to_cap(a)) for name, a in every_kind_of_alert(world).items()}

    def one(name, path):
        return docs[name].findtext(path, namespaces=NS)

    assert one("update", "cap:msgType") == "Update" and one("update", "cap:references")
    assert one("cancel", "cap:msgType") == "Cancel"
    assert one("all clear", "cap:info/cap:responseType") == "AllClear"
    assert one("exercise", "cap:status") == "Exercise"
    assert one("draft", "cap:status") == "Draft"
    assert one("area polygon", "cap:info/cap:area/cap:polygon")
    assert one("circle and chosen regions", "cap:info/cap:area/cap:circle") == "52.3142,4.9419 1.5"
    outlines = docs["circle and chosen regions"].findall("cap:info/cap:area/cap:polygon", NS)
    assert len(outlines) == 2  # one per chosen region
    languages = [e.text for e in docs["two languages"].findall("cap:info/cap:language", NS)]
    assert languages == ["nl-NL", "en-GB"]
    headlines = [e.text for e in docs["two languages"].findall("cap:info/cap:headline", NS)]
    assert headlines == ["Verhoogde dreiging stadions", "Raised threat to stadiums"]
    areas = [e.text for e in docs["regions"].findall("cap:info/cap:area/cap:areaDesc", NS)]
    assert areas == ["Amsterdam-Amstelland"]
    assert [e.text for e in docs["alert"].findall("cap:info/cap:language", NS)] == ["nl-NL"]
    # CLEAR is not restricted; anything above is, with its TLP level
    assert one("clear", "cap:scope") == "Public" and one("clear", "cap:restriction") is None
    assert (one("amber, expiring", "cap:scope"), one("amber, expiring", "cap:restriction")) == (
        "Restricted",
        "TLP:AMBER",
    )


def test_an_english_exercise_is_marked_in_both_languages(world):
    alert = world.published(
        kind="exercise", headline_en="Raised threat", organisations=[world.org_a]
    )
    root = valid(alert_to_cap(alert))
    headlines = [e.text for e in root.findall("cap:info/cap:headline", NS)]
    assert headlines[0].startswith("[OEFENING]") and headlines[1].startswith("[EXERCISE]")
    # the English info falls back to the Dutch texts that have no English version
    descriptions = [e.text for e in root.findall("cap:info/cap:description", NS)]
    assert descriptions == [alert.description, alert.description]


def test_the_demo_alerts_are_valid_cap(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    produced = list(Alert.objects.select_related("owner_organisation", "previous"))
    assert len(produced) >= 3
    for alert in produced:
        valid(alert_to_cap(alert))


def entries(response) -> list[etree._Element]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("atom:id", "atom:title", "atom:updated"):
        assert root.find(required, NS) is not None, required
    return root.findall("atom:entry", NS)


def cap_of(entry) -> etree._Element:
    """The entry's inline CAP message, validated, and the link to its CAP document."""
    content = entry.find("atom:content", NS)
    assert content.get("type") == "application/cap+xml"
    [cap] = list(content)
    return valid(cap)


def cap_link(entry) -> str:
    [link] = [e for e in entry.findall("atom:link", NS) if e.get("type") == "application/cap+xml"]
    assert link.get("rel") == "alternate"
    return link.get("href")


def test_the_token_feed_carries_each_alerts_cap(world, api_client):
    made = every_kind_of_alert(world)
    _instance, token = AuthToken.objects.create(user=world.admin_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    feed = entries(api_client.get(f"{URL}feed/"))
    assert len(feed) == len(made) - 1  # every published one, not the draft
    for entry in feed:
        cap = cap_of(entry)
        href = cap_link(entry)
        # the linked document is the same message as the inline one
        linked = valid(api_client.get(href).content)
        assert linked.findtext("cap:identifier", namespaces=NS) == cap.findtext(
            "cap:identifier", namespaces=NS
        )
        related = [e for e in entry.findall("atom:link", NS) if e.get("rel") == "related"]
        assert related[0].get("href").startswith("http://testserver/alerts/")
    kinds = {cap_of(e).findtext("cap:msgType", namespaces=NS) for e in feed}
    assert kinds == {"Alert", "Update", "Cancel"}


def test_the_token_feed_names_a_previous_version_only_if_it_reached_the_reader(world, api_client):
    v1 = world.published(organisations=[world.org_b])
    published_update(world, v1, organisations=[world.org_a])
    _instance, token = AuthToken.objects.create(user=world.admin_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    [entry] = entries(api_client.get(f"{URL}feed/"))
    assert cap_of(entry).findtext("cap:msgType", namespaces=NS) == "Alert"
    assert str(v1.public_id) not in api_client.get(f"{URL}feed/").content.decode()


def test_the_token_feed_costs_the_same_queries_for_one_alert_or_many(world, api_client):
    _instance, token = AuthToken.objects.create(user=world.admin_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    first = world.published(organisations=[world.org_a])
    api_client.get(f"{URL}feed/")  # warm the caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        assert len(entries(api_client.get(f"{URL}feed/"))) == 1
    for _ in range(3):
        world.published(organisations=[world.org_a], headline_en="Raised threat")
    published_update(world, first, headline="Tweede versie")
    with CaptureQueriesContext(connection) as many:
        assert len(entries(api_client.get(f"{URL}feed/"))) == 5
    assert len(many) == len(one)


def test_the_public_feed_shows_only_clear_alerts_without_a_token(world, client):
    clear = world.published(tlp="clear", organisations=[world.org_a])
    clear_ended = services.alert_all_clear(
        alert=world.published(tlp="clear", headline="Voorbij", organisations=[world.org_a]),
        by=world.approver,
    )
    world.published(tlp="green", organisations=[world.org_a])
    world.published(tlp="amber", organisations=[world.org_a])
    world.draft(tlp="clear", organisations=[world.org_a])
    feed = entries(client.get(PUBLIC_FEED))
    ids = [e.findtext("atom:id", namespaces=NS) for e in feed]
    assert sorted(ids) == sorted(f"urn:uuid:{a.public_id}" for a in (clear, clear_ended))
    for entry in feed:
        cap = cap_of(entry)
        assert cap.findtext("cap:scope", namespaces=NS) == "Public"
        assert valid(client.get(cap_link(entry)).content) is not None
        assert not [e for e in entry.findall("atom:link", NS) if e.get("rel") == "related"]


def test_a_public_clear_update_names_its_previous_version_only_if_that_was_clear(world, client):
    green = world.published(tlp="green", organisations=[world.org_a])
    to_clear = published_update(world, green, tlp="clear")
    cap = valid(client.get(f"/api/v1/public-alerts/{to_clear.public_id}/cap/").content)
    assert cap.findtext("cap:msgType", namespaces=NS) == "Alert"
    assert str(green.public_id) not in client.get(PUBLIC_FEED).content.decode()
    again = published_update(world, to_clear, headline="Nog eens")
    cap = valid(client.get(f"/api/v1/public-alerts/{again.public_id}/cap/").content)
    assert cap.findtext("cap:msgType", namespaces=NS) == "Update"


def test_a_public_cap_document_exists_only_for_clear_alerts(world, client):
    clear = world.published(tlp="clear", organisations=[world.org_a])
    response = client.get(f"/api/v1/public-alerts/{clear.public_id}/cap/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml"
    valid(response.content)
    hidden = [
        world.published(tlp="green", organisations=[world.org_a]),
        world.published(tlp="amber", organisations=[world.org_a]),
        world.draft(tlp="clear", organisations=[world.org_a]),
    ]
    for alert in hidden:
        response = client.get(
            f"/api/v1/public-alerts/{alert.public_id}/cap/", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert client.get(f"/api/v1/public-alerts/{uuid.uuid4()}/cap/").status_code == 404


def test_the_public_feed_costs_the_same_queries_for_one_alert_or_many(world, client):
    world.published(tlp="clear", organisations=[world.org_a])
    client.get(PUBLIC_FEED)
    with CaptureQueriesContext(connection) as one:
        assert len(entries(client.get(PUBLIC_FEED))) == 1
    for _ in range(3):
        world.published(tlp="clear", organisations=[world.org_a])
    with CaptureQueriesContext(connection) as many:
        assert len(entries(client.get(PUBLIC_FEED))) == 4
    assert len(many) == len(one)
