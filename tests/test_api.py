"""The read-only JSON API at /api/v1/: same rows as the lists, published records only."""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registry import choices
from registry.api import views as api_views
from registry.format import SPEC
from registry.models import Agency
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

DRAFT = choices.State.DRAFT
RETRACTED = choices.State.RETRACTED


def list_url(name, query=""):
    url = reverse(f"api:{TYPES[name].model._meta.model_name}-list")
    return f"{url}?{query}" if query else url


def detail_url(obj):
    return reverse(f"api:{obj._meta.model_name}-detail", kwargs={"id": obj.slug})


def ids(client, name, query=""):
    response = client.get(list_url(name, query))
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def one_of_each():
    """One published record of each type, linked the way the register links them."""
    deployment = DeploymentFactory(started=datetime.date(2019, 5, 1), started_precision="month")
    policy = PolicyFactory(agencies=[deployment.agency])
    deployment.policies.set([policy])
    audit = AuditFactory(system=deployment.system, deployment=deployment)
    return {
        "sources": deployment.sources.get(),
        "vendors": deployment.system.vendor,
        "systems": deployment.system,
        "agencies": deployment.agency,
        "deployments": deployment,
        "policies": policy,
        "audits": audit,
    }


@pytest.fixture
def register():
    """``one_of_each()`` for a test that changes it."""
    return one_of_each()


class ReadsOneOfEach:
    """Base of the classes whose tests only read ``register``: built once per class."""

    @pytest.fixture(scope="class")
    @classmethod
    def register(cls, class_db):
        return one_of_each()


# --- every endpoint -------------------------------------------------------------


class TestEveryType(ReadsOneOfEach):
    @pytest.mark.parametrize("name", list(TYPES))
    def test_every_list_and_record_answers_with_json(self, client, register, name):
        record = register[name]

        listed = client.get(list_url(name))
        detail = client.get(detail_url(record))

        assert listed.status_code == 200
        assert listed["Content-Type"] == "application/json"
        assert record.slug in [row["id"] for row in listed.json()["results"]]
        assert detail.status_code == 200
        assert detail.json()["id"] == record.slug
        assert detail.json()["html_url"] == f"http://testserver{record.get_absolute_url()}"
        assert detail.json()["api_url"] == f"http://testserver{detail_url(record)}"

    @pytest.mark.parametrize("name", list(TYPES))
    def test_field_names_are_the_data_formats_keys(self, client, register, name):
        row = client.get(detail_url(register[name])).json()

        format_keys = set(SPEC[name]["keys"]) - {"state"}
        assert format_keys <= set(row)
        assert {"api_url", "html_url", "last_updated", "last_verified"} <= set(row)


def test_every_field_is_present_with_null_for_what_the_register_does_not_have(client):
    agency = AgencyFactory(acronym="", kind="", region="", parent=None, website="")

    row = client.get(detail_url(agency)).json()

    assert row["acronym"] is None
    assert row["kind"] is None
    assert row["region"] is None
    assert row["parent"] is None
    assert row["website"] is None


def test_related_records_are_objects_with_their_id_name_and_api_url(client, register):
    deployment = register["deployments"]

    row = client.get(detail_url(deployment)).json()

    assert row["agency"] == {
        "id": deployment.agency.slug,
        "name": deployment.agency.name,
        "api_url": f"http://testserver{detail_url(deployment.agency)}",
    }
    assert [p["id"] for p in row["policies"]] == [register["policies"].slug]
    assert row["started"] == "2019-05"  # at the precision known, never padded


def test_systems_and_deployments_carry_their_audit_status(client, register):
    system = client.get(detail_url(register["systems"])).json()

    assert system["audit_status"] == "reported"
    assert system["audit_finding"] == "disparities_found"


def test_root_lists_every_endpoint_the_schema_and_the_docs(client):
    root = client.get(reverse("api:root")).json()

    assert set(TYPES) <= set(root)
    assert root["schema"] == "http://testserver/api/v1/schema/"
    assert root["docs"] == "http://testserver/api/"


# --- the same rows as the HTML lists ---------------------------------------------


