"""
Documentation that tests hold to the code (as Datasette's ``test_docs.py`` does):
the README's configuration table names every setting read from the environment,
and nothing else.
"""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def environment_variables_read_by_settings() -> set[str]:
    """Every ``NAME`` that ``portal/settings.py`` reads (``os.environ.get``, ``env_*``...)."""
    tree = ast.parse((ROOT / "portal" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        reads_environment = called in {"get", "getenv"} or called.startswith("env")
        if called == "config" and "dj_database_url" in ast.unparse(func):
            names.add("DATABASE_URL")  # dj_database_url.config() reads it by default
        if reads_environment and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and ENV_NAME.match(str(first.value)):
                names.add(first.value)
    return names


def documented_variables() -> set[str]:
    """The first column of the README's table under "## Configuration"."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, flags=re.MULTILINE))


def test_the_readme_documents_every_setting_read_from_the_environment():
    read = environment_variables_read_by_settings()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL"} <= read  # the reader finds them
    assert sorted(read - documented_variables()) == []


def test_the_readme_documents_no_setting_that_does_not_exist():
    assert sorted(documented_variables() - environment_variables_read_by_settings()) == []
