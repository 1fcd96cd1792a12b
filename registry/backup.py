"""
Backups that restore everything: every table, history included.

The JSON export (``export_registry``) is the public interchange format: it
carries the records, not their history, authors, accounts, suggestions, link
checks or sign-in records. A backup is the database itself:

- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot taken while
  the site runs), restored with ``pg_restore`` in one transaction;
- SQLite: the online backup API (``sqlite3.Connection.backup``), which copies
  a consistent snapshot page by page while the site keeps running.

``restore`` writes into an empty database (no table at all: a freshly created
PostgreSQL database, or a SQLite file that does not exist yet) unless told to
replace what is there. A backup restores into the same kind of database it
came from. ``compare`` lists every table of two databases with their row
counts and whether their rows are identical: the restore drill.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message for the operator."""


def engine(settings_dict: dict) -> str:
    name = settings_dict["ENGINE"].rsplit(".", 1)[-1]
    if name in ("sqlite3", "postgresql"):
        return name
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {settings_dict['ENGINE']}.")


def file_kind(path: Path) -> str:
    """``sqlite3`` or ``postgresql``: what a backup file holds, from its first bytes."""
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite3"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a backup made by `manage.py backup`.")


# PostgreSQL ------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on the PATH. Install the PostgreSQL client programs "
            "(e.g. the postgresql-client package), the same major version as the server or newer."
        )
    return found


def _pg_env_and_args(settings_dict: dict) -> tuple[dict, list[str]]:
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return env, args


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")


# Commands ----------------------------------------------------------------------


def backup(path: Path, *, connection) -> None:
    """Write a backup of the database behind ``connection`` (a Django connection) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed: a failed backup never leaves half a file
    # where a good one was.
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        if engine(connection.settings_dict) == "sqlite3":
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            env, args = _pg_env_and_args(connection.settings_dict)
            _run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                 *args, "--file", partial, connection.settings_dict["NAME"]],
                env,
            )  # fmt: skip
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [name for (name,) in rows]


def restore(path: Path, settings_dict: dict, *, replace: bool = False) -> None:
    """
    Restore the backup at ``path`` into the database ``settings_dict`` describes
    (a Django ``DATABASES`` entry), which must be empty unless ``replace``.
    Close Django's connections to it first.
    """
    path = Path(path)
    kind, target_kind = file_kind(path), engine(settings_dict)
    if kind != target_kind:
        raise BackupError(
            f"{path} is a {kind} backup; it restores only into a {kind} database, "
            f"not {target_kind}."
        )
    if kind == "sqlite3":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(settings_dict["NAME"])
        try:
            if _sqlite_tables(target) and not replace:
                raise BackupError(_not_empty(settings_dict["NAME"]))
            # The backup API replaces the target's whole content, page by page.
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    env, args = _pg_env_and_args(settings_dict)
    if not replace and _pg_has_tables(settings_dict):
        raise BackupError(_not_empty(settings_dict["NAME"]))
    command = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
               "--single-transaction", *args, "--dbname", settings_dict["NAME"]]  # fmt: skip
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, str(path)], env)


def _not_empty(name) -> str:
    return (
        f"The database {name} already holds tables. Restore into a new, empty database "
        "(then point DATABASE_URL at it), or pass --replace to overwrite this one."
    )


def _pg_has_tables(settings_dict: dict) -> bool:
    with psycopg.connect(**pg_connect_kwargs(settings_dict)) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
    return count > 0


def pg_connect_kwargs(settings_dict: dict) -> dict:
    kwargs = {"dbname": settings_dict["NAME"]}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"),
                      ("PASSWORD", "password")):  # fmt: skip
        if settings_dict.get(key):
            kwargs[name] = settings_dict[key]
    return kwargs


# The drill -----------------------------------------------------------------------


@dataclass(frozen=True)
class TableComparison:
    table: str
    rows_before: int
    rows_after: int
    identical: bool


def table_names(db, kind: str) -> list[str]:
    """Every table of a DB-API connection (SQLite or PostgreSQL), sorted."""
    if kind == "sqlite3":
        return _sqlite_tables(db)
    cursor = db.cursor()
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [name for (name,) in cursor.fetchall()]


def _rows(db, table: str) -> list[tuple]:
    cursor = db.cursor()
    quoted = '"' + table.replace('"', '""') + '"'
    cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (table names come from the catalogue)
    rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in cursor.fetchall()]  # fmt: skip
    # Sorted in Python, on a text form of each row: the same order on both sides
    # whatever the database's collation or NULL ordering.
    return sorted(rows, key=repr)


def compare(before, after, kind: str) -> list[TableComparison]:
    """Every table of ``before`` (and any extra in ``after``), row for row."""
    names = sorted(set(table_names(before, kind)) | set(table_names(after, kind)))
    results = []
    after_names = set(table_names(after, kind))
    before_names = set(table_names(before, kind))
    for name in names:
        rows_before = _rows(before, name) if name in before_names else None
        rows_after = _rows(after, name) if name in after_names else None
        results.append(
            TableComparison(
                name,
                -1 if rows_before is None else len(rows_before),
                -1 if rows_after is None else len(rows_after),
                rows_before is not None and rows_before == rows_after,
            )
        )
    return results
