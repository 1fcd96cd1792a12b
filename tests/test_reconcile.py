"""
Reconciling incoming rows with the register (registry/importers/reconcile.py):
one real thing is one record, whichever importer meets it first.
"""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import choices
from registry.importers import reconcile
from registry.importers.reconcile import (
    AgencyIndex,
    DeploymentIndex,
    VendorIndex,
    fill,
    initials,
    normalise_name,
)
from registry.search import deferred_indexing
from tests.factories import AgencyFactory, DeploymentFactory, SystemFactory, VendorFactory

PUBLISHED = choices.State.PUBLISHED


def agency(slug, name, *, country="US", region="", locality="", acronym="", parent_id=None,
           state=PUBLISHED):  # fmt: skip
    return SimpleNamespace(slug=slug, name=name, country=country, region=region,
                           locality=locality, acronym=acronym, parent_id=parent_id,
                           state=state)  # fmt: skip


def vendor(slug, name, state=PUBLISHED):
    return SimpleNamespace(slug=slug, name=name, state=state)


def deployment(slug, agency_id, *, system_id=None, vendor_id=None, uses=(), state=PUBLISHED):
    system = SimpleNamespace(vendor_id=vendor_id) if system_id else None
    return SimpleNamespace(slug=slug, agency_id=agency_id, system_id=system_id, system=system,
                           uses=list(uses), state=state)  # fmt: skip


# -- Names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Idemia", "IDEMIA"),
        ("Dataworks Plus", "DataWorks Plus"),
        ("NEC", "NEC Corporation"),
        ("Clearview AI, Inc.", "Clearview AI"),
        ("The Dept. of Motor Vehicles", "Department of Motor Vehicles"),
        ("Alcohol, Tobacco & Firearms", "Alcohol Tobacco and Firearms"),
        ("Los Angeles County Sheriff's Department", "Los Angeles County Sheriffs Department"),
        ("U.S. Secret Service", "United States Secret Service"),
        ("Policía  Nacional", "Policia Nacional"),
    ],
)
def test_names_that_differ_only_in_form_normalise_alike(a, b):
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Miami Police Department", "Miami-Dade Police Department"),
        ("New York State Police", "New York Police Department"),
        ("Department of Motor Vehicles", "Department of Public Safety"),
    ],
)
def test_different_names_stay_different(a, b):
    assert normalise_name(a) != normalise_name(b)


def test_initials_skip_small_words_and_need_three_words():
    assert initials("Virginia State Police") == "VSP"
    assert initials("Department of Homeland Security") == "DHS"
    assert initials("Campus Police") == ""


# -- Agencies ------------------------------------------------------------------------


def test_an_agency_is_found_by_normalised_name_in_its_region_only():
    lasd = agency("lasd", "Los Angeles County Sheriff's Department", region="US-CA",
                  locality="Los Angeles County")  # fmt: skip
    index = AgencyIndex([lasd])
    match = index.find(name="Los Angeles County Sheriffs Dept.", country="US", region="US-CA",
                       locality="Los Angeles County")  # fmt: skip
    assert match.record is lasd and match.how == "name"
    assert index.find(name="Los Angeles County Sheriff's Department", country="US",
                      region="US-TX") is None  # fmt: skip


def test_an_agency_is_found_by_acronym_alias_or_the_initials_of_its_name():
    vsp = agency("vsp", "Virginia Department of State Police", region="US-VA", acronym="VSP")
    dos = agency("us-state", "U.S. Department of State", acronym="DOS")
    index = AgencyIndex([vsp, dos])
    by_initials = index.find(name="Virginia State Police", country="US", region="US-VA",
                             locality="North Chesterfield")  # fmt: skip
    assert by_initials.record is vsp and by_initials.how == "initials"
    assert index.find(name="Department of State", country="US", acronym="DOS").record is dos
    by_alias = index.find(name="State Department", country="US", aliases=("STATE", "DOS"))
    assert by_alias.record is dos


def test_an_acronym_in_another_city_is_not_the_same_agency():
    detroit = agency("dpd", "Detroit Police Department", region="US-MI", locality="Detroit",
                     acronym="DPD")  # fmt: skip
    index = AgencyIndex([detroit])
    assert index.find(name="Dearborn Police Department", country="US", region="US-MI",
                      locality="Dearborn") is None  # fmt: skip


