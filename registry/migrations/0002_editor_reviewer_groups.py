"""
Creates the editors and reviewers groups (curation workflow, see registry/workflow.py)
and the publish permissions. The step lives in the squashed migration, which a new
database applies instead of 0001-0015 (``create_groups`` there says what each group
may do); this file stays for databases migrated before the squash.
"""

from importlib import import_module

from django.db import migrations

squashed = import_module("registry.migrations.0001_squashed_0015_deployment_tally")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(squashed.create_groups, squashed.remove_groups)]
