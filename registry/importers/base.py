"""
What every importer shares: the error a file that cannot be imported raises,
and the one transaction an import is written in (rolled back for a dry run).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

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
    report is exactly what would happen) and then rolls it back.
    """
    try:
        with transaction.atomic(), search.deferred_indexing():
            yield
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
