"""/data/: the whole published register as fr-registry/1 JSON and a zip of CSVs, cached."""

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from registry import bulk, choices, exports, search
from registry.models import Deployment
from tests.factories import AgencyFactory, AuditFactory, DeploymentFactory, PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bulk_dir(settings, tmp_path):
    settings.BULK_DATA_DIR = tmp_path / "bulk"
    return settings.BULK_DATA_DIR


@pytest.fixture(scope="module")
def register_built_once(module_db):
    """Published, draft and retracted records, built once for the module; returns a pk."""
    with search.deferred_indexing():
        deployment = DeploymentFactory(agency=AgencyFactory(name="Synthetic Published Police"))
        AuditFactory(system=deployment.system)
        PolicyFactory()
        DeploymentFactory(agency=AgencyFactory(name="Synthetic Draft Police",
                                               state=choices.State.DRAFT))  # fmt: skip
        AgencyFactory(name="Synthetic Retracted Police", state=choices.State.RETRACTED)
    return deployment.pk


@pytest.fixture
def register(register_built_once, db):
    """The published deployment, fresh from the database (a test's writes are rolled back)."""
    return Deployment.objects.get(pk=register_built_once)


def content(response):
    return b"".join(response.streaming_content)


def zip_csvs(client):
    if bulk.latest() is None:
        bulk.build()
    response = client.get(reverse("registry:data-csv-zip"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(content(response)))
    return {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        for name in archive.namelist()
        if name.endswith(".csv")
    }


def test_the_data_page_offers_both_files_the_licence_a_citation_and_every_column(
    client, register, settings
):
    bulk.build()
    response = client.get(reverse("registry:data"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/data/registry.json"' in html
    assert 'href="/data/registry-csv.zip"' in html
    assert f'href="{settings.DATA_LICENCE_URL}" rel="license"' in html
    assert f"{settings.REGISTER_NAME}. Bulk data (fr-registry/1)." in html
    for name, spec in exports.EXPORTS.items():
        assert f'id="columns-{name}"' in html
        for column in spec.columns:
            assert f"<code>{column.name}</code>" in html


def test_the_site_footer_links_to_bulk_data(client):
    assert 'href="/data/">Bulk data</a>' in client.get(reverse("registry:home")).content.decode()


def test_the_zip_holds_one_csv_per_entity_with_its_header_row(client, register):
    csvs = zip_csvs(client)
    assert set(csvs) == {f"{name}.csv" for name in bulk.ENTITIES}
    for name in bulk.ENTITIES:
        assert csvs[f"{name}.csv"][0] == exports.EXPORTS[name].header


def test_bulk_files_hold_published_records_only(client, register):
    csvs = zip_csvs(client)
    agency_names = [row[2] for row in csvs["agencies.csv"][1:]]
    assert "Synthetic Published Police" in agency_names
    assert "Synthetic Draft Police" not in agency_names
    assert "Synthetic Retracted Police" not in agency_names
    assert [row[0] for row in csvs["deployments.csv"][1:]] == [register.slug]

    response = client.get(reverse("registry:data-json"))
    assert response["Link"].endswith('rel="license"')
    document = json.loads(content(response))
    assert document["format"] == "fr-registry/1"
    assert [d["id"] for d in document["deployments"]] == [register.slug]
    assert "Synthetic Draft Police" not in json.dumps(document)


def test_files_are_served_from_the_last_build_until_the_next(client, register, bulk_dir):
    bulk.build()
    built = client.get(reverse("registry:data")).context["files"]
    again = client.get(reverse("registry:data")).context["files"]
    assert again.folder == built.folder and again.generated == built.generated

    newcomer = DeploymentFactory(agency=AgencyFactory(name="Synthetic Newcomer Police"))
    # A request never builds: the last build is served until the command runs.
    assert client.get(reverse("registry:data")).context["files"].folder == built.folder
    assert newcomer.slug not in content(client.get(reverse("registry:data-json"))).decode()

    rebuilt, was_built = bulk.build()
    assert was_built and rebuilt.folder != built.folder
    assert client.get(reverse("registry:data")).context["files"].folder == rebuilt.folder
    assert newcomer.slug in content(client.get(reverse("registry:data-json"))).decode()
    # The previous build stays (a request may have just read the old pointer);
    # the one before it goes.
    assert built.folder.exists()
    DeploymentFactory()
    third, _ = bulk.build()
    assert not built.folder.exists() and rebuilt.folder.exists() and third.folder.exists()


def test_an_unchanged_register_is_not_rebuilt(register, bulk_dir):
    first, built = bulk.build()
    assert built
    second, built_again = bulk.build()
    assert not built_again and second.folder == first.folder
    assert bulk.build(force=True)[0].folder != first.folder


def test_no_request_builds_whatever_its_host_header(client, register, bulk_dir, settings):
    """Each new Host used to force a full rebuild inside the request (issue 12, item 1)."""
    settings.ALLOWED_HOSTS = ["*"]
    for port in (1, 2, 3):
        response = client.get(reverse("registry:data"), HTTP_HOST=f"127.0.0.1:{port}")
        assert response.status_code == 200
        assert "have not been built yet" in response.content.decode()
        assert client.get(reverse("registry:data-json"), HTTP_HOST=f"h{port}").status_code == 404
    assert not bulk_dir.exists() or not any(bulk_dir.iterdir())

    bulk.build()
    (folder,) = [p for p in bulk_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
    for port in (1, 2, 3):
        response = client.get(reverse("registry:data"), HTTP_HOST=f"127.0.0.1:{port}")
        assert response.context["files"].folder == folder
        assert "127.0.0.1:" not in response.context["citation"]
    assert [p for p in bulk_dir.iterdir() if p.is_dir() and not p.name.startswith(".")] == [folder]


def test_links_in_the_files_come_from_site_url_not_the_host(client, register, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://register.example.org"
    bulk.build()
    csvs = zip_csvs(client)
    (row,) = csvs["deployments.csv"][1:]
    assert f"https://register.example.org{register.get_absolute_url()}" in row
    page = client.get(reverse("registry:data"), HTTP_HOST="evil.example")
    assert "https://register.example.org/data/" in page.context["citation"]


def test_leftovers_of_a_killed_build_are_removed(register, bulk_dir):
    bulk_dir.mkdir(parents=True)
    leftover = bulk_dir / ".build-killed"
    leftover.mkdir()
    (leftover / "registry.json").write_text("{")
    bulk.build()
    assert not leftover.exists()


def test_a_build_replaces_the_pointer_atomically(register, bulk_dir, monkeypatch):
    """A build that fails half-way leaves the previous build served."""
    first, _ = bulk.build()
    DeploymentFactory()

    def fail(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(bulk, "write_zip", fail)
    with pytest.raises(RuntimeError):
        bulk.build()
    assert bulk.latest().folder == first.folder
    assert not list(bulk_dir.glob(".build-*"))


def test_retracting_a_record_removes_it_from_the_bulk_files(client, register):
    bulk.build()
    register.state = choices.State.RETRACTED
    register.save()
    bulk.build()
    csvs = zip_csvs(client)
    assert csvs["deployments.csv"][1:] == []


def test_build_bulk_data_command_builds_ahead_of_time(register, bulk_dir):
    out = io.StringIO()
    call_command("build_bulk_data", "--base-url", "https://register.example.org", stdout=out)
    assert "Bulk data generated" in out.getvalue()
    (folder,) = [p for p in bulk_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
    with zipfile.ZipFile(folder / bulk.ZIP_NAME) as archive:
        text = archive.read("deployments.csv").decode("utf-8-sig")
    assert f"https://register.example.org{register.get_absolute_url()}" in text
    out = io.StringIO()
    call_command("build_bulk_data", "--base-url", "https://register.example.org", stdout=out)
    assert "up to date" in out.getvalue()
