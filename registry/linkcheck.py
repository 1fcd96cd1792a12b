"""
Checking that sources' links still work.

`check_url()` asks a server about one URL the polite way: HEAD first, then a
GET that reads only a few kilobytes when HEAD is refused (405, 403, 501) or
fails, following redirects, with a timeout and a user agent that says who we
are. `check_sources()` checks many sources with bounded concurrency and records
the outcome on each source.

Only the standard library is used, and only http and https: the opener has no
file, ftp or data handlers, and a redirect to any other scheme is refused.

Only public addresses are fetched. A source URL is typed by a maintainer or
comes from an import, so it could name ``http://127.0.0.1:6379/`` or a cloud
metadata address and turn the checker into a probe of internal ports. Every
host, the first and each redirect's, is resolved and refused when any of its
addresses is private, loopback, link-local, multicast, reserved or otherwise
not global; the connection is then made to the address that was checked (no
second look-up a rebinding DNS server could answer differently). A refused
link is recorded as not working, with a reason that starts "Refused:".
Tests that run a server on 127.0.0.1 allow loopback addresses (only those)
with the setting ``LINKCHECK_ALLOW_LOOPBACK`` (never set in production) or
``allow_loopback=True``.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

DEFAULT_WORKERS = 8
DEFAULT_TIMEOUT = 10.0
GET_READ_BYTES = 4096
# HEAD answers that mean "ask me with GET instead" rather than "broken".
RETRY_WITH_GET = {403, 405, 501}
MAX_ERROR_LENGTH = 300
BATCH_SIZE = 200


def user_agent() -> str:
    contact = getattr(settings, "REGISTER_CONTACT_URL", "")
    about = f"+{contact}; " if contact else ""
    return f"FRRegisterLinkChecker/1.0 ({about}{settings.REGISTER_NAME}; checks cited sources)"


@dataclass(frozen=True)
class LinkResult:
    status: int | None
    ok: bool
    error: str = ""
    refused: bool = False  # not fetched: the address is not a public one


class RefusedAddress(OSError):
    """The host resolves to an address the checker must not reach."""


def loopback_allowed() -> bool:
    """Only tests (a server on 127.0.0.1) set this; production never does."""
    return bool(getattr(settings, "LINKCHECK_ALLOW_LOOPBACK", False))


def _non_global_reason(address: str, *, allow_loopback: bool = False) -> str | None:
    """Why ``address`` is not a public internet address, or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_loopback and ip.is_loopback:
        return None
    for kind, test in (
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("a multicast", ip.is_multicast),
        ("an unspecified", ip.is_unspecified),
        ("a private", ip.is_private),
        ("a reserved", ip.is_reserved),
    ):
        if test:
            return f"{kind} address"
    if not ip.is_global:
        return "a non-public address"
    return None


def resolve_public(host: str, port: int, *, allow_loopback: bool = False) -> list[tuple]:
    """
    The ``getaddrinfo`` entries of ``host``, all of them public; raises
    ``RefusedAddress`` when any is not (a name with one private address among
    public ones is refused: which one a client uses is not ours to choose).
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for *_rest, sockaddr in infos:
        reason = _non_global_reason(sockaddr[0], allow_loopback=allow_loopback)
        if reason:
            raise RefusedAddress(
                f"Refused: {host} resolves to {sockaddr[0]}, {reason}; "
                "only public addresses are checked"
            )
    return infos


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def _connect_public(address, timeout, source_address, *, allow_loopback: bool):
    """
    ``socket.create_connection`` that connects only to checked, public
    addresses, the very ones it checked. A configured proxy is reached as is:
    the target's own host was checked before the request was made.
    """
    host, port = address
    if host in _proxy_hosts():
        return socket.create_connection(address, timeout, source_address)
    error: OSError | None = None
    infos = resolve_public(host, port, allow_loopback=allow_loopback)
    for family, type_, proto, _name, sockaddr in infos:
        sock = socket.socket(family, type_, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"No address for {host}")


def _proxy_hosts() -> set[str]:
    return {urlsplit(url).hostname for url in urllib.request.getproxies().values()} - {None}


class _PublicConnection:
    """Connects through ``_connect_public`` (http.client's own hook for it)."""

    def __init__(self, *args, allow_loopback: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # http.client sets this hook on the instance in __init__: replace it there.
        self._create_connection = functools.partial(_connect_public, allow_loopback=allow_loopback)


class _PublicHTTPConnection(_PublicConnection, http.client.HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicConnection, http.client.HTTPSConnection):
    pass


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, *, allow_loopback: bool):
        super().__init__()
        self.allow_loopback = allow_loopback

    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req, allow_loopback=self.allow_loopback)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, *, allow_loopback: bool, context: ssl.SSLContext):
        super().__init__(context=context)
        self.allow_loopback = allow_loopback

    def https_open(self, req):
        return self.do_open(
            _PublicHTTPSConnection, req, context=self._context, allow_loopback=self.allow_loopback
        )


