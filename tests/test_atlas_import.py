"""
Importing the Atlas of Surveillance (registry/importers/atlas.py).

tests/fixtures/atlas/sample.csv holds 20 real rows copied byte for byte from the
project's copy of the Atlas (data/atlas-of-surveillance/, CC BY 4.0): three of
other technologies, and face recognition rows chosen for their cases (Detroit
and Los Angeles County already in the register, a non-URL link, CBP airports, a
row naming two vendors, a repeated AOSNUMBER, rows naming no vendor).
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import choices
from registry.importers import atlas, reconcile
from registry.models import Agency, Deployment, Source, System, Vendor
from registry.search import deferred_indexing
from tests.factories import AgencyFactory, DeploymentFactory, SystemFactory, VendorFactory

FIXTURES = Path(__file__).parent / "fixtures" / "atlas"
SAMPLE = FIXTURES / "sample.csv"
FULL = Path(settings.BASE_DIR) / "data" / "atlas-of-surveillance" / (
    "atlas-of-surveillance-2020-10-07.csv")  # fmt: skip


def rows():
    return atlas.read_atlas(SAMPLE.read_bytes())


def row(aos):
    return next(r for r in rows() if r.aos == aos)


def run(**options):
    return atlas.import_atlas(rows(), filename="sample.csv", **options)


def history_count():
    return sum(m.history.count() for m in (Agency, Deployment, Source, System, Vendor))


def stand_ins():
    """What the seed already holds for agencies in the sample (synthetic stand-ins)."""
    with deferred_indexing():
        idemia = VendorFactory(slug="idemia", name="IDEMIA")
        dataworks = VendorFactory(slug="dataworks-plus", name="DataWorks Plus")
        face_watch = SystemFactory(slug="dataworks-face-watch", vendor=dataworks)
        detroit = AgencyFactory(slug="detroit-police-department", name="Detroit Police Department",
                                region="US-MI", locality="Detroit", acronym="DPD")  # fmt: skip
        cbp = AgencyFactory(slug="us-cbp", name="U.S. Customs and Border Protection",
                            acronym="CBP", kind=choices.AgencyKind.BORDER_IMMIGRATION,
                            level=choices.Level.NATIONAL, region="", locality="")  # fmt: skip
        DeploymentFactory(slug="cbp-tvs", agency=cbp)
        detroit_fr = DeploymentFactory(
            slug="detroit-police-dataworks-plus", agency=detroit, system=face_watch,
            uses=[choices.Use.RETROSPECTIVE],
        )  # fmt: skip
    return {"idemia": idemia, "dataworks": dataworks, "detroit": detroit, "cbp": cbp,
            "detroit_fr": detroit_fr}  # fmt: skip


@pytest.fixture
def register(db):
    return stand_ins()


class SampleImportedOnce:
    """
    Base of the classes whose tests only look at what importing the sample over
    the stand-ins gave: built and imported once per class (``publish`` or not).
    """

    publish = False

    @pytest.fixture(scope="class")
    @classmethod
    def register(cls, class_db):
        return stand_ins()

    @pytest.fixture(scope="class")
    @classmethod
    def imported(cls, register):
        return run(publish=cls.publish)


# -- Reading -------------------------------------------------------------------------


def test_the_sample_is_read_row_by_row():
    read = rows()
    assert len(read) == 20
    assert read[0].number == 2
    assert row("AOS0137").get("Agency") == "Detroit Police Department"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"", "empty"),
        (b'"AOSNUMBER","City"\n"AOS0001","X"\n', "header lacks"),
    ],
)
def test_a_file_that_is_not_an_atlas_csv_is_refused(data, message):
    with pytest.raises(atlas.AtlasError, match=message):
        atlas.read_atlas(data)


def test_a_truncated_row_is_refused_with_its_row_number():
    lines = SAMPLE.read_bytes().split(b"\n")
    broken = b"\n".join([*lines[:5], lines[5][:60]])
    with pytest.raises(atlas.AtlasError, match=r"Row 6: .*(fields|CSV)"):
        atlas.read_atlas(broken)


@pytest.mark.django_db
def test_a_malformed_file_writes_nothing(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace('"AOS0137"', '"137"')
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was written.*AOSNUMBER “137”"):
        call_command("import_atlas", str(bad))
    assert history_count() == 0
    assert not Source.objects.exists()


# -- One row in register words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("7/31/2020", "2020-07-31"),
        ("08/08/2019", "2019-08-08"),
        ("6/10/13", "2013-06-10"),
        ("2016", "2016"),
        (" 3/12/2020 ", "2020-03-12"),
        ("", None),
        ("31/31/2020", None),
    ],
)
def test_link_dates_are_read_at_the_precision_given(text, iso):
    from registry import dates

    assert dates.to_iso(*atlas.parse_link_date(text)) == iso


def test_kinds_levels_and_localities_follow_the_tables():
    dmv = atlas.plan(row("AOS5413"))
    assert (dmv.kind, dmv.level, dmv.region, dmv.locality) == (
        "motor_vehicles",
        "regional",
        "US-NY",
        "",
    )
    sheriff = atlas.plan(row("AOS0142"))
    assert (sheriff.kind, sheriff.level, sheriff.locality) == (
        "sheriff",
        "local",
        "Los Angeles County",
    )
    city = atlas.plan(row("AOS0137"))
    assert (city.kind, city.level, city.locality) == ("police", "local", "Detroit")
    airport = atlas.plan(row("AOS0243"))
    assert (airport.name, airport.site, airport.region, airport.level) == (
        "U.S. Customs and Border Protection", "Hartsfield-Jackson Atlanta International Airport",
        "", "national")  # fmt: skip


def test_vendors_are_split_and_links_that_are_not_urls_are_set_aside():
    assert atlas.plan(row("AOS3197")).vendors == ("Idemia", "Dataworks Plus")
    assert atlas.split_vendors("Vigilant Solutions, Dataworks") == (
        "Vigilant Solutions",
        "DataWorks Plus",
    )
    placer = atlas.plan(row("AOS0163"))
    assert [link.n for link in placer.links] == [1]
    assert placer.not_urls == ((2, "County of Placer"),)
    assert str(placer.last_reported[0]) == "2018-02-06"


# -- Writing -------------------------------------------------------------------------


@pytest.mark.django_db
class TestTheSampleAsDrafts(SampleImportedOnce):
    def test_the_summary_counts_every_row_and_names_every_decision(self, imported, register):
        summary = imported
        lines = summary.lines()
        text = "\n".join(lines)
        assert summary.rows_read == 20
        assert summary.selected == 17
        assert summary.skipped_count == 4
        assert "  1 rows: technology “Body-worn Cameras”, not face recognition" in text
        assert "repeats AOS5547" in text
        assert "AOS0137: deployment matched detroit-police-dataworks-plus by vendor" in text
        assert "AOS0163 Link 2: “County of Placer”" in text
        assert "Created: 17" in text and "Updated: 1" in text

    def test_records_are_drafts_unless_published(self, imported, register):
        created = Deployment.objects.exclude(slug__in=["detroit-police-dataworks-plus", "cbp-tvs"])
        assert set(created.values_list("state", flat=True)) == {choices.State.DRAFT}
        assert Deployment.objects.get(slug="detroit-police-dataworks-plus").state == "published"

    def test_a_deployment_the_register_has_gains_the_rows_sources_and_keeps_its_values(
        self, imported, register
    ):
        detroit = Deployment.objects.get(slug="detroit-police-dataworks-plus")
        assert detroit.status == choices.DeploymentStatus.ACTIVE  # curated, kept
        assert detroit.uses == [choices.Use.RETROSPECTIVE]
        assert detroit.reported_by == "the Atlas of Surveillance"
        slugs = set(detroit.sources.values_list("slug", flat=True))
        assert "atlas-of-surveillance-aos0137" in slugs
        assert Source.objects.filter(url__contains="metrotimes.com").count() == 1
        assert Deployment.objects.filter(agency=register["detroit"]).count() == 1
        assert Agency.objects.filter(name__icontains="Detroit Police").count() == 1

    def test_cbp_airports_are_one_agency_with_a_deployment_per_airport(self, imported, register):
        assert not Agency.objects.filter(name__contains="Airport").exists()
        airports = Deployment.objects.filter(agency=register["cbp"]).exclude(slug="cbp-tvs")
        assert sorted(airports.values_list("slug", flat=True)) == [
            "us-cbp-chicago-ohare-international-airport",
            "us-cbp-hartsfield-jackson-atlanta-international-airport",
        ]
        atlanta = airports.get(slug__contains="atlanta")
        assert (
            "Hartsfield-Jackson Atlanta International Airport (Atlanta, GA)" in atlanta.description
        )
        assert atlanta.system is None
        assert atlanta.site == "Hartsfield-Jackson Atlanta International Airport"

    def test_a_reported_deployment_invents_no_start_date_nor_use(self, imported, register):
        dmv = Deployment.objects.get(agency__name="New York Department of Motor Vehicles")
        assert dmv.agency.kind == choices.AgencyKind.MOTOR_VEHICLES
        assert dmv.status == choices.DeploymentStatus.REPORTED
        assert dmv.started is None and dmv.uses == []
        assert (str(dmv.last_reported), dmv.last_reported_precision) == ("2020-03-19", "day")

    def test_two_vendors_give_two_deployments_matched_to_the_vendors_the_register_has(
        self, imported, register
    ):
        nypd = Deployment.objects.filter(agency__name="New York Police Department")
        vendors = sorted(nypd.values_list("system__vendor__slug", flat=True))
        assert vendors == ["dataworks-plus", "idemia"]
        assert Vendor.objects.filter(name__iexact="idemia").count() == 1
        system = nypd.get(system__vendor__slug="idemia").system
        assert system.name == "IDEMIA face recognition (product not named)"

    def test_sources_keep_publisher_and_date_and_the_row_is_a_dataset_source(
        self, imported, register
    ):
        link = Source.objects.get(url__contains="muckrock.com/foi/detroit-314")
        assert (link.publisher, str(link.published), link.published_precision) == (
            "MuckRock",
            "2019-08-08",
            "day",
        )
        row_source = Source.objects.get(slug="atlas-of-surveillance-aos0137")
        assert row_source.kind == choices.SourceKind.DATASET
        assert "CC BY 4.0" in row_source.title
        assert row_source.excerpt.startswith("In 2017, the Detroit Police Department signed")
        assert not Source.objects.filter(url="County of Placer").exists()

    def test_a_report_several_records_cite_is_one_source_that_says_how_many(
        self, imported, register
    ):
        """Not titled after the first agency citing it, as if it were about that one alone."""
        report = Source.objects.get(url__contains="orlandosentinel.com")
        assert report.title == (
            "Orlando Sentinel, 12 July 2019: report cited by the Atlas of Surveillance "
            "in 2 of its records"
        )
        assert sorted(report.deployments.values_list("agency__name", flat=True)) == [
            "Miami-Dade Police Department",
            "Ocala Police Department",
        ]
        assert Source.objects.get(url__contains="whohasyourface").title.endswith(
            "in 3 of its records"
        )
        # Cited by one record (one row naming two vendors is still one record):
        # the agency and the Atlas's id, as before.
        assert Source.objects.get(url__contains="muckrock.com/foi/detroit-314").title == (
            "MuckRock, 8 August 2019: report cited by the Atlas of Surveillance for "
            "Detroit Police Department (AOS0137)"
        )
        nypd = Source.objects.get(slug="atlas-aos3197-link-1")
        assert nypd.title.endswith("for New York Police Department (AOS3197)")
        assert nypd.deployments.count() == 2


@pytest.mark.django_db
class TestTheSamplePublished(SampleImportedOnce):
    publish = True

    def test_published_with_publish(self, imported, register):
        assert not Deployment.objects.filter(state=choices.State.DRAFT).exists()

    def test_the_deployment_page_credits_the_atlas_and_quotes_its_summary(
        self, imported, register, client
    ):
        dmv = Deployment.objects.get(agency__name="New York Department of Motor Vehicles")
        html = client.get(dmv.get_absolute_url()).content.decode()
        assert 'Reported up to <time datetime="2020-03-19">19 March 2020</time> by' in html
        assert "Atlas of Surveillance" in html and "CC BY 4.0" in html
        quote = row("AOS5413").get("Summary")
        assert (
            f'<blockquote cite="https://atlasofsurveillance.org/"><p>{quote}</p></blockquote>'
            in (html.replace("&#x27;", "'"))
        )
        assert "the source's words, not the register's" in html.replace("&#x27;", "'")


def test_cbp_airports_are_not_probable_duplicates_of_each_other(register, client):
    run(publish=True)
    groups = reconcile.probable_duplicate_deployments(Deployment.objects.published())
    assert not [g for g in groups if any(d.agency_id == register["cbp"].pk for d in g)]
    # Two rows at one airport would be one use recorded twice.
    ohare = Deployment.objects.get(slug="us-cbp-chicago-ohare-international-airport")
    DeploymentFactory(slug="synthetic-cbp-ohare-again", agency=register["cbp"], system=None,
                      site=ohare.site, state=choices.State.PUBLISHED)  # fmt: skip
    groups = reconcile.probable_duplicate_deployments(Deployment.objects.published())
    assert [sorted(d.slug for d in g) for g in groups if register["cbp"] == g[0].agency] == [
        ["synthetic-cbp-ohare-again", "us-cbp-chicago-ohare-international-airport"]
    ]
    page = client.get(ohare.get_absolute_url()).content.decode()
    assert "<dt>Where</dt><dd>Chicago O&#x27;Hare International Airport</dd>" in page


def test_reimporting_changes_nothing_and_reads_in_a_constant_number_of_queries(register):
    run(publish=True)
    before = history_count()
    with CaptureQueriesContext(connection) as queries:
        summary = run(publish=True)
    assert history_count() == before
    assert summary.created == [] and summary.updated == []
    assert len(summary.unchanged) == 18
    assert len(queries) <= 18  # 16 before main's set-based audit-status refresh (781144a)


def test_a_title_the_importer_wrote_is_brought_up_to_date_and_a_maintainers_is_kept(register):
    run(publish=True)
    report = Source.objects.get(url__contains="orlandosentinel.com")
    # As an earlier import titled it: after the first record citing it.
    Source.objects.filter(pk=report.pk).update(
        title="Orlando Sentinel, 12 July 2019: report cited by the Atlas of Surveillance "
        "for Miami-Dade Police Department (AOS3583)"
    )
    rewritten = Source.objects.get(url__contains="whohasyourface")
    Source.objects.filter(pk=rewritten.pk).update(title="Who Has Your Face? (EFF resources)")
    versions = report.history.count()

    summary = run(publish=True)

    report.refresh_from_db()
    rewritten.refresh_from_db()
    assert report.title.endswith("report cited by the Atlas of Surveillance in 2 of its records")
    assert report.history.count() == versions + 1
    assert report.history.first().history_change_reason == "import_atlas: sample.csv"
    assert rewritten.title == "Who Has Your Face? (EFF resources)"
    assert "Records: 1 updated source" in str(summary)


def test_a_dry_run_writes_nothing(register):
    before = history_count()
    summary = run(dry_run=True)
    assert summary.dry_run and len(summary.created) == 17
    assert history_count() == before
    assert not Source.objects.filter(slug__startswith="atlas-").exists()


@pytest.mark.django_db
def test_the_whole_file_reads_369_face_recognition_rows():
    read = atlas.read_atlas(FULL.read_bytes())
    assert len(read) == 5784
    assert sum(r.get("Technology") == "Face Recognition" for r in read) == 369


@pytest.mark.django_db
def test_data_methodology_and_exports_credit_the_atlas_under_its_licence(client):
    from django.urls import reverse

    for name in ("registry:data", "registry:methodology"):
        html = client.get(reverse(name)).content.decode()
        assert "Atlas of Surveillance, Electronic Frontier Foundation and the University" in html
        assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html, name
    exported = client.get(reverse("registry:deployment-list"), {"format": "json"})
    meta = json.loads(b"".join(exported.streaming_content))["meta"]
    assert meta["third_party_data"][0]["licence_url"].endswith("/licenses/by/4.0/")


def test_a_record_the_register_would_refuse_stops_the_import_and_writes_nothing(register, tmp_path):
    long_name = "Synthetic " + "Very " * 60 + "Long Police Department"  # over 300 characters
    text = SAMPLE.read_text(encoding="utf-8").replace("Miami-Dade Police Department", long_name)
    bad = tmp_path / "long.csv"
    bad.write_text(text, encoding="utf-8")
    before = history_count()
    with pytest.raises(CommandError, match="nothing was written.*at most 300 characters"):
        call_command("import_atlas", str(bad))
    assert history_count() == before


# -- The admin's import page ------------------------------------------------------------


def test_the_admin_import_page_serves_the_atlas_dry_run_then_confirm(
    register, client, django_user_model
):
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    maintainer = django_user_model.objects.create_user("synthetic-maintainer", is_staff=True)
    maintainer.user_permissions.add(Permission.objects.get(codename="add_deployment"))
    client.force_login(maintainer)
    url = reverse("atlas-import")
    bad = client.post(url, {"file": SimpleUploadedFile("x.csv", b"name\nSynthetic\n")})
    assert "Nothing was imported." in bad.text
    before = Deployment.objects.count()
    preview = client.post(url, {"file": SimpleUploadedFile("sample.csv", SAMPLE.read_bytes())})
    assert "Dry run: nothing has been written yet." in preview.text
    assert "AOS0163 Link 2: “County of Placer”" in preview.text
    assert Deployment.objects.count() == before
    done = client.post(url, {"confirm": "1", "token": preview.context["token"]})
    assert "Imported" in done.text
    assert Deployment.objects.filter(slug="us-cbp-chicago-ohare-international-airport",
                                     state=choices.State.DRAFT).exists()  # fmt: skip


def test_a_link_too_long_to_store_whole_is_set_aside_and_reported_never_cut(register):
    """A shortened address would cite a page the Atlas did not: the link is not stored."""
    long_url = "https://example.org/report?" + "x" * 2100
    rows_ = rows()
    placer = next(r for r in rows_ if r.aos == "AOS0163")
    placer.values["Link 1"] = long_url
    plan = atlas.plan(placer)
    assert plan.links == ()
    assert plan.not_urls[0] == (1, long_url)
    text = "\n".join(atlas.import_atlas(rows_, filename="sample.csv").lines())
    assert "AOS0163 Link 1: “https://example.org/report?xxx" in text
    assert "(longer than the 2,000 characters a URL may have)" in text
    assert not Source.objects.filter(url__startswith="https://example.org/report?").exists()
