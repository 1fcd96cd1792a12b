"""
Search: on SQLite, an index on ``UPPER(name)`` for each record type's own name
fields, as 0012 added on PostgreSQL, so the results page finds a record named
exactly as the query without reading every row (``documents.exact_name_q``).
The search index's migration (0003) creates them on a new database; this one
adds them to an existing one. Nothing on other databases; the model state is
untouched.
"""

from django.db import migrations

MODELS = ("source", "vendor", "system", "agency", "deployment", "audit", "policy")


def create_indexes(apps, schema_editor):
    from registry.search import backends, documents

    if backends.backend_for(schema_editor.connection) is backends.FTS5:
        for model in [apps.get_model("registry", m) for m in MODELS]:
            for name, column in documents.name_indexes(model):
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON {model._meta.db_table} (UPPER({column}))"
                )


def drop_indexes(apps, schema_editor):
    from registry.search import backends, documents

    if backends.backend_for(schema_editor.connection) is backends.FTS5:
        for model in [apps.get_model("registry", m) for m in MODELS]:
            for name, _column in documents.name_indexes(model):
                schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0013_fast_deployment_copies")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
