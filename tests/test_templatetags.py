"""Template helpers: dates at their precision, enum labels, safe links, figures."""

import datetime

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from registry.templatetags import registry_tags as tags
from registry.types import TYPES
from tests.factories import AgencyFactory, DeploymentFactory, SourceFactory


def test_partial_dates_show_only_what_is_known():
    source = SourceFactory.build(published=datetime.date(2019, 5, 1), published_precision="month")
    assert tags.partial(source, "published") == "May 2019"
    assert tags.partial_iso(source, "published") == "2019-05"
    source.published_precision = "year"
    assert tags.partial(source, "published") == "2019"
    source.published = None
    assert tags.partial(source, "published") == ""
    assert tags.partial_iso(source, "published") == ""


def test_labels_of_a_multi_valued_enum_in_order():
    deployment = DeploymentFactory.build(uses=["mobile", "live"])
    assert tags.labels(deployment, "uses") == ["Mobile (handheld)", "Live surveillance"]
    assert tags.labels(DeploymentFactory.build(uses=[]), "uses") == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("HTTP://example.org/a", "HTTP://example.org/a"),
        ("javascript:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("data:text/html,x", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_only_http_links_are_kept(url, expected):
    assert tags.safe_url(url) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1e-05, "0.00001"), (0.31, "0.31"), (28, "28"), (2.0, "2"), ("n/a", "n/a"), (None, "—")],
)
def test_measured_figures_are_never_in_exponent_form(value, shown):
    assert tags.metric_value(value) == shown


def test_metric_names_read_as_words():
    assert tags.humanize_key("false_match_rate") == "False match rate"


@pytest.mark.django_db
def test_is_public_only_for_published_and_retracted_records():
    assert tags.is_public(AgencyFactory(state="published"))
    assert tags.is_public(AgencyFactory(state="retracted"))
    assert not tags.is_public(AgencyFactory(state="draft"))
    assert not tags.is_public(None)


@pytest.mark.parametrize(
    ("path", "current"),
    [("/agencies/", True), ("/agencies/synthetic-county-police-1/", True), ("/systems/", False)],
)
def test_nav_link_marks_its_section_as_current(path, current):
    request = RequestFactory().get(path)
    html = Template('{% nav_link "registry:agency-list" "Agencies" %}').render(
        Context({"request": request})
    )
    assert ('aria-current="page"' in html) is current
    assert 'href="/agencies/"' in html


@pytest.mark.django_db
def test_record_link_links_public_records_and_escapes_names():
    published = AgencyFactory(name="Synthetic <b>Bold</b> Police")
    draft = AgencyFactory(name="Synthetic Draft & Police", state="draft")

    assert tags.record_link(published) == (
        f'<a href="{published.get_absolute_url()}">Synthetic &lt;b&gt;Bold&lt;/b&gt; Police</a>'
    )
    assert tags.record_link(draft) == "Synthetic Draft &amp; Police"


def test_known_date_is_a_time_element_at_its_precision_or_not_known():
    deployment = DeploymentFactory.build(
        started=datetime.date(2019, 5, 1), started_precision="month"
    )
    assert tags.known_date(deployment, "started") == '<time datetime="2019-05">May 2019</time>'
    deployment.started = None
    assert tags.known_date(deployment, "started") == '<span class="muted">Not known</span>'


def test_audit_badge_links_its_definition_and_can_add_the_latest_finding():
    deployment = DeploymentFactory.build(
        audit_status="tested",
        audit_finding="disparities_found",
        audit_date=datetime.date(2021, 1, 1),
        audit_date_precision="year",
    )
    badge = '<a class="badge badge--rung badge--tested" href="/methodology/#audit-status-tested">'

    assert tags.audit_badge(deployment).startswith(badge)
    assert "Latest finding" not in tags.audit_badge(deployment)
    assert tags.audit_badge(deployment, "with_finding").endswith(
        'Latest finding: Disparities found</span> (<time datetime="2021">2021</time>)</span>'
    )


@pytest.mark.django_db
def test_filter_form_choices_keep_the_selection_and_escape_values():
    SourceFactory(publisher='Synthetic "Quoted" <Gazette>')
    AgencyFactory(country="US", region="")
    data = QueryDict("status=pilot&country=US")
    deployment_form = TYPES["deployments"].filterset(data).form
    source_form = TYPES["sources"].filterset(QueryDict("")).form

    status = str(tags.checkbox_items(deployment_form["status"]))
    country = str(tags.select_tag(deployment_form["country"]))
    publisher = str(tags.select_tag(source_form["publisher"]))

    assert '<input type="checkbox" name="status" value="pilot" id="id_status_1" checked>' in status
    assert '<label for="id_status_0">' in status and "> Active</label>" in status
    assert country.startswith('<select name="country" id="id_country">')
    assert '<option value="">Any</option>' in country
    assert '<option value="US" selected>United States</option>' in country
    assert "&quot;Quoted&quot; &lt;Gazette&gt;" in publisher and "<Gazette>" not in publisher
