"""B2: publish → every delivery sent, by real worker processes (``celery -A ppsportal worker
-c 2``), against the limit and the naive peer, interleaved, in one process.

2,000 organisations x 5 users whose organisations switch e-mail off (one in-app delivery each:
10,000), and for the e-mail run 200 more organisations x 5 users with an address, in-app off
(1,000 e-mails, to an SMTP sink on loopback, ``bench/smtp_sink.py``). One worker is started
once (``tests.reliability.harness.start_worker``, the reliability tests' own start, with
``bench.worker_settings`` and ``bench.tasks``) and serves every path; each path's clock runs
from its first statement until the last of its rows is ``sent`` (polled every 20 ms). The alerts
are created and approved beforehand: the clock starts at ``alert_publish``.

- **ours**: ``alert_publish`` of a GREEN alert to all of them (the fan-out commits, batches are
  enqueued, the worker claims, checks and marks them);
- **limit**: the same rows written by one bare INSERT … SELECT from the memberships and marked
  sent by one bare task (``bench.tasks.mark_sent``: one UPDATE) through the same broker and
  worker: the machine's database, broker and worker without the application;
- **peer**: the naive design, one Celery task per recipient through the per-row path
  (``bench.tasks.deliver_one``), after the same ``alert_publish``; timed on 1,000 recipients and
  scaled linearly to the full audience;
- **e-mail, ours**: ``alert_publish`` to the e-mail organisations, every e-mail accepted by the
  sink; **e-mail, limit**: the sink alone, the same number of messages of the same size sent
  from this process, one connection each and two at a time, as the worker's two processes do.

Standalone:

    BENCH_DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python bench/b2_delivery.py [--runs 3]

or through ``bench/run.py`` (B2 is in the default set when Redis answers at ``REDIS_URL``).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PER_ORGANISATION = 5
DELIVERIES = 10_000
PEER_SAMPLE = 1_000
EMAILS = 1_000
TARGET_SECONDS = 5.0
POLL_SECONDS = 0.02
TIMEOUT_SECONDS = 900


def redis_url() -> str:
    """The Redis B2's broker and worker use: ``REDIS_URL``, else a database of the local one."""
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_answers() -> bool:
    """Whether Redis answers at ``redis_url()`` (``bench/run.py`` runs B2 by default then)."""
    parts = urlsplit(redis_url())
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def _world(organisations: int, *, email: bool) -> list:
    """``organisations`` organisations of five users, bulk-inserted: e-mail off by default, or
    (``email``) in-app off and an address for every user."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from alerts.models import OrganisationChannelDefault
    from partnerships.models import Membership, Organisation

    User = get_user_model()
    tag = f"{secrets.token_hex(3)}{'e' if email else 'i'}"  # a kept database may hold a run's
    groups = Group.objects.bulk_create([Group(name=f"b2-{tag}-{i}") for i in range(organisations)])
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"B2 {tag} {i}", kind="private", group=groups[i])
            for i in range(organisations)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(
                username=f"b2-{tag}-{i}-{k}",
                email=f"b2-{tag}-{i}-{k}@bench.invalid" if email else "",
                is_active=True,
            )
            for i in range(organisations)
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
        [
            OrganisationChannelDefault(
                organisation=o, channel="in_app" if email else "email", enabled=False
            )
            for o in orgs
        ]
    )
    return orgs


def _staff() -> tuple:
    from partnerships.models import Organisation
    from partnerships.services import organisations as org_services

    tag = secrets.token_hex(4)
    nctv = Organisation.objects.filter(is_nctv=True).first() or org_services.organisation_create(
        name="NCTV", kind="public", is_nctv=True
    )
    return tuple(
        org_services.user_create(
            username=f"b2-{tag}-{name}",
            password=secrets.token_urlsafe(),
            organisation=nctv,
            is_staff=True,
        )
        for name in ("author", "approver")
    )


def _approved(staff, orgs, headline: str):
    """A GREEN alert to these organisations, created and approved (outside the timing)."""
    from alerts import services

    author, approver = staff
    alert = services.alert_create(
        by=author,
        headline=headline,
        description="Bench.",
        instruction="Bench.",
        atb_level="matige_dreiging",
        tlp="green",
        organisations=orgs,
    )
    return services.alert_approve(alert=alert, by=approver)


def _publish(staff, alerts: list):
    """Publish the next of the alerts prepared for a path: what each path's clock times."""
    from alerts import services

    return services.alert_publish(alert=alerts.pop(), by=staff[1])


