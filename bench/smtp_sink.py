"""A minimal SMTP sink on loopback for the B2 bench: it answers every command with success,
reads each message to its final ``.`` line, counts it and throws it away. The standard library
only (one thread per connection). ``python bench/smtp_sink.py`` prints its port and serves until
stopped; ``sink_rate`` measures it alone, as the e-mail run's limit."""

from __future__ import annotations

import smtplib
import socketserver
import sys
import time
from concurrent.futures import ThreadPoolExecutor


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        write = self.wfile.write  # unbuffered: each answer leaves at once
        write(b"220 sink ESMTP\r\n")
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n")
            elif verb == b"DATA":
                write(b"354 end with <CRLF>.<CRLF>\r\n")
                while (data := self.rfile.readline(65536)) != b".\r\n":
                    if not data:
                        return
                self.server.accepted += 1
                write(b"250 accepted\r\n")
            elif verb == b"QUIT":
                write(b"221 bye\r\n")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                write(b"250 ok\r\n")


class Sink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    accepted = 0


def sink_rate(port: int, messages: int, *, message: bytes, concurrency: int = 2) -> float:
    """Send ``messages`` messages to the sink on ``port`` as the e-mail channel does (one
    connection each: EHLO, MAIL, RCPT, DATA, QUIT) from ``concurrency`` threads; the seconds it
    took."""

    def send(n: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("bench@bench.invalid", [f"r{n}@bench.invalid"], message)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(send, range(messages)))
    return time.perf_counter() - started


def main() -> int:
    with Sink(("127.0.0.1", 0), _Handler) as server:
        print(server.server_address[1], flush=True)
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
