"""Every record page can be cited: permalink, citation line, BibTeX, and its JSON twin."""

import datetime

import pytest
from django.utils import timezone

from registry import choices, citations
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

FACTORIES = [
    AgencyFactory,
    AuditFactory,
    DeploymentFactory,
    PolicyFactory,
    SourceFactory,
    SystemFactory,
    VendorFactory,
]


def today_text():
    today = timezone.localdate()
    return f"{today.day} {today:%B %Y}"


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_record_page_offers_permalink_citation_and_bibtex(client, settings, factory):
    record = factory()
    response = client.get(record.get_absolute_url())
    html = response.content.decode()
    permalink = "http://testserver" + record.get_absolute_url()
    assert f'<a href="{permalink}">{permalink}</a>' in html
    assert f"In: {settings.REGISTER_NAME}, version of {today_text()} (" in html
    assert f"{permalink} (accessed {today_text()})." in html
    assert "@misc{" in html
    assert 'href="?format=json"' in html


def test_the_citation_line_and_bibtex_of_a_policy(rf, settings):
    policy = PolicyFactory(title="Synthetic Ordinance on Face Recognition")
    citation = citations.cite(rf.get("/"), policy)
    url = "http://testserver" + policy.get_absolute_url()
    version = policy.history.latest("history_id").history_id
    version_url = f"{url}history/#change-policy-{version}"
    assert citation.line == (
        f"Synthetic Ordinance on Face Recognition. In: {settings.REGISTER_NAME}, "
        f"version of {today_text()} ({version_url}). {url} (accessed {today_text()})."
    )
    assert citation.bibtex.startswith(f"@misc{{FR-Register:policy:{policy.slug},\n")
    assert "  title = {{Synthetic Ordinance on Face Recognition}},\n" in citation.bibtex
    assert f"  url = {{{url}}},\n" in citation.bibtex
    assert f"  urldate = {{{timezone.localdate().isoformat()}}},\n" in citation.bibtex
    assert citation.bibtex.endswith("\n}")


def test_bibtex_escapes_characters_latex_would_read_as_commands():
    assert citations.bibtex_escape("R&D {draft} 100% #1 a_b $x ^ ~ \\") == (
        r"R\&D \{draft\} 100\% \#1 a\_b \$x \textasciicircum{} \textasciitilde{} "
        r"\textbackslash{}"
    )


def test_a_title_with_braces_cannot_break_out_of_the_bibtex_entry(rf):
    source = SourceFactory(title="Synthetic} @misc{evil, title={Synthetic & Co}")
    bibtex = citations.cite(rf.get("/"), source).bibtex
    assert bibtex.count("@misc{") == 1
    assert r"Synthetic\} @misc\{evil, title=\{Synthetic \& Co\}" in bibtex
    # Braces stay balanced, so the entry ends where it should.
    assert bibtex.replace("\\{", "").count("{") == bibtex.replace("\\}", "").count("}")


