"""Benchmarks of the hot paths, against the baselines in bench/baselines.json.

Run with `make bench` (never part of `make test`). Uses a throwaway test database: SQLite by
default, PostgreSQL when DATABASE_URL is set. Each benchmark reports the median of several runs
in milliseconds and its ratio to the baseline recorded for that database; a ratio above
ALLOWED_RATIO fails the run. `make bench BENCH_ARGS=--record` writes new baselines.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppsportal.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

BASELINES = ROOT / "bench" / "baselines.json"
ALLOWED_RATIO = 3.0
REPEATS = 7


def median_ms(fn, repeats: int = REPEATS) -> float:
    fn()  # warm up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def build(entries: int, partnerships: int):
    from partnerships.models import ContactEntry, ContactEntryGroupGrant
    from partnerships.services import partnerships as partnership_services
    from partnerships.sharing.registry import spec_for
    from partnerships.sharing.services import _view_permission
    from tests.factories import OrganisationFactory
    from tests.partnerships.sharing_world import build_world

    w = build_world()
    today = timezone.localdate()
    owner = w.orgs["A"]
    rows = [
        ContactEntry(
            partnership=w.partnership,
            occurred_on=today,
            kind="call",
            summary=f"Bench {i}",
            tlp="amber" if i % 2 else "green",
            owner_organisation=owner,
            created_by=w.users["a1"],
        )
        for i in range(entries)
    ]
    ContactEntry.objects.bulk_create(rows, batch_size=2000)
    permission = _view_permission(spec_for(ContactEntry))
    amber = ContactEntry.objects.filter(tlp="amber").values_list("pk", flat=True)
    ContactEntryGroupGrant.objects.bulk_create(
        [
            ContactEntryGroupGrant(
                content_object_id=pk,
                group=w.orgs["B"].group,
                permission=permission,
                organisation=w.orgs["B"],
                covenant=w.covenants["amber"],
                reason="bench",
            )
            for i, pk in enumerate(amber)
            if i % 2 == 0
        ],
        batch_size=2000,
    )
    for i in range(partnerships):
        org = OrganisationFactory(name=f"Bench org {i}")
        partnership_services.partnership_create(
            name=f"Bench PPS {i}",
            kind="venue",
            status="active",
            members=[(org, "venue_operator"), (w.orgs["B"], "municipality")],
            joined_on=today - timedelta(days=30),
        )
    return w


def benchmarks(w) -> dict[str, float]:
    from django.contrib.auth import get_user_model

    from partnerships.selectors import actor_for, contacts_visible_to, partnership_health_list

    User = get_user_model()

    def fresh(user):
        return actor_for(User.objects.select_related("membership__organisation").get(pk=user.pk))

    partner, staff = w.users["b1"], w.staff
    return {
        "contacts_visible_list_partner": median_ms(
            lambda: list(contacts_visible_to(fresh(partner))[:200])
        ),
        "contacts_visible_count_partner": median_ms(
            lambda: contacts_visible_to(fresh(partner)).count()
        ),
        "partnership_health_list_staff": median_ms(lambda: partnership_health_list(fresh(staff))),
    }


def fan_out_ms(w, recipients: int = 5000, repeats: int = REPEATS) -> float:
    """Publishing an alert to ``recipients`` users on two channels each: the transaction that
    commits the new state, the recipients and 2 x ``recipients`` delivery rows, then enqueues
    the batch tasks (on Celery's in-memory broker here: the workers' sending is not timed)."""
    from alerts import services
    from ppsportal.celery import app
    from tests.factories import OrganisationFactory, UserFactory
    from tests.reliability.harness import members

    app.conf.task_always_eager = False  # enqueue only; nothing is sent in-process
    nctv = w.staff.membership.organisation
    author = UserFactory(username="bench-author", organisation=nctv, is_staff=True)
    approver = w.staff
    venue = OrganisationFactory(name="Bench stadium")
    members(venue, recipients, "bench-steward")

    def approved():
        alert = services.alert_create(
            by=author,
            headline="Bench",
            description="Bench",
            atb_level="matige_dreiging",
            tlp="green",
            organisations=[venue],
        )
        return services.alert_approve(alert=alert, by=approver)

    samples = []
    for _ in range(repeats + 1):
        alert = approved()
        start = time.perf_counter()
        services.alert_publish(alert=alert, by=approver)
        samples.append((time.perf_counter() - start) * 1000)
    assert alert.deliveries.count() == 2 * recipients
    return statistics.median(samples[1:])  # the first warms up


def main() -> int:
    record = "--record" in sys.argv
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        w = build(entries=10_000, partnerships=200)
        print(
            f"data built in {time.perf_counter() - started:.1f} s "
            f"(10,000 contact-log entries, 200 partnerships) on {connection.vendor}"
        )
        results = benchmarks(w)
        results["alert_publish_fan_out_10000"] = fan_out_ms(w)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    baselines = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
    vendor = baselines.setdefault(connection.vendor, {})
    failed = False
    for name, value in results.items():
        base = vendor.get(name)
        ratio = value / base if base else None
        flag = ""
        if ratio is not None and ratio > ALLOWED_RATIO:
            flag, failed = "  REGRESSION", True
        shown = f"{ratio:.2f}x baseline {base:.1f} ms" if base else "no baseline"
        print(f"{name:<36} {value:8.1f} ms  ({shown}){flag}")
        if record:
            vendor[name] = round(value, 1)
    if record:
        BASELINES.write_text(json.dumps(baselines, indent=2, sort_keys=True) + "\n")
        print(f"baselines written to {BASELINES}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
