"""Email: full text for CLEAR and GREEN; AMBER and above say "sign in to read" with a link.

With the SMTP backend the send is split for the engine (``Transport.prepare``), as for webhooks,
so a slow or hanging SMTP server holds up nothing but the sending thread:

- ``prepare`` (outside any lock or transaction): compose, connect, EHLO, STARTTLS and login,
  ``MAIL FROM``, ``RCPT TO``, ``DATA`` and the message itself, all but the final ``.`` line —
  every wait for the server's answers happens here;
- ``transmit`` (under the entitlement gate): the final ``.`` line, three bytes into the socket,
  no waiting. Only with it does the server take the message: a message whose gate said no is
  never completed, the connection is dropped mid-``DATA`` and the server discards it;
- ``await_answer`` (outside any lock): the server's verdict on the message, up to
  ``EMAIL_TIMEOUT``: 2xx sent, 4xx or no answer retried, 5xx final.

A batch's messages (``alerts.delivery.deliver``) go in rounds of up to
``ALERTS_EMAIL_CONNECTIONS``, one message per connection, the connections kept from one round to
the next (``EmailTransport.start_batch``): a round's messages are written up to their final
line, pass one gate together and are completed together; each gets its own verdict and
outcome; a connection whose message failed before its verdict is dropped, the next message
opens a fresh one.

Any other email backend (locmem in tests, console, file) sends in one go at the gate.
"""

from __future__ import annotations

import re
import smtplib
import socket
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

from alerts.channels import messages
from alerts.channels.base import Outgoing, PermanentError, TransientError, Transport

CRLF = b"\r\n"
# The end of the DATA phase: the message so far ends with CRLF, so this completes <CRLF>.<CRLF>.
END_OF_DATA = b"." + CRLF


def judge(code: int, text: bytes | str, what: str) -> None:
    """An SMTP reply: 2xx (and 3xx where expected by the caller) is fine; 5xx is final; 4xx,
    or anything unexpected, worth another try."""
    if 200 <= code < 300:
        return
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    message = f"SMTP {code} on {what}: {text}"[:300]
    error = PermanentError(message) if 500 <= code < 600 else TransientError(message)
    error.stage = what
    raise error


def fresh_may_help(error: Exception) -> bool:
    """On a connection kept from an earlier message, may the same message succeed on a fresh
    one? A transient error, yes; and a refusal at ``MAIL FROM``: servers that limit messages
    per connection answer the next ``MAIL FROM`` with a 5xx as often as with a 421. Refusals of
    the recipient or the message itself stand."""
    if isinstance(error, TransientError):
        return True
    return isinstance(error, PermanentError) and getattr(error, "stage", "") == "MAIL FROM"


