"""Every list downloads as CSV and JSON: the same rows as the page, all pages, streamed, safe."""

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import choices, exports, search
from registry.types import TYPES
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

LIST_URLS = {name: reverse(spec.url_name) for name, spec in TYPES.items()}


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    return response, b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text):
    assert text.startswith(exports.BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(exports.BOM))))


def ids_on_every_page(client, url):
    """The ids the HTML list shows, page after page."""
    ids, page = [], 1
    while True:
        response = client.get(f"{url}{'&' if '?' in url else '?'}page={page}")
        ids += [row.slug for row in response.context["rows"]]
        if not response.context["page_obj"].has_next():
            return ids
        page += 1


PAGE_SIZE = 5


def three_pages_of_deployments():
    """Three pages of deployments (pages of ``PAGE_SIZE``), two statuses."""
    with search.deferred_indexing():
        system = SystemFactory()
        for n in range(14):
            DeploymentFactory(
                system=system,
                status="active" if n % 3 else "ended",
                started=datetime.date(2010 + n, 5, 1),
                started_precision="month",
            )
        DeploymentFactory(status="active", state=choices.State.DRAFT)


@pytest.fixture
def many_deployments(settings):
    settings.REGISTER_PAGE_SIZE = PAGE_SIZE
    three_pages_of_deployments()


class TestEveryPageDownloads:
    """The tests of this class only read the deployments, built once for the class."""

    @pytest.fixture(scope="class")
    @classmethod
    def deployments(cls, class_db):
        three_pages_of_deployments()

    @pytest.fixture
    def many_deployments(self, deployments, settings):
        settings.REGISTER_PAGE_SIZE = PAGE_SIZE

    @pytest.mark.parametrize("query", ["", "?status=active", "?status=active&sort=-started"])
    def test_csv_and_json_hold_exactly_the_rows_of_every_page_of_the_list(
        self, client, many_deployments, query
    ):
        url = LIST_URLS["deployments"] + query
        shown = ids_on_every_page(client, url)
        assert len(shown) > 5  # more than one page
        joiner = "&" if query else "?"
        _response, text = download(client, f"{url}{joiner}format=csv")
        assert [row["id"] for row in csv_rows(text)] == shown
        _response, text = download(client, f"{url}{joiner}format=json")
        document = json.loads(text)
        assert [row["id"] for row in document["results"]] == shown
        assert document["meta"]["count"] == len(shown)


@pytest.mark.parametrize("list_name", list(TYPES))
def test_every_list_exports_its_columns_for_published_records_only(client, list_name):
    deployment = DeploymentFactory()
    deployment.policies.set([PolicyFactory()])
    AuditFactory(system=deployment.system)
    factory = {
        "agencies": AgencyFactory, "deployments": DeploymentFactory, "systems": SystemFactory,
        "vendors": VendorFactory, "audits": AuditFactory, "policies": PolicyFactory,
        "sources": SourceFactory,
    }[list_name]  # fmt: skip
    hidden = factory(state=choices.State.DRAFT)
    _response, text = download(client, LIST_URLS[list_name] + "?format=csv")
    rows = csv_rows(text)
    assert list(rows[0]) == exports.EXPORTS[list_name].header
    expected = TYPES[list_name].filterset(None).queryset.model.objects.published()
    assert {row["id"] for row in rows} == set(expected.values_list("slug", flat=True))
    assert hidden.slug not in text
    _response, text = download(client, LIST_URLS[list_name] + "?format=json")
    results = json.loads(text)["results"]
    assert [list(row) for row in results[:1]] == [exports.EXPORTS[list_name].header]


