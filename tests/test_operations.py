"""Probes, security.txt and structured logs for production (issue 12, item 14)."""

import json
import logging

import pytest
from django.db import DatabaseError
from django.db.migrations.executor import MigrationExecutor

from portal.logging import JsonFormatter

pytestmark = pytest.mark.django_db


def test_healthz_says_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ok_with_the_database_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["pending_migrations"] == 0


def test_readyz_is_503_with_pending_migrations_or_no_database(client, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["0099"])
    pending = client.get("/readyz")
    assert pending.status_code == 503
    assert pending.json()["pending_migrations"] == 1

    def unreachable(self, targets):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(MigrationExecutor, "migration_plan", unreachable)
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["database"] == "unreachable"


def test_probes_are_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_security_txt_names_the_contact_and_an_expiry(client, settings):
    settings.SECURITY_CONTACT = "mailto:security@register.example.org"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Contact: mailto:security@register.example.org\n" in text
    assert "Expires: " in text
    assert f"Canonical: {settings.SITE_URL}/.well-known/security.txt" in text


def test_security_txt_is_absent_until_a_contact_is_configured(client, settings):
    settings.SECURITY_CONTACT = ""
    assert client.get("/.well-known/security.txt").status_code == 404


def test_log_lines_are_json_with_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/p",),
            exc_info=__import__("sys").exc_info(), extra={"status_code": 500},
        )  # fmt: skip
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /p"
    assert entry["status"] == 500
    assert "ValueError: boom" in entry["exception"]


def test_uncaught_errors_outside_requests_are_logged(caplog):
    import sys
    import threading

    from portal.startup import log_uncaught_errors

    before = sys.excepthook, threading.excepthook
    try:
        log_uncaught_errors()
        thread = threading.Thread(target=lambda: 1 / 0, name="worker-x")
        with caplog.at_level(logging.CRITICAL, logger="portal.uncaught"):
            thread.start()
            thread.join()
    finally:
        sys.excepthook, threading.excepthook = before
    (record,) = caplog.records
    assert "worker-x" in record.getMessage()
    assert record.exc_info[0] is ZeroDivisionError
