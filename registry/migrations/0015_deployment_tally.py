"""
The deployment list's facet counts kept by the database (``registry/tally.py``):
the tally table, filled from the published deployments, and the triggers that
keep it on PostgreSQL and SQLite (other databases: no triggers, and the list
counts its rows itself, as before). The step, with the groupings as they were
then, lives in the squashed migration, which a new database applies instead of
0001-0015 (``install_tally``); this file stays for databases migrated before
the squash.
"""

from importlib import import_module

from django.db import migrations, models

squashed = import_module("registry.migrations.0001_squashed_0015_deployment_tally")


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
        migrations.RunPython(squashed.install_tally, squashed.uninstall_tally),
    ]