QUERIES = [
    ("deployments", ""),
    ("deployments", "uses=live"),
    ("deployments", "uses=live&uses=retrospective"),
    ("deployments", "country=gb"),
    ("deployments", "status=pilot&status=ended"),
    ("deployments", "audit_status=tested"),
    ("deployments", "started_from=2019"),
    ("deployments", "image_sources=watchlist"),
    ("deployments", "q=synthetic county"),
    ("deployments", "sort=-started"),
    ("agencies", "kind=sheriff"),
    ("agencies", "region=US-TX&region=GB-WLS"),
    ("agencies", "sort=-name"),
    ("systems", "capabilities=live"),
    ("systems", "audit_status=reported&audit_status=tested"),
    ("vendors", "country=JP"),
    ("vendors", "sort=-name"),
    ("audits", "finding=inconclusive"),
    ("audits", "is_public=false"),
    ("audits", "dimensions=age"),
    ("policies", "kind=ban"),
    ("policies", "in_force=true"),
    ("policies", "country=GB&sort=-title"),
    ("sources", "kind=court"),
    ("sources", "published_from=2020"),
]


class TestVariedRecords:
    """Filters and orders on records built once for the class (its tests only read)."""

    @pytest.fixture(scope="class")
    @classmethod
    def varied(cls, class_db):
        """Records that differ on every filter, so each query below selects some, not all."""
        vendor = VendorFactory(country="JP")
        us_live = DeploymentFactory(
            agency=AgencyFactory(region="US-TX", kind="sheriff"),
            system=SystemFactory(vendor=vendor, capabilities=["live"]),
            uses=["live"],
            status="pilot",
            started=datetime.date(2018, 1, 1),
        )
        gb = DeploymentFactory(
            agency=AgencyFactory(country="GB", region="GB-WLS", level="regional"),
            uses=["retrospective"],
            image_sources=["watchlist"],
            started=datetime.date(2021, 3, 1),
        )
        DeploymentFactory(uses=["verification"], status="ended")
        AuditFactory(system=us_live.system, auditor_kind="vendor", is_public=False)
        AuditFactory(system=gb.system, finding="inconclusive", dimensions=["age"])
        PolicyFactory(kind="ban", status="proposed", agencies=[gb.agency])
        PolicyFactory(kind="statute", country="GB", regions=["GB-WLS"], locality="")
        SourceFactory(
            kind="court", publisher="Synthetic Court", published=datetime.date(2020, 1, 1)
        )
        return vendor

    @pytest.mark.parametrize(("name", "query"), QUERIES)
    def test_api_lists_select_the_same_rows_in_the_same_order_as_the_html_lists(
        self, client, varied, name, query
    ):
        filterset = TYPES[name].filterset(QueryDict(query))
        assert filterset.is_valid(), filterset.errors
        expected = [row.slug for row in filterset.qs]

        assert ids(client, name, f"{query}&page_size=200") == expected

    def test_filtering_by_a_related_records_id(self, client, varied):
        system = varied.systems.get()

        assert ids(client, "systems", f"vendor={varied.slug}") == [system.slug]
        assert len(ids(client, "deployments", f"vendor={varied.slug}")) == 1


# --- published records only -------------------------------------------------------


@pytest.mark.parametrize("state", [DRAFT, choices.State.IN_REVIEW, RETRACTED])
def test_unpublished_records_are_in_no_list_and_have_no_record_url(client, register, state):
    hidden = AgencyFactory(state=state, name="Synthetic Unpublished Police 00001")

    assert hidden.slug not in ids(client, "agencies")
    assert client.get(list_url("agencies", "q=unpublished")).json()["count"] == 0
    assert client.get(detail_url(hidden)).status_code == 404


def test_an_unpublished_related_record_is_null_and_left_out_of_lists(client):
    hidden_source = SourceFactory(state=DRAFT)
    shown_source = SourceFactory()
    deployment = DeploymentFactory(
        agency=AgencyFactory(state=DRAFT, name="Synthetic Secret Police 00001"),
        system=SystemFactory(state=DRAFT),
        sources=[hidden_source, shown_source],
    )

    row = client.get(detail_url(deployment)).json()

    assert row["agency"] is None
    assert row["system"] is None
    assert [s["id"] for s in row["sources"]] == [shown_source.slug]
    assert b"Synthetic Secret Police" not in client.get(list_url("deployments")).content


def test_an_audits_deployment_is_named_without_its_unpublished_agency(client):
    deployment = DeploymentFactory(agency=AgencyFactory(state=DRAFT, name="Synthetic Hidden 01"))
    audit = AuditFactory(system=None, deployment=deployment)

    row = client.get(detail_url(audit)).json()

    assert "Synthetic Hidden" not in row["deployment"]["name"]


# --- bad parameters ----------------------------------------------------------------


