"""
The curated seed dataset (``data/registry.json``) in the test database, for
the modules that read it: imported, or put in place from a copy made once per
test process when the database is SQLite in memory.
"""

import io
import sqlite3
from contextlib import contextmanager

from django.core.management import call_command

SEED = "data/registry.json"


class _Copies:
    """
    This worker's copies of its test database, when that is SQLite in memory:
    ``empty`` as it was before the first module that needed the seed, and
    ``seeded`` with the seed dataset imported. Importing the seed costs about
    0.7 CPU-s; putting a copy in place (SQLite's backup API) about a
    millisecond, and eight modules need the seed.
    """

    empty = None
    seeded = None


def _copy_of_database(connection):
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(copy)
    return copy


def import_seed():
    """The seed dataset imported into the test database, as ``make run`` loads it."""
    call_command("import_registry", SEED, verbosity=0, stdout=io.StringIO())


@contextmanager
def seed_in_place(connection):
    """
    The seed dataset in the test database until the block ends, put there from
    this worker's copy (``_Copies``), and the database as it was put back after.
    Yields False, doing nothing, where a copy cannot stand in for an import: a
    database other than SQLite in memory (the caller imports in a transaction
    it rolls back), or a transaction already open (SQLite cannot replace a
    database inside one).
    """
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        yield False
        return
    connection.ensure_connection()
    if connection.in_atomic_block:
        yield False
        return
    if _Copies.seeded is None:
        _Copies.empty = _copy_of_database(connection)
        import_seed()  # committed: the block's end puts the empty copy back
        _Copies.seeded = _copy_of_database(connection)
    else:
        _Copies.seeded.backup(connection.connection)
    try:
        yield True
    finally:
        _Copies.empty.backup(connection.connection)
