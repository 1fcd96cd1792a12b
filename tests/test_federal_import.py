"""
Importing the US federal AI use case inventories.

The fixtures in tests/fixtures/federal/ are real rows copied byte for byte from
the 2024 and 2025 inventories (public domain); the full files are in
data/us-federal-ai-inventory/ and are parsed once per test session (``full``).
The seed and both full inventories imported in either order are checked in
test_real_counts.py, which loads them once for all its tests.
"""

import functools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import choices
from registry.importers import federal
from registry.models import Agency, Audit, Deployment, Source, System, Vendor
from tests.factories import AgencyFactory, DeploymentFactory, SourceFactory

FIXTURES = Path(__file__).parent / "fixtures" / "federal"
FULL = Path(settings.BASE_DIR) / "data" / "us-federal-ai-inventory"
FULL_2024 = FULL / "2024_consolidated_ai_use_cases.csv"
FULL_2025 = FULL / "2025_individually_reported_AI_use_cases.csv"


@functools.cache
def full(year):
    """A whole real inventory, parsed once (UseCase and Inventory are read-only)."""
    path = FULL_2024 if year == 2024 else FULL_2025
    return federal.read_inventory(path.read_bytes(), filename=path.name)


def sample(year) -> bytes:
    return (FIXTURES / f"{year}_sample.csv").read_bytes()


def read(year):
    return federal.read_inventory(sample(year), filename=f"{year}_sample.csv")


def row(year, key):
    """One real row of a fixture, by use case id or by name."""
    for use_case in read(year).use_cases:
        if key in (use_case.use_case_id, use_case.name):
            return use_case
    raise LookupError(key)


def run(year, **options):
    return federal.import_inventory(read(year), filename=f"{year}_sample.csv", **options)


def history_count():
    return sum(m.history.count() for m in (Agency, Audit, Deployment, Source, System, Vendor))


# -- Layout detection -----------------------------------------------------------------


def test_the_2025_layout_is_recognised_from_its_header():
    inventory = read(2025)
    assert inventory.layout is federal.LAYOUT_2025
    assert inventory.rows_read == 22
    assert inventory.use_cases[0].use_case_id == "DHS-2729"


def test_the_2024_layout_is_recognised_despite_its_byte_order_mark():
    assert sample(2024).startswith(b"\xef\xbb\xbf")
    inventory = read(2024)
    assert inventory.layout is federal.LAYOUT_2024
    assert inventory.use_cases[0].name == "Non-Intrusive Inspection (NII) 3D Imaging Tool"


def test_the_year_comes_from_the_file_name_when_there_is_one():
    assert federal.read_inventory(sample(2025), filename="2026_inventory.csv").year_hint == 2026


def test_an_unknown_layout_is_refused_clearly():
    with pytest.raises(federal.InventoryError, match="not a federal AI use case inventory layout"):
        federal.read_inventory(b"name,agency,stage\nSynthetic Use Case 00001,X,Deployed\n")


def test_a_header_missing_columns_names_the_missing_ones():
    header, rest = sample(2025).split(b"\n", 1)
    broken = header.replace(b"hi_testing_conducted,", b"") + b"\n"
    with pytest.raises(federal.InventoryError, match="lacks the column.*hi_testing_conducted"):
        federal.read_inventory(broken)


# -- The selection rule, on real rows ---------------------------------------------------


@pytest.mark.parametrize(
    ("year", "key", "why"),
    [
        (2025, "DHS-2457", "Facial Recognition"),  # ICE, vendor withheld
        (2025, "DHS-2731", "facial comparison"),  # CBP Mobile Fortify
        (2025, "DHS-327", "facial matching"),  # TSA CAT-2
        (2025, "DHS-2412", "facial biometric"),  # CBP TVS
        (2025, "DOJ-0226", "Facial Recognition"),  # Marshals, Clearview AI
        (2025, "DOJ-0234", "Rank One"),  # a face recognition vendor, no word "face"
        (2025, "DOJ-0327", "index faces"),  # Rekognition to find duplicate records
        (2025, "DHS-414", "Face Capture"),  # face capture for biometric verification
        (2024, "Biometric Check-in for ATD-ISAP (SmartLINK)", "biometric match of photographs"),
        (2024, "Criminal Investigations (OBIM)", "facial images"),
        (2024, "PreCheck Touchless Identity Solution (TIS)", "Facial Comparison"),
    ],
)
def test_face_recognition_use_cases_are_selected(year, key, why):
    decision = federal.classify(row(year, key))
    assert decision.selected
    assert why in decision.reason


