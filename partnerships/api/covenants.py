"""``/api/v1/covenants/``: read for members; create, change and upload the signed document for
the partnership's coordinators and NCTV staff."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from partnerships.api.examples import COVENANT, COVENANT_CREATE, COVENANT_UPDATE
from partnerships.drf import (
    OrganisationField,
    OrganisationRefSerializer,
    PartnershipRefSerializer,
    VisiblePartnershipField,
)
from partnerships.models import Covenant, CovenantSignatory, CovenantTask
from partnerships.policy import can_manage, require
from partnerships.selectors import covenants_visible_to, covenants_with_status
from partnerships.services.covenants import covenant_upload_document
from partnerships.services.signing import (
    covenant_amend,
    covenant_change,
    covenant_draft,
    covenant_end,
    covenant_sign,
)
from ppsportal.api.common import PortalViewSetMixin, errors

# --- Reading ------------------------------------------------------------------------------------


class CovenantSignatorySerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    signed_by = serializers.SerializerMethodField()

    class Meta:
        model = CovenantSignatory
        fields = ["organisation", "signed_on", "signed_at", "signed_by", "withdrawn_on"]
        read_only_fields = fields

    def get_signed_by(self, signatory) -> str | None:
        return signatory.signed_by.get_username() if signatory.signed_by_id else None


class CovenantTaskSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = CovenantTask
        fields = ["organisation", "description"]
        read_only_fields = fields


class CovenantSerializer(serializers.ModelSerializer):
    """A covenant with its signatories (and their signing dates) and the tasks per party."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    partnership = PartnershipRefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.ChoiceField(
        source="derived_status",
        choices=Covenant.Status.choices,
        read_only=True,
        help_text=gettext_lazy("Derived from the dates and the signatures, never typed in."),
    )
    status_label = serializers.SerializerMethodField()
    information_clause_label = serializers.CharField(
        source="get_information_clause_display", read_only=True
    )
    signatories = CovenantSignatorySerializer(many=True, read_only=True)
    tasks = CovenantTaskSerializer(many=True, read_only=True)
    has_document = serializers.SerializerMethodField()
    supersedes = serializers.UUIDField(
        source="supersedes.public_id",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The earlier version whose terms this one changes."),
    )

    class Meta:
        model = Covenant
        fields = [
            "id",
            "partnership",
            "kind",
            "kind_label",
            "title",
            "status",
            "status_label",
            "effective_from",
            "effective_until",
            "terminated_on",
            "information_clause",
            "information_clause_label",
            "purpose",
            "retention_days",
            "signatories",
            "tasks",
            "has_document",
            "document_uploaded_at",
            "created_at",
            "version",
            "supersedes",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        instance.derived_status = instance.status_on(
            self.context["today"], list(instance.signatories.all())
        )
        return super().to_representation(instance)

    def get_status_label(self, covenant) -> str:
        return str(Covenant.Status(covenant.derived_status).label)

    def get_has_document(self, covenant) -> bool:
        return bool(covenant.document)


# --- Writing ------------------------------------------------------------------------------------


class SignatoryWriteSerializer(serializers.Serializer):
    organisation = OrganisationField()
    signed_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "Not accepted: each party signs for itself with POST /covenants/{id}/sign/."
        ),
    )

    def validate_signed_on(self, value):
        if value is not None:
            raise serializers.ValidationError(
                _(
                    "Each party signs for itself: a member of that organisation with a "
                    "signing role signs the draft with POST /covenants/{id}/sign/."
                )
            )
        return value


class TaskWriteSerializer(serializers.Serializer):
    organisation = OrganisationField()
    description = serializers.CharField(max_length=300)


class CovenantUpdateSerializer(serializers.ModelSerializer):
    tasks = TaskWriteSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("Tasks and responsibilities per party; replaces the current list."),
    )

    class Meta:
        model = Covenant
        fields = [
            "kind",
            "title",
            "effective_from",
            "effective_until",
            "information_clause",
            "purpose",
            "retention_days",
            "tasks",
        ]


