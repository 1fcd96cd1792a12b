"""
After an import is committed the query planner's statistics are refreshed
(``importers.base.refresh_statistics``): SQLite gathers none by itself, and
without them it picks poor indexes at national scale.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

SEED = "data/registry.json"


def source_statistics():
    """When the planner's statistics of the sources table were last gathered (None: never)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'registry_source'"
            )
            return cursor.fetchone()[0]
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return None
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'registry_source'")
        return cursor.fetchone()[0] or None


def forget_statistics():
    """Start from none on SQLite; PostgreSQL keeps its dates (compared before and after)."""
    if connection.vendor == "sqlite" and source_statistics() is not None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")


def import_file(tmp_path, *, dry_run=False):
    # A file of sources only: the smallest real import (sources need nothing else).
    seed = json.loads(Path(SEED).read_text(encoding="utf-8"))
    small = {key: value for key, value in seed.items() if not isinstance(value, list)}
    small["sources"] = seed["sources"][:2]
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small), encoding="utf-8")
    options = {"dry_run": True} if dry_run else {}
    call_command("import_registry", str(path), verbosity=0, stdout=io.StringIO(), **options)


@pytest.mark.django_db(transaction=True)
def test_a_committed_import_refreshes_the_planner_statistics(tmp_path):
    forget_statistics()
    before = source_statistics()
    import_file(tmp_path, dry_run=True)
    assert source_statistics() == before
    import_file(tmp_path)
    after = source_statistics()
    assert after is not None
    assert before is None or after > before
