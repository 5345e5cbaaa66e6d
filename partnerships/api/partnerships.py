"""``/api/v1/partnerships/``: read for members and NCTV staff, create and change for NCTV staff."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnerships.api.examples import (
    COST_ALLOCATION,
    COSTS,
    PARTNERSHIP,
    PARTNERSHIP_CREATE,
    PARTNERSHIP_DETAIL,
    PARTNERSHIP_UPDATE,
)
from partnerships.drf import OrganisationField, OrganisationRefSerializer
from partnerships.health import (
    CovenantState,
    HealthStatus,
    assess,
    partnerships_with_health_data,
)
from partnerships.health_sql import with_health_status
from partnerships.models import (
    PartnerRole,
    Partnership,
    PartnershipKind,
    PartnershipMember,
    Variant,
)
from partnerships.policy import require
from partnerships.selectors import (
    cost_summary,
    partnerships_visible_to,
)
from partnerships.services.contacts import cost_allocation_set
from partnerships.services.partnerships import partnership_create, partnership_update
from partnerships.variants import needed_roles
from ppsportal.api.common import (
    PortalViewSetMixin,
    StableOrderingFilter,
    UsernameField,
    UserRefSerializer,
    errors,
)

# --- Reading ------------------------------------------------------------------------------------


class PartnerRoleSerializer(serializers.Serializer):
    """A role at the partnership's table, as code and label."""

    role = serializers.ChoiceField(choices=PartnerRole.choices, read_only=True)
    role_label = serializers.CharField(read_only=True)


def partner_roles(codes) -> list[dict]:
    return [{"role": code, "role_label": str(PartnerRole(code).label)} for code in codes]


class HealthReasonSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text=gettext_lazy("A stable reason code."))
    severity = serializers.ChoiceField(
        choices=[
            (HealthStatus.ATTENTION.value, HealthStatus.ATTENTION.label),
            (HealthStatus.AT_RISK.value, HealthStatus.AT_RISK.label),
        ],
        read_only=True,
    )
    text = serializers.CharField(read_only=True)


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HealthStatus.choices, read_only=True)
    status_label = serializers.CharField(read_only=True)
    reasons = HealthReasonSerializer(many=True, read_only=True)
    days_since_last_contact = serializers.IntegerField(read_only=True, allow_null=True)
    contacts_last_90_days = serializers.IntegerField(read_only=True)
    covenant_state = serializers.ChoiceField(choices=CovenantState.choices, read_only=True)
    covenant_state_label = serializers.SerializerMethodField()
    overdue_actions = serializers.IntegerField(read_only=True)

    def get_covenant_state_label(self, report) -> str:
        return str(CovenantState(report.covenant_state).label)


class PartnershipMemberSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = PartnershipMember
        fields = ["organisation", "role", "role_label", "joined_on", "left_on"]
        read_only_fields = fields


class CostShareSerializer(serializers.Serializer):
    organisation = OrganisationRefSerializer(read_only=True)
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class CostSummarySerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    key_complete = serializers.BooleanField(read_only=True)
    shares = CostShareSerializer(many=True, read_only=True)


