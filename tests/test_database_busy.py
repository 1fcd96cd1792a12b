"""
A busy database answers 503 with Retry-After, never 500 (issue 12, item 2).

The SQLite case runs in a fresh interpreter against a real database file
(the suite's in-memory database cannot be locked from outside), with a second
connection holding the write lock as a running import does.
"""

import sqlite3
import textwrap

import pytest
from django.db import OperationalError
from django.urls import reverse

from portal.middleware import is_database_busy
from tests.test_production import run_python

pytestmark = pytest.mark.django_db

LOCKED_SITE = textwrap.dedent(
    """
    import os, sqlite3, sys
    import django
    from django.conf import settings

    # Tables straight from the models: much faster than running every migration.
    settings.MIGRATION_MODULES = {
        app: None for app in ("admin", "auth", "contenttypes", "sessions", "registry")
    }
    django.setup()
    from django.core.management import call_command
    from django.contrib.auth.models import User
    from django.test import Client
    from django.db import connection

    call_command("migrate", run_syncdb=True, verbosity=0)
    User.objects.create_superuser("ada", "ada@example.org", "a long passphrase")
    print("journal_mode", connection.cursor().execute("PRAGMA journal_mode").fetchone()[0])
    connection.close()

    # Another process (an import) holds the write lock.
    writer = sqlite3.connect(sys.argv[1], isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # in rollback-journal mode this blocks readers
    writer.execute("UPDATE auth_user SET first_name = 'import'")

    client = Client()
    for path in ("/", "/agencies/"):
        print("GET", path, client.get(path).status_code)
    # Signing in writes (the session, the last login): it must wait, then say busy.
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "ada", "password": "a long passphrase"},
    )
    print("POST", response.status_code, response.get("Retry-After"))
    writer.execute("ROLLBACK")
    """
)


def test_reads_go_on_and_a_blocked_write_is_a_503_while_an_import_holds_the_lock(tmp_path):
    database = tmp_path / "db.sqlite3"
    code = f"import sys; sys.argv = ['x', {str(database)!r}]\n" + LOCKED_SITE
    result = run_python(
        code,
        SECRET_KEY="s",
        SITE_URL="http://testserver",
        DJANGO_SETTINGS_MODULE="portal.settings_test",
        DATABASE_URL=f"sqlite:///{database}",
        SQLITE_BUSY_TIMEOUT="0.5",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert "journal_mode wal" in lines
    # Before WAL, pages answered 500 "database is locked" during an import.
    assert "GET / 200" in lines
    assert "GET /agencies/ 200" in lines
    assert "POST 503 5" in lines


def test_a_busy_database_met_in_a_view_is_a_503(client, monkeypatch):
    from registry import views

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views.HomeView, "get", locked)
    response = client.get(reverse("registry:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in response.content.decode()


def test_a_busy_database_met_outside_a_view_is_a_503_too(client, monkeypatch):
    """Raised in a middleware, it never reaches process_exception: handler500 answers."""
    from registry.counts import RegisterVersionMiddleware

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    client.raise_request_exception = False
    monkeypatch.setattr(RegisterVersionMiddleware, "__call__", locked)
    response = client.get(reverse("registry:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_only_lock_and_timeout_errors_count_as_busy():
    assert is_database_busy(OperationalError("database is locked"))
    assert is_database_busy(sqlite3.OperationalError("database table is locked"))
    assert not is_database_busy(OperationalError("no such table: registry_agency"))
    assert not is_database_busy(ValueError("database is locked"))
    assert not is_database_busy(None)
