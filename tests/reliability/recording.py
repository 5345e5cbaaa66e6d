"""A recording transport for every channel: it counts sends per delivery in an append-only file
shared by the worker processes and the test.

Each send appends one line ``<delivery public id> <organisation id> <unix time> <pid>``. A
single ``write`` of a short line to a file opened with ``O_APPEND`` is not interleaved with
another process's, so counting lines per id counts sends. It stands in for a provider that
can be asked by idempotency key whether a message went out (``already_sent``). With
``RECORDING_DELAY_SECONDS`` the receiver takes that long to answer (after the line is written,
outside the gate, as a real receiver's answer is awaited)."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from alerts.channels.base import Outgoing, Transport


def _path() -> Path:
    return Path(settings.RECORDING_TRANSPORT_FILE)


class RecordedSend(Outgoing):
    def __init__(self, transport: RecordingTransport, delivery) -> None:
        self.transport, self.delivery = transport, delivery

    def transmit(self) -> None:
        self.transport.send(self.delivery)

    def await_answer(self) -> None:
        time.sleep(getattr(settings, "RECORDING_DELAY_SECONDS", 0))


class RecordingTransport(Transport):
    def prepare(self, delivery) -> RecordedSend:
        return RecordedSend(self, delivery)

    def send(self, delivery) -> None:
        line = f"{delivery.public_id} {delivery.organisation_id} {time.time():.6f} {os.getpid()}\n"
        fd = os.open(_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    def already_sent(self, delivery) -> bool:
        return str(delivery.public_id) in {send.delivery for send in read_sends(_path())}


@dataclass(frozen=True)
class Send:
    delivery: str
    organisation_id: int
    at: float
    pid: int


def read_sends(path: Path) -> list[Send]:
    if not path.exists():
        return []
    sends = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4:  # a line cut off by a kill has fewer parts and was no send
            sends.append(Send(parts[0], int(parts[1]), float(parts[2]), int(parts[3])))
    return sends


def sends_per_delivery(path: Path) -> Counter:
    return Counter(send.delivery for send in read_sends(path))
