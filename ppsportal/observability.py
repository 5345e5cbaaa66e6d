"""Request observation: every request is counted and timed for /metrics (ppsportal.metrics).

The first middleware, so it sees every answer, including the ones other middleware give.
"""

from __future__ import annotations

import time

from ppsportal.metrics import observe_request


class RequestObservationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        observe_request(
            method=request.method if request.method in _METHODS else "other",
            view=match.view_name if match else "unmatched",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


# Bounded label values: a client choosing arbitrary methods must not grow the metrics.
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
