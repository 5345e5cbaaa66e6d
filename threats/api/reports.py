"""``/api/v1/reports/``: reports back to government. Operators report about their own soft
targets and follow their organisation's reports; NCTV staff triage and reply; the reporting
organisation's writers may reply back."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from partnerships.drf import OrganisationRefSerializer
from partnerships.policy import require
from partnerships.roles import Capability
from partnerships.selectors import actor_for
from partnerships.sharing.drf import SharedUnderField
from partnerships.sharing.reads import read_many
from ppsportal.api.common import PortalViewSetMixin, PublicIdField, UserRefSerializer, errors
from ppsportal.api.fields import CoordinateField, staff_only
from threats.api.examples import REPORT, REPORT_CREATE
from threats.drf import SoftTargetRefSerializer
from threats.models import Report, ReportAttachment, ReportReply, SoftTarget
from threats.selectors import assessments_visible_to, reports_visible_to, soft_targets_visible_to
from threats.services import report_create, report_reply, report_triage
from threats.services_reports import (
    attachment_response,
    report_assessments_shown,
    report_link_assessment,
)

# --- Reading ------------------------------------------------------------------------------------


class ReplySerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True, allow_null=True)
    author_organisation = serializers.SerializerMethodField()

    class Meta:
        model = ReportReply
        fields = ["author", "author_organisation", "body", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OrganisationRefSerializer(allow_null=True))
    def get_author_organisation(self, reply) -> dict | None:
        try:
            organisation = reply.author.membership.organisation  # selected with the reply
        except (AttributeError, ObjectDoesNotExist):
            return None
        return OrganisationRefSerializer(organisation).data


class AttachmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = ReportAttachment
        fields = ["id", "name", "kind", "size", "download"]
        read_only_fields = fields

    def get_download(self, attachment) -> str:
        return f"/api/v1/reports/{attachment.report.public_id}/attachments/{attachment.public_id}/"


class AssessmentRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()


class ReportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    soft_target = SoftTargetRefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    tlp_label = serializers.CharField(source="get_tlp_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reporter = UserRefSerializer(read_only=True, allow_null=True)
    reporter_organisation = OrganisationRefSerializer(read_only=True)
    replies = ReplySerializer(many=True, read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    shared_under = SharedUnderField()
    assessment = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "The threat assessment NCTV staff linked this report to; null when none is linked "
            "or you may not see it."
        )
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "soft_target",
            "kind",
            "kind_label",
            "category",
            "category_label",
            "what",
            "occurred_at",
            "location",
            "latitude",
            "longitude",
            "attachments",
            "tlp",
            "tlp_label",
            "status",
            "status_label",
            "reporter",
            "reporter_organisation",
            "created_at",
            "replies",
            "assessment",
            "shared_under",
        ]
        read_only_fields = fields

    @extend_schema_field(AssessmentRefSerializer(allow_null=True))
    def get_assessment(self, report) -> dict | None:
        if report.assessment_id is None:
            return None
        shown = self.context.get("assessments_shown")
        if shown is None:  # one report: decide for it alone
            shown = report_assessments_shown(actor_for(self.context["request"].user), [report])
        if report.assessment_id not in shown:
            return None
        return AssessmentRefSerializer(report.assessment).data


# --- Writing ------------------------------------------------------------------------------------


class VisibleSoftTargetField(PublicIdField):
    """A soft target the caller may see; any other id is unknown, exactly like a missing one."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("There is no soft target with id {value}.")
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=SoftTarget.objects.all(), **kwargs)

    def get_queryset(self):
        return soft_targets_visible_to(actor_for(self.context["request"].user))


class ReportCreateSerializer(serializers.ModelSerializer):
    soft_target = VisibleSoftTargetField(
        help_text=gettext_lazy("One of your own organisation's soft targets.")
    )

    latitude = CoordinateField(limit=90, required=False, allow_null=True)
    longitude = CoordinateField(limit=180, required=False, allow_null=True)
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=5,
        help_text=gettext_lazy("Photos (JPEG, PNG) or PDF files, sent as multipart form data."),
    )

    class Meta:
        model = Report
        fields = [
            "soft_target",
            "kind",
            "category",
            "what",
            "occurred_at",
            "location",
            "latitude",
            "longitude",
            "tlp",
            "attachments",
        ]


class TriageSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Report.Status.choices)


class LinkAssessmentSerializer(serializers.Serializer):
    assessment = serializers.UUIDField(
        allow_null=True,
        help_text=gettext_lazy("The threat assessment's id; null removes the link."),
    )


class ReplyCreateSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)


# --- Filters and views --------------------------------------------------------------------------


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Report.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Report.Kind.choices)
    soft_target = django_filters.UUIDFilter(
        field_name="soft_target__public_id", label=gettext_lazy("Soft target id")
    )
    reporter_organisation = django_filters.UUIDFilter(
        field_name="reporter_organisation__public_id",
        label=gettext_lazy("Reporting organisation id"),
    )

    class Meta:
        model = Report
        fields = ["status", "kind", "soft_target", "reporter_organisation"]


_one = [OpenApiExample("A suspicious situation", value=REPORT, response_only=True)]


