"""Shared fixtures: service requirements and the personas every test speaks of.

Personas are built through the services, never as hand-made rows:
- ``operator_a``: admin of partner A (a venue operator),
- ``viewer_a``: a read-only member of partner A,
- ``operator_b``: admin of partner B,
- ``nctv_staff``: a staff member of the NCTV.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import OrganisationFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def _service_missing(marker: str) -> str | None:
    if marker == "postgres" and not settings.USING_POSTGRES:
        return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/ppsportal"
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0"
    if marker == "rabbitmq":
        from tests.reliability.harness import RabbitServer

        if RabbitServer.binary() is None:
            return "needs RabbitMQ: install Debian's rabbitmq-server package"
    if marker == "browser":
        from tests.e2e.browser import chromium_path

        if chromium_path() is None:
            return "needs Chromium: install Debian's chromium package (CHROMIUM_PATH to override)"
    return None


# Tiers and xdist groups by directory (``make check`` leaves out what is marked here; ``make test``
# runs everything with ``-n 2 --dist loadgroup``): a new file under these folders is marked too.
TESTS = Path(__file__).resolve().parent
BY_DIRECTORY = {
    # private redis-server, RabbitMQ and PostgreSQL nodes, Celery worker processes, a web stack,
    # and bounds in seconds: one xdist worker runs them one after the other, as written to run.
    "reliability": "reliability",
    # Chromium and a live server per test: one worker, so two browsers never share the two cores.
    "e2e": "browser",
}


def _folder(nodeid: str) -> str | None:
    parts = nodeid.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with the folders of BY_DIRECTORY as groups: each goes to one worker
    as a whole. (xdist 3.8's own groups, the ``xdist_group`` mark, set by rewriting node ids,
    which pytest 9.2 no longer lets a plugin do: pytest-xdist issue 1386.)"""
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class GroupsByDirectory(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            group = BY_DIRECTORY.get(_folder(nodeid))
            return group if group is not None else super()._split_scope(nodeid)

    return GroupsByDirectory(config, log)


def _slow_tests() -> set[str]:
    """Node ids in tests/slow.txt: a file, a test (every parameter) or one parameter a line."""
    lines = (TESTS / "slow.txt").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def pytest_collection_modifyitems(config, items):
    slow = _slow_tests()
    for item in items:
        marker = BY_DIRECTORY.get(_folder(item.nodeid))
        if marker is not None:
            item.add_marker(marker)
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker("property")
        if slow & {item.nodeid, item.nodeid.split("[")[0], item.nodeid.split("::")[0]}:
            item.add_marker("slow")
    if hasattr(config, "workerinput"):
        # Under xdist the property tests come first (1,000 sequences of the sharing property
        # test in CI): one worker starts on them at once (make test hands tests out in this
        # order, --no-loadscope-reorder) while the other takes the rest, instead of one worker
        # being left with them at the end while the other idles.
        items.sort(key=lambda item: 0 if item.get_closest_marker("property") else 1)


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "rabbitmq", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _service_missing(marker)
        if reason is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (a request with Accept-Language: en would
    otherwise leave English active in this thread for the next test)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, monkeypatch):
    """pytest-django's, pinning the steady-state request: a signed-in session writes its
    last-seen time at most once a minute (``ppsportal.sessions.LAST_SEEN_RESOLUTION``), so a
    test whose setup takes over a minute on a busy machine would see that write inside the
    pinned block. Within the block it is not due; outside, sessions behave as always."""
    from contextlib import contextmanager

    from ppsportal import sessions

    @contextmanager
    def pinned(*args, **kwargs):
        with monkeypatch.context() as patch:
            patch.setattr(sessions, "LAST_SEEN_RESOLUTION", 10**9)
            with django_assert_num_queries(*args, **kwargs) as captured:
                yield captured

    return pinned


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Partner A Stadion", sector="football_stadium")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Partner B Evenementen", sector="event_grounds")


@pytest.fixture
def nctv(db):
    return OrganisationFactory(name="NCTV", kind="public", sector="", is_nctv=True)


@pytest.fixture
def operator_a(org_a):
    return UserFactory(username="operator-a", organisation=org_a, role="admin")


@pytest.fixture
def viewer_a(org_a):
    return UserFactory(username="viewer-a", organisation=org_a, role="viewer")


@pytest.fixture
def operator_b(org_b):
    return UserFactory(username="operator-b", organisation=org_b, role="admin")


@pytest.fixture
def nctv_staff(nctv):
    return UserFactory(username="nctv-staff", organisation=nctv, role="member", is_staff=True)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def fake_dns(monkeypatch):
    """Host names resolve from a table the test fills (``fake_dns.answer(name, *addresses)``);
    see ``tests/network.py``."""
    import socket

    from tests.network import FakeDNS

    resolver = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return resolver


@pytest.fixture
def loopback_only(monkeypatch):
    """Outgoing connections reach this machine only; others are recorded and refused."""
    import socket

    from tests.network import LoopbackOnly

    guard = LoopbackOnly(socket.create_connection)
    monkeypatch.setattr(socket, "create_connection", guard)
    return guard


@pytest.fixture(autouse=True)
def _sectors_after_a_flush(request):
    """Transactional tests (a live server, a browser) flush the database when they end, taking
    the sectors of the data migration with them; a later one puts them back first."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps

    from threats.models import Sector

    if not Sector.objects.exists():
        importlib.import_module("threats.migrations.0002_default_sectors").forward(apps, None)
    yield


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data (``seed_demo``, as ``make run`` has it) seeded once per test module, in a
    transaction rolled back after the module's last test. Each test runs in a savepoint inside
    it (pytest-django's ``db``), so what a test writes is gone for the next one; a test that
    needs the database without the demo data must not run after one that asks for this in the
    same module (tests/alerts/test_demo.py keeps such a test first)."""
    import io

    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
