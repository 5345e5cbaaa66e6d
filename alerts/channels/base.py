"""The one interface every channel implements, and the errors that say whether to retry."""

from __future__ import annotations


class TransportError(Exception):
    """Sending failed. ``permanent`` says whether trying again can help."""

    permanent = False


class TransientError(TransportError):
    """Try again later: a timeout, a server error, a connection refused."""


class PermanentError(TransportError):
    """Trying again will not help: no address, the receiver refused the message."""

    permanent = True


class Outgoing:
    """A message made ready by ``Transport.prepare``, in three steps the engine calls apart:

    - ``transmit()`` makes it leave. The engine calls it under the entitlement gate (a short
      transaction holding share locks), so it must be quick: write, never wait for an answer.
    - ``await_answer()`` waits for the receiver's verdict, outside any lock or transaction;
      raises ``TransientError`` or ``PermanentError``, returns when delivered.
    - ``close()`` releases what ``prepare`` opened; called whatever happened.
    """

    def transmit(self) -> None:
        raise NotImplementedError

    def await_answer(self) -> None:
        """Nothing to wait for by default: ``transmit`` knew the outcome."""

    def close(self) -> None:
        """Nothing to release by default."""

    def hurry(self, seconds: float) -> None:
        """Wait at most ``seconds`` more for the answer (the task is stopping); by default
        nothing changes (the transport's own timeout holds)."""


class SendAtOnce(Outgoing):
    """For a transport that does not split its send: all of ``send`` is the transmission (in-app
    writes nothing but the row; the SMS backend and the recording transport are quick)."""

    def __init__(self, transport: Transport, delivery) -> None:
        self.transport, self.delivery = transport, delivery

    def transmit(self) -> None:
        self.transport.send(self.delivery)


class Transport:
    """Sends one delivery row. Raises ``TransientError`` or ``PermanentError``; returns on
    success. Transports never change the row's status: the engine does."""

    channel: str = ""
    # True when ``prepare`` reaches the receiver (resolves, connects): the engine then checks
    # entitlement before preparing as well, so a row that will not go contacts no one.
    connects: bool = False
    # True when the row itself is the message (in-app): nothing leaves the portal, so the engine
    # marks a whole batch of such rows sent in one statement, without prepare or gate.
    sends_nothing: bool = False
    # How many of a batch's rows the engine prepares before one gate lets them all leave
    # together (a round): one by default; e-mail over SMTP, one per connection it may keep open.
    window: int = 1

    def send(self, delivery) -> None:
        raise NotImplementedError

    def prepare(self, delivery) -> Outgoing:
        """Everything before the message leaves (compose, resolve, connect), outside any lock
        or transaction; may raise ``TransientError`` or ``PermanentError``. A transport whose
        receiver may be slow splits its send here so the wait for the answer happens in
        ``Outgoing.await_answer``, outside the gate; by default the whole ``send`` is the
        transmission."""
        return SendAtOnce(self, delivery)

    def start_batch(self) -> None:
        """The engine sends a batch's rows of this channel through this one transport, from
        here until ``end_batch``: a transport that connects may keep its connection from one
        message to the next (e-mail). Each row keeps its own gate, verdict and outcome."""

    def end_batch(self, *, at_once: bool = False) -> None:
        """The batch is done (or out of time): release what was kept between messages; with
        ``at_once`` (out of time) without any exchange that could wait on a receiver."""

    def already_sent(self, delivery) -> bool:
        """Asked before sending a row whose earlier attempt was cut off (a worker lost between
        sending and recording): did the message with this delivery's id already go out? A
        transport that can ask its provider by idempotency key answers; the default, "not
        known", sends again (at least once; receivers dedupe on the delivery's stable id)."""
        return False

    def on_success(self, delivery) -> None:
        """After the row is marked sent."""

    def on_permanent_failure(self, delivery, error: PermanentError) -> None:
        """After the row is marked failed for good."""
