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

Any other email backend (locmem in tests, console, file) sends in one go at the gate.
"""

from __future__ import annotations

import re
import smtplib
from contextlib import contextmanager

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
    if 500 <= code < 600:
        raise PermanentError(message)
    raise TransientError(message)


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


class PreparedMail(Outgoing):
    """One message on an SMTP connection, written up to its final ``.`` line."""

    def __init__(self, backend: SmtpBackend, mail: EmailMessage) -> None:
        self.backend, self.mail = backend, mail
        self.transmitted = self.answered = False

    def open(self) -> PreparedMail:
        """Connect and write everything but the final line; every answer awaited here."""
        mail = self.mail
        data = mail.message().as_bytes(linesep="\r\n")
        sender = sanitize_address(mail.from_email, mail.encoding)
        recipients = [sanitize_address(a, mail.encoding) for a in mail.recipients()]
        try:
            with smtp_errors():
                self.backend.open()  # connect, EHLO, STARTTLS, login; EMAIL_TIMEOUT on the socket
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
        except BaseException:
            self.close()
            raise
        return self

    def transmit(self) -> None:
        with smtp_errors():
            self.backend.connection.send(END_OF_DATA)
        self.transmitted = True

    def await_answer(self) -> None:
        with smtp_errors():
            code, text = self.backend.connection.getreply()
        self.answered = True
        judge(code, text, "end of data")

    def close(self) -> None:
        smtp = self.backend.connection
        if smtp is None:
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


class EmailTransport(Transport):
    channel = "email"

    def __init__(self) -> None:
        # Splitting connects to the SMTP server in ``prepare``: the engine then checks the
        # entitlement before that too, so a row that will not go contacts no server.
        self.connects = isinstance(get_connection(), SmtpBackend)

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
        # a connection of its own: each prepared message holds one until it is closed
        return PreparedMail(get_connection(fail_silently=False), self.compose(delivery)).open()

    def send(self, delivery) -> None:
        mail = self.compose(delivery)
        with smtp_errors():
            mail.send(fail_silently=False)
