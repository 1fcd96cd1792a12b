"""
Middleware that keeps the site answering clearly under load and attack
(issue 12): a busy or slow database is a 503 with ``Retry-After``, not a 500;
methods nobody serves get 405; costly public requests are rate-limited in the
shared cache; every response carries a ``Permissions-Policy``.
"""

import sqlite3

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse

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