@pytest.mark.parametrize(
    ("year", "key", "why"),
    [
        (2025, "DHS-2511", "redacts or blurs faces"),
        (2025, "DOJ-0225", "redacts or blurs faces"),
        (2025, "DHS-2759", "does not do face recognition"),
        (2025, "DHS-189", "not face recognition"),  # face detection for photo quality
        (2025, "DOJ-0135", "names “Next Generation Identification”"),  # FBI NGI, no face words
        (2025, "VA-24-5263", "not about face recognition"),  # craniofacial navigation
        (2025, "NASA-18", "not about face recognition"),
        (2024, "Facial Recognition Unlock", "device's own Face ID"),
        (2024, "Enable Face ID to unlock M365 apps on Government iPhone and iPad", "Face ID"),
        (2024, "Deepfake Detector", "detects deepfakes"),
        (2024, "Redaction Studio - Redaction Assistant", "redacts or blurs faces"),
    ],
)
def test_use_cases_that_only_mention_faces_are_left_out(year, key, why):
    decision = federal.classify(row(year, key))
    assert not decision.selected
    assert why in decision.reason


def full_row(year, key):
    """One row of a whole real inventory, by use case id or by name."""
    for use_case in full(year).use_cases:
        if key in (use_case.use_case_id, use_case.name):
            return use_case
    raise LookupError(key)


@pytest.mark.parametrize(
    ("year", "key", "why"),
    [
        # Passport photo quality checks with a face product: no face is matched.
        (2024, "Consular Affairs Photo Quality Service (PQS) / FaceVACS", "quality"),
        (2025, "Consular Affairs FaceVACS", "quality"),
        # Generative AI document review that lists face recognition among its outputs.
        (2025, "DOJ-0310", "only among its outputs"),
        (2025, "DOJ-0313", "only among its outputs"),
        # Known gaps: a product that can match faces, rows that do not say they do.
        (2025, "Digital Identity Verification Services", "names “ID.me”, which can match faces"),
        (2025, "DOJ-0135", "left out for review"),
        (2025, "Unaccompanied Child Sponsor Identity Verification", "not about face recognition"),
    ],
)
def test_rows_that_are_not_face_recognition_are_left_out(year, key, why):
    """Also the known gaps of a words-only rule, each listed for review (see methodology)."""
    decision = federal.classify(full_row(year, key))
    assert not decision.selected
    assert why in decision.reason


@pytest.mark.parametrize(
    ("year", "key", "uses"),
    [
        # CBP One / CBP Link: "real-time identity verification" in an app is a 1:1 check,
        # not live surveillance.
        (2025, "DHS-2619", ["verification"]),
        # The Border Patrol Clearview pilot: "validation" of leads is not a 1:1 check.
        (2025, "DHS-2729", ["retrospective"]),
        # Vetting travellers against derogatory records is a 1:N search.
        (2025, "DHS-2416", ["retrospective"]),
        (2024, "Traveler Identity Verification Services (Vetting)", ["retrospective"]),
    ],
)
def test_uses_come_only_from_words_that_say_them(year, key, uses):
    planned = federal.plan(full_row(year, key), year=year)
    assert planned.uses == uses
    # The page says the uses are the register's reading, and from which words.
    assert "Uses inferred by the register from the inventory's words" in planned.description()


