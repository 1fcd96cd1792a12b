import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.importers import federal


class Command(BaseCommand):
    help = (
        "Import the face recognition use cases of a US federal AI use case inventory CSV "
        "(2024 or 2025 layout, detected from the header). New records are drafts unless "
        "--publish. Re-importing the same file changes nothing; a malformed file writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--year",
            type=int,
            help="Inventory year (default: the year in the file name, else the layout's year).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the new records at once instead of leaving them as drafts for review.",
        )

    def handle(self, *args, file: Path, year, dry_run, publish, **options):
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"--year {year} is not an inventory year.")
        started = time.perf_counter()
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            inventory = federal.read_inventory(data, filename=file.name)
        except federal.InventoryError as exc:
            raise CommandError(f"{file.name} was not imported, nothing was written. {exc}") from exc
        summary = federal.import_inventory(
            inventory, filename=file.name, year=year, publish=publish, dry_run=dry_run
        )
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"Time: {time.perf_counter() - started:.2f} s")
