"""What the alerts API adds to the shared building blocks (``ppsportal.api.common``): the
409 answer for lifecycle conflicts, and plain responses for documents that are not JSON."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.negotiation import BaseContentNegotiation

from alerts.policy import CONFLICT_CODES
from ppsportal.api.common import ErrorSerializer

# The services' codes for "not in this state" (an action that conflicts with where the alert is
# in its life, not a mistake in the input) come from ``alerts.policy.REFUSALS``, so a new state
# refusal cannot silently become a 400.


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This is not possible in the alert's current state.")
    default_code = "conflict"


def as_conflict(exc):
    """A service's refusal for the alert's state becomes a 409 with the service's message;
    anything else is left to the project's exception handler."""
    if (
        isinstance(exc, DjangoValidationError)
        and not hasattr(exc, "error_dict")
        and getattr(exc, "code", None) in CONFLICT_CODES
    ):
        return Conflict(exc.messages[0], code=exc.code)
    return exc


class ConflictMixin:
    """For viewsets that call lifecycle services: their state refusals answer 409."""

    def handle_exception(self, exc):
        return super().handle_exception(as_conflict(exc))


class FirstRendererNegotiation(BaseContentNegotiation):
    """For endpoints that answer a document of their own (CAP, Atom): whatever the client
    accepts, errors are JSON and the document is returned as it is."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


CONFLICT_RESPONSE = OpenApiResponse(
    ErrorSerializer,
    description="Not possible in the alert's current state (already published, not approved, "
    "your own draft, ended …). The message says why, in the request language.",
    examples=[
        OpenApiExample("Already approved", value={"detail": "Only a draft can be approved."})
    ],
)


def document(media_type: str, description: str, example: str) -> dict:
    """The 200 response of an endpoint answering a document of ``media_type``."""
    return {
        (200, media_type): OpenApiResponse(
            OpenApiTypes.STR,
            description=description,
            examples=[OpenApiExample("Document", value=example, media_type=media_type)],
        )
    }
