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
index lookups, made once per request (``RegisterVersionMiddleware``). What
reads one record type's rows alone (a ``<select>``'s values in use) is kept
under that type's part of the version (``model_version``), so a deployment
saved does not make the agencies' countries be read again.

Counts are never served stale, with one caveat. A bulk write that skips
history, such as ``generate_synthetic``'s ``bulk_create``, does not change
the version. Entries also expire after ``REGISTER_COUNTS_CACHE_SECONDS``,
which bounds that case, and a restart clears the default (per-process)
cache.
"""

import datetime
import hashlib
import json
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import types

# Per request: a dict memoising the version (see the middleware); None outside one.
_request_memo: ContextVar[dict | None] = ContextVar("register_version_memo", default=None)


def _history_tables():
    # ``model.history`` is cheap to reach: ``registry.history.RecordHistory``
    # builds its manager class once, not on every access as the library does.
    return [model.history.model._meta.db_table for model in types.MODELS]


@dataclass(frozen=True)
class RegisterState:
    """The register's version and when it last changed (None while it is empty)."""

    version: str
    changed_at: datetime.datetime | None
    # The newest history id of each record type, in ``types.MODELS``' order.
    newest: tuple[int, ...] = ()


def read_state() -> RegisterState:
    """
    The register's version and the time of its newest change, read from the
    database: one query of two index lookups per record type (the newest
    history entry by id, and its date).
    """
    quote = connection.ops.quote_name
    tables = [quote(table) for table in _history_tables()]
    newest_ids = [f"(SELECT MAX(history_id) FROM {t})" for t in tables]
    dated = [f"(SELECT MAX(history_date) FROM {t})" for t in tables]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(newest_ids + dated)}")
        row = cursor.fetchone()
    ids, stamps = row[: len(tables)], row[len(tables) :]
    dates = [_as_datetime(stamp) for stamp in stamps if stamp is not None]
    newest = tuple(value or 0 for value in ids)
    return RegisterState(
        version=".".join(str(value) for value in newest),
        changed_at=max(dates, default=None),
        newest=newest,
    )


def _as_datetime(value) -> datetime.datetime:
    """A raw ``history_date`` (text on SQLite, naive or aware), as an aware UTC datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def register_state() -> RegisterState:
    """The register's version and last change, read at most once per request."""
    memo = _request_memo.get()
    if memo is None:
        return read_state()
    if "state" not in memo:
        memo["state"] = read_state()
    return memo["state"]


def changed_at_or_midnight() -> datetime.datetime:
    """
    When a page that says what is in force *today* last changed: the
    register's last change, or the start of today if that is later.
    """
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time()),
        timezone.get_current_timezone(),
    )
    changed = register_state().changed_at
    return max(changed, midnight) if changed else midnight


def read_version() -> str:
    """The register's version, read from the database: one query."""
    return read_state().version


def register_version() -> str:
    """
    The register's version, read at most once per request: the one answer to
    "has the register changed?" (cached counts, API validators, bulk files).
    """
    return register_state().version


def model_version(model) -> str:
    """
    The version of one record type's rows alone (its newest history entry):
    it moves when one of them changes, not when another type's record does.
    Read with the register's version, so it costs no query of its own.
    """
    return f"{model._meta.label}:{register_state().newest[types.MODELS.index(model)]}"


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


def _key(kind: str, question, version: str | None = None) -> str:
    """The cache key of ``question`` under ``version`` (the register's, unless given)."""
    version = register_version() if version is None else version
    digest = hashlib.sha256(json.dumps([version, question], sort_keys=True).encode()).hexdigest()
    return f"registry:counts:{kind}:{digest}"


def remembered(kind: str, question, compute, *, model=None):
    """
    ``compute()``, or what it returned for the same ``question`` (any JSON
    value) under the current register version. The result must be picklable:
    plain values, not querysets or lazy strings. ``model``: the answer reads
    that record type's rows and nothing else (a ``<select>``'s values in use),
    so it is kept until one of *them* changes (``model_version``).
    """

    def compute_one(_missing):
        return {"": compute()}

    return remembered_many(kind, {"": question}, compute_one, model=model)[""]


def remembered_many(kind: str, questions: dict, compute_missing, *, model=None) -> dict:
    """
    ``remembered`` for several questions at once (``{name: question}``), so
    that what is not kept can be computed together: ``compute_missing(names)``
    returns ``{name: value}`` for just those. One cache read, one write.
    """
    if not settings.REGISTER_COUNTS_CACHE_SECONDS:
        return compute_missing(list(questions)) if questions else {}
    version = model_version(model) if model is not None else register_version()
    keys = {name: _key(kind, question, version) for name, question in questions.items()}
    kept = cache.get_many(list(keys.values()))
    values = {name: kept[key] for name, key in keys.items() if key in kept}
    missing = [name for name in questions if name not in values]
    if missing:
        computed = compute_missing(missing)
        cache.set_many(
            {keys[name]: computed[name] for name in missing},
            settings.REGISTER_COUNTS_CACHE_SECONDS,
        )
        values.update(computed)
    return values


#: This process's copies of large remembered values, one per question:
#: ``{(kind, question): (cache key, token, value)}``.
_here: dict[str, tuple[str, str, object]] = {}


def remembered_here(kind: str, question, compute):
    """
    ``remembered`` for a large value that many requests read whole (the
    recorded localities: about 200 KB pickled at national scale, a few
    milliseconds to read and unpickle on every search). Each process keeps
    its own copy as well, and the shared cache holds a small token naming
    the copy that is current: a request reads the token, not the value.

    The copy is used only while the shared cache holds the same token under
    the current register version, so it is never staler than ``remembered``:
    a new version, a cleared cache or an expired token computes or reads the
    value afresh. Callers must not change the value they are given.
    """
    if not settings.REGISTER_COUNTS_CACHE_SECONDS:
        return compute()
    key = _key(kind, question)
    token_key = f"{key}:token"
    slot = json.dumps([kind, question], sort_keys=True)
    token = cache.get(token_key)
    kept = _here.get(slot)
    if token is not None and kept is not None and kept[:2] == (key, token):
        return kept[2]
    value = remembered(kind, question, compute)
    if token is None:
        # Another process may have set one meanwhile: keep whichever is there.
        cache.add(token_key, uuid.uuid4().hex, settings.REGISTER_COUNTS_CACHE_SECONDS)
        token = cache.get(token_key)
    if token is not None:
        _here[slot] = (key, token, value)
    return value
