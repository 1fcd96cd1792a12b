"""
Every public page runs a fixed number of queries, whatever the number of rows.

Each page is built once with 1 row (and 1 related row of every kind it shows)
and once with 3, and must run exactly its pinned number of queries both times:
a query per row would show as two more (three rows are as telling as thirty,
at a tenth of the cost).
A count that changes means a query per row crept in (or a page got cheaper:
then lower the constant).
"""

import pytest
from django.urls import reverse

from registry.search import deferred_indexing
from tests.factories import (
    AgencyFactory,
    AuditFactory,
    DeploymentFactory,
    PolicyFactory,
    SourceFactory,
    SystemFactory,
    VendorFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pages_built_each_time")]


# Lists: the register's version, count, page of rows, form choices (one per
# <select> of values in use; related records are typed as ids), facets, plus
# what the page around the table needs. The facets whose own filter is not in
# force are counted together, in one query (facets._counted_together), plus
# one for the names of the vendors counted.
AGENCY_LIST_QUERIES = 6
DEPLOYMENT_LIST_QUERIES = 7
SYSTEM_LIST_QUERIES = 5
VENDOR_LIST_QUERIES = 5
AUDIT_LIST_QUERIES = 4
POLICY_LIST_QUERIES = 7
SOURCE_LIST_QUERIES = 5
# Filters add WHERE clauses; a facet of fixed values whose own filter is in
# force counts alone (it ignores that filter): here status and uses, + 2.
FILTERED_DEPLOYMENT_LIST_QUERIES = 9
# The same list again, nothing changed: the version and the page of rows; the
# count, choices and facets come from the cache.
REPEATED_LIST_QUERIES = 2

# Record pages: the record with its sources, then one query per related list,
# and one for the version its citation names (citations.latest_public_version).
AGENCY_DETAIL_QUERIES = 12
DEPLOYMENT_DETAIL_QUERIES = 14
SYSTEM_DETAIL_QUERIES = 11
VENDOR_DETAIL_QUERIES = 10
AUDIT_DETAIL_QUERIES = 9
POLICY_DETAIL_QUERIES = 12  # + the count of citing deployments (the 50-row excerpt)
SOURCE_DETAIL_QUERIES = 16  # + the count of each of the six citing lists (50-row excerpts)

# Home: 7, plus the maps and charts of places (deployments by country and state
# in one query, agencies and policies by country, figures, years); the home's
# own figures are the charts'.
HOME_QUERIES = 12
METHODOLOGY_QUERIES = 0
# Search: per type the best keys and the count (7), and the rows of each type
# with hits (all 7 match "Synthetic" here), plus resolving places (the version
# and the recorded localities).
SEARCH_QUERIES = 17

SIZES = [1, 3]


def many_sources(n):
    return SourceFactory.create_batch(n)


# Each builder makes a page's worth of data of size n and returns its URL.


def agency_list(n):
    for agency in AgencyFactory.create_batch(n):
        DeploymentFactory(agency=agency)
    PolicyFactory.create_batch(n)
    return reverse("registry:agency-list")


def deployment_list(n):
    DeploymentFactory.create_batch(n)
    return reverse("registry:deployment-list")


def system_list(n):
    for system in SystemFactory.create_batch(n):
        AuditFactory(system=system)
        DeploymentFactory(system=system)
    return reverse("registry:system-list")


def vendor_list(n):
    for vendor in VendorFactory.create_batch(n):
        SystemFactory(vendor=vendor)
    return reverse("registry:vendor-list")


def audit_list(n):
    for i in range(n):
        if i % 2:
            AuditFactory(system=None, deployment=DeploymentFactory())
        else:
            AuditFactory()
    return reverse("registry:audit-list")


def policy_list(n):
    PolicyFactory.create_batch(n, agencies=AgencyFactory.create_batch(2))
    return reverse("registry:policy-list")


def source_list(n):
    many_sources(n)
    return reverse("registry:source-list")


def agency_detail(n):
    agency = AgencyFactory(parent=AgencyFactory(), sources=many_sources(n))
    AgencyFactory.create_batch(n, parent=agency)
    for _ in range(n):
        DeploymentFactory(agency=agency)
    PolicyFactory.create_batch(n, kind="agency_policy", agencies=[agency])
    PolicyFactory.create_batch(n, regions=[agency.region], locality="")
    return agency.get_absolute_url()


def deployment_detail(n):
    deployment = DeploymentFactory(sources=many_sources(n))
    deployment.policies.set(PolicyFactory.create_batch(n))
    AuditFactory.create_batch(n, system=deployment.system)
    AuditFactory.create_batch(n, system=None, deployment=deployment)
    return deployment.get_absolute_url()


def system_detail(n):
    system = SystemFactory(sources=many_sources(n))
    AuditFactory.create_batch(
        n, system=system, metrics=[{"metric": "false_match_rate", "value": 0.001}]
    )
    DeploymentFactory.create_batch(n, system=system)
    return system.get_absolute_url()


def vendor_detail(n):
    vendor = VendorFactory(sources=many_sources(n))
    for system in SystemFactory.create_batch(n, vendor=vendor):
        DeploymentFactory(system=system)
    return vendor.get_absolute_url()


def audit_detail(n):
    audit = AuditFactory(
        sources=many_sources(n),
        deployment=DeploymentFactory(),
        metrics=[
            {"metric": "false_match_rate", "group": f"synthetic group {i}", "value": 0.01}
            for i in range(n)
        ],
    )
    return audit.get_absolute_url()


def policy_detail(n):
    policy = PolicyFactory(sources=many_sources(n), regions=["US-CA"], locality="")
    AgencyFactory.create_batch(n, region="US-CA")
    for deployment in DeploymentFactory.create_batch(n):
        deployment.policies.add(policy)
    return policy.get_absolute_url()


def source_detail(n):
    source = SourceFactory()
    for factory in (
        AgencyFactory,
        DeploymentFactory,
        SystemFactory,
        VendorFactory,
        AuditFactory,
        PolicyFactory,
    ):
        factory.create_batch(n, sources=[source])
    return source.get_absolute_url()


def home(n):
    DeploymentFactory.create_batch(n)
    AuditFactory.create_batch(n)
    PolicyFactory.create_batch(n)
    return reverse("registry:home")


def methodology(n):
    return reverse("registry:methodology")


def search(n):
    DeploymentFactory.create_batch(n)
    AuditFactory.create_batch(n)
    PolicyFactory.create_batch(n)
    return reverse("registry:search") + "?q=Synthetic"


PAGES = {
    "agency-list": (agency_list, AGENCY_LIST_QUERIES),
    "deployment-list": (deployment_list, DEPLOYMENT_LIST_QUERIES),
    "system-list": (system_list, SYSTEM_LIST_QUERIES),
    "vendor-list": (vendor_list, VENDOR_LIST_QUERIES),
    "audit-list": (audit_list, AUDIT_LIST_QUERIES),
    "policy-list": (policy_list, POLICY_LIST_QUERIES),
    "source-list": (source_list, SOURCE_LIST_QUERIES),
    "agency-detail": (agency_detail, AGENCY_DETAIL_QUERIES),
    "deployment-detail": (deployment_detail, DEPLOYMENT_DETAIL_QUERIES),
    "system-detail": (system_detail, SYSTEM_DETAIL_QUERIES),
    "vendor-detail": (vendor_detail, VENDOR_DETAIL_QUERIES),
    "audit-detail": (audit_detail, AUDIT_DETAIL_QUERIES),
    "policy-detail": (policy_detail, POLICY_DETAIL_QUERIES),
    "source-detail": (source_detail, SOURCE_DETAIL_QUERIES),
    "home": (home, HOME_QUERIES),
    "methodology": (methodology, METHODOLOGY_QUERIES),
    "search": (search, SEARCH_QUERIES),
}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_query_count_does_not_grow_with_rows(client, django_assert_num_queries, page, n):
    build, expected = PAGES[page]
    with deferred_indexing():
        url = build(n)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_filtered_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries, n):
    DeploymentFactory.create_batch(n, status="pilot", uses=["live"])
    url = reverse("registry:deployment-list") + "?status=active&status=pilot&uses=live"
    with django_assert_num_queries(FILTERED_DEPLOYMENT_LIST_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == n


LISTS = sorted(page for page in PAGES if page.endswith("-list"))


@pytest.mark.parametrize("page", LISTS)
def test_repeated_list_reads_only_its_rows(client, django_assert_num_queries, page):
    build, _expected = PAGES[page]
    with deferred_indexing():
        url = build(3)
    first = client.get(url)

    with django_assert_num_queries(REPEATED_LIST_QUERIES):
        again = client.get(url)

    assert again.content == first.content
