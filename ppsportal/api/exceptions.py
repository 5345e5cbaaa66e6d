"""One error shape for the API: Django validation errors from services become 400s, and
Django's own 404 and 500 answer as JSON below ``/api/``."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def _as_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({"detail": [str(m) for m in exc.messages]})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _as_drf(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


# --- Django's own error pages, as JSON below /api/ ------------------------------------------------
# A path the URL patterns do not match (an id with a character no route accepts) or an error
# raised outside a DRF view answers in the API's shape there; elsewhere Django's pages stay.


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"detail": gettext("A server error occurred; it has been logged.")}, status=500
        )
    return django_server_error(request)
