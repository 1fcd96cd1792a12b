"""
Counts kept between requests: facet counts, a list's total and the values
offered in a filter's ``<select>``.

These cost a scan of every matching row (tens of milliseconds each at 100,000
deployments), yet the register changes a few times a day. So each is kept in
Django's cache under the **register's version** and the question asked (the
list, the facet, the filters in force).

The version is the newest history entry of each record type: every change
made through the ORM (the admin, the importers, a revert, a deletion, a
change of linked sources or agencies) writes one, so any change gives a new
version and the next request counts afresh. Reading it is one query of seven
index lookups, made once per request (``RegisterVersionMiddleware``).

Counts are never served stale, with one caveat. A bulk write that skips
history, such as ``generate_synthetic``'s ``bulk_create``, does not change
the version. Entries also expire after ``REGISTER_COUNTS_CACHE_SECONDS``,
which bounds that case, and a restart clears the default (per-process)
cache.
"""

import hashlib
import json
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .models import RECORD_MODELS

_MISSING = object()
# Per request: a dict memoising the version (see the middleware); None outside one.
_request_memo: ContextVar[dict | None] = ContextVar("register_version_memo", default=None)


def _history_tables():
    return [model.history.model._meta.db_table for model in RECORD_MODELS]


def read_version() -> str:
    """The register's version, read from the database: one query."""
    quote = connection.ops.quote_name
    newest = ", ".join(f"(SELECT MAX(history_id) FROM {quote(t)})" for t in _history_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {newest}")
        row = cursor.fetchone()
    return ".".join(str(value or 0) for value in row)


def register_version() -> str:
    """The register's version, read at most once per request."""
    memo = _request_memo.get()
    if memo is None:
        return read_version()
    if "version" not in memo:
        memo["version"] = read_version()
    return memo["version"]


class RegisterVersionMiddleware:
    """Give each request its own memo for the register's version."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            _request_memo.reset(token)


def remembered(kind: str, question, compute):
    """
    ``compute()``, or what it returned for the same ``question`` (any JSON
    value) under the current register version. The result must be picklable:
    plain values, not querysets or lazy strings.
    """
    if not settings.REGISTER_COUNTS_CACHE_SECONDS:
        return compute()
    digest = hashlib.sha256(
        json.dumps([register_version(), question], sort_keys=True).encode()
    ).hexdigest()
    key = f"registry:counts:{kind}:{digest}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, settings.REGISTER_COUNTS_CACHE_SECONDS)
    return value