def test_a_row_that_does_not_say_how_faces_are_matched_has_no_use():
    planned = federal.plan(full_row(2025, "DHS-365"), year=2025)  # the consular FR report
    assert planned.uses == []
    assert "does not say how faces are matched" in planned.description()


@pytest.mark.parametrize(
    ("year", "key", "named"),
    [
        (2025, "DHS-2669", "TECS Mod"),  # Land Border Integration, vendor Rekor
        (2025, "AI-Powered Video Analytics for Law Enforcement", "Digital Acquisition"),  # FDA
        (2025, "DHS-413", "Customer Profile Management System"),  # USCIS, Pluribus Digital
    ],
)
def test_a_system_record_only_for_a_named_face_recognition_product(year, key, named):
    planned = federal.plan(full_row(year, key), year=year)
    assert planned.system is None
    assert named in planned.description()
    assert "does not record that as a face recognition system" in planned.description()


def test_a_department_code_alias_reaches_its_components():
    """``DOS`` and ``STATE`` are one department: CA/CST is the Bureau of Consular Affairs."""
    use_case = full_row(2024, "Consular Affairs Photo Quality Service (PQS) / FaceVACS")
    for code in ("STATE", "DOS"):
        values = {**use_case.values, "3_abr": code}
        planned = federal.plan(federal.UseCase(use_case.row, use_case.layout, values), year=2024)
        assert planned.agency.slug == "us-state-consular-affairs"


def test_the_audit_never_repeats_where_the_testing_took_place():
    planned = federal.plan(full_row(2024, "Traveler Identity Verification Services (Vetting)"),
                           year=2024)  # fmt: skip
    summary = planned.audit_summary()
    assert "performance evaluation in operational environment" in summary
    assert "environment in an operational environment" not in summary


def reviewed_list(year):
    lines = (FIXTURES / f"selected_{year}.txt").read_text().splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("year", [2024, 2025])
def test_the_rule_selects_exactly_the_hand_reviewed_use_cases_of_each_full_file(year):
    inventory = full(year)
    selected = [
        (
            uc.use_case_id or f"row {uc.row}",
            uc.get("department_acronym"),
            " ".join(uc.get("bureau").split()),
            uc.name,
        )
        for uc in inventory.use_cases
        if federal.classify(uc).selected
    ]
    assert selected == reviewed_list(year)


# -- Mapping ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_components_are_children_of_their_department_and_existing_agencies_are_reused():
    dhs = AgencyFactory(
        slug="synthetic-dhs", name="Department of Homeland Security", acronym="DHS",
        kind="other", level="national", region="", locality="",
    )  # fmt: skip
    cbp = AgencyFactory(
        slug="synthetic-cbp", name="Customs and Border Protection", acronym="CBP", parent=dhs,
        kind="border_immigration", level="national", region="", locality="",
    )  # fmt: skip
    run(2025)
    fortify = Deployment.objects.get(inventory_id="DHS-2731")
    assert fortify.agency == cbp
    ice = Agency.objects.get(acronym="ICE")
    assert (ice.name, ice.slug, ice.parent, ice.kind) == (
        "U.S. Immigration and Customs Enforcement", "us-ice", dhs, "border_immigration"
    )  # fmt: skip
    assert Agency.objects.filter(acronym="DHS").count() == 1
    assert Agency.objects.filter(acronym="CBP").count() == 1
    fbi = Deployment.objects.get(inventory_id="DOJ-0122").agency
    assert (fbi.name, fbi.parent.name) == ("Federal Bureau of Investigation",
                                           "U.S. Department of Justice")  # fmt: skip


