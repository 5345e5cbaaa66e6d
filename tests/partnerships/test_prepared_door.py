"""The read door's compiled queries run as prepared statements on PostgreSQL
(``ppsportal.compiled``): the same rows as the ORM's own query, prepared once per connection and
statement text, again after a reconnect, never aborting the caller's transaction, the number of
queries unchanged."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import BooleanField, Case, IntegerField, Value, When
from django.test import override_settings
from django.utils import timezone

from partnerships.models import ContactEntry
from partnerships.selectors import actor_for, contacts_visible_to
from partnerships.sharing.registry import all_specs
from partnerships.sharing.selectors import visible_pks, visible_to
from ppsportal import compiled
from tests.partnerships.sharing_world import build_world, share, share_red_with_b1

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL only"
)


@pytest.fixture
def w():
    w = build_world()
    share(w, [w.entries["amber"]], "B", "amber")
    share(w, [w.entries["amber_strict"]], "C", "strict")
    share_red_with_b1(w)
    return w


@contextmanager
def sent():
    """The statements as they reach the database (after ``compiled.execute_prepared``)."""
    texts: list[str] = []

    def record(execute, sql, params, many, context):
        texts.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield texts


def on_server() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def actor(user):
    return actor_for(type(user).objects.select_related("membership__organisation").get(pk=user.pk))


def count_and_page(user) -> tuple[int, list[int]]:
    qs = contacts_visible_to(actor(user)).order_by("pk")
    return qs.count(), [e.pk for e in qs[:50]]


def statements_afresh() -> None:
    """Start this connection's prepared statements afresh. The xdist worker's connection carries
    the statements of the tests before; one near ``compiled.PER_CONNECTION`` deallocates them
    all between the count and the page, and the count's statement is then no longer there."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection._pps_prepared = None


@postgresql_only
def test_the_count_and_page_of_the_read_door_run_as_prepared_statements(w):
    statements_afresh()
    with sent() as texts:
        count, page = count_and_page(w.users["b1"])

    door = [t for t in texts if "pps_" in t or compiled.PREPARED in t]
    assert len(door) == 2 and all(t.startswith("EXECUTE pps_") for t in door), texts
    assert {t.split("(")[0].removeprefix("EXECUTE ") for t in door} <= on_server()
    assert count == len(page) == 4  # clear, green, amber (group grant to B), red (user grant)


@postgresql_only
def test_prepared_answers_equal_the_orms_own_query_for_every_user_and_model(w):
    """Property-style: every user of the world (partners, outsider, NCTV staff) and every
    shareable model; the prepared door against the uncompiled ORM query of the same rule."""
    users = [*w.users.values(), w.staff]
    prepared_runs = 0
    for spec in all_specs():
        everything = spec.model._base_manager.all()
        for user in users:
            who = actor(user)
            with sent() as texts:
                got = set(visible_to(who, everything).values_list("pk", flat=True))
            prepared_runs += any(t.startswith("EXECUTE pps_") for t in texts)
            plain = visible_pks(who, spec)
            expected = set(
                everything.values_list("pk", flat=True)
                if plain is None
                else everything.filter(pk__in=plain).values_list("pk", flat=True)
            )
            assert got == expected, (spec.label, user.username)
    assert prepared_runs >= len(w.users)  # the door ran prepared, not only the fallback


@postgresql_only
def test_a_repeat_prepares_nothing_and_sends_as_many_queries(w, django_assert_num_queries):
    first = count_and_page(w.users["b1"])
    prepared = on_server()
    who = actor(w.users["b1"])

    with django_assert_num_queries(2):  # the count and the page, as unprepared
        qs = contacts_visible_to(who).order_by("pk")
        again = qs.count(), [e.pk for e in qs[:50]]

    assert again == first
    assert on_server() == prepared


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(w):
    first = count_and_page(w.users["b1"])
    connection.close()

    with sent() as texts:
        assert count_and_page(w.users["b1"]) == first

    names = {t.split("(")[0].removeprefix("EXECUTE ") for t in texts if t.startswith("EXECUTE")}
    assert len(names) == 2 and names <= on_server()


@postgresql_only
def test_a_statement_is_named_by_its_text(w):
    """The day is a parameter of the door's SQL: another day, the same statement; another text
    (another compiled shape, another page) is another statement."""
    today = timezone.localdate()
    who = actor(w.users["b1"])
    names = []
    for day in (today, today + timedelta(days=1)):
        with sent() as texts:
            list(visible_to(who, ContactEntry.objects.all(), today=day).values_list("pk"))
        names += [t.split("(")[0] for t in texts if t.startswith("EXECUTE")]

    assert len(names) == 2 and len(set(names)) == 1
    assert compiled.statement_name("SELECT 1") != compiled.statement_name("SELECT 2")
    assert compiled.statement_name("SELECT %s", ("text",)) != compiled.statement_name(
        "SELECT %s", ("bigint",)
    )


