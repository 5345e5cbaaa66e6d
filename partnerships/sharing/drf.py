"""DRF integration of the sharing engine: a filter backend and a permission class.

- ``VisibleObjectsFilter`` narrows any queryset of a shareable model to what the caller may see
  (so an invisible object is simply not found: 404, like a missing one).
- ``ShareablePermission`` answers the model-level check from the caller's role (read for every
  member, write for roles with the WRITE capability) and the object-level check for writes from
  ownership (the owning organisation's writers and NCTV staff): visible but not changeable is 403.
- ``AuditSensitiveReadsMixin`` writes ``sensitive.viewed`` for details and list pages at AMBER+.
"""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.filters import BaseFilterBackend

from partnerships.roles import Capability
from partnerships.selectors import actor_for
from partnerships.sharing.reads import read_many
from partnerships.sharing.registry import spec_for
from partnerships.sharing.selectors import visible_to


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
        actor = actor_for(request.user)
        if actor.is_nctv_staff:
            return True
        spec = spec_for(obj)
        owner_id = getattr(obj, f"{spec.owner_field}_id")
        return actor.organisation is not None and actor.organisation.pk == owner_id


class AuditSensitiveReadsMixin:
    """For viewsets over a shareable model: audit what ``retrieve`` and ``list`` return."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        read_many(
            actor=actor_for(request.user),
            objects=[self.get_object_for_audit()],
            request=request,
            purpose="api detail",
        )
        return response

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
