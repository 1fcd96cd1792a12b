"""
The deployment list's facet counts over every published deployment, kept by
the database as rows change: the first request of the plain list after a
change reads a few hundred rows instead of grouping 100,000 (issue 13).

``DeploymentTally`` holds, for each grouping of the facets' columns
(``GROUPINGS``: the small vocabularies together, the two sets, a country with
its regions, the vendor), how many published deployments have each
combination of values: the rows ``facets.grouped_counts`` would get from a
``GROUP BY`` of the published deployments. Triggers keep it, in the same
transaction as the write, for every ``INSERT``, ``UPDATE`` and ``DELETE`` of a
deployment, whatever makes it (a save, ``QuerySet.update``, ``bulk_create``,
raw SQL): on PostgreSQL one statement-level trigger per operation, from the
statement's transition tables (a set-based refresh of 100,000 rows adds one
grouped pass over them); on SQLite row-level triggers, which skip an update
that changes none of the counted columns. Combinations whose count fell to
zero stay, with ``n = 0``, and are not read.

Only a list with no filter in force is counted from the tally; any filter
(a facet value, a search, a date) counts its rows as before. ``GROUPINGS``
must name the groupings the deployment list asks for (``facets``); if the
facets change, a test says so, and until a migration installs triggers for the
new groupings the list counts its rows itself.

``rebuild()`` recounts everything (the migration's first fill; after a restore
made without triggers). ``install()`` and ``uninstall()`` are the migrations'.
"""

from __future__ import annotations

from django.db import connections, transaction

from .choices import State

TABLE = "registry_deploymenttally"
SOURCE = "registry_deployment"

#: The counted groupings, by column. Change only with a migration that calls
#: ``install`` with the new groupings (and ``rebuild``).
GROUPINGS: tuple[tuple[str, ...], ...] = (
    ("status", "audit_status", "agency_kind", "agency_level"),
    ("uses", "image_sources"),
    ("agency_country", "agency_region"),
    ("system_vendor_id",),
)

#: Typed NULLs for the columns a grouping does not hold (PostgreSQL types a
#: ``UNION``'s columns from its branches).
_NULL = {"system_vendor_id": "NULL::bigint"}
_UNIT, _NONE = 31, 30  # separators of the key: between values, and a NULL value


def columns(groupings=GROUPINGS) -> list[str]:
    return [column for grouping in groupings for column in grouping]


def _key(number: int, grouping, prefix: str, char: str) -> str:
    """SQL for a combination's key: the grouping's number and its values, NULL marked."""
    parts = [f"'{number}'"] + [
        f"coalesce(CAST({prefix}{column} AS TEXT), {char}({_NONE}))" for column in grouping
    ]
    return f" || {char}({_UNIT}) || ".join(parts)


def _values(grouping, all_columns, prefix: str, *, typed: bool) -> str:
    return ", ".join(
        f"{prefix}{column}"
        if column in grouping
        else (_NULL.get(column, "NULL::text") if typed else "NULL")
        for column in all_columns
    )


def _grouped_rows(groupings, source: str, count: str, *, typed: bool, having: str = "") -> str:
    """One ``SELECT key, grouping, columns..., n`` per grouping over ``source``, as a UNION ALL."""
    all_columns = columns(groupings)
    return " UNION ALL ".join(
        f"SELECT {_key(number, grouping, '', 'chr' if typed else 'char')}, {number}, "
        f"{_values(grouping, all_columns, '', typed=typed)}, {count} FROM {source} "
        f"GROUP BY {', '.join(grouping)}{having}"
        for number, grouping in enumerate(groupings)
    )


def _insert(groupings, alias: str = "") -> str:
    named = f"{TABLE} AS {alias}" if alias else TABLE
    return f"INSERT INTO {named} (combination, set_number, {', '.join(columns(groupings))}, n)"


def _postgresql_statements(groupings) -> list[str]:
    """Three statement-level triggers reading the statement's transition tables."""
    selected = ", ".join(columns(groupings))
    statements = []
    for operation, tables in (
        ("insert", [("new_rows", 1)]),
        ("update", [("new_rows", 1), ("old_rows", -1)]),
        ("delete", [("old_rows", -1)]),
    ):
        changed = " UNION ALL ".join(
            f"SELECT {selected}, {sign} AS d FROM {table} WHERE state = '{State.PUBLISHED}'"
            for table, sign in tables
        )
        rows = _grouped_rows(
            groupings, "changed", "SUM(d)", typed=True, having=" HAVING SUM(d) <> 0"
        )
        # Keys in order: concurrent statements lock the tally's rows in one order.
        statements.append(
            f"CREATE OR REPLACE FUNCTION {TABLE}_{operation}() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN "
            f"WITH changed AS ({changed}) "
            f"{_insert(groupings, 'tally')} "
            f"SELECT * FROM ({rows}) AS counted ORDER BY 1 "
            f"ON CONFLICT (combination) DO UPDATE SET n = tally.n + EXCLUDED.n; "
            f"RETURN NULL; END $$"
        )
        referencing = " ".join(
            f"{'NEW' if table == 'new_rows' else 'OLD'} TABLE AS {table}" for table, _ in tables
        )
        statements.append(
            f"CREATE TRIGGER {TABLE}_{operation} AFTER {operation.upper()} ON {SOURCE} "
            f"REFERENCING {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {TABLE}_{operation}()"
        )
    return statements


