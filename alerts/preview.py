"""What publishing an alert would do, before it is published: the audience preview.

It resolves the audience exactly as ``alerts.services.alert_publish`` does (the same selectors)
and only counts; nothing is written. A fixed number of queries, whatever the audience's size.
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from alerts.area import area_of
from alerts.models import USER_CHANNELS, Alert, Unreachable
from alerts.models.deliveries import Channel
from alerts.selectors import (
    Recipient,
    area_targets,
    audience_not_entitled,
    audience_organisations,
    audience_recipients,
    unreachable_reasons,
    webhooks_of,
)
from ppsportal.sensitivity import TLP
from threats.route import parse_route


def _area_shapes(alert: Alert) -> dict:
    """The alert's area for the map: its polygons (drawn and of the chosen regions) as
    [latitude, longitude] rings, its circles as centre and radius in metres."""
    area = area_of(alert)
    return {
        "polygons": [[list(point) for point in polygon] for polygon in area.polygons],
        "circles": [
            {"center": [lat, lon], "radius_m": radius * 1000} for lat, lon, radius in area.circles
        ],
    }


NOT_ENTITLED = (
    "not_entitled"  # beside the ``Unreachable`` reasons: why an organisation gets nothing
)


def _per_organisation(organisations, recipients: list[Recipient], hooked: set[int]) -> list[dict]:
    """Per organisation reached, by name: its people, how many of them on each channel, and
    whether its webhook is told."""
    rows = {
        pk: {
            "name": name,
            "people": 0,
            "channels": {str(c): 0 for c in USER_CHANNELS},
            "webhook": pk in hooked,
        }
        for pk, name in organisations
    }
    for recipient in recipients:
        row = rows[recipient.organisation_id]
        row["people"] += 1
        for channel in recipient.channels:
            row["channels"][channel] += 1
    return list(rows.values())


def _gets_nothing(alert: Alert, unreachable: list[dict], not_entitled) -> list[dict]:
    """Every organisation in the audience that publishing would not tell, with why, by name."""
    label = _("Not entitled: no covenant in force, signed by it, allows %(level)s") % {
        "level": alert.get_tlp_display()
    }
    left_out = [
        {"name": name, "reason": NOT_ENTITLED, "reason_label": label} for _pk, name in not_entitled
    ]
    return sorted([*unreachable, *left_out], key=lambda row: row["name"].casefold())


def audience_preview(alert: Alert) -> dict:
    """How many organisations, users and deliveries per channel publishing ``alert`` now would
    reach, and how many organisations in its audience are left out for want of a covenant in
    force that allows its TLP level. For NCTV staff: it names the organisations, their people
    per channel, and those that would get nothing with the reason."""
    organisations = list(audience_organisations(alert).order_by("name").values_list("pk", "name"))
    org_ids = [pk for pk, _name in organisations]
    recipients = audience_recipients(org_ids) if org_ids else []
    hooked = list(webhooks_of(org_ids).values_list("organisation_id", flat=True)) if org_ids else []
    webhooks = len(hooked)
    # in the audience, yet nobody to tell: no active user with a channel and no webhook; from
    # the users just read, by the rule their channels were counted with
    reasons = unreachable_reasons(org_ids, set(hooked), recipients=recipients)
    unreachable = [
        {"name": name, "reason": reasons[pk], "reason_label": str(Unreachable(reasons[pk]).label)}
        for pk, name in organisations
        if pk in reasons
    ]
    targets = area_targets(alert) if alert.area_targets else []
    per_channel = Counter(channel for r in recipients for channel in r.channels)
    channels = {str(c): per_channel.get(str(c), 0) for c in Channel if c != Channel.WEBHOOK}
    channels[str(Channel.WEBHOOK)] = webhooks
    # CLEAR and GREEN are not narrowed by entitlement: the audience is the organisations.
    not_entitled = [] if TLP.is_open(alert.tlp) else audience_not_entitled(alert, org_ids)
    before = len(organisations) + len(not_entitled)
    return {
        "organisations": len(organisations),
        "users": len(recipients),
        "channels": channels,
        "deliveries": sum(channels.values()),
        "audience_before_entitlement": before,
        "excluded_not_entitled": before - len(organisations),
        "organisation_names": [name for _pk, name in organisations],
        "unreachable_organisations": [u["name"] for u in unreachable],
        "unreachable": unreachable,
        # per organisation reached: people per channel and the webhook; and every organisation
        # of the audience that would get nothing, with why (unreachable or not entitled)
        "per_organisation": _per_organisation(organisations, recipients, set(hooked)),
        "gets_nothing": _gets_nothing(alert, unreachable, not_entitled),
        "area_targets": [
            {
                "name": t["name"],
                "latitude": float(t["latitude"]),
                "longitude": float(t["longitude"]),
                "operator": dict(organisations).get(t["operator_id"], ""),
                "route": [list(point) for point in parse_route(t["route"])],
            }
            for t in targets
        ],
        "area": _area_shapes(alert),
        "tlp": alert.tlp,
    }
