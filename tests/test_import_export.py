"""import_registry and export_registry: the fr-registry/1 interchange format."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from registry import choices
from registry.importers import registry_json
from registry.models import Agency, Audit, Deployment, Policy, Source, System
from registry.types import MODELS

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR) / "data" / "registry.json"


def record_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def history_count():
    return sum(model.history.count() for model in MODELS)


@pytest.fixture
def seed():
    return json.loads(SEED.read_text(encoding="utf-8"))


def write(tmp_path, document, name="registry.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def import_file(path, *args):
    call_command("import_registry", str(path), *args, stdout=io.StringIO())


class SeedImportedOnce:
    """
    Base of the classes whose tests start from the seed: imported once per
    class; each test's own writes are rolled back after it.
    """

    @pytest.fixture(scope="class")
    @classmethod
    def seeded(cls, class_db):
        import_file(SEED)


class TestFromTheSeed(SeedImportedOnce):
    """The seed imported once: importing it, changing it, exporting it."""

    def test_seed_dataset_imports_every_record(self, seeded, seed):
        assert record_counts() == {
            "Source": len(seed["sources"]),
            "Vendor": len(seed["vendors"]),
            "System": len(seed["systems"]),
            "Agency": len(seed["agencies"]),
            "Deployment": len(seed["deployments"]),
            "Audit": len(seed["audits"]),
            "Policy": len(seed["policies"]),
        }
        cbp = Agency.objects.get(slug="us-cbp")
        assert cbp.parent.slug == "us-dhs"
        assert cbp.state == choices.State.PUBLISHED  # absent state means published
        met = Deployment.objects.get(slug="met-police-live-facial-recognition")
        assert met.uses == ["live"]
        assert str(met.partial_date("started")) == "August 2016"
        assert met.sources.count() == len(
            next(d for d in seed["deployments"] if d["id"] == met.slug)["sources"]
        )

    def test_import_derives_audit_status(self, seeded, seed):
        # NEC NeoFace has the National Physical Laboratory's published tests.
        assert System.objects.get(slug="nec-neoface").audit_status == choices.AuditStatus.REPORTED
        # DHS testing its own systems is a self-assessment: tested, never audited.
        assert (
            Deployment.objects.get(slug="tsa-credential-authentication-cat2").audit_status
            == choices.AuditStatus.TESTED
        )

    def test_importing_the_same_file_twice_changes_nothing(self, seeded, capsys):
        before = history_count()
        call_command("import_registry", str(SEED))
        out = capsys.readouterr().out
        assert "0 created, 0 updated" in out
        assert history_count() == before

    def test_every_imported_record_has_history_naming_the_file(self, seeded):
        entry = Agency.history.filter(slug="nypd").get()
        assert entry.history_change_reason == "import_registry: registry.json"
        assert entry.history_type == "+"
        # The single entry holds the links too, not an empty first version.
        assert entry.sources.count() == Agency.objects.get(slug="nypd").sources.count() > 0

    def test_changed_record_is_updated_with_a_history_entry(self, seeded, tmp_path, seed):
        changed = copy.deepcopy(seed)
        agency = next(a for a in changed["agencies"] if a["id"] == "nypd")
        agency["name"] = "New York City Police Department"
        agency["sources"] = agency["sources"][:1]
        import_file(write(tmp_path, changed, "corrected.json"))
        nypd = Agency.objects.get(slug="nypd")
        assert nypd.name == "New York City Police Department"
        assert nypd.sources.count() == 1
        latest = nypd.history.first()
        assert latest.history_change_reason == "import_registry: corrected.json"
        assert nypd.history.count() == 2

    def test_import_never_deletes_records_the_file_does_not_mention(self, seeded, tmp_path, seed):
        partial = {"format": "fr-registry/1", "sources": seed["sources"][:1]}
        import_file(write(tmp_path, partial))
        assert Agency.objects.count() == len(seed["agencies"])

    def test_export_then_import_into_an_empty_database_gives_an_identical_export(
        self, seeded, tmp_path
    ):
        first = registry_json.export_document()
        delete_everything()
        assert sum(record_counts().values()) == 0
        import_file(write(tmp_path, registry_json.dumps(first)))
        assert without_timestamp(registry_json.export_document()) == without_timestamp(first)

    def test_export_keeps_the_seed_datasets_facts(self, seeded, seed):
        exported = registry_json.export_document()
        for name in registry_json.LISTS:
            assert [r["id"] for r in exported[name]] == sorted(r["id"] for r in seed[name])
        bridges = next(
            p for p in exported["policies"] if p["id"] == "bridges-v-south-wales-police-2020"
        )
        original = next(p for p in seed["policies"] if p["id"] == bridges["id"])
        for key in ("title", "kind", "status", "country", "region", "adopted", "requirements"):
            assert bridges.get(key) == original.get(key)

    def test_export_command_writes_a_file(self, seeded, tmp_path):
        target = tmp_path / "out.json"
        call_command("export_registry", str(target), stderr=io.StringIO())
        document = json.loads(target.read_text())
        assert document["format"] == "fr-registry/1"
        assert len(document["agencies"]) == Agency.objects.count()

    def test_public_export_leaves_out_unpublished_records_and_links_to_them(self, seeded):
        Source.objects.filter(slug="nist-news-2019-12-demographic-effects").update(state="draft")
        Agency.objects.filter(slug="us-dhs").update(state="in_review")
        document = registry_json.export_document(published_only=True)
        ids = {name: {r["id"] for r in document[name]} for name in registry_json.LISTS}
        assert "nist-news-2019-12-demographic-effects" not in ids["sources"]
        assert "us-dhs" not in ids["agencies"]
        # CBP stays, without the link to its hidden parent.
        cbp = next(a for a in document["agencies"] if a["id"] == "us-cbp")
        assert "parent" not in cbp
        # A deployment whose agency is hidden is left out rather than shown half-linked.
        Agency.objects.filter(slug="nypd").update(state="draft")
        document = registry_json.export_document(published_only=True)
        assert not [d for d in document["deployments"] if d["agency"] == "nypd"]
        for rec in document["audits"]:
            assert "nist-news-2019-12-demographic-effects" not in rec["sources"]
        assert registry_json.validate(document) == []


def test_dry_run_reports_but_writes_nothing(capsys):
    call_command("import_registry", str(SEED), "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run" in out and "agencies: 25 created" in out
    assert sum(record_counts().values()) == 0
    assert history_count() == 0


def test_explicit_states_and_last_verified_are_kept(tmp_path, seed):
    doc = copy.deepcopy(seed)
    doc["agencies"][0]["state"] = "draft"
    doc["agencies"][0]["last_verified"] = "2026-10-01"
    import_file(write(tmp_path, doc))
    agency = Agency.objects.get(slug=doc["agencies"][0]["id"])
    assert agency.state == "draft"
    assert agency.last_verified.isoformat() == "2026-10-01"


# --- bad files: a clear, located error and nothing written -------------------


def minimal():
    return {
        "format": "fr-registry/1",
        "sources": [{"id": "synthetic-source", "url": "https://example.org/a", "title": "A"}],
        "agencies": [{"id": "synthetic-police", "name": "Synthetic Police", "country": "US"}],
        "deployments": [
            {"id": "synthetic-use", "agency": "synthetic-police", "sources": ["synthetic-source"]}
        ],
    }


def test_minimal_document_is_valid(tmp_path):
    import_file(write(tmp_path, minimal()))
    assert Deployment.objects.get().agency.slug == "synthetic-police"


def broken(mutate):
    doc = minimal()
    mutate(doc)
    return doc


BAD_FILES = {
    "bad json": ('{"format": "fr-registry/1", "sources": [', "Not valid JSON"),
    "wrong format": (broken(lambda d: d.update(format="fr-registry/2")), "format: Must be"),
    "unknown key": (
        broken(lambda d: d["agencies"][0].update(nmae="Typo")),
        "agencies › synthetic-police › nmae: Unknown key 'nmae'",
    ),
    "unknown list": (broken(lambda d: d.update(vendor=[])), "Unknown top-level key 'vendor'"),
    "bad enum": (
        broken(lambda d: d["deployments"][0].update(status="running")),
        "deployments › synthetic-use › status: 'running' is not one of",
    ),
    "bad enum in a list": (
        broken(lambda d: d["deployments"][0].update(uses=["live", "telepathy"])),
        "deployments › synthetic-use › uses: Unknown value(s) 'telepathy'",
    ),
    "dangling reference": (
        broken(lambda d: d["deployments"][0].update(agency="no-such-agency")),
        "deployments › synthetic-use › agency: Refers to agencies id 'no-such-agency'",
    ),
    "duplicate id": (
        broken(lambda d: d["sources"].append(dict(d["sources"][0]))),
        "sources › synthetic-source › id: Duplicate id",
    ),
    "bad slug": (
        broken(lambda d: d["agencies"][0].update(id="Synthetic Police")),
        "is not a slug",
    ),
    "bad date": (
        broken(lambda d: d["deployments"][0].update(started="2019-13")),
        "'2019-13' is not a date",
    ),
    "missing source": (
        broken(lambda d: d["deployments"][0].update(sources=[])),
        "deployments › synthetic-use › sources: Required.",
    ),
    "non-http url": (
        broken(lambda d: d["sources"][0].update(url="javascript:alert(1)")),
        "is not an http(s) URL",
    ),
    "audit about nothing": (
        broken(
            lambda d: d.update(
                audits=[{"id": "a", "auditor": "X", "sources": ["synthetic-source"]}]
            )
        ),
        "audits › a › system: An audit must name a system or a deployment.",
    ),  # fmt: skip
    "not an object": ("[1, 2, 3]", "document: The document must be a JSON object."),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_file_is_refused_with_a_located_message_and_writes_nothing(tmp_path, capsys, case):
    document, expected = BAD_FILES[case]
    path = write(tmp_path, document)
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("import_registry", str(path))
    assert expected in capsys.readouterr().err
    assert sum(record_counts().values()) == 0


def test_every_problem_is_reported_not_just_the_first(tmp_path, capsys):
    doc = minimal()
    doc["agencies"][0]["kind"] = "cult"
    doc["deployments"][0]["status"] = "running"
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_registry", str(write(tmp_path, doc)))


def test_bad_file_leaves_existing_records_untouched(tmp_path):
    import_file(write(tmp_path, minimal()))
    doc = minimal()
    doc["agencies"][0]["name"] = "Renamed Synthetic Police"
    doc["deployments"][0]["agency"] = "missing"
    with pytest.raises(CommandError):
        import_file(write(tmp_path, doc, "bad.json"))
    assert Agency.objects.get().name == "Synthetic Police"


@pytest.mark.parametrize("command", ["import_registry", "import_atlas", "import_federal_inventory"])
def test_missing_file_is_a_clear_error(tmp_path, command):
    with pytest.raises(CommandError, match=r"Cannot read .*nope\.csv: No such file"):
        call_command(command, str(tmp_path / "nope.csv"))


# --- export ------------------------------------------------------------------


def without_timestamp(document):
    return {k: v for k, v in document.items() if k != "generated"}


def delete_everything():
    for model in (Audit, Deployment, Policy, System, Agency):
        if model is Agency:
            Agency.objects.filter(parent__isnull=False).delete()
        model.objects.all().delete()
    for model in MODELS:
        model.objects.all().delete()