def test_one_name_in_two_places_of_a_region_is_not_decided():
    a = agency("wcso-a", "Washington County Sheriff's Office", region="US-OR", locality="Hillsboro")
    b = agency("wcso-b", "Washington County Sheriff's Office", region="US-OR", locality="Salem")
    match = AgencyIndex([a, b]).find(name="Washington County Sheriff's Office", country="US",
                                     region="US-OR", locality="Portland")  # fmt: skip
    assert not match.decided
    assert match.describe() == "could be wcso-a or wcso-b"


def test_acronyms_are_limited_to_the_parent_when_one_is_given():
    consular = agency("us-state-ca", "Bureau of Consular Affairs", acronym="CA", parent_id=1)
    other = agency("us-x-ca", "Some Other Office", acronym="CA", parent_id=2)
    match = AgencyIndex([consular, other]).find(name="CA/CST", country="US", acronym="CA",
                                                parent_id=1)  # fmt: skip
    assert match.record is consular


def test_retracted_agencies_are_never_matched():
    gone = agency("gone", "Detroit Police Department", region="US-MI", state="retracted")
    assert AgencyIndex([gone]).find(name="Detroit Police Department", country="US",
                                    region="US-MI") is None  # fmt: skip


def test_an_agency_added_during_an_import_is_found_by_the_next_row():
    index = AgencyIndex([])
    new = agency("x", "Gainesville Police Department", region="US-FL")
    index.add(new)
    assert index.find(name="Gainesville Police Dept", country="US", region="US-FL").record is new
    # Added after the place was already searched: found by name and by acronym too.
    later = agency("y", "Alachua County Sheriff's Office", region="US-FL", acronym="ACSO")
    index.add(later)
    assert (
        index.find(name="Alachua County Sheriffs Office", country="US", region="US-FL").record
        is later
    )
    assert index.find(name="Other", acronym="ACSO", country="US", region="US-FL").record is later


# -- Vendors -------------------------------------------------------------------------


def test_a_vendor_is_found_by_normalised_name_or_its_bracketed_name():
    idemia, amazon, nec = (vendor("idemia", "IDEMIA"),
                           vendor("amazon", "Amazon (Amazon Web Services)"),
                           vendor("nec", "NEC Corporation"))  # fmt: skip
    index = VendorIndex([idemia, amazon, nec])
    assert index.find("Idemia").record is idemia
    assert index.find("NEC").record is nec
    assert index.find("Amazon Web Services").record is amazon
    assert index.find("Amazon").record is amazon
    assert index.find("Vigilant Solutions") is None
    assert index.find("Dataworks", aliases=("IDEMIA",)).record is idemia


# -- Deployments ---------------------------------------------------------------------


def test_a_deployment_is_found_by_agency_and_system_or_vendor():
    by_system = deployment("a", 1, system_id=10, vendor_id=100, uses=["retrospective"])
    other = deployment("b", 1, system_id=11, vendor_id=101, uses=["live"])
    index = DeploymentIndex([by_system, other])
    assert index.find(agency_id=1, system_id=10).record is by_system
    assert index.find(agency_id=1, vendor_id=101).record is other
    assert index.find(agency_id=1, vendor_id=102) is None
    assert index.find(agency_id=2, system_id=10) is None


def test_a_deployment_for_another_use_is_not_the_same():
    live = deployment("live", 1, system_id=10, uses=["live"])
    index = DeploymentIndex([live])
    assert index.find(agency_id=1, system_id=10, uses=["retrospective"]) is None
    assert index.find(agency_id=1, system_id=10, uses=["live", "mobile"]).record is live
    assert index.find(agency_id=1, system_id=10).record is live


def test_a_row_naming_no_system_is_the_agencys_use_of_an_unknown_system():
    known = deployment("known", 1, system_id=10, vendor_id=100)
    unknown = deployment("unknown", 1)
    match = DeploymentIndex([known, unknown]).find(agency_id=1)
    assert match.record is unknown and match.how == "system not known"
    # Whether it is the agency's use of a known system, no rule can tell.
    assert DeploymentIndex([known]).find(agency_id=1) is None
    two = DeploymentIndex([unknown, deployment("u2", 1)]).find(agency_id=1)
    assert not two.decided and {d.slug for d in two.candidates} == {"unknown", "u2"}


def test_localities_agree_when_they_name_one_place():
    assert reconcile.same_place("Miami-Dade", "Miami-Dade County")
    assert reconcile.same_place("New York City", "New York")
    assert reconcile.same_place("", "Detroit")
    assert not reconcile.same_place("Detroit", "Dearborn")


