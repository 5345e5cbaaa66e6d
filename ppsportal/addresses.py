"""The client's address as the portal sees it, for the audit log and the sign-in lockout."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` proxies the
    address the outermost of them saw. None when there is no request or no address."""
    if request is None:
        return None
    meta = getattr(request, "META", {})
    proxies = settings.TRUSTED_PROXY_COUNT
    address = meta.get("REMOTE_ADDR") or None
    if proxies > 0:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops:
            # Our n proxies appended the last n entries; anything before them the client wrote.
            address = hops[-proxies] if len(hops) >= proxies else hops[0]
    return _valid_address(address)


def _valid_address(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
