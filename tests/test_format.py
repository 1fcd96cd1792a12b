"""The `fr-registry/1` format module and the file checker built on the importer."""

import importlib.util
import json
from pathlib import Path

from registry import format as fr_format
from registry.models import RECORD_MODELS

ROOT = Path(__file__).resolve().parent.parent


def load_checker():
    spec = importlib.util.spec_from_file_location(
        "check_registry", ROOT / "data" / "check_registry.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_record_model_is_one_list_of_the_format():
    assert sorted(spec.model.__name__ for spec in fr_format.SPEC.values()) == sorted(
        model.__name__ for model in RECORD_MODELS
    )
    for model in RECORD_MODELS:
        assert fr_format.list_of_model(model).model is model


def test_the_checker_accepts_the_seed_dataset(capsys):
    assert load_checker().main(["check_registry.py"]) == 0
    assert "valid fr-registry/1" in capsys.readouterr().out


def test_the_checker_reports_where_a_file_is_wrong(tmp_path, capsys):
    path = tmp_path / "bad.json"
    agency = {"id": "a", "name": "A", "country": "GB", "region": "US-CA"}
    path.write_text(json.dumps({"format": "fr-registry/1", "agencies": [agency]}))
    assert load_checker().main(["check_registry.py", str(path)]) == 1
    assert "agencies › a › region: Region US-CA is not in country GB." in capsys.readouterr().out