# -- Filling -------------------------------------------------------------------------


def test_fill_fills_empty_fields_and_reports_conflicts_without_overwriting():
    record = SimpleNamespace(slug="dpd", kind="police", locality="", uses=["live"], website="")
    filled = fill(record, {"kind": "sheriff", "locality": "Detroit", "uses": ["live"],
                           "website": ""})  # fmt: skip
    assert filled.changed == ["locality"]
    assert record.locality == "Detroit" and record.kind == "police"
    assert [str(c) for c in filled.conflicts] == [
        "dpd: kind is “police” in the register, the source says “sheriff” (kept as it is)"
    ]


# -- Loading once ----------------------------------------------------------------------


@pytest.mark.django_db
def test_indexes_load_in_one_query_each_and_answer_every_row_from_memory():
    with deferred_indexing():
        agencies = AgencyFactory.create_batch(3, region="US-FL")
        systems = {a.pk: DeploymentFactory(agency=a).system_id for a in agencies}
    with CaptureQueriesContext(connection) as loading:
        agency_index = AgencyIndex.load()
        deployment_index = DeploymentIndex.load()
        vendor_index = VendorIndex.load()
    assert len(loading) == 3
    with CaptureQueriesContext(connection) as finding:
        for a in agencies:
            match = agency_index.find(name=a.name.upper(), country="US", region="US-FL",
                                      locality=a.locality)  # fmt: skip
            assert match.record.pk == a.pk
            found = deployment_index.find(agency_id=a.pk, system_id=systems[a.pk])
            assert found.record.agency_id == a.pk
            assert vendor_index.find("No Such Vendor") is None
    assert len(finding) == 0


@pytest.mark.django_db
def test_probable_duplicates_in_the_register():
    with deferred_indexing():
        system = SystemFactory()
        first = AgencyFactory(name="Synthetic Town Police Dept.", region="US-FL",
                              locality="Synthetic Town")  # fmt: skip
        second = AgencyFactory(name="Synthetic Town Police Department", region="US-FL",
                               locality="Synthetic Town")  # fmt: skip
        AgencyFactory(name="Synthetic Town Police Department", region="US-GA")
        twice = [DeploymentFactory(agency=first, system=system, uses=["retrospective"])
                 for _ in range(2)]  # fmt: skip
        DeploymentFactory(agency=first, system=system, uses=["live"])
        DeploymentFactory(agency=second, system=SystemFactory(vendor=VendorFactory()))
    from registry.models import Agency, Deployment

    groups = reconcile.probable_duplicate_agencies(Agency.objects.published())
    assert [{a.pk for a in g} for g in groups] == [{first.pk, second.pk}]
    groups = reconcile.probable_duplicate_deployments(Deployment.objects.published())
    assert [{d.pk for d in g} for g in groups] == [{d.pk for d in twice}]


# -- The fr-registry JSON importer ---------------------------------------------------------


@pytest.mark.django_db
def test_a_json_import_reports_a_new_id_for_an_agency_or_deployment_the_register_has():
    from registry.importers import registry_json

    source = {"id": "synthetic-src", "url": "https://example.org/s", "title": "Synthetic Source"}
    first = {
        "format": "fr-registry/1",
        "sources": [source],
        "agencies": [{"id": "synthetic-town-pd", "name": "Synthetic Town Police Department",
                      "country": "US", "region": "US-FL", "locality": "Synthetic Town"}],
        "deployments": [{"id": "synthetic-town-pd-fr", "agency": "synthetic-town-pd",
                         "sources": ["synthetic-src"]}],
    }  # fmt: skip
    report = registry_json.import_document(first, reason="test")
    assert report.probable_duplicates == []
    second = {
        "format": "fr-registry/1",
        "agencies": [{"id": "synthetic-town-police", "name": "Synthetic Town Police Dept.",
                      "country": "US", "region": "US-FL"}],
        "deployments": [{"id": "synthetic-town-pd-face-search", "agency": "synthetic-town-pd",
                         "sources": ["synthetic-src"]}],
    }  # fmt: skip
    report = registry_json.import_document(second, reason="test")
    assert [line for line in report.lines() if line.startswith("probable")] == [
        "probable duplicate: agencies synthetic-town-police (new id) matched synthetic-town-pd "
        "by name",
        "probable duplicate: deployments synthetic-town-pd-face-search (new id) matched "
        "synthetic-town-pd-fr by system not known",
    ]
