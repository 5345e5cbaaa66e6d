"""Request observation: a request id for every request, carried into the tasks it enqueues, and
every request counted and timed for /metrics (ppsportal.metrics).

The id comes from the proxy's ``X-Request-ID`` when it is a plain token (letters, digits, ``.-_``,
at most 64), else a new one; it is sent back in ``X-Request-ID``, put on every log line
(ppsportal.logs) and into the headers of each Celery task published while the request runs, so
a worker's lines about a request's deliveries carry the same id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun

from ppsportal.metrics import observe_request

logger = logging.getLogger("ppsportal.request")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "X-Request-ID"
TASK_HEADER = "request_id"


def current_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def request_id_context(request_id: str | None):
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


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


# --- Into Celery tasks ----------------------------------------------------------------------------
@before_task_publish.connect
def _put_request_id_in_task_headers(headers=None, **kwargs) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and not headers.get(TASK_HEADER):
        headers[TASK_HEADER] = request_id


_task_tokens: dict[str, object] = {}


@task_prerun.connect
def _take_request_id_from_task(task_id=None, task=None, **kwargs) -> None:
    # In-process (eager) tasks run inside the request and keep its id.
    request_id = getattr(task.request, TASK_HEADER, None) or current_request_id()
    _task_tokens[task_id] = _request_id.set(request_id)


@task_postrun.connect
def _forget_request_id(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _request_id.reset(token)
