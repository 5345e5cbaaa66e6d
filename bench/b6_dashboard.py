"""B6: every dashboard page at 1 and 100 times the demo data (docs/benchmarks.md, "B6").

The pages are the dashboard's routes found by walking the URL resolver (``ppsportal.routes``,
the walk the list query-count tests use): those without path arguments, and those with them
filled from the first object of the route's kind that the persona may see at demo size (the
same object at 100 times: the demo's own rows stay). API, admin, TAXII, sign-in, feeds,
downloads and health endpoints are out of scope (``NOT_PAGES``); a route whose GET answers no
page for a persona (405, 403, 404, a redirect) is listed with its status, not timed.

Each persona (the demo's users: NCTV staff, a partner admin, a partner member) is signed in
through the sign-in form and the second factor; each page is requested through Django's test
client (in-process: every middleware, the session, the view and its template), one warm-up
round, then ``samples`` rounds, every page once per round in turn. The time of a request is
the server's (the test client adds no network). Before each size is measured, the process's heap
(Django, the apps, the world just built) is collected and frozen out of the garbage collector's
full collections (``ppsportal.heap.freeze_start_up_heap``), as ``ppsportal.wsgi`` does in a web
worker after start-up: without it a full collection of that heap (130-390 ms here) landed inside
one request in 35 to 190 and decided the p95 of the page it hit (docs/benchmarks.md, B6, "The
stalls"). The medians are reported with the p95.

The queries of each page are counted at the demo's size, at twice it (``TWICE``: every row of a
page there twice, so a query per row shows as more queries) and at 100 times it, where a page
holds the copies of the demo's first rows in its order only (a copy keeps every column, so the
copies of one row sort together): a section the demo's page filled may be empty there and run
no query, so at 100 times a page may run fewer queries than the demo's, never more.

The limit is a bare Django view (``bench/urls.py`` ``bare_page``): a count and 50 rows with one
join, through a template, without authentication or the portal's base template, timed in the
same rounds.
"""

from __future__ import annotations

import gc
import math
import time

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches, reverse

from bench.run import summary, target

TIMES = 100
TWICE = 2  # the size at which the queries are counted against the demo's (``counted``)
P95_MS = 50
ONLY: set[str] | None = None  # route names to measure (the smoke test's few); None: every page
SAMPLES_PER_RUN = 3  # requests per page for each of run.py's --runs: 21 at the default 7
LIMIT = "limit (bare view: count and 50 rows through a template)"

PERSONAS = {
    "NCTV staff": "nctv-analyst",
    "partner admin": "arena-operator",
    # The demo has no user with the viewer role; its read-mostly partner is a police member.
    "partner member": "amsterdam-police",
}

# Routes that are not dashboard pages: the API and machine endpoints, sign-in and the second
# factor, language switching, feeds and exports.
NOT_PAGES = {
    "login",
    "logout",
    "mfa-verify",
    "mfa-enrol",
    "healthz",
    "readyz",
    "metrics",
    "set_language",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "api-schema",
    "api-docs",
    "invitation-accept",  # an invitation's token: the demo has none, and it signs a user up
    # downloads (a file, not a page)
    "covenant-document",
    "soft-target-evidence",
    "report-attachment",
    "guidance-download",
    "document-download",
}
CANDIDATES = 12  # objects tried per route with arguments, in pk order, for one it shows
NOT_PAGE_PREFIXES = ("api/", "taxii2/", "bench/")  # bench/: the limits of the benchmarks


