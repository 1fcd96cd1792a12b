"""
Checking that sources' links still work.

`check_url()` asks a server about one URL the polite way: HEAD first, then a
GET that reads only a few kilobytes when HEAD is refused (405, 403, 501) or
fails, following redirects, with a timeout and a user agent that says who we
are. `check_sources()` checks many sources with bounded concurrency and records
the outcome on each source.

Only the standard library is used, and only http and https: the opener has no
file, ftp or data handlers, and a redirect to any other scheme is refused.
"""

from __future__ import annotations

import functools
import http.client
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


class _SameMethodRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects keeping HEAD as HEAD, and only to http(s)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(
                newurl, code, f"Redirect to a non-web address: {newurl[:100]}", headers, fp
            )
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.method = req.get_method()
        return new


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the trusted certificates takes a tenth of a second: do it once.
    # An SSLContext may be shared between threads.
    return ssl.create_default_context()


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),  # honours http(s)_proxy and no_proxy
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(context=_tls_context()),
        urllib.request.HTTPDefaultErrorHandler(),
        _SameMethodRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _ask(url: str, method: str, *, timeout: float) -> LinkResult:
    request = urllib.request.Request(
        url, method=method, headers={"User-Agent": user_agent(), "Accept": "*/*"}
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            if method == "GET":
                response.read(GET_READ_BYTES)
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        reason = error.reason if isinstance(error.reason, str) else ""
        return LinkResult(error.code, False, f"HTTP {error.code} {reason}".strip())
    except TimeoutError:
        return LinkResult(None, False, f"No answer within {timeout:g} s")
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            return LinkResult(None, False, f"No answer within {timeout:g} s")
        return LinkResult(None, False, f"Could not connect: {reason}")
    except (http.client.HTTPException, OSError, ValueError) as error:
        return LinkResult(None, False, f"{type(error).__name__}: {error}")
    return LinkResult(status, 200 <= status < 400)


def check_url(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> LinkResult:
    """HEAD, then GET if HEAD is refused or fails. Never raises."""
    if urlsplit(url or "").scheme not in ("http", "https"):
        return LinkResult(None, False, "Not an http or https address")
    result = _ask(url, "HEAD", timeout=timeout)
    if result.ok or (result.status is not None and result.status not in RETRY_WITH_GET):
        return result
    return _ask(url, "GET", timeout=timeout)


@dataclass
class Summary:
    checked: int = 0
    ok: int = 0
    broken: int = 0


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
            summary.broken += not result.ok
            if progress:
                progress(source, result)
            batch.append(source)
            if len(batch) >= BATCH_SIZE:
                Source.objects.bulk_update(batch, fields)
                batch = []
    if batch:
        Source.objects.bulk_update(batch, fields)
    return summary
