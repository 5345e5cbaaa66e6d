"""API of the alerts app: alerts (lifecycle, acknowledgement, CAP 1.2 and Atom), the inbox,
channel preferences and organisation defaults, and webhook subscriptions.

Each module holds one resource's serializers, filters and viewset; ``common`` the shared parts.
"""

from alerts.api.alerts import AlertViewSet
from alerts.api.inbox import InboxViewSet
from alerts.api.preferences import OrganisationDefaultViewSet, PreferenceViewSet
from alerts.api.webhooks import WebhookViewSet

__all__ = [
    "AlertViewSet",
    "InboxViewSet",
    "OrganisationDefaultViewSet",
    "PreferenceViewSet",
    "WebhookViewSet",
]
