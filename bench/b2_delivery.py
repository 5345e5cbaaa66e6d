"""B2: publish → every in-app delivery sent, by a real worker (``celery -A ppsportal worker -c 2``).

2,000 organisations x 5 users (their organisations' default switches email off, so each user
gets one in-app delivery: 10,000), one GREEN alert per run named to all of them, published
through ``alert_publish``; the clock runs from the call until the last of its in-app rows is
``sent`` (polled every 50 ms). The worker is started once, on the bench's database and Redis,
before the first run. No limit or peer path runs here (a worker is a separate process: the
numbers are whole seconds, and docs/benchmarks.md gives the issue's peer figures beside them).

Standalone (the worker can run another checkout's code, to measure before and after):

    BENCH_DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python bench/b2_delivery.py [--deliveries 10000] [--runs 3] [--worker-root DIR]

or through ``bench/run.py --only B2`` (``b2(args)``, REDIS_URL needed as well).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PER_ORGANISATION = 5
TARGET_SECONDS = 5.0


def _world(deliveries: int):
    """The NCTV (author, approver) and ``deliveries // 5`` organisations of five users, email
    off by default; bulk inserts but for the NCTV's two staff members."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from alerts.models import OrganisationChannelDefault
    from partnerships.models import Membership, Organisation
    from partnerships.services import organisations as org_services

    User = get_user_model()
    tag = secrets.token_hex(4)  # a kept database may hold an earlier run's world
    nctv = Organisation.objects.filter(is_nctv=True).first() or org_services.organisation_create(
        name="NCTV", kind="public", is_nctv=True
    )
    staff = [
        org_services.user_create(
            username=f"b2-{tag}-{name}",
            password=secrets.token_urlsafe(),
            organisation=nctv,
            is_staff=True,
        )
        for name in ("author", "approver")
    ]
    count = deliveries // PER_ORGANISATION
    groups = Group.objects.bulk_create([Group(name=f"b2-{tag}-{i}") for i in range(count)])
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"B2 {tag} {i}", kind="private", group=groups[i]) for i in range(count)]
    )
    users = User.objects.bulk_create(
        [
            User(username=f"b2-{tag}-{i}-{k}", is_active=True)
            for i in range(count)
            for k in range(PER_ORGANISATION)
        ],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, organisation=orgs[n // PER_ORGANISATION], role="member")
            for n, user in enumerate(users)
        ],
        batch_size=5000,
    )
    OrganisationChannelDefault.objects.bulk_create(
        [OrganisationChannelDefault(organisation=o, channel="email", enabled=False) for o in orgs]
    )
    return staff, orgs


def _publish(staff, orgs, run: int):
    from alerts import services

    author, approver = staff
    alert = services.alert_create(
        by=author,
        headline=f"B2 run {run}",
        description="Bench.",
        instruction="Bench.",
        atb_level="matige_dreiging",
        tlp="green",
        organisations=orgs,
    )
    alert = services.alert_approve(alert=alert, by=approver)
    return services.alert_publish(alert=alert, by=approver)


def _start_worker(root: Path, database_url: str, logs: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ppsportal.settings_test",
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }
    log = logs.open("ab")
    celery = str(Path(sys.executable).with_name("celery"))
    process = subprocess.Popen(  # noqa: S603  # nosec B603: our own celery, fixed arguments
        [celery, "-A", "ppsportal", "worker", "-c", "2", "-P", "prefork", "-l", "WARNING"],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return process


def _wait_sent(alert, expected: int, started: float, timeout: float) -> float:
    from alerts.models import Delivery

    sent = Delivery.objects.filter(alert=alert, channel="in_app", status="sent")
    while time.perf_counter() - started < timeout:
        if sent.count() >= expected:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise TimeoutError(f"{sent.count()} of {expected} sent after {timeout:.0f} s")


def b2(args) -> dict:
    from django.db import connection

    from ppsportal.celery import app

    deliveries = getattr(args, "deliveries", 10_000)
    runs = getattr(args, "b2_runs", None) or min(getattr(args, "runs", 3), 3)
    root = Path(getattr(args, "worker_root", None) or ROOT)
    timeout = getattr(args, "timeout", 900)
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("B2 needs REDIS_URL: the worker takes its tasks from Redis")
    staff, orgs = _world(deliveries)
    app.control.purge()
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}"
        f"/{settings_dict['NAME']}"
    )
    logs = Path(tempfile.mkdtemp(prefix="b2-")) / "worker.log"
    worker = _start_worker(root, database_url, logs)
    samples = []
    try:
        time.sleep(8)  # the worker's start (imports, pool) is not part of a run
        for run in range(runs):
            started = time.perf_counter()
            alert = _publish(staff, orgs, run)
            samples.append(_wait_sent(alert, deliveries, started, timeout))
            print(f"B2 run {run}: {samples[-1]:.2f} s", flush=True)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    median = statistics.median(samples)
    return {
        "workload": f"publish → {deliveries:,} in-app deliveries sent, one worker (-c 2)",
        "sizes": f"{deliveries // PER_ORGANISATION:,} organisations x {PER_ORGANISATION} users",
        "paths": {
            f"{deliveries}": {
                "ours": {
                    "min_ms": round(min(samples) * 1000, 1),
                    "median_ms": round(median * 1000, 1),
                    "runs": len(samples),
                    "queries": "-",
                }
            }
        },
        "targets": [
            {
                "name": "in-app: publish → all sent (s)",
                "value": round(median, 2),
                "target": f"≤ {TARGET_SECONDS}",
                "held": median <= TARGET_SECONDS,
            }
        ],
        "note": f"Worker code from {root}; log {logs}.",
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker-root", default=str(ROOT))
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keepdb", action="store_true", help="keep the test database")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppsportal.settings_test")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pps_bench"
    )
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keepdb, serialize=False
    )
    try:
        result = b2(args)
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    for t in result["targets"]:
        print(f"B2 {t['name']}: {t['value']} (target {t['target']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