def _candidates() -> dict[str, callable]:
    """name -> a function listing the path arguments of every object that route may show,
    in a fixed order. A route with arguments missing here is not measured (``unfilled``)."""
    from alerts.models import Alert
    from partnerships.models import Action, ContactEntry, Covenant, Membership, Partnership
    from partnerships.sharing.registry import partner_specs
    from preparedness.models import ActionItem, Exercise, Procedure
    from preparedness.models_library import Guidance, PartnershipDocument
    from threats.models import Report, SecurityMeasure, SoftTarget, ThreatAssessment

    def ids(model):
        def listed():
            rows = model.objects.order_by("pk").values_list("public_id", flat=True)
            return [{"public_id": p} for p in rows]

        return listed

    def shareable():
        return [
            {"kind": spec.partner_kind, "public_id": p}
            for spec in partner_specs()
            for p in spec.model.objects.order_by("pk").values_list("public_id", flat=True)
        ]

    def evidence():
        return [
            {"public_id": p, "measure": m}
            for p, m in SecurityMeasure.objects.order_by("pk").values_list(
                "soft_target__public_id", "measure"
            )
        ]

    def attachment():
        from threats.models import ReportAttachment

        return [
            {"public_id": p, "attachment_id": a}
            for p, a in ReportAttachment.objects.order_by("pk").values_list(
                "report__public_id", "public_id"
            )
        ]

    def board_action():
        rows = Alert.objects.order_by("pk").values_list("public_id", flat=True)
        return [{"public_id": p, "action": "end"} for p in rows]

    return {
        "partnership-detail": ids(Partnership),
        "contact-create": ids(Partnership),
        "action-done": ids(Action),
        "covenant-upload": ids(Covenant),
        "covenant-document": ids(Covenant),
        "contact-detail": ids(ContactEntry),
        "object-share": shareable,
        "object-share-revoke": shareable,
        "member-role": ids(Membership),
        "member-deactivate": ids(Membership),
        "soft-target-detail": ids(SoftTarget),
        "soft-target-edit": ids(SoftTarget),
        "soft-target-evidence": evidence,
        "assessment-detail": ids(ThreatAssessment),
        "report-detail": ids(Report),
        "report-reply": ids(Report),
        "report-attachment": attachment,
        "report-triage": ids(Report),
        "alert-detail": ids(Alert),
        "alert-acknowledge": ids(Alert),
        "alert-report-status": ids(Alert),
        "alert-board-detail": ids(Alert),
        "alert-board-detail-json": ids(Alert),
        "alert-board-action": board_action,
        "preparedness-detail": ids(SoftTarget),
        "procedure-create": ids(SoftTarget),
        "procedure-edit": ids(Procedure),
        "training-record-create": ids(SoftTarget),
        "exercise-plan": ids(SoftTarget),
        "exercise-held": ids(Exercise),
        "action-item-create": ids(Exercise),
        "action-item-edit": ids(ActionItem),
        "action-item-complete": ids(ActionItem),
        "guidance-detail": ids(Guidance),
        "guidance-download": ids(Guidance),
        "guidance-read": ids(Guidance),
        "document-download": ids(PartnershipDocument),
    }


def _is_page(response) -> bool:
    kind = response.get("Content-Type", "")
    return response.status_code == 200 and (
        kind.startswith("text/html") or kind.startswith("application/json")
    )


class _Raised:
    def __init__(self, error):
        self.status_code = f"raised {type(error).__name__}"

    def get(self, _key, default=""):
        return default


def _get(client, url):
    """GET ``url``; an exception in the view is an answer too (listed, not raised)."""
    try:
        return client.get(url)
    except Exception as error:
        return _Raised(error)


def _left_out(name: str) -> bool:
    return ONLY is not None and name not in ONLY


def pages_of(client) -> tuple[dict[str, str], dict[str, str]]:
    """The dashboard pages ``client``'s user gets (name -> URL), and the routes that answer it
    no page (name -> why)."""
    from ppsportal import routes

    pages, not_pages = {}, {}
    for name, route in routes.dashboard_routes().items():
        if name in NOT_PAGES or route.startswith(NOT_PAGE_PREFIXES) or _left_out(name):
            continue
        url = "/" + route
        response = _get(client, url)
        if _is_page(response):
            pages[name] = url
        else:
            not_pages[name] = f"GET {response.status_code}"
    candidates = _candidates()
    for name, route in routes.dashboard_routes_with_arguments().items():
        if name in NOT_PAGES or route.startswith(NOT_PAGE_PREFIXES) or _left_out(name):
            continue
        if name not in candidates:
            not_pages[name] = "unfilled: no argument list in bench/b6_dashboard.py"
            continue
        seen = set()
        for kwargs in candidates[name]()[:CANDIDATES]:
            url = reverse(name, kwargs=kwargs)
            response = _get(client, url)
            if _is_page(response):
                pages[name] = url
                break
            seen.add(response.status_code)
        else:
            statuses = ", ".join(sorted(map(str, seen))) or "no objects"
            not_pages[name] = f"GET {statuses}"
    return pages, not_pages


def signed_in(username: str) -> Client:
    from django.contrib.auth import get_user_model

    from tests.signin import sign_in

    client = Client()
    sign_in(client, get_user_model().objects.get(username=username), settings.DEMO_PASSWORD)
    return client


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def steady_queries(client, url: str) -> int:
    """The queries of one request in the steady state: a signed-in session writes its last-seen
    time at most once a minute (``ppsportal.sessions.LAST_SEEN_RESOLUTION``); a round at 100
    times the demo takes longer than that, so the write would land on whichever page came
    first after the minute. It is not due while counting (as in the tests' query pins)."""
    from ppsportal import sessions

    resolution = sessions.LAST_SEEN_RESOLUTION
    sessions.LAST_SEEN_RESOLUTION = 10**9
    try:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
    finally:
        sessions.LAST_SEEN_RESOLUTION = resolution
    return len(ctx.captured_queries)