@pytest.mark.django_db
class TestThe2025SampleImported:
    """Tests that only look at what importing the 2025 sample gave: imported once for the class."""

    @pytest.fixture(scope="class")
    @classmethod
    def imported(cls, class_db):
        return run(2025)

    def test_a_named_vendor_and_system_are_linked(self, imported):
        fortify = Deployment.objects.select_related("system__vendor").get(inventory_id="DHS-2731")
        assert fortify.system.name == "Mobile Fortify"
        assert fortify.system.vendor.name == "NEC Corporation"
        clearview = Deployment.objects.get(inventory_id="DOJ-0226")
        assert clearview.system.vendor.name == "Clearview AI"

    def test_law_enforcement_sensitive_means_the_vendor_is_unknown(self, imported):
        ice = Deployment.objects.get(inventory_id="DHS-2457")
        assert ice.system is None
        assert "withholds the vendor" in ice.description
        assert not Vendor.objects.filter(name__icontains="sensitive").exists()
        assert not System.objects.filter(name__icontains="sensitive").exists()

    def test_the_stage_gives_the_status_and_pre_deployment_use_cases_are_planned(self, imported):
        summary = imported
        statuses = dict(Deployment.objects.values_list("inventory_id", "status"))
        assert statuses["DHS-2729"] == choices.DeploymentStatus.PILOT
        assert statuses["DHS-2731"] == choices.DeploymentStatus.ACTIVE
        assert statuses["DHS-414"] == choices.DeploymentStatus.ENDED
        # USMS "AWS Rekognition", stage "Pre-deployment": planned, with no start date invented.
        rekognition = Deployment.objects.get(inventory_id="DOJ-0327")
        assert rekognition.status == choices.DeploymentStatus.PLANNED
        assert rekognition.started is None
        assert [label for label in summary.planned if label.startswith("DOJ-0327")]
        assert "Planned (not in use yet): 1" in str(summary)

    def test_uses_and_start_date_come_from_the_row(self, imported):
        fortify = Deployment.objects.get(inventory_id="DHS-2731")
        assert fortify.uses == [choices.Use.VERIFICATION, choices.Use.MOBILE]
        ice = Deployment.objects.get(inventory_id="DHS-2457")
        assert ice.uses == [choices.Use.RETROSPECTIVE]
        marshals = Deployment.objects.get(inventory_id="DOJ-0226")
        assert str(marshals.partial_date("started")) == "January 2022"  # "01/2022": month only

    def test_the_agency_declaration_becomes_an_agency_audit_in_plain_words(self, imported):
        audit = Audit.objects.get(inventory_id="DHS-2457")
        assert audit.auditor_kind == choices.AuditorKind.AGENCY
        assert audit.auditor == "U.S. Immigration and Customs Enforcement"
        assert audit.deployment.inventory_id == "DHS-2457"
        assert audit.finding == choices.Finding.NOT_REPORTED
        assert "pre-deployment testing: conducted" in audit.summary
        assert "AI impact assessment: completed" in audit.summary
        assert "Chief AI Officer (CAIO)" in audit.summary
        assert "not an independent audit" in audit.summary
        assert "Ongoing monitoring: established" in audit.summary
        assert "confidence score threshold" in audit.summary  # the agency's own words

    def test_no_audit_claims_testing_the_agency_did_not_declare(self, imported):
        assert not Audit.objects.filter(inventory_id="DOJ-0122").exists()
        fbi = Deployment.objects.get(inventory_id="DOJ-0122")
        assert "pre-deployment testing as in progress" in fbi.description
        assert not Audit.objects.filter(inventory_id="DHS-414").exists()

    def test_every_created_record_cites_the_inventory_with_year_and_use_case_id(self, imported):
        source = Source.objects.get(slug="federal-ai-inventory-2025")
        assert source.title == "Federal Agency AI Use Case Inventory, 2025"
        assert source.kind == choices.SourceKind.DATASET
        for model in (Agency, Vendor, System, Deployment, Audit):
            for record in model.objects.all():
                assert list(record.sources.all()) == [source], record
        ice = Deployment.objects.get(inventory_id="DHS-2457")
        assert "Use case DHS-2457 in the 2025 federal AI use case inventory" in ice.description
        login = Deployment.objects.get(agency__acronym="TTS")  # the crosswalk keeps it at TTS
        assert login.inventory_id == ""
        login_row = next(uc.row for uc in read(2025).use_cases if uc.name.startswith("Login.gov"))
        assert f"no use case id; row {login_row}" in login.description


