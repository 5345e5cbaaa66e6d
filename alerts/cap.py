"""Alerts in the forms other systems read: CAP 1.2 (OASIS Common Alerting Protocol) and Atom.

One CAP message per alert, in its current state:

- published (or since expired or superseded): ``msgType`` Alert for version 1, Update for later
  versions, with ``references`` naming the message of the version before;
- cancelled after publication: Cancel, referencing the alert's own message;
- all clear: Update with ``responseType`` AllClear, referencing the alert's own message;
- not yet published (drafts, staff only): ``status`` Draft.

Each message has its own stable identifier: ``urn:uuid:<alert id>`` for the alert itself, a
UUID derived from it for its cancel or all-clear message. ``scope`` is Restricted, with the TLP
level as ``restriction``. The Atom feed lists the alerts a caller may see.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
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
CAP_LANGUAGE = {"nl": "nl-NL", "en": "en-GB"}
FEED_SIZE = 50

ET.register_namespace("", CAP_NAMESPACE)

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


def _info(root: ET.Element, alert: Alert, request) -> None:
    info = _add(root, "info")
    _add(info, "language", CAP_LANGUAGE.get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE))
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
    _add(info, "headline", messages.marked(alert, alert.headline))
    _add(info, "description", alert.description)
    if alert.instruction:
        _add(info, "instruction", alert.instruction)
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


def alert_to_cap(alert: Alert, *, request=None, previous_visible: bool = True) -> bytes:
    """The alert as a CAP 1.2 document (UTF-8 XML), its texts in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        ident, status, msg_type, sent, references = _message_kind(
            alert, previous_visible=previous_visible
        )
        root = ET.Element(f"{{{CAP_NAMESPACE}}}alert")
        _add(root, "identifier", ident)
        _add(root, "sender", settings.ALERTS_CAP_SENDER)
        _add(root, "sent", cap_datetime(sent))
        _add(root, "status", status)
        _add(root, "msgType", msg_type)
        _add(root, "scope", "Restricted")
        _add(root, "restriction", TLP(alert.tlp).label)
        if references:
            _add(root, "references", " ".join(references))
        _info(root, alert, request)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- Atom --------------------------------------------------------------------------------------


def _xml_text(text: str) -> str:
    return XML_ILLEGAL.sub("", str(text))


def alerts_feed(alerts, *, request) -> bytes:
    """An Atom feed of these alerts (published ones; newest first as given), in the request's
    language. The entry links to the alert's page in the portal."""
    feed = Atom1Feed(
        title=_("PPS Portal alerts"),
        link=request.build_absolute_uri("/alerts/"),
        description=_("Alerts of the NCTV visible to you."),
        feed_url=request.build_absolute_uri(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        feed_guid=request.build_absolute_uri(),
    )
    for alert in alerts:
        updated = alert.ended_at or alert.published_at
        feed.add_item(
            title=_xml_text(messages.marked(alert, alert.headline)),
            link=web_url(alert, request),
            description=_xml_text(alert.description),
            unique_id=identifier(alert),
            unique_id_is_permalink=False,
            pubdate=alert.published_at,
            updateddate=updated,
            author_name=alert.owner_organisation.name,
            categories=[
                alert.get_atb_level_display(),
                str(TLP(alert.tlp).label),
                alert.get_status_display(),
            ],
        )
    return feed.writeString("utf-8").encode("utf-8")
