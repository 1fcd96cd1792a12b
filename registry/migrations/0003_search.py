"""
Full-text search: GIN indexes on PostgreSQL, FTS5 tables on SQLite, filled for
existing records. The step lives in the squashed migration, which a new database
applies instead of 0001-0015 (``create_search_index``); this file stays for
databases migrated before the squash.
"""

from importlib import import_module

from django.db import migrations

squashed = import_module("registry.migrations.0001_squashed_0015_deployment_tally")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_editor_reviewer_groups")]

    operations = [
        migrations.RunPython(
            squashed.create_search_index, squashed.drop_search_index, elidable=False
        )
    ]
