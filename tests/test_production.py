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


# The production configuration the README documents (its "Run in production" section).
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
    "SITE_URL": "https://register.example.org",
    "ALLOWED_HOSTS": "register.example.org",
    "BEHIND_TLS_PROXY": "1",
}


def test_check_deploy_reports_nothing_for_the_documented_production_configuration():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env={**{k: v for k, v in os.environ.items() if k not in CONFIG}, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_behind_the_tls_proxy_https_is_enforced_by_default():
    code = (
        "from portal import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    assert run_python(code, **PRODUCTION).stdout.split() == ["True", "31536000", "True"]
    without_proxy = {**PRODUCTION, "BEHIND_TLS_PROXY": ""}
    assert run_python(code, **without_proxy).stdout.split() == ["False", "0", "False"]
    turned_off = {**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"}
    assert run_python(code, **turned_off).stdout.split()[:2] == ["False", "0"]
