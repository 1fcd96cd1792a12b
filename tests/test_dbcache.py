"""
The database cache (portal/dbcache.py, ``CACHE_URL=db``): several entries
written in one statement, read back as written, overwritten in place, and the
table still culled when full, on SQLite and PostgreSQL alike.
"""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.dbcache.DatabaseCache",
            "LOCATION": "synthetic_dbcache",
            "OPTIONS": {"MAX_ENTRIES": 4, "CULL_FREQUENCY": 2},
        }
    }
    call_command("createcachetable", verbosity=0)  # rolled back with the test
    return cache


def test_many_entries_are_written_in_one_statement(db_cache):
    entries = {f"synthetic:{n}": {"count": n} for n in range(3)}
    with CaptureQueriesContext(connection) as queries:
        assert db_cache.set_many(entries, 60) == []
    # One count of the table (whether to cull) and one upsert, not five
    # queries per entry (plus a savepoint here: the test runs in a transaction).
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE")] == ["SELECT", "INSERT"]
    assert db_cache.get_many(list(entries)) == entries


def test_a_kept_entry_is_replaced_in_place(db_cache):
    db_cache.set("synthetic:page", "old", 60)
    db_cache.set_many({"synthetic:page": "new", "synthetic:other": 1}, 60)
    assert db_cache.get("synthetic:page") == "new"
    db_cache.set("synthetic:page", "newest", 60)
    assert db_cache.get("synthetic:page") == "newest"


def test_an_entry_past_its_time_is_not_served(db_cache):
    db_cache.set("synthetic:gone", "stale", -1)
    assert db_cache.get("synthetic:gone") is None


def test_add_still_keeps_only_the_first_value(db_cache):
    assert db_cache.add("synthetic:slot", 1, 60)
    assert not db_cache.add("synthetic:slot", 2, 60)
    assert db_cache.get("synthetic:slot") == 1


def test_a_full_table_is_culled(db_cache):
    db_cache.set_many({f"synthetic:{n}": n for n in range(6)}, 60)
    db_cache.set("synthetic:last", "kept", 60)
    kept = db_cache.get_many([f"synthetic:{n}" for n in range(6)])
    assert len(kept) < 6
    assert db_cache.get("synthetic:last") == "kept"


def test_the_configured_table_keeps_a_register_s_working_set(settings):
    from portal.cacheurl import cache_for

    settings.CACHES = {"default": {**cache_for("db"), "LOCATION": "synthetic_dbcache"}}
    call_command("createcachetable", verbosity=0)  # rolled back with the test
    cache.set("registry:counts:synthetic", {"total": 1}, 60)
    # More pages than Django's default of 300 entries, written one by one.
    for n in range(400):
        cache.set(f"registry:response:synthetic-{n}", b"page", 60)
    assert cache.get("registry:counts:synthetic") == {"total": 1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's synchronous_commit")
def test_on_postgresql_only_the_cache_s_own_transaction_skips_waiting_for_the_disk(db_cache):
    # A write inside the caller's transaction (a record's save) never changes how it commits.
    with CaptureQueriesContext(connection) as queries:
        db_cache.set("synthetic:inside", 2, 60)
    assert not any("synchronous_commit" in q["sql"] for q in queries.captured_queries)
    # Outside any transaction (as in a request), the cache's own transaction does.
    # (The test itself runs in a transaction, which would be flushed otherwise.)
    with (
        mock.patch.object(connection, "in_atomic_block", False),
        CaptureQueriesContext(connection) as queries,
    ):
        db_cache.set("synthetic:alone", 1, 60)
    statements = [q["sql"] for q in queries.captured_queries]
    assert "SET LOCAL synchronous_commit TO OFF" in statements
    assert db_cache.get_many(["synthetic:alone", "synthetic:inside"]) == {
        "synthetic:alone": 1,
        "synthetic:inside": 2,
    }
