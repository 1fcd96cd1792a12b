"""The `fr-registry/1` format module and the file checker built on the importer."""

import importlib.util
import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from registry import choices, dates, search
from registry import format as fr_format
from registry.importers import registry_json
from registry.models import Agency, Deployment, Policy, validate_record
from registry.types import MODELS as RECORD_MODELS

from . import factories

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
    out = capsys.readouterr().out
    assert "agencies › a › region: The region US-CA is not in the country GB" in out


# --- One place for validation: the models' rules, called by every importer -------


def minimal():
    return {
        "format": "fr-registry/1",
        "sources": [{"id": "synthetic-source", "url": "https://example.org/a", "title": "A"}],
        "agencies": [{"id": "synthetic-police", "name": "Synthetic Police", "country": "GB"}],
        "deployments": [
            {"id": "synthetic-use", "agency": "synthetic-police", "sources": ["synthetic-source"]}
        ],
    }


def problems_of(document):
    return [str(p) for p in registry_json.validate(document)]


def nothing_in_the_register():
    return not any(model.objects.exists() for model in RECORD_MODELS)


def import_refused(document):
    """Import ``document``; its problems, after checking that nothing was written."""
    with pytest.raises(registry_json.InvalidDocument) as refused:
        registry_json.import_document(document, reason="synthetic test")
    assert nothing_in_the_register()
    return [str(p) for p in refused.value.problems]


def test_an_end_known_to_the_year_of_a_start_known_to_the_month_is_in_order():
    # Bug 1: "2019-05" to "2019" was "ended before started".
    doc = minimal()
    doc["deployments"][0].update(started="2019-05", ended="2019")
    assert problems_of(doc) == []
    doc["deployments"][0].update(started="2019-05-14", ended="2019-05")
    assert problems_of(doc) == []


def test_an_end_before_the_start_at_the_coarser_precision_is_refused():
    doc = minimal()
    doc["deployments"][0].update(started="2019-05", ended="2018")
    assert problems_of(doc) == [
        "deployments › synthetic-use › ended: The end date is before the start date."
    ]


@pytest.mark.django_db
def test_a_name_longer_than_its_field_is_refused_before_anything_is_written():
    # Bug 2: a 300-character vendor name passed validation and failed mid-import.
    doc = minimal()
    doc["vendors"] = [{"id": "synthetic-vendor", "name": "V" * 300}]
    assert import_refused(doc) == [
        "vendors › synthetic-vendor › name: "
        "Ensure this value has at most 200 characters (it has 300)."
    ]


def test_an_eu_policys_regions_must_be_in_member_states():
    doc = minimal()
    policy = {"id": "synthetic-eu-rule", "title": "Synthetic EU rule", "country": "EU",
              "regions": ["DE-BY", "FR-IDF"], "sources": ["synthetic-source"]}  # fmt: skip
    doc["policies"] = [policy]
    assert problems_of(doc) == []
    policy["regions"] = ["DE-BY", "GB-WLS"]
    assert problems_of(doc) == [
        "policies › synthetic-eu-rule › regions: The region GB-WLS is not in an EU member state."
    ]


def test_each_region_of_a_policy_must_be_in_its_country():
    doc = minimal()
    policy = {"id": "synthetic-rule", "title": "Synthetic rule", "country": "GB",
              "regions": ["GB-ENG", "US-CA", "GB-WLS"],
              "sources": ["synthetic-source"]}  # fmt: skip
    doc["policies"] = [policy]
    assert problems_of(doc) == [
        "policies › synthetic-rule › regions: The region US-CA is not in the country GB: "
        "a region code starts with its country code, e.g. GB-… ."
    ]
    policy["regions"] = ["GB-ENG", "Wales"]
    assert problems_of(doc) == [
        "policies › synthetic-rule › regions: 'Wales' is not an ISO 3166-2 code such as US-CA "
        "or GB-WLS."
    ]
    policy["regions"] = ["GB-ENG", "GB-ENG"]
    assert problems_of(doc) == ["policies › synthetic-rule › regions: Repeats a value."]
    policy["regions"] = "GB-ENG"
    assert problems_of(doc) == ["policies › synthetic-rule › regions: Must be a list."]


