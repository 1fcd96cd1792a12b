"""
What the file importers' commands share (``import_atlas``,
``import_federal_inventory``): the file, ``--dry-run`` and ``--publish``; a file
that cannot be read or imported refused with nothing written; the summary
printed line by line, then the time taken and the queries run. How to read a
file, what a bad one raises and how to import it come from the importer as
the admin's import page registers it (``registry/admin/imports.py``), so the
command and the page cannot drift apart. Outside ``commands/`` so that Django
does not offer it as a command of its own.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from registry.admin.imports import IMPORTERS


class QueryCounter:
    """An execute wrapper (Django's database instrumentation) that counts the queries run."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class FileImportCommand(BaseCommand):
    #: The importer's key in ``IMPORTERS`` (``registry/admin/imports.py``).
    importer: str
    #: This command's own options that the importer's ``run`` takes (``--year``).
    run_options: tuple[str, ...] = ()

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

    def handle(self, *args, file: Path, dry_run: bool, publish: bool, **options):
        importer = IMPORTERS[self.importer]
        started = time.perf_counter()
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            parsed = importer.read(data, file.name)
            # Counted, not recorded: a test utility such as CaptureQueriesContext
            # would keep the SQL of every one of an import's thousands of queries.
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                summary = importer.run(
                    parsed, filename=file.name, dry_run=dry_run, publish=publish,
                    **{name: options[name] for name in self.run_options},
                )  # fmt: skip
        except importer.error as exc:
            raise CommandError(f"{file.name} was not imported, nothing was written. {exc}") from exc
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            f"Time: {time.perf_counter() - started:.2f} s, {queries.count} database queries"
        )
