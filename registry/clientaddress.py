"""
The address of the client that sent a request, for rate limits and lockouts.

Behind reverse proxies ``REMOTE_ADDR`` is the nearest proxy's address, so every
visitor would share one limit. Each proxy appends the address it was reached
from to ``X-Forwarded-For``; with ``TRUSTED_PROXY_COUNT`` proxies in front of
the site, the client is the entry that many places from the right. Entries
further left were written by the client and are never believed. With no
trusted proxy (the default) the header is ignored and ``REMOTE_ADDR`` is used.
"""

import ipaddress

from django.conf import settings


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0)))


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


def client_address(request) -> str:
    """
    The client's IP address as the trusted proxies saw it, else ``REMOTE_ADDR``;
    "" when neither is an IP address (a request made in code, a server on a
    Unix socket), so it can be stored in an IP address column or left empty.
    """
    count = trusted_proxy_count()
    if count:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        # Fewer entries than proxies: the request did not come through them all
        # (or a proxy is misconfigured); the direct peer is all that is known.
        if len(forwarded) >= count and _valid(forwarded[-count]):
            return _valid(forwarded[-count])
    return _valid(request.META.get("REMOTE_ADDR", "") or "")
