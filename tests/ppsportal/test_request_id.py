"""Structured logs: every line is one JSON object carrying the id of the request it was written
for; the id is answered in X-Request-ID and travels into the Celery tasks the request enqueues."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
from celery import shared_task
from django.core.cache import cache

from ppsportal.celery import app
from ppsportal.logs import JsonFormatter, RequestIdFilter
from ppsportal.request_id import current_request_id, request_id_context

SEEN_KEY = "tests:request-id-seen-by-task"


@shared_task(name="tests.ppsportal.remember_request_id", ignore_result=True)
def remember_request_id() -> None:
    logging.getLogger("tests.task").info("task ran")
    cache.set(SEEN_KEY, current_request_id() or "none", timeout=60)


def _capture(logger_name: str = ""):
    """The console handler as settings configure it (JSON formatter, request id filter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(previous)


@pytest.fixture
def json_lines():
    yield from _capture()


@pytest.fixture
def task_json_lines():
    # on the task's own logger: the test worker sets up the root logger anew
    yield from _capture("tests.task")


@pytest.mark.django_db
def test_each_request_gets_an_id_that_its_log_lines_carry(client, json_lines):
    response = client.get("/healthz")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    access = [line for line in json_lines() if line["logger"] == "ppsportal.request"]
    assert access == [
        {
            "time": access[0]["time"],
            "level": "INFO",
            "logger": "ppsportal.request",
            "message": "GET /healthz 200",
            "request_id": request_id,
            "status": 200,
            "view": "healthz",
            "ms": access[0]["ms"],
        }
    ]
    assert client.get("/healthz")["X-Request-ID"] != request_id


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_only_when_it_is_a_plain_token(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-42.a_b")["X-Request-ID"] == "lb-42.a_b"
    injected = client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{"level":"CRITICAL"}')
    assert injected["X-Request-ID"] != 'x"\n{"level":"CRITICAL"}'
    assert len(injected["X-Request-ID"]) == 32


def test_a_line_outside_a_request_has_no_id_and_exceptions_are_kept(json_lines):
    log = logging.getLogger("tests.plain")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed", extra={"alert": "a1"})
    (line,) = [line for line in json_lines() if line["logger"] == "tests.plain"]
    assert line["request_id"] is None
    assert line["alert"] == "a1"
    assert "ValueError: boom" in line["exception"]


@pytest.mark.redis
def test_the_request_id_travels_into_the_task_a_worker_runs(task_json_lines):
    from celery.contrib.testing.worker import start_worker

    cache.delete(SEEN_KEY)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with request_id_context("req-into-task-1"):
            remember_request_id.delay()
        assert current_request_id() is None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not cache.get(SEEN_KEY):
            time.sleep(0.1)
    assert cache.get(SEEN_KEY) == "req-into-task-1"
    assert [line["request_id"] for line in task_json_lines()] == ["req-into-task-1"]
