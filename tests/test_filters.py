"""The lists' query string: every filter narrows, several values mean OR, bad input is a 400."""

import datetime

import pytest
from django.http import QueryDict

from registry import choices
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


def rows(list_name, query=""):
    """The rows a list selects for a query string, through its FilterSet."""
    filterset = TYPES[list_name].filterset(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs)


# --- deployments --------------------------------------------------------------


def test_deployments_filter_by_place_and_kind_of_their_agency():
    texas_sheriff = DeploymentFactory(
        agency=AgencyFactory(region="US-TX", kind="sheriff", level="local")
    )
    texas_police = DeploymentFactory(agency=AgencyFactory(region="US-TX", kind="police"))
    british = DeploymentFactory(
        agency=AgencyFactory(country="GB", region="GB-WLS", level="regional")
    )
    assert rows("deployments", "region=US-TX&kind=sheriff") == {texas_sheriff}
    assert rows("deployments", "country=US") == {texas_sheriff, texas_police}
    assert rows("deployments", "country=gb") == {british}
    assert rows("deployments", "level=regional") == {british}


def test_deployments_several_statuses_mean_or():
    active = DeploymentFactory(status="active")
    pilot = DeploymentFactory(status="pilot")
    DeploymentFactory(status="ended")
    assert rows("deployments", "status=active&status=pilot") == {active, pilot}
    assert rows("deployments", "status=pilot") == {pilot}


def test_deployments_filter_by_uses_and_image_sources_any_of():
    live = DeploymentFactory(uses=["live"], image_sources=["watchlist"])
    mobile = DeploymentFactory(uses=["mobile", "retrospective"], image_sources=["mugshots"])
    DeploymentFactory(uses=["verification"], image_sources=["passports_visas"])
    assert rows("deployments", "uses=live") == {live}
    assert rows("deployments", "uses=live&uses=mobile") == {live, mobile}
    assert rows("deployments", "image_sources=mugshots") == {mobile}


def test_deployments_filter_by_agency_system_and_vendor_slug():
    vendor = VendorFactory()
    system = SystemFactory(vendor=vendor)
    by_vendor = DeploymentFactory(system=system)
    other = DeploymentFactory()
    assert rows("deployments", f"vendor={vendor.slug}") == {by_vendor}
    assert rows("deployments", f"system={system.slug}") == {by_vendor}
    assert rows("deployments", f"agency={other.agency.slug}") == {other}
    assert rows("deployments", f"agency={other.agency.slug}&agency={by_vendor.agency.slug}") == {
        other,
        by_vendor,
    }


def test_deployments_filter_by_audit_status():
    audited = DeploymentFactory()
    AuditFactory(system=audited.system)
    untested = DeploymentFactory()
    assert rows("deployments", "audit_status=reported") == {audited}
    assert rows("deployments", "audit_status=none_known") == {untested}


def test_deployments_filter_by_start_year_range():
    early = DeploymentFactory(started=datetime.date(2015, 1, 1), started_precision="year")
    mid = DeploymentFactory(started=datetime.date(2019, 12, 31))
    late = DeploymentFactory(started=datetime.date(2023, 6, 1), started_precision="month")
    DeploymentFactory(started=None)
    assert rows("deployments", "started_from=2019") == {mid, late}
    assert rows("deployments", "started_to=2019") == {early, mid}
    assert rows("deployments", "started_from=2016&started_to=2022") == {mid}


def test_deployments_search_and_sort():
    zulu = DeploymentFactory(agency=AgencyFactory(name="Synthetic Zulu Police"))
    alpha = DeploymentFactory(agency=AgencyFactory(name="Synthetic Alpha Police"))
    assert rows("deployments", "q=zulu") == {zulu}
    filterset = TYPES["deployments"].filterset(QueryDict("sort=-agency"))
    assert list(filterset.qs) == [zulu, alpha]
    filterset = TYPES["deployments"].filterset(QueryDict("sort=agency"))
    assert list(filterset.qs) == [alpha, zulu]


# --- other lists ---------------------------------------------------------------


def test_agencies_filter_by_place_kind_level_and_parent():
    parent = AgencyFactory(country="GB", region="", level="national", kind="other")
    child = AgencyFactory(parent=parent, country="GB", region="GB-ENG", kind="police")
    sheriff = AgencyFactory(kind="sheriff", region="US-TX")
    assert rows("agencies", "country=GB") == {parent, child}
    assert rows("agencies", "region=US-TX") == {sheriff}
    assert rows("agencies", "kind=sheriff&kind=other") == {sheriff, parent}
    assert rows("agencies", "level=national") == {parent}
    assert rows("agencies", f"parent={parent.slug}") == {child}


def test_a_form_built_after_new_records_offers_and_accepts_them(client):
    # Every list's FilterSet shares one form class, built on first use: what
    # is published afterwards must still be in the form and a valid value.
    AgencyFactory(country="GB", region="GB-ENG")
    assert client.get(TYPES["agencies"].list_url()).status_code == 200
    parent = AgencyFactory(country="FR", region="FR-IDF", level="national")
    child = AgencyFactory(parent=parent, country="FR", region="FR-IDF")
    assert rows("agencies", f"parent={parent.slug}") == {child}
    countries = TYPES["agencies"].filterset(QueryDict("")).form.fields["country"].choices
    assert "FR" in [value for value, _label in countries]
    assert "France" in client.get(TYPES["agencies"].list_url()).text


