"""The request id, and the Celery signals that carry it into the tasks a request enqueues.

A leaf: it imports nothing of the project, so the Celery app (``ppsportal.celery``) loads it to
connect the signals wherever tasks are published or run, and the request middleware
(``ppsportal.observability``) and the log filter (``ppsportal.logs``) read the same id.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
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