class Clock:
    """Polls until every expected row of an alert is sent; keeps when the first one was."""

    def __init__(self) -> None:
        self.first: list[float] = []

    def wait(self, alert_id: int, channel: str, expected: int, started: float) -> float:
        from alerts.models import Delivery

        rows = Delivery.objects.filter(alert_id=alert_id, channel=channel, status="sent")
        first = None
        while (elapsed := time.perf_counter() - started) < TIMEOUT_SECONDS:
            sent = rows.count()
            if sent and first is None:
                first = elapsed
            if sent >= expected:
                self.first.append(first)
                return elapsed
            time.sleep(POLL_SECONDS)
        raise TimeoutError(f"{rows.count()} of {expected} {channel} sent after {TIMEOUT_SECONDS} s")


def _bare_insert(alert_id: int, organisation_ids: list[int]) -> None:
    """The limit's rows: one in-app row per member, one INSERT … SELECT, committed."""
    from django.db import connection, transaction

    from alerts.models import Delivery
    from partnerships.models import Membership

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Delivery._meta.db_table} (public_id, alert_id, recipient_id,"  # noqa: S608  # nosec B608  # names from model metadata, values are parameters
            " organisation_id, webhook_id, channel, purpose, status, attempts, next_attempt_at,"
            " dispatched_until, last_error, sent_at, read_at, created_at)"
            " SELECT gen_random_uuid(), %s, m.user_id, m.organisation_id, NULL, 'in_app',"
            " 'notice', 'queued', 0, now(), NULL, '', NULL, NULL, now()"
            f" FROM {Membership._meta.db_table} m WHERE m.organisation_id = ANY(%s)",
            [alert_id, organisation_ids],
        )


def _database_url() -> str:
    from django.db import connection

    d = connection.settings_dict
    password = f":{d['PASSWORD']}" if d.get("PASSWORD") else ""
    return (
        f"postgres://{d.get('USER') or 'postgres'}{password}@{d.get('HOST') or '127.0.0.1'}"
        f":{d.get('PORT') or 5432}/{d['NAME']}"
    )


