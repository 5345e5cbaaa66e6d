"""The admin for alerts: NCTV staff write, approve, publish, update and end alerts here, through
``alerts.services``; deliveries, acknowledgements and webhook subscriptions are read here.

Every model admin subclasses ``partnerships.admin.StaffAdmin`` (NCTV staff only) and holds no
rule of its own: a refusal shows the service's message.
"""

from alerts.admin.alerts import AlertAdmin, AlertTemplateAdmin
from alerts.admin.records import (
    AcknowledgementAdmin,
    DeliveryAdmin,
    StatusReportAdmin,
    WebhookSubscriptionAdmin,
)

__all__ = [
    "AcknowledgementAdmin",
    "AlertAdmin",
    "AlertTemplateAdmin",
    "DeliveryAdmin",
    "StatusReportAdmin",
    "WebhookSubscriptionAdmin",
]
