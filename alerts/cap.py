"""Alerts in the forms other systems read: CAP 1.2 (OASIS Common Alerting Protocol) and Atom.

One CAP message per alert, in its current state:

- published (or since expired or superseded): ``msgType`` Alert for version 1, Update for later
  versions, with ``references`` naming the message of the version before;
- cancelled after publication: Cancel, referencing the alert's own message;
- all clear: Update with ``responseType`` AllClear, referencing the alert's own message;
- not yet published (drafts, staff only): ``status`` Draft.

Each message has its own stable identifier: ``urn:uuid:<alert id>`` for the alert itself, a
UUID derived from it for its cancel or all-clear message. ``scope`` is Restricted, with the TLP
level as ``restriction``; a TLP:CLEAR alert, whose distribution is not limited, is Public. One
``info`` per language the alert is written in: Dutch always, English when it has an English
headline.

The Atom feeds (the caller's alerts, and the public feed of CLEAR alerts) carry each entry's CAP
message inline as ``<content type="application/cap+xml">`` and link to the CAP document
(``rel="alternate"``), so CAP-aware systems read the feed as a CAP index. Every document is
valid against the OASIS CAP 1.2 schema shipped in ``alerts/schemas/`` (tested).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alerts.area import format_polygon
from alerts.channels import messages
from alerts.models import Alert
from alerts.regions import regions
from alerts.services import XML_ILLEGAL
from ppsportal.sensitivity import TLP

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_MEDIA_TYPE = "application/cap+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"
ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
CAP_LANGUAGE = {"nl": "nl-NL", "en": "en-GB"}
FEED_SIZE = 50

ET.register_namespace("", CAP_NAMESPACE)
ET.register_namespace("atom", ATOM_NAMESPACE)

_KIND_STATUS = {
    Alert.Kind.ACTUAL: "Actual",
    Alert.Kind.EXERCISE: "Exercise",
    Alert.Kind.TEST: "Test",
}


def cap_datetime(value: datetime) -> str:
    """CAP's form: local time with offset, whole seconds, "-00:00" rather than "+00:00"."""
    text = timezone.localtime(value).replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def identifier(alert: Alert, message: str = "") -> str:
    """The alert's own message is ``urn:uuid:<id>``; its cancel or all-clear message a UUID
    derived from it, the same every time."""
    if not message:
        return f"urn:uuid:{alert.public_id}"
    return f"urn:uuid:{uuid.uuid5(alert.public_id, message)}"


def _reference(alert: Alert) -> str:
    """``sender,identifier,sent`` of the alert's own message (CAP 1.2, 3.2.1)."""
    return f"{settings.ALERTS_CAP_SENDER},{identifier(alert)},{cap_datetime(alert.published_at)}"


def _message_kind(
    alert: Alert, *, previous_visible: bool
) -> tuple[str, str, str, datetime, list[str]]:
    """(identifier, status, msgType, sent, references) of the alert's current message. The
    previous version is referred to only if the caller may see it (else the update stands as an
    alert of its own: it reveals nothing about a version sent to others)."""
    status = _KIND_STATUS[alert.kind]
    if alert.published_at is None:
        return identifier(alert), "Draft", "Alert", alert.created_at, []
    ended = alert.ended_at or alert.published_at
    if alert.status == Alert.Status.CANCELLED:
        return identifier(alert, "cancel"), status, "Cancel", ended, [_reference(alert)]
    if alert.status == Alert.Status.ALL_CLEAR:
        return identifier(alert, "all_clear"), status, "Update", ended, [_reference(alert)]
    previous = alert.previous if previous_visible else None
    if previous is not None and previous.published_at is not None:
        return identifier(alert), status, "Update", alert.published_at, [_reference(previous)]
    return identifier(alert), status, "Alert", alert.published_at, []


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAP_NAMESPACE}}}{tag}")
    if text is not None:
        # labels are lazy translations; characters XML cannot carry are dropped
        element.text = XML_ILLEGAL.sub("", str(text))
    return element


def area_description(alert: Alert) -> str:
    if alert.area_description:
        return alert.area_description
    chosen = [regions()[c].name for c in alert.area_regions or [] if c in regions()]
    chosen += [r for r in alert.regions or [] if r]
    return ", ".join(chosen) if chosen else _("The Netherlands")


def web_url(alert: Alert, request=None) -> str:
    if request is not None:
        return request.build_absolute_uri(f"/alerts/{alert.public_id}/")
    return messages.alert_url(alert)


def languages_of(alert: Alert) -> list[str]:
    """The languages the alert is written in: Dutch always, English when it has a headline."""
    return ["nl", "en"] if alert.headline_en else ["nl"]


