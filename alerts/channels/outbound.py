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
from dataclasses import dataclass

from alerts.channels.base import PermanentError, TransientError
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


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float, what: str) -> Answer:
    """POST ``body`` to ``url``; the answer, whatever its status (see :func:`judge`). Raises
    ``PermanentError`` for a refused URL or address (``what`` names the URL in the message:
    "webhook URL refused (not_https)") and ``TransientError`` for a connection that failed."""
    try:
        target = target_of(url)
    except TargetRefused as refused:
        raise PermanentError(f"{what} URL refused ({refused.code})") from refused
    connection = open_connection(target, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(status=response.status, body=response.read(MAX_ANSWER_BYTES))
    except TargetRefused as refused:
        if refused.code == "unresolvable":
            raise TransientError(f"host {refused.host} could not be resolved") from refused
        raise PermanentError(
            f"address of {refused.host} refused at connect time ({refused.code})"
        ) from refused
    except (http.client.HTTPException, OSError) as error:
        raise TransientError(f"{type(error).__name__}: {error}") from error
    finally:
        connection.close()