@pytest.mark.django_db
def test_a_caio_review_never_lifts_the_audit_status_above_tested():
    run(2025, publish=True)
    ice = Deployment.objects.get(inventory_id="DHS-2457")
    assert ice.audit_status == choices.AuditStatus.TESTED


@pytest.mark.django_db
def test_an_existing_source_for_the_year_is_reused():
    seed = SourceFactory(slug="federal-ai-inventory-2025", title="Seed title, kept")
    run(2025)
    assert Source.objects.count() == 1
    assert Deployment.objects.get(inventory_id="DHS-2457").sources.get() == seed


@pytest.mark.django_db
def test_a_curated_deployment_naming_the_use_case_id_is_linked_not_duplicated():
    curated = DeploymentFactory(
        slug="synthetic-curated-tvs",
        status=choices.DeploymentStatus.ACTIVE,
        description="Synthetic curated text citing inventory ID DHS-2412.",
    )
    summary = run(2025)
    curated.refresh_from_db()
    assert curated.description == "Synthetic curated text citing inventory ID DHS-2412."
    assert curated.inventory_id == ""
    assert not Deployment.objects.filter(inventory_id="DHS-2412").exists()
    assert Audit.objects.get(inventory_id="DHS-2412").deployment == curated
    # Linked: the inventory is added to its sources, its curated fields are kept.
    assert curated.sources.filter(slug="federal-ai-inventory-2025").exists()
    linked = [entry for entry in summary.updated if entry[1] == "synthetic-curated-tvs"]
    assert linked and "sources" in linked[0][2]


# -- Drafts, idempotence, updates -------------------------------------------------------


@pytest.mark.django_db
def test_imported_records_are_drafts_the_public_cannot_see(client):
    run(2025)
    assert Deployment.objects.exists()
    assert not Deployment.objects.published().exists()
    assert not Audit.objects.published().exists()
    assert not Agency.objects.published().exists()
    ice = Deployment.objects.get(inventory_id="DHS-2457")
    assert client.get(ice.get_absolute_url()).status_code == 404
    assert ice.slug not in client.get(reverse("registry:deployment-list")).text


