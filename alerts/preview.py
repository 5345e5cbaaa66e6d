"""What publishing an alert would do, before it is published: the audience preview.

It resolves the audience exactly as ``alerts.services.alert_publish`` does (the same selectors)
and only counts; nothing is written. A fixed number of queries, whatever the audience's size.
"""

from __future__ import annotations

from collections import Counter

from alerts.area import area_of
from alerts.models import Alert, Unreachable
from alerts.models.deliveries import Channel
from alerts.selectors import (
    area_targets,
    audience_organisations,
    audience_recipients,
    audience_size_before_entitlement,
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


def audience_preview(alert: Alert) -> dict:
    """How many organisations, users and deliveries per channel publishing ``alert`` now would
    reach, and how many organisations in its audience are left out for want of a covenant in
    force that allows its TLP level. For NCTV staff: it names the organisations."""
    organisations = list(audience_organisations(alert).order_by("name").values_list("pk", "name"))
    org_ids = [pk for pk, _name in organisations]
    recipients = audience_recipients(org_ids) if org_ids else []
    hooked = list(webhooks_of(org_ids).values_list("organisation_id", flat=True)) if org_ids else []
    webhooks = len(hooked)
    # in the audience, yet nobody to tell: no active user with a channel and no webhook
    reasons = unreachable_reasons(org_ids, recipients, set(hooked))
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
    before = (
        len(organisations) if TLP.is_open(alert.tlp) else audience_size_before_entitlement(alert)
    )
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