def _policy_document(**keys):
    doc = minimal()
    doc["policies"] = [{"id": "synthetic-rule", "title": "Synthetic rule", "country": "GB",
                        "sources": ["synthetic-source"], **keys}]  # fmt: skip
    return doc


@pytest.mark.django_db
def test_a_file_naming_one_region_still_imports_as_a_one_region_policy():
    # Files written before a policy could name several regions say "region".
    with search.deferred_indexing():
        registry_json.import_document(_policy_document(region="GB-WLS"), reason="synthetic")
    policy = Policy.objects.get(slug="synthetic-rule")
    assert policy.regions == ["GB-WLS"]
    exported = registry_json.record("policies", policy)
    assert exported["regions"] == ["GB-WLS"] and "region" not in exported


def test_the_older_region_key_is_checked_like_the_list_it_stands_for():
    assert problems_of(_policy_document(region="US-CA")) == [
        "policies › synthetic-rule › regions: The region US-CA is not in the country GB: "
        "a region code starts with its country code, e.g. GB-… ."
    ]
    assert problems_of(_policy_document(region="")) == []
    assert problems_of(_policy_document(region=["GB-WLS"])) == [
        "policies › synthetic-rule › region: Must be a string, found list."
    ]
    assert problems_of(_policy_document(region="GB-WLS", regions=["GB-ENG"])) == [
        "policies › synthetic-rule › region: Give 'regions' or the older 'region', not both."
    ]


@pytest.mark.django_db
def test_a_policy_of_england_and_wales_round_trips():
    with search.deferred_indexing():
        registry_json.import_document(
            _policy_document(regions=["GB-WLS", "GB-ENG"]), reason="synthetic"
        )
    exported = registry_json.export_document()
    assert exported["policies"][0]["regions"] == ["GB-ENG", "GB-WLS"]
    assert registry_json.validate(exported) == []


@pytest.mark.django_db
def test_the_admin_accepts_the_eu_policy_region_the_importer_accepts(admin_client):
    # Bug 6: the admin form refused a region of an EU policy that the importer took.
    from .test_admin import _post_change

    policy = factories.PolicyFactory(state=choices.State.DRAFT, country="EU", regions=[])
    response = _post_change(admin_client, policy, regions="DE-BY, FR-IDF",
                            change_reason="Bavaria and Île-de-France only")  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert policy.regions == ["DE-BY", "FR-IDF"]


@pytest.mark.django_db
def test_the_admin_accepts_an_end_known_to_the_year_of_the_start(admin_client):
    from .test_admin import _post_change

    deployment = factories.DeploymentFactory(state=choices.State.DRAFT)
    response = _post_change(
        admin_client, deployment, started="2019-05", ended="2019", change_reason="Ended that year"
    )
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_validate_record_lists_each_problem_by_field():
    agency = Agency(slug="synthetic-police", name="N" * 301, country="GB", region="US-CA")
    problems = dict(validate_record(agency))
    assert problems["name"] == "Ensure this value has at most 300 characters (it has 301)."
    assert problems["region"].startswith("The region US-CA is not in the country GB")
    assert validate_record(Agency(slug="synthetic-police", name="N", country="GB")) == []


# --- Hostile import files (issue 12, item 11) -------------------------------------


def _deep_chain(doc, depth=2_000):
    doc["agencies"] += [
        {"id": f"synthetic-unit-{n}", "name": f"Unit {n}", "country": "GB",
         "parent": f"synthetic-unit-{n - 1}" if n else "synthetic-police"}
        for n in range(depth)
    ]  # fmt: skip