def test_agencies_filter_by_governing_policy():
    named = AgencyFactory(region="US-TX", locality="")
    inside = AgencyFactory(region="US-CA", locality="Synthetic City")
    AgencyFactory(region="US-NY", locality="")
    policy = PolicyFactory(regions=["US-CA"], locality="", agencies=[named])
    assert rows("agencies", f"policy={policy.slug}") == {named, inside}


def test_systems_filter_by_vendor_capabilities_and_audit_status():
    vendor = VendorFactory()
    live = SystemFactory(vendor=vendor, capabilities=["live"])
    mobile = SystemFactory(capabilities=["mobile", "verification"])
    AuditFactory(system=mobile, auditor_kind="vendor")
    assert rows("systems", f"vendor={vendor.slug}") == {live}
    assert rows("systems", "capabilities=live&capabilities=verification") == {live, mobile}
    assert rows("systems", "audit_status=tested") == {mobile}


def test_vendors_filter_by_country():
    japanese = VendorFactory(country="JP")
    VendorFactory(country="US")
    assert rows("vendors", "country=JP") == {japanese}


def test_audits_filter_by_auditor_finding_dimensions_publicity_and_year():
    system = SystemFactory()
    lab = AuditFactory(
        system=system,
        auditor_kind="government_lab",
        finding="no_significant_disparities",
        dimensions=["age"],
        is_public=True,
        published=datetime.date(2019, 12, 1),
    )
    own = AuditFactory(
        auditor_kind="vendor",
        finding="disparities_found",
        dimensions=["sex", "skin_tone"],
        is_public=False,
        published=datetime.date(2021, 1, 1),
    )
    assert rows("audits", "auditor_kind=vendor") == {own}
    assert rows("audits", "finding=no_significant_disparities") == {lab}
    assert rows("audits", "dimensions=skin_tone&dimensions=age") == {lab, own}
    assert rows("audits", "is_public=false") == {own}
    assert rows("audits", "is_public=true") == {lab}
    assert rows("audits", "published_from=2020") == {own}
    assert rows("audits", "published_to=2019") == {lab}
    assert rows("audits", f"system={system.slug}") == {lab}


def test_a_policy_of_several_regions_is_found_under_each_of_them():
    england_and_wales = PolicyFactory(country="GB", regions=["GB-ENG", "GB-WLS"], locality="")
    washington = PolicyFactory(regions=["US-WA"], locality="")
    PolicyFactory(country="GB", regions=["GB-SCT"], locality="")
    assert rows("policies", "region=GB-ENG") == {england_and_wales}
    assert rows("policies", "region=gb-wls&region=US-WA") == {england_and_wales, washington}


def test_policies_filter_by_place_kind_status_requirements_and_agency():
    agency = AgencyFactory()
    ban = PolicyFactory(
        kind="ban", country="US", regions=["US-CA"], requirements=["ban_government_use"]
    )
    statute = PolicyFactory(
        kind="statute",
        status="repealed",
        regions=["US-WA"],
        locality="",
        requirements=["warrant_required", "public_reporting_required"],
        agencies=[agency],
        adopted=datetime.date(2020, 3, 1),
    )
    eu = PolicyFactory(country="EU", regions=[], locality="", kind="regulation")
    assert rows("policies", "country=EU") == {eu}
    assert rows("policies", "region=US-WA") == {statute}
    assert rows("policies", "kind=ban&kind=statute") == {ban, statute}
    assert rows("policies", "status=repealed") == {statute}
    assert rows("policies", "requirements=warrant_required") == {statute}
    assert rows("policies", f"agency={agency.slug}") == {statute}
    assert rows("policies", "in_force=true") == {ban, eu}
    assert rows("policies", "in_force=false") == {statute}
    assert rows("policies", "adopted_from=2020&adopted_to=2020") == {statute}


def test_sources_filter_by_kind_publisher_and_year():
    court = SourceFactory(
        kind="court", publisher="Synthetic Court", published=datetime.date(2020, 1, 1)
    )
    news = SourceFactory(
        kind="news", publisher="Synthetic Gazette", published=datetime.date(2012, 1, 1)
    )
    assert rows("sources", "kind=court") == {court}
    assert rows("sources", "publisher=Synthetic Gazette") == {news}
    assert rows("sources", "publisher=Synthetic Gazette&publisher=Synthetic Court") == {court, news}
    assert rows("sources", "published_to=2015") == {news}


@pytest.mark.parametrize("list_name", sorted(TYPES))
def test_every_list_searches_with_q(list_name):
    filterset = TYPES[list_name].filterset(QueryDict("q=nothing-matches-this-synthetic-text"))
    assert filterset.is_valid()
    assert not filterset.qs.exists()


