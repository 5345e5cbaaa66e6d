"""``/api/v1/threat-assessments/``: partners read the assessments visible to them (the sharing
engine decides); NCTV staff write them, and share and revoke them under a covenant."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnerships.policy import require
from partnerships.sharing import services as sharing
from partnerships.sharing.drf import AuditSensitiveReadsMixin
from ppsportal.api.common import PortalViewSetMixin, errors
from ppsportal.api.fields import staff_only
from ppsportal.sensitivity import TLP
from threats.api.assessment_serializers import (
    AssessmentSerializer,
    AssessmentWriteSerializer,
    RevokeSerializer,
    ShareRowSerializer,
    ShareSerializer,
)
from threats.api.examples import (
    ASSESSMENT,
    ASSESSMENT_CREATE,
    ASSESSMENT_SHARES,
    ASSESSMENT_WRITTEN,
    SHARE_ORGANISATION,
    SHARE_USER,
)
from threats.models import AssessmentFacet, ModusOperandi, Motive, ThreatAssessment
from threats.selectors import assessments_visible_to
from threats.services import assessment_create, assessment_update


def _service_arguments(data: dict) -> dict:
    """The serializer's names as the services name them."""
    data = dict(data)
    if "modus_operandi" in data:
        data["modi"] = data.pop("modus_operandi")
    return data


class AssessmentFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(
        field_name="target_categories__code",
        label=gettext_lazy("Sector code of a target category"),
    )
    motive = django_filters.ChoiceFilter(choices=Motive.choices, method="filter_motive")
    modus_operandi = django_filters.ChoiceFilter(
        choices=ModusOperandi.choices, method="filter_modus"
    )
    valid_now = django_filters.BooleanFilter(
        method="applied_by_the_selector",
        widget=BooleanWidget,
        label=gettext_lazy("Only those valid today (true)"),
    )
    tlp = django_filters.ChoiceFilter(choices=TLP.choices)

    class Meta:
        model = ThreatAssessment
        fields = ["category", "motive", "modus_operandi", "valid_now", "tlp"]

    def filter_motive(self, queryset, name, value):
        return queryset.filter(facets__kind=AssessmentFacet.Kind.MOTIVE, facets__code=value)

    def filter_modus(self, queryset, name, value):
        return queryset.filter(facets__kind=AssessmentFacet.Kind.MODUS, facets__code=value)

    def applied_by_the_selector(self, queryset, name, value):
        return queryset  # see ThreatAssessmentViewSet.get_queryset


def valid_now_requested(request) -> bool:
    """``?valid_now=`` read exactly as the filter reads it."""
    return BooleanWidget().value_from_datadict(request.query_params, {}, "valid_now") is True


_staff_errors = errors(400, 401, 403, 404)


