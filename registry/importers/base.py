"""
What every importer shares: the error a file that cannot be imported raises,
and the one transaction an import is written in (rolled back for a dry run).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from .. import search


class FileError(Exception):
    """The file cannot be imported; nothing was written. ``row`` counts the header as row 1."""

    def __init__(self, message, *, row=None):
        self.row = row
        super().__init__(f"Row {row}: {message}" if row else message)


class _DryRun(Exception):
    """Raised at the end of a dry run to roll back everything it wrote."""


@contextmanager
def all_or_nothing(*, dry_run: bool = False) -> Iterator[None]:
    """
    One transaction around an import, search indexing done once at its end: an
    error anywhere changes nothing, and a dry run writes everything (so its
    report is exactly what would happen) and then rolls it back. After a
    committed import the planner's statistics are refreshed.
    """
    try:
        with transaction.atomic(), search.deferred_indexing():
            yield
            if dry_run:
                raise _DryRun
    except _DryRun:
        return
    refresh_statistics()


def refresh_statistics() -> None:
    """
    Tell the query planner what the tables hold now (``ANALYZE``), after a
    large write. SQLite never gathers statistics by itself: without them, at
    100,000 deployments a search's exact-name lookup read every agency by the
    ``state`` index (14 ms) instead of its ``UPPER(name)`` index (0.6 ms).
    PostgreSQL's autovacuum would get there, later. Skipped inside an outer
    transaction (a test's), whose writes may yet be rolled back.
    """
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
