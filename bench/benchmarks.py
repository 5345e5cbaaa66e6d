"""The benchmarks run by bench/run.py: each builds its data, times our path, the limit and the
peer interleaved, and returns its figures and targets."""

from __future__ import annotations

import io
import json
import os
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Q, Window
from django.utils import timezone

from bench.b2_delivery import b2  # noqa: F401  # B2 runs a real worker: its own module
from bench.b6_dashboard import b6  # noqa: F401  # B6: every dashboard page, its own module
from bench.run import explain, explain_sql, interleaved, statements_of, target

RESULTS = Path(__file__).resolve().parent / "results"
PAGE = 50
# BENCH_SCALE=0.01 shrinks every size for a quick run (the smoke test); results recorded in
# docs/benchmarks.md are at scale 1 unless their sizes say otherwise.
SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def scaled(n: int, least: int = 1) -> int:
    return max(least, round(n * SCALE))


# --- B1: commit one alert's fan-out -------------------------------------------------------------

PER_ORG = 5
PEER_SAMPLE = 500  # recipients timed one task each; the peer's time is extrapolated from them


def b1(args) -> dict:

    from django.db import connection, transaction

    from alerts.dispatch import dispatch_lease
    from alerts.fanout import insert_user_deliveries
    from alerts.models import Channel, Delivery
    from bench.world import audience_world, published_alert

    big = scaled(100_000, PER_ORG * 2)
    small = scaled(10_000, PER_ORG)
    world = audience_world(big // PER_ORG, PER_ORG)
    alerts = {
        small: published_alert(
            world.organisations[: small // PER_ORG],
            author=world.author,
            approver=world.approver,
            owner=world.alert.owner_organisation,
            headline="Bench alert (small)",
        ),
        big: world.alert,
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DROP TABLE IF EXISTS bench_delivery_copy")
        cursor.execute(
            f"CREATE TABLE bench_delivery_copy (LIKE {Delivery._meta.db_table} "
            "INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s", [Delivery._meta.db_table]
        )
        indexes = cursor.fetchone()[0]
    table = Delivery._meta.db_table
    columns = [
        f.column for f in Delivery._meta.concrete_fields if f.column != Delivery._meta.pk.column
    ]
    column_list = ", ".join(columns)

    def reset():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}, bench_delivery_copy")

    def fan_out(alert):
        now = timezone.now()
        with transaction.atomic():
            return insert_user_deliveries(
                alert_id=alert.pk,
                purpose=Delivery.Purpose.NOTICE,
                now=now,
                dispatched_until=now + dispatch_lease(),
            )

    def copy_rows(alert) -> bytes:
        """The rows our path writes, as binary COPY data (taken once, outside the timing)."""
        reset()
        fan_out(alert)
        out = io.BytesIO()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY (SELECT {column_list} FROM {table} WHERE alert_id = {int(alert.pk)}) "  # noqa: S608  # nosec B608  # names from model metadata
                "TO STDOUT WITH (FORMAT binary)",
                out,
            )
        return out.getvalue()

    def copy_into(into: str, data: bytes):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {into} ({column_list}) FROM STDIN WITH (FORMAT binary)", io.BytesIO(data)
            )

    all_paths, targets, plans = {}, [], {}
    for _size, alert in sorted(alerts.items()):
        data = copy_rows(alert)
        written = Delivery.objects.filter(alert=alert).count()
        recipients = list(
            Delivery.objects.filter(alert=alert)
            .order_by("pk")
            .values_list("recipient_id", "organisation_id")[: min(PEER_SAMPLE, written)]
        )

        def peer(alert=alert, recipients=recipients):
            """One task per recipient: each inserts its own row and commits on its own."""
            for user_id, org_id in recipients:
                now = timezone.now()
                with transaction.atomic():
                    Delivery.objects.create(
                        alert=alert,
                        recipient_id=user_id,
                        organisation_id=org_id,
                        channel=Channel.IN_APP,
                        next_attempt_at=now,
                    )

        peer_name = f"peer (one task per recipient, {len(recipients):,} timed, extrapolated)"
        paths = interleaved(
            {
                "ours (INSERT … SELECT, commit)": lambda alert=alert: fan_out(alert),
                "limit (binary COPY into a bare copy of the table)": (
                    lambda data=data: copy_into("bench_delivery_copy", data)
                ),
                "limit (binary COPY into alerts_delivery)": lambda data=data: copy_into(
                    table, data
                ),
                peer_name: peer,
            },
            args.runs,
            setup=reset,
            scale={peer_name: written / max(1, len(recipients))},
        )
        label = f"{written:,} deliveries"
        all_paths[label] = paths
        ours = paths["ours (INSERT … SELECT, commit)"]["median_ms"]
        bare = paths["limit (binary COPY into a bare copy of the table)"]["median_ms"]
        own = paths["limit (binary COPY into alerts_delivery)"]["median_ms"]
        targets += [
            target(f"{label}: ours / COPY into a bare copy (median)", ours / bare, 1.5),
            target(f"{label}: ours / COPY into alerts_delivery (median)", ours / own, 1.5),
            target(
                f"{label}: peer / ours (median)",
                paths[peer_name]["median_ms"] / ours,
                50,
                at_most=False,
            ),
        ]
        plans[label] = explain_fan_out(alert, fan_out, reset)
    reset()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_delivery_copy")
    return {
        "workload": "commit one alert's fan-out (one in-app delivery per user)",
        "sizes": f"{small // PER_ORG:,} and {big // PER_ORG:,} organisations x {PER_ORG} users; "
        f"alerts_delivery has {indexes} indexes",
        "paths": all_paths,
        "targets": targets,
        "plans": plans,
        "note": "The peer inserts one row per recipient in its own transaction (the database "
        "work of one Celery task per recipient, without the broker round trip, which would only "
        f"slow it further); it is timed on the first {PEER_SAMPLE:,} recipients and scaled "
        "linearly to the full audience. `plans` in B1.json: the INSERT under EXPLAIN ANALYZE "
        "with the foreign keys checked immediately, so their cost shows as triggers.",
    }


