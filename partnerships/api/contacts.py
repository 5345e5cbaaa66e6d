"""``/api/v1/contacts/`` (the contact log) and ``/api/v1/actions/`` (follow-up actions): read for
members; write for members whose role allows writing, and NCTV staff."""

from __future__ import annotations

import django_filters
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from partnerships.api.examples import ACTION, CONTACT, CONTACT_CREATE
from partnerships.drf import (
    OrganisationField,
    OrganisationRefSerializer,
    PartnershipRefSerializer,
    VisiblePartnershipField,
)
from partnerships.models import Action, ContactEntry
from partnerships.policy import can_write_contacts, require
from partnerships.selectors import actions_visible_to, contacts_visible_to
from partnerships.services.contacts import action_set_done, contact_create
from partnerships.sharing.drf import AuditSensitiveReadsMixin, SharedUnderField
from ppsportal.api.common import PortalViewSetMixin, UserRefSerializer, errors

# --- Reading ------------------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    partnership = PartnershipRefSerializer(read_only=True)
    contact = serializers.SlugRelatedField(
        slug_field="public_id",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The id of the contact-log entry that agreed the action."),
    )
    owner = OrganisationRefSerializer(read_only=True)
    done = serializers.BooleanField(source="is_done", read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "partnership",
            "contact",
            "description",
            "owner",
            "due_on",
            "done",
            "done_on",
            "created_at",
        ]
        read_only_fields = fields


class ContactActionSerializer(ActionSerializer):
    """An action inside its contact-log entry: partnership and contact are the entry's own."""

    class Meta(ActionSerializer.Meta):
        fields = ["id", "description", "owner", "due_on", "done", "done_on"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    partnership = PartnershipRefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    participants = OrganisationRefSerializer(many=True, read_only=True)
    tlp_label = serializers.CharField(source="get_tlp_display", read_only=True)
    owner_organisation = OrganisationRefSerializer(read_only=True)
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    actions = ContactActionSerializer(many=True, read_only=True)
    shared_under = SharedUnderField()

    class Meta:
        model = ContactEntry
        fields = [
            "id",
            "partnership",
            "occurred_on",
            "kind",
            "kind_label",
            "participants",
            "summary",
            "tlp",
            "tlp_label",
            "owner_organisation",
            "created_by",
            "created_at",
            "actions",
            "shared_under",
        ]
        read_only_fields = fields


# --- Writing ------------------------------------------------------------------------------------


class ActionWriteSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    owner = OrganisationField(help_text=gettext_lazy("The member organisation that owns it."))
    due_on = serializers.DateField()


class ContactCreateSerializer(serializers.ModelSerializer):
    partnership = VisiblePartnershipField()
    participants = OrganisationField(many=True, allow_empty=False)
    actions = ActionWriteSerializer(
        many=True, required=False, help_text=gettext_lazy("Follow-up actions agreed in it.")
    )

    class Meta:
        model = ContactEntry
        fields = ["partnership", "occurred_on", "kind", "participants", "summary", "tlp", "actions"]


class ActionDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text=gettext_lazy("Done (true) or open again (false)."))


# --- Filters and views --------------------------------------------------------------------------


class ContactFilter(django_filters.FilterSet):
    partnership = django_filters.UUIDFilter(
        field_name="partnership__public_id", label=gettext_lazy("Partnership id")
    )
    kind = django_filters.ChoiceFilter(choices=ContactEntry.Kind.choices)
    occurred_after = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", label=gettext_lazy("On or after this date")
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", label=gettext_lazy("On or before this date")
    )

    class Meta:
        model = ContactEntry
        fields = ["partnership", "kind", "occurred_after", "occurred_before"]


class ActionFilter(django_filters.FilterSet):
    partnership = django_filters.UUIDFilter(
        field_name="partnership__public_id", label=gettext_lazy("Partnership id")
    )
    owner = django_filters.UUIDFilter(
        field_name="owner__public_id", label=gettext_lazy("Owner organisation id")
    )
    done = django_filters.BooleanFilter(
        field_name="done_on", lookup_expr="isnull", exclude=True, label=gettext_lazy("Done")
    )

    class Meta:
        model = Action
        fields = ["partnership", "owner", "done"]