class CovenantCreateSerializer(CovenantUpdateSerializer):
    partnership = VisiblePartnershipField()
    signatories = SignatoryWriteSerializer(
        many=True,
        required=False,
        help_text=gettext_lazy("Member organisations that sign, each with its signing date."),
    )

    class Meta(CovenantUpdateSerializer.Meta):
        fields = ["partnership", *CovenantUpdateSerializer.Meta.fields, "signatories"]


class CovenantAmendSerializer(serializers.ModelSerializer):
    signatories = serializers.ListField(
        child=OrganisationField(),
        required=False,
        help_text=gettext_lazy("The parties of the new version; by default the current ones."),
    )

    class Meta:
        model = Covenant
        fields = [
            "title",
            "kind",
            "effective_from",
            "effective_until",
            "information_clause",
            "purpose",
            "retention_days",
            "signatories",
        ]
        extra_kwargs = {f: {"required": False} for f in fields}


class SignSerializer(serializers.Serializer):
    document = serializers.FileField(
        required=False,
        help_text=gettext_lazy("Optionally, the document as signed (PDF)."),
    )


class DocumentUploadSerializer(serializers.Serializer):
    document = serializers.FileField(
        help_text=gettext_lazy("The signed document as PDF; the type is checked from the content.")
    )


def _pairs(rows, second: str) -> list[tuple]:
    return [(row["organisation"], row.get(second)) for row in rows]


# --- Filters and views --------------------------------------------------------------------------


class CovenantFilter(django_filters.FilterSet):
    partnership = django_filters.UUIDFilter(
        field_name="partnership__public_id", label=gettext_lazy("Partnership id")
    )
    kind = django_filters.ChoiceFilter(choices=Covenant.Kind.choices)
    status = django_filters.ChoiceFilter(
        choices=Covenant.Status.choices,
        method="filter_status",
        label=gettext_lazy("Status today, derived from the dates and signatures"),
    )

    class Meta:
        model = Covenant
        fields = ["partnership", "kind", "status"]

    def filter_status(self, queryset, name, value):
        return covenants_with_status(queryset, value)