def test_a_record_page_escapes_its_citation_in_html(client):
    agency = AgencyFactory(name="Synthetic <script>alert(1)</script> Police")
    html = client.get(agency.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Synthetic &lt;script&gt;alert(1)&lt;/script&gt; Police" in html


def test_a_deployment_as_json_is_its_format_record_with_url_dates_and_audit_status(client):
    vendor = VendorFactory()
    system = SystemFactory(vendor=vendor)
    published_policy = PolicyFactory()
    draft_policy = PolicyFactory(state=choices.State.DRAFT)
    deployment = DeploymentFactory(
        system=system,
        started=datetime.date(2019, 5, 1),
        started_precision="month",
        uses=["live"],
    )
    deployment.policies.set([published_policy, draft_policy])
    AuditFactory(system=system, auditor_kind="academic", is_public=True,
                 published=datetime.date(2021, 1, 1), published_precision="year")  # fmt: skip

    response = client.get(deployment.get_absolute_url() + "?format=json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Link"].endswith('rel="license"')
    data = response.json()
    assert data["id"] == deployment.slug
    assert data["agency"] == deployment.agency.slug
    assert data["system"] == system.slug
    assert data["started"] == "2019-05"
    assert data["uses"] == ["live"]
    assert data["policies"] == [published_policy.slug]  # the draft policy is not shown
    assert data["url"] == "http://testserver" + deployment.get_absolute_url()
    assert data["last_updated"].endswith("Z")
    assert data["audit"] == {
        "status": "reported",
        "status_label": "Independent audit published",
        "finding": "disparities_found",
        "date": "2021",
    }
    assert data["citation"]["bibtex"].startswith("@misc{")


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_record_page_has_a_json_twin(client, factory):
    record = factory()
    data = client.get(record.get_absolute_url() + "?format=json").json()
    assert data["id"] == record.slug
    assert data["state"] == "published"
    assert ("audit" in data) == hasattr(record, "audit_status")


def test_json_leaves_out_a_reference_to_an_unpublished_record(client):
    deployment = DeploymentFactory(
        system=SystemFactory(state=choices.State.DRAFT), sources=[SourceFactory()]
    )
    hidden_source = SourceFactory(state=choices.State.DRAFT)
    deployment.sources.add(hidden_source)
    data = client.get(deployment.get_absolute_url() + "?format=json").json()
    assert "system" not in data
    assert hidden_source.slug not in data["sources"]
    assert len(data["sources"]) == 1


def test_json_of_a_withdrawn_record_says_why_and_drafts_are_not_found(client):
    retracted = AgencyFactory(state=choices.State.RETRACTED, public_note="Synthetic duplicate.")
    data = client.get(retracted.get_absolute_url() + "?format=json").json()
    assert data["state"] == "retracted"
    assert data["public_note"] == "Synthetic duplicate."
    draft = AgencyFactory(state=choices.State.DRAFT)
    assert client.get(draft.get_absolute_url() + "?format=json").status_code == 404


def test_an_unknown_format_on_a_record_page_is_a_clear_400(client):
    agency = AgencyFactory()
    response = client.get(agency.get_absolute_url() + "?format=xml")
    assert response.status_code == 400
    assert "format=json" in response.content.decode()


def test_sources_show_their_archived_copy_beside_the_original(client):
    source = SourceFactory(archived_url="https://web.archive.org/web/2020/https://example.org/x")
    agency = AgencyFactory(sources=[source])
    html = client.get(agency.get_absolute_url()).content.decode()
    assert f'href="{source.url}"' in html
    assert 'href="https://web.archive.org/web/2020/https://example.org/x">Archived copy' in html


# --- citable versions ----------------------------------------------------------


def test_a_citation_links_to_the_version_cited_in_the_public_history(client):
    deployment = DeploymentFactory()
    html = client.get(deployment.get_absolute_url()).content.decode()
    version = deployment.history.latest("history_id").history_id
    anchor = f"change-deployment-{version}"
    assert f'history/#{anchor}">this version in the record' in html
    history = client.get(f"{deployment.get_absolute_url()}history/").content.decode()
    assert f'id="{anchor}"' in history
    assert f'href="/deployments/{deployment.slug}/history/#{anchor}">Permalink' in history


def test_the_bibtex_year_is_the_year_of_the_version_not_of_reading(rf):
    policy = PolicyFactory(title="Synthetic Ordinance of 2019")
    when = datetime.datetime(2019, 5, 14, 12, tzinfo=datetime.UTC)
    # History rows cannot be altered afterwards: save a version dated then.
    policy._history_date = when
    policy.save()
    citation = citations.cite(rf.get("/"), policy)
    assert "  year = {2019},\n" in citation.bibtex
    assert "  month = {5},\n" in citation.bibtex
    assert "Version of 14 May 2019" in citation.bibtex
    assert "version of 14 May 2019" in citation.line


def test_an_audit_is_cited_by_its_page_heading(client):
    audit = AuditFactory(
        auditor="Synthetic Lab",
        published=datetime.date(2019, 12, 1),
        published_precision=choices.DatePrecision.MONTH,
    )
    html = client.get(audit.get_absolute_url()).content.decode()
    assert "<h1>Bias audit by Synthetic Lab, December 2019</h1>" in html
    assert "title = {{Bias audit by Synthetic Lab, December 2019}}" in html


def test_the_public_history_shows_why_each_change_was_made(client):
    agency = AgencyFactory()
    agency.name = "Synthetic County Police (corrected)"
    agency._change_reason = "Synthetic: name corrected from the annual report"
    agency.save()
    html = client.get(f"{agency.get_absolute_url()}history/").content.decode()
    assert "Reason:</span> Synthetic: name corrected from the annual report" in html
