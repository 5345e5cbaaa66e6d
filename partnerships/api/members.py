"""``/api/v1/members/`` and ``/api/v1/member-invitations/``: an organisation's administrator
manages its own people. Another organisation's member is not found (404), exactly like a missing
one; a member who does not administer the organisation is refused (403)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnerships.drf import OrganisationRefSerializer
from partnerships.models import MemberInvitation, Membership, Role
from partnerships.selectors import actor_for
from partnerships.services import members as service
from ppsportal.api.common import PortalViewSetMixin, errors

MEMBER = {
    "id": "0b6c1d1e-3c55-4a8e-a2f5-1f0e5c1d2a77",
    "username": "j.jansen",
    "full_name": "Jan Jansen",
    "email": "j.jansen@arena.example",
    "role": "viewer",
    "role_label": "Viewer (read only)",
    "is_active": True,
    "organisation": {"id": "7d7f0b55-1c1e-4f57-9a43-0d1a9d0d6a10", "name": "Johan Cruijff ArenA"},
}
INVITATION = {
    "id": "4c0a8f2e-7b1d-4f1a-9d3e-6a2b1c0d9e88",
    "email": "nieuw@arena.example",
    "role": "member",
    "expires_at": "2026-06-08T10:00:00+02:00",
    "accepted_at": None,
}


class ManagesOwnMembers(permissions.BasePermission):
    """The caller administers an organisation (the queryset narrows it to their own)."""

    message = gettext_lazy("Only your organisation's administrators manage its members.")

    def has_permission(self, request, view):
        actor = actor_for(request.user)
        return service.may_manage_members(actor, actor.organisation)


class MemberSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "role",
            "role_label",
            "is_active",
            "organisation",
        ]
        read_only_fields = fields


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = MemberInvitation
        fields = ["id", "email", "role", "expires_at", "accepted_at"]
        read_only_fields = ["id", "expires_at", "accepted_at"]


@extend_schema_view(
    list=extend_schema(
        summary="List your organisation's members (administrators)",
        responses={200: MemberSerializer, **errors(401, 403)},
        examples=[OpenApiExample("A member", value=MEMBER, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Get a member of your organisation (administrators)",
        description="Another organisation's member answers 404, like a missing one.",
        responses={200: MemberSerializer, **errors(401, 403, 404)},
        examples=[OpenApiExample("A member", value=MEMBER, response_only=True)],
    ),
    partial_update=extend_schema(
        summary="Change a member's role (administrators)",
        description="One of the organisation roles; never staff status. Not your own role.",
        request=RoleSerializer,
        responses={200: MemberSerializer, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Make a viewer", value={"role": "viewer"}, request_only=True),
            OpenApiExample("Changed", value=MEMBER, response_only=True),
        ],
    ),
)
@extend_schema(tags=["members"])
class MemberViewSet(
    PortalViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated, ManagesOwnMembers]
    serializer_class = MemberSerializer
    http_method_names = ["get", "patch", "post", "head", "options"]
    search_fields = ["user__username", "user__email"]
    ordering_fields = ["user__username", "role"]
    ordering = ["user__username"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return service.members_managed_by(self.actor)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service.member_change_role(
            by=request.user,
            membership=membership,
            role=serializer.validated_data["role"],
            request=request,
        )
        return Response(MemberSerializer(self.reread(membership)).data)

    @extend_schema(
        summary="Deactivate a member (administrators)",
        description="The member can no longer sign in; their sessions and API tokens end at "
        "once. Deactivating twice changes nothing. Not yourself.",
        request=None,
        responses={200: MemberSerializer, **errors(400, 401, 403, 404)},
        examples=[OpenApiExample("Deactivated", value=MEMBER, response_only=True)],
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, *args, **kwargs):
        membership = self.get_object()
        service.member_deactivate(by=request.user, membership=membership, request=request)
        return Response(MemberSerializer(self.reread(membership)).data)


@extend_schema_view(
    list=extend_schema(
        summary="List your organisation's invitations (administrators)",
        responses={200: InvitationSerializer, **errors(401, 403)},
        examples=[OpenApiExample("An invitation", value=INVITATION, response_only=True)],
    ),
    create=extend_schema(
        summary="Invite someone into your organisation (administrators)",
        description="Sends a link by e-mail that works once and expires after seven days. "
        "The role is one of the organisation roles; never staff status.",
        request=InvitationSerializer,
        responses={201: InvitationSerializer, **errors(400, 401, 403)},
        examples=[
            OpenApiExample(
                "Invite",
                value={"email": "nieuw@arena.example", "role": "member"},
                request_only=True,
            ),
            OpenApiExample("Invited", value=INVITATION, response_only=True),
        ],
    ),
)
@extend_schema(tags=["members"])
class MemberInvitationViewSet(
    PortalViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.IsAuthenticated, ManagesOwnMembers]
    serializer_class = InvitationSerializer
    ordering = ["-created_at"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MemberInvitation.objects.none()
        return service.invitations_of(self.actor)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, _link = service.member_invite(
            by=request.user, request=request, **serializer.validated_data
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)