@pytest.mark.django_db
def test_publish_puts_the_records_on_the_public_site(client):
    run(2025, publish=True)
    ice = Deployment.objects.get(inventory_id="DHS-2457")
    assert ice.state == choices.State.PUBLISHED
    assert client.get(ice.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing():
    first = run(2025)
    before = history_count()
    second = run(2025)
    assert len(first.created) == 15
    assert second.created == [] and second.updated == []
    assert len(second.unchanged) == len(first.created) + len(first.updated) + len(first.unchanged)
    assert history_count() == before


@pytest.mark.django_db
def test_a_dry_run_reports_but_writes_nothing():
    summary = run(2025, dry_run=True)
    assert len(summary.created) == 15
    assert not Deployment.objects.exists()
    assert not Source.objects.exists()
    assert "Dry run, nothing written." in str(summary)


@pytest.mark.django_db
def test_the_next_years_inventory_updates_the_same_deployments_with_history():
    run(2024)
    usss = Deployment.objects.get(agency__acronym="USSS")
    # The 2024 file has no use case ids: the crosswalk checked by hand gives the 2025 one.
    assert usss.inventory_id == "DHS-415"
    assert "The register pairs it with use case DHS-415 of the 2025 inventory" in (usss.description)
    summary = run(2025)
    usss_after = Deployment.objects.get(pk=usss.pk)
    assert usss_after.inventory_id == "DHS-415"
    assert "2025 federal AI use case inventory" in usss_after.description
    assert {s.slug for s in usss_after.sources.all()} == {
        "federal-ai-inventory-2024", "federal-ai-inventory-2025"
    }  # fmt: skip
    reasons = [h.history_change_reason for h in usss_after.history.order_by("history_date")]
    assert reasons == [
        "import_federal_inventory: 2024_sample.csv",
        "import_federal_inventory: 2025_sample.csv",
    ]
    assert any(slug == usss.slug for _label, slug, _fields in summary.updated)
    # One audit per inventory year: what the agency declared each time.
    assert usss_after.audits.count() == 2


@pytest.mark.django_db
def test_a_use_case_missing_from_the_newer_inventory_is_reported_not_deleted():
    run(2024)
    check_in = Deployment.objects.get(slug="us-ice-mobile-check-in-application")
    summary = run(2025)
    assert Deployment.objects.filter(pk=check_in.pk).exists()
    assert (check_in.slug, "", 2024) in summary.missing
    assert "Not in the 2025 inventory (reported, not deleted): " in str(summary)


@pytest.mark.django_db
def test_an_older_inventory_never_overwrites_a_newer_one():
    run(2025)
    usss = Deployment.objects.get(inventory_id="DHS-415")
    description = usss.description
    run(2024)
    usss.refresh_from_db()
    assert usss.description == description
    assert usss.sources.filter(slug="federal-ai-inventory-2024").exists()


@pytest.mark.django_db
def test_an_editor_import_leaves_published_records_for_a_reviewer():
    run(2024, publish=True)
    summary = run(2025, change_published=False)
    usss = Deployment.objects.get(agency__acronym="USSS")
    assert "2025 federal AI use case inventory" not in usss.description
    assert any("left for a reviewer" in note for note in summary.notes)


# -- Malformed files write nothing ------------------------------------------------------


def lines_of(year):
    return sample(year).split(b"\n")


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_names_the_row_and_writes_nothing(tmp_path):
    data = sample(2025).replace(b"Mobile Fortify", b"Mobile Fortify \xe9", 1)
    path = tmp_path / "2025_latin1.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match=r"Row 4: The file is not UTF-8"):
        call_command("import_federal_inventory", str(path))
    assert not Deployment.objects.exists() and not Source.objects.exists()


@pytest.mark.django_db
def test_a_truncated_file_names_the_row_and_writes_nothing(tmp_path):
    data = sample(2025)
    cut = data.index(b"Mobile Fortify")  # inside row 4, in an unquoted field
    path = tmp_path / "2025_truncated.csv"
    path.write_bytes(data[:cut])
    with pytest.raises(CommandError, match=r"Row 4: has \d+ fields but the header has 35"):
        call_command("import_federal_inventory", str(path))
    assert not Deployment.objects.exists()


def test_a_file_cut_inside_a_quoted_field_names_the_row():
    data = sample(2025)
    cut = data.index(b"The TVS Biometric matching service")  # inside a quoted field of row 3
    with pytest.raises(federal.InventoryError, match=r"Row 3: is not valid CSV"):
        federal.read_inventory(data[:cut])


@pytest.mark.django_db
def test_missing_columns_write_nothing(tmp_path):
    header, rest = sample(2025).split(b"\n", 1)
    path = tmp_path / "2025_no_vendor.csv"
    path.write_bytes(header.replace(b"vendor_name,", b"") + b"\n" + rest)
    with pytest.raises(CommandError, match="lacks the column.*vendor_name"):
        call_command("import_federal_inventory", str(path))
    assert not Deployment.objects.exists()


# -- The command ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_prints_the_summary(capsys):
    call_command("import_federal_inventory", str(FIXTURES / "2025_sample.csv"))
    out = capsys.readouterr().out
    assert "Rows read: 22" in out
    assert "Selected (face recognition): 15" in out
    assert "Created: 15" in out
    assert "Planned (not in use yet): 1" in out
    assert "DHS-2511 “AI-Assisted Audio/Video Redaction”" in out
    assert re.search(r"^Time: \d+\.\d\d s, \d+ database queries$", out, flags=re.M)


@pytest.mark.django_db
def test_the_command_dry_run_writes_nothing(capsys):
    call_command("import_federal_inventory", str(FIXTURES / "2025_sample.csv"), "--dry-run")
    assert "Dry run, nothing written." in capsys.readouterr().out
    assert not Deployment.objects.exists()


@pytest.mark.django_db
def test_year_option_names_the_source():
    call_command("import_federal_inventory", str(FIXTURES / "2025_sample.csv"), "--year", "2026")
    assert Source.objects.get().slug == "federal-ai-inventory-2026"


# -- The whole 2025 file ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_whole_2025_file_imports_without_a_query_per_row():
    inventory = full(2025)
    with CaptureQueriesContext(connection) as first:
        summary = federal.import_inventory(inventory, filename=FULL_2025.name)
    assert summary.rows_read == 3611
    assert len(summary.selected) == len(reviewed_list(2025))
    # Each saved record costs its history and search-index upkeep; nothing scales with the
    # 3,611 rows read.
    assert len(first) < 60 * len(summary.selected)
    with CaptureQueriesContext(connection) as again:
        repeat = federal.import_inventory(inventory, filename=FULL_2025.name)
    assert repeat.created == [] and repeat.updated == []
    assert len(again) <= 15


# -- The admin --------------------------------------------------------------------------


@pytest.fixture
def maintainer(django_user_model):
    user = django_user_model.objects.create_user("synthetic-maintainer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_deployment"))
    return user


