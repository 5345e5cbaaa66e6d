"""DRF integration of the sharing engine: a filter backend and a permission class.

- ``VisibleObjectsFilter`` narrows any queryset of a shareable model to what the caller may see
  (so an invisible object is simply not found: 404, like a missing one).
- ``ShareablePermission`` answers the model-level check from the caller's role (read for every
  member, write for roles with the WRITE capability) and the object-level check for writes from
  ownership (the owning organisation's writers and NCTV staff): visible but not changeable is 403.
- ``AuditSensitiveReadsMixin`` writes ``sensitive.viewed`` for details and list pages at AMBER+.
- ``SharedUnderField`` shows, on an object the caller received by a grant, the covenant and its
  purpose (``read_many`` found them while recording the read).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response

from partnerships.roles import Capability
from partnerships.selectors import actor_for
from partnerships.sharing.reads import read_many
from partnerships.sharing.registry import spec_for
from partnerships.sharing.selectors import visible_to
from partnerships.sharing.services import may_share


class VisibleObjectsFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        return visible_to(actor_for(request.user), queryset)


class ShareablePermission(permissions.BasePermission):
    """Read: any signed-in member (visibility is the filter's job). Write: the role must allow
    writing, and for an existing object the caller's organisation must own it (or be NCTV)."""

    def has_permission(self, request, view):
        actor = actor_for(request.user)
        if not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return actor.is_nctv_staff or actor.can(Capability.READ)
        return actor.is_nctv_staff or actor.can(Capability.WRITE)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        # The owner's writers and NCTV staff: the sharing service's rule, asked, not restated.
        return may_share(actor_for(request.user), spec_for(obj), obj)


class AuditSensitiveReadsMixin:
    """For viewsets over a shareable model: audit what ``retrieve`` and ``list`` return."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        # recorded before it is shown, so the body carries ``shared_under``
        read_many(
            actor=actor_for(request.user),
            objects=[instance],
            request=request,
            purpose="api detail",
        )
        return Response(self.get_serializer(instance).data)

    def get_object_for_audit(self):
        return self._audited_object

    def get_object(self):
        obj = super().get_object()
        self._audited_object = obj
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        read_many(
            actor=actor_for(self.request.user),
            objects=rows,
            request=self.request,
            purpose="api list",
        )
        return page


class SharedCovenantRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)


class SharedUnderSerializer(serializers.Serializer):
    covenant = SharedCovenantRefSerializer(read_only=True)
    purpose = serializers.CharField(read_only=True)


@extend_schema_field(SharedUnderSerializer(allow_null=True))
class SharedUnderField(serializers.Field):
    """``{"covenant": {"id", "title"}, "purpose"}`` when the caller sees the object only because
    it was shared with them; ``null`` for their own, open or NCTV-read objects."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Shared with you: the covenant it was shared under and that covenant's purpose "
                "(null for your own objects)."
            ),
        )
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        under = getattr(obj, "shared_under", None)
        return under.as_dict() if under is not None else None