def explain_fan_out(alert, fan_out, reset) -> str:
    """Our INSERT under EXPLAIN (ANALYZE, BUFFERS), the deferred foreign-key checks made
    immediate so that their time shows as triggers; rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    reset()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        fan_out(alert)
    sql = next(q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().startswith("INSERT"))
    reset()
    lines = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
            raise _Rollback
    except _Rollback:
        pass
    return "\n".join(lines)


class _Rollback(Exception):
    pass


# --- B2: publish → all 10,000 in-app deliveries sent by real worker processes -------------------
#
# ``b2`` lives in bench/b2_delivery.py (imported above): it starts a real worker, so it is a
# module of its own. ``make bench BENCH_ARGS="--only B2"`` runs it (it needs REDIS_URL).


# --- B3: count + page of 50 for a partner user ---------------------------------------------------


def legacy_visible_q(actor, spec, today):
    """The selector before the UNION (one OR over the model), kept here only for the plan."""
    from partnerships.sharing.selectors import group_grants_valid, user_grants_valid
    from ppsportal.sensitivity import TLP

    organisation = actor.organisation
    by_group = group_grants_valid(spec, today).filter(organisation=organisation)
    by_user = user_grants_valid(spec, today).filter(user=actor.user)
    return (
        Q(**{spec.owner_field: organisation})
        | Q(**{f"{spec.tlp_field}__in": [TLP.CLEAR, TLP.GREEN]}) & spec.open_q(actor)
        | Q(pk__in=by_group.values("content_object_id"))
        | Q(pk__in=by_user.values("content_object_id"))
    )


def nctv_staff():
    """An NCTV staff member (the one NCTV organisation, made if the run has none yet): the
    sharing door narrows nothing for them, so their contact list is every entry."""
    from partnerships.models import Membership, Organisation

    User = get_user_model()
    nctv = Organisation.objects.filter(is_nctv=True).first() or Organisation.objects.create(
        name="Bench NCTV",
        kind="public",
        is_nctv=True,
        group=Group.objects.create(name="bench-nctv"),
    )
    staff, created = User.objects.get_or_create(
        username="bench-b3-staff", defaults={"is_staff": True, "is_active": True}
    )
    if created:
        Membership.objects.create(user=staff, organisation=nctv, role="admin")
    return staff


@contextmanager
def generic_guardian(*models):
    """guardian as shipped: its generic tables, not our direct foreign-key grant models."""
    for model in models:
        model.enabled = False
    try:
        yield
    finally:
        for model in models:
            del model.enabled


def b3(args) -> dict:
    from guardian.shortcuts import get_objects_for_user

    from bench.world import ORGS, sharing_world
    from partnerships.models import ContactEntry, ContactEntryGroupGrant, ContactEntryUserGrant
    from partnerships.selectors import actor_for, contacts_visible_to
    from partnerships.sharing.registry import spec_for
    from ppsportal.pagination import CountedPaginator

    size = scaled(1_000_000 if args.million else 100_000, 1000)
    # ten times the entries over ten times the organisations: each user's share stays the same
    # (the entries each owns, the grants it receives), so 1M / 100k tells what the data's size
    # costs, not what ten times the rows a user sees costs
    world = sharing_world(size, organisations=10 * ORGS if args.million else ORGS)
    with connection_analyze():
        pass
    User = get_user_model()
    org, user = world.organisations[5], world.users[5]

    def ours():
        # as every list pages it (ppsportal/pagination.py): the count taken from the page's query
        actor = actor_for(User.objects.select_related("membership__organisation").get(pk=user.pk))
        page = CountedPaginator(contacts_visible_to(actor), PAGE).page(1)
        return page.paginator.count, list(page)

    def ours_window():
        # as the lists paged before the deferred join: the page with COUNT(*) OVER () over the
        # door's rows, every visible row fetched before the sort (docs/benchmarks.md, B3)
        actor = actor_for(User.objects.select_related("membership__organisation").get(pk=user.pk))
        rows = list(contacts_visible_to(actor).annotate(total=Window(Count("*")))[:PAGE])
        return rows[0].total if rows else 0, rows

    def ours_apart():
        # as the lists paged before: a COUNT and the page, the door run in each
        actor = actor_for(User.objects.select_related("membership__organisation").get(pk=user.pk))
        qs = contacts_visible_to(actor)
        return qs.count(), list(qs[:PAGE])

    def limit():
        qs = ContactEntry.objects.filter(owner_organisation=org)
        return qs.count(), list(qs[:PAGE])

    def limit_in_one():
        # the limit's query with its count in the page (a column narrows it, no door: the
        # paginator counts it apart), to tell whether one query would help the column as well
        qs = ContactEntry.objects.filter(owner_organisation=org)
        rows = list(qs.annotate(total=Window(Count("*")))[:PAGE])
        return rows[0].total if rows else 0, rows

    staff = nctv_staff()

    def staff_all():
        # NCTV staff see every entry (the door narrows nothing): paged as every list pages it
        actor = actor_for(User.objects.select_related("membership__organisation").get(pk=staff.pk))
        page = CountedPaginator(contacts_visible_to(actor), PAGE).page(1)
        return page.paginator.count, list(page)

    def staff_all_in_one():
        # the same list with its count forced into the page's query (COUNT(*) OVER ())
        actor = actor_for(User.objects.select_related("membership__organisation").get(pk=staff.pk))
        rows = list(contacts_visible_to(actor).annotate(total=Window(Count("*")))[:PAGE])
        return rows[0].total if rows else 0, rows

    def peer():
        fresh = User.objects.get(pk=user.pk)
        with generic_guardian(ContactEntryUserGrant, ContactEntryGroupGrant):
            qs = get_objects_for_user(
                fresh, "partnerships.view_contactentry", ContactEntry, accept_global_perms=False
            )
            return qs.count(), list(qs[:PAGE])

    visible = ours()[0]
    paths = interleaved(
        {
            "ours": ours,
            "ours, the window over the door's rows (as before, no target)": ours_window,
            "ours, count and page apart (as before, no target)": ours_apart,
            "limit (organisation column)": limit,
            "limit, count in the page (no target)": limit_in_one,
            "peer (stock guardian)": peer,
            "NCTV staff, every entry (no target)": staff_all,
            "NCTV staff, every entry, count in the page forced (no target)": staff_all_in_one,
        },
        args.runs,
    )
    actor = actor_for(User.objects.select_related("membership__organisation").get(pk=user.pk))
    spec, today = spec_for(ContactEntry), timezone.localdate()
    plans = {
        "before (OR over the model)": explain(
            ContactEntry.objects.filter(legacy_visible_q(actor, spec, today))
            .order_by()
            .values("pk")
        ),
        "after (UNION ALL of indexed sets)": explain(
            contacts_visible_to(actor).order_by().values("pk")
        ),
        "after: the page of 50": explain(contacts_visible_to(actor)[:PAGE]),
    }
    # the list's statements as they run: count and page before, the page with its count after
    for label, fn in (
        ("two queries: the count", contacts_visible_to(actor).count),
        ("one query, as before: the page of 50 with COUNT(*) OVER ()", lambda: ours_window()),
        ("one query: the page of 50 cut from the door's keys (a deferred join)", lambda: ours()),
    ):
        sql, params = [s for s in statements_of(fn) if "contactentry" in s[0]][-1]
        plans[label] = explain_sql(sql, params)
    # NCTV staff's list (every entry): the count and the page apart, and the page with its count
    everything = contacts_visible_to(
        actor_for(User.objects.select_related("membership__organisation").get(pk=staff.pk))
    )
    plans["NCTV staff: the count"] = explain_sql(*statements_of(everything.count)[-1])
    plans["NCTV staff: the page of 50"] = explain(everything[:PAGE])
    plans["NCTV staff: the page of 50 with COUNT(*) OVER ()"] = explain(
        everything.annotate(total=Window(Count("*")))[:PAGE]
    )
    with generic_guardian(ContactEntryUserGrant, ContactEntryGroupGrant):
        # the peer's own plan: guardian's generic tables (object_pk as text), stock managers
        peer_qs = get_objects_for_user(
            User.objects.get(pk=user.pk),
            "partnerships.view_contactentry",
            ContactEntry,
            accept_global_perms=False,
        )
        plans["peer (stock guardian)"] = explain(peer_qs.order_by().values("pk"))
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    ours()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    ours_ms = paths["ours"]["median_ms"]
    targets = [
        target(
            "ours / limit (median)", ours_ms / paths["limit (organisation column)"]["median_ms"], 2
        ),
        target(
            "peer / ours (median)",
            paths["peer (stock guardian)"]["median_ms"] / ours_ms,
            200,
            at_most=False,
        ),
        target("queries (ours, incl. who is asking)", paths["ours"]["queries"], 4),
    ]
    if args.million:
        previous = RESULTS / "B3.json"
        if previous.exists():
            small = json.loads(previous.read_text())["paths"].get("100,000 objects", {})
            if small:
                targets.append(
                    target("1M / 100k time (ours)", ours_ms / small["ours"]["median_ms"], 1.3)
                )
    label = f"{size:,} objects"
    result = {
        "workload": "count + page of 50 contact-log entries for a partner user",
        "sizes": f"{size:,} contact-log entries, {len(world.organisations):,} organisations, "
        f"{world.group_grants:,} group "
        f"and {world.user_grants:,} user grants (and as many generic guardian rows for the peer); "
        f"the user sees {visible:,}",
        "paths": {label: paths},
        "targets": targets,
        "plans": plans,
        "profile": out.getvalue(),
        "note": "The peer answers only the grants (stock guardian knows no owner or open level); "
        "it is still the slowest.",
    }
    if args.million and (RESULTS / "B3.json").exists():
        old = json.loads((RESULTS / "B3.json").read_text())
        old["paths"].update(result["paths"])
        old["targets"] = targets
        return old
    return result


@contextmanager
def connection_analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    yield


# --- HTTP: the bench's own gunicorn and a load generator (B4) ------------------------------------

HTTP_SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "5"))
HTTP_CONNECTIONS = 8  # as wrk -c8


@contextmanager
def gunicorn(workers: int = 4):
    """gunicorn with ``workers`` sync workers on a free loopback port, serving bench/settings.py
    (the portal plus the bare endpoints) from the bench's test database; yields the port."""
    import socket
    import subprocess  # nosec B404  # our own gunicorn, fixed arguments
    import sys
    import time
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"])),
    }
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ppsportal.wsgi",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def load(port: int, requests: list, *, seconds: float, rate: float | None = None) -> dict:
    """A load generator of HTTP_CONNECTIONS threads on loopback (wrk is not on these machines;
    the standard library's http.client, one connection per request as gunicorn's sync workers
    close them). Without ``rate``: closed loop, as fast as the server answers. With ``rate``:
    requests are due at a fixed rate and each latency counts from when it was due (no
    coordinated omission). ``requests``: (method, path, headers, body), used in turn."""
    import http.client
    import threading
    import time

    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    counter = iter(range(10**9))
    started = time.perf_counter()
    deadline = started + seconds

    def worker():
        while True:
            with lock:
                i = next(counter)
            due = started + i / rate if rate else time.perf_counter()
            if due >= deadline or time.perf_counter() >= deadline:
                return
            if rate:
                time.sleep(max(0.0, due - time.perf_counter()))
            method, path, headers, body = requests[i % len(requests)]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 599  # a timeout or a dropped connection: counted as an error
            finally:
                conn.close()
            done = time.perf_counter()
            with lock:
                latencies.append((done - due) * 1000)
                if status >= 400:
                    errors.append(status)

    threads = [threading.Thread(target=worker) for _ in range(HTTP_CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1)

    return {
        "requests": len(latencies),
        "rate": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(0.5) if latencies else None,
        "p99_ms": pct(0.99) if latencies else None,
        "errors": len(errors),
    }


def http_paths(port: int, paths: dict, runs: int) -> dict:
    """Interleaved closed-loop runs of each path (one warm-up round), then each path at half
    its median maximum rate for its p99. Figures per path: the rate, and as milliseconds per
    request (1000 / rate) so that the table reads like the others."""
    import statistics

    rates: dict[str, list[float]] = {name: [] for name in paths}
    errors = 0
    for round_ in range(runs + 1):
        for name, requests in paths.items():
            r = load(port, requests, seconds=HTTP_SECONDS)
            if round_:  # the warm-up round may time out while the workers load the code
                errors += r["errors"]
                rates[name].append(r["rate"])
    out = {}
    for name, requests in paths.items():
        best = statistics.median(rates[name])
        half = load(port, requests, seconds=HTTP_SECONDS * 2, rate=best / 2)
        errors += half["errors"]
        out[name] = {
            "min_ms": round(1000 / max(rates[name]), 2),
            "median_ms": round(1000 / best, 2),
            "runs": len(rates[name]),
            "queries": None,
            "max_rate_median": round(best, 1),
            "max_rate_best": round(max(rates[name]), 1),
            "half_rate": round(best / 2, 1),
            "p50_ms_at_half_rate": half["p50_ms"],
            "p99_ms_at_half_rate": half["p99_ms"],
        }
    if errors:
        raise RuntimeError(f"{errors} HTTP errors during the benchmark")
    return out


def api_token(user) -> str:
    from knox.models import AuthToken

    return AuthToken.objects.create(user=user)[1]


def queries_of(method: str, path: str, headers: dict, data=None, *, profile=None) -> int:
    """Queries of one request through the test client (in-process, the bench URLconf); with
    ``profile`` (a list), the request's cProfile (top 30, cumulative) is appended to it."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches

    with override_settings(ROOT_URLCONF="bench.urls"):
        clear_url_caches()
        client = Client()
        getattr(client, method.lower())(path, data, headers=headers)  # URLconf and caches warm
        profiler = cProfile.Profile()
        with CaptureQueriesContext(connection) as ctx:
            profiler.enable()
            response = getattr(client, method.lower())(path, data, headers=headers)
            profiler.disable()
        clear_url_caches()
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        profile.append(out.getvalue())
    assert response.status_code < 400, (path, response.status_code, response.content[:300])  # nosec B101
    return len(ctx.captured_queries)


# --- B4: the contacts list over HTTP ------------------------------------------------------------


def b4(args) -> dict:
    from bench.world import existing_sharing_world, sharing_world

    # B3's world when it ran before in the same run (building it twice would clash)
    world = existing_sharing_world() or sharing_world(scaled(100_000, 1000), generic=False)
    size = world.objects
    with connection_analyze():
        pass
    org, user = world.organisations[5], world.users[5]
    token = api_token(user)
    ours = ("GET", "/api/v1/contacts/", {"Authorization": f"Token {token}"}, None)
    bare = ("GET", f"/bench/contacts/{org.pk}/", {}, None)
    drf = ("GET", f"/bench/drf-contacts/{org.pk}/", {}, None)
    drf_name = "limit (plain DRF list, organisation column, the API's serializer)"
    with gunicorn() as port:
        paths = http_paths(
            port,
            {
                "ours (/api/v1/contacts/, token)": [ours],
                "limit (bare Django view, organisation column, JSON)": [bare],
                drf_name: [drf],
            },
            args.runs,
        )
    profile: list[str] = []
    paths["ours (/api/v1/contacts/, token)"]["queries"] = queries_of(*ours[:3], profile=profile)
    paths["limit (bare Django view, organisation column, JSON)"]["queries"] = queries_of(*bare[:3])
    paths[drf_name]["queries"] = queries_of(*drf[:3])
    o = paths["ours (/api/v1/contacts/, token)"]
    limit = paths["limit (bare Django view, organisation column, JSON)"]
    return {
        "workload": "the contacts list (count + first page of 50) over HTTP",
        "sizes": f"{size:,} contact-log entries, {len(world.organisations):,} organisations; "
        "gunicorn 4 sync workers "
        f"on loopback, {HTTP_CONNECTIONS} connections, {HTTP_SECONDS:g} s per run",
        "paths": {f"{size:,} objects": paths},
        "profile": profile[0],
        "targets": [
            target(
                "ours / bare view, requests per second (median)",
                o["max_rate_median"] / limit["max_rate_median"],
                0.5,
                at_most=False,
            ),
            target(
                f"p99 ms at half the maximum rate ({o['half_rate']}/s)",
                o["p99_ms_at_half_rate"],
                50,
            ),
        ],
        "note": "min and median ms: 1,000 / requests per second of the best and the median run "
        "at the maximum rate (the rates and latencies are in B4.json). "
        "The plain DRF list (no target of its own) is the same list without the read door, "
        "the token and the audit: ours "
        f"is {o['max_rate_median'] / paths[drf_name]['max_rate_median']:.0%} of its rate, it "
        f"is {paths[drf_name]['max_rate_median'] / limit['max_rate_median']:.0%} of the bare "
        "view's. "
        "Load from a Python generator (threads, http.client) on the same 2 cores as the "
        "server, not wrk (not installed on these machines): it takes CPU from gunicorn, so "
        "both rates are lower than wrk would show, the bare view's more. No peer: the issue "
        "names none for B4.",
    }


# --- B5: acknowledgements through the API --------------------------------------------------------

ACKS_PER_RUN = 200


def b5(args) -> dict:
    import cProfile
    import pstats

    from django.test import Client, override_settings
    from django.urls import clear_url_caches

    from alerts.models import Acknowledgement
    from bench.world import audience_world

    organisations = scaled(1000, 2)
    per_run = min(organisations, scaled(ACKS_PER_RUN, 2))
    world = audience_world(organisations, 1, tag="ack")  # B1 built the "audience" one
    with connection_analyze():
        pass
    alert = world.alert
    users = world.users[:per_run]
    tokens = [api_token(u) for u in users]
    url = f"/api/v1/alerts/{alert.public_id}/acknowledge/"
    client = Client()

    def reset():
        Acknowledgement.objects.filter(alert=alert).delete()

    def ours():
        for token in tokens:
            r = client.post(
                url,
                "{}",
                content_type="application/json",
                headers={"Authorization": f"Token {token}"},
            )
            assert r.status_code == 201, (r.status_code, r.content[:300])  # nosec B101

    def limit():
        for u in users:
            r = client.post(
                "/bench/acknowledge/",
                {"alert": alert.pk, "organisation": u.membership.organisation_id, "user": u.pk},
            )
            assert r.status_code == 201, (r.status_code, r.content[:300])  # nosec B101

    for u in users:
        u.membership  # noqa: B018  # loaded once, outside the timing
    with override_settings(ROOT_URLCONF="bench.urls"):
        clear_url_caches()
        paths = interleaved(
            {
                "ours (POST /api/v1/alerts/…/acknowledge/, token)": ours,
                "limit (bare endpoint inserting one row)": limit,
            },
            args.runs,
            setup=reset,
        )
        reset()
        profiler = cProfile.Profile()
        profiler.enable()
        auth = {"Authorization": f"Token {tokens[0]}"}
        client.post(url, "{}", content_type="application/json", headers=auth)
        profiler.disable()
        clear_url_caches()
    reset()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    for p in paths.values():
        p["queries"] = round(p["queries"] / per_run, 1)  # per request
    o = paths["ours (POST /api/v1/alerts/…/acknowledge/, token)"]["median_ms"]
    bare = paths["limit (bare endpoint inserting one row)"]["median_ms"]
    return {
        "workload": "acknowledgements through the API",
        "sizes": f"{organisations:,} recipient organisations (one user each) of one published "
        f"GREEN alert; a run is {per_run} acknowledgements, each by another organisation",
        "paths": {f"{per_run} acknowledgements": paths},
        "profile": out.getvalue(),
        "targets": [
            target("ours / bare, requests per second (median)", bare / o, 0.3, at_most=False)
        ],
        "note": "In-process through Django's test client (the whole middleware stack, token "
        "authentication, DRF, the service), one request after another; queries are per "
        "request. No peer: the issue names none for B5.",
    }
