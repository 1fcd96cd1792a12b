"""
``manage.py fuzz_http``: send hostile requests to every public endpoint of a
production-like server and count the answers (issue 12's bounded fault test).

    DEBUG=1 manage.py fuzz_http --requests 100000 --connections 4

It serves the configured database through gunicorn (DEBUG off, 2 workers, on
127.0.0.1; ``--url`` targets a server you already run), sends the requests of
``registry.devtools.fuzz`` over keep-alive connections, and prints the status
counts by kind of request, the slowest answers and every 5xx with the request
that caused it. It exits with status 1 when any answer is a 5xx or a
connection fails, so it can gate a release. The rate limit is off while it
runs (every request comes from one address; a 429 would hide the endpoint).
"""

import http.client
import random
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from registry.devtools import fuzz, localserver


class Command(BaseCommand):
    help = "Send hostile requests to every public endpoint; count statuses; fail on any 5xx."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=10_000)
        parser.add_argument("--connections", type=int, default=4)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--url", default="", help="A running server (default: start one).")
        parser.add_argument(
            "--max-seconds", type=float, default=3600, help="Stop sending after this long."
        )
        parser.add_argument("--log", default="", help="Keep the server's error log here.")

    def handle(self, *args, requests, connections, seed, url, max_seconds, log, **options):
        if requests < 1 or connections < 1:
            raise CommandError("--requests and --connections must be at least 1.")
        cat = fuzz.catalogue()
        plan = list(fuzz.requests(random.Random(seed), cat, requests))
        self.stdout.write(
            f"{len(plan):,} requests over {len(cat.paths):,} paths "
            f"({len(cat.lists)} with filters), {connections} connections, seed {seed}"
        )
        if url:
            return self.run(url, plan, connections, max_seconds)
        database_url = localserver.configured_database_url()
        with localserver.serve(
            database_url, log=Path(log) if log else None, EXPENSIVE_RATE_LIMIT="0"
        ) as served:
            self.stdout.write(
                f"Serving {localserver.without_password(database_url)} at {served}"
                " (gunicorn, DEBUG off)"
            )
            return self.run(served, plan, connections, max_seconds)

    def run(self, url, plan, connections, max_seconds):
        parts = urlsplit(url)
        statuses: Counter = Counter()
        by_kind: Counter = Counter()
        failures: list[str] = []
        slowest: list[tuple[float, str, int]] = []
        lock = threading.Lock()
        queue = iter(enumerate(plan))
        deadline = time.monotonic() + max_seconds
        started = time.monotonic()

        def worker():
            conn = None
            while time.monotonic() < deadline:
                with lock:
                    item = next(queue, None)
                if item is None:
                    break
                _i, request = item
                headers = {"Host": f"{parts.hostname}:{parts.port}", **request.headers}
                t0 = time.perf_counter()
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                    conn.putrequest(
                        request.method, request.path, skip_host=True, skip_accept_encoding=True
                    )
                    for name, value in headers.items():
                        conn.putheader(name, value.encode("utf-8", "surrogateescape"))
                    if request.body:
                        conn.putheader("Content-Length", str(len(request.body)))
                    conn.endheaders(request.body or None)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    if response.will_close:
                        conn.close()
                        conn = None
                except (OSError, http.client.HTTPException) as error:
                    status = 0
                    if conn is not None:
                        conn.close()
                    conn = None
                    detail = f"connection error {type(error).__name__}: {error}"
                else:
                    detail = ""
                elapsed = time.perf_counter() - t0
                with lock:
                    statuses[status] += 1
                    by_kind[(request.kind, status // 100)] += 1
                    if status == 0 or status >= 500:
                        failures.append(f"{status or detail} <- {request} {request.headers}")
                    slowest.append((elapsed, str(request), status))
                    if len(slowest) > 50:
                        slowest.sort(reverse=True)
                        del slowest[10:]

        threads = [threading.Thread(target=worker) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        sent = sum(statuses.values())
        self.stdout.write(f"\nSent {sent:,} requests in {seconds:.0f} s ({sent / seconds:.0f}/s)")
        self.stdout.write(
            "Status counts: "
            + ", ".join(
                f"{code or 'no answer'} × {count:,}" for code, count in sorted(statuses.items())
            )
        )
        kinds = sorted({kind for kind, _ in by_kind})
        self.stdout.write(
            f"\n{'kind of request':<16} " + " ".join(f"{c}xx".rjust(8) for c in range(1, 6))
        )
        for kind in kinds:
            self.stdout.write(
                f"{kind:<16} " + " ".join(f"{by_kind[(kind, c)]:>8,}" for c in range(1, 6))
            )
        slowest.sort(reverse=True)
        self.stdout.write("\nSlowest answers:")
        for elapsed, request, status in slowest[:5]:
            self.stdout.write(f"  {elapsed * 1000:8.0f} ms  {status}  {request}")
        fives = sum(count for code, count in statuses.items() if code >= 500 or code == 0)
        self.stdout.write(f"\n5xx or no answer: {fives}")
        for line in failures[:30]:
            self.stdout.write(f"  {line[:300]}")
        if sent < len(plan):
            self.stdout.write(f"Stopped after --max-seconds: {len(plan) - sent:,} not sent.")
        if fives:
            raise CommandError(f"{fives} requests got a 5xx or no answer.")
