"""
The SQLite triggers of the deployment tally (``registry/tally.py``) take a
deleted or changed row from the combinations that exist and no longer create
one with a negative count (after ``manage.py flush`` emptied the tally before
the deployments). PostgreSQL's triggers are unchanged (its flush truncates,
which fires none); they are installed again all the same, from the same code.
"""

from importlib import import_module

from django.db import migrations

#: The groupings have not changed since 0015: its frozen copy, in the squash that replaces it.
GROUPINGS = import_module("registry.migrations.0001_squashed_0015_deployment_tally").GROUPINGS


def install(apps, schema_editor):
    from registry import tally

    connection = schema_editor.connection
    if tally.supported(connection):
        tally.install(connection, GROUPINGS)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0015_deployment_tally"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
