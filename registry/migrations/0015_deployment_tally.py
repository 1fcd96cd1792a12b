"""
The deployment list's facet counts kept by the database (``registry/tally.py``):
the tally table, filled from the published deployments, and the triggers that
keep it on PostgreSQL and SQLite (other databases: no triggers, and the list
counts its rows itself, as before).
"""

from django.db import migrations, models

#: The groupings as they were when this migration was written (``tally.GROUPINGS``).
GROUPINGS = (
    ("status", "audit_status", "agency_kind", "agency_level"),
    ("uses", "image_sources"),
    ("agency_country", "agency_region"),
    ("system_vendor_id",),
)


def install(apps, schema_editor):
    from registry import tally

    connection = schema_editor.connection
    if tally.supported(connection):
        tally.rebuild(connection, GROUPINGS)
        tally.install(connection, GROUPINGS)


def uninstall(apps, schema_editor):
    from registry import tally

    if tally.supported(schema_editor.connection):
        tally.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0014_find_sqlite_exact_name_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeploymentTally",
            fields=[
                (
                    "combination",
                    models.CharField(max_length=600, primary_key=True, serialize=False),
                ),
                ("set_number", models.PositiveSmallIntegerField()),
                ("status", models.CharField(max_length=12, null=True)),
                ("audit_status", models.CharField(max_length=20, null=True)),
                ("agency_kind", models.CharField(max_length=30, null=True)),
                ("agency_level", models.CharField(max_length=10, null=True)),
                ("uses", models.CharField(max_length=255, null=True)),
                ("image_sources", models.CharField(max_length=255, null=True)),
                ("agency_country", models.CharField(max_length=2, null=True)),
                ("agency_region", models.CharField(max_length=6, null=True)),
                ("system_vendor_id", models.BigIntegerField(null=True)),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