@extend_schema_view(
    list=extend_schema(
        summary="List reports",
        description="Your organisation's reports with their status and replies; NCTV staff "
        "see every report (the queue: `?status=new`).",
        responses={200: ReportSerializer, **errors(400, 401)},
        examples=_one,
    ),
    retrieve=extend_schema(
        summary="Get a report",
        responses={200: ReportSerializer, **errors(401, 404)},
        examples=_one,
    ),
    create=extend_schema(
        summary="Report a suspicious situation or incident",
        description="About one of your own organisation's soft targets (roles that may write); "
        "not about the future.",
        request=ReportCreateSerializer,
        responses={201: ReportSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample("Filming the entrances", value=REPORT_CREATE, request_only=True),
            OpenApiExample("Reported", value={**REPORT, "replies": []}, response_only=True),
            OpenApiExample(
                "Not yours",
                value={"soft_target": ["Report only about your own organisation's soft targets."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
)
@extend_schema(tags=["reports"])
class ReportViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = ReportFilter
    search_fields = ["what", "soft_target__name"]
    ordering_fields = ["created_at", "occurred_at", "status"]
    ordering = ["-created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        return (
            reports_visible_to(self.actor)
            .select_related("assessment")
            .prefetch_related(
                Prefetch(
                    "replies",
                    queryset=ReportReply.objects.select_related("author__membership__organisation"),
                ),
                Prefetch("attachments", queryset=ReportAttachment.objects.select_related("report")),
            )
        )

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        # recorded before it is shown, so the body carries ``shared_under``
        read_many(actor=self.actor, objects=[report], request=request, purpose="api detail")
        return Response(self.get_serializer(report).data)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.assessments_shown = report_assessments_shown(
            self.actor, page if page is not None else queryset
        )
        read_many(
            actor=self.actor,
            objects=page if page is not None else queryset,
            request=self.request,
            purpose="api list",
        )
        return page

    def get_serializer_context(self):
        # the list decides which linked assessments to show for its whole page at once
        return {
            **super().get_serializer_context(),
            "assessments_shown": getattr(self, "assessments_shown", None),
        }

    def get_serializer_class(self):
        if self.action == "create":
            return ReportCreateSerializer
        if self.action == "triage":
            return TriageSerializer
        if self.action == "reply":
            return ReplyCreateSerializer
        if self.action == "link_assessment":
            return LinkAssessmentSerializer
        return ReportSerializer

    def create(self, request, *args, **kwargs):
        require(self.actor.is_nctv_staff or self.actor.can(Capability.WRITE))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_create(by=request.user, **serializer.validated_data)
        return Response(self._read(report), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Triage a report (NCTV staff)",
        request=TriageSerializer,
        responses={200: ReportSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("In review", value={"status": "in_review"}, request_only=True),
            OpenApiExample(
                "Triaged",
                value={**REPORT, "status": "in_review", "status_label": "In review"},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def triage(self, request, *args, **kwargs):
        report = self.get_object()
        require(self.actor.is_nctv_staff, staff_only())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report_triage(report=report, by=request.user, **serializer.validated_data)
        return Response(self._read(report))

    @extend_schema(
        summary="Link a report to a threat assessment (NCTV staff)",
        description="An assessment you may not see answers 404 like a missing one.",
        request=LinkAssessmentSerializer,
        responses={200: ReportSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "Link",
                value={"assessment": "6f1c2a7e-0d4b-4c3e-9a51-2b8f3e7d9c10"},
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="link-assessment")
    def link_assessment(self, request, *args, **kwargs):
        report = self.get_object()
        require(self.actor.is_nctv_staff, staff_only())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = None
        if serializer.validated_data["assessment"] is not None:
            assessment = (
                assessments_visible_to(self.actor)
                .filter(public_id=serializer.validated_data["assessment"])
                .first()
            )
            if assessment is None:
                raise NotFound(gettext_lazy("There is no threat assessment with this id."))
        report_link_assessment(report=report, assessment=assessment, by=request.user)
        return Response(self._read(report))

    @extend_schema(
        summary="Reply to a report",
        description="NCTV staff, and writers of the reporting organisation (not once closed).",
        request=ReplyCreateSerializer,
        responses={201: ReportSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "A reply",
                value={"body": "Thank you; the police will pass by tonight."},
                request_only=True,
            ),
            OpenApiExample("Replied", value=REPORT, response_only=True),
            OpenApiExample(
                "Empty",
                value={"body": ["Write a reply."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, *args, **kwargs):
        report = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report_reply(report=report, by=request.user, **serializer.validated_data)
        return Response(self._read(report), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download a report's attachment",
        description="For whoever sees the report; never a public URL.",
        responses={(200, "application/octet-stream"): bytes, **errors(401, 404)},
        examples=[
            OpenApiExample(
                "A photo",
                value="(the file's bytes: image/jpeg, image/png or application/pdf)",
                response_only=True,
                media_type="application/octet-stream",
            )
        ],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9a-f-]{36})",
    )
    def attachment(self, request, *args, attachment_id=None, **kwargs):
        report = self.get_object()
        row = next((a for a in report.attachments.all() if str(a.public_id) == attachment_id), None)
        if row is None:
            raise NotFound()
        read_many(actor=self.actor, objects=[report], request=request, purpose="api attachment")
        return attachment_response(row)

    def _read(self, report) -> dict:
        return ReportSerializer(self.reread(report), context=self.get_serializer_context()).data