@extend_schema_view(
    list=extend_schema(
        summary="List contact-log entries",
        description="Meetings, calls, exercises and debriefs of the partnerships you may see, "
        "newest first, with their follow-up actions.",
        responses={200: ContactSerializer, **errors(400, 401)},
        examples=[OpenApiExample("A meeting", value=CONTACT, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a contact-log entry",
        responses={200: ContactSerializer, **errors(401, 404)},
        examples=[OpenApiExample("A meeting", value=CONTACT, response_only=True)],
    ),
    create=extend_schema(
        summary="Log a contact, with its follow-up actions",
        description="For members whose role allows writing, and NCTV staff. Participants and "
        "action owners must be current members of the partnership; the date cannot be in the "
        "future. Nothing is saved unless everything is valid.",
        request=ContactCreateSerializer,
        responses={201: ContactSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample("A meeting with an action", value=CONTACT_CREATE, request_only=True),
            OpenApiExample("Logged", value=CONTACT, response_only=True),
            OpenApiExample(
                "In the future",
                value={"occurred_on": ["A contact cannot take place in the future."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
)
@extend_schema(tags=["contacts"])
class ContactViewSet(
    AuditSensitiveReadsMixin,
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = ContactFilter
    search_fields = ["summary", "partnership__name"]
    ordering_fields = ["occurred_on", "created_at"]
    ordering = ["-occurred_on"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ContactEntry.objects.none()
        return (
            contacts_visible_to(self.actor)
            .select_related("partnership", "owner_organisation", "created_by")
            .prefetch_related(
                "participants",
                Prefetch("actions", queryset=Action.objects.select_related("owner")),
            )
        )

    def get_serializer_class(self):
        return ContactCreateSerializer if self.action == "create" else ContactSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        partnership = data.pop("partnership")
        require(
            can_write_contacts(self.actor, partnership),
            _("Your role does not allow adding to the contact log."),
        )
        entry = contact_create(
            partnership=partnership,
            by=request.user,
            actions=[dict(a) for a in data.pop("actions", [])],
            **data,
        )
        data = ContactSerializer(self.reread(entry), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List follow-up actions",
        description="Of the partnerships you may see: open ones first, by due date.",
        responses={200: ActionSerializer, **errors(400, 401)},
        examples=[OpenApiExample("An open action", value=ACTION, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a follow-up action",
        responses={200: ActionSerializer, **errors(401, 404)},
        examples=[OpenApiExample("An open action", value=ACTION, response_only=True)],
    ),
    partial_update=extend_schema(
        summary="Mark an action done or open",
        description="For members whose role allows writing, and NCTV staff.",
        request=ActionDoneSerializer,
        responses={200: ActionSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Done", value={"done": True}, request_only=True),
            OpenApiExample(
                "Marked done",
                value={**ACTION, "done": True, "done_on": "2026-03-20"},
                response_only=True,
            ),
        ],
    ),
)
@extend_schema(tags=["actions"])
class ActionViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = ActionFilter
    search_fields = ["description", "partnership__name"]
    ordering_fields = ["due_on", "done_on", "created_at"]
    ordering = None  # by default open actions first, then by due date: see get_queryset
    ordering_default_description = "open actions first, then by due date"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        return (
            actions_visible_to(self.actor)
            .select_related("partnership", "owner", "contact")
            .order_by(F("done_on").asc(nulls_first=True), "due_on", "pk")
        )

    def get_serializer_class(self):
        return ActionDoneSerializer if self.action == "partial_update" else ActionSerializer

    def partial_update(self, request, *args, **kwargs):
        action = self.get_object()
        require(
            can_write_contacts(self.actor, action.partnership),
            _("Your role does not allow changing actions."),
        )
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "done" in serializer.validated_data:
            action_set_done(action=action, done=serializer.validated_data["done"])
        data = ActionSerializer(self.reread(action), context=self.get_serializer_context()).data
        return Response(data)
