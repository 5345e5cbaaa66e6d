"""Where the portal may connect on a partner's behalf (webhooks): the address rules, and an HTTP
connection that applies them to the address it actually connects to.

A partner names a URL; the portal then makes requests to it from inside our network. Without
care that is server-side request forgery: a URL (or a host name that resolves, now or later,
to an address) inside a private network, the loopback interface or a cloud metadata service.
So:

- **one rule for an address** (:func:`refusal_of`): it must be a globally routable unicast
  address. Refused: private ranges, CGNAT (100.64/10), loopback, link-local (with the cloud
  metadata services), multicast, unspecified, reserved and documentation ranges, and every IPv6
  form that embeds or reaches IPv4 space (IPv4-mapped and -compatible, 6to4 2002::/16, Teredo
  2001::/32, NAT64 64:ff9b::/96 by the IPv4 address it embeds, local-use NAT64 64:ff9b:1::/48),
  ULA fc00::/7 and site-local fec0::/10;
- **the same rule in every mode**: ``DEBUG`` changes nothing. Only the explicit setting
  ``ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS`` (off by default; for tests and a receiver on one's own
  machine) admits private addresses and plain http. The metadata addresses stay refused even then;
- **checked where the connection is made**: :class:`PinnedHTTPSConnection` resolves the host
  once, refuses unless every address passes, and connects to a checked address while TLS (SNI and
  certificate) and the ``Host`` header keep the original name. A name that resolved to a public
  address when the URL was saved and to a private one when sending (DNS rebinding) is refused at
  the moment of sending. No proxy from the environment is used and redirects are never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The cloud metadata services (AWS, GCP, Azure, OpenStack: 169.254.169.254; AWS ECS task
# metadata; AWS over IPv6; Alibaba; Oracle). Refused even where private targets are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "fd00:ec2::254",
        "fd00:ec2::23",
        "100.100.100.200",
        "192.0.0.192",
    )
)

# IANA's special-purpose registries: nothing a webhook receiver lives in.
_REFUSED_V4 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network", 0.0.0.0 unspecified
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, the metadata services
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.31.196.0/24",  # AS112
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",  # private
        "192.175.48.0/24",  # AS112 direct delegation
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, 255.255.255.255 broadcast
    )
)
_REFUSED_V6 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "::/96",  # unspecified, loopback, IPv4-compatible (deprecated)
        "64:ff9b:1::/48",  # NAT64 for local use
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo 2001::/32 among them
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4: wraps an IPv4 address a relay would reach
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
        "fc00::/7",  # unique local addresses
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_ALWAYS_REFUSED_V4 = tuple(ipaddress.ip_network(n) for n in ("0.0.0.0/8", "224.0.0.0/4"))
_ALWAYS_REFUSED_V6 = tuple(ipaddress.ip_network(n) for n in ("::/128", "ff00::/8"))


class TargetRefused(Exception):
    """The portal will not connect there. ``code`` says why, ``host`` names what was asked."""

    def __init__(self, code: str, host: str, address: str = ""):
        self.code, self.host, self.address = code, host, address
        super().__init__(f"{code}: {host}" + (f" ({address})" if address else ""))


def private_targets_allowed() -> bool:
    """The explicit setting for tests and local development; never implied by DEBUG."""
    return settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS


def parse_address(text: str) -> IPAddress:
    """An address as ``getaddrinfo`` or a URL gives it; an IPv6 zone ("%eth0") is dropped."""
    return ipaddress.ip_address(text.split("%", 1)[0])


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for when a connection to it reaches that IPv4
    address: IPv4-mapped (::ffff:a.b.c.d) and the well-known NAT64 prefix (64:ff9b::a.b.c.d)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """A globally routable unicast address, judged by what a connection to it reaches."""
    ip = _embedded_ipv4(ip) or ip
    if isinstance(ip, ipaddress.IPv4Address):
        return ip.is_global and not any(ip in net for net in _REFUSED_V4)
    return ip in _GLOBAL_UNICAST_V6 and not any(ip in net for net in _REFUSED_V6)


def _always_refused(ip: IPAddress) -> bool:
    reached = _embedded_ipv4(ip) or ip
    if reached in METADATA_ADDRESSES or ip in METADATA_ADDRESSES:
        return True
    nets = _ALWAYS_REFUSED_V4 if isinstance(reached, ipaddress.IPv4Address) else _ALWAYS_REFUSED_V6
    return any(reached in net for net in nets)


def refusal_of(address: str | IPAddress) -> str | None:
    """``None`` when the portal may connect to this address; else the reason's code:
    ``metadata`` (a cloud metadata service: never), ``private_address`` (anything not public,
    unless ``ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS`` is on)."""
    ip = address if not isinstance(address, str) else parse_address(address)
    if _always_refused(ip):
        return "metadata" if (_embedded_ipv4(ip) or ip) in METADATA_ADDRESSES else "private_address"
    if is_public(ip) or private_targets_allowed():
        return None
    return "private_address"


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to, in the resolver's order (the edge of the world:
    ``socket.getaddrinfo``); ``OSError`` when it does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = info[4][0]
        if address not in seen:
            seen.append(address)
    return seen


def checked_addresses(host: str, port: int) -> list[str]:
    """The addresses to connect to for ``host``: the literal address, or what the name resolves
    to now. Every one must pass :func:`refusal_of` — a name with one private address among
    public ones is refused whole (which address is tried is the resolver's choice, not ours)."""
    try:
        addresses = [str(parse_address(host))]
    except ValueError:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as error:
            raise TargetRefused("unresolvable", host) from error
    if not addresses:
        raise TargetRefused("unresolvable", host)
    for address in addresses:
        code = refusal_of(address)
        if code is not None:
            raise TargetRefused(code, host, address)
    return addresses


@dataclass(frozen=True)
class Target:
    """A URL taken apart for :func:`open_connection`."""

    scheme: str
    host: str
    port: int
    path: str  # with the query string


def target_of(url: str) -> Target:
    """The URL's parts; ``TargetRefused`` for anything but https (or http, with private targets
    allowed), for user info, or for a URL without a host."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise TargetRefused("invalid", host) from None
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("userinfo", host)
    allowed_schemes = ("https", "http") if private_targets_allowed() else ("https",)
    if parts.scheme not in allowed_schemes:
        raise TargetRefused("not_https", host)
    if not host:
        raise TargetRefused("invalid", host)
    default = 443 if parts.scheme == "https" else 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=host, port=port or default, path=path)


def _connect_checked(host: str, port: int, timeout, source_address) -> socket.socket:
    """A TCP connection to a checked address of ``host``: resolved once, here; tried in the
    resolver's order."""
    last_error: OSError | None = None
    for address in checked_addresses(host, port):
        try:
            sock = socket.create_connection((address, port), timeout, source_address)
        except OSError as error:
            last_error = error
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise last_error or OSError(f"could not connect to {host}")


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain http (only with private targets allowed) to a checked address."""

    def connect(self):
        self.sock = _connect_checked(self.host, self.port, self.timeout, self.source_address)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """https to a checked address; the certificate is verified for, and SNI names, the host of
    the URL (not the address)."""

    def connect(self):
        sock = _connect_checked(self.host, self.port, self.timeout, self.source_address)
        try:
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def open_connection(target: Target, *, timeout: float) -> http.client.HTTPConnection:
    """A connection for ``target`` that checks the address when it connects (on the first
    request). Certificates are verified against the system's trust store."""
    if target.scheme == "https":
        return PinnedHTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    return PinnedHTTPConnection(target.host, target.port, timeout=timeout)