def _info(root: ET.Element, alert: Alert, request, language: str) -> None:
    """One ``info`` block in ``language``: its texts and labels in that language."""
    with translation.override(language):
        info = _add(root, "info")
        _add(info, "language", CAP_LANGUAGE.get(language, language))
        _add(info, "category", "Security")
        _add(info, "event", alert.get_atb_level_display())
        if alert.status == Alert.Status.ALL_CLEAR:
            _add(info, "responseType", "AllClear")
        _add(info, "urgency", alert.urgency)
        _add(info, "severity", alert.severity)
        _add(info, "certainty", alert.certainty)
        if alert.expires_at:
            _add(info, "expires", cap_datetime(alert.expires_at))
        _add(info, "senderName", alert.owner_organisation.name)
        _add(
            info, "headline", messages.marked(alert, messages.text_in(alert, "headline", language))
        )
        _add(info, "description", messages.text_in(alert, "description", language))
        instruction = messages.text_in(alert, "instruction", language)
        if instruction:
            _add(info, "instruction", instruction)
        _add(info, "web", web_url(alert, request))
        for name, value in (("ATB_LEVEL", alert.atb_level), ("TLP", alert.tlp)):
            parameter = _add(info, "parameter")
            _add(parameter, "valueName", name)
            _add(parameter, "value", value)
        area = _add(info, "area")
        _add(area, "areaDesc", area_description(alert))
        if alert.area_polygon:
            _add(area, "polygon", alert.area_polygon)
        for code in alert.area_regions or []:  # the chosen regions' outlines
            if code in regions():
                _add(area, "polygon", format_polygon(list(regions()[code].polygon)))
        if alert.area_circle:
            _add(area, "circle", alert.area_circle)


def is_public(alert: Alert) -> bool:
    """TLP:CLEAR: distribution is not limited, so the CAP scope is Public."""
    return alert.tlp == TLP.CLEAR


def cap_element(alert: Alert, *, request=None, previous_visible: bool = True) -> ET.Element:
    """The alert's CAP 1.2 ``alert`` element (for a document of its own or a feed entry)."""
    ident, status, msg_type, sent, references = _message_kind(
        alert, previous_visible=previous_visible
    )
    root = ET.Element(f"{{{CAP_NAMESPACE}}}alert")
    _add(root, "identifier", ident)
    _add(root, "sender", settings.ALERTS_CAP_SENDER)
    _add(root, "sent", cap_datetime(sent))
    _add(root, "status", status)
    _add(root, "msgType", msg_type)
    if is_public(alert):
        _add(root, "scope", "Public")
    else:
        _add(root, "scope", "Restricted")
        with translation.override(settings.LANGUAGE_CODE):
            _add(root, "restriction", TLP(alert.tlp).label)
    if references:
        _add(root, "references", " ".join(references))
    for language in languages_of(alert):
        _info(root, alert, request, language)
    return root


def alert_to_cap(alert: Alert, *, request=None, previous_visible: bool = True) -> bytes:
    """The alert as a CAP 1.2 document (UTF-8 XML), one ``info`` per language it is written in."""
    root = cap_element(alert, request=request, previous_visible=previous_visible)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- Atom --------------------------------------------------------------------------------------


def _xml_text(text: str) -> str:
    return XML_ILLEGAL.sub("", str(text))


def _atom(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NAMESPACE}}}{tag}", attributes)
    if text is not None:
        element.text = _xml_text(text)
    return element


def atom_datetime(value: datetime) -> str:
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class FeedEntry:
    """One alert in a feed: where its CAP document is, its page (for signed-in readers), and
    whether the reader may learn of the version before it."""

    alert: Alert
    cap_url: str
    page_url: str = ""
    previous_visible: bool = True


def alerts_feed(entries: list[FeedEntry], *, request, title: str, page_url: str) -> bytes:
    """An Atom 1.0 feed of these alerts (newest first as given), in the request's language. Each
    entry carries the alert's current CAP message as its content and links to the CAP
    document (``alternate``) and to the alert's page (``related``) where there is one."""
    feed_url = request.build_absolute_uri()
    root = ET.Element(
        f"{{{ATOM_NAMESPACE}}}feed",
        {"{http://www.w3.org/XML/1998/namespace}lang": translation.get_language() or "nl"},
    )
    _atom(root, "title", title)
    _atom(root, "id", feed_url)
    _atom(root, "link", rel="self", href=feed_url, type=ATOM_MEDIA_TYPE)
    _atom(root, "link", rel="alternate", href=page_url, type="text/html")
    latest = max((e.alert.ended_at or e.alert.published_at for e in entries), default=None)
    _atom(root, "updated", atom_datetime(latest or timezone.now()))
    author = _atom(root, "author")
    _atom(author, "name", settings.ALERTS_CAP_SENDER)
    for entry in entries:
        _entry(root, entry, request)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry(root: ET.Element, entry: FeedEntry, request) -> None:
    alert = entry.alert
    element = _atom(root, "entry")
    _atom(element, "id", identifier(alert))
    _atom(element, "title", messages.marked(alert, alert.headline))
    _atom(element, "published", atom_datetime(alert.published_at))
    _atom(element, "updated", atom_datetime(alert.ended_at or alert.published_at))
    author = _atom(element, "author")
    _atom(author, "name", alert.owner_organisation.name)
    _atom(element, "link", rel="alternate", type=CAP_MEDIA_TYPE, href=entry.cap_url)
    if entry.page_url:
        _atom(element, "link", rel="related", type="text/html", href=entry.page_url)
    for term in (alert.get_atb_level_display(), TLP(alert.tlp).label, alert.get_status_display()):
        _atom(element, "category", term=_xml_text(term))
    _atom(element, "summary", alert.description)
    content = _atom(element, "content", type=CAP_MEDIA_TYPE)
    content.append(cap_element(alert, request=request, previous_visible=entry.previous_visible))
