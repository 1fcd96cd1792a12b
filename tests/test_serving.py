"""How production serves the site: gunicorn's settings and the local production-like server."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from registry import search, views
from registry.devtools import localserver
from registry.search import results

CONFIG = Path(settings.BASE_DIR) / "gunicorn.conf.py"


def test_recycled_workers_fork_from_a_preloaded_site():
    config = runpy.run_path(str(CONFIG))
    # A recycled worker (max_requests) starts with the site already imported.
    assert config["preload_app"] is True
    assert config["max_requests"] > 0


def test_the_master_leaves_no_connection_for_the_workers_to_share(monkeypatch):
    # (A test's in-memory database cannot really be closed: count the calls.)
    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    runpy.run_path(str(CONFIG))["when_ready"](server=None)
    assert closed == [True]


@pytest.mark.django_db
def test_a_worker_forked_from_the_master_builds_no_statement_for_a_common_search(monkeypatch):
    results.top_statement.cache_clear()
    monkeypatch.setattr(connections, "close_all", lambda: None)
    runpy.run_path(str(CONFIG))["when_ready"](server=None)
    built = results.top_statement.cache_info().misses
    search.search_all("facial recognition", limit_per_type=views.SEARCH_RESULTS_PER_TYPE)
    assert results.top_statement.cache_info().misses == built


@pytest.mark.parametrize(
    "cache_url, needs_table",
    [("db", True), ("", False), ("redis://cache:6379/0", False), ("unix:///run/r.sock", False)],
)
def test_a_local_server_creates_the_cache_table_only_for_the_database_cache(cache_url, needs_table):
    assert localserver.uses_database_cache({"CACHE_URL": cache_url}) is needs_table
