"""In the portal: the delivery row itself is the inbox entry; marking it sent shows it.

The dashboard's inbox lists a user's sent in-app deliveries (``alerts.selectors``); a live
update (polling or server-sent events) is the dashboard's concern.
"""

from __future__ import annotations

from alerts.channels.base import Transport


class InAppTransport(Transport):
    channel = "in_app"
    sends_nothing = True

    def send(self, delivery) -> None:
        return None  # nothing leaves the portal: "sent" makes it visible in the inbox