def test_related_records_appear_as_names_ids_and_urls(client):
    vendor = VendorFactory(name="Synthetic Vendor Ltd")
    source = SourceFactory()
    draft_source = SourceFactory(state=choices.State.DRAFT)
    deployment = DeploymentFactory(
        agency=AgencyFactory(name="Synthetic Sheriff", region="US-TX"),
        system=SystemFactory(name="Synthetic Finder", vendor=vendor),
        uses=["live", "retrospective"],
        started=datetime.date(2019, 5, 1),
        started_precision="month",
        sources=[source, draft_source],
    )
    _response, text = download(client, LIST_URLS["deployments"] + "?format=csv")
    (row,) = csv_rows(text)
    assert row["url"] == "http://testserver" + deployment.get_absolute_url()
    assert row["agency_name"] == "Synthetic Sheriff"
    assert row["agency_id"] == deployment.agency.slug
    assert row["agency_region"] == "US-TX"
    assert (row["vendor_id"], row["vendor_name"]) == (vendor.slug, "Synthetic Vendor Ltd")
    assert row["uses"] == "live;retrospective"
    assert row["started"] == "2019-05"
    assert row["sources"] == source.slug  # the draft source is not shown
    assert row["audit_status"] == "none_known"
    _response, text = download(client, LIST_URLS["deployments"] + "?format=json")
    (record,) = json.loads(text)["results"]
    assert record["uses"] == ["live", "retrospective"]
    assert record["ended"] is None


def test_an_unpublished_related_record_is_left_empty_not_half_shown(client):
    DeploymentFactory(system=SystemFactory(name="Synthetic Secret System",
                                           state=choices.State.IN_REVIEW))  # fmt: skip
    _response, text = download(client, LIST_URLS["deployments"] + "?format=csv")
    (row,) = csv_rows(text)
    assert row["system_id"] == row["system_name"] == row["vendor_name"] == ""
    assert "Synthetic Secret System" not in text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(client, start):
    name = f'{start}HYPERLINK("https://example.org/synthetic","Synthetic")'
    DeploymentFactory(agency=AgencyFactory(name=name))
    _response, text = download(client, LIST_URLS["deployments"] + "?format=csv")
    (row,) = csv_rows(text)
    assert row["agency_name"] == "'" + name
    _response, text = download(client, LIST_URLS["deployments"] + "?format=json")
    assert json.loads(text)["results"][0]["agency_name"] == name  # JSON keeps the data as is


@pytest.mark.parametrize(
    "text",
    [" =1+1", "  +1", "\u00a0-1", "\n@SUM(A1)", "\u3000=1", "\uff1d1+1", "\uff0b1", "\uff0d1",
     "\uff20SUM(A1)", " \uff1d1", "\t1", "\r1"],
    ids=["space-equals", "spaces-plus", "nbsp-minus", "newline-at", "ideographic-space-equals",
         "fullwidth-equals", "fullwidth-plus", "fullwidth-minus", "fullwidth-at",
         "space-fullwidth-equals", "tab", "carriage-return"],
)  # fmt: skip
def test_formulas_behind_whitespace_or_in_full_width_are_neutralised(text):
    assert exports.neutralise(text) == "'" + text
    assert exports.csv_cell(text) == "'" + text


def test_ordinary_cells_are_left_alone():
    assert exports.neutralise("Synthetic County Police") == "Synthetic County Police"
    assert exports.neutralise(" Synthetic = Police") == " Synthetic = Police"
    assert exports.csv_cell(["live", "mobile"]) == "live;mobile"
    assert exports.csv_cell(None) == ""
    assert exports.csv_cell(False) == "false"