class TestBadParameters(ReadsOneOfEach):
    @pytest.mark.parametrize(
        ("name", "query", "param"),
        [
            ("deployments", "uses=drone", "uses"),
            ("deployments", "country=USA", "country"),
            ("deployments", "agency=no-such-agency", "agency"),
            ("deployments", "started_from=19", "started_from"),
            ("deployments", "started_to=abc", "started_to"),
            ("deployments", "sort=password", "sort"),
            ("agencies", "policy=no-such-policy", "policy"),
            ("policies", "in_force=maybe", "in_force"),
            ("audits", "is_public=1", "is_public"),
            ("sources", "q=" + "x" * 201, "q"),
            ("sources", "q=%00", "q"),
            ("sources", "publisher=a%00b", "publisher"),
            ("deployments", "agency=a%00b", "agency"),
        ],
    )
    def test_a_bad_parameter_is_a_400_naming_it_never_a_500(
        self, client, register, name, query, param
    ):
        response = client.get(list_url(name, query))

        assert response.status_code == 400
        body = response.json()
        assert [error["param"] for error in body["errors"]] == [param]
        assert body["errors"][0]["messages"]


def test_a_400_lists_the_values_a_vocabulary_parameter_accepts(client):
    error = client.get(list_url("deployments", "uses=drone")).json()["errors"][0]

    assert error["accepted"] == list(choices.Use.values)


def test_empty_and_unknown_parameters_are_ignored(client, register):
    assert ids(client, "agencies", "kind=&country=&colour=blue") == ids(client, "agencies")


def test_a_record_url_ignores_list_filters(client, register):
    agency = register["agencies"]

    assert client.get(detail_url(agency) + "?kind=drone").status_code == 200


@pytest.mark.parametrize("record_id", ["no-such-agency", "Not An Id", "a\x00b"])
def test_an_unknown_id_is_a_json_404(client, record_id):
    response = client.get(reverse("api:agency-detail", kwargs={"id": record_id}))

    assert response.status_code == 404
    assert record_id in response.json()["detail"]


# --- pagination ----------------------------------------------------------------------


@pytest.fixture
def three_vendors():
    return [VendorFactory(name=f"Synthetic Vendor {n}") for n in "ABC"]


def test_pages_have_count_and_next_and_previous_links_that_keep_the_filters(client, three_vendors):
    first = client.get(list_url("vendors", "country=US&page_size=2")).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert first["previous"] is None
    assert "country=US" in first["next"]
    assert [r["id"] for r in first["results"] + second["results"]] == [
        v.slug for v in three_vendors
    ]
    assert second["next"] is None
    assert second["previous"] is not None


def test_page_size_is_capped(client, three_vendors, monkeypatch):
    monkeypatch.setattr(api_views.RegisterPagination, "max_page_size", 2)

    response = client.get(list_url("vendors", "page_size=500"))

    assert len(response.json()["results"]) == 2
    assert api_views.MAX_PAGE_SIZE == 200


@pytest.mark.parametrize("page_size", ["abc", "0", "-5", "2.5"])
def test_a_page_size_that_is_not_a_positive_number_gives_the_default(
    client, three_vendors, monkeypatch, page_size
):
    monkeypatch.setattr(api_views.RegisterPagination, "page_size", 2)

    response = client.get(list_url("vendors", f"page_size={page_size}"))

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


@pytest.mark.parametrize("page", ["99", "0", "abc", "-1"])
def test_a_page_that_does_not_exist_is_a_json_404(client, three_vendors, page):
    response = client.get(list_url("vendors", f"page={page}"))

    assert response.status_code == 404
    assert response.json()["detail"]


def test_an_empty_sort_keeps_the_lists_order(client, three_vendors):
    assert ids(client, "vendors", "sort=,") == [v.slug for v in three_vendors]


# --- read-only, open to every origin ---------------------------------------------------


class TestWriteMethods(ReadsOneOfEach):
    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_write_methods_are_refused_without_needing_a_csrf_token(self, register, method):
        client = Client(enforce_csrf_checks=True)
        agency = register["agencies"]

        for url in (list_url("agencies"), detail_url(agency)):
            response = getattr(client, method)(
                url, {"name": "Synthetic"}, content_type="application/json"
            )
            assert response.status_code == 405, url
        assert Agency.objects.get(pk=agency.pk).name == agency.name


def test_any_origin_may_read_the_api(client, register):
    response = client.get(list_url("agencies"), headers={"Origin": "https://example.org"})

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "etag" in response["Access-Control-Expose-Headers"].lower()


def test_a_cors_preflight_allows_reading_only(client):
    response = client.options(
        list_url("agencies"),
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )

    allowed = response["Access-Control-Allow-Methods"]
    assert "GET" in allowed
    assert "POST" not in allowed and "DELETE" not in allowed


def test_the_html_pages_do_not_allow_other_origins(client):
    response = client.get(
        reverse("registry:agency-list"), headers={"Origin": "https://example.org"}
    )

    assert "Access-Control-Allow-Origin" not in response


