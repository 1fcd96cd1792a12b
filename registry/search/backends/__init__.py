"""
The search backends, one module each, and the choice between them.

Every backend answers the same calls (``Backend``): build or drop the index
for some models, refresh or remove rows' entries, and narrow or rank a
queryset by a ``ParsedQuery``. Which one a database gets depends only on the
connection (``backend_for``); docs/decisions/ explains why there are three.
"""

import sqlite3
from functools import cache
from typing import Protocol

from .contains import ContainsBackend
from .fts5 import FTS5Backend
from .postgres import PostgresBackend


class Backend(Protocol):
    def install(self, schema_editor, models_) -> None: ...
    def uninstall(self, schema_editor, models_) -> None: ...
    def refresh(self, queryset) -> None: ...
    def remove(self, model, pks, using) -> None: ...
    def filter(self, queryset, parsed): ...
    def recent(self, queryset, parsed, size): ...
    def named(self, queryset, parsed): ...
    def search(self, queryset, parsed): ...
    def snippets(self, queryset, parsed, pks): ...


POSTGRES, FTS5, CONTAINS = PostgresBackend(), FTS5Backend(), ContainsBackend()


@cache
def sqlite_has_fts5() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.Error:
        return False
    return True


def backend_for(connection) -> Backend:
    """The backend for ``connection``: its full-text index, or ``icontains`` without one."""
    if connection.vendor == "postgresql":
        return POSTGRES
    if connection.vendor == "sqlite" and sqlite_has_fts5():
        return FTS5
    return CONTAINS
