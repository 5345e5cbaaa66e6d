"""Benchmarks as ratios: each runs our path, the limit and the naive peer in one process,
interleaved, several times, and checks the ratios of their medians (docs/benchmarks.md).

Run with `make bench` (never part of `make test`). It needs PostgreSQL: ``BENCH_DATABASE_URL``
(default ``postgres://postgres@127.0.0.1:5432/pps_bench``) names a database whose test copy
(``test_<name>``) is built, filled and dropped. Writes ``bench/results/<benchmark>.json`` and
the results table in ``docs/benchmarks.md``; exits 1 when a target does not hold. A busy machine
slows all three paths alike, so the ratios hold where absolute times would not.

    bench/run.py [--only B1,B3] [--runs 7] [--million]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppsportal.settings_test")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pps_bench"
)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:results -->", "<!-- /bench:results -->"


def interleaved(paths: dict, runs: int, *, setup=None, scale=None) -> dict[str, dict]:
    """Run every path once per round, in turn, ``runs`` rounds after one warm-up round; min and
    median in milliseconds, and the queries of the last run. ``setup`` (untimed) runs before
    each path's run; ``scale`` maps a path's name to a factor its times are multiplied by (a
    peer timed on a sample and extrapolated)."""
    samples: dict[str, list[float]] = {name: [] for name in paths}
    queries: dict[str, int] = {}
    for round_ in range(runs + 1):
        for name, fn in paths.items():
            if setup is not None:
                setup()
            connection.queries_log.clear()  # full (9,000 queries), it would capture nothing
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                fn()
                elapsed = (time.perf_counter() - started) * 1000
            elapsed *= (scale or {}).get(name, 1)
            queries[name] = len(ctx.captured_queries)
            if round_:
                samples[name].append(elapsed)
    return {name: {**summary(s), "queries": queries[name]} for name, s in samples.items()}


def summary(samples: list[float]) -> dict:
    """A path's times in milliseconds as every benchmark reports them: min, median, runs."""
    return {
        "min_ms": round(min(samples), 2),
        "median_ms": round(statistics.median(samples), 2),
        "runs": len(samples),
    }


def target(name: str, value: float, limit: float, *, at_most: bool = True) -> dict:
    held = value <= limit if at_most else value >= limit
    return {
        "name": name,
        "value": round(value, 2),
        "target": f"{'≤' if at_most else '≥'} {limit}",
        "held": held,
    }


def explain(queryset) -> str:
    return explain_sql(*queryset.query.sql_with_params())


def explain_sql(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def statements_of(fn) -> list[tuple[str, list]]:
    """The SQL and parameters of each statement ``fn()`` sends, as the ORM wrote them (before
    ``ppsportal.compiled`` turns a marked one into ``EXECUTE`` of a prepared statement)."""
    sent = []

    def spy(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    connection.ensure_connection()
    connection.execute_wrappers.insert(0, spy)  # outermost: sees the statement as written
    try:
        fn()
    finally:
        connection.execute_wrappers.remove(spy)
    return sent


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "platform": platform.platform(),
    }


# A benchmark that measures the world the one before it built (B4 lists B3's contacts over HTTP).
SHARES_WORLD = {"B4": "B3"}


def main() -> int:
    from bench import benchmarks

    parser = argparse.ArgumentParser()
    from bench.b2_delivery import redis_answers

    # B2 starts a real worker: by default when Redis answers (REDIS_URL, or the local one)
    everything = "B1,B2,B3,B4,B5,B6" if redis_answers() else "B1,B3,B4,B5,B6"
    parser.add_argument("--only", default=everything)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--million", action="store_true", help="B3 also at 1,000,000 objects")
    args = parser.parse_args()
    # one log line per timed request (and a traceback per refused one) would drown the figures
    for name in ("ppsportal.request", "django.request"):
        logging.getLogger(name).setLevel(logging.ERROR)
    setup_test_environment()
    if connection.vendor != "postgresql":
        print("make bench needs PostgreSQL (BENCH_DATABASE_URL)")
        return 2
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    RESULTS.mkdir(exist_ok=True)
    ok = True
    previous = None
    try:
        for name in args.only.split(","):
            if previous is not None and SHARES_WORLD.get(name) != previous:
                # each benchmark builds its world in a database of its own (the demo's NCTV and
                # B1's are each the one NCTV organisation there may be)
                connection.creation.destroy_test_db(old_name, verbosity=0)
                old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
            previous = name
            started = time.perf_counter()
            result = getattr(benchmarks, name.lower())(args)
            result["machine"] = machine()
            result["seconds"] = round(time.perf_counter() - started, 1)
            (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
            for t in result["targets"]:
                flag = "held" if t["held"] else "MISSED"
                print(f"{name} {t['name']:<48} {t['value']:>10} (target {t['target']}) {flag}")
                ok &= t["held"]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_table()
    return 0 if ok else 1


def write_table() -> None:
    lines = []
    for path in sorted(RESULTS.glob("B*.json")):
        r = json.loads(path.read_text())
        m = r["machine"]
        lines.append(f"### {path.stem}: {r['workload']}\n")
        lines.append(
            f"{m['cpus']} cores (load {', '.join(map(str, m['load_average']))}), "
            f"PostgreSQL {m['postgresql']}, Python {m['python']}, Django {m['django']}; "
            f"{r['sizes']}\n"
        )
        p95 = any("p95_ms" in s for paths in r["paths"].values() for s in paths.values())
        lines.append(f"| path | min ms | median ms |{' p95 ms |' if p95 else ''} runs | queries |")
        lines.append(f"| --- | ---: | ---: |{' ---: |' if p95 else ''} ---: | ---: |")
        for size, paths in r["paths"].items():
            for name, s in paths.items():
                extra = f" {s.get('p95_ms')} |" if p95 else ""
                lines.append(
                    f"| {size}: {name} | {s['min_ms']} | {s['median_ms']} |{extra} {s['runs']} "
                    f"| {s['queries']} |"
                )
        lines.append("\n| target | value | wanted | |")
        lines.append("| --- | ---: | --- | --- |")
        for t in r["targets"]:
            lines.append(
                f"| {t['name']} | {t['value']} | {t['target']} "
                f"| {'held' if t['held'] else 'MISSED'} |"
            )
        if r.get("note"):
            lines.append(f"\n{r['note']}")
        lines.append("")
    text = DOC.read_text()
    if START in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        DOC.write_text(f"{head}{START}\n" + "\n".join(lines) + f"\n{END}{tail}")


if __name__ == "__main__":
    sys.exit(main())
