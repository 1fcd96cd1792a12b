"""
Production settings and behaviour (issue 12): what the site requires and
refuses when ``DEBUG`` is off, checked in a fresh interpreter where the
settings module must be imported with a given environment.
"""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# What the environment of a test subprocess keeps from ours: nothing that configures the site.
CONFIG = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "SITE_URL",
    "DJANGO_SETTINGS_MODULE",
}


def run_python(code: str, **environ) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in CONFIG}
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_site_url_is_required_when_debug_is_off():
    """Without it, absolute links would come from each request's Host header."""
    result = run_python("from portal import settings", SECRET_KEY="s")
    assert result.returncode != 0
    assert "SITE_URL must be set when DEBUG is off" in result.stderr

    ok = run_python(
        "from portal import settings; print(settings.SITE_URL)",
        SECRET_KEY="s",
        SITE_URL="https://register.example.org/",
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "https://register.example.org"
