"""
Place pages, the places index, the home page's maps and a place search run a
fixed number of queries, whatever the number of rows (1 vs 3, as in
test_query_counts.py); and the maps and charts are plain SVG links.
"""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from registry import search
from tests.factories import AgencyFactory, AuditFactory, DeploymentFactory, PolicyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pages_built_each_time")]


# The place's deployment figures, years, agencies and their count, policies,
# their named agencies and their count, sub-places (2), recent deployments and
# policies.
PLACE_QUERIES = 11
PLACES_INDEX_QUERIES = 5
AGENCY_SCORECARD_QUERIES = 3
SEARCH_WITH_PLACE_QUERIES = 14


def build(n):
    with search.deferred_indexing():
        for i in range(n):
            agency = AgencyFactory(region="US-CA", locality=f"Synthetic City {i}")
            deployment = DeploymentFactory(agency=agency, started="2020-01-01")
            AuditFactory(system=deployment.system)
            PolicyFactory(regions=["US-CA"], locality=agency.locality, agencies=[agency])
            PolicyFactory(regions=["US-CA"], locality="", kind="statute")
    return agency


class TestOneAndThreeRows:
    """The same register for every page: built once for 1 row, once for 3."""

    @pytest.fixture(scope="class", params=[1, 3], ids=["1", "3"])
    @classmethod
    def agency(cls, request, class_db):
        # A savepoint per size, rolled back before the other size is built.
        with transaction.atomic():
            yield build(request.param)
            transaction.set_rollback(True)

    @pytest.mark.parametrize(
        ("name", "url", "expected"),
        [
            ("state", "/places/us/ca/", PLACE_QUERIES),
            ("country", "/places/us/", PLACE_QUERIES),
            ("index", "/places/", PLACES_INDEX_QUERIES),
            ("search", "/search/?q=California", SEARCH_WITH_PLACE_QUERIES),
        ],
    )
    def test_place_pages_run_a_fixed_number_of_queries(
        self, client, django_assert_num_queries, agency, name, url, expected
    ):
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200

    def test_agency_scorecard_runs_a_fixed_number_of_queries(
        self, client, django_assert_num_queries, agency
    ):
        url = reverse("registry:agency-scorecard", args=[agency.slug])
        with django_assert_num_queries(AGENCY_SCORECARD_QUERIES):
            assert client.get(url).status_code == 200


def test_every_place_with_records_is_a_linked_shape_with_its_count(client):
    build(1)
    DeploymentFactory(agency=AgencyFactory(country="GB", region="GB-WLS", locality=""))
    html = client.get("/places/").content.decode()
    assert "<script" not in html
    svg = "".join(re.findall(r"<svg class=\"map\".*?</svg>", html, flags=re.S))
    for href, name in [
        ("/places/us/", "United States: 1 published deployment"),
        ("/places/gb/", "United Kingdom: 1 published deployment"),
        ("/places/us/ca/", "California: 1 published deployment"),
    ]:
        assert f'<a href="{href}"><title>{name}</title>' in svg
    # The same figures in a plain table beside the map.
    assert '<a href="/places/us/ca/">California</a>' in html


def test_charts_are_svg_bars_linking_to_their_lists(client):
    build(1)
    html = client.get("/places/us/ca/").content.decode()
    assert "<script" not in html
    assert '<svg class="chart"' in html
    # A bar's link is named by what it shows, label then value (WCAG 2.5.3,
    # label in name), and holds no <title>, which would be shown text the
    # name lacks.
    link = re.search(
        r'<a href="/deployments/\?place=us%2Fca&amp;status=active" aria-label="([^"]*)">(.*?)</a>',
        html,
    )
    assert link, "no bar links to the region's active deployments"
    assert link.group(1) == "Active: 1 deployment"
    # What a screen reader compares with the name: the text, as separate words.
    shown = re.sub(r"<[^>]*>", "", link.group(2))
    assert shown.split() == ["Active", "1"], shown
    assert "<title>" not in link.group(2)
