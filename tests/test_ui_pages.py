"""
What readers see on the public pages, checked through Django's test client:
lists that put results first, canonical filter URLs, counts in good grammar,
audit badges that do not read as a verdict, home figures that link to what
they count, a findable methodology, and compressed HTML.
"""

import gzip
import re
from pathlib import Path

import pytest
from django.urls import reverse

from registry import choices, search
from tests.factories import (
    AgencyFactory,
    AuditFactory,
    DeploymentFactory,
    PolicyFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "site.css"


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


@pytest.fixture(scope="module")
def audited(module_db):
    """
    One deployment of a system whose published independent audit found
    disparities, and one more, built once: the tests that use it only read
    them, and the module's other tests pass with or without them.
    """
    with search.deferred_indexing():
        system = SystemFactory(name="Synthetic Audited Search")
        AuditFactory(system=system, finding=choices.Finding.DISPARITIES_FOUND)
        deployment = DeploymentFactory(system=system, status=choices.DeploymentStatus.REPORTED)
        DeploymentFactory(status=choices.DeploymentStatus.ACTIVE)
    return deployment


# --- lists: results first ----------------------------------------------------


def test_a_list_shows_its_results_before_the_filter_fields_and_folds_the_form(client, audited):
    html = html_of(client, reverse("registry:deployment-list") + "?status=reported")
    disclosure = re.search(
        r'<details class="filters-disclosure"[^>]*>\s*<summary>([^<]*)</summary>', html
    )
    assert disclosure, "the filter form is not in a disclosure"
    assert disclosure.group(1).strip() == "Filters (1 active)"
    assert " open" not in disclosure.group(0)
    # The form's own fields come after the disclosure's summary; the table after that,
    # and on a narrow screen only the summary line stands before the count.
    assert html.index('id="result-count"') < html.index("<table")
    assert html.index("<table") < html.index('id="facets"')


def test_the_filter_form_is_open_when_a_filter_could_not_be_used(client, audited):
    html = html_of(client, reverse("registry:deployment-list") + "?status=nonsense", status=400)
    assert re.search(r'<details class="filters-disclosure" id="filters" open>', html)


def test_keyboard_users_can_skip_the_table_to_the_facets(client, audited):
    html = html_of(client, reverse("registry:deployment-list"))
    assert '<a href="#facets">Skip the table to narrow down the list</a>' in html
    assert html.index('href="#facets"') < html.index("<table")
    assert re.search(r'<aside class="facets" id="facets" tabindex="-1"', html)


def test_a_list_without_filters_states_its_count_once(client, audited):
    html = html_of(client, reverse("registry:deployment-list"))
    assert "2 deployments." in html
    assert "Deployments: 2" not in html


# --- canonical URLs ------------------------------------------------------------


def test_a_list_url_with_empty_parameters_redirects_to_the_url_without_them(client):
    url = reverse("registry:deployment-list")
    response = client.get(url + "?q=&status=active&region=&agency=&sort=")
    assert response.status_code == 301
    assert response["Location"] == url + "?status=active"
    response = client.get(url + "?q=&region=")
    assert response.status_code == 301
    assert response["Location"] == url


def test_a_list_url_without_empty_parameters_is_served(client):
    url = reverse("registry:agency-list")
    assert client.get(url + "?country=US").status_code == 200
    assert client.get(url).status_code == 200


def test_only_public_lists_are_redirected(client):
    # The search page and the API keep their own handling of an empty q.
    assert client.get(reverse("registry:search") + "?q=").status_code == 200


# --- grammar in counts -----------------------------------------------------------


def test_counts_agree_with_their_number(client, audited):
    url = reverse("registry:deployment-list")
    assert "1 deployment matches these filters" in html_of(client, url + "?status=reported")
    assert "2 deployments match these filters" in html_of(client, url + "?q=synthetic")


def test_policy_counts_in_the_agency_list_agree_with_their_number(client):
    with search.deferred_indexing():
        agency = AgencyFactory(name="Synthetic Governed Police", country="GB", region="GB-ENG")
        PolicyFactory(agencies=[agency], status=choices.PolicyStatus.IN_FORCE)
    html = html_of(client, reverse("registry:agency-list"))
    assert " policy governs Synthetic Governed Police" in html
    assert "policies governing" not in html


# --- honest badges and words -------------------------------------------------------


def test_a_published_audit_that_found_disparities_is_not_drawn_as_a_pass(client, audited):
    html = html_of(client, audited.get_absolute_url())
    rung = re.search(r'<a class="badge ([^"]*)"[^>]*>(.*?)</a>', html)
    assert "badge--rung" in rung.group(1)
    assert "Independent audit published" in rung.group(2)
    finding = re.search(r'<span class="badge ([^"]*)">(.*?)</span>(?=\s*\()', html) or re.search(
        r'<span class="badge (badge--finding[^"]*)">(.*?)</span></span>', html
    )
    assert "badge--finding-disparities_found" in finding.group(1)
    assert "Latest finding: Disparities found" in finding.group(2)


def test_the_deployment_list_shows_the_finding_beside_the_rung(client, audited):
    html = html_of(client, reverse("registry:deployment-list"))
    assert "Latest finding: Disparities found" in html


def test_the_audit_rung_is_never_drawn_in_the_colour_of_a_pass():
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", CSS.read_text())
    rung_rules = [body for sel, body in rules if re.search(r"badge--(rung|reported)\b", sel)]
    assert rung_rules
    assert not any("--ok-" in body for body in rung_rules)


def test_a_reported_deployment_reads_as_unconfirmed(client, audited):
    html = html_of(client, audited.get_absolute_url())
    assert "Reported, unconfirmed" in html
    # The value in URLs and downloads is unchanged.
    response = client.get(reverse("registry:deployment-list") + "?status=reported&format=csv")
    assert b",reported," in b"".join(response.streaming_content)


def test_home_figures_link_to_the_lists_they_count(client, audited):
    html = html_of(client, reverse("registry:home"))
    assert re.search(r'<a href="/deployments/\?audit_status=reported">1 of 2 deployments</a>', html)
    assert '<a href="/deployments/?status=active">' in html


def test_home_advertises_its_atom_feed(client):
    html = html_of(client, reverse("registry:home"))
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" [^>]*href="/changes/feed/"', html
    )


