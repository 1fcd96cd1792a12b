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
    "REGISTER_WEB_PROCESS",
    "CACHE_URL",
    "DATABASE_REPLICA_URL",
    "PLAIN_STATIC",
    "STATIC_ROOT",
}


def run_fresh(command: list[str], **environ) -> subprocess.CompletedProcess:
    """``command`` in the project, our environment minus its configuration, plus ``environ``."""
    env = {key: value for key, value in os.environ.items() if key not in CONFIG}
    env.update(environ)
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def run_python(code: str, **environ) -> subprocess.CompletedProcess:
    return run_fresh([sys.executable, "-c", code], **environ)


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
    result = run_fresh(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
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


PRINT_DB_OPTIONS = (
    "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
)


def test_web_processes_on_postgresql_get_a_statement_timeout_and_commands_do_not():
    postgres = {"SECRET_KEY": "s", "SITE_URL": "https://x.example", "PLAIN_STATIC": "1",
                "DATABASE_URL": "postgres://user@db.invalid/register"}  # fmt: skip
    web = run_python("import portal.wsgi; " + PRINT_DB_OPTIONS, **postgres)
    assert web.returncode == 0, web.stderr
    assert "statement_timeout=5000" in web.stdout
    command = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; "
        "django.setup(); " + PRINT_DB_OPTIONS,
        **postgres,
    )
    assert command.returncode == 0, command.stderr
    assert "statement_timeout" not in command.stdout


def test_a_missing_static_manifest_stops_the_web_process_at_start_with_the_fix(tmp_path):
    """Skipping collectstatic used to make every HTML page a 500."""
    result = run_python(
        "import portal.wsgi",
        SECRET_KEY="s",
        SITE_URL="https://x.example",
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode != 0
    assert "collectstatic" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


PRINT_CACHE = "from portal import settings; print(settings.CACHES['default']['BACKEND'])"


def test_cache_url_chooses_a_shared_cache():
    base = {"SECRET_KEY": "s", "SITE_URL": "https://x.example"}
    assert "LocMemCache" in run_python(PRINT_CACHE, **base).stdout
    redis = run_python(PRINT_CACHE, CACHE_URL="redis://cache.internal:6379/0", **base)
    assert redis.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    database = run_python(PRINT_CACHE, CACHE_URL="db", **base)
    assert database.stdout.strip() == "portal.dbcache.DatabaseCache"
