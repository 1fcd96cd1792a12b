"""
What every importer shares: the error a file that cannot be imported raises,
the one transaction an import is written in (rolled back for a dry run), and
what an import reports about the rows it wrote.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

from .. import search


class FileError(Exception):
    """The file cannot be imported; nothing was written. ``row`` counts the header as row 1."""

    def __init__(self, message, *, row=None):
        self.row = row
        super().__init__(f"Row {row}: {message}" if row else message)


@dataclass(kw_only=True)
class ImportSummary:
    """
    What an import did (or, for a dry run, would do), row by row: the part
    both CSV importers report alike. Each importer's ``Summary`` adds its own
    counts and sections, and its ``lines()`` (what the command prints) and
    ``counts``/``sections`` (what the admin's import page shows).
    """

    filename: str
    dry_run: bool = False
    rows_read: int = 0
    created: list = field(default_factory=list)  # (label, slug)
    updated: list = field(default_factory=list)  # (label, slug, fields)
    unchanged: list = field(default_factory=list)  # (label, slug)
    skipped: list = field(default_factory=list)  # (label, reason)
    records: Counter = field(default_factory=Counter)  # "created vendor" -> n
    conflicts: list = field(default_factory=list)  # curated values kept, in words
    notes: list = field(default_factory=list)

    @property
    def record_counts(self) -> list[tuple[str, int]]:
        """[("created deployment", 3), ...]: a list, so templates need no dict lookups."""
        return sorted(self.records.items())

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)

    def written_lines(self) -> Iterator[str]:
        """The rows created, updated and left unchanged, then how many were skipped."""
        yield f"Created: {len(self.created)}"
        for label, slug in self.created:
            yield f"  + {slug} ← {label}"
        yield f"Updated: {len(self.updated)}"
        for label, slug, fields in self.updated:
            yield f"  ~ {slug} ({', '.join(fields)}) ← {label}"
        yield f"Unchanged: {len(self.unchanged)}"
        yield f"Skipped: {self.skipped_count}"

    def records_line(self) -> Iterator[str]:
        """How many records of each kind were created or changed, when any were."""
        if self.records:
            yield "Records: " + ", ".join(f"{n} {what}" for what, n in self.record_counts)

    def lines(self) -> Iterator[str]:
        raise NotImplementedError

    def __str__(self) -> str:
        return "\n".join(self.lines())


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
