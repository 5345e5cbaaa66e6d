"""Queries compiled once, and on PostgreSQL planned once per connection.

Building and compiling a query in the ORM can cost far more than the database needs to answer it
(the read door's footing: ~150 ms of Python for a 20 ms query, docs/benchmarks.md, B3). Where the
SQL depends only on the model, the day and the database, ``compile_once`` builds it once for
stand-in ids and the caller swaps its own ids into the parameters (``swap``).

PostgreSQL then still plans such a query on every request: the read door's ``UNION`` of four
visibility arms with the footing's subqueries takes 2 to 18 ms to plan and 0.2 ms to run
(docs/benchmarks.md, B5). A query compiled with ``prepare=True`` carries ``PREPARED``, a comment;
any statement that contains it (the compiled query itself, or the ORM's count or page around it)
is sent as ``EXECUTE`` of a server-side prepared statement, prepared once per connection
(``execute_prepared``, installed on each PostgreSQL connection by ``install``). SQLite runs the
same SQL as before, without the comment.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

# Stand-in ids the compiled queries are built for, far outside any real id; each caller swaps in
# its own. Modules keep stand-ins of their own (objects, alerts, deliveries) below these.
STAND_IN_ORGANISATION = -7_000_000_001
STAND_IN_USER = -7_000_000_002

# One entry per compiled shape and day. A day holds at most about 80 shapes: the read door per
# shareable model (7), valid grants per model and kind (14), granted codenames per model and
# kind (21), shared-under per partner model and kind (6), the acknowledgement's read (2), the
# delivery batch's load per id bucket (6) and its marking per split of attempts (a handful to a
# few dozen). 256 keeps yesterday's and today's around the day change without evicting a shape
# still in use, in about 1 MB of SQL text per process; past it, the oldest entry goes first.
CACHE_SIZE = 256
COMPILED: dict[tuple, tuple[str, list]] = {}

# The comment that marks a statement to run prepared (``execute_prepared``).
PREPARED = "/* pps:prepared */"


def compile_once(
    key: tuple, build: Callable, *, prepare: bool = False, using: str = DEFAULT_DB_ALIAS
) -> tuple[str, list]:
    """The SQL and parameters of the queryset ``build()`` returns, compiled once per ``key``, the
    database (the alias ``using``: two databases of one vendor may differ, in their server's
    version or settings; a caller whose query may run elsewhere than the default database
    passes its queryset's ``db``) and the time zone (the day is part of each key). ``prepare``: on
    PostgreSQL, any statement containing this SQL runs as a prepared statement
    (``execute_prepared``)."""
    connection = connections[using]
    key = (*key, prepare, using, timezone.get_current_timezone_name())
    found = COMPILED.get(key)
    if found is None:
        if len(COMPILED) >= CACHE_SIZE:
            # another thread (the threaded development server) may have taken it already
            COMPILED.pop(next(iter(COMPILED), None), None)
        sql, params = build().query.get_compiler(using=using).as_sql()
        if prepare and connection.vendor == "postgresql":
            sql = f"{PREPARED} {sql}"
        found = COMPILED[key] = (sql, list(params))
    return found


def compile_annotation_once(
    key: tuple,
    build: Callable,
    name: str,
    *,
    prepare: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[str, list]:
    """The SQL and parameters of the annotation ``name`` alone, as the compiler of the queryset
    ``build()`` returns writes it for the database ``using``, compiled once per ``key``, that
    database's alias and the time zone (an expression that depends only on the day, to put into
    other queries of the same model on the same database with ``RawSQL``; the columns it reads
    are named by the model's table). ``prepare``: as for ``compile_once``, any statement
    containing it runs prepared on PostgreSQL."""
    connection = connections[using]
    key = (*key, "annotation", name, prepare, using)
    key = (*key, timezone.get_current_timezone_name())
    found = COMPILED.get(key)
    if found is None:
        if len(COMPILED) >= CACHE_SIZE:
            COMPILED.pop(next(iter(COMPILED), None), None)
        query = build().query
        sql, params = query.get_compiler(connection=connection).compile(query.annotations[name])
        if prepare and connection.vendor == "postgresql":
            sql = f"{PREPARED} {sql}"
        found = COMPILED[key] = (sql, list(params))
    return found


def swap(params: list, stand_ins: dict[int, int]) -> list:
    """The compiled parameters with each stand-in id replaced by the caller's."""
    return [stand_ins.get(p, p) if isinstance(p, int) else p for p in params]


# --- prepared statements (PostgreSQL) -----------------------------------------------------------

# Statements prepared per connection. Past it, ``DEALLOCATE ALL`` and start again: the texts that
# vary (a page's OFFSET, yesterday's SQL after the day change) cannot pile up in the server.
PER_CONNECTION = 64
_PLACEHOLDER = re.compile(r"%%|%s")


class _Prepared:
    """The statements prepared on one raw connection: (SQL text, parameter types) -> name ("" if
    it cannot be)."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.names: dict[str, str] = {}


def statement_name(sql: str, types: tuple[str, ...] = ()) -> str:
    """One name per statement text and parameter types: another compiled shape, another page (its
    OFFSET is written inline) or the SQL compiled on another day, if it differs, is another
    statement."""
    signature = f"{sql}\0{','.join(types)}"
    return "pps_" + hashlib.sha256(signature.encode()).hexdigest()[:24]


def parameter_types(params) -> tuple[str, ...] | None:
    """The PostgreSQL type of each parameter, from its Python value, for ``PREPARE name(types)``;
    ``None`` when one has no type named here (``None`` itself, a list, JSON), and the statement
    then runs unprepared. Declared, not inferred: left to itself PostgreSQL types a parameter
    that meets only other parameters (``CASE WHEN … THEN $2 ELSE $3 END``, the ORM's
    ``Value(True)``) as text, and the row would carry ``'false'`` where the plain query gives
    ``False``, or sort ``'10'`` before ``'9'``."""
    types = []
    for value in params:
        if isinstance(value, bool):
            types.append("boolean")
        elif isinstance(value, int):
            types.append("bigint")
        elif isinstance(value, str):
            types.append("text")
        elif isinstance(value, datetime):
            types.append("timestamptz" if value.tzinfo is not None else "timestamp")
        elif isinstance(value, date):
            types.append("date")
        elif isinstance(value, uuid.UUID):
            types.append("uuid")
        elif isinstance(value, Decimal):
            types.append("numeric")
        elif isinstance(value, float):
            types.append("double precision")
        else:
            return None
    return tuple(types)


def _numbered(sql: str) -> str:
    """psycopg2's placeholders (``%s``, ``%%`` for ``%``) as PostgreSQL's ``$1``, ``$2``, …"""
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def _prepare(raw, name: str, sql: str, types: tuple[str, ...]) -> bool | None:
    """PREPARE on the raw connection (Django's query log sees the EXECUTEs, not this), with the
    parameters' types declared. In a transaction, inside a savepoint, so a statement PostgreSQL
    refuses to prepare (a declared type the SQL does not accept where it is used) does not abort
    the caller's transaction; the statement then runs unprepared. ``None``: a failed
    transaction, try another time."""
    from psycopg2 import Error
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INTRANS

    status = raw.info.transaction_status
    declared = f"({', '.join(types)})" if types else ""
    prepare = f"PREPARE {name}{declared} AS {_numbered(sql)}"
    with raw.cursor() as cursor:
        if raw.autocommit and status == TRANSACTION_STATUS_IDLE:
            try:
                cursor.execute(prepare)
            except Error:
                return False
            return True
        if status not in (TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INTRANS):
            return None
        try:
            cursor.execute(f"SAVEPOINT pps_prepare; {prepare}; RELEASE SAVEPOINT pps_prepare")
        except Error:
            cursor.execute("ROLLBACK TO SAVEPOINT pps_prepare; RELEASE SAVEPOINT pps_prepare")
            return False
        return True


def prepared_name(db, sql: str, types: tuple[str, ...] = ()) -> str | None:
    """The name ``sql`` with parameters of these types is prepared under on ``db``'s current
    connection, preparing it the first time; ``None`` if it runs unprepared. A new raw connection
    (a reconnect) starts afresh."""
    raw = db.connection
    state = getattr(db, "_pps_prepared", None)
    if state is None or state.raw is not raw:
        state = db._pps_prepared = _Prepared(raw)
    key = (sql, types)
    name = state.names.get(key)
    if name is not None:
        return name or None
    if len(state.names) >= PER_CONNECTION:
        with db.wrap_database_errors:
            if not _deallocate_all(raw):
                return None
        state.names.clear()
    name = statement_name(sql, types)
    with db.wrap_database_errors:
        done = _prepare(raw, name, sql, types)
    if done is None:
        return None
    state.names[key] = name if done else ""
    return name if done else None


def _deallocate_all(raw) -> bool:
    from psycopg2.extensions import TRANSACTION_STATUS_INERROR

    if raw.info.transaction_status == TRANSACTION_STATUS_INERROR:
        return False
    with raw.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # not transactional: no savepoint needed
    return True


def execute_prepared(execute, sql, params, many, context):
    """An execute wrapper (``connection.execute_wrapper``): a statement marked ``PREPARED`` runs
    as ``EXECUTE name(params…)``; every other statement is untouched, and so is one with a
    parameter of no type named in ``parameter_types`` or sent through a server-side cursor
    (``QuerySet.iterator()``: ``DECLARE … CURSOR FOR EXECUTE`` is not SQL)."""
    if many or PREPARED not in sql or not isinstance(params, list | tuple):
        return execute(sql, params, many, context)
    if getattr(context["cursor"].cursor, "name", None):
        return execute(sql, params, many, context)
    types = parameter_types(params)
    if types is None:
        return execute(sql, params, many, context)
    name = prepared_name(context["connection"], sql, types)
    if name is None:
        return execute(sql, params, many, context)
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    return execute(f"EXECUTE {name}{arguments}", params, many, context)


def install(sender, connection, **kwargs) -> None:
    """``connection_created``: run marked statements prepared on every PostgreSQL connection
    (unless ``DATABASE_PREPARED_STATEMENTS`` is off). First in the list of wrappers, so a wrapper
    a caller pushes and pops later stays its own."""
    if not settings.DATABASE_PREPARED_STATEMENTS or connection.vendor != "postgresql":
        return
    if execute_prepared not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, execute_prepared)