def test_downloads_say_what_produced_them_and_under_which_licence(client, settings):
    DeploymentFactory(status="active")
    response, text = download(
        client, LIST_URLS["deployments"] + "?status=active&country=us&page=2&format=csv"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="deployments-')
    assert disposition.endswith('.csv"')
    assert response["X-Register-Filters"] == "status=active&country=us"
    assert response["X-Register-Generated"].endswith("Z")
    assert response["Link"] == f'<{settings.DATA_LICENCE_URL}>; rel="license"'
    assert text.splitlines()[0].removeprefix(exports.BOM).startswith("id,url,")  # no comments

    response, text = download(client, LIST_URLS["deployments"] + "?status=active&format=json")
    assert response["Content-Type"] == "application/json"
    meta = json.loads(text)["meta"]
    assert meta["filters"] == {"status": ["active"]}
    assert meta["licence"] == settings.DATA_LICENCE
    assert meta["source_url"] == "http://testserver/deployments/?status=active"
    assert meta["count"] == 1


def test_the_list_page_links_to_its_downloads_with_its_filters(client, many_deployments):
    response = client.get(LIST_URLS["deployments"] + "?status=ended&page=2")
    html = response.content.decode()
    assert 'href="?status=ended&amp;format=csv"' in html
    assert 'href="?status=ended&amp;format=json"' in html


@pytest.mark.parametrize("list_name", list(TYPES))
@pytest.mark.parametrize(
    "query",
    [
        "format=xml",
        "format=csv&status=bogus&kind=bogus&sort=bogus",
        "format=json&sort=nonsense",
        "format=csv&started_from=abc&published_from=19999",
        "format=json&agency=no-such-agency&vendor=no-such-vendor&system=%00",
        "format=csv&country=Germany&region=TX&is_public=maybe&in_force=perhaps",
        "format=csv&q=" + "x" * 500,
        "format=csv&page=999999",
    ],
)
def test_bad_parameters_never_give_a_server_error(client, list_name, query):
    response = client.get(f"{LIST_URLS[list_name]}?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        if "format=json" in query:
            assert "errors" in response.json()
        else:
            assert response["Content-Type"] == "text/plain; charset=utf-8"
    else:
        b"".join(response.streaming_content)


def test_invalid_filters_explain_the_problem_in_the_format_asked_for(client):
    response = client.get(LIST_URLS["deployments"] + "?status=bogus&format=csv")
    assert response.status_code == 400
    text = response.content.decode()
    assert "status" in text and "Accepted values: active" in text
    response = client.get(LIST_URLS["deployments"] + "?status=bogus&format=json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == "status"
    response = client.get(LIST_URLS["deployments"] + "?format=xml")
    assert response.status_code == 400
    assert "format=csv or format=json" in response.content.decode()


def _export_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        download(client, url)
    return len(queries)


@pytest.mark.parametrize("list_name", list(TYPES))
def test_export_query_count_does_not_grow_with_rows(client, list_name):
    factory = {
        "agencies": AgencyFactory, "deployments": DeploymentFactory, "systems": SystemFactory,
        "vendors": VendorFactory, "audits": AuditFactory, "policies": PolicyFactory,
        "sources": SourceFactory,
    }[list_name]  # fmt: skip
    factory()
    few = _export_queries(client, LIST_URLS[list_name] + "?format=csv")
    for _ in range(2):  # 1 row, then 3: a query per row would add two
        factory()
    assert _export_queries(client, LIST_URLS[list_name] + "?format=csv") == few


def test_exports_read_rows_in_chunks(monkeypatch, client):
    monkeypatch.setattr(exports, "BATCH_ROWS", 2)
    for _ in range(5):
        DeploymentFactory()
    response = client.get(LIST_URLS["deployments"] + "?format=csv")
    chunks = list(response.streaming_content)
    assert len(chunks) == 1 + 3  # the header, then 2 + 2 + 1 rows


def test_a_search_exports_the_rows_it_finds_in_the_order_it_shows(client):
    DeploymentFactory(agency=AgencyFactory(name="Synthetic Harbour Police"))
    DeploymentFactory(agency=AgencyFactory(name="Synthetic Harbour Sheriff"))
    DeploymentFactory(agency=AgencyFactory(name="Synthetic Inland Police"))
    url = LIST_URLS["deployments"] + "?q=harbour"
    shown = ids_on_every_page(client, url)
    assert len(shown) == 2
    _response, text = download(client, url + "&format=csv")
    assert [row["id"] for row in csv_rows(text)] == shown
    _response, text = download(client, url + "&format=json")
    assert [row["id"] for row in json.loads(text)["results"]] == shown
