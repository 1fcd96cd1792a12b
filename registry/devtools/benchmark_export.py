"""
Measure the deployments export: stream a CSV and a JSON export of every
deployment through the real view and print time and peak Python memory.

    DEBUG=1 manage.py benchmark_export --rows 100000

With fewer published deployments than ``--rows`` in the database, an empty
register is filled with a synthetic one (``registry.synthetic``) inside a
transaction that is rolled back at the end, so nothing stays behind (its
search index is not built: exports never read it). A
register that already holds enough deployments is exported as it is.

Memory is measured with ``tracemalloc`` in a second pass (it slows Python
down), so the time printed is that of a pass without it. This is a
measurement, not a test: it prints figures and asserts nothing.
"""

import time
import tracemalloc
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from registry import search
from registry.devtools import synthetic
from registry.models import Deployment


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Stream CSV and JSON exports of N deployments; print time and peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000, help="Deployments to export.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, rows, seed, **options):
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        self.stdout.write(
            f"{connection.vendor} database {connection.settings_dict['NAME']}, "
            f"{rows:,} deployments wanted"
        )
        if Deployment.objects.published().count() >= rows:
            self.measure()
            return
        if not synthetic.register_is_empty():
            raise CommandError(
                f"The register holds fewer than {rows:,} published deployments and is not empty; "
                "point DATABASE_URL at an empty database (synthetic rows are added there and "
                "rolled back) or at one that already holds enough."
            )
        try:
            with transaction.atomic():
                started = time.perf_counter()
                # Exports never read the search index, and rebuilding it for 100,000
                # rows takes far longer than the exports: skip it in this rollback.
                with mock.patch.object(search, "rebuild_index", return_value={}):
                    synthetic.generate(agencies=max(1, rows // 5), deployments=rows, seed=seed)
                self.stdout.write(
                    f"Generated a synthetic register in {time.perf_counter() - started:.1f} s "
                    "(rolled back afterwards)"
                )
                self.measure()
                raise Rollback
        except Rollback:
            pass

    def measure(self):
        client = Client(HTTP_HOST="localhost")
        url = reverse("registry:deployment-list")
        total = Deployment.objects.published().count()
        self.stdout.write(f"Exporting {total:,} published deployments from {url}")
        # DEBUG would keep every query in memory: measure what production does.
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["localhost"], EXPENSIVE_RATE_LIMIT=0):
            for fmt in ("csv", "json"):
                seconds, size, lines = self.stream(client, url, fmt, trace=False)
                peak, _size, _lines = self.stream(client, url, fmt, trace=True)
                self.stdout.write(
                    f"  {fmt.upper():<4} {size / 2**20:8.1f} MiB written, {lines:,} lines, "
                    f"{seconds:6.1f} s, peak Python memory {peak / 2**20:6.1f} MiB"
                )

    @staticmethod
    def stream(client, url, fmt, *, trace):
        """Consume the streamed export chunk by chunk: (seconds or peak bytes, size, lines)."""
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        response = client.get(url, {"format": fmt})
        if response.status_code != 200:
            raise CommandError(f"{fmt}: HTTP {response.status_code}")
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        # Exhausting the content closed the response (the test client does that).
        elapsed = time.perf_counter() - started
        if trace:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            return peak, size, lines
        return elapsed, size, lines
