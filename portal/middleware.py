"""
Middleware that keeps the site answering clearly under load and attack
(issue 12): a busy or slow database is a 503 with ``Retry-After``, not a 500;
methods nobody serves get 405; costly public requests are rate-limited in the
shared cache; every response carries a ``Permissions-Policy``.
"""

import sqlite3
import time

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse

from registry.canonical import is_public_list
from registry.clientaddress import client_address

try:  # psycopg is installed, but the site also runs on SQLite alone.
    from psycopg import errors as pg_errors

    PG_BUSY = (pg_errors.QueryCanceled, pg_errors.LockNotAvailable)
except ImportError:  # pragma: no cover
    PG_BUSY = ()

# SQLite's messages when another connection holds the write lock past the busy timeout.
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def is_database_busy(exc: BaseException | None) -> bool:
    """
    Whether ``exc`` says the database could not answer in time: SQLite's lock
    wait ran out, or PostgreSQL cancelled a statement at ``statement_timeout``
    (or a lock wait at ``lock_timeout``). These are load, not bugs.
    """
    if not isinstance(exc, OperationalError | sqlite3.OperationalError):
        return False
    cause = exc.__cause__
    if PG_BUSY and isinstance(cause, PG_BUSY):
        return True
    return any(message in str(exc).lower() for message in SQLITE_BUSY)


def busy_response(request) -> HttpResponse:
    """503 with a plain message and ``Retry-After``; renders nothing that needs the database."""
    message = "The register is busy right now. Please try again in a few seconds."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Busy: please try again</title></head>"
            f"<body><h1>Busy: please try again</h1><p>{message}</p></body></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(settings.BUSY_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    """A view (or its template) that meets a busy database answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_busy(exception):
            return busy_response(request)
        return None


def _allowed_methods(path: str) -> list[str]:
    allowed = ["GET", "HEAD"]
    if any(path.startswith(prefix) for prefix in settings.POST_PATH_PREFIXES):
        allowed.append("POST")
    if path.startswith(settings.OPTIONS_PATH_PREFIX):
        allowed.append("OPTIONS")  # CORS preflight requests to the public API
    return allowed


class AllowedMethodsMiddleware:
    """
    GET and HEAD everywhere; POST only where a form posts
    (``POST_PATH_PREFIXES``: the admin, the suggestion form); OPTIONS only on
    the API, for CORS. Anything else (TRACE, PUT, DELETE …) is a 405 with
    ``Allow``, before any view runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = _allowed_methods(request.path_info)
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Every response denies the browser features the site never uses (``PERMISSIONS_POLICY``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def _is_expensive(request, view_kwargs) -> str | None:
    """
    The kind of costly work a public request asks for, or None: a full export
    of a list (``format=csv|json``), a full-text search, a bulk download.
    """
    match = request.resolver_match
    name = match.view_name if match else ""
    query = request.GET
    if name == "registry:search":
        return "search"
    if name in ("registry:data-json", "registry:data-csv-zip"):
        return "download"
    is_list = is_public_list(match)
    if is_list and query.get("format") in ("csv", "json"):
        return "export"
    if (is_list or (name.startswith("api:") and name.endswith("-list"))) and query.get("q"):
        return "search"
    return None


class ExpensiveRequestRateLimitMiddleware:
    """
    At most ``EXPENSIVE_RATE_LIMIT`` costly requests (full exports, searches,
    bulk downloads) per client address per ``EXPENSIVE_RATE_WINDOW`` seconds,
    counted in Django's cache: shared by every process and machine when the
    cache is (``CACHE_URL``). Past the limit: 429 with ``Retry-After``.
    Ordinary pages are never counted; ``0`` turns the limit off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = settings.EXPENSIVE_RATE_LIMIT
        if not limit or request.method not in ("GET", "HEAD"):
            return None
        if _is_expensive(request, view_kwargs) is None:
            return None
        window = settings.EXPENSIVE_RATE_WINDOW
        now = time.time()
        bucket = int(now // window)
        key = f"ratelimit:expensive:{client_address(request)}:{bucket}"
        # add() then incr(): atomic on Redis and the database cache; the window
        # is in the key, so an entry that outlives it is never read again.
        cache.add(key, 0, window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, window + 1)
            count = 1
        if count <= limit:
            return None
        retry_after = max(1, int((bucket + 1) * window - now))
        message = (
            f"Too many searches or downloads from your address: at most {limit} every "
            f"{window} seconds. Please try again in {retry_after} seconds."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=429)
        else:
            response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(retry_after)
        return response
