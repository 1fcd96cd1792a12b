"""``manage.py import_atlas FILE [--dry-run] [--publish]``: the Atlas of Surveillance CSV."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.importers import atlas


class Command(BaseCommand):
    help = (
        "Import the face recognition rows of an Atlas of Surveillance CSV (EFF and the "
        "University of Nevada, Reno; CC BY 4.0). New records are drafts unless --publish; "
        "records the register has are matched, not repeated. Re-importing the same file "
        "changes nothing; a malformed file writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the new records at once instead of leaving them as drafts for review.",
        )

    def handle(self, *args, file: Path, dry_run, publish, **options):
        started = time.perf_counter()
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            rows = atlas.read_atlas(data)
        except atlas.AtlasError as exc:
            raise CommandError(f"{file.name} was not imported, nothing was written. {exc}") from exc
        try:
            with CaptureQueriesContext(connection) as queries:
                summary = atlas.import_atlas(rows, filename=file.name, publish=publish,
                                             dry_run=dry_run)  # fmt: skip
        except atlas.AtlasError as exc:
            raise CommandError(f"{file.name} was not imported, nothing was written. {exc}") from exc
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            f"Time: {time.perf_counter() - started:.2f} s, {len(queries)} database queries"
        )