def test_the_methodology_has_contents_down_to_each_vocabulary(client):
    html = html_of(client, reverse("registry:methodology"))
    contents = html[
        html.index('class="contents"') : html.index("</nav>", html.index('class="contents"'))
    ]
    anchors = re.findall(r'href="#([^"]+)"', contents)
    assert "vocabulary-deployment-status" in anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor


def test_anchors_land_visibly():
    css = CSS.read_text()
    assert ":target { scroll-margin-top:" in css
    assert "h2:target" in css


# --- compression -------------------------------------------------------------------


def test_html_is_compressed_with_the_breach_padding(client, audited):
    url = reverse("registry:deployment-list")
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    body = response.content
    # Django's BREACH mitigation: random bytes in the gzip header's file name field.
    assert body[3] & 0x08, "no FNAME padding in the gzip header"
    assert b"<table" in gzip.decompress(body)
    assert len(body) < len(client.get(url).content) / 3


def test_the_main_navigation_leads_to_the_places(client):
    # "Does my city use face recognition?" starts from a place: the map, the
    # countries, regions and localities are one step away from every page.
    nav = html_of(client, reverse("registry:methodology")).split('aria-label="Main"')[1]
    assert f'<a href="{reverse("registry:places")}">Places</a>' in nav.split("</nav>")[0]
    place_page = html_of(client, reverse("registry:places"))
    assert f'<a href="{reverse("registry:places")}" aria-current="page">Places</a>' in place_page
