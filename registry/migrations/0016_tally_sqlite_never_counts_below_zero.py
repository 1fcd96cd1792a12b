"""
The SQLite triggers of the deployment tally (``registry/tally.py``) take a
deleted or changed row from the combinations that exist and no longer create
one with a negative count (after ``manage.py flush`` emptied the tally before
the deployments). PostgreSQL's triggers are unchanged (its flush truncates,
which fires none); they are installed again all the same, from the same code.
"""

from django.db import migrations

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
        tally.install(connection, GROUPINGS)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0015_deployment_tally"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
