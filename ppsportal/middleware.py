"""Middleware of the portal: response headers that follow from what a response carries, and
query strings no view should see.

``SensitiveResponseMiddleware``: a response that carried an object at TLP:AMBER or above is
never stored by any cache, the browser's included (``Cache-Control: no-store``), whatever the
view said. The faces do not decide this: every such read is audited (``sensitive.viewed``), and
the one writer of the audit log marks the request (``ppsportal.sensitivity``); this middleware
turns the mark into the header on every face (dashboard, admin, API, CAP and Atom feeds, file
downloads).

Every other response to a signed-in user (by session or token) is ``private, no-store`` too
unless the view chose its own caching: partners' pages carry their own organisation's
information, and a page that shows AMBER+ content without auditing it (a gap to close, not a
licence to cache) stays out of caches all the same. Static files are served before this
middleware and stay cacheable.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext

from ppsportal.sensitivity import response_is_sensitive


class SensitiveResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response_is_sensitive(request):
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private
        elif _signed_in(request) and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request) -> bool:
    # DRF sets ``request.user`` on the Django request when a token authenticated the call.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class NullCharacterMiddleware:
    """A query string with a NUL character is refused (400) before any view runs: no form,
    filter or search can pass it to PostgreSQL, which cannot store or compare it (and would
    answer with a server error). Bodies are checked by the forms and serializers themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in value for key, value in _pairs(request.GET)):
            message = gettext("Null characters are not allowed.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _pairs(query):
    for key, values in query.lists():
        for value in values:
            yield key, value


class AdminInlineStylesMiddleware:
    """The one exception to "no inline style": the Django admin's own scripts (calendar, inlines,
    select boxes, autocomplete) write inline styles, which ``style-src 'self'`` refuses and which
    break their widgets. Under the admin's path, and there only, inline styles are allowed
    (``style-src 'unsafe-inline'``); scripts stay as strict as on the dashboard (no inline
    script, no eval). Sits inside ``CSPMiddleware``, which reads the mark."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        from django.urls import reverse

        if request.path.startswith(reverse("admin:index")):
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response
