"""
A deployment keeps copies of its agency's country, region, kind and level and
of its system's vendor, which the deployment list filters and counts on
(issue 13). Whoever changes the agency, the system or the deployment, the
list's counts show it on the next request. (Every test that uses the database
also checks, afterwards, that no deployment's copies differ: tests/conftest.py.)
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from registry import choices, merge
from registry.models import Deployment
from registry.search import deferred_indexing
from registry.services import save_record
from tests.factories import AgencyFactory, DeploymentFactory, SystemFactory, VendorFactory
from tests.staff import member

pytestmark = pytest.mark.django_db


def facet_counts(client, param, query=""):
    """``{label: count}`` of one facet of the deployment list, as a reader sees it."""
    html = client.get(reverse("registry:deployment-list") + query).content.decode()
    section = re.search(rf'aria-labelledby="facet-{param}">(.*?)</section>', html, re.S)
    if section is None:
        return {}
    value = r'<a href="[^"]*">([^<]+)</a>\s*<span class="facet__count">(\d+)'
    found = re.findall(value, section[1])
    return {label: int(n) for label, n in found}


@pytest.fixture
def police():
    with deferred_indexing():
        agency = AgencyFactory(
            name="Synthetic Springfield Police", country="US", region="US-IL",
            kind=choices.AgencyKind.POLICE, level=choices.Level.LOCAL,
        )  # fmt: skip
        for _ in range(2):
            DeploymentFactory(agency=agency, system=None)
        DeploymentFactory(
            agency=AgencyFactory(name="Synthetic Lyon Police", country="FR", region=""),
            system=None,
        )
    return agency


def test_editing_an_agency_moves_its_deployments_in_the_counts_on_the_next_request(police, client):
    assert facet_counts(client, "country") == {"United States": 2, "France": 1}
    assert facet_counts(client, "kind")["Police"] == 3

    police.country, police.region = "FR", ""
    police.kind = choices.AgencyKind.BORDER_IMMIGRATION
    save_record(police, reason="Synthetic correction")

    assert facet_counts(client, "country") == {"France": 3}
    assert facet_counts(client, "kind") == {"Police": 1, "Border and immigration": 2}
    assert facet_counts(client, "level", "?country=FR&kind=border_immigration") == {
        "Local (county, city)": 2
    }
    assert facet_counts(client, "region") == {}


def test_changing_a_systems_vendor_moves_its_deployments_in_the_vendor_counts(client):
    with deferred_indexing():
        acme = VendorFactory(name="Synthetic Acme Vision")
        other = VendorFactory(name="Synthetic Other Vision")
        system = SystemFactory(vendor=acme)
        DeploymentFactory(system=system)
    assert facet_counts(client, "vendor") == {"Synthetic Acme Vision": 1}

    system.vendor = other
    save_record(system, reason="Synthetic correction")
    assert facet_counts(client, "vendor") == {"Synthetic Other Vision": 1}
    assert facet_counts(client, "status", f"?vendor={other.slug}") == {"Active": 1}

    system.vendor = None
    save_record(system, reason="In-house after all")
    assert facet_counts(client, "vendor") == {}


def test_moving_a_deployment_to_another_agency_copies_that_agencys_values(police):
    deployment = Deployment.objects.filter(agency=police).first()
    lyon = Deployment.objects.exclude(agency=police).get().agency
    fresh = Deployment.objects.get(pk=deployment.pk)  # its agency not loaded
    fresh.agency_id = lyon.pk
    fresh.save()
    assert Deployment.objects.filter(agency_country="FR").count() == 2

    fresh.agency = police
    fresh.save(update_fields=["agency"])
    assert Deployment.objects.values_list("agency_country", "agency_region").get(pk=fresh.pk) == (
        "US",
        "US-IL",
    )


def test_merging_agencies_counts_the_moved_deployments_under_the_kept_agencys_country(
    police, client
):
    lyon = Deployment.objects.exclude(agency=police).get().agency
    merge.merge(lyon, police, user=member("synthetic-reviewer", "reviewers"), reason="Synthetic")
    assert facet_counts(client, "country") == {"France": 3}
    assert facet_counts(client, "level", "?country=US") == {}


def test_an_import_fills_the_copies(client):
    call_command("import_registry", "data/registry.json", verbosity=0, stdout=io.StringIO())
    deployments = Deployment.objects.select_related("agency")
    assert deployments.exists()
    for deployment in deployments:
        assert deployment.agency_country == deployment.agency.country
        assert deployment.agency_kind == deployment.agency.kind
    us = deployments.filter(agency__country="US").count()
    assert facet_counts(client, "country").get("United States") == us


def test_sync_copies_repairs_rows_written_around_save(police):
    Deployment.objects.update(agency_country="", agency_kind="", system_vendor=None)
    assert Deployment.objects.sync_copies() == 3
    assert set(Deployment.objects.values_list("agency_country", flat=True)) == {"US", "FR"}
