"""What the entitlement gate's tests share (``test_gate_holds.py``, ``test_gate_lock_order.py``):
a claimed round of deliveries with recording messages, a writer's transaction run in another
connection while the gate is taken, and whether a revocation has to wait for the gate's locks.

Nothing here fakes the database: the rows are claimed and checked by the engine's own
statements, the writers are the real services in their own connections; only the message that
would leave (``Outgoing``) records instead of sending.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from alerts import delivery as engine
from alerts.channels.base import Outgoing, Transport
from alerts.gate import hold_and_lock
from alerts.models import Delivery


class Recorded(Outgoing):
    """A message that, when the gate lets it leave, is added to ``sent``."""

    def __init__(self, sent: list) -> None:
        self.sent = sent

    def transmit(self) -> None:
        self.sent.append(self)


class Handing(Transport):
    """A recording transport: hands the gate the message it was given."""

    def __init__(self, outgoing: Outgoing) -> None:
        self.outgoing = outgoing

    def prepare(self, delivery) -> Outgoing:
        return self.outgoing

    def already_sent(self, delivery) -> bool:
        return False


def claimed(alert=None, *, ids=None, **filters) -> list[Delivery]:
    """Claim the alert's deliveries (those matching ``filters``, or the rows ``ids``) as a batch
    does (``claim_batch``), loaded with their checks and relations as a round gets them."""
    if ids is None:
        ids = list(Delivery.objects.filter(alert=alert, **filters).values_list("pk", flat=True))
    return engine._with_relations(engine.load_checked(engine.claim_batch(ids, now=timezone.now())))


@dataclass
class Round:
    """A claimed round at the gate: its attempts, each with a recording message, and what
    left."""

    attempts: list[engine.Attempt]
    sent: list = field(default_factory=list)

    def statuses(self) -> set:
        return {attempt.status for attempt in self.attempts}


def gate_round(rows: list[Delivery], outgoing: Callable[[list], Outgoing] = Recorded) -> Round:
    """Attempts for claimed ``rows``, ready for the gate (``engine._pass_gate``): each message
    made by ``outgoing(sent)``."""
    sent: list = []
    now = timezone.now()
    attempts = [
        engine.Attempt(delivery=row, transport=None, now=now, outgoing=outgoing(sent))
        for row in rows
    ]
    return Round(attempts=attempts, sent=sent)


@dataclass
class Writer:
    """A writer's transaction in another connection; ``outcome`` once it ended: ``committed``,
    or the error it raised."""

    outcome: str = ""


@contextmanager
def writer_meanwhile(
    first: Callable[[], object], then: Callable[[], object] | None = None, *, pause: float = 0.5
) -> Iterator[Writer]:
    """Run a writer's transaction in another connection: ``first`` (what it holds), then a
    ``pause`` in which the block runs (the gate, started meanwhile, meets those locks), then
    ``then``, and commit. The block starts once ``first`` is done; on leaving it the writer is
    waited for and its ``outcome`` set."""
    written, writer = threading.Event(), Writer()

    def run() -> None:
        try:
            with transaction.atomic():
                first()
                written.set()
                time.sleep(pause)
                if then is not None:
                    then()
            writer.outcome = "committed"
        except Exception as error:
            writer.outcome = repr(error)
        finally:
            written.set()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert written.wait(5), writer.outcome
    try:
        yield writer
    finally:
        thread.join(10)


class _Undo(Exception):
    """Rolls the revocation back once it has gone through."""


def revocation_waits(revocation: Callable[[], object]) -> bool:
    """Run ``revocation`` in another connection with a short lock timeout, then roll it back:
    whether it had to wait for a lock this connection holds."""
    result: dict[str, object] = {}

    def revoke() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '300ms'")
                revocation()
                raise _Undo
        except _Undo:
            result["waited"] = False
        except OperationalError as error:
            result["waited"] = "lock timeout" in str(error) or repr(error)
        finally:
            connections.close_all()

    other = threading.Thread(target=revoke)
    other.start()
    other.join(10)
    return result["waited"]


def waits_for_the_gate(rows: list[Delivery], revocation: Callable[[], object]) -> bool:
    """Hold the gate's locks for ``rows`` while ``revocation`` runs in another connection:
    whether it had to wait for them."""
    with transaction.atomic():
        assert hold_and_lock(rows)
        return revocation_waits(revocation)


def may_go(rows: list[Delivery]) -> bool:
    """Whether the check just before sending lets every one of ``rows`` go."""
    checked = engine.load_checked([row.pk for row in rows])
    return bool(checked) and all(engine.reason_from(row) == "" for row in checked)


def counting_gate(monkeypatch) -> list:
    """The gate's tries, counted: each call of ``hold_and_lock`` by the engine."""
    tries: list = []

    def counted(rows):
        tries.append(len(rows))
        return hold_and_lock(rows)

    monkeypatch.setattr(engine, "hold_and_lock", counted)
    return tries
