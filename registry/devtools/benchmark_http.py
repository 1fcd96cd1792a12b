"""
The site against Datasette over HTTP, on the same synthetic register.

``manage.py benchmark_http`` serves one synthetic SQLite file twice, through
gunicorn (2 workers, DEBUG off, as ``make serve-production`` does) and through
Datasette (``--immutable``, page size 50), plus the site on PostgreSQL when
``DATABASE_URL`` names one. The site runs as production is told to: with a
cache shared by its workers (``--cache``, default ``CACHE_URL`` or ``db``, the
database table; the SQLite site then serves a copy of the file, which it writes
its cache into), the app loaded before the workers fork (``gunicorn.conf.py``);
``--cache memory`` gives each worker its own, as in development. It then asks
each the same questions with ``wrk`` in interleaved rounds (question by
question, server by server, at 1 and at 4 connections), and prints p50, p95
and requests per second of the best round of each, and the ratio to Datasette.
Last, the first list request after a change (cold counts): a record is saved
through the ORM, then the list asked for once, one request at a time.

Everything listens on 127.0.0.1 only and stops at the end (also on Ctrl-C).
The machine's load average is printed before and after: on a shared machine
read the ratios, not the absolute figures.

    pip install datasette==0.65.5        # or: pip install -e '.[benchmark]'
    apt-get install wrk
    manage.py benchmark_http --deployments 2000 --agencies 400 --seconds 3   # quick
    manage.py benchmark_http                                                  # 100,000
    DATABASE_URL=postgres://... manage.py benchmark_http                      # + PostgreSQL

A missing SQLite file (``--sqlite``) or an empty PostgreSQL database is first
filled by ``generate_synthetic`` (migrations included) at the sizes given.
"""

import contextlib
import json
import math
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from . import localserver
from .localserver import without_password

BASE_DIR = Path(settings.BASE_DIR)
RECORD_SAMPLE = 25
# wrk's Lua: cycle through the question's paths; print the figures as one JSON line.
WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "bad_status": %%d,'
    .. ' "p50_us": %%d, "p95_us": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95)))