HOSTILE = {
    "5,000-character name": (
        lambda d: d["agencies"][0].update(name="N" * 5_000),
        ["agencies › synthetic-police › name: "
         "Ensure this value has at most 300 characters (it has 5000)."],
    ),
    "200-character id": (
        lambda d: d["sources"][0].update(id="s" * 200),
        [f"sources › {'s' * 200} › id: Ensure this value has at most 120 characters (it has 200).",
         "deployments › synthetic-use › sources: Refers to sources id(s) that do not exist: "
         "synthetic-source."],
    ),
    "NUL byte in a name": (
        lambda d: d["agencies"][0].update(name="Synthetic\x00Police"),
        ["agencies › synthetic-police › name: "
         "Contains a NUL character (\\u0000), which cannot be stored."],
    ),
    "NUL byte in a metric": (
        lambda d: d.update(audits=[{"id": "synthetic-audit", "auditor": "X",
                                    "deployment": "synthetic-use", "sources": ["synthetic-source"],
                                    "metrics": [{"metric": "fmr", "group": "a\x00"}]}]),
        ["audits › synthetic-audit › metrics: "
         "Contains a NUL character (\\u0000), which cannot be stored."],
    ),
    "parent as a list": (
        lambda d: d["agencies"][0].update(parent=["synthetic-police"]),
        ["agencies › synthetic-police › parent: Must be the id of a record."],
    ),
    "NaN metric": (
        lambda d: d.update(audits=[{"id": "synthetic-audit", "auditor": "X",
                                    "deployment": "synthetic-use", "sources": ["synthetic-source"],
                                    "metrics": [{"metric": "fmr", "value": float("nan")}]}]),
        ["audits › synthetic-audit › metrics: Metric 1: 'value' must be a finite number, not nan."],
    ),
    "Infinity threshold": (
        lambda d: d.update(audits=[{"id": "synthetic-audit", "auditor": "X",
                                    "deployment": "synthetic-use", "sources": ["synthetic-source"],
                                    "metrics": [{"metric": "fmr", "threshold": float("inf")}]}]),
        ["audits › synthetic-audit › metrics: "
         "Metric 1: 'threshold' must be a finite number, not inf."],
    ),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_file_gets_located_messages_and_writes_nothing(case):
    mutate, expected = HOSTILE[case]
    doc = minimal()
    mutate(doc)
    assert import_refused(doc) == expected


@pytest.mark.django_db
def test_nan_written_in_the_json_text_is_refused(tmp_path):
    text = json.dumps(minimal())[:-1] + ', "audits": [{"id": "synthetic-audit", "auditor": "X", ' \
        '"deployment": "synthetic-use", "sources": ["synthetic-source"], ' \
        '"metrics": [{"metric": "fmr", "value": NaN}]}]}'  # fmt: skip
    problems = import_refused(registry_json.parse(text))
    assert problems == [
        "audits › synthetic-audit › metrics: Metric 1: 'value' must be a finite number, not nan."
    ]


def _frames_on_the_stack():
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


@contextmanager
def _recursion_limit_above_here(frames):
    """Python's recursion limit set to ``frames`` above the caller's stack, then restored."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(_frames_on_the_stack() + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


@pytest.mark.django_db
def test_a_parent_chain_deeper_than_the_recursion_limit_imports():
    # What a 2,000-deep chain checked (above the default limit of 1,000), at a
    # sixth of the records: any step of the import (validation, ordering parents
    # first, writing) that recursed once per parent would pass 300 frames and
    # raise RecursionError under a limit of 200 frames above the test, which is
    # room enough for one import's own call stack. Children are listed before
    # their parents, so ordering parents first has the whole chain to climb.
    doc = minimal()
    _deep_chain(doc, depth=300)
    doc["agencies"].reverse()
    with search.deferred_indexing(), _recursion_limit_above_here(200):
        registry_json.import_document(doc, reason="synthetic test")
    deepest = Agency.objects.get(slug="synthetic-unit-299")
    assert deepest.parent.slug == "synthetic-unit-298"
    assert Agency.objects.filter(slug__startswith="synthetic-unit-").count() == 300


def test_a_two_thousand_deep_parent_cycle_is_a_message():
    doc = minimal()
    _deep_chain(doc)
    doc["agencies"][0]["parent"] = "synthetic-unit-1999"
    problems = problems_of(doc)
    assert len(problems) == 2_001
    assert "agencies › synthetic-police › parent: Parents form a cycle." in problems


def test_every_agency_whose_parents_lead_into_a_cycle_has_a_message():
    # "tail" is not in the loop but its parents lead into it; "top" is outside it.
    doc = minimal()
    doc["agencies"] += [
        {"id": i, "name": f"Synthetic {i}", "country": "GB", "parent": parent}
        for i, parent in [("tail", "loop-a"), ("loop-a", "loop-b"), ("loop-b", "loop-a"),
                          ("top", None), ("child", "top")]
    ]  # fmt: skip
    assert problems_of(doc) == [
        f"agencies › {i} › parent: Parents form a cycle." for i in ("tail", "loop-a", "loop-b")
    ]


# --- Round trip of synthetic data (issue 12, item 12) ------------------------------


@pytest.mark.django_db
def test_an_export_of_records_ended_in_the_year_they_started_imports_again():
    with search.deferred_indexing():
        for n, (started, ended) in enumerate(
            [("2016-07", "2016"), ("2016-07-14", "2016-07"), ("2018", "2018-03")]
        ):
            start, start_precision = dates.parse_partial_date(started)
            end, end_precision = dates.parse_partial_date(ended)
            factories.DeploymentFactory(slug=f"synthetic-use-{n}", started=start,
                                        started_precision=start_precision, ended=end,
                                        ended_precision=end_precision)  # fmt: skip
    exported = registry_json.export_document()
    assert registry_json.validate(exported) == []
    Deployment.objects.all().delete()
    with search.deferred_indexing():
        report = registry_json.import_document(exported, reason="synthetic round trip")
    assert len(report.created["deployments"]) == 3
    assert Deployment.objects.get(slug="synthetic-use-0").partial_date("ended").iso == "2016"


# --- docs/data-format.md holds to registry/format.py --------------------------------

DOC = ROOT / "docs" / "data-format.md"


def documented_tables():
    """``{list: {key: notes}}`` from the key tables under each ``## list`` heading."""
    tables, current = {}, None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
        elif current in fr_format.SPEC and line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if cells[0] in ("key", "") or set(cells[0]) <= {"-"}:
                continue
            for key in cells[0].split(","):
                tables.setdefault(current, {})[key.strip()] = cells[-1]
    return tables


def backticked(text):
    return set(re.findall(r"`([^`]+)`", text))


def test_the_format_documents_every_list_and_key_and_nothing_else():
    tables = documented_tables()
    assert set(tables) == set(fr_format.SPEC)
    for name, spec in fr_format.SPEC.items():
        own_keys = set(spec.keys) - set(fr_format.COMMON_KEYS)
        assert set(tables[name]) == own_keys, name


def test_the_format_documents_every_value_of_every_vocabulary_and_nothing_else():
    tables = documented_tables()
    for (name, key), vocabulary in fr_format.vocabularies().items():
        if key in fr_format.COMMON_KEYS:
            continue
        assert backticked(tables[name][key]) == set(vocabulary.values), f"{name} › {key}"


def test_the_format_documents_the_keys_every_record_has():
    text = DOC.read_text(encoding="utf-8")
    for key in fr_format.COMMON_KEYS:
        assert f"`{key}`" in text
    state_line = next(line for line in text.split("\n\n") if "`state`" in line)
    assert set(choices.State.values) <= backticked(state_line)
