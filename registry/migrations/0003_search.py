"""
Full-text search: GIN indexes on PostgreSQL, FTS5 tables on SQLite, filled for
existing records. What each database gets is decided by ``registry.search``;
the operations leave the model state alone (no field or index is declared on
the models, because the SQLite side is not a column at all).
"""

from django.db import migrations

MODELS = ("source", "vendor", "system", "agency", "deployment", "audit", "policy")


def create_index(apps, schema_editor):
    from registry import search

    search.install(schema_editor, [apps.get_model("registry", name) for name in MODELS])


def drop_index(apps, schema_editor):
    from registry import search

    search.uninstall(schema_editor, [apps.get_model("registry", name) for name in MODELS])


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_editor_reviewer_groups")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