def upload(client, name="2025_sample.csv", data=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = sample(2025) if data is None else data
    return client.post(
        reverse("federal-import"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_import(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("synthetic-staff", is_staff=True))
    assert client.get(reverse("federal-import")).status_code == 403


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("federal-import"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_the_admin_shows_the_dry_run_then_imports_on_confirm(client, maintainer):
    client.force_login(maintainer)
    assert client.get(reverse("federal-import")).status_code == 200
    preview = upload(client)
    assert preview.status_code == 200
    assert "Dry run: nothing has been written yet." in preview.text
    assert "DHS-2457" in preview.text
    assert not Deployment.objects.exists()
    token = preview.context["token"]
    done = client.post(reverse("federal-import"), {"confirm": "1", "token": token})
    assert done.status_code == 200
    assert "Imported" in done.text
    assert Deployment.objects.filter(inventory_id="DHS-2457", state="draft").exists()
    again = client.post(reverse("federal-import"), {"confirm": "1", "token": token})
    assert again.status_code == 302  # the upload was used up


@pytest.mark.django_db
def test_the_admin_refuses_a_malformed_file_and_writes_nothing(client, maintainer):
    client.force_login(maintainer)
    response = upload(client, data=b"name,agency\nSynthetic Use Case 00001,X\n")
    assert response.status_code == 200
    assert "not a federal AI use case inventory layout" in response.text
    assert not Deployment.objects.exists()


@pytest.mark.django_db
def test_only_reviewers_are_offered_to_publish(client, maintainer):
    client.force_login(maintainer)
    assert "publish" not in client.get(reverse("federal-import")).context["form"].fields


# -- Stale records -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_use_case_the_newest_inventory_no_longer_lists_says_so_and_needs_attention(
    client, admin_client
):
    run(2024, publish=True)
    run(2025, publish=True)
    check_in = Deployment.objects.get(slug="us-ice-mobile-check-in-application")
    assert check_in.status == choices.DeploymentStatus.ACTIVE  # as last reported
    page = client.get(check_in.get_absolute_url()).text
    assert "not listed in the 2025 inventory" in page
    listed = Deployment.objects.get(inventory_id="DHS-2457")
    assert "not listed in the" not in client.get(listed.get_absolute_url()).text
    attention = admin_client.get(reverse("admin:registry_needs_attention"))
    (section,) = [s for s in attention.context["sections"] if s.key == "not-in-newest-inventory"]
    listed_there = {obj for group in section.groups for obj, _url in group.rows}
    assert check_in in listed_there and listed not in listed_there
    assert "Use cases the newest federal inventory no longer lists" in attention.text
