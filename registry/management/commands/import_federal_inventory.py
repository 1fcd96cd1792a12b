"""``manage.py import_federal_inventory FILE [--year Y] [--dry-run] [--publish]``."""

from django.core.management.base import CommandError

from registry.management.file_import import FileImportCommand


class Command(FileImportCommand):
    help = (
        "Import the face recognition use cases of a US federal AI use case inventory CSV "
        "(2024 or 2025 layout, detected from the header). New records are drafts unless "
        "--publish. Re-importing the same file changes nothing; a malformed file writes nothing."
    )
    importer = "federal"
    run_options = ("year",)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--year",
            type=int,
            help="Inventory year (default: the year in the file name, else the layout's year).",
        )

    def handle(self, *args, year, **options):
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"--year {year} is not an inventory year.")
        super().handle(*args, year=year, **options)
