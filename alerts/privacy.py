"""What the alerts app holds about a person (``ppsportal.privacy``): their channel choices
(with a phone number), the alerts delivered to them and the acknowledgements they gave."""

from __future__ import annotations

from alerts.models import Acknowledgement, ChannelPreference, Delivery


def personal_data(user) -> dict:
    return {
        "channel_preferences": [
            {"channel": p.channel, "enabled": p.enabled, "address": p.address}
            for p in ChannelPreference.objects.filter(user=user).order_by("channel")
        ],
        "acknowledgements": [
            {
                "alert": str(ack.alert.public_id),
                "at": ack.at.isoformat(),
                "note": ack.note,
                "measures_taken": ack.measures_taken,
            }
            for ack in Acknowledgement.objects.filter(user=user).select_related("alert")
        ],
        "deliveries": [
            {
                "alert": str(d.alert.public_id),
                "channel": d.channel,
                "status": d.status,
                "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                "read_at": d.read_at.isoformat() if d.read_at else None,
            }
            for d in Delivery.objects.filter(recipient=user).select_related("alert")
        ],
    }


def anonymise(user) -> None:
    """Phone numbers and channel choices go; deliveries and acknowledgements stay as the record
    of what reached the organisation (deliveries expire with RETENTION_DELIVERIES_DAYS)."""
    ChannelPreference.objects.filter(user=user).delete()
