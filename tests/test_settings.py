"""
Settings come from the environment and fail loudly when unsafe.

Each check imports the settings module in a fresh interpreter, because the
settings of the running test session are already loaded.
"""

import subprocess
from pathlib import Path

import pytest

from tests.test_production import PROJECT_DIR, run_python

PRINT_SETTINGS = (
    "from portal import settings; "
    "print(settings.DEBUG, settings.SECRET_KEY, ','.join(settings.ALLOWED_HOSTS), "
    "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], sep='|')"
)


# Required when DEBUG is off (tests/test_production.py); given here, not
# inherited from the test session's environment, which run_python drops.
SITE_URL = "https://register.example.org"


def import_settings(**environ):
    return run_python(PRINT_SETTINGS, **environ)


def test_without_a_secret_key_and_without_debug_the_site_refuses_to_start():
    result = import_settings()

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_on_uses_the_development_key_and_local_hosts():
    result = import_settings(DEBUG="1")

    assert result.returncode == 0, result.stderr
    debug, secret_key, hosts, _engine, _name = result.stdout.strip().split("|")
    assert debug == "True"
    assert secret_key.startswith("django-insecure-")
    assert hosts == "127.0.0.1,localhost"


def test_debug_is_off_unless_asked_for():
    result = import_settings(SECRET_KEY="a-real-secret", DEBUG="", SITE_URL=SITE_URL)

    assert result.returncode == 0, result.stderr
    debug, secret_key, hosts, _engine, _name = result.stdout.strip().split("|")
    assert debug == "False"
    assert secret_key == "a-real-secret"
    assert hosts == ""


def test_allowed_hosts_is_a_comma_separated_list():
    result = import_settings(
        SECRET_KEY="s", ALLOWED_HOSTS="register.example.org, www.example.org", SITE_URL=SITE_URL
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|")[2] == "register.example.org,www.example.org"


def test_default_database_is_a_sqlite_file_in_the_project_folder_ignored_by_git():
    result = import_settings(DEBUG="1")

    assert result.returncode == 0, result.stderr
    _debug, _key, _hosts, engine, name = result.stdout.strip().split("|")
    assert engine == "django.db.backends.sqlite3"
    assert Path(name).parent == PROJECT_DIR
    if not (PROJECT_DIR / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "--quiet", name], cwd=PROJECT_DIR, check=False)
    assert ignored.returncode == 0, f"{name} is not ignored by git"


def test_database_url_chooses_postgresql():
    result = import_settings(DEBUG="1", DATABASE_URL="postgres://reader@db.example.org:5433/fr")

    assert result.returncode == 0, result.stderr
    _debug, _key, _hosts, engine, name = result.stdout.strip().split("|")
    assert engine == "django.db.backends.postgresql"
    assert name == "fr"
