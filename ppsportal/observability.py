"""Request observation: a request id for every request, carried into the tasks it enqueues, and
every request counted and timed for /metrics (ppsportal.metrics).

The id comes from the proxy's ``X-Request-ID`` when it is a plain token (letters, digits, ``.-_``,
at most 64), else a new one; it is sent back in ``X-Request-ID``, put on every log line
(ppsportal.logs) and into the headers of each Celery task published while the request runs, so
a worker's lines about a request's deliveries carry the same id (``ppsportal.request_id``, which
the Celery app loads).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from ppsportal.metrics import observe_request
from ppsportal.request_id import request_id_context

logger = logging.getLogger("ppsportal.request")

_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "X-Request-ID"


def _incoming_id(request) -> str:
    given = request.headers.get(HEADER, "")
    return given if _ACCEPTABLE.match(given) else uuid.uuid4().hex


class RequestObservationMiddleware:
    """The first middleware, so it sees every answer, including the ones other middleware give."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        with request_id_context(_incoming_id(request)) as request_id:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match else "unmatched"
            method = request.method if request.method in _METHODS else "other"
            observe_request(method=method, view=view, status=response.status_code, seconds=seconds)
            logger.info(
                "%s %s %s",
                method,
                request.path,
                response.status_code,
                extra={"status": response.status_code, "view": view, "ms": round(seconds * 1000)},
            )
        response[HEADER] = request_id
        return response


# Bounded label values: a client choosing arbitrary methods must not grow the metrics.
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