# --- conditional requests ----------------------------------------------------------------


def _later(record, **changes):
    """
    Save a change as the admin does (so history records it), dated an hour from
    now: past the one-second grain of HTTP dates.
    """
    record.refresh_from_db()
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()
    later = timezone.now() + datetime.timedelta(hours=1)
    record.history.filter(pk=record.history.first().pk).update(history_date=later)


def _touch(record):
    _later(record, name="Synthetic Renamed")


def test_a_client_with_the_current_etag_gets_304_until_a_record_changes(client, register):
    url = list_url("deployments")
    first = client.get(url)
    etag = first["ETag"]

    unchanged = client.get(url, headers={"If-None-Match": etag})
    _touch(register["agencies"])  # a related record: its name is in every deployment
    changed = client.get(url, headers={"If-None-Match": etag})

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Synthetic Renamed" in changed.content.decode()


def test_a_client_with_the_current_date_gets_304_until_a_record_changes(client, register):
    url = detail_url(register["vendors"])
    last_modified = client.get(url)["Last-Modified"]

    unchanged = client.get(url, headers={"If-Modified-Since": last_modified})
    _touch(register["vendors"])
    changed = client.get(url, headers={"If-Modified-Since": last_modified})

    assert unchanged.status_code == 304
    assert changed.status_code == 200


def test_unpublishing_a_record_changes_the_etag(client, register):
    url = list_url("agencies")
    etag = client.get(url)["ETag"]

    _later(register["agencies"], state=DRAFT)

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_etags_differ_by_query_string(client, register):
    assert (
        client.get(list_url("agencies"))["ETag"]
        != client.get(list_url("agencies", "kind=police"))["ETag"]
    )


def test_policies_change_daily_because_in_force_depends_on_the_date(client, register):
    response = client.get(list_url("policies"))
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)

    stamp = datetime.datetime.strptime(response["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
    assert stamp.replace(tzinfo=datetime.UTC) >= midnight


def test_errors_carry_no_validators(client):
    response = client.get(list_url("agencies", "kind=drone"))

    assert "ETag" not in response
    assert "Last-Modified" not in response


# --- query counts ---------------------------------------------------------------------------


def _deployment_with_policy():
    deployment = DeploymentFactory()
    deployment.policies.set([PolicyFactory()])
    return deployment


BUILDERS = {
    "agencies": lambda: AgencyFactory(parent=AgencyFactory()),
    "deployments": _deployment_with_policy,
    "systems": SystemFactory,
    "vendors": VendorFactory,
    "audits": lambda: AuditFactory(deployment=DeploymentFactory()),
    "policies": lambda: PolicyFactory(agencies=[AgencyFactory()]),
    "sources": SourceFactory,
}


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", list(TYPES))
def test_a_list_page_costs_the_same_number_of_queries_for_1_and_3_rows(client, name):
    # Three rows are enough: a query per row would add two queries (or more).
    url = list_url(name, "page_size=200")
    BUILDERS[name]()
    one = _queries(client, url)
    for _ in range(2):
        BUILDERS[name]()
    three = _queries(client, url)

    assert client.get(url).json()["count"] >= 3
    assert three == one


def test_a_304_is_decided_with_one_query(client, register):
    url = list_url("deployments")
    etag = client.get(url)["ETag"]

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert len(captured) == 1


# --- the docs page ------------------------------------------------------------------------------


def test_the_docs_page_documents_every_endpoint_parameter_and_field(client):
    page = client.get(reverse("api:docs")).content.decode()

    for name in TYPES:
        assert f'id="endpoint-{name}"' in page
    assert "<code>audit_status</code>" in page
    assert "<code>none_known</code>" in page
    assert "<code>html_url</code>" in page
    assert "<script" not in page


def test_the_footer_links_to_the_api_docs(client):
    page = client.get(reverse("registry:home")).content.decode()

    assert f'href="{reverse("api:docs")}"' in page


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda t: t.name)
def test_the_docs_examples_are_valid_queries(client, record_type):
    assert record_type.example_query
    response = client.get(list_url(record_type.name, record_type.example_query))
    assert response.status_code == 200
    assert response.json()["results"] == []  # valid, and nothing matches in an empty register


def test_sources_use_their_title_as_the_name_of_a_reference(client):
    source = SourceFactory(title="Synthetic Report on Synthetic Faces")
    vendor = VendorFactory(sources=[source])

    row = client.get(detail_url(vendor)).json()

    assert row["sources"][0]["name"] == "Synthetic Report on Synthetic Faces"