@postgresql_only
def test_values_the_orm_binds_keep_their_type_when_prepared(w):
    """A parameter that meets only other parameters (``CASE WHEN … THEN $2 ELSE $3``) would be
    typed text by PostgreSQL: ``'false'`` for ``False`` (truthy in Python), ``'10'`` sorted
    before ``'9'``. Declared from the Python values, the prepared rows equal the plain ones."""
    who = actor(w.users["b1"])
    red = w.entries["red"].pk
    flagged = Case(
        When(pk=red, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    rank = Case(When(pk=red, then=Value(9)), default=Value(10), output_field=IntegerField())

    def rows():
        qs = contacts_visible_to(who).annotate(flagged=flagged, rank=rank).order_by("rank", "pk")
        return list(qs.values_list("pk", "flagged", "rank"))

    with sent() as texts:
        prepared = rows()
    assert any(t.startswith("EXECUTE pps_") for t in texts)
    with override_settings(DATABASE_PREPARED_STATEMENTS=False):
        connection.execute_wrappers.remove(compiled.execute_prepared)
        try:
            plain = rows()
        finally:
            connection.execute_wrappers.insert(0, compiled.execute_prepared)

    assert prepared == plain
    assert prepared[0] == (red, True, 9)
    assert all(flag is False and r == 10 for _pk, flag, r in prepared[1:])


@postgresql_only
def test_a_server_side_cursor_runs_the_door_unprepared(w):
    """``QuerySet.iterator()`` reads through a named cursor (``DECLARE … CURSOR FOR``), which
    cannot take an ``EXECUTE``: the statement goes as compiled."""
    who = actor(w.users["b1"])
    with sent() as texts:
        through_cursor = [e.pk for e in contacts_visible_to(who).order_by("pk").iterator()]

    assert through_cursor == count_and_page(w.users["b1"])[1]
    assert not any(t.startswith("EXECUTE") for t in texts)


@postgresql_only
def test_prepared_statements_are_planned_once(w):
    with sent() as texts:
        count_and_page(w.users["b1"])
        count_and_page(w.users["b2"])
    names = sorted({t.split("(")[0].removeprefix("EXECUTE ") for t in texts if "pps_" in t})
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
        cursor.execute(
            "SELECT custom_plans, generic_plans FROM pg_prepared_statements WHERE name = ANY(%s)",
            [names],
        )
        plans = cursor.fetchall()
    assert len(plans) == len(names) == 2
    assert all(custom == 0 and generic >= 2 for custom, generic in plans)


@postgresql_only
def test_a_statement_that_cannot_be_prepared_runs_plainly_inside_the_transaction(w):
    # the declared type (text) does not fit where the parameter is used: PREPARE fails, in its
    # savepoint, and the statement runs as sent (the literal '1' taken as an integer)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"{compiled.PREPARED} SELECT %s IN (1, 2)", ["1"])
            assert cursor.fetchone() == (True,)
            # a parameter of no declared type (None) is not prepared at all
            cursor.execute(f"{compiled.PREPARED} SELECT %s IS NULL", [None])
            assert cursor.fetchone() == (True,)
        # the transaction is usable, and the read door still runs prepared
        with sent() as texts:
            count_and_page(w.users["b1"])
    assert any(t.startswith("EXECUTE pps_") for t in texts)


@postgresql_only
def test_statements_per_connection_are_bounded(w, monkeypatch):
    monkeypatch.setattr(compiled, "PER_CONNECTION", 2)
    who = actor(w.users["a1"])
    before = len(on_server())
    for offset in range(4):  # each page is another statement text (OFFSET is written inline)
        list(contacts_visible_to(who).order_by("pk")[offset : offset + 1])

    assert len(on_server()) <= 2 < before + 4


def test_only_postgresql_marks_the_compiled_sql():
    compiled.COMPILED.pop(("test.marked", True, connection.vendor, "UTC"), None)
    sql, _ = compiled.compile_once(
        ("test.marked",), lambda: ContactEntry.objects.filter(pk=1), prepare=True
    )
    assert (compiled.PREPARED in sql) == (connection.vendor == "postgresql")


@pytest.fixture
def elsewhere():
    """A second database alias of the same vendor (the test database under another name, as a
    read replica would be)."""
    from django.db import connections

    connections.settings["elsewhere"] = dict(connections["default"].settings_dict)
    yield "elsewhere"
    connections["elsewhere"].close()
    del connections["elsewhere"]
    del connections.settings["elsewhere"]


def test_the_door_is_compiled_for_the_querysets_own_database(w, elsewhere, monkeypatch):
    """Two databases of one vendor can differ: a queryset on another alias gets the door
    compiled for that alias, not the default database's compilation."""
    monkeypatch.setattr(compiled, "COMPILED", {})
    actor = actor_for(w.users["b1"])
    here = visible_to(actor, ContactEntry.objects.all())
    there = visible_to(actor, ContactEntry.objects.using(elsewhere))
    assert there.db == elsewhere
    assert {key[-2] for key in compiled.COMPILED} == {"default", elsewhere}
    assert str(there.query) == str(here.query)  # the same rule, compiled twice


def test_the_compiled_cache_drops_its_oldest_entry_when_full(monkeypatch):
    monkeypatch.setattr(compiled, "COMPILED", {})
    monkeypatch.setattr(compiled, "CACHE_SIZE", 3)
    for n in range(4):
        compiled.compile_once(("test.size", n), lambda: ContactEntry.objects.filter(pk=1))

    assert [key[1] for key in compiled.COMPILED] == [1, 2, 3]


def test_installed_on_postgresql_only_and_not_when_switched_off(settings):
    from types import SimpleNamespace

    def fresh(vendor):
        return SimpleNamespace(vendor=vendor, execute_wrappers=[])

    on_postgresql, on_sqlite, switched_off = (
        fresh("postgresql"),
        fresh("sqlite"),
        fresh("postgresql"),
    )
    settings.DATABASE_PREPARED_STATEMENTS = True
    compiled.install(None, connection=on_postgresql)
    compiled.install(None, connection=on_postgresql)  # a reconnect: still once
    compiled.install(None, connection=on_sqlite)
    settings.DATABASE_PREPARED_STATEMENTS = False  # behind PgBouncer in transaction mode
    compiled.install(None, connection=switched_off)

    assert on_postgresql.execute_wrappers == [compiled.execute_prepared]
    assert on_sqlite.execute_wrappers == switched_off.execute_wrappers == []
