"""
Search: on PostgreSQL, an index on ``UPPER(name)`` for each record type's own
name fields, so the results page finds a record named exactly as the query
without reading every row (``registry.search.backends.postgres``). The GIN
indexes' migration (0003) creates them on a new database; this one adds them
to an existing one. Nothing on other databases; the model state is untouched.
"""

from django.db import migrations

MODELS = ("source", "vendor", "system", "agency", "deployment", "audit", "policy")


def create_indexes(apps, schema_editor):
    from registry.search import backends

    if schema_editor.connection.vendor == "postgresql":
        backends.POSTGRES.install(schema_editor, [apps.get_model("registry", m) for m in MODELS])


def drop_indexes(apps, schema_editor):
    from registry.search import documents

    if schema_editor.connection.vendor == "postgresql":
        for model in [apps.get_model("registry", m) for m in MODELS]:
            for name, _column in documents.name_indexes(model):
                schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0010_regions_policy_regions")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
