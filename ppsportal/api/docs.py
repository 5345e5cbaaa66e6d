"""The API's own documentation, for signed-in users only: the OpenAPI schema and Swagger UI.

Swagger UI is served from the portal's static files (drf-spectacular-sidecar) with its start-up
script as a separate request (no inline script) and the page's few style rules in a static file
(no inline style), so the Content-Security-Policy needs no exception for it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated


class SchemaView(SpectacularAPIView):
    """``/api/schema/``: 401 without a session or token."""

    permission_classes = [IsAuthenticated]


@method_decorator(login_required, name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    """``/api/docs/``: to the sign-in page without a session."""

    template_name = "ppsportal/swagger_ui.html"
