"""The edge of the network, faked for tests: a resolver answering from a table, and a guard that
lets the code under test connect only to this machine.

- ``FakeDNS`` replaces ``socket.getaddrinfo``: a name in its table resolves to the addresses the
  test gave (and a test may change them between saving a URL and sending to it, as a rebinding
  attacker's DNS server would); any other name under a reserved top-level domain (``.example``,
  ``.invalid``, ``.test``) does not resolve; everything else (the database, Redis, ``localhost``)
  resolves as usual, or, ``offline``, only address literals and ``localhost`` do.
- ``LoopbackOnly`` replaces ``socket.create_connection``: connections to the loopback interface
  go through; any other destination is recorded and refused without a packet sent, so a broken
  address check in a test never sends traffic into a real network.
"""

from __future__ import annotations

import ipaddress
import socket

RESERVED_SUFFIXES = (".example", ".invalid", ".test")


class FakeDNS:
    def __init__(self, real_getaddrinfo, *, offline: bool = False):
        self.real = real_getaddrinfo
        self.offline = offline  # unknown names never reach the real resolver
        self.table: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []

    def answer(self, name: str, *addresses: str) -> None:
        """From now on ``name`` resolves to ``addresses``."""
        self.table[name.lower()] = [list(addresses)]

    def answer_in_turn(self, name: str, *rounds: list[str]) -> None:
        """Each lookup of ``name`` gets the next round of addresses; the last one repeats (a
        rebinding DNS server with a zero TTL)."""
        self.table[name.lower()] = [list(r) for r in rounds]

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else str(host)
        key = name.lower().rstrip(".")
        if key in self.table:
            self.asked.append(key)
            rounds = self.table[key]
            addresses = rounds.pop(0) if len(rounds) > 1 else rounds[0]
            return [_info(address, port) for address in addresses]
        if key.endswith(RESERVED_SUFFIXES) or (self.offline and not _literal_or_local(key)):
            self.asked.append(key)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.real(host, port, family, type, proto, flags)


def _literal_or_local(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _info(address: str, port):
    port = int(port or 0)
    if ipaddress.ip_address(address).version == 6:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


class LoopbackOnly:
    def __init__(self, real_create_connection):
        self.real = real_create_connection
        self.connected: list[tuple[str, int]] = []
        self.refused: list[tuple[str, int]] = []

    def __call__(self, address, *args, **kwargs):
        host, port = address[0], address[1]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            self.refused.append((host, port))
            raise ConnectionRefusedError(f"test guard: no connection to {host}:{port}")
        self.connected.append((host, port))
        return self.real(address, *args, **kwargs)
