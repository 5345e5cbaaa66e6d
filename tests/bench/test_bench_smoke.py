"""The bench harness (bench/, `make bench`) at tiny sizes, so that it cannot rot unnoticed: each
benchmark builds its world, runs our path, the limit and the peer, and returns its figures and
targets. Whether the targets hold is `make bench`'s business, at the stated sizes; nothing here
looks at a time. PostgreSQL only, like `make bench`."""

from __future__ import annotations

import gc
import os
from types import SimpleNamespace

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bench(monkeypatch):
    # bench.run points DATABASE_URL at BENCH_DATABASE_URL when imported: keep it where it is
    monkeypatch.setenv("BENCH_DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    from bench import benchmarks

    monkeypatch.setattr(benchmarks, "SCALE", 0.002)
    monkeypatch.setattr(benchmarks, "HTTP_SECONDS", 0.3)
    return benchmarks


ARGS = SimpleNamespace(runs=1, million=False)


def well_formed(result: dict) -> None:
    assert result["workload"] and result["sizes"]
    for paths in result["paths"].values():
        assert len(paths) >= 2  # our path and at least the limit
        for figures in paths.values():
            assert 0 < figures["min_ms"] <= figures["median_ms"]
            assert figures["runs"] == ARGS.runs
    assert result["targets"]
    for t in result["targets"]:
        assert t["value"] >= 0 and isinstance(t["held"], bool)


def test_b1_fan_out_against_copy_and_one_task_per_recipient(bench):
    from alerts.models import Delivery

    result = bench.b1(ARGS)
    well_formed(result)
    assert list(result["paths"]) == ["20 deliveries", "200 deliveries"]
    for paths in result["paths"].values():
        assert any(name.startswith("peer") for name in paths)
    assert all("Trigger for constraint" in plan for plan in result["plans"].values())
    assert not Delivery.objects.exists()  # the tables are left empty


def test_b3_count_and_page_against_the_organisation_column_and_stock_guardian(bench):
    result = bench.b3(ARGS)
    well_formed(result)
    (paths,) = result["paths"].values()
    assert set(paths) == {
        "ours",
        "ours, the window over the door's rows (as before, no target)",
        "ours, count and page apart (as before, no target)",
        "limit (organisation column)",
        "limit, count in the page (no target)",
        "peer (stock guardian)",
        "NCTV staff, every entry (no target)",
        "NCTV staff, every entry, count in the page forced (no target)",
    }
    assert paths["ours"]["queries"] == 2  # who is asking; the count and the page in one query
    assert paths["ours, count and page apart (as before, no target)"]["queries"] == 3
    # staff: nothing narrows their list, so it is counted and paged apart (ppsportal.pagination)
    assert paths["NCTV staff, every entry (no target)"]["queries"] == 3
    assert paths["NCTV staff, every entry, count in the page forced (no target)"]["queries"] == 2
    assert all(plan.strip() for plan in result["plans"].values())
    assert paths["ours, the window over the door's rows (as before, no target)"]["queries"] == 2
    before = result["plans"]["one query, as before: the page of 50 with COUNT(*) OVER ()"]
    assert "WindowAgg" in before
    deferred = "one query: the page of 50 cut from the door's keys (a deferred join)"
    assert "CTE pps_door_page" in result["plans"][deferred]


def test_b4_contacts_over_http_against_a_bare_view(bench):
    result = bench.b4(ARGS)
    well_formed(result)
    (paths,) = result["paths"].values()
    ours = paths["ours (/api/v1/contacts/, token)"]
    assert ours["queries"] >= 1 and ours["p99_ms_at_half_rate"] is not None


def test_b5_acknowledgements_against_a_bare_insert(bench):
    from alerts.models import Acknowledgement

    result = bench.b5(ARGS)
    well_formed(result)
    (paths,) = result["paths"].values()
    assert paths["ours (POST /api/v1/alerts/…/acknowledge/, token)"]["queries"] > 1
    assert paths["limit (bare endpoint inserting one row)"]["queries"] >= 1
    assert not Acknowledgement.objects.exists()


@pytest.mark.redis
def test_b2_publish_to_sent_by_a_real_worker_against_one_update_and_one_task_each(bench):
    from alerts.models import Delivery

    result = bench.b2(ARGS)
    well_formed(result)
    assert list(result["paths"]) == ["20 in-app deliveries", "5 e-mails"]
    in_app, email = result["paths"].values()
    assert [name.split(" ")[0] for name in in_app] == ["ours", "limit", "peer"]
    assert [name.split(" ")[0] for name in email] == ["ours", "limit"]
    assert set(result["ratios"]) == {"ours / limit", "peer / ours", "e-mail ours / sink alone"}
    # every row of every path was sent by the worker: ours, the limit's, the peer's, e-mails
    assert not Delivery.objects.exclude(status="sent").exists()
    assert Delivery.objects.filter(channel="email", status="sent").count() == 2 * 5


def test_b6_dashboard_pages_at_the_demo_and_twice_it(bench, monkeypatch, transactional_db):
    # transactional_db by name: the sectors come back after an earlier test's flush (conftest)
    from bench import b6_dashboard

    monkeypatch.setattr(b6_dashboard, "TIMES", 2)
    monkeypatch.setattr(b6_dashboard, "SAMPLES_PER_RUN", 1)
    monkeypatch.setattr(b6_dashboard, "PERSONAS", {"partner member": "amsterdam-police"})
    some = {"home", "partnership-list", "alert-inbox", "partnership-detail", "alert-acknowledge"}
    monkeypatch.setattr(b6_dashboard, "ONLY", some)
    result = bench.b6(ARGS)
    well_formed(result)
    assert list(result["paths"]) == ["demo", "2 times"]
    pages = result["pages"]["partner member"]
    assert set(pages) == some - {"alert-acknowledge"}
    for paths in result["paths"].values():
        assert b6_dashboard.LIMIT in paths
        assert {f"partner member: {name}" for name in pages} <= set(paths)
        assert all(figures["queries"] >= 1 for figures in paths.values())
    assert result["not_pages"]["partner member"]["alert-acknowledge"] == "GET 405"  # a POST
    assert len(result["targets"]) == 4
    # each page's queries counted at twice the demo too (here the size measured)
    assert set(result["queries_at_twice"]) == {f"partner member: {name}" for name in pages}
    assert result["rows_copied"]["partnerships.Partnership"] == 3  # the demo's three, again
    assert gc.get_freeze_count() == 0  # the heap frozen while measuring is handed back
