"""
``manage.py restore FILE``: put a backup made by ``manage.py backup`` back.

Restores into an empty database (a new PostgreSQL database; a SQLite file that
does not exist yet) so a mistaken command cannot overwrite live data;
``--replace`` overwrites the configured database instead. Stop the site (or
point it elsewhere) while restoring.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from registry import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, "
        "which must be empty unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup written by `manage.py backup`.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite a database that already holds tables (all its data is lost).",
        )

    def handle(self, *args, file, database, replace, **options):
        connection = connections[database]
        settings_dict = connection.settings_dict
        connection.close()  # the restore uses its own connection
        try:
            backup.restore(file, settings_dict, replace=replace)
        except FileNotFoundError as error:
            raise CommandError(f"No such backup file: {file}") from error
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Restored {file} into the database {settings_dict['NAME']}.")
        )
