"""
Time the public pages in-process and print p50 / p95 / max per page.

The figures are those of Django's request handling (middleware, view, queries,
template), measured with the test client, without a web server or network in
between. Run it against a national-scale register:

    DEBUG=1 manage.py generate_synthetic --agencies 20000 --deployments 100000
    DEBUG=1 manage.py benchmark_pages --n 200
"""

import math
import random
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from registry import types
from registry.models import Deployment

DETAIL_SAMPLE = 25


@dataclass
class Case:
    label: str
    urls: list[str]
    times: list[float] = field(default_factory=list)
    queries: int | None = None
    status: int | None = None
    size: int = 0
    note: str = ""


class Command(BaseCommand):
    help = "Request a representative set of public pages N times each; print p50/p95/max (ms)."

    def add_arguments(self, parser):
        parser.add_argument("--n", type=int, default=200, help="Timed requests per page.")
        parser.add_argument("--warmup", type=int, default=5, help="Untimed requests first.")
        parser.add_argument("--only", default="", help="Only pages whose label contains this.")
        parser.add_argument("--seed", type=int, default=1, help="Which records' pages to time.")
        parser.add_argument(
            "--budget",
            type=float,
            default=30.0,
            help="Stop timing a page after this many seconds (fewer than N requests then).",
        )

    def handle(self, *args, n, warmup, only, seed, budget, **options):
        if n < 1:
            raise CommandError("--n must be at least 1.")
        rng = random.Random(seed)
        cases = [case for case in self.cases(rng) if only in case.label]
        self.stdout.write(self.header(n))
        client = Client(raise_request_exception=False)
        # The test client's host, and production-like settings while timing:
        # no query log (DEBUG records every query).
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        # No rate limit: every request comes from one address, it would time 429s.
        with override_settings(ALLOWED_HOSTS=hosts, EXPENSIVE_RATE_LIMIT=0):
            for case in cases:
                if not case.note:
                    self.measure(client, case, n=n, warmup=warmup, budget=budget)
                self.stdout.write(self.row(case))
        self.stdout.write(
            "Times are in milliseconds, in-process (no web server or network). "
            "queries: SQL queries for one request."
        )

    # The pages ----------------------------------------------------------------

    def cases(self, rng):
        yield self.case("home", "registry:home")
        for record_type in types.RECORD_TYPES:
            yield self.case(f"{record_type.model_name} list", record_type.url_name)
        busiest = (
            Deployment.objects.published()
            .values("agency__country", "agency__region")
            .exclude(agency__region="")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        ) or {"agency__country": "US", "agency__region": "US-CA"}
        place = {"country": busiest["agency__country"], "region": busiest["agency__region"]}
        deployments = [
            ("deployments by country+region+status", {**place, "status": "active"}),
            ("deployments by kind+audit_status", {"kind": "police", "audit_status": "reported"}),
            ("deployments by uses", {"uses": "live"}),
            ("deployments search q=", {"q": "county police"}),
            ("deployments page 50", {"page": 50}),
        ]
        for label, query in deployments:
            yield self.case(label, "registry:deployment-list", query=query)
        yield self.case("agencies by country+level", "registry:agency-list", query={
            "country": place["country"], "level": "local",
        })  # fmt: skip
        yield self.case("policies in force", "registry:policy-list", query={"in_force": "true"})
        yield self.case("search", "registry:search", query={"q": "synthetic police"})
        yield self.case("changes", "registry:changes")
        for name, model in ((t.model_name, t.model) for t in types.RECORD_TYPES):
            slugs = list(model.objects.published().values_list("slug", flat=True)[:5000])
            picked = rng.sample(slugs, min(DETAIL_SAMPLE, len(slugs)))
            if not picked:
                yield Case(f"{name} detail", [], note="skipped: no published record")
                continue
            yield self.case(
                f"{name} detail",
                f"registry:{name}-detail",
                kwargs_list=[{"slug": slug} for slug in picked],
            )

    def case(self, label, route, *, query=None, kwargs_list=None):
        try:
            urls = [reverse(route, kwargs=kwargs) for kwargs in (kwargs_list or [None])]
        except NoReverseMatch:
            return Case(label, [], note=f"skipped: no route {route}")
        if query:
            urls = [f"{url}?{urlencode(query)}" for url in urls]
        return Case(label, urls)

    # Measuring ------------------------------------------------------------------

    def measure(self, client, case, *, n, warmup, budget):
        # The first request counts the queries, and tells whether the page can
        # be timed at all: one that outlasts the budget is reported as it is.
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(case.urls[0])
        first = time.perf_counter() - started
        case.queries = len(captured)
        case.status = response.status_code
        case.size = len(response.content)
        if response.status_code == 404:
            case.note = "skipped: 404"
            return
        if first > budget:
            case.times.append(first * 1000)
            case.note = "only 1 request: it took longer than --budget"
            return
        deadline = time.perf_counter() + budget
        for i in range(warmup):
            client.get(case.urls[(i + 1) % len(case.urls)])
            if time.perf_counter() > deadline:
                break
        deadline = time.perf_counter() + budget
        with override_settings(DEBUG=False):
            for i in range(n):
                url = case.urls[i % len(case.urls)]
                started = time.perf_counter()
                client.get(url)
                case.times.append((time.perf_counter() - started) * 1000)
                if started > deadline:
                    case.note = f"only {len(case.times)} requests: --budget reached"
                    break

    # Printing -------------------------------------------------------------------

    def header(self, n):
        counts = ", ".join(
            f"{model.objects.count():,} {model._meta.verbose_name_plural}" for model in types.MODELS
        )
        db = f"{connection.vendor} {connection.settings_dict['NAME']}"
        return (
            f"Database: {db}\nRegister: {counts}\nRequests: {n} per page\n\n"
            f"{'page':<40} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>8} {'status':>7}"
            f" {'KiB':>7}"
        )

    def row(self, case):
        if not case.times:
            return f"{case.label:<40} {case.note}"
        times = sorted(case.times)
        p95 = times[math.ceil(0.95 * len(times)) - 1]
        return (
            f"{case.label:<40} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}"
            f" {case.queries:>8} {case.status:>7} {case.size / 1024:7.1f} {case.note}"
        )