class PartnershipSerializer(serializers.ModelSerializer):
    """A partnership with its members, missing roles and health (computed, never typed in)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    variant_label = serializers.CharField(source="get_variant_display", read_only=True)
    variant_meaning = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    sponsor = OrganisationRefSerializer(read_only=True, allow_null=True)
    liaison = UserRefSerializer(read_only=True, allow_null=True)
    members = PartnershipMemberSerializer(many=True, read_only=True)
    required_roles = serializers.SerializerMethodField()
    missing_roles = serializers.SerializerMethodField()
    health = HealthSerializer(source="health_report", read_only=True)

    class Meta:
        model = Partnership
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "kind_label",
            "region",
            "variant",
            "variant_label",
            "variant_meaning",
            "status",
            "status_label",
            "sponsor",
            "liaison",
            "contact_frequency_days",
            "members",
            "required_roles",
            "missing_roles",
            "health",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        # ``instance`` comes from health.partnerships_with_health_data: assess needs its
        # annotations and prefetches, and runs no queries of its own.
        if getattr(instance, "health_report", None) is None:
            instance.health_report = assess(instance, self.context["today"])
        return super().to_representation(instance)

    @extend_schema_field(PartnerRoleSerializer(many=True))
    def get_required_roles(self, partnership) -> list[dict]:
        return partner_roles(needed_roles(partnership))

    @extend_schema_field(PartnerRoleSerializer(many=True))
    def get_missing_roles(self, partnership) -> list[dict]:
        return partner_roles(partnership.health_report.missing_roles)


class PartnershipDetailSerializer(PartnershipSerializer):
    costs = serializers.SerializerMethodField()

    class Meta(PartnershipSerializer.Meta):
        fields = [*PartnershipSerializer.Meta.fields, "costs"]
        read_only_fields = fields

    @extend_schema_field(CostSummarySerializer)
    def get_costs(self, partnership) -> dict:
        return CostSummarySerializer(cost_summary(partnership)).data


# --- Writing ------------------------------------------------------------------------------------


class PartnershipWriteSerializer(serializers.ModelSerializer):
    """The fields NCTV staff may set; rules (liaison a member, known roles) are the service's."""

    sponsor = OrganisationField(
        required=False, allow_null=True, help_text=gettext_lazy("The sponsor organisation's id.")
    )
    liaison = UsernameField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Username of the liaison, a user of a member organisation."),
    )
    required_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=PartnerRole.choices),
        required=False,
        help_text=gettext_lazy("Roles that must be at the table; empty means the kind's default."),
    )

    class Meta:
        model = Partnership
        fields = [
            "name",
            "description",
            "kind",
            "region",
            "variant",
            "status",
            "sponsor",
            "liaison",
            "contact_frequency_days",
            "required_roles",
        ]


class PartnershipMemberWriteSerializer(serializers.Serializer):
    organisation = OrganisationField()
    role = serializers.ChoiceField(choices=PartnerRole.choices)


class CostShareWriteSerializer(serializers.Serializer):
    organisation = OrganisationField(help_text=gettext_lazy("The party's organisation id."))
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2)


class CostAllocationWriteSerializer(serializers.Serializer):
    """The allocation key as a whole; the service checks who may set it and that it adds up."""

    shares = CostShareWriteSerializer(many=True, allow_empty=False)


class PartnershipCreateSerializer(PartnershipWriteSerializer):
    members = PartnershipMemberWriteSerializer(many=True, required=False)

    class Meta(PartnershipWriteSerializer.Meta):
        fields = [*PartnershipWriteSerializer.Meta.fields, "members"]


# --- Filters and views --------------------------------------------------------------------------


class PartnershipFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Partnership.Status.choices)
    variant = django_filters.ChoiceFilter(choices=Variant.choices)
    kind = django_filters.ChoiceFilter(choices=PartnershipKind.choices)
    region = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Partnership
        fields = ["status", "variant", "kind", "region"]


HEALTH_ORDERING = "health"

_ORDERING_HELP = (
    "Comma-separated; prefix `-` for descending. `health` sorts healthy first, `-health` "
    "at risk first (the NCTV overview)."
)

_read_errors = errors(401, 404)


