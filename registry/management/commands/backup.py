"""
``manage.py backup FILE``: a complete, consistent copy of the database.

Every table, history included (authors, reasons, dates), accounts and groups,
suggestions, link checks and sign-in records. PostgreSQL: ``pg_dump`` custom
format; SQLite: the online backup API. Safe while the site runs. Restore it
with ``manage.py restore FILE``. The JSON export is not a backup.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from registry import backup


class Command(BaseCommand):
    help = (
        "Write a complete backup of the database to FILE (PostgreSQL: pg_dump custom "
        "format; SQLite: the online backup API). Restore it with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the backup (replaced if it exists).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args, file, database, **options):
        connection = connections[database]
        try:
            backup.backup(file, connection=connection)
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        kind = backup.engine(connection.settings_dict)
        self.stdout.write(self.style.SUCCESS(f"Backed up the {kind} database to {file}."))
