"""Facets count what each value would leave, as links; chips remove filters; a summary to quote."""

from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import choices, facets, search
from registry.models import Policy
from registry.types import RECORD_TYPES, TYPES
from tests.factories import (
    AgencyFactory,
    AuditFactory,
    DeploymentFactory,
    PolicyFactory,
    SourceFactory,
    SystemFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db


def facet_results(list_name, query=""):
    filterset = TYPES[list_name].filterset(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return {result.param: result for result in facets.facets_for(filterset)}


def list_count(list_name, query):
    filterset = TYPES[list_name].filterset(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


def without(query, param):
    data = QueryDict(query, mutable=True)
    data.pop(param, None)
    return data.urlencode()


def assert_counts_match_the_list(list_name, query=""):
    """Each value's count is the list's count with that value chosen under the other filters."""
    results = facet_results(list_name, query)
    assert results, "expected some facets"
    for param, result in results.items():
        others = without(query, param)
        for value in result.values:
            chosen = "&".join(part for part in (others, f"{param}={value.value}") if part)
            assert value.count == list_count(list_name, chosen), (param, value.value)
    return results


@pytest.fixture(scope="module")
def register(module_db):
    """A small, varied synthetic register, built once for the module (tests only read it)."""
    acme = VendorFactory(name="Synthetic Acme Vision", country="US")
    other = VendorFactory(name="Synthetic Other Vision", country="GB")
    acme_search = SystemFactory(vendor=acme, capabilities=["identification", "live"])
    other_search = SystemFactory(vendor=other, capabilities=["verification"])
    texas_sheriff = AgencyFactory(country="US", region="US-TX", kind="sheriff", level="local")
    texas_police = AgencyFactory(country="US", region="US-TX", kind="police", level="local")
    welsh_police = AgencyFactory(country="GB", region="GB-WLS", kind="police", level="regional")
    federal = AgencyFactory(country="US", region="", kind="federal_law_enforcement",
                            level="national")  # fmt: skip
    DeploymentFactory(agency=texas_sheriff, system=acme_search, status="active",
                      uses=["live", "retrospective"], image_sources=["mugshots"])  # fmt: skip
    DeploymentFactory(agency=texas_police, system=acme_search, status="active",
                      uses=["retrospective"], image_sources=["mugshots", "cctv"])  # fmt: skip
    DeploymentFactory(agency=texas_police, system=other_search, status="ended",
                      uses=["verification"])  # fmt: skip
    DeploymentFactory(agency=welsh_police, system=acme_search, status="prohibited",
                      uses=["live"], image_sources=["watchlist"])  # fmt: skip
    DeploymentFactory(agency=federal, system=None, status="pilot", uses=["retrospective"])
    # Never counted: not published.
    DeploymentFactory(agency=texas_sheriff, system=acme_search, status="active",
                      state=choices.State.DRAFT)  # fmt: skip
    AuditFactory(system=acme_search, auditor_kind="government_lab", is_public=True,
                 dimensions=["sex", "race_ethnicity"], finding="disparities_found")  # fmt: skip
    AuditFactory(system=other_search, auditor_kind="vendor", is_public=False,
                 dimensions=["age"], finding="not_reported")  # fmt: skip
    PolicyFactory(kind="ban", status="in_force", country="US", regions=["US-TX"],
                  requirements=["ban_government_use", "warrant_required"],
                  agencies=[texas_police, texas_sheriff])  # fmt: skip
    PolicyFactory(kind="statute", status="proposed", country="GB", regions=[],
                  requirements=["warrant_required"])  # fmt: skip
    SourceFactory(kind="court")


@pytest.mark.parametrize(
    "list_name", [t.name for t in RECORD_TYPES if t.filterset_class.facet_order]
)
def test_every_facet_count_equals_the_list_count_for_that_value(register, list_name):
    assert_counts_match_the_list(list_name)


@pytest.mark.parametrize(
    "list_name, query",
    [
        ("deployments", "status=active"),
        ("deployments", "status=active&status=ended&country=US"),
        ("deployments", "uses=live&kind=police"),
        ("deployments", "q=Synthetic&audit_status=reported"),
        ("agencies", "region=US-TX"),
        ("systems", "capabilities=live"),
        ("audits", "is_public=true"),
        ("policies", "requirements=warrant_required&country=US"),
    ],
)
def test_facet_counts_follow_the_other_filters_in_force(register, list_name, query):
    assert_counts_match_the_list(list_name, query)


def test_facets_show_human_labels_in_vocabulary_order_with_counts(register):
    status = facet_results("deployments")["status"]
    assert [(v.label, v.count) for v in status.values] == [
        ("Active", 2),
        ("Pilot", 1),
        ("Ended", 1),
        ("Prohibited (stopped by a ban)", 1),
    ]


def test_a_facet_ignores_its_own_parameter_so_other_values_stay_offered(register):
    status = facet_results("deployments", "status=active")["status"]
    by_value = {v.value: v for v in status.values}
    assert by_value["active"].selected and by_value["active"].count == 2
    assert not by_value["ended"].selected and by_value["ended"].count == 1


def test_unpublished_records_are_not_counted_and_unpublished_vendors_not_offered(register):
    hidden_vendor = VendorFactory(name="Synthetic Hidden Vendor", state=choices.State.DRAFT)
    DeploymentFactory(system=SystemFactory(vendor=hidden_vendor))
    vendor = facet_results("deployments")["vendor"]
    assert "Synthetic Hidden Vendor" not in [v.label for v in vendor.values]
    assert facet_results("deployments")["status"].values[0].count == 3  # 2 + the new one


def test_value_links_toggle_their_parameter_keep_the_others_and_drop_the_page(register):
    status = facet_results("deployments", "status=active&country=US&page=2")["status"]
    by_value = {v.value: v for v in status.values}
    added = parse_qs(by_value["ended"].toggle_url[1:])
    assert added == {"status": ["active", "ended"], "country": ["US"]}
    removed = parse_qs(by_value["active"].toggle_url[1:])
    assert removed == {"country": ["US"]}


def test_a_code_typed_in_lower_case_is_selected_and_removable(register):
    country = facet_results("deployments", "country=us")["country"]
    us = next(v for v in country.values if v.value == "US")
    assert us.selected
    assert "country" not in parse_qs(us.toggle_url[1:])


def test_a_selected_value_with_no_rows_left_still_shows_so_it_can_be_removed(register):
    status = facet_results("deployments", "status=denied")["status"]
    denied = next(v for v in status.values if v.value == "denied")
    assert denied.selected and denied.count == 0


def test_open_ended_facets_are_cut_and_offer_more(register):
    country = facet_results("deployments", "facet_size=1")["country"]
    assert [v.value for v in country.values] == ["US"]  # the most frequent
    assert country.truncated
    assert parse_qs(country.more_url[1:])["facet_size"] == [str(facets.FACET_SIZE_MAX)]
    assert not facet_results("deployments")["country"].truncated


def test_many_to_many_filters_count_each_record_once(register):
    both = ",".join(a.slug for a in AgencyFactory._meta.model.objects.filter(region="US-TX"))
    query = "&".join(f"agency={slug}" for slug in both.split(","))
    kinds = facet_results("policies", query)["kind"]
    assert [(v.value, v.count) for v in kinds.values] == [("ban", 1)]
    assert list_count("policies", query) == 1


def test_facets_not_in_force_share_one_query_and_those_in_force_count_alone(register, settings):
    settings.REGISTER_COUNTS_CACHE_SECONDS = 0  # what counting costs (test_counts.py: the cache)
    filterset = TYPES["deployments"].filterset(QueryDict("status=active&uses=live"))
    filterset.is_valid()
    with CaptureQueriesContext(connection) as queries:
        results = facets.facets_for(filterset)
    # Those in force (status, uses) count alone; audit status, country, region,
    # kind, level, vendor and image sources in one query, plus the vendors' names.
    assert len(queries) == 2 + 1 + 1
    assert [r.param for r in results] == [
        "status", "uses", "audit_status", "country", "region", "kind", "level", "vendor",
        "image_sources",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "list_name, query",
    [
        ("deployments", ""),
        ("deployments", "facet_size=1"),  # open facets cut: "more" offered
        ("deployments", "policy=PLACEHOLDER"),  # a join: each deployment once
        ("agencies", ""),
        ("systems", ""),
        ("audits", ""),  # a yes/no facet
        ("policies", ""),
    ],
)
def test_facets_counted_together_equal_each_counted_alone(register, settings, list_name, query):
    settings.REGISTER_COUNTS_CACHE_SECONDS = 0
    if "PLACEHOLDER" in query:
        query = query.replace("PLACEHOLDER", Policy.objects.get(kind="ban").slug)
    filterset = TYPES[list_name].filterset(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    size = facets.FacetOptions.size(filterset.data)
    together = facets._counted_together(filterset, size)
    assert together  # the test compares something
    for param, counted in together.items():
        alone = facets._plain_counts(param, filterset.filters[param].facet, filterset, size)
        assert counted == (alone[0], alone[1]), param


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_page_query_count_is_the_same_for_1_and_3_rows_with_and_without_filters(
    client, settings
):
    settings.REGISTER_COUNTS_CACHE_SECONDS = 0  # count every time (test_counts.py: the cache)
    url = reverse("registry:deployment-list")
    filtered = url + "?status=active&uses=retrospective"
    DeploymentFactory()
    one = (_page_queries(client, url), _page_queries(client, filtered))
    for _ in range(2):
        DeploymentFactory()
    three = (_page_queries(client, url), _page_queries(client, filtered))
    assert one == three
    # The two facets whose own filter is in force count alone (they ignore it).
    assert one[1] == one[0] + 2


def test_list_page_shows_facets_as_links_with_counts(client, register):
    response = client.get(reverse("registry:deployment-list"))
    html = response.content.decode()
    assert 'aria-labelledby="facets-heading"' in html
    assert 'href="?status=ended"' in html
    assert "Prohibited (stopped by a ban)" in html


def test_chips_remove_one_value_each_and_say_so_to_screen_readers(client, register):
    response = client.get(reverse("registry:deployment-list") + "?status=active&status=ended")
    chips = response.context["chips"]
    assert [(c.label, c.value_label) for c in chips] == [("Status", "Active"), ("Status", "Ended")]
    assert parse_qs(chips[0].remove_url[1:]) == {"status": ["ended"]}
    html = response.content.decode()
    assert '<span class="visually-hidden">Remove filter </span>Status: Active' in html


def test_chips_name_related_records_and_searches(register):
    agency = AgencyFactory._meta.model.objects.get(kind="sheriff")
    filterset = TYPES["deployments"].filterset(QueryDict(f"agency={agency.slug}&q=Synthetic"))
    chips = {c.param: c for c in facets.chips_for(filterset)}
    assert chips["agency"].value_label == agency.name
    assert chips["q"].value_label == "“Synthetic”"
    assert "q" not in parse_qs(chips["q"].remove_url[1:])


def summary(list_name, query):
    filterset = TYPES[list_name].filterset(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return facets.summary_sentence(TYPES[list_name], filterset, filterset.qs.count())


def test_summary_sentence_reads_like_a_quote(register):
    assert (
        summary("deployments", "region=US-TX&kind=sheriff&status=active&audit_status=reported")
        == "Deployments in Texas by sheriffs, status active, with a published independent "
        "audit: 1"
    )
    assert summary("deployments", "") == "Deployments: 5"
    assert (
        summary("deployments", "country=US&region=US-TX")
        == "Deployments in Texas (United States): 3"
    )
    assert (
        summary("deployments", "status=active&status=ended&uses=live&sort=-started")
        == "Deployments, status active or ended, used for live surveillance: 1"
    )


def test_summary_sentence_for_other_lists(register):
    assert summary("audits", "is_public=false&auditor_kind=vendor") == (
        "Audits by vendor (self-assessment), with no public report: 1"
    )
    assert summary("policies", "requirements=warrant_required&in_force=true") == (
        "Policies that require a warrant or court order, in force today: 1"
    )
    assert summary("agencies", "kind=police&level=local") == (
        "Agencies that are police forces, at local level: 1"
    )


def test_summary_and_chips_are_on_the_page(client, register):
    response = client.get(reverse("registry:deployment-list") + "?kind=sheriff")
    assert "Deployments by sheriffs: 1" in response.content.decode()


def test_invalid_filters_give_no_facets_and_no_summary(client, register):
    response = client.get(reverse("registry:deployment-list") + "?status=bogus")
    assert response.status_code == 400
    assert response.context["facets"] == []
    assert response.context["summary"] == ""


def test_a_law_of_several_regions_counts_once_under_each_region_shown_by_name(register):
    PolicyFactory(country="GB", regions=["GB-ENG", "GB-WLS"], locality="")
    PolicyFactory(country="GB", regions=["GB-ENG"], locality="")
    region = assert_counts_match_the_list("policies", "country=GB")["region"]
    assert [(v.value, v.label, v.count) for v in region.values] == [
        ("GB-ENG", "England", 2),
        ("GB-WLS", "Wales", 1),
    ]


class TestABadFacetSize:
    """More regions than a facet shows, added once for the class to the module's register."""

    @pytest.fixture(scope="class")
    @classmethod
    def more_regions_than_a_facet_shows(cls, register, class_db):
        with search.deferred_indexing():
            for n in range(facets.FACET_SIZE + 2):
                DeploymentFactory(agency=AgencyFactory(region=f"US-S{n:02d}"))

    @pytest.mark.parametrize("size", ["0", "abc", "100000", "-1"])
    def test_a_bad_facet_size_falls_back_to_the_default(
        self, client, more_regions_than_a_facet_shows, size
    ):
        url = reverse("registry:deployment-list")
        default = client.get(url)

        response = client.get(url + f"?facet_size={size}")

        assert response.status_code == 200
        regions = {f.param: f for f in response.context["facets"]}["region"]
        assert len(regions.values) == facets.FACET_SIZE
        assert regions.truncated

        def counted(page):
            return [
                (f.param, [(v.value, v.count) for v in f.values]) for f in page.context["facets"]
            ]

        assert counted(response) == counted(default)


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda t: t.name)
def test_every_facet_a_list_shows_is_declared_with_its_filter(record_type):
    filterset_class = record_type.filterset_class
    for param, facet in facets.declared_facets(filterset_class):
        assert facet is not None, f"{record_type.name}: {param} has no facet= declared"
    declared = {
        name for name, f in filterset_class.base_filters.items() if getattr(f, "facet", None)
    }
    assert declared == set(filterset_class.facet_order), "a declared facet is not shown"
