"""Prometheus metrics at ``/metrics``, for an allowed scraper only.

Access: a scraper sends ``Authorization: Bearer <METRICS_TOKEN>``, or connects from an address in
``METRICS_ALLOWED_IPS``. Anyone else, and everyone when neither is set, gets the portal's 404:
the page is never public, and not visible means not found.

What is exported (text format 0.0.4, no client library needed):
- request counts and durations of the web process that answers the scrape (``ppsportal_http_*``;
  each gunicorn worker keeps its own: for totals over all of them use the proxy's metrics);
- the task queue depth per queue and whether the broker answers (``ppsportal_task_queue_depth``,
  ``ppsportal_broker_up``);
- the age of the worker heartbeat beat schedules (``ppsportal_worker_heartbeat_age_seconds``);
- whatever the apps register in their ``metrics.py`` (alerts: outbox backlog, deliveries by
  channel and status, escalations, publish-to-delivery and publish-to-acknowledgement times).
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.module_loading import autodiscover_modules
from django.views.decorators.cache import never_cache

from ppsportal.celery import app
from ppsportal.health import heartbeat_age_seconds


@dataclass
class Metric:
    """One metric family: a name, its help text, a type and (labels, value) samples."""

    name: str
    help: str
    kind: str = "gauge"
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, **labels: str) -> Metric:
        self.samples.append((labels, value))
        return self


Collector = Callable[[], Iterable[Metric]]
_collectors: list[Collector] = []
_discovered = False


def register(collector: Collector) -> Collector:
    """Add a collector (a function returning metrics); apps call this from their metrics.py."""
    if collector not in _collectors:
        _collectors.append(collector)
    return collector


# --- Requests of this process -------------------------------------------------------------------
_lock = threading.Lock()
_requests: dict[tuple[str, str, str], list[float]] = {}  # (method, view, status) -> [count, sum]


def observe_request(*, method: str, view: str, status: int, seconds: float) -> None:
    key = (method, view, str(status))
    with _lock:
        entry = _requests.setdefault(key, [0, 0.0])
        entry[0] += 1
        entry[1] += seconds


def _request_metrics() -> list[Metric]:
    total = Metric("ppsportal_http_requests_total", "HTTP requests answered", "counter")
    duration = Metric(
        "ppsportal_http_request_duration_seconds", "Time spent answering requests", "summary"
    )
    with _lock:
        items = sorted((key, list(value)) for key, value in _requests.items())
    for (method, view, status), (count, seconds) in items:
        labels = {"method": method, "view": view, "status": status}
        total.add(count, **labels)
        duration.samples.append(({**labels, "__suffix__": "_sum"}, seconds))
        duration.samples.append(({**labels, "__suffix__": "_count"}, count))
    return [total, duration]


# --- Broker and workers ---------------------------------------------------------------------------
def task_queue_names() -> list[str]:
    names = {app.conf.task_default_queue}
    for queue in app.conf.task_queues or ():
        names.add(queue.name)
    for route in (app.conf.task_routes or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.add(route["queue"])
    return sorted(names)


def _broker_metrics() -> list[Metric]:
    if not settings.REDIS_URL:
        return []
    up = Metric("ppsportal_broker_up", "1 when the Celery broker answers")
    depth = Metric("ppsportal_task_queue_depth", "Messages waiting in each task queue")
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            for name in task_queue_names():
                depth.add(_queue_size(conn, name), queue=name)
        up.add(1)
    except Exception:
        up.add(0)
        depth.samples.clear()
    heartbeat = Metric(
        "ppsportal_worker_heartbeat_age_seconds",
        "Seconds since a worker ran the heartbeat task beat schedules every minute",
    )
    age = heartbeat_age_seconds()
    if age is not None:
        heartbeat.add(age)
    return [up, depth, heartbeat]


def _queue_size(conn, name: str) -> int:
    channel = conn.channel()
    try:
        return channel.queue_declare(queue=name, passive=True).message_count
    except Exception as error:  # a queue nobody declared yet (or Redis dropped, being empty)
        if conn.connection is None or not conn.connected:
            raise
        del error
        return 0
    finally:
        with contextlib.suppress(Exception):  # a channel the broker closed on a missing queue
            channel.close()


# --- Exposition -----------------------------------------------------------------------------------
def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _line(name: str, labels: dict[str, str], value: float) -> str:
    labels = dict(labels)
    name += labels.pop("__suffix__", "")
    text = ",".join(f'{key}="{_escape(str(val))}"' for key, val in sorted(labels.items()))
    number = repr(float(value)) if isinstance(value, float) else str(value)
    return f"{name}{{{text}}} {number}" if text else f"{name} {number}"


def render(metrics: Iterable[Metric]) -> str:
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        lines.extend(_line(metric.name, labels, value) for labels, value in metric.samples)
    return "\n".join(lines) + "\n"


def collect() -> list[Metric]:
    global _discovered
    if not _discovered:
        autodiscover_modules("metrics")
        _discovered = True
    metrics = _request_metrics() + _broker_metrics()
    for collector in _collectors:
        metrics.extend(collector())
    return metrics


# --- Who may scrape -------------------------------------------------------------------------------
def scraper_allowed(request) -> bool:
    """The one rule of access to /metrics: the configured token, or an allow-listed address."""
    token = settings.METRICS_TOKEN
    if token:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return True
    allowed = settings.METRICS_ALLOWED_IPS
    if allowed:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(net, strict=False) for net in allowed)
    return False


@never_cache
def metrics_view(request):
    if not scraper_allowed(request):
        raise Http404
    return HttpResponse(render(collect()), content_type="text/plain; version=0.0.4; charset=utf-8")
