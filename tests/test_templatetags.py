"""Template helpers: dates at their precision, enum labels, safe links, figures."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from registry.templatetags import registry_tags as tags
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