class _SameMethodRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects keeping HEAD as HEAD, and only to public http(s) addresses."""

    def __init__(self, *, allow_loopback: bool):
        super().__init__()
        self.allow_loopback = allow_loopback

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(
                newurl, code, f"Redirect to a non-web address: {newurl[:100]}", headers, fp
            )
        # Checked here too (not only on connecting) so that a redirect through
        # a proxy is refused all the same.
        resolve_public(*_host_port(newurl), allow_loopback=self.allow_loopback)
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.method = req.get_method()
        return new


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the trusted certificates takes a tenth of a second: do it once.
    # An SSLContext may be shared between threads.
    return ssl.create_default_context()


def _opener(*, allow_loopback: bool) -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),  # honours http(s)_proxy and no_proxy
        _PublicHTTPHandler(allow_loopback=allow_loopback),
        _PublicHTTPSHandler(allow_loopback=allow_loopback, context=_tls_context()),
        urllib.request.HTTPDefaultErrorHandler(),
        _SameMethodRedirects(allow_loopback=allow_loopback),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _ask(url: str, method: str, *, timeout: float, allow_loopback: bool) -> LinkResult:
    request = urllib.request.Request(
        url, method=method, headers={"User-Agent": user_agent(), "Accept": "*/*"}
    )
    try:
        with _opener(allow_loopback=allow_loopback).open(request, timeout=timeout) as response:
            if method == "GET":
                response.read(GET_READ_BYTES)
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        reason = error.reason if isinstance(error.reason, str) else ""
        return LinkResult(error.code, False, f"HTTP {error.code} {reason}".strip())
    except TimeoutError:
        return LinkResult(None, False, f"No answer within {timeout:g} s")
    except RefusedAddress as error:  # a redirect to a private address
        return LinkResult(None, False, str(error), refused=True)
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, RefusedAddress):
            return LinkResult(None, False, str(reason), refused=True)
        if isinstance(reason, TimeoutError):
            return LinkResult(None, False, f"No answer within {timeout:g} s")
        return LinkResult(None, False, f"Could not connect: {reason}")
    except (http.client.HTTPException, OSError, ValueError) as error:
        return LinkResult(None, False, f"{type(error).__name__}: {error}")
    return LinkResult(status, 200 <= status < 400)


def check_url(
    url: str, *, timeout: float = DEFAULT_TIMEOUT, allow_loopback: bool | None = None
) -> LinkResult:
    """
    HEAD, then GET if HEAD is refused or fails. Never raises. A host that is
    not a public address is refused without a request (``allow_loopback``,
    default: the setting ``LINKCHECK_ALLOW_LOOPBACK``, lets tests reach
    127.0.0.1 and ::1, and nothing else).
    """
    if urlsplit(url or "").scheme not in ("http", "https"):
        return LinkResult(None, False, "Not an http or https address")
    if allow_loopback is None:
        allow_loopback = loopback_allowed()
    try:
        resolve_public(*_host_port(url), allow_loopback=allow_loopback)
    except RefusedAddress as error:
        return LinkResult(None, False, str(error), refused=True)
    except (OSError, ValueError) as error:  # no such host, or a bad port
        return LinkResult(None, False, f"Could not connect: {error}")
    result = _ask(url, "HEAD", timeout=timeout, allow_loopback=allow_loopback)
    if result.refused or result.ok:
        return result
    if result.status is not None and result.status not in RETRY_WITH_GET:
        return result
    return _ask(url, "GET", timeout=timeout, allow_loopback=allow_loopback)


@dataclass
class Summary:
    checked: int = 0
    ok: int = 0
    broken: int = 0
    refused: int = 0  # not fetched: not a public address (not counted as broken)


def check_sources(
    sources: Iterable,
    *,
    workers: int = DEFAULT_WORKERS,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[object, LinkResult], None] | None = None,
) -> Summary:
    """
    Check each source's ``url`` with at most ``workers`` requests at once, and
    store ``link_status``, ``link_ok``, ``link_error`` and ``link_checked_at``
    in batches.

    The rows are written with ``bulk_update``, which does not send ``save``
    signals, so a link check never adds an entry to a source's public history:
    it is a fact about the link, not an edit of the record.
    """
    from .models import Source

    summary = Summary()
    fields = ["link_status", "link_ok", "link_error", "link_checked_at"]
    batch = []
    sources = list(sources)
    # Network work happens in threads; the database is touched only here.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = pool.map(lambda source: check_url(source.url, timeout=timeout), sources)
        for source, result in zip(sources, results, strict=True):
            source.link_status = result.status
            source.link_ok = result.ok
            source.link_error = result.error[:MAX_ERROR_LENGTH]
            source.link_checked_at = timezone.now()
            summary.checked += 1
            summary.ok += result.ok
            summary.refused += result.refused
            summary.broken += not result.ok and not result.refused
            if progress:
                progress(source, result)
            batch.append(source)
            if len(batch) >= BATCH_SIZE:
                Source.objects.bulk_update(batch, fields)
                batch = []
    if batch:
        Source.objects.bulk_update(batch, fields)
    return summary
