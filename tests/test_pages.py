"""The public pages: every page renders, visibility rules hold, and what readers see is right."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from registry import choices, search
from registry.types import RECORD_TYPES
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

#: Each record type's list page (``registry.types``).
LIST_URL_NAMES = [record_type.url_name for record_type in RECORD_TYPES]
FACTORIES = {
    "agency": AgencyFactory,
    "deployment": DeploymentFactory,
    "system": SystemFactory,
    "vendor": VendorFactory,
    "audit": AuditFactory,
    "policy": PolicyFactory,
    "source": SourceFactory,
}


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def linked_register():
    """A small synthetic register in which every kind of record links to the others."""
    with search.deferred_indexing():
        return _linked_register()


def _linked_register():
    source = SourceFactory(
        title="Synthetic Report On Face Search",
        published=datetime.date(2019, 5, 1),
        published_precision=choices.DatePrecision.MONTH,
        archived_url="https://archive.example.org/synthetic/00001",
    )
    vendor = VendorFactory(sources=[source])
    system = SystemFactory(vendor=vendor, sources=[source])
    parent = AgencyFactory(name="Synthetic State Department Of Justice", level="regional")
    agency = AgencyFactory(parent=parent, sources=[source])
    policy = PolicyFactory(agencies=[agency], sources=[source])
    deployment = DeploymentFactory(agency=agency, system=system, sources=[source])
    deployment.policies.set([policy])
    audit = AuditFactory(
        system=system,
        metrics=[{"metric": "false_match_rate", "group": "synthetic group A", "value": 1e-05}],
        sources=[source],
    )
    return {
        "source": source,
        "vendor": vendor,
        "system": system,
        "agency": agency,
        "parent": parent,
        "policy": policy,
        "deployment": deployment,
        "audit": audit,
    }


@pytest.fixture
def register():
    """``linked_register()`` for one test."""
    return linked_register()


class ReadsTheRegister:
    """Base of the classes whose tests only read ``register``: built once per class."""

    @pytest.fixture(scope="class")
    @classmethod
    def register(cls, class_db):
        return linked_register()


# --- every page renders -----------------------------------------------------


class TestEveryPage(ReadsTheRegister):
    @pytest.mark.parametrize(
        "url_name", ["registry:home", "registry:methodology", "registry:search", *LIST_URL_NAMES]
    )
    def test_every_public_page_renders(self, client, register, url_name):
        page(client, reverse(url_name))

    @pytest.mark.parametrize("kind", sorted(FACTORIES))
    def test_every_record_page_renders_with_its_name(self, client, register, kind):
        record = register[kind]
        html = page(client, record.get_absolute_url())
        assert record.slug in html


@pytest.mark.parametrize("url_name", LIST_URL_NAMES)
def test_lists_render_when_the_register_is_empty(client, url_name):
    html = page(client, reverse(url_name))
    assert "0 " in html


def test_home_renders_when_the_register_is_empty(client):
    html = page(client, reverse("registry:home"))
    assert "no deployments recorded yet" in html


# --- visibility -------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("state", [choices.State.DRAFT, choices.State.IN_REVIEW])
def test_unpublished_records_are_not_found(client, kind, state):
    record = FACTORIES[kind](state=state)
    page(client, record.get_absolute_url(), status=404)


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_unpublished_records_are_not_listed(client, kind):
    record = FACTORIES[kind](state=choices.State.DRAFT)
    html = page(client, reverse(f"registry:{kind}-list"))
    assert record.get_absolute_url() not in html


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_retracted_record_shows_withdrawn_note_and_leaves_lists(client, kind):
    record = FACTORIES[kind](
        state=choices.State.RETRACTED, public_note="Synthetic note: the source was misread."
    )
    html = page(client, record.get_absolute_url())
    assert "Withdrawn" in html
    assert "Synthetic note: the source was misread." in html
    assert record.get_absolute_url() not in page(client, reverse(f"registry:{kind}-list"))


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_unknown_slug_shows_the_not_found_page(client, kind):
    html = page(client, f"/{reverse(f'registry:{kind}-list').strip('/')}/no-such-record/", 404)
    assert "Page not found" in html
    assert 'href="/search/"' in html


def test_draft_sources_are_not_cited(client):
    draft = SourceFactory(state=choices.State.DRAFT, title="Synthetic Unpublished Source")
    agency = AgencyFactory(sources=[draft, SourceFactory()])
    assert "Synthetic Unpublished Source" not in page(client, agency.get_absolute_url())


def test_draft_parent_agency_is_not_shown(client):
    parent = AgencyFactory(state=choices.State.DRAFT, name="Synthetic Hidden Parent Agency")
    child = AgencyFactory(parent=parent)
    assert "Synthetic Hidden Parent Agency" not in page(client, child.get_absolute_url())


def test_server_error_page_renders_without_request_or_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "/static/css/site.css" in html


# --- escaping ---------------------------------------------------------------


def test_imported_text_is_escaped_everywhere(client):
    agency = AgencyFactory(name="<script>alert('synthetic')</script>", acronym="<b>X</b>")
    deployment = DeploymentFactory(agency=agency, description="<img src=x onerror=alert(1)>")
    urls = [
        agency.get_absolute_url(),
        deployment.get_absolute_url(),
        reverse("registry:agency-list"),
        reverse("registry:deployment-list"),
        reverse("registry:home"),
        reverse("registry:search") + "?q=alert",
    ]
    for url in urls:
        html = page(client, url)
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert" in html, url


def test_non_http_links_never_reach_an_href(client):
    source = SourceFactory(url="javascript:alert(1)", archived_url="javascript:alert(2)")
    agency = AgencyFactory(sources=[source], website="javascript:alert(3)")
    for url in (agency.get_absolute_url(), source.get_absolute_url(), "/sources/"):
        assert 'href="javascript:' not in page(client, url)


def test_bad_filter_value_is_escaped_in_the_error_message(client):
    html = page(client, "/deployments/?status=<script>x</script>", status=400)
    assert "<script>x" not in html
    assert "&lt;script&gt;x" in html


# --- what readers see --------------------------------------------------------


def test_home_shows_headline_figures(client):
    reported = SystemFactory()
    AuditFactory(system=reported, auditor_kind=choices.AuditorKind.GOVERNMENT_LAB, is_public=True)
    untested = SystemFactory()
    DeploymentFactory(system=reported, status=choices.DeploymentStatus.ACTIVE)
    DeploymentFactory(system=untested, status=choices.DeploymentStatus.ACTIVE)
    DeploymentFactory(system=untested, status=choices.DeploymentStatus.ENDED)
    DeploymentFactory(system=reported, status=choices.DeploymentStatus.ACTIVE)
    DeploymentFactory(state=choices.State.DRAFT, status=choices.DeploymentStatus.ACTIVE)
    PolicyFactory(status=choices.PolicyStatus.IN_FORCE)
    PolicyFactory(status=choices.PolicyStatus.ENACTED)
    PolicyFactory(status=choices.PolicyStatus.REPEALED)
    PolicyFactory(status=choices.PolicyStatus.IN_FORCE, ends=datetime.date(2001, 1, 1))
    html = page(client, reverse("registry:home"))
    # 4 published deployments on 4 agencies (+1 draft deployment's agency, also published).
    assert "<strong>5</strong>" in html  # agencies
    assert "<strong>3</strong>" in html  # active deployments, draft excluded
    assert "<strong>50%</strong>" in html  # 2 of 4 use a system with a published audit
    assert ">2 of 4 deployments</a>" in html  # linked to the list it counts
    assert "<strong>2</strong>" in html  # policies in force


def test_home_lists_recently_updated_records(client, register):
    html = page(client, reverse("registry:home"))
    assert register["deployment"].get_absolute_url() in html
    assert register["policy"].get_absolute_url() in html


@pytest.mark.parametrize(
    ("auditor_kind", "is_public", "badge"),
    [
        (None, None, "No bias test known"),
        (choices.AuditorKind.VENDOR, True, "Tested by vendor or agency only"),
        (choices.AuditorKind.AGENCY, True, "Tested by vendor or agency only"),
        (choices.AuditorKind.ACADEMIC, False, "Independently audited, report not public"),
        (choices.AuditorKind.GOVERNMENT_LAB, True, "Independent audit published"),
    ],
)
def test_audit_badges_say_what_the_audits_show(client, auditor_kind, is_public, badge):
    system = SystemFactory()
    deployment = DeploymentFactory(system=system)
    if auditor_kind:
        AuditFactory(system=system, auditor_kind=auditor_kind, is_public=is_public)
    for url in (
        system.get_absolute_url(),
        deployment.get_absolute_url(),
        deployment.agency.get_absolute_url(),
        "/systems/",
        "/deployments/",
    ):
        html = page(client, url)
        assert badge in html, url
        assert "/methodology/#audit-status-" in html


def test_self_assessment_is_labelled_as_such_never_independent(client):
    audit = AuditFactory(auditor_kind=choices.AuditorKind.VENDOR, auditor="Synthetic Vendor Lab")
    html = page(client, audit.get_absolute_url())
    assert "Self-assessment, not an independent audit" in html
    assert "independent of the vendor and the agency" not in html


def test_audit_page_shows_metrics_table_and_what_it_concerns(client, register):
    html = page(client, register["audit"].get_absolute_url())
    assert "False match rate" in html
    assert "0.00001" in html
    assert register["system"].get_absolute_url() in html


def test_sources_show_date_at_its_precision_with_archived_copy(client, register):
    html = page(client, register["agency"].get_absolute_url())
    assert "May 2019" in html
    assert "1 May 2019" not in html
    assert 'datetime="2019-05"' in html
    assert "https://archive.example.org/synthetic/00001" in html


def test_record_footer_shows_last_updated_and_last_verified(client):
    agency = AgencyFactory(last_verified=datetime.date(2026, 3, 14))
    html = page(client, agency.get_absolute_url())
    assert "Last updated" in html
    assert "14 March 2026" in html
    assert "Not yet re-checked" in page(client, AgencyFactory().get_absolute_url())


def test_agency_page_splits_named_and_jurisdiction_policies(client):
    agency = AgencyFactory(country="US", region="US-CA", locality="Synthetic City")
    named = PolicyFactory(
        kind=choices.PolicyKind.AGENCY_POLICY, agencies=[agency], title="Synthetic Own Policy"
    )
    state_law = PolicyFactory(regions=["US-CA"], locality="", title="Synthetic State Statute")
    PolicyFactory(regions=["US-TX"], locality="", title="Synthetic Other State Statute")
    html = page(client, agency.get_absolute_url())
    named_section, jurisdiction_section = html.split("Laws of its jurisdiction")
    assert named.title in named_section.split("Policies that name it")[1]
    assert state_law.title in jurisdiction_section
    assert "Synthetic Other State Statute" not in html


def test_agency_page_shows_parent_children_and_deployments(client, register):
    html = page(client, register["parent"].get_absolute_url())
    assert register["agency"].get_absolute_url() in html
    html = page(client, register["agency"].get_absolute_url())
    assert register["parent"].get_absolute_url() in html
    assert register["deployment"].get_absolute_url() in html


def test_policy_page_lists_bound_agencies_with_total_and_filter_link(client, settings):
    policy = PolicyFactory(regions=["US-CA"], locality="", requirements=["warrant_required"])
    AgencyFactory.create_batch(3, region="US-CA")
    AgencyFactory(region="US-TX", name="Synthetic Texas Sheriff")
    html = page(client, policy.get_absolute_url())
    assert "3 agencies" in html
    assert f"/agencies/?policy={policy.slug}" in html
    assert "Synthetic Texas Sheriff" not in html
    assert "Requires a warrant or court order" in html


def test_policy_page_caps_bound_agencies_at_fifty(client):
    policy = PolicyFactory(regions=["US-CA"], locality="")
    AgencyFactory.create_batch(52, region="US-CA", sources=[])
    html = page(client, policy.get_absolute_url())
    assert "52 agencies" in html
    assert "the first 50 are listed" in html
    assert "See all 52" in html


def test_deployment_page_shows_system_and_deployment_audits(client):
    deployment = DeploymentFactory()
    system_audit = AuditFactory(system=deployment.system, auditor="Synthetic System Lab")
    own_audit = AuditFactory(system=None, deployment=deployment, auditor="Synthetic Own Lab")
    other = AuditFactory(system=None, deployment=DeploymentFactory(), auditor="Synthetic Other")
    html = page(client, deployment.get_absolute_url())
    assert system_audit.get_absolute_url() in html
    assert own_audit.get_absolute_url() in html
    assert other.get_absolute_url() not in html


def test_deployment_without_known_system_does_not_borrow_other_audits(client):
    deployment = DeploymentFactory(system=None)
    stray = AuditFactory(system=None, deployment=DeploymentFactory(system=None))
    html = page(client, deployment.get_absolute_url())
    assert "Not public" in html
    assert stray.get_absolute_url() not in html


def test_vendor_page_lists_systems_and_their_deployments(client, register):
    html = page(client, register["vendor"].get_absolute_url())
    assert register["system"].get_absolute_url() in html
    assert register["deployment"].get_absolute_url() in html


def test_source_page_lists_every_record_citing_it_by_type(client, register):
    html = page(client, register["source"].get_absolute_url())
    for kind in ("vendor", "system", "agency", "deployment", "audit", "policy"):
        assert register[kind].get_absolute_url() in html, kind
    for heading in ("Agencies", "Deployments", "Systems", "Vendors", "Audits", "Policies"):
        assert f"<h3>{heading}</h3>" in html


def test_methodology_explains_every_audit_status_and_vocabulary(client):
    html = page(client, reverse("registry:methodology"))
    for status in choices.AuditStatus:
        assert f'id="audit-status-{status.value}"' in html
        assert str(choices.AUDIT_STATUS_DESCRIPTIONS[status]) in html
    for requirement in choices.Requirement:
        assert requirement.label in html
    for anchor in ("governing-policies", "sources", "dates", "corrections", "licence"):
        assert f'id="{anchor}"' in html


def test_navigation_marks_the_current_section(client, register):
    html = page(client, register["agency"].get_absolute_url())
    assert '<a href="/agencies/" aria-current="page">Agencies</a>' in html
    assert '<a href="/systems/">Systems</a>' in html


def test_search_groups_results_by_type(client, register):
    html = page(client, reverse("registry:search") + "?q=Synthetic")
    assert "<h2" in html
    assert register["agency"].get_absolute_url() in html
    assert register["policy"].get_absolute_url() in html
    draft = AgencyFactory(state=choices.State.DRAFT, name="Synthetic Draft Agency Zebra")
    assert draft.get_absolute_url() not in page(client, "/search/?q=Zebra")


@pytest.mark.django_db
def test_methodology_explains_the_federal_inventory_rule_and_links_to_corrections(client):
    html = client.get("/methodology/").content.decode()
    assert 'id="federal-inventory"' in html
    assert 'href="/suggest/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["agency", "system", "vendor"])
def test_record_page_lists_the_first_deployments_and_links_to_all(client, monkeypatch, page):
    monkeypatch.setattr("registry.views.RELATED_ROWS_SHOWN", 2)
    agency = AgencyFactory()
    system = SystemFactory()
    for _ in range(3):
        DeploymentFactory(agency=agency, system=system)
    record = {"agency": agency, "system": system, "vendor": system.vendor}[page]
    html = client.get(record.get_absolute_url()).content.decode()
    assert html.count('href="/deployments/synthetic-deployment-') == 2
    assert "2 of 3 deployments shown" in html
    assert f'href="/deployments/?{page}={record.slug}"' in html


@pytest.mark.django_db
def test_policy_page_lists_the_first_deployments_citing_it_and_links_to_all(client, monkeypatch):
    monkeypatch.setattr("registry.views.RELATED_ROWS_SHOWN", 2)
    policy = PolicyFactory()
    citing = [DeploymentFactory() for _ in range(3)]
    for deployment in citing:
        deployment.policies.add(policy)
    other = DeploymentFactory()  # cites nothing: not in the list

    html = client.get(policy.get_absolute_url()).content.decode()
    assert html.count('href="/deployments/synthetic-deployment-') == 2
    assert "2 of 3 deployments shown" in html
    assert f'href="/deployments/?policy={policy.slug}"' in html

    listed = client.get(f"/deployments/?policy={policy.slug}").content.decode()
    for deployment in citing:
        assert deployment.get_absolute_url() in listed
    assert other.get_absolute_url() not in listed


@pytest.mark.django_db
def test_source_page_lists_the_first_records_citing_it_and_links_to_all(client, monkeypatch):
    monkeypatch.setattr("registry.views.RELATED_ROWS_SHOWN", 2)
    source = SourceFactory()
    deployments = [DeploymentFactory() for _ in range(3)]
    agencies = [deployment.agency for deployment in deployments]
    for record in deployments + agencies:
        record.sources.add(source)
    other = DeploymentFactory()  # cites another source: in no list below

    html = client.get(source.get_absolute_url()).content.decode()
    assert html.count('href="/deployments/synthetic-deployment-') == 2
    assert "2 of 3 deployments shown" in html
    assert "2 of 3 agencies shown" in html
    assert f'href="/deployments/?source={source.slug}"' in html
    assert f'href="/agencies/?source={source.slug}"' in html

    listed = client.get(f"/deployments/?source={source.slug}").content.decode()
    for deployment in deployments:
        assert deployment.get_absolute_url() in listed
    assert other.get_absolute_url() not in listed
    api = client.get(f"/api/v1/agencies/?source={source.slug}").json()
    assert sorted(row["id"] for row in api["results"]) == sorted(a.slug for a in agencies)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "record_type", [t for t in RECORD_TYPES if t.cites_sources], ids=lambda t: t.name
)
def test_every_list_a_source_page_links_to_filters_by_the_source(client, record_type):
    source = SourceFactory()
    citing, other = FACTORIES[record_type.model_name](), FACTORIES[record_type.model_name]()
    citing.sources.add(source)

    html = page(client, f"{record_type.list_url()}?source={source.slug}")
    assert citing.get_absolute_url() in html
    assert other.get_absolute_url() not in html
    assert f"Cites source: {source.title}" in html


@pytest.mark.django_db
def test_a_list_filtered_by_an_unknown_source_says_so(client):
    response = client.get("/deployments/?source=no-such-source")
    assert response.status_code == 400
    assert "No published source has the id “no-such-source”." in response.content.decode()


@pytest.mark.django_db
def test_policy_page_links_every_bound_agency_beyond_the_first(client, monkeypatch):
    monkeypatch.setattr("registry.views.RELATED_ROWS_SHOWN", 2)
    agencies = [AgencyFactory() for _ in range(3)]
    policy = PolicyFactory(kind="agency_policy", agencies=agencies)
    html = client.get(policy.get_absolute_url()).content.decode()
    assert "3 agencies in the register; the first 2 are listed" in html
    assert f'href="/agencies/?policy={policy.slug}"' in html