@extend_schema_view(
    list=extend_schema(
        summary="List covenants and protocols",
        description="Of the partnerships you may see. `status` is derived from dates and "
        "signatures: `active` means in force today.",
        responses={200: CovenantSerializer, **errors(400, 401)},
        examples=[OpenApiExample("A covenant", value=COVENANT, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a covenant",
        responses={200: CovenantSerializer, **errors(401, 404)},
        examples=[OpenApiExample("A covenant", value=COVENANT, response_only=True)],
    ),
    create=extend_schema(
        summary="Create a covenant (coordinators and NCTV staff)",
        description="Signatories and task owners must be current members of the partnership.",
        request=CovenantCreateSerializer,
        responses={201: CovenantSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample("New covenant", value=COVENANT_CREATE, request_only=True),
            OpenApiExample("Created", value=COVENANT, response_only=True),
            OpenApiExample(
                "Ends before it starts",
                value={"effective_until": ["'Effective until' cannot be before 'effective from'."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
    update=extend_schema(
        summary="Replace a covenant's terms (coordinators and NCTV staff)",
        request=CovenantUpdateSerializer,
        responses={200: CovenantSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Terms", value=COVENANT_UPDATE, request_only=True),
            OpenApiExample("Changed", value=COVENANT, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a covenant (coordinators and NCTV staff)",
        request=CovenantUpdateSerializer,
        responses={200: CovenantSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Extend it", value={"effective_until": "2028-12-31"}, request_only=True),
            OpenApiExample("Changed", value=COVENANT, response_only=True),
        ],
    ),
)
@extend_schema(tags=["covenants"])
class CovenantViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = CovenantFilter
    search_fields = ["title", "purpose", "partnership__name"]
    ordering_fields = ["title", "effective_from", "effective_until", "created_at"]
    ordering = ["partnership__name", "-effective_from", "title"]
    ordering_default_description = "by partnership, then the newest first"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Covenant.objects.none()
        return (
            covenants_visible_to(self.actor)
            .select_related("partnership", "supersedes")
            .prefetch_related(
                Prefetch(
                    "signatories",
                    queryset=CovenantSignatory.objects.select_related("organisation", "signed_by"),
                ),
                Prefetch("tasks", queryset=CovenantTask.objects.select_related("organisation")),
            )
        )

    def get_serializer_class(self):
        if self.action == "create":
            return CovenantCreateSerializer
        if self.action in {"update", "partial_update"}:
            return CovenantUpdateSerializer
        if self.action == "document":
            return DocumentUploadSerializer
        return CovenantSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        partnership = data.pop("partnership")
        require(can_manage(self.actor, partnership), _not_a_coordinator())
        covenant = covenant_draft(
            by=request.user,
            partnership=partnership,
            signatories=[row["organisation"] for row in data.pop("signatories", [])],
            tasks=_pairs(data.pop("tasks", []), "description"),
            **data,
        )
        return Response(self._read(covenant), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        covenant = self.get_object()
        require(can_manage(self.actor, covenant.partnership), _not_a_coordinator())
        serializer = self.get_serializer(
            covenant, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tasks = data.pop("tasks", None)
        covenant_change(
            covenant=covenant,
            by=request.user,
            tasks=_pairs(tasks, "description") if tasks is not None else None,
            **data,
        )
        return Response(self._read(covenant))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="Upload the signed document (coordinators and NCTV staff)",
        description="Multipart upload of one PDF, checked by its content and size; it replaces "
        "the previous document.",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={200: CovenantSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Document stored", value=COVENANT, response_only=True),
            OpenApiExample(
                "Not a PDF",
                value={
                    "document": [
                        "The document is not a PDF file. Upload the signed document as PDF."
                    ]
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def document(self, request, *args, **kwargs):
        covenant = self.get_object()
        require(can_manage(self.actor, covenant.partnership), _not_a_coordinator())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        covenant_upload_document(
            covenant=covenant, upload=serializer.validated_data["document"], by=request.user
        )
        return Response(self._read(covenant))

    @extend_schema(
        summary="Sign for your own organisation",
        description="A member of a party's organisation with a signing role signs the current "
        "version, today. Nobody signs for another organisation. When the last party has signed "
        "a new version, it replaces the version it supersedes.",
        request={"multipart/form-data": SignSerializer, "application/json": SignSerializer},
        responses={200: CovenantSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def sign(self, request, *args, **kwargs):
        covenant = self.get_object()
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        covenant_sign(
            covenant=covenant, by=request.user, document=serializer.validated_data.get("document")
        )
        return Response(self._read(covenant))

    @extend_schema(
        summary="Propose a new version (coordinators and NCTV staff)",
        description="Changed terms (dates, information clause, purpose, retention, parties) "
        "make a new version as an unsigned draft that every party signs again; until then the "
        "signed terms stand. Extending a covenant is such a change.",
        request=CovenantAmendSerializer,
        responses={201: CovenantSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def versions(self, request, *args, **kwargs):
        covenant = self.get_object()
        serializer = CovenantAmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        successor = covenant_amend(
            covenant=covenant, by=request.user, **dict(serializer.validated_data)
        )
        return Response(self._read(successor), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Terminate (any party, or NCTV staff)",
        description="Takes effect at once: what was shared under it is no longer visible.",
        request=None,
        responses={200: CovenantSerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request, *args, **kwargs):
        covenant = self.get_object()
        covenant_end(covenant=covenant, by=request.user)
        return Response(self._read(covenant))

    def _read(self, covenant) -> dict:
        return CovenantSerializer(self.reread(covenant), context=self.get_serializer_context()).data


def _not_a_coordinator() -> str:
    return _("Only the partnership's coordinators and NCTV staff can do this.")