def measure(clients: dict, pages: dict, samples: int) -> dict[str, dict]:
    """Every (persona, page) and the limit, interleaved: a warm-up round, then ``samples``
    rounds; per page the min, median and p95 in ms, and the queries of one request."""
    bare = Client()
    order = [(LIMIT, bare, "/bench/page/")] + [
        (f"{persona}: {name}", clients[persona], url)
        for persona in clients
        for name, url in pages[persona].items()
    ]
    times: dict[str, list[float]] = {key: [] for key, _c, _u in order}
    queries: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for round_ in range(samples + 1):
        for key, client, url in order:
            if round_ == 1:  # queries counted once, outside the timing
                queries[key] = steady_queries(client, url)
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (key, url, response.status_code)  # nosec B101
            sizes[key] = len(response.content)
            if round_:
                times[key].append(elapsed)
    return {
        key: {
            **summary(s),
            "p95_ms": round(p95(s), 2),
            "queries": queries[key],
            "kb": round(sizes[key] / 1024, 1),
        }
        for key, s in times.items()
    }


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def counted(clients: dict, pages: dict) -> dict[str, int]:
    """The queries of one request of every (persona, page), after a warm-up request: counts
    only, no timing (the size at which each query per row shows, ``TWICE``)."""
    out = {}
    for persona, client in clients.items():
        for name, url in pages[persona].items():
            client.get(url)
            out[f"{persona}: {name}"] = steady_queries(client, url)
    return out


def b6(args) -> dict:
    from bench import demo_bulk
    from ppsportal.heap import freeze_start_up_heap

    times = getattr(args, "times", None) or TIMES
    samples = args.runs * SAMPLES_PER_RUN
    with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
        clear_url_caches()
        try:
            demo_bulk.seed()
            analyze()
            extent = demo_bulk.demo_extent()
            clients = {persona: signed_in(username) for persona, username in PERSONAS.items()}
            found = {persona: pages_of(client) for persona, client in clients.items()}
            pages = {persona: p for persona, (p, _n) in found.items()}
            freeze_start_up_heap()  # as a web worker after start-up (ppsportal.wsgi)
            one = measure(clients, pages, samples)
            started = time.perf_counter()
            written = demo_bulk.multiply_demo(TWICE, extent=extent)
            analyze()
            twice = counted(clients, pages)
            more = demo_bulk.multiply_demo(times, already=TWICE, extent=extent)
            bulk_seconds = round(time.perf_counter() - started, 1)
            written = {
                label: written.get(label, 0) + more.get(label, 0) for label in {**written, **more}
            }
            analyze()
            freeze_start_up_heap()  # the 100 times built: as a worker started on it
            many = measure(clients, pages, samples)
        finally:
            gc.unfreeze()  # the frozen objects back to the collector for what follows
            clear_url_caches()
    big = f"{times} times"
    targets = []
    for persona in clients:
        keys = [k for k in many if k.startswith(f"{persona}: ")]
        worst = max(keys, key=lambda k: many[k]["p95_ms"])
        slow = [k for k in keys if many[k]["p95_ms"] > P95_MS]
        per_row = [k for k in keys if twice[k] != one[k]["queries"]]
        grew = [k for k in keys if many[k]["queries"] > one[k]["queries"]]
        page = worst.split(": ", 1)[1]
        targets += [
            target(f"{persona}: of {len(keys)} pages, p95 > {P95_MS} ms at {big}", len(slow), 0),
            target(f"{persona}: worst p95 ms at {big} ({page})", many[worst]["p95_ms"], P95_MS),
            target(f"{persona}: pages whose queries differ at {TWICE} times", len(per_row), 0),
            target(f"{persona}: pages with more queries at {big}", len(grew), 0),
        ]
    fewer = {
        k: f"{one[k]['queries']} -> {many[k]['queries']}"
        for k in many
        if k != LIMIT and many[k]["queries"] < one[k]["queries"]
    }
    return {
        "workload": "every dashboard page at the demo's size and 100 times it",
        "sizes": f"the demo (seed_demo), twice it (queries counted) and {big} it "
        f"({sum(written.values()):,} rows copied with bulk inserts in {bulk_seconds} s); "
        f"{len(PERSONAS)} personas "
        f"({', '.join(f'{p}: {u}' for p, u in PERSONAS.items())}); p95 of {samples} requests "
        "per page, in-process through the test client, the start-up heap frozen",
        "paths": {"demo": one, big: many},
        "queries_at_twice": twice,
        "fewer_queries_at_100_times": fewer,
        "pages": pages,
        "not_pages": {persona: n for persona, (_p, n) in found.items()},
        "rows_copied": written,
        "targets": targets,
        "note": f"Server time in-process (Django's test client: every middleware, the session, "
        f"the view, the template), the process's heap frozen out of full garbage collections "
        f"after each size is built, as ppsportal.wsgi does in a web worker. Targets per page: "
        f"p95 ≤ {P95_MS} ms at {big}; queries at twice the demo equal to the demo's (each row "
        f"of a page there twice: a query per row shows); at {big} not more than the demo's "
        f"(a page there is full of the copies of its first rows, so a section the demo filled "
        f"may be empty and run no query: fewer_queries_at_100_times in B6.json). The limit is "
        "a bare view (bench/urls.py, bare_page). Routes answering no page for a persona are "
        "listed under not_pages in B6.json.",
    }
