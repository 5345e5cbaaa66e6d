"""``/api/v1/public-alerts/``: the TLP:CLEAR alerts for anyone, without a token, as an Atom feed
whose entries carry their CAP 1.2 messages, and each as a CAP document. Anything that is not a
published CLEAR alert answers 404, exactly like a missing one."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from alerts.api.common import FirstRendererNegotiation, document
from alerts.api.examples import ATOM, CAP
from alerts.cap import (
    ATOM_MEDIA_TYPE,
    CAP_MEDIA_TYPE,
    FEED_SIZE,
    FeedEntry,
    alert_to_cap,
    alerts_feed,
    is_public,
)
from alerts.selectors import public_alerts
from ppsportal.api.common import errors


def _previous_visible(alert) -> bool:
    """The version before is named only if it is public too."""
    return alert.previous is not None and is_public(alert.previous)


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_alerts"
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation


class PublicAlertFeedView(PublicView):
    @extend_schema(
        operation_id="public_alerts_feed",
        summary="The public alerts (TLP:CLEAR) as an Atom feed with their CAP messages",
        description=f"No token. The newest {FEED_SIZE} published TLP:CLEAR alerts, ended ones "
        "included; each entry carries the alert's current CAP 1.2 message inline "
        '(`<content type="application/cap+xml">`, scope Public) and links to its CAP document '
        '(`rel="alternate"`). Alerts above CLEAR never appear.',
        responses={**document(ATOM_MEDIA_TYPE, "An Atom 1.0 feed (UTF-8 XML).", ATOM)},
        tags=["alerts"],
    )
    def get(self, request):
        alerts = list(
            public_alerts()
            .select_related("owner_organisation", "previous")
            .order_by("-published_at", "-id")[:FEED_SIZE]
        )
        entries = [
            FeedEntry(
                alert=alert,
                cap_url=request.build_absolute_uri(
                    reverse("api:public-alert-cap", kwargs={"id": alert.public_id})
                ),
                previous_visible=_previous_visible(alert),
            )
            for alert in alerts
        ]
        feed = alerts_feed(
            entries,
            request=request,
            title=_("PPS Portal public alerts"),
            page_url=request.build_absolute_uri(reverse("api:public-alert-feed")),
        )
        return HttpResponse(feed, content_type=f"{ATOM_MEDIA_TYPE}; charset=utf-8")


class PublicAlertCapView(PublicView):
    @extend_schema(
        operation_id="public_alerts_cap",
        summary="A public alert (TLP:CLEAR) as CAP 1.2",
        description="No token. The CAP 1.2 document of a published TLP:CLEAR alert (scope "
        "Public). Any other alert answers 404, exactly like a missing one.",
        responses={
            **document(CAP_MEDIA_TYPE, "The CAP 1.2 document (UTF-8 XML).", CAP),
            **errors(404),
        },
        tags=["alerts"],
    )
    def get(self, request, id):
        alert = (
            public_alerts()
            .select_related("owner_organisation", "previous")
            .filter(public_id=id)
            .first()
        )
        if alert is None:
            raise Http404
        return HttpResponse(
            alert_to_cap(alert, request=request, previous_visible=_previous_visible(alert)),
            content_type=CAP_MEDIA_TYPE,
        )