@extend_schema_view(
    list=extend_schema(
        summary="List partnerships",
        description=(
            "The partnerships you may see: NCTV staff see all, others those their organisation "
            "is a current member of. " + _ORDERING_HELP
        ),
        responses={200: PartnershipSerializer, **errors(400, 401)},
        examples=[OpenApiExample("A partnership", value=PARTNERSHIP, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a partnership",
        description="With its members, missing roles, health and costs.",
        responses={200: PartnershipDetailSerializer, **_read_errors},
        examples=[OpenApiExample("The ArenA", value=PARTNERSHIP_DETAIL, response_only=True)],
    ),
    create=extend_schema(
        summary="Create a partnership (NCTV staff)",
        request=PartnershipCreateSerializer,
        responses={201: PartnershipDetailSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample("New partnership", value=PARTNERSHIP_CREATE, request_only=True),
            OpenApiExample("Created", value=PARTNERSHIP_DETAIL, response_only=True),
        ],
    ),
    update=extend_schema(
        summary="Replace a partnership's settings (NCTV staff)",
        request=PartnershipWriteSerializer,
        responses={200: PartnershipDetailSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Settings", value=PARTNERSHIP_CREATE, request_only=True),
            OpenApiExample("Changed", value=PARTNERSHIP_DETAIL, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a partnership (NCTV staff)",
        request=PartnershipWriteSerializer,
        responses={200: PartnershipDetailSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Deepen it", value=PARTNERSHIP_UPDATE, request_only=True),
            OpenApiExample("Changed", value=PARTNERSHIP_DETAIL, response_only=True),
        ],
    ),
)
@extend_schema(tags=["partnerships"])
class PartnershipViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = PartnershipFilter
    search_fields = ["name", "description", "region"]
    ordering_fields = ["name", "status", "variant", "kind", "region", "created_at", HEALTH_ORDERING]
    computed_ordering_fields = [HEALTH_ORDERING]
    ordering = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Partnership.objects.none()
        if self.action == "cost_shares":
            return partnerships_visible_to(self.actor)
        return partnerships_with_health_data(partnerships_visible_to(self.actor), self.today)

    def get_serializer_class(self):
        if self.action == "create":
            return PartnershipCreateSerializer
        if self.action in {"update", "partial_update"}:
            return PartnershipWriteSerializer
        if self.action == "retrieve":
            return PartnershipDetailSerializer
        return PartnershipSerializer

    def list(self, request, *args, **kwargs):
        health = self._health_ordering()
        if health is None:
            return super().list(request, *args, **kwargs)
        qs = self.filter_queryset(self.get_queryset())
        # Health first, the other ordering terms as tie-breakers; the status is the rule's SQL
        # form (``health_sql.with_health_status``), so the database orders and pages, and only the
        # page's rows are assessed (for their reasons) by the serializer.
        severity = "-health_severity" if health.startswith("-") else "health_severity"
        qs = with_health_status(qs, self.today).order_by(severity, *qs.query.order_by)
        page = self.paginate_queryset(qs)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    def _health_ordering(self) -> str | None:
        ordering = StableOrderingFilter().get_ordering(self.request, None, self) or []
        return next((t for t in ordering if t.lstrip("-") == HEALTH_ORDERING), None)

    def create(self, request, *args, **kwargs):
        require(self.actor.is_nctv_staff, _("Only NCTV staff can create partnerships."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        members = [(m["organisation"], m["role"]) for m in data.pop("members", [])]
        partnership = partnership_create(members=members, **data)
        return Response(self._detail(partnership), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partnership = self.get_object()
        require(self.actor.is_nctv_staff, _("Only NCTV staff can change partnerships."))
        serializer = self.get_serializer(
            partnership, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        partnership_update(partnership=partnership, **serializer.validated_data)
        return Response(self._detail(partnership))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _detail(self, partnership) -> dict:
        return PartnershipDetailSerializer(
            self.reread(partnership), context=self.get_serializer_context()
        ).data

    @extend_schema(
        methods=["GET"],
        summary="A partnership's costs and allocation key",
        description="Total costs and each party's percentage and amount; read by every member.",
        responses={200: CostSummarySerializer, **_read_errors},
        examples=[OpenApiExample("60/40", value=COSTS, response_only=True)],
    )
    @extend_schema(
        methods=["PUT"],
        summary="Set the allocation key (coordinators, NCTV staff)",
        description="Replaces the key as a whole: each party a member, named once, no "
        "negative percentage, all adding up to exactly 100; otherwise 400 and nothing "
        "changes. The partnership's coordinators (with a writing role) and NCTV staff set it, "
        "under the same rule as the admin; other members get 403, others 404.",
        request=CostAllocationWriteSerializer,
        responses={200: CostSummarySerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("60/40", value=COST_ALLOCATION, request_only=True),
            OpenApiExample("Set", value=COSTS, response_only=True),
        ],
    )
    @action(detail=True, methods=["get", "put"], url_path="cost-shares")
    def cost_shares(self, request, *args, **kwargs):
        partnership = self.get_object()
        if request.method == "PUT":
            serializer = CostAllocationWriteSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            cost_allocation_set(
                partnership=partnership,
                shares=[
                    (row["organisation"], row["percentage"])
                    for row in serializer.validated_data["shares"]
                ],
                by=request.user,
            )
        return Response(CostSummarySerializer(cost_summary(partnership)).data)
