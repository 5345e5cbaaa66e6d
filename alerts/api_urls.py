"""API routes of the alerts app (mounted under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from alerts.api import (
    AlertViewSet,
    InboxViewSet,
    OrganisationDefaultViewSet,
    PreferenceViewSet,
    WebhookViewSet,
)
from alerts.api.public import PublicAlertCapView, PublicAlertFeedView
from alerts.api.receipts import SmsReceiptView

router = SimpleRouter()
router.register("alerts", AlertViewSet, basename="alert")
router.register("inbox", InboxViewSet, basename="inbox")
router.register("preferences", PreferenceViewSet, basename="preference")
router.register(
    "organisation-defaults", OrganisationDefaultViewSet, basename="organisation-default"
)
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("sms-receipts/", SmsReceiptView.as_view(), name="sms-receipt"),
    path("public-alerts/feed/", PublicAlertFeedView.as_view(), name="public-alert-feed"),
    path("public-alerts/<uuid:id>/cap/", PublicAlertCapView.as_view(), name="public-alert-cap"),
    *router.urls,
]