@pytest.mark.parametrize("list_name", sorted(TYPES))
def test_every_list_only_holds_published_records(list_name):
    spec = TYPES[list_name]
    factory = {
        "agencies": AgencyFactory,
        "deployments": DeploymentFactory,
        "systems": SystemFactory,
        "vendors": VendorFactory,
        "audits": AuditFactory,
        "policies": PolicyFactory,
        "sources": SourceFactory,
    }[list_name]
    draft = factory(state=choices.State.DRAFT)
    assert draft not in rows(list_name)
    assert spec.model.objects.filter(pk=draft.pk).exists()


# --- the pages: bad input, empty values, pagination --------------------------


def test_empty_parameters_are_dropped(client):
    DeploymentFactory.create_batch(2)
    # Redirected to the canonical URL without them (registry/canonical.py).
    response = client.get("/deployments/?status=&country=&started_from=&q=&sort=", follow=True)
    assert response.redirect_chain == [("/deployments/", 301)]
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    assert response.context["query"].urlencode() == ""


@pytest.mark.parametrize(
    ("url", "param", "shown"),
    [
        ("/deployments/?status=operational", "status", "<code>active</code>"),
        ("/deployments/?uses=telepathy", "uses", "<code>retrospective</code>"),
        ("/agencies/?kind=army", "kind", "<code>sheriff</code>"),
        ("/systems/?audit_status=great", "audit_status", "<code>reported</code>"),
        ("/audits/?is_public=maybe", "is_public", "<code>true</code>"),
        ("/policies/?in_force=yes", "in_force", "<code>false</code>"),
        ("/sources/?kind=blog", "kind", "<code>news</code>"),
        ("/deployments/?sort=colour", "sort", "<code>-started</code>"),
        ("/deployments/?agency=no-such-agency", "agency", "id of a published agency"),
        ("/policies/?agency=no-such-agency", "agency", "id of a published agency"),
        ("/agencies/?policy=no-such-policy", "policy", "id of a published policy"),
        ("/systems/?vendor=no-such-vendor", "vendor", "id of a published vendor"),
        ("/deployments/?started_from=last-year", "started_from", "four-digit year"),
        ("/audits/?published_to=99999", "published_to", "four-digit year"),
        ("/policies/?adopted_from=1066", "adopted_from", "four-digit year"),
        ("/vendors/?country=USA", "country", "two-letter ISO 3166-1"),
        ("/agencies/?region=Texas", "region", "ISO 3166-2"),
    ],
)
def test_bad_parameter_is_a_400_naming_it_and_what_is_accepted(client, url, param, shown):
    response = client.get(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<code>{param}</code>" in html
    assert shown in html
    assert '<form method="get"' in html
    assert list(response.context["rows"]) == []


def test_slug_of_a_draft_record_is_unknown(client):
    draft = AgencyFactory(state=choices.State.DRAFT)
    assert client.get(f"/deployments/?agency={draft.slug}").status_code == 400


def test_page_past_the_end_shows_the_last_page(client, settings):
    settings.REGISTER_PAGE_SIZE = 2
    DeploymentFactory.create_batch(5)
    response = client.get("/deployments/?page=99")
    assert response.status_code == 200
    assert response.context["page_obj"].number == 3
    assert len(response.context["rows"]) == 1


@pytest.mark.parametrize("number", ["abc", "-1", "0", "1.5", ""])
def test_page_number_that_is_not_a_page_is_never_an_error(client, settings, number):
    settings.REGISTER_PAGE_SIZE = 2
    DeploymentFactory.create_batch(3)
    # (An empty page= is redirected to the URL without it first: registry/canonical.py.)
    response = client.get(f"/deployments/?page={number}", follow=True)
    assert response.status_code == 200
    assert len(response.context["rows"]) in (1, 2)


def test_pagination_links_keep_the_filters_and_drop_empty_ones(client, settings):
    settings.REGISTER_PAGE_SIZE = 2
    DeploymentFactory.create_batch(3, status="active")
    DeploymentFactory(status="ended")
    response = client.get("/deployments/?status=active&status=pilot&country=&page=1", follow=True)
    html = response.content.decode()
    assert response.context["page_obj"].paginator.count == 3
    assert 'href="?status=active&amp;status=pilot&amp;page=2"' in html
    pagination = html.split('aria-label="Pagination"')[1].split("</nav>")[0]
    assert "country=" not in pagination


def test_form_shows_the_filters_in_force(client):
    agency = AgencyFactory()
    DeploymentFactory(agency=agency)
    html = client.get(f"/deployments/?status=pilot&agency={agency.slug}").content.decode()
    assert 'value="pilot" id="id_status_1" checked' in html
    assert f'name="agency" value="{agency.slug}"' in html
    assert 'aria-labelledby="filters-heading"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["publisher=%00", "sort=,", "sort=%20", "country=U%00S"])
def test_odd_parameters_never_break_a_list(client, query):
    SourceFactory()
    response = client.get(f"/sources/?{query}")
    assert response.status_code in (200, 400)
