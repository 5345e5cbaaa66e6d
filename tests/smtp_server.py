"""A fake SMTP server on this machine, one thread per connection, for the email channel's tests.

It speaks enough SMTP for ``smtplib`` (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT); with
``mute`` it accepts each connection and says nothing at all until ``release`` is set. When a
message is complete (its final ``.`` line read) it records the message's ``X-PPS-Delivery``
header in ``received``; with ``hang`` set it then says nothing until ``release`` is set (a
server that took the message and stalls); otherwise it answers ``end_reply``. A connection
dropped in the middle of DATA counts in ``aborted``: that message was never taken. With
``mail_limit`` set, a connection's ``MAIL`` commands past that many are answered
``mail_limit_reply`` (a server limiting messages per connection).
"""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes

CRLF = b"\r\n"


class _Handler(socketserver.StreamRequestHandler):
    timeout = 120

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + CRLF)
        self.wfile.flush()

    def handle(self) -> None:
        server: FakeSmtpServer = self.server
        with server.lock:
            server.connections += 1
        try:
            if server.mute:
                server.release.wait(timeout=90)
            self._say("220 fake.invalid ESMTP")
            mails = 0
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb == b"EHLO":
                    self._say("250-fake.invalid")
                    self._say("250 SIZE 10000000")
                elif verb == b"RCPT":
                    refused = any(a.encode() in line for a in server.refuse)
                    self._say("550 no such mailbox" if refused else server.rcpt_reply)
                elif verb == b"DATA":
                    self._say("354 go ahead")
                    if not self._data(server):
                        return
                elif verb == b"QUIT":
                    self._say("221 bye")
                    return
                elif verb == b"MAIL":
                    mails += 1
                    limited = server.mail_limit is not None and mails > server.mail_limit
                    self._say(server.mail_limit_reply if limited else "250 ok")
                elif verb in (b"HELO", b"RSET", b"NOOP"):
                    self._say("250 ok")
                else:
                    self._say("502 not implemented")
        except OSError:
            return

    def _data(self, server: FakeSmtpServer) -> bool:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line.endswith(b"\n"):  # the connection dropped before the final line
                with server.lock:
                    server.aborted += 1
                return False
            if line == b"." + CRLF:
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        message = message_from_bytes(b"".join(lines))
        with server.lock:
            server.received.append(message.get("X-PPS-Delivery", ""))
            server.messages.append(message)
        if server.hang:
            server.release.wait(timeout=90)
        self._say(server.end_reply)
        return True


class FakeSmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, *, hang: bool = False, mute: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hang, self.mute = hang, mute
        self.connections = 0
        self.end_reply = "250 queued"
        self.rcpt_reply = "250 ok"
        self.refuse: set[str] = set()  # addresses answered 550 at RCPT TO
        self.mail_limit: int | None = None  # MAIL commands answered per connection
        self.mail_limit_reply = "554 5.7.0 too many messages on this connection"
        self.received: list[str] = []
        self.messages: list = []
        self.aborted = 0
        self.lock = threading.Lock()
        self.release = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> FakeSmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


def use_smtp(settings, server: FakeSmtpServer, *, timeout: float = 10) -> None:
    """Point Django's SMTP backend at ``server`` (``settings``: pytest-django's fixture)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = timeout
