"""``/api/v1/webhooks/``: where an organisation's alerts are POSTed, signed per Standard
Webhooks. Members of the organisation read its subscriptions; its administrators (and NCTV
staff) create, change, delete, rotate the secret and enable them again. The secret is shown
once: in the answer to creating or rotating."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from alerts.api.examples import WEBHOOK, WEBHOOK_WITH_SECRET
from alerts.models import WebhookSubscription
from alerts.webhooks import (
    webhook_create,
    webhook_delete,
    webhook_enable,
    webhook_rotate_secret,
    webhook_update,
    webhooks_visible_to,
)
from partnerships.drf import OrganisationRefSerializer
from ppsportal.api.common import PortalViewSetMixin, StableOrderingFilter, errors


class WebhookSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    url = serializers.CharField(
        max_length=500,
        help_text=_("https, reachable from the internet (no private or local addresses)."),
    )
    active = serializers.BooleanField(
        read_only=True,
        help_text=_("Off after repeated refusals by the receiver; enable it again once fixed."),
    )

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "organisation",
            "url",
            "active",
            "consecutive_failures",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = ["consecutive_failures", "disabled_reason", "created_at"]


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=_(
            "The signing secret (whsec_…): shown only now. Verify the webhook-signature "
            "header with it."
        ),
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


_invalid_url = OpenApiExample(
    "A private address",
    value={
        "url": [
            "The address 10.0.0.5 lies in a private or reserved network; give an address "
            "reachable from the internet."
        ]
    },
    response_only=True,
    status_codes=["400"],
)


@extend_schema_view(
    list=extend_schema(
        summary="List your organisation's webhooks",
        description="NCTV staff see every organisation's. Secrets are never listed.",
        responses={200: WebhookSerializer, **errors(400, 401)},
        examples=[OpenApiExample("A webhook", value=WEBHOOK, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a webhook",
        description="Another organisation's webhook answers 404.",
        responses={200: WebhookSerializer, **errors(401, 404)},
        examples=[OpenApiExample("A webhook", value=WEBHOOK, response_only=True)],
    ),
    create=extend_schema(
        summary="Add a webhook (organisation administrators)",
        description="Alerts sent to your organisation are POSTed to the URL as JSON, with the "
        "headers webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks). "
        "The answer holds the signing secret: store it, it is not shown again.",
        request=WebhookSerializer,
        responses={201: WebhookWithSecretSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample("The URL", value={"url": WEBHOOK["url"]}, request_only=True),
            OpenApiExample("Added", value=WEBHOOK_WITH_SECRET, response_only=True),
            _invalid_url,
        ],
    ),
    partial_update=extend_schema(
        summary="Change a webhook's URL (organisation administrators)",
        description="`url` is the one field that changes, checked as on creation.",
        request=WebhookSerializer,
        responses={200: WebhookSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "New URL", value={"url": "https://soc.arena.example/v2/pps"}, request_only=True
            ),
            OpenApiExample("Changed", value=WEBHOOK, response_only=True),
            _invalid_url,
        ],
    ),
    destroy=extend_schema(
        summary="Remove a webhook (organisation administrators)",
        request=None,
        responses={204: None, **errors(401, 403, 404)},
        examples=[
            OpenApiExample(
                "Not an administrator",
                value={
                    "detail": "Only an administrator of the organisation may manage its webhooks."
                },
                response_only=True,
                status_codes=["403"],
            )
        ],
    ),
)
@extend_schema(tags=["webhooks"])
class WebhookViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = WebhookSerializer
    ordering_fields = ["created_at", "url"]
    ordering = ["created_at"]
    filter_backends = [StableOrderingFilter]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return webhooks_visible_to(self.actor)

    def create(self, request, *args, **kwargs):
        if self.actor.organisation is None:
            raise PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription, secret = webhook_create(
            organisation=self.actor.organisation,
            url=serializer.validated_data["url"],
            by=request.user,
        )
        return self._with_secret(subscription, secret, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        subscription = self.get_object()
        serializer = self.get_serializer(subscription, data=request.data)  # the URL is all
        serializer.is_valid(raise_exception=True)
        webhook_update(
            subscription=subscription, by=request.user, url=serializer.validated_data["url"]
        )
        return Response(WebhookSerializer(self.reread(subscription)).data)

    def destroy(self, request, *args, **kwargs):
        webhook_delete(subscription=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Rotate a webhook's secret (organisation administrators)",
        description="A new secret signs from now on; the old one stops at once. The answer "
        "holds the new secret, shown only now.",
        request=None,
        responses={200: WebhookWithSecretSerializer, **errors(401, 403, 404)},
        examples=[OpenApiExample("Rotated", value=WEBHOOK_WITH_SECRET, response_only=True)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="rotate-secret",
        url_name="rotate-secret",
        filter_backends=[],
        pagination_class=None,
    )
    def rotate_secret(self, request, *args, **kwargs):
        subscription, secret = webhook_rotate_secret(
            subscription=self.get_object(), by=request.user
        )
        return self._with_secret(subscription, secret)

    @extend_schema(
        summary="Enable a webhook again (organisation administrators)",
        description="After the receiver is fixed: alerts are sent to it again and its count of "
        "failures starts afresh. The URL is checked again.",
        request=None,
        responses={200: WebhookSerializer, **errors(400, 401, 403, 404)},
        examples=[OpenApiExample("Enabled", value=WEBHOOK, response_only=True)],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def enable(self, request, *args, **kwargs):
        subscription = webhook_enable(subscription=self.get_object(), by=request.user)
        return Response(WebhookSerializer(self.reread(subscription)).data)

    def _with_secret(self, subscription, secret: str, *, code=status.HTTP_200_OK) -> Response:
        subscription = self.reread(subscription)
        subscription.secret = secret
        return Response(WebhookWithSecretSerializer(subscription).data, status=code)