end
"""


@dataclass
class Question:
    """One question, as a path on the site and (when it has one) on Datasette."""

    key: str
    label: str
    site: list[str]
    datasette: list[str] | None
    note: str = ""


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen | None
    log: Path
    is_datasette: bool = False
    database_url: str = ""


@dataclass
class Result:
    p50: float
    p95: float
    rps: float
    errors: int = 0


@dataclass
class Table:
    """Best round per (question, server, connections)."""

    results: dict = field(default_factory=dict)

    def add(self, key, result: Result):
        best = self.results.get(key)
        if best is None or result.p50 < best.p50:
            self.results[key] = result


class Command(BaseCommand):
    help = (
        "Serve a synthetic register through gunicorn and Datasette (and PostgreSQL when "
        "DATABASE_URL names one), load each with wrk on 127.0.0.1, print p50/p95/req/s."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sqlite",
            default="/tmp/fr-register-benchmark.sqlite3",
            help="The synthetic SQLite file; generated first when missing.",
        )
        parser.add_argument("--agencies", type=int, default=20_000)
        parser.add_argument("--deployments", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--seconds", type=int, default=5, help="Length of one round.")
        parser.add_argument("--rounds", type=int, default=2, help="Rounds; the best is shown.")
        parser.add_argument("--connections", default="1,4", help="Comma-separated.")
        parser.add_argument("--cold", type=int, default=8, help="Requests after a change.")
        parser.add_argument(
            "--only",
            default="",
            help="Only questions whose key contains this (comma-separated: any of these).",
        )
        parser.add_argument(
            "--cache",
            default="",
            help=(
                "The site's CACHE_URL (default: CACHE_URL from the environment, else db: the "
                "shared database cache production is told to use); 'memory' for each "
                "process's own memory, as in development."
            ),
        )
        parser.add_argument(
            "--datasette",
            default="",
            help="The datasette executable (default: on PATH or next to this Python).",
        )
        parser.add_argument("--no-datasette", action="store_true")
        parser.add_argument("--no-sqlite-site", action="store_true")
        # Internal: save one deployment per line read (cold counts), in the
        # database DATABASE_URL names.
        parser.add_argument("--touch-loop", action="store_true", help="(internal)")

    # -------------------------------------------------------------------------

    def handle(self, *args, **options):
        if options["touch_loop"]:
            return self.touch_loop()
        if not shutil.which("wrk"):
            raise CommandError("wrk is needed: apt-get install wrk")
        connections = [int(c) for c in options["connections"].split(",") if c.strip()]
        self.processes: list[subprocess.Popen] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="fr-benchmark-"))
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        self.servers_stack = contextlib.ExitStack()
        try:
            self.run(options, connections)
        finally:
            self.stop_all()
            self.servers_stack.close()
            (self.workdir / "site.sqlite3").unlink(missing_ok=True)
            signal.signal(signal.SIGTERM, previous)

    def run(self, options, connections):
        # The cache the site is served with: shared across the workers as the README
        # tells production to run (a per-process cache starts empty in each recycled worker).
        cache = options["cache"] or os.environ.get("CACHE_URL") or "db"
        self.cache_url = "" if cache == "memory" else cache
        sqlite_path = Path(options["sqlite"]).resolve()
        sizes = dict(agencies=options["agencies"], deployments=options["deployments"])
        sqlite_url = f"sqlite:///{sqlite_path}"
        if not sqlite_path.exists():
            self.generate(sqlite_url, sizes, options["seed"])
        self.ensure_sqlite_statistics(sqlite_path)
        pg_url = os.environ.get("DATABASE_URL", "")
        if not pg_url.startswith(("postgres://", "postgresql://")):
            pg_url = ""
        if pg_url:
            self.ensure_postgres(pg_url, sizes, options["seed"])

        wanted = options["only"].split(",")
        questions = [
            q for q in self.questions(sqlite_path, connections) if any(w in q.key for w in wanted)
        ]
        servers = []
        if pg_url:
            servers.append(self.start_site("site PG", pg_url))
        if not options["no_sqlite_site"]:
            site_url = sqlite_url
            if localserver.uses_database_cache({"CACHE_URL": self.cache_url}):
                # The site writes its cache into its database, and Datasette reads the
                # file as immutable: the site gets its own copy of the same data.
                site_url = f"sqlite:///{self.copy_sqlite(sqlite_path)}"
            servers.append(self.start_site("site SQLite", site_url))
        datasette = None
        if not options["no_datasette"]:
            executable = options["datasette"] or _find_datasette()
            if executable:
                datasette = self.start_datasette(executable, sqlite_path)
                servers.append(datasette)
            else:
                self.stdout.write("Datasette not found (pip install datasette==0.65.5): skipped.")
        for server in servers:
            self.wait_ready(server)

        self.stdout.write(self.header(sqlite_path, pg_url, servers, options, connections))
        # Check every path (200, no redirect) and warm the caches: the site's
        # a few times, so that both workers have seen it.
        for question in questions:
            for server in servers:
                paths = self.paths(question, server)
                for path in paths or []:
                    for _ in range(1 if server.is_datasette else 3):
                        self.check_path(server, path)

        table = Table()
        started = time.monotonic()
        for round_ in range(options["rounds"]):
            for question in questions:
                # Each question starts warm: the database's buffers and SQLite's
                # page cache were just filled by the questions before it, and
                # the first requests after those would be timed as its own.
                # (The first request after a change is its own question, below.)
                for server in servers:
                    for path in self.paths(question, server) or []:
                        self.check_path(server, path)
                for conns in connections:
                    for server in servers:
                        paths = self.paths(question, server)
                        if paths:
                            result = self.wrk(server, paths, conns, options["seconds"])
                            table.add((question.key, server.name, conns), result)
                            self.stdout.write(
                                f"    round {round_ + 1} {question.key:<14} c={conns}"
                                f" {server.name:<12} {_figures(result)}"
                            )
            self.stdout.write(f"  round {round_ + 1} done ({time.monotonic() - started:.0f} s)")
        self.stdout.write(self.report(questions, servers, connections, table))

        if datasette:
            # It reads the file as immutable: stop it before anything writes.
            localserver.stop(datasette.process)
        cold_question = next((q for q in questions if q.key == "list"), None)
        if options["cold"] and cold_question:
            self.stdout.write(self.cold(servers, cold_question, options["cold"], table))
        self.stdout.write(f"Load average at the end: {_loadavg()}")

    # The data -----------------------------------------------------------------

    def generate(self, database_url, sizes, seed):
        self.stdout.write(
            f"Generating the synthetic register in {without_password(database_url)} …"
        )
        env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1"}
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True)
        subprocess.run(
            [
                *manage,
                "generate_synthetic",
                f"--agencies={sizes['agencies']}",
                f"--deployments={sizes['deployments']}",
                f"--seed={seed}",
            ],
            env=env,
            check=True,
        )

    def ensure_sqlite_statistics(self, sqlite_path):
        """
        ANALYZE a file made before ``generate_synthetic`` did: SQLite gathers no
        planner statistics by itself, and both the site and Datasette read them.
        """
        with contextlib.closing(sqlite3.connect(sqlite_path)) as db:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
                self.stdout.write(f"ANALYZE {sqlite_path} (it has no planner statistics) …")
                db.execute("ANALYZE")
                db.commit()

    def copy_sqlite(self, sqlite_path):
        copy = self.workdir / "site.sqlite3"
        with (
            contextlib.closing(sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)) as source,
            contextlib.closing(sqlite3.connect(copy)) as target,
        ):
            source.backup(target)
        return copy

    def ensure_postgres(self, pg_url, sizes, seed):
        import psycopg

        with psycopg.connect(_psycopg_url(pg_url), autocommit=True) as conn:
            row = conn.execute("SELECT to_regclass('registry_deployment')").fetchone()
            empty = (
                row[0] is None
                or not conn.execute("SELECT EXISTS (SELECT 1 FROM registry_deployment)").fetchone()[
                    0
                ]
            )
        if empty:
            self.generate(pg_url, sizes, seed)
        with psycopg.connect(_psycopg_url(pg_url), autocommit=True) as conn:
            conn.execute("ANALYZE")

    def questions(self, sqlite_path, connections):
        db = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
        published = "state = 'published'"
        agencies = db.execute(
            f"SELECT id, slug FROM registry_agency WHERE {published} "
            f"ORDER BY (id * 7919) % 10007 LIMIT {RECORD_SAMPLE}"
        ).fetchall()
        deployments = db.execute(
            f"SELECT id, slug FROM registry_deployment WHERE {published} "
            f"ORDER BY (id * 7919) % 10007 LIMIT {RECORD_SAMPLE}"
        ).fetchall()
        # Datasette pages by keyset: page 40 starts after the 1,950th row by id.
        row = db.execute(
            "SELECT id FROM registry_deployment WHERE status = 'active' ORDER BY id "
            "LIMIT 1 OFFSET 1949"
        ).fetchone()
        after = row[0] if row else 0
        # A typical search: one agency's name.
        name = db.execute(
            f"SELECT name FROM registry_agency WHERE {published} ORDER BY id LIMIT 1 "
            f"OFFSET (SELECT COUNT(*) / 3 FROM registry_agency WHERE {published})"
        ).fetchone()[0]
        # Synthetic names all start with "Synthetic": search for the rest.
        word = name.removeprefix("Synthetic ").lower()
        db.close()
        facets = "_facet=status&_facet=audit_status&_facet=system_id"
        table = "/{db}/registry_deployment"
        fts = "_fts_table=registry_deployment_fts"
        return [
            Question(
                "list",
                "deployment list with facets",
                ["/deployments/"],
                [f"{table}?{facets}"],
            ),
            Question(
                "filtered",
                "filtered: status=active&audit_status=none_known",
                ["/deployments/?status=active&audit_status=none_known"],
                [f"{table}?status=active&audit_status=none_known&{facets}"],
            ),
            Question(
                "page40",
                "page 40 of status=active",
                ["/deployments/?status=active&page=40"],
                [f"{table}?status=active&_next={after}"],
            ),
            Question(
                "api",
                "API list status=active (Datasette .json)",
                ["/api/v1/deployments/?status=active"],
                [f"{table}.json?status=active"],
            ),
            Question(
                "agency",
                f"agency page ({len(agencies)} rotating; Datasette row)",
                [f"/agencies/{slug}/" for _, slug in agencies],
                [f"/{{db}}/registry_agency/{pk}" for pk, _ in agencies],
            ),
            Question(
                "deployment",
                f"deployment page ({len(deployments)} rotating; Datasette row)",
                [f"/deployments/{slug}/" for _, slug in deployments],
                [f"/{{db}}/registry_deployment/{pk}" for pk, _ in deployments],
            ),
            Question("home", "home page", ["/"], None),
            Question("places", "places index", ["/places/"], None),
            Question("place", "a state page", ["/places/us/ca/"], None),
            Question(
                "search",
                f"typical search q={word} (Datasette: deployments _search)",
                [f"/search/?q={quote(word)}"],
                [f"{table}?_search={quote(word)}&{fts}"],
            ),
            Question(
                "search-common",
                "worst-case search q=police (Datasette: deployments _search)",
                ["/search/?q=police"],
                [f"{table}?_search=police&{fts}"],
            ),
        ]

    # Servers ------------------------------------------------------------------

    def start_site(self, name, database_url):
        """gunicorn as in production (``localserver.serve``: 2 workers, DEBUG off)."""
        # A database made by an earlier version of the site is brought up to date first.
        subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), "migrate", "--no-input", "-v0"],
            env={**os.environ, "DATABASE_URL": database_url, "DEBUG": "1"},
            check=True,
        )
        url = self.servers_stack.enter_context(
            localserver.serve(
                database_url,
                workers=2,
                log=self.workdir / f"{name.replace(' ', '-')}.log",
                # No question asks for /data/: skip its build (minutes at 100,000 rows).
                bulk_data=False,
                # Every request comes from one address: no rate limit (it would time 429s).
                EXPENSIVE_RATE_LIMIT="0",
                CACHE_URL=self.cache_url,
            )
        )
        port = int(url.rsplit(":", 1)[1])
        return Server(name, port, None, self.workdir, database_url=database_url)

    def start_datasette(self, executable, sqlite_path):
        port = localserver.free_port()
        command = [
            executable,
            "serve",
            "--immutable",
            str(sqlite_path),
            "--host=127.0.0.1",
            f"--port={port}",
            "--setting",
            "default_page_size",
            "50",
        ]
        server = self.spawn("Datasette", port, command, dict(os.environ), is_datasette=True)
        server.database_url = sqlite_path.stem
        return server

    def spawn(self, name, port, command, env, **extra):
        log = self.workdir / f"{name.replace(' ', '-')}.log"
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return Server(name, port, process, log, **extra)

    def wait_ready(self, server, timeout=120):
        if server.process is None:
            return  # localserver.serve waited for it
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise CommandError(f"{server.name} stopped: see {server.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=30):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise CommandError(f"{server.name} did not answer within {timeout} s: see {server.log}")

    def stop_all(self):
        for process in self.processes:
            localserver.stop(process)

    # Measuring ----------------------------------------------------------------

    def paths(self, question, server):
        if server.is_datasette:
            if question.datasette is None:
                return None
            return [p.replace("{db}", server.database_url) for p in question.datasette]
        return question.site

    def check_path(self, server, path):
        url = f"http://127.0.0.1:{server.port}{path}"
        request = urllib.request.Request(url)
        try:
            with _no_redirects().open(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status != 200:
            raise CommandError(f"{server.name} {path}: HTTP {status}, not 200")

    def wrk(self, server, paths, conns, seconds) -> Result:
        script = self.workdir / "paths.lua"
        script.write_text(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)})
        command = [
            "wrk",
            "-t1",
            f"-c{conns}",
            f"-d{seconds}s",
            "--timeout=10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{server.port}",
        ]
        finished = subprocess.run(command, capture_output=True, text=True)
        if finished.returncode:
            raise CommandError(f"wrk failed: {finished.stderr or finished.stdout}")
        output = finished.stdout
        line = next((ln for ln in output.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            raise CommandError(f"wrk printed no result:\n{output}")
        figures = json.loads(line.removeprefix("RESULT "))
        errors = figures["socket_errors"] + figures["bad_status"]
        if not figures["requests"]:
            # Nothing answered within the round: slower than any figure.
            return Result(p50=math.inf, p95=math.inf, rps=0.0, errors=errors)
        return Result(
            p50=figures["p50_us"] / 1000,
            p95=figures["p95_us"] / 1000,
            rps=figures["requests"] / (figures["duration_us"] / 1e6),
            errors=errors,
        )

    def cold(self, servers, question, n, table):
        lines = [
            "",
            f"First request of {question.site[0]} after a change (cold counts), "
            f"{n} times, one at a time:",
        ]
        for server in servers:
            if server.is_datasette:
                continue
            toucher = subprocess.Popen(
                [sys.executable, str(BASE_DIR / "manage.py"), "benchmark_http", "--touch-loop"],
                cwd=BASE_DIR,
                env={**os.environ, "DATABASE_URL": server.database_url, "DEBUG": "1"},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            self.processes.append(toucher)
            times = []
            for i in range(n):
                toucher.stdin.write(f"{i}\n")
                toucher.stdin.flush()
                if toucher.stdout.readline().strip() != "saved":
                    raise CommandError("the record save for the cold-count question failed")
                started = time.perf_counter()
                self.check_path(server, question.site[0])
                times.append((time.perf_counter() - started) * 1000)
            toucher.stdin.close()
            toucher.wait(timeout=30)
            times.sort()
            p95 = times[max(0, round(0.95 * len(times)) - 1)]
            lines.append(
                f"  {server.name:<12} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms"
                f"  max {times[-1]:7.1f} ms"
            )
        return "\n".join(lines)

    def touch_loop(self):
        """Save one published deployment per line read, through the ORM (history and all)."""
        from registry.models import Deployment

        ids = list(Deployment.objects.published().order_by("pk").values_list("pk", flat=True)[:500])
        for line in sys.stdin:
            deployment = Deployment.objects.get(pk=ids[int(line) % len(ids)])
            deployment.save()
            sys.stdout.write("saved\n")
            sys.stdout.flush()

    # Printing -----------------------------------------------------------------

    def header(self, sqlite_path, pg_url, servers, options, connections):
        db = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
        counts = {
            table: db.execute(f"SELECT COUNT(*) FROM registry_{table}").fetchone()[0]
            for table in ("agency", "deployment")
        }
        db.close()
        return "\n".join(
            [
                f"benchmark_http at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
                f"Machine: {os.cpu_count()} CPUs, load average {_loadavg()}",
                f"SQLite file: {sqlite_path} ({counts['agency']:,} agencies, "
                f"{counts['deployment']:,} deployments)",
                f"PostgreSQL: {without_password(pg_url) or 'none (DATABASE_URL unset)'}",
                "Servers: "
                + ", ".join(f"{s.name} on 127.0.0.1:{s.port}" for s in servers)
                + " (site: gunicorn 2 workers, app preloaded, DEBUG off, cache "
                + (
                    f"CACHE_URL={self.cache_url} (shared by the workers)"
                    if self.cache_url
                    else "per-process memory (--cache memory)"
                )
                + ", whole-response cache "
                + (
                    "off"
                    if os.environ.get("REGISTER_RESPONSE_CACHE_SECONDS", "").strip() == "0"
                    else "on"
                )
                + "; Datasette --immutable, default_page_size 50)",
                f"Load: wrk, 1 thread, {options['seconds']} s per round, "
                f"{options['rounds']} interleaved rounds, best round shown; "
                f"connections {', '.join(map(str, connections))}",
                "",
            ]
        )

    def report(self, questions, servers, connections, table):
        lines = [""]
        datasette = next((s for s in servers if s.is_datasette), None)
        for question in questions:
            lines.append(f"{question.label}")
            lines.append(f"    site: {question.site[0]}")
            if datasette and question.datasette:
                lines.append(f"    Datasette: {self.paths(question, datasette)[0]}")
            for conns in connections:
                reference = (
                    table.results.get((question.key, datasette.name, conns)) if datasette else None
                )
                for server in servers:
                    result = table.results.get((question.key, server.name, conns))
                    if result is None:
                        continue
                    ratio = ""
                    if (
                        reference
                        and not server.is_datasette
                        and 0 < result.p50 < math.inf
                        and result.rps
                    ):
                        ratio = (
                            f"  {_ratio(reference.p50, result.p50)} Datasette's p50,"
                            f" {_ratio(result.rps, reference.rps)} its req/s"
                        )
                    lines.append(f"  c={conns} {server.name:<12} {_figures(result)}{ratio}")
            lines.append("")
        return "\n".join(lines)


def _figures(result):
    errors = f"  ({result.errors} errors)" if result.errors else ""
    return f"p50 {result.p50:8.1f} ms  p95 {result.p95:8.1f} ms  {result.rps:8.1f} req/s{errors}"


def _ratio(a, b):
    if not b or math.isinf(a):
        return "     -"
    return f"{a / b:6.1f}x"


def _find_datasette():
    found = shutil.which("datasette")
    if found:
        return found
    beside = Path(sys.executable).parent / "datasette"
    return str(beside) if beside.exists() else ""


def _loadavg():
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _psycopg_url(url):
    return "postgresql://" + url.split("://", 1)[1]


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _no_redirects():
    return urllib.request.build_opener(_NoRedirect)
