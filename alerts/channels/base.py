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


class Transport:
    """Sends one delivery row. Raises ``TransientError`` or ``PermanentError``; returns on
    success. Transports never change the row's status: the engine does."""

    channel: str = ""

    def send(self, delivery) -> None:
        raise NotImplementedError

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