@extend_schema_view(
    list=extend_schema(
        summary="List threat assessments",
        description="The assessments you may see: CLEAR and GREEN for every partner, AMBER and "
        "above where shared with your organisation (or you) under a covenant in force. Every "
        "list of AMBER and above is written to the audit log.",
        responses={200: AssessmentSerializer, **errors(400, 401)},
        examples=[OpenApiExample("An AMBER assessment", value=ASSESSMENT, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a threat assessment",
        description="Not visible to you answers 404, exactly like a missing one. Reading AMBER "
        "and above is written to the audit log.",
        responses={200: AssessmentSerializer, **errors(401, 404)},
        examples=[OpenApiExample("An AMBER assessment", value=ASSESSMENT, response_only=True)],
    ),
    create=extend_schema(
        summary="Write a threat assessment (NCTV staff)",
        description="Owned by the NCTV. Motives, modi operandi and measures are codes from "
        "their catalogues; categories are sector codes.",
        request=AssessmentWriteSerializer,
        responses={201: AssessmentSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample("New assessment", value=ASSESSMENT_CREATE, request_only=True),
            OpenApiExample("Written", value=ASSESSMENT_WRITTEN, response_only=True),
            OpenApiExample(
                "Ends before it starts",
                value={"valid_until": ["'Valid until' cannot be before 'valid from'."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
    update=extend_schema(
        summary="Replace a threat assessment (NCTV staff)",
        request=AssessmentWriteSerializer,
        responses={200: AssessmentSerializer, **_staff_errors},
        examples=[
            OpenApiExample("Assessment", value=ASSESSMENT_CREATE, request_only=True),
            OpenApiExample("Changed", value=ASSESSMENT_WRITTEN, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a threat assessment (NCTV staff)",
        description="Lists given (motives, categories, …) replace the current ones.",
        request=AssessmentWriteSerializer,
        responses={200: AssessmentSerializer, **_staff_errors},
        examples=[
            OpenApiExample("Extend it", value={"valid_until": "2026-09-30"}, request_only=True),
            OpenApiExample("Changed", value=ASSESSMENT_WRITTEN, response_only=True),
        ],
    ),
)
@extend_schema(tags=["threat-assessments"])
class ThreatAssessmentViewSet(
    AuditSensitiveReadsMixin,
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = AssessmentFilter
    search_fields = ["title", "summary"]
    ordering_fields = ["valid_from", "valid_until", "created_at", "title"]
    ordering = ["-valid_from"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ThreatAssessment.objects.none()
        valid_now = self.action == "list" and valid_now_requested(self.request)
        return assessments_visible_to(self.actor, valid_now=valid_now)

    def get_serializer_class(self):
        if self.action in {"create", "update", "partial_update"}:
            return AssessmentWriteSerializer
        if self.action == "share":
            return ShareSerializer
        if self.action == "revoke":
            return RevokeSerializer
        return AssessmentSerializer

    def create(self, request, *args, **kwargs):
        require(self.actor.is_nctv_staff, staff_only())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = assessment_create(
            by=request.user, **_service_arguments(serializer.validated_data)
        )
        return Response(self._read(assessment), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        assessment = self.get_object()
        require(self.actor.is_nctv_staff, staff_only())
        serializer = self.get_serializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        assessment_update(
            assessment=assessment,
            by=request.user,
            **_service_arguments(serializer.validated_data),
        )
        return Response(self._read(assessment))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="Share a threat assessment (NCTV staff)",
        description="With an organisation (AMBER, AMBER+STRICT: one organisation) or a user "
        "(AMBER and above; the only way for RED), under a covenant in force that the "
        "organisation signed and whose information clause allows the assessment's level. "
        "Sharing twice changes nothing and answers success. Answers the current shares.",
        request=ShareSerializer,
        responses={200: ShareRowSerializer(many=True), **_staff_errors},
        examples=[
            OpenApiExample("With an organisation", value=SHARE_ORGANISATION, request_only=True),
            OpenApiExample("With a user (RED)", value=SHARE_USER, request_only=True),
            OpenApiExample("Shared", value=ASSESSMENT_SHARES, response_only=True),
            OpenApiExample(
                "No covenant covers it",
                value={
                    "organisation": [
                        "Vierdaagse Nijmegen has not signed the covenant 'Convenant ArenA'."
                    ]
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def share(self, request, *args, **kwargs):
        assessment = self.get_object()
        require(self.actor.is_nctv_staff, staff_only())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        common = {
            "obj": assessment,
            "covenant": data["covenant"],
            "by": request.user,
            "reason": data["reason"],
            "request": request,
        }
        if "user" in data:
            sharing.share_with_user(user=data["user"], **common)
        else:
            sharing.share_with_organisation(organisation=data["organisation"], **common)
        return Response(ShareRowSerializer(sharing.shares_of(assessment), many=True).data)

    @extend_schema(
        summary="Revoke a share (NCTV staff)",
        description="Access ends at once. Revoking what is not shared changes nothing and "
        "answers success. Answers the remaining shares.",
        request=RevokeSerializer,
        responses={200: ShareRowSerializer(many=True), **_staff_errors},
        examples=[
            OpenApiExample(
                "An organisation",
                value={"organisation": SHARE_ORGANISATION["organisation"]},
                request_only=True,
            ),
            OpenApiExample("Revoked", value=[], response_only=True),
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def revoke(self, request, *args, **kwargs):
        assessment = self.get_object()
        require(self.actor.is_nctv_staff, staff_only())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sharing.revoke(
            obj=assessment,
            by=request.user,
            organisation=data.get("organisation"),
            user=data.get("user"),
            reason=data["reason"],
            request=request,
        )
        return Response(ShareRowSerializer(sharing.shares_of(assessment), many=True).data)

    def _read(self, assessment) -> dict:
        return AssessmentSerializer(
            self.reread(assessment), context=self.get_serializer_context()
        ).data
