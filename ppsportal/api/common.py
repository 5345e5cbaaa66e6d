"""Building blocks every app's API shares: relation fields by UUID, user references, errors,
ordering, the viewset mixin (actor, not-found).

The core names no app: the actor comes from ``ppsportal.actors`` (provided by ``partnerships``),
and references to an app's own objects (organisations, partnerships, sectors, soft targets) are
that app's ``drf`` module. Nothing here decides visibility or permission; it wires them into DRF.
"""

from __future__ import annotations

import uuid
from functools import cached_property

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter, SearchFilter

from ppsportal.actors import actor_for


class UserRefSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)


# An object named by reference: ``{"id": its public id, <label>}``, every field read only. A
# subclass names the model and the fields in ``Meta`` (``fields = ["id", "name"]``). A comment,
# not a docstring: the schema would give the docstring to every subclass as its description.
class PublicRefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    def get_extra_kwargs(self):
        # A reference is shown, never written through it.
        extra = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra[name] = {**extra.get(name, {}), "read_only": True}
        return extra


class PublicIdField(serializers.SlugRelatedField):
    """A relation written as the related object's UUID ``id``."""

    default_error_messages = {
        "does_not_exist": _("There is nothing with id {value}."),
        "invalid": _("Not a valid id: give the object's UUID."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="public_id", **kwargs)

    def to_internal_value(self, data):
        try:
            uuid.UUID(str(data))
        except ValueError:
            self.fail("invalid")
        return super().to_internal_value(data)


class UsernameField(serializers.SlugRelatedField):
    default_error_messages = {"does_not_exist": _("There is no user named {value}.")}

    def __init__(self, **kwargs):
        super().__init__(
            slug_field="username",
            queryset=get_user_model().objects.filter(is_active=True),
            **kwargs,
        )


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` with the primary key as the last tie-breaker, so pages never shuffle.

    Terms a view lists in ``computed_ordering_fields`` are not database columns: they are
    left out of the query and the view sorts by them itself.
    """

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        computed = set(getattr(view, "computed_ordering_fields", ()))
        columns = [term for term in ordering if term.lstrip("-") not in computed]
        return queryset.order_by(*columns, "pk")

    def get_schema_operation_parameters(self, view):
        [parameter] = super().get_schema_operation_parameters(view)
        terms = ", ".join(f"`{f}`" for f in getattr(view, "ordering_fields", None) or [])
        default = getattr(view, "ordering_default_description", None) or "`{}`".format(
            ",".join(getattr(view, "ordering", None) or [])
        )
        parameter["description"] = (
            f"Comma-separated terms, `-` in front for descending: {terms}. Default: {default}."
        )
        return [parameter]


class DescribedSearchFilter(SearchFilter):
    """``?search=``, with the searched fields named in the schema."""

    def get_schema_operation_parameters(self, view):
        [parameter] = super().get_schema_operation_parameters(view)
        fields = ", ".join(f.replace("__", " ") for f in getattr(view, "search_fields", None) or [])
        parameter["description"] = f"Words to find in {fields} (case-insensitive)."
        return [parameter]


class PortalViewSetMixin:
    """The actor and the date of this request, and objects that 404 for whoever may not see them."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends = [DjangoFilterBackend, DescribedSearchFilter, StableOrderingFilter]

    @cached_property
    def actor(self):
        return actor_for(self.request.user)

    @cached_property
    def today(self):
        return timezone.localdate()

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            # One plain answer for missing, malformed and invisible alike (not the model's name).
            raise NotFound() from None

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self.today}

    def reread(self, instance):
        """The object as the list and detail endpoints show it (with its prefetches)."""
        return self.get_queryset().get(pk=instance.pk)


# --- Errors in the schema -----------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


_ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description='Invalid input: `{"field": ["message"]}` per field, in the request language.',
        examples=[
            OpenApiExample(
                "Field errors",
                value={"occurred_on": ["A contact cannot take place in the future."]},
            )
        ],
    ),
    401: OpenApiResponse(
        ErrorSerializer,
        description="Not authenticated: send `Authorization: Token <token>`.",
        examples=[
            OpenApiExample(
                "No token", value={"detail": "Authentication credentials were not provided."}
            )
        ],
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Visible to you, but your role does not allow this.",
        examples=[
            OpenApiExample("Not allowed", value={"detail": "Your role does not allow this."})
        ],
    ),
    404: OpenApiResponse(
        ErrorSerializer,
        description="Not found, or not visible to you: the two are never told apart.",
        examples=[OpenApiExample("Not found", value={"detail": "Not found."})],
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses for an operation, e.g. ``errors(400, 401, 403)``."""
    return {code: _ERRORS[code] for code in codes}
