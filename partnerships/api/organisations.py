"""``/api/v1/organisations/``: the caller's own organisation, its audit trail and access log.

Only the caller's own organisation is found; any other id answers 404, exactly like a missing
one. Its audit trail (every event about its own data) and access log (reads of its sensitive
data from outside) are read by whoever ``policy.may_read_organisation_logs`` allows: its
administrators (and for the NCTV its staff); another member of the organisation is refused (403).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from partnerships.models import Organisation, Sector
from partnerships.policy import may_read_organisation_logs, require
from partnerships.selectors import (
    access_log_for_organisation,
    audit_trail_for_organisation,
    organisations_visible_to,
)
from partnerships.services.members import may_manage_members
from partnerships.sharing.drf import SharedCovenantRefSerializer
from partnerships.sharing.partner import access_log_shared_under
from ppsportal.api.common import PortalViewSetMixin, errors
from ppsportal.models import AuditEvent

ORGANISATION = {
    "id": "7d7f0b55-1c1e-4f57-9a43-0d1a9d0d6a10",
    "name": "Johan Cruijff ArenA",
    "kind": "private",
    "kind_label": "Private",
    "sector": "football_stadium",
    "sector_label": "Football stadium",
    "region": "Amsterdam-Amstelland",
    "municipality": "Amsterdam",
    "country": "NL",
    "is_nctv": False,
    "your_role": "admin",
    "links": {
        "members": "https://pps.example/api/v1/members/",
        "member_invitations": "https://pps.example/api/v1/member-invitations/",
        "audit_trail": "https://pps.example/api/v1/organisations/"
        "7d7f0b55-1c1e-4f57-9a43-0d1a9d0d6a10/audit-trail/",
        "access_log": "https://pps.example/api/v1/organisations/"
        "7d7f0b55-1c1e-4f57-9a43-0d1a9d0d6a10/access-log/",
    },
}
ACCESS = {
    "at": "2026-05-12T14:03:11+02:00",
    "actor": "nctv-analyst",
    "actor_organisation": "NCTV",
    "object_type": "threats.softtarget",
    "object_ids": ["5e1f0c2a-9b8d-4c7e-a6f5-3d2c1b0a9e8f"],
    "purpose": "Dreigingsbeeld Amsterdam-Amstelland",
}
TRAIL = {
    **ACCESS,
    "action": "sharing.granted",
    "actor": "arena-operator",
    "actor_organisation": "Johan Cruijff ArenA",
    "purpose": "Wedstrijd Ajax-Feyenoord",
    "detail": {
        "shared_with_organisation": "2f1a8c4e-5b7d-4e0a-8f1c-6d3b2a9e7c55",
        "shared_with_organisation_name": "Gemeente Amsterdam",
        "covenant_title": "Convenant ArenA 2026",
        "level": "amber",
    },
}


class OrganisationLinksSerializer(serializers.Serializer):
    members = serializers.URLField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The members (administrators only; otherwise null)."),
    )
    member_invitations = serializers.URLField(read_only=True, allow_null=True)
    audit_trail = serializers.URLField(read_only=True, allow_null=True)
    access_log = serializers.URLField(read_only=True, allow_null=True)


class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    sector = serializers.ChoiceField(
        choices=Sector.choices,
        allow_blank=True,
        read_only=True,
        help_text=gettext_lazy("The soft-target category; blank for authorities."),
    )
    sector_label = serializers.CharField(source="get_sector_display", read_only=True)
    your_role = serializers.SerializerMethodField(
        help_text=gettext_lazy("Your role in it: admin, member, viewer or integrator.")
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "sector",
            "sector_label",
            "region",
            "municipality",
            "country",
            "is_nctv",
            "your_role",
            "links",
        ]
        read_only_fields = fields

    def get_your_role(self, organisation) -> str | None:
        return self.context["actor"].role

    @extend_schema_field(OrganisationLinksSerializer)
    def get_links(self, organisation) -> dict:
        actor, request = self.context["actor"], self.context["request"]

        def url(name, *args):
            return request.build_absolute_uri(reverse(f"api:{name}", args=args))

        manages = may_manage_members(actor, organisation)
        reads_logs = may_read_organisation_logs(actor, organisation)
        return {
            "members": url("member-list") if manages else None,
            "member_invitations": url("member-invitation-list") if manages else None,
            "audit_trail": url("organisation-audit-trail", organisation.public_id)
            if reads_logs
            else None,
            "access_log": url("organisation-access-log", organisation.public_id)
            if reads_logs
            else None,
        }


class SharedUnderRowSerializer(serializers.Serializer):
    object = serializers.CharField(read_only=True)
    covenant = SharedCovenantRefSerializer(read_only=True)
    purpose = serializers.CharField(read_only=True)


class AccessEventSerializer(serializers.ModelSerializer):
    """A read of the organisation's sensitive data: when, by whom, of what, why."""

    actor = serializers.CharField(source="actor_username", read_only=True)
    actor_organisation = serializers.CharField(source="organisation_name", read_only=True)
    object_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    shared_under = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "For a read of what your organisation shared: per object, the covenant it was "
            "shared under and that covenant's purpose."
        )
    )

    class Meta:
        model = AuditEvent
        fields = [
            "at",
            "actor",
            "actor_organisation",
            "object_type",
            "object_ids",
            "purpose",
            "shared_under",
        ]
        read_only_fields = fields

    @extend_schema_field(SharedUnderRowSerializer(many=True))
    def get_shared_under(self, event) -> list[dict]:
        organisation = self.context.get("organisation")
        if organisation is None:
            return []
        return [
            {k: row[k] for k in ("object", "covenant", "purpose")}
            for row in access_log_shared_under(event, organisation)
        ]


