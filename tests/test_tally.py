"""
The deployment list's facet counts kept by the database (``registry/tally.py``):
after every kind of write the tally says what a count of the rows says, and
the plain list reads it (a filtered list counts its rows).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import choices, facets, search, tally
from registry.filters import DeploymentFilterSet
from registry.models import Agency, Deployment, DeploymentTally, System
from tests.factories import AgencyFactory, DeploymentFactory, SystemFactory, VendorFactory

pytestmark = pytest.mark.django_db

#: The tally's groupings by field name, as the facets ask for them.
GROUPINGS = [
    ["status", "audit_status", "agency_kind", "agency_level"],
    ["uses", "image_sources"],
    ["agency_country", "agency_region"],
    ["system_vendor"],
]


def assert_tally_counts_the_rows():
    """The tally's counts, and its total, equal a GROUP BY of the published rows."""
    published = Deployment.objects.published()
    kept = facets.grouped_counts(published, GROUPINGS, all_published=True)
    counted = facets.grouped_counts(published, GROUPINGS)
    assert kept == counted
    assert tally.published_count(Deployment, connection) == published.count()


def test_every_kind_of_write_keeps_the_tally_equal_to_a_count_of_the_rows():
    with search.deferred_indexing():
        first, second = DeploymentFactory.create_batch(2, uses=["live"])
        DeploymentFactory(state=choices.State.DRAFT)
        assert_tally_counts_the_rows()
        # A save that changes a counted column, and one that changes none.
        first.status = choices.DeploymentStatus.ENDED
        first.save()
        second.description = "Synthetic description."
        second.save()
        assert_tally_counts_the_rows()
        # Unpublished, then published again.
        Deployment.objects.filter(pk=first.pk).update(state=choices.State.RETRACTED)
        assert_tally_counts_the_rows()
        Deployment.objects.filter(pk=first.pk).update(state=choices.State.PUBLISHED)
        # An agency moved to another country: its deployments' copies are rewritten.
        agency = Agency.objects.get(pk=second.agency_id)
        agency.country, agency.region = "FR", ""
        agency.save()
        assert Deployment.objects.get(pk=second.pk).agency_country == "FR"
        assert_tally_counts_the_rows()
        # A system sold to another vendor.
        system = System.objects.get(pk=first.system_id)
        system.vendor = VendorFactory()
        system.save()
        Deployment.objects.filter(system=system).sync_copies()
        assert_tally_counts_the_rows()
        # Set-based writes: many rows in one statement, and many created at once.
        Deployment.objects.update(audit_status=choices.AuditStatus.TESTED)
        agency, system = AgencyFactory(), SystemFactory()
        Deployment.objects.bulk_create(
            Deployment(slug=f"synthetic-bulk-{i}", agency=agency, system=system, uses=["live"])
            for i in range(3)
        )
        assert_tally_counts_the_rows()
        Deployment.objects.filter(slug__startswith="synthetic-bulk-").sync_copies()
        assert_tally_counts_the_rows()
        Deployment.objects.filter(pk=second.pk).delete()
        assert_tally_counts_the_rows()


def test_rebuild_recounts_what_the_triggers_kept():
    with search.deferred_indexing():
        DeploymentFactory.create_batch(3)
    kept = sorted(DeploymentTally.objects.filter(n__gt=0).values_list("combination", "n"))
    DeploymentTally.objects.all().delete()
    tally.rebuild(connection)
    assert sorted(DeploymentTally.objects.values_list("combination", "n")) == kept
    # Three deployments of one agency kind: at least one combination in each grouping.
    assert {combination.split("\x1f")[0] for combination, _n in kept} == {"0", "1", "2", "3"}


def status_counts(query):
    filterset = DeploymentFilterSet(QueryDict(query), queryset=Deployment.objects.published())
    status = {result.param: result for result in facets.facets_for(filterset)}["status"]
    return {value.value: value.count for value in status.values}


def test_the_plain_list_reads_its_counts_from_the_tally_and_a_filtered_list_counts_rows(client):
    with search.deferred_indexing():
        DeploymentFactory.create_batch(2, status=choices.DeploymentStatus.ACTIVE)
        DeploymentFactory(status=choices.DeploymentStatus.ENDED)
    assert status_counts("") == {"active": 2, "ended": 1}
    # A wrong tally shows on the plain list only: it is read there, and only there.
    DeploymentTally.objects.filter(set_number=0, status="active").update(n=40)
    cache.clear()  # the counts of this version are kept: forget them
    assert status_counts("") == {"active": 40, "ended": 1}
    page = client.get(reverse("registry:deployment-list")).content.decode()
    assert '<span class="facet__count">40<' in page
    # Under a filter (every deployment here is in the US), the rows are counted.
    assert status_counts("country=us") == {"active": 2, "ended": 1}


def test_the_plain_list_groups_no_deployment_rows():
    with search.deferred_indexing():
        DeploymentFactory.create_batch(2)
    filterset = DeploymentFilterSet(QueryDict(""), queryset=Deployment.objects.published())
    with CaptureQueriesContext(connection) as queries:
        facets.facets_for(filterset)
    grouped = [
        q["sql"] for q in queries if "GROUP BY" in q["sql"] and "registry_deployment" in q["sql"]
    ]
    assert not grouped, "every grouping the list asks for is one the tally keeps"
    assert any(tally.TABLE in q["sql"] for q in queries)


def test_deleting_rows_after_the_tally_was_emptied_leaves_no_count_below_zero():
    """
    ``manage.py flush`` on SQLite deletes table after table in no set order
    (PostgreSQL truncates, which fires no trigger): when the tally goes first,
    the deployments' delete must not leave negative counts behind for the
    next rows to add to.
    """
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's flush truncates the tables, which fires no trigger")
    with search.deferred_indexing():
        DeploymentFactory.create_batch(2)
    DeploymentTally.objects.all().delete()
    Deployment.objects.all().delete()
    assert list(DeploymentTally.objects.filter(n__lt=0).values_list("combination", "n")) == []
    with search.deferred_indexing():
        DeploymentFactory()
    assert_tally_counts_the_rows()