def _sqlite_statements(groupings) -> list[str]:
    """
    Three row-level triggers; an update that changes no counted column costs
    nothing. A row counted in adds one to its combinations (created when new);
    a row counted out takes one from combinations that exist and never creates
    one: where none exists the tally was emptied first (``manage.py flush``
    deletes table after table, in no set order), and a negative count would
    outlive the rows.
    """
    all_columns = columns(groupings)

    def added(prefix):
        return " ".join(
            f"{_insert(groupings)} SELECT {_key(number, grouping, prefix, 'char')}, {number}, "
            f"{_values(grouping, all_columns, prefix, typed=False)}, 1 "
            f"WHERE {prefix}state = '{State.PUBLISHED}' "
            f"ON CONFLICT (combination) DO UPDATE SET n = n + 1;"
            for number, grouping in enumerate(groupings)
        )

    def taken(prefix):
        return " ".join(
            f"UPDATE {TABLE} SET n = n - 1 "
            f"WHERE combination = {_key(number, grouping, prefix, 'char')} "
            f"AND {prefix}state = '{State.PUBLISHED}';"
            for number, grouping in enumerate(groupings)
        )

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ["state", *all_columns])
    return [
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON {SOURCE} "
        f"WHEN NEW.state = '{State.PUBLISHED}' BEGIN {added('NEW.')} END",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE ON {SOURCE} "
        f"WHEN {changed} BEGIN {taken('OLD.')} {added('NEW.')} END",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON {SOURCE} "
        f"WHEN OLD.state = '{State.PUBLISHED}' BEGIN {taken('OLD.')} END",
    ]


def supported(connection) -> bool:
    return connection.vendor in ("postgresql", "sqlite")


def install(connection, groupings=GROUPINGS) -> None:
    """Create the triggers that keep the tally of ``groupings`` (a migration's step)."""
    uninstall(connection)
    statements = (
        _postgresql_statements(groupings)
        if connection.vendor == "postgresql"
        else _sqlite_statements(groupings)
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for operation in ("insert", "update", "delete"):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{operation} ON {SOURCE}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_{operation}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{operation}")


def rebuild(connection=None, groupings=GROUPINGS) -> None:
    """Recount every published deployment into the tally, in one transaction."""
    connection = connection or connections["default"]
    typed = connection.vendor == "postgresql"
    source = f"(SELECT * FROM {SOURCE} WHERE state = '{State.PUBLISHED}') AS published"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"{_insert(groupings)} {_grouped_rows(groupings, source, 'COUNT(*)', typed=typed)}"
        )


def _kept(model, connection) -> bool:
    """Whether the database keeps a tally of ``model``'s published rows."""
    from .models import Deployment

    return model is Deployment and supported(connection)


def published_count(model, connection) -> int | None:
    """How many of ``model``'s rows are published, from the tally; None when it has none."""
    if not _kept(model, connection):
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(n), 0) FROM {TABLE} WHERE set_number = 0")
        return int(cursor.fetchone()[0])


def query(model, connection, requested) -> tuple[str, dict[int, int]] | None:
    """
    The tally's rows of the ``requested`` groupings of ``model``'s fields, shaped
    as ``facets.grouped_counts``' ``GROUP BY``: the grouping's number in the tally,
    the requested columns in order, the count; with ``{number: index of the
    grouping in requested}``. None when ``model`` has no tally or one grouping
    is not kept (columns in any order): the caller counts the rows itself.
    """
    if not _kept(model, connection):
        return None
    named = [[model._meta.get_field(name).column for name in grouping] for grouping in requested]
    kept = {frozenset(grouping): number for number, grouping in enumerate(GROUPINGS)}
    if any(frozenset(grouping) not in kept for grouping in named):
        return None
    numbers = [kept[frozenset(grouping)] for grouping in named]
    sql = (
        f"SELECT set_number, {', '.join(columns(named))}, n FROM {TABLE} "
        f"WHERE n > 0 AND set_number IN ({', '.join(str(n) for n in numbers)})"
    )
    return sql, {number: k for k, number in enumerate(numbers)}
