"""Outgoing HTTP for the channels that speak it (webhooks, the SMS gateway): one POST through a
connection that checks the address it connects to (``alerts.egress``), and one judgement of the
answer, so both channels retry, give up and refuse alike.

- the URL is refused for good when ``alerts.egress`` refuses it (not https, user info, a private
  or metadata address now or at connect time); a name that does not resolve is worth another try;
- a connection error or timeout is transient;
- 2xx is delivered; a redirect is never followed; 4xx is final but for 408, 425 and 429; any
  other answer (5xx) is transient.
"""

from __future__ import annotations

import http.client
from contextlib import contextmanager
from dataclasses import dataclass

from alerts.channels.base import Outgoing, PermanentError, TransientError
from alerts.egress import TargetRefused, open_connection, target_of

RETRYABLE_4XX = {408, 425, 429}
# Enough of an answer for a provider's JSON; the rest is not read.
MAX_ANSWER_BYTES = 16 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def judge(status: int) -> None:
    """2xx is delivered; a redirect is never followed (it may point into our network); 4xx is
    final but for 408, 425 and 429; anything else is worth another try."""
    if 200 <= status < 300:
        return
    text = f"HTTP {status}"
    if 300 <= status < 400:
        raise PermanentError(f"{text}: redirects are not followed")
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        raise PermanentError(text)
    raise TransientError(text)


@contextmanager
def connection_errors():
    """What can go wrong on the wire, as the engine's errors: an address refused when
    connecting is permanent (but a name that does not resolve), anything else transient."""
    try:
        yield
    except TargetRefused as refused:
        if refused.code == "unresolvable":
            raise TransientError(f"host {refused.host} could not be resolved") from refused
        raise PermanentError(
            f"address of {refused.host} refused at connect time ({refused.code})"
        ) from refused
    except (http.client.HTTPException, OSError) as error:
        raise TransientError(f"{type(error).__name__}: {error}") from error


class PreparedPost(Outgoing):
    """A POST on a connection already open, in the engine's steps (``alerts.channels.base``):
    ``transmit`` writes it (a few kilobytes into the socket's buffer, no waiting),
    ``await_answer`` waits up to the connection's timeout for the receiver's status and judges it
    (:func:`judge`); ``receive`` gives the answer unjudged for a channel that reads its body."""

    def __init__(self, connection, path: str, body: bytes, headers: dict[str, str]) -> None:
        self.connection, self.path, self.body, self.headers = connection, path, body, headers

    def transmit(self) -> None:
        with connection_errors():
            self.connection.request("POST", self.path, body=self.body, headers=self.headers)

    def receive(self) -> Answer:
        with connection_errors():
            response = self.connection.getresponse()
            return Answer(status=response.status, body=response.read(MAX_ANSWER_BYTES))

    def await_answer(self) -> None:
        judge(self.receive().status)

    def close(self) -> None:
        self.connection.close()


def prepare_post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, what: str
) -> PreparedPost:
    """Connect to ``url`` (the address checked at connect time) and make the POST ready. Raises
    ``PermanentError`` for a refused URL or address (``what`` names the URL in the message:
    "webhook URL refused (not_https)") and ``TransientError`` for a connection that failed."""
    try:
        target = target_of(url)
    except TargetRefused as refused:
        raise PermanentError(f"{what} URL refused ({refused.code})") from refused
    connection = open_connection(target, timeout=timeout)
    try:
        with connection_errors():
            connection.connect()
    except BaseException:
        connection.close()
        raise
    return PreparedPost(connection, target.path, body, headers)


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float, what: str) -> Answer:
    """POST ``body`` to ``url`` in one go; the answer, whatever its status (see :func:`judge`).
    Errors as :func:`prepare_post`."""
    prepared = prepare_post(url, body=body, headers=headers, timeout=timeout, what=what)
    try:
        prepared.transmit()
        return prepared.receive()
    finally:
        prepared.close()
