import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from registry import search


class Command(BaseCommand):
    help = (
        "Recompute the search index of every record, in a few statements. Saving a record "
        "keeps its entry fresh; run this after loads that bypass save() (bulk_create, SQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        backend = type(search.backend_for(connections[database])).__name__
        started = time.perf_counter()
        with transaction.atomic(using=database):
            counts = search.rebuild_index(using=database)
        for name, rows in counts.items():
            self.stdout.write(f"  {name:<12} {rows:>9,} records")
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Search index rebuilt ({backend}) in {seconds:.1f} s.")
        )
