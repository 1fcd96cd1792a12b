"""
Serve the site as production does (gunicorn, DEBUG off) on 127.0.0.1 for a
load or fault test, and stop it afterwards.

``serve(database_url)`` is a context manager yielding the base URL. It collects
the static files and builds the bulk data into a temporary folder first (a
production web process refuses to start without the static manifest, and
``/data/`` serves the last complete build), creates the cache table when
``CACHE_URL`` names the database cache (as ``make serve-production`` does),
binds a free loopback port, waits for ``/readyz`` and always stops the server,
even when the caller fails.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings

from portal import cacheurl

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configured_database_url() -> str:
    """The URL of this process's database (``DATABASES["default"]``), for a server beside it."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    auth = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def without_password(url: str) -> str:
    """A database URL fit to print: its password masked."""
    parts = urlsplit(url)
    if parts.password:
        url = url.replace(f":{parts.password}@", ":***@")
    return url


def production_env(database_url: str, folder: Path, port: int, **overrides: str) -> dict:
    """The environment of a production-like web process on this machine."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "local-load-test-key-not-secret-" + "x" * 20,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "STATIC_ROOT": str(folder / "static"),
        "BULK_DATA_DIR": str(folder / "bulk"),
        # Plain HTTP on loopback: no TLS proxy in front.
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "ERROR",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    env.update(overrides)
    return env


def uses_database_cache(env: dict) -> bool:
    """Whether ``CACHE_URL`` in ``env`` names the database table (``portal.cacheurl``)."""
    return cacheurl.uses_database_cache(env.get("CACHE_URL", ""))


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop ``process`` and its session (started with ``start_new_session``): TERM, then KILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _wait_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode} at start")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /readyz within {STARTUP_SECONDS} s")


@contextlib.contextmanager
def serve(
    database_url: str,
    *,
    workers: int = 2,
    log: Path | None = None,
    bulk_data: bool = True,
    **env_overrides: str,
) -> Iterator[str]:
    """
    Run gunicorn with ``workers`` sync workers over ``database_url``; yield its URL.

    The server's error log (JSON lines: Django's errors and gunicorn's own) goes
    to ``log`` when given, so a fault test can show what failed. ``bulk_data=False``
    skips building the ``/data/`` files (minutes at national scale) for a run that
    does not request them; ``/data/`` then says no build exists yet.
    """
    folder = Path(tempfile.mkdtemp(prefix="fr-register-serve-"))
    port = free_port()
    env = production_env(database_url, folder, port, GUNICORN_WORKERS=str(workers), **env_overrides)
    process = None
    log_file = open(log or folder / "gunicorn.log", "ab")  # noqa: SIM115 (closed in finally)
    try:
        _manage(env, "collectstatic", "--noinput")
        if uses_database_cache(env):
            _manage(env, "createcachetable")
        if bulk_data:
            _manage(env, "build_bulk_data")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "-c", "gunicorn.conf.py"],
            cwd=settings.BASE_DIR,
            env={**env, "GUNICORN_CMD_ARGS": "--access-logfile=/dev/null"},
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, process)
        yield url
    finally:
        if process is not None:
            stop(process)
        log_file.close()
        shutil.rmtree(folder, ignore_errors=True)