@contextmanager
def smtp_errors():
    """What can go wrong talking to the server, as the engine's errors."""
    try:
        yield
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentError(f"recipient refused: {error}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TransientError(f"{type(error).__name__}: {error}") from error


def dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321 4.5.2), ending with CRLF, without the final dot."""
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(CRLF) else data + CRLF


def no_delay(smtp: smtplib.SMTP) -> None:
    """Send small writes at once (``TCP_NODELAY``). The final ``.`` line goes out on its own,
    three bytes after the message, and the server answers nothing in between: with Nagle's
    algorithm the kernel would hold those three bytes until the server's delayed
    acknowledgement of the message (up to 40 ms on Linux), every message waiting for it."""
    sock = getattr(smtp, "sock", None)
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class PreparedMail(Outgoing):
    """One message on an SMTP connection, written up to its final ``.`` line. With ``keep``, a
    connection whose message was answered is handed to it when closed (the next message of the
    batch goes over it) instead of being quit."""

    def __init__(self, backend: SmtpBackend, mail: EmailMessage, *, keep=None) -> None:
        self.backend, self.mail, self.keep = backend, mail, keep
        self.transmitted = self.answered = self.accepted = False

    def open(self) -> PreparedMail:
        """Connect (or take the kept connection) and write everything but the final line; every
        answer awaited here. A kept connection that fails before the message could be completed
        (the server closed it meanwhile, or limits messages per connection: a transient error,
        or a 5xx at ``MAIL FROM``, ``fresh_may_help``) is dropped and the message written once
        more on a fresh one: nothing here completes a message, so nothing is sent twice."""
        mail = self.mail
        data = mail.message().as_bytes(linesep="\r\n")
        sender = sanitize_address(mail.from_email, mail.encoding)
        recipients = [sanitize_address(a, mail.encoding) for a in mail.recipients()]
        reused = self.backend.connection is not None
        try:
            try:
                self._write(data, sender, recipients)
            except (TransientError, PermanentError) as error:
                if not reused or not fresh_may_help(error):
                    raise
                self._drop()
                self._write(data, sender, recipients)
        except BaseException:
            self.close()
            raise
        return self

    def _write(self, data: bytes, sender: str, recipients: list[str]) -> None:
        with smtp_errors():
            # connect, EHLO, STARTTLS, login; EMAIL_TIMEOUT on the socket
            if self.backend.open():
                no_delay(self.backend.connection)
            smtp = self.backend.connection
            smtp.ehlo_or_helo_if_needed()
            options = [f"size={len(data)}"] if smtp.has_extn("size") else []
            judge(*smtp.mail(sender, options), "MAIL FROM")
            for recipient in recipients:
                code, text = smtp.rcpt(recipient)
                if 500 <= code < 600:
                    raise PermanentError(f"recipient refused: SMTP {code}")
                if code not in (250, 251):
                    raise TransientError(f"SMTP {code} on RCPT TO")
            code, text = smtp.docmd("data")
            if code != 354:
                judge(code, text, "DATA")
                raise TransientError(f"SMTP {code} on DATA")
            smtp.send(dot_stuffed(data))

    def transmit(self) -> None:
        with smtp_errors():
            self.backend.connection.send(END_OF_DATA)
        self.transmitted = True

    def hurry(self, seconds: float) -> None:
        smtp = self.backend.connection if self.backend is not None else None
        sock = getattr(smtp, "sock", None)
        if sock is not None:
            sock.settimeout(seconds)

    def await_answer(self) -> None:
        with smtp_errors():
            code, text = self.backend.connection.getreply()
        self.answered = True
        judge(code, text, "end of data")
        self.accepted = True  # the server took it: whatever stops the worker now, it was sent

    def _drop(self) -> None:
        smtp, self.backend.connection = self.backend.connection, None
        if smtp is not None:
            smtp.close()

    def close(self) -> None:
        """Quit or drop the connection, or hand it back to the batch (``keep``). Once handed
        back the connection is the batch's, carrying other messages: closing again does
        nothing (a second ``close`` must not quit it in the middle of another message)."""
        if self.backend is None:
            return  # handed back to the batch already
        smtp = self.backend.connection
        if smtp is None:
            return
        if self.answered and self.keep is not None:
            # the server answered the message: its transaction is over, the connection is
            # ready for the next MAIL FROM
            keep, self.keep = self.keep, None
            backend, self.backend = self.backend, None
            keep(backend)
            return
        try:
            if self.answered:
                smtp.quit()
            else:
                # Mid-DATA a QUIT would be read as part of the message: drop the connection, and
                # a message without its final line is discarded by the server.
                smtp.close()
        except (smtplib.SMTPException, OSError):
            smtp.close()
        finally:
            self.backend.connection = None


def quit_connection(backend: SmtpBackend) -> None:
    """End a kept connection politely; a server gone meanwhile is no fault of any message."""
    smtp, backend.connection = backend.connection, None
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


class EmailTransport(Transport):
    channel = "email"

    def __init__(self) -> None:
        # Splitting connects to the SMTP server in ``prepare``: the engine then checks the
        # entitlement before that too, so a row that will not go contacts no server.
        self.connects = isinstance(get_connection(), SmtpBackend)
        # a round's messages are written up to their final line, one per connection, before
        # one gate completes them all
        self.window = settings.ALERTS_EMAIL_CONNECTIONS if self.connects else 1
        self._batch = False
        self._idle: list[SmtpBackend] = []  # answered their last message; carry the next ones

    def start_batch(self) -> None:
        """The rows of a batch go over at most ``ALERTS_EMAIL_CONNECTIONS`` SMTP connections,
        kept from one round of messages to the next: each message still has its own verdict
        and its own outcome. A message that fails before its verdict (refused, stopped at the
        gate, timed out) takes its connection with it; the next opens a fresh one."""
        self._batch = True

    def end_batch(self, *, at_once: bool = False) -> None:
        """Quit the kept connections; ``at_once`` (the task out of time): drop them without a
        ``QUIT`` (each may wait up to ``EMAIL_TIMEOUT``) — they carry no message, the server
        loses nothing."""
        self._batch = False
        idle, self._idle = self._idle, []
        for backend in idle:
            if at_once:
                smtp, backend.connection = backend.connection, None
                if smtp is not None:
                    smtp.close()
            else:
                quit_connection(backend)

    def _keep(self, backend: SmtpBackend) -> None:
        if backend in self._idle:
            return
        if len(self._idle) >= self.window:
            quit_connection(backend)
            return
        self._idle.append(backend)

    def compose(self, delivery) -> EmailMessage:
        address = (delivery.recipient.email or "").strip()
        if not address:
            raise PermanentError("recipient has no email address")
        message = messages.for_delivery(delivery)
        return EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[address],
            headers={"X-PPS-Delivery": str(delivery.public_id)},
        )

    def prepare(self, delivery) -> Outgoing:
        if not self.connects:
            return super().prepare(delivery)
        mail = self.compose(delivery)
        # the batch's kept connection, else one of its own (each prepared message holds its
        # connection until it is closed or handed back)
        backend = self._idle.pop(0) if self._idle else get_connection(fail_silently=False)
        keep = self._keep if self._batch else None
        return PreparedMail(backend, mail, keep=keep).open()

    def send(self, delivery) -> None:
        mail = self.compose(delivery)
        with smtp_errors():
            mail.send(fail_silently=False)
