"""
Documentation that tests hold to the code (as Datasette's ``test_docs.py`` does):
the README's configuration table names every setting read from the environment,
and nothing else; docs/data-format.md lists every key of every list of the
format (``registry/format.py``) and every value of its vocabularies;
docs/architecture.md's module tree names every module of ``registry/``, and
no file that is gone.
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


# The data format: docs/data-format.md against registry/format.py -------------

FORMAT_DOC = (ROOT / "docs" / "data-format.md").read_text()


def _documented_keys():
    """``{list name: {key: notes}}`` from the key tables of docs/data-format.md."""
    out = {}
    for section in re.split(r"^## ", FORMAT_DOC, flags=re.M)[1:]:
        name, _, body = section.partition("\n")
        rows = {}
        for line in body.splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if line.startswith("|") and cells[0] not in ("key", "---") and len(cells) >= 3:
                for key in cells[0].split(","):
                    rows[key.strip()] = cells[-1]
        out[name.strip()] = rows
    return out


def test_the_format_document_lists_every_key_of_every_list_and_no_other():
    from registry.format import COMMON_KEYS, SPEC

    documented = _documented_keys()
    for name, spec in SPEC.items():
        assert set(documented.get(name, {})) == set(spec.keys) - set(COMMON_KEYS), name
    for key in COMMON_KEYS:
        assert f"`{key}`" in FORMAT_DOC


def test_the_format_document_names_every_value_of_every_vocabulary():
    from registry.format import SPEC

    documented = _documented_keys()
    for name, spec in SPEC.items():
        for key, kind in spec.keys.items():
            if isinstance(kind, tuple) and kind[0] in ("enum", "multi") and key != "state":
                values = set(re.findall(r"`([a-z0-9_]+)`", documented[name][key]))
                assert values == {str(v) for v in kind[1].values}, f"{name}.{key}"


# The module tree: docs/architecture.md against registry/ ----------------------

REGISTRY = ROOT / "registry"


def _module_tree() -> str:
    """The code block under "## The modules" of docs/architecture.md."""
    doc = (ROOT / "docs" / "architecture.md").read_text()
    section = doc.split("\n## The modules", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def _modules() -> list[Path]:
    """The app's modules, without migrations, commands (thin wrappers) and packages' __init__."""
    return sorted(
        path.relative_to(REGISTRY)
        for path in REGISTRY.rglob("*.py")
        if path.name != "__init__.py"
        and not {"migrations", "management"} & set(path.relative_to(REGISTRY).parts)
    )


def test_the_architecture_document_names_every_module():
    tree = _module_tree()
    unnamed = [str(path) for path in _modules() if not re.search(rf"\b{path.stem}\b", tree)]
    assert len(_modules()) > 50  # the walk finds them
    assert unnamed == []


def test_the_architecture_document_names_no_module_that_is_gone():
    named = set(re.findall(r"\b(\w+)\.py\b", _module_tree()))
    assert "models" in named
    assert sorted(named - {path.stem for path in _modules()}) == []
