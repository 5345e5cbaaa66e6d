"""``/api/v1/guidance/`` and ``/api/v1/partnership-documents/``: the document library. Every
partner user reads the NCTV's guidance (and records reading its current version); the parties of
a partnership read its documents by their TLP level and add their own. Files come only through
the ``download`` actions, never at a public URL; AMBER+ downloads and lists are audited; a
document the caller may not see answers 404."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from partnerships.models import Partnership
from partnerships.sharing.reads import read_many
from ppsportal.api.common import PortalViewSetMixin, PublicIdField, errors
from ppsportal.sensitivity import TLP
from preparedness import selectors_library as library
from preparedness import services_library
from preparedness.models import Guidance, GuidanceKind, PartnershipDocument
from threats.services_reports import private_file_response

_DOWNLOAD = {
    "responses": {(200, "application/octet-stream"): bytes, **errors(401, 404)},
    "examples": [
        OpenApiExample(
            "A file",
            value="(the file's bytes: application/pdf, image/jpeg or image/png)",
            response_only=True,
            media_type="application/octet-stream",
        )
    ],
}

# --- Guidance -----------------------------------------------------------------------------------


class GuidanceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    category = serializers.SlugRelatedField(source="sector", slug_field="code", read_only=True)
    tlp_label = serializers.CharField(source="get_tlp_display", read_only=True)
    current_version = serializers.SerializerMethodField()
    current_published_at = serializers.SerializerMethodField()
    read_current = serializers.SerializerMethodField()

    class Meta:
        model = Guidance
        fields = [
            "id",
            "title",
            "kind",
            "kind_label",
            "category",
            "summary",
            "tlp",
            "tlp_label",
            "current_version",
            "current_published_at",
            "read_current",
        ]

    def get_current_version(self, obj) -> int | None:
        version = library.current_of(obj)
        return version.number if version else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_current_published_at(self, obj):
        version = library.current_of(obj)
        if version is None:
            return None
        return serializers.DateTimeField().to_representation(version.published_at)

    def get_read_current(self, obj) -> bool:
        return library.read_current(obj)


_GUIDANCE = {
    "id": "9d0f1c1e-4c9e-4d2b-9a55-5d1b0e3c2f10",
    "title": "Handreiking beveiliging drukke plaatsen",
    "kind": "guide",
    "kind_label": "Guide",
    "category": None,
    "summary": "Maatregelen voor locaties met veel publiek.",
    "tlp": "clear",
    "tlp_label": "TLP:CLEAR",
    "current_version": 2,
    "current_published_at": "2026-11-02T10:00:00+01:00",
    "read_current": False,
}


class GuidanceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=GuidanceKind.choices)
    category = django_filters.CharFilter(field_name="sector__code")

    class Meta:
        model = Guidance
        fields = ["kind", "category"]


@extend_schema_view(
    list=extend_schema(
        summary="List the NCTV's guidance",
        description="Guides, covenant and protocol templates and checklists per category, with "
        "the current version and whether you have read it.",
        responses={200: GuidanceSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a guidance document",
        responses={200: GuidanceSerializer, **errors(401, 404)},
        examples=[OpenApiExample("A guide", value=_GUIDANCE, response_only=True)],
    ),
)
@extend_schema(tags=["library"])
class GuidanceViewSet(
    PortalViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = GuidanceSerializer
    filterset_class = GuidanceFilter
    search_fields = ["title", "summary"]
    ordering_fields = ["title", "kind"]
    ordering = ["kind", "title"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Guidance.objects.none()
        return library.guidance_visible_to(self.actor)

    @extend_schema(summary="Download the current version", **_DOWNLOAD)
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        """Downloading the current version records that you read it."""
        guidance = self.get_object()
        version = library.current_of(guidance)
        services_library.guidance_mark_read(guidance=guidance, by=request.user)
        return private_file_response(
            version.file,
            kind=version.file_kind,
            name=f"guidance-{guidance.public_id}-v{version.number}",
        )

    @extend_schema(
        summary="Record that you read the current version",
        description="Reading it twice changes nothing the second time.",
        request=None,
        responses={200: GuidanceSerializer, **errors(401, 404)},
        examples=[OpenApiExample("Read", value={**_GUIDANCE, "read_current": True})],
    )
    @action(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        guidance = self.get_object()
        services_library.guidance_mark_read(guidance=guidance, by=request.user)
        return Response(GuidanceSerializer(self.reread(guidance)).data)


# --- Partnership documents ----------------------------------------------------------------------


class UploadPartnershipField(PublicIdField):
    """A partnership the caller may add documents to; any other id is unknown."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("There is no partnership with id {value}.")
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Partnership.objects.all(), **kwargs)

    def get_queryset(self):
        from partnerships.selectors import actor_for

        return services_library.partnerships_to_upload_to(actor_for(self.context["request"].user))


class PartnershipDocumentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    partnership = serializers.UUIDField(source="partnership.public_id", read_only=True)
    partnership_name = serializers.CharField(source="partnership.name", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    tlp_label = serializers.CharField(source="get_tlp_display", read_only=True)
    file_kind = serializers.CharField(read_only=True, help_text="pdf, jpeg or png")

    class Meta:
        model = PartnershipDocument
        fields = [
            "id",
            "partnership",
            "partnership_name",
            "organisation",
            "title",
            "description",
            "tlp",
            "tlp_label",
            "file_kind",
            "size",
            "created_at",
        ]


class PartnershipDocumentWriteSerializer(serializers.Serializer):
    partnership = UploadPartnershipField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    tlp = serializers.ChoiceField(
        choices=[c for c in TLP.choices if c[0] != TLP.RED], default=TLP.AMBER
    )
    file = serializers.FileField()


_DOCUMENT = {
    "id": "3b8f3c52-0c43-4a55-9f7e-0f2b4f8d1a77",
    "partnership": "5c2d0c5e-8d1f-4d0b-8e0b-1f2a3b4c5d6e",
    "partnership_name": "Johan Cruijff ArenA",
    "organisation": "Johan Cruijff ArenA",
    "title": "Plattegrond nooduitgangen",
    "description": "",
    "tlp": "amber",
    "tlp_label": "TLP:AMBER",
    "file_kind": "pdf",
    "size": 48211,
    "created_at": "2026-11-02T10:00:00+01:00",
}


class PartnershipDocumentFilter(django_filters.FilterSet):
    partnership = django_filters.UUIDFilter(field_name="partnership__public_id")
    tlp = django_filters.ChoiceFilter(choices=TLP.choices)

    class Meta:
        model = PartnershipDocument
        fields = ["partnership", "tlp"]


@extend_schema_view(
    list=extend_schema(
        summary="List your partnerships' documents",
        description="By TLP level: CLEAR and GREEN every party; AMBER the owner and the parties "
        "that signed a covenant in force with it allowing AMBER; AMBER+STRICT the owner only.",
        responses={200: PartnershipDocumentSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a partnership document",
        responses={200: PartnershipDocumentSerializer, **errors(401, 404)},
        examples=[OpenApiExample("A document", value=_DOCUMENT, response_only=True)],
    ),
    create=extend_schema(
        summary="Add a document to a partnership",
        description="multipart/form-data; a PDF, JPEG or PNG, checked by content and size. "
        "Your organisation owns it.",
        request={"multipart/form-data": PartnershipDocumentWriteSerializer},
        responses={201: PartnershipDocumentSerializer, **errors(400, 401, 403)},
        examples=[OpenApiExample("Added", value=_DOCUMENT, response_only=True)],
    ),
)
@extend_schema(tags=["library"])
class PartnershipDocumentViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = PartnershipDocumentFilter
    search_fields = ["title", "description"]
    ordering_fields = ["created_at", "title"]
    ordering = ["-created_at"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PartnershipDocument.objects.none()
        return library.partnership_documents_visible_to(self.actor)

    def get_serializer_class(self):
        if self.action == "create":
            return PartnershipDocumentWriteSerializer
        return PartnershipDocumentSerializer

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        shown = list(page.object_list) if page is not None else []
        read_many(self.actor, shown, request=request)
        return response

    def retrieve(self, request, *args, **kwargs):
        document = self.get_object()
        read_many(self.actor, [document], request=request)
        return Response(PartnershipDocumentSerializer(document).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = services_library.partnership_document_upload(
            partnership=data["partnership"],
            by=request.user,
            title=data["title"],
            description=data["description"],
            tlp=data["tlp"],
            upload=data["file"],
        )
        return Response(
            PartnershipDocumentSerializer(self.reread(document)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary="Download a partnership document", **_DOWNLOAD)
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        document = self.get_object()
        read_many(self.actor, [document], request=request)
        return private_file_response(
            document.file, kind=document.file_kind, name=f"document-{document.public_id}"
        )