def b2(args) -> dict:
    from alerts import services
    from alerts.channels.email import EmailTransport
    from alerts.models import Delivery
    from bench.benchmarks import scaled
    from bench.run import interleaved, target
    from bench.smtp_sink import sink_rate
    from ppsportal.celery import app
    from tests.reliability.harness import broker, start_worker, stop_worker

    if not redis_answers():
        raise SystemExit(f"B2 needs Redis at {redis_url()} (REDIS_URL): the worker's broker")
    runs = getattr(args, "b2_runs", None) or min(getattr(args, "runs", 3), 5)
    deliveries = scaled(DELIVERIES, PER_ORGANISATION) // PER_ORGANISATION * PER_ORGANISATION
    peer_n = min(scaled(PEER_SAMPLE, PER_ORGANISATION), deliveries)
    emails = scaled(EMAILS, PER_ORGANISATION) // PER_ORGANISATION * PER_ORGANISATION
    staff = _staff()
    orgs = _world(deliveries // PER_ORGANISATION, email=False)
    email_orgs = _world(emails // PER_ORGANISATION, email=True)
    org_ids = [o.pk for o in orgs]
    prepared = {  # created and approved beforehand: a path times the publication on
        path: [_approved(staff, audience, f"B2 {path} {n}") for n in range(runs + 1)]
        for path, audience in (
            ("ours", orgs),
            ("peer", orgs[: peer_n // PER_ORGANISATION]),
            ("email", email_orgs),
            ("limit", orgs[:1]),  # only its id: the limit writes its own rows
        )
    }
    logs = Path(tempfile.mkdtemp(prefix="b2-"))
    sink = subprocess.Popen(  # noqa: S603  # nosec B603: our own sink, fixed arguments
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # without REDIS_URL the bench's settings run tasks inline
    # The bench's own keys on the broker: a worker of anything else on the same Redis database
    # (a test run's, another bench's) would otherwise take its tasks and stall its clocks.
    prefix = f"bench-b2-{os.getpid()}:"
    transport_options = app.conf.broker_transport_options
    app.conf.broker_transport_options = {**transport_options, "global_keyprefix": prefix}
    with_broker = broker(redis_url())
    with_broker.__enter__()
    app.control.purge()
    clock, email_clock = Clock(), Clock()
    message: list[bytes] = []
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        port = int(sink.stdout.readline())
        env = {
            "DJANGO_SETTINGS_MODULE": "bench.worker_settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_url(),
            "BENCH_SMTP_PORT": str(port),
            "BENCH_BROKER_KEY_PREFIX": prefix,
        }
        worker = start_worker(
            "b2", env=env, log_path=logs / "worker.log", include="bench.tasks", timeout=120
        )

        def ours():
            started = time.perf_counter()
            alert = _publish(staff, prepared["ours"])
            clock.wait(alert.pk, "in_app", deliveries, started)

        def limit():
            started = time.perf_counter()
            alert_id = prepared["limit"].pop().pk
            _bare_insert(alert_id, org_ids)
            app.send_task("bench.tasks.mark_sent", args=[alert_id])
            Clock().wait(alert_id, "in_app", deliveries, started)

        def one_task_each(*, alert_id: int) -> int:
            ids = list(
                Delivery.objects.filter(alert_id=alert_id, status="queued")
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for pk in ids:
                app.send_task("bench.tasks.deliver_one", args=[pk])
            return len(ids)

        def peer():
            started = time.perf_counter()
            with mock.patch.object(services, "enqueue_pending", one_task_each):
                alert = _publish(staff, prepared["peer"])
            Clock().wait(alert.pk, "in_app", peer_n, started)

        def ours_email():
            started = time.perf_counter()
            alert = _publish(staff, prepared["email"])
            email_clock.wait(alert.pk, "email", emails, started)
            if not message:  # one of ours, as the limit's message
                row = Delivery.objects.filter(alert=alert, channel="email").first()
                mail = EmailTransport().compose(row)
                message.append(mail.message().as_bytes(linesep="\r\n"))

        def limit_email():
            sink_rate(port, emails, message=message[0], concurrency=2)

        names = {
            "ours": "ours (alert_publish, batches)",
            "limit": "limit (bare INSERT, one task, one UPDATE)",
            "peer": f"peer (one task per recipient, {peer_n:,} timed, extrapolated)",
            "ours_email": "ours (alert_publish, e-mail to the sink)",
            "limit_email": "limit (the sink alone, same messages, 2 at a time)",
        }
        figures = interleaved(
            {
                names["ours"]: ours,
                names["limit"]: limit,
                names["peer"]: peer,
                names["ours_email"]: ours_email,
                names["limit_email"]: limit_email,
            },
            runs,
            scale={names["peer"]: deliveries / peer_n},
        )
    finally:
        stop_worker(worker)
        sink.terminate()
        sink.wait(timeout=10)
        with_broker.__exit__(None, None, None)
        app.conf.broker_transport_options = transport_options
        app.conf.task_always_eager = eager
    for f in figures.values():
        f["queries"] = "-"  # the work is the worker's: 4 queries per batch of 200 in-app rows
    first = sorted(clock.first[1:] or clock.first)
    ours_s = figures[names["ours"]]["median_ms"] / 1000
    ratio = {
        "ours / limit": figures[names["ours"]]["median_ms"] / figures[names["limit"]]["median_ms"],
        "peer / ours": figures[names["peer"]]["median_ms"] / figures[names["ours"]]["median_ms"],
        "e-mail ours / sink alone": figures[names["ours_email"]]["median_ms"]
        / figures[names["limit_email"]]["median_ms"],
    }
    email_ratio = ratio["e-mail ours / sink alone"]
    email_rate = emails / (figures[names["ours_email"]]["median_ms"] / 1000)
    sink_alone = emails / (figures[names["limit_email"]]["median_ms"] / 1000)
    in_app = f"{deliveries:,} in-app deliveries"
    return {
        "workload": "publish → every delivery sent by a real worker (celery, prefork, -c 2)",
        "sizes": (
            f"{deliveries // PER_ORGANISATION:,} organisations x {PER_ORGANISATION} users "
            f"(in-app); {emails // PER_ORGANISATION:,} x {PER_ORGANISATION} (e-mail to an SMTP "
            "sink on loopback)"
        ),
        "paths": {
            in_app: {names[k]: figures[names[k]] for k in ("ours", "limit", "peer")},
            f"{emails:,} e-mails": {
                names[k]: figures[names[k]] for k in ("ours_email", "limit_email")
            },
        },
        "ratios": {k: round(v, 2) for k, v in ratio.items()},
        "first_sent_ms": [round(x * 1000) for x in first if x is not None],
        "targets": [
            target(f"{in_app}: publish → all sent, median (s)", ours_s, TARGET_SECONDS),
            # bounded by the sink: within B1's 1.5x of the limit, the sink's own rate
            target("e-mail: ours / the sink alone (median)", email_ratio, 1.5),
        ],
        "note": (
            f"Ratios of the medians: ours / limit {ratio['ours / limit']:.1f}, peer / ours "
            f"{ratio['peer / ours']:.1f}; e-mail {email_rate:.0f} a second against the sink's "
            f"{sink_alone:.0f} alone ({ratio['e-mail ours / sink alone']:.1f} times). From "
            f"publish to the first in-app row sent (ours, median): "
            f"{(first[len(first) // 2] * 1000 if first else 0):.0f} ms. Load average when B2 "
            f"began: {', '.join(map(str, load_before))}. Queries are the worker's (4 per batch "
            "of 200 in-app rows, tests/alerts/test_delivery_batch.py), not counted here."
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
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
    print(result["note"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
