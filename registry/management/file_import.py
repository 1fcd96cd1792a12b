"""
What the file importers' commands share (``import_atlas``,
``import_federal_inventory``): the file, ``--dry-run`` and ``--publish``; a file
that cannot be read or imported refused with nothing written; the summary
printed line by line, then the time taken and the queries run. Outside
``commands/`` so that Django does not offer it as a command of its own.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class QueryCounter:
    """An execute wrapper (Django's database instrumentation) that counts the queries run."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class FileImportCommand(BaseCommand):
    #: What ``read`` and ``run`` raise for a file that cannot be imported
    #: (each command names its own: a bug elsewhere must not read as a bad file).
    error: type[Exception]

    def read(self, data: bytes, *, filename: str):
        """The file's rows, checked whole; raises ``error`` naming the first problem."""
        raise NotImplementedError

    def run(self, parsed, *, filename: str, dry_run: bool, publish: bool, options: dict):
        """Import what ``read`` returned (in one transaction); the summary."""
        raise NotImplementedError

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
        started = time.perf_counter()
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            parsed = self.read(data, filename=file.name)
            # Counted, not recorded: a test utility such as CaptureQueriesContext
            # would keep the SQL of every one of an import's thousands of queries.
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                summary = self.run(parsed, filename=file.name, dry_run=dry_run,
                                   publish=publish, options=options)  # fmt: skip
        except self.error as exc:
            raise CommandError(f"{file.name} was not imported, nothing was written. {exc}") from exc
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            f"Time: {time.perf_counter() - started:.2f} s, {queries.count} database queries"
        )
