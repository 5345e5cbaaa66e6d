"""``/api/v1/inbox/``: the caller's alerts in the portal (the in-app channel), newest first,
and marking one read."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.api.examples import INBOX_ENTRY
from alerts.api.serializers import AlertSummarySerializer
from alerts.inbox import delivery_mark_read, inbox_of
from alerts.models import Delivery
from partnerships.sharing.partner import shared_under_map
from partnerships.sharing.reads import read_many
from ppsportal.api.common import PortalViewSetMixin, errors


class InboxEntrySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    alert = AlertSummarySerializer(read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "alert", "sent_at", "read_at"]
        read_only_fields = fields


class InboxFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        widget=BooleanWidget,
        label=gettext_lazy("Only entries not yet read (true)"),
    )

    class Meta:
        model = Delivery
        fields = ["unread"]


@extend_schema_view(
    list=extend_schema(
        summary="Your inbox",
        description="The alerts sent to you in the portal, newest first, with when you read "
        "them. An alert you may no longer see (its covenant ended) leaves the inbox.",
        responses={200: InboxEntrySerializer, **errors(400, 401)},
        examples=[OpenApiExample("An unread alert", value=INBOX_ENTRY, response_only=True)],
    ),
)
@extend_schema(tags=["inbox"])
class InboxViewSet(PortalViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = InboxEntrySerializer
    filterset_class = InboxFilter
    filter_backends = [DjangoFilterBackend]  # ?unread=; the order is fixed: newest first

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return inbox_of(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        read_many(
            actor=self.actor, objects=[d.alert for d in rows], request=self.request, purpose="inbox"
        )
        return page

    @extend_schema(
        summary="Mark an inbox entry read",
        description="Marking it again changes nothing: the first time stays.",
        request=None,
        responses={200: InboxEntrySerializer, **errors(401, 404)},
        examples=[
            OpenApiExample(
                "Read",
                value={**INBOX_ENTRY, "read_at": "2026-11-30T08:20:41+01:00"},
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def read(self, request, *args, **kwargs):
        delivery = delivery_mark_read(delivery_public_id=self.kwargs["id"], by=request.user)
        # a write, not a read of the alert: no audit entry, but the body names its covenant too
        under = shared_under_map(self.actor, [delivery.alert])
        delivery.alert.shared_under = under.get(delivery.alert.pk)
        return Response(InboxEntrySerializer(delivery, context=self.get_serializer_context()).data)
