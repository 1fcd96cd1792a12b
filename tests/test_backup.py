"""
``manage.py backup`` and ``manage.py restore``: the restore drill.

A database holding history (authors, reasons, dates), ``created_at``, a
retracted record's public note, users and groups, a two-factor device, a
sign-in failure, suggestions and link-check results is backed up, restored
into an empty database, and every table is compared row for row. On SQLite
(the suite's default) and, when ``DATABASE_URL`` names PostgreSQL, on
PostgreSQL with pg_dump / pg_restore into a second database made for the test.
"""

import datetime
import sqlite3
from io import StringIO

import psycopg
import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry import backup, choices, workflow
from registry.models import Agency, Policy, Source, Suggestion
from tests.factories import AgencyFactory, DeploymentFactory, PolicyFactory

KIND = backup.engine(connection.settings_dict)
# Tables that must hold rows for the drill to mean anything.
MUST_HOLD_ROWS = [
    "auth_group",
    "auth_user",
    "auth_user_groups",
    "axes_accessattempt",
    "django_migrations",
    "otp_totp_totpdevice",
    "registry_agency",
    "registry_historicalagency",
    "registry_historicalpolicy",
    "registry_source",
    "registry_suggestion",
]


def _build_a_register_with_everything():
    reviewer = User.objects.create_user("synthetic-reviewer", password="x", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    TOTPDevice.objects.create(user=reviewer, name="Synthetic phone", confirmed=True)
    AccessAttempt.objects.create(
        username="synthetic-admin",
        ip_address="192.0.2.1",
        user_agent="Synthetic agent",
        failures_since_start=3,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/admin/login/",
    )
    agency = AgencyFactory(name="Synthetic County Police 00001", state=choices.State.DRAFT)
    workflow.transition(
        [agency], to=choices.State.PUBLISHED, user=reviewer, reason="Synthetic: checked"
    )
    policy = PolicyFactory(agencies=[agency])
    workflow.transition(
        [policy],
        to=choices.State.RETRACTED,
        user=reviewer,
        reason="Synthetic: source withdrawn",
        public_note="Synthetic: withdrawn because its only source was retracted.",
    )
    DeploymentFactory(agency=agency)
    Agency.objects.filter(pk=agency.pk).update(
        created_at=datetime.datetime(2019, 5, 14, 9, 30, tzinfo=datetime.UTC)
    )
    Source.objects.filter(pk=agency.sources.get().pk).update(
        link_status=404, link_ok=False, link_error="HTTP 404 Not Found",
        link_checked_at=timezone.now(),
    )  # fmt: skip
    Suggestion.objects.create(
        body="Synthetic correction", name="Synthetic Sender", email="synthetic@example.org"
    )
    return agency, policy


def _print_comparison(results):
    print(f"\nrestore drill ({KIND}): {len(results)} tables")
    for r in results:
        mark = "identical" if r.identical else "DIFFERENT"
        print(f"  {r.table:<45} {r.rows_before:>6} -> {r.rows_after:>6}  {mark}")


def _assert_identical(results):
    _print_comparison(results)
    assert [r.table for r in results if not r.identical] == []
    counts = {r.table: r.rows_after for r in results}
    assert [t for t in MUST_HOLD_ROWS if counts.get(t, 0) < 1] == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_drill_every_table_row_for_row(tmp_path):
    agency, policy = _build_a_register_with_everything()
    file = tmp_path / "register.backup"
    out = StringIO()

    call_command("backup", str(file), stdout=out)

    assert f"Backed up the {KIND} database to {file}." in out.getvalue()
    if KIND == "sqlite3":
        restored_path = tmp_path / "restored.sqlite3"
        target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(restored_path)}
        backup.restore(file, target)
        # Plain connections on both sides (Django's converts values as it reads).
        before = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
        with sqlite3.connect(restored_path) as after:
            results = backup.compare(before, after, KIND)
            note = after.execute(
                "SELECT public_note FROM registry_policy WHERE id = ?", [policy.pk]
            ).fetchone()
            reasons = [r for (r,) in after.execute(
                "SELECT history_change_reason FROM registry_historicalagency "
                "WHERE id = ? ORDER BY history_id", [agency.pk])]  # fmt: skip
        before.close()
        _assert_identical(results)
    else:
        target = {**connection.settings_dict, "NAME": connection.settings_dict["NAME"] + "_drill"}
        admin = backup.pg_connect_kwargs({**connection.settings_dict, "NAME": "postgres"})
        with psycopg.connect(**admin, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}"')
            server.execute(f'CREATE DATABASE "{target["NAME"]}"')
        try:
            backup.restore(file, target)
            before = psycopg.connect(**backup.pg_connect_kwargs(connection.settings_dict))
            with before, psycopg.connect(**backup.pg_connect_kwargs(target)) as after:
                results = backup.compare(before, after, KIND)
                note = after.execute(
                    "SELECT public_note FROM registry_policy WHERE id = %s", [policy.pk]
                ).fetchone()
                reasons = [r for (r,) in after.execute(
                    "SELECT history_change_reason FROM registry_historicalagency "
                    "WHERE id = %s ORDER BY history_id", [agency.pk])]  # fmt: skip
            _assert_identical(results)
        finally:
            with psycopg.connect(**admin, autocommit=True) as server:
                server.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}"')
    assert note == ("Synthetic: withdrawn because its only source was retracted.",)
    assert "Synthetic: checked" in reasons
    assert Policy.objects.get(pk=policy.pk).state == choices.State.RETRACTED


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    file = tmp_path / "registry.json"
    file.write_text('{"format": "fr-registry/1"}')

    with pytest.raises(CommandError, match="is not a backup made by `manage.py backup`"):
        call_command("restore", str(file), stdout=StringIO())


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such backup file"):
        call_command("restore", str(tmp_path / "nothing.backup"), stdout=StringIO())


def test_restore_refuses_a_database_that_already_holds_tables(tmp_path):
    source = tmp_path / "small.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE synthetic (id integer)")
        db.execute("INSERT INTO synthetic VALUES (1)")
    db.close()
    occupied = tmp_path / "occupied.sqlite3"
    with sqlite3.connect(occupied) as db:
        db.execute("CREATE TABLE live_data (id integer)")
    db.close()
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(occupied)}

    with pytest.raises(backup.BackupError, match="already holds tables"):
        backup.restore(source, target)
    backup.restore(source, target, replace=True)

    with sqlite3.connect(occupied) as db:
        assert db.execute("SELECT id FROM synthetic").fetchall() == [(1,)]
    db.close()


def test_a_sqlite_backup_does_not_restore_into_postgresql(tmp_path):
    source = tmp_path / "small.sqlite3"
    sqlite3.connect(source).close()
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE synthetic (id integer)")
    db.close()
    target = {"ENGINE": "django.db.backends.postgresql", "NAME": "synthetic"}

    with pytest.raises(backup.BackupError, match="restores only into a sqlite3 database"):
        backup.restore(source, target)