class AuditTrailEventSerializer(AccessEventSerializer):
    """An event about the organisation's own data (``action`` is a dotted code)."""

    detail = serializers.DictField(read_only=True)

    class Meta(AccessEventSerializer.Meta):
        fields = ["at", "action", *AccessEventSerializer.Meta.fields[1:], "detail"]
        read_only_fields = fields


_ACTION_FILTER = OpenApiParameter(
    "action",
    OpenApiTypes.STR,
    description="Only events whose action starts with this, e.g. `sharing.` or "
    "`members.deactivated`.",
)


@extend_schema_view(
    list=extend_schema(
        summary="Your organisation",
        description="A list of one: the organisation you belong to (none without one).",
        responses={200: OrganisationSerializer, **errors(401)},
        examples=[OpenApiExample("The ArenA", value=ORGANISATION, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get your organisation",
        description="Any other organisation answers 404, like a missing one.",
        responses={200: OrganisationSerializer, **errors(401, 404)},
        examples=[OpenApiExample("The ArenA", value=ORGANISATION, response_only=True)],
    ),
)
@extend_schema(tags=["organisations"])
class OrganisationViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrganisationSerializer
    ordering = ["name"]
    ordering_fields = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organisation.objects.none()
        return organisations_visible_to(self.actor)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": self.actor}

    def filter_queryset(self, queryset):
        if self.action in {"audit_trail", "access_log"}:
            return queryset  # the organisation's filters do not apply to its events
        return super().filter_queryset(queryset)

    def _events(self, events, serializer_class):
        organisation = self.get_object()
        require(
            may_read_organisation_logs(self.actor, organisation),
            _("Only your organisation's administrators see this."),
        )
        prefix = self.request.query_params.get("action")
        events = events(organisation)
        if prefix:
            events = events.filter(action__startswith=prefix)
        page = self.paginate_queryset(events)
        context = {"organisation": organisation}
        return self.get_paginated_response(serializer_class(page, many=True, context=context).data)

    @extend_schema(
        summary="Your organisation's audit trail (administrators)",
        description="Every event about your organisation's own data, newest first: grants and "
        "revocations of what it shares, every read of its sensitive data (inside and outside "
        "it), changes to its members. Another organisation answers 404.",
        parameters=[_ACTION_FILTER],
        responses={200: AuditTrailEventSerializer(many=True), **errors(401, 403, 404)},
        examples=[OpenApiExample("A grant", value=TRAIL, response_only=True)],
    )
    @action(detail=True, methods=["get"], url_path="audit-trail")
    def audit_trail(self, request, *args, **kwargs):
        return self._events(audit_trail_for_organisation, AuditTrailEventSerializer)

    @extend_schema(
        summary="Who outside your organisation read its data (administrators)",
        description="Reads of your organisation's sensitive data (TLP:AMBER and above) by "
        "anyone outside it, NCTV staff included, newest first: the dashboard's 'Who read our "
        "data'. Another organisation answers 404.",
        responses={200: AccessEventSerializer(many=True), **errors(401, 403, 404)},
        examples=[OpenApiExample("An NCTV read", value=ACCESS, response_only=True)],
    )
    @action(detail=True, methods=["get"], url_path="access-log")
    def access_log(self, request, *args, **kwargs):
        return self._events(access_log_for_organisation, AccessEventSerializer)
