"""
The register's counts with the real files loaded, published: the seed
dataset, both US federal AI use case inventories (2025 then 2024, and 2024
then 2025) and the whole Atlas of Surveillance CSV. Every surface (home
figures, list pages and their facets, search, exports, API) gives the same
numbers, each real deployment is there once, and the order of the federal
files changes nothing.

The seed is loaded once for the module; the rest once per order, in a savepoint
rolled back before the other order. What the seed and the two inventories hold
before the Atlas is kept per order (``FEDERAL``) and compared across orders.
"""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from registry.importers import atlas, federal, reconcile
from registry.models import Agency, Deployment, Policy

DATA = Path(settings.BASE_DIR) / "data"
SEED = str(DATA / "registry.json")
ATLAS = DATA / "atlas-of-surveillance" / "atlas-of-surveillance-2020-10-07.csv"
INVENTORIES = {
    2024: DATA / "us-federal-ai-inventory" / "2024_consolidated_ai_use_cases.csv",
    2025: DATA / "us-federal-ai-inventory" / "2025_individually_reported_AI_use_cases.csv",
}

# seed 25 agencies / 23 deployments; + the inventories 32 / 51; + the Atlas 369 / 419
# (337 new agencies, 368 new deployments: two Atlas rows matched seed deployments).
AGENCIES = 369
DEPLOYMENTS = 419
BY_STATUS = {"active": 39, "ended": 6, "pilot": 1, "planned": 1, "reported": 372}
CITING_THE_ATLAS = 370
CITING_BOTH_INVENTORIES = 14
POLICIES_IN_FORCE = 21


#: What the seed and both inventories hold, before the Atlas, for each order:
#: (deployments, agency count, {year: summary}).
FEDERAL = {}


def federal_deployments():
    """Each deployment as the federal files shape it: agency, id, use case id, status, system."""
    return {
        (d.agency.slug, d.slug, d.inventory_id, d.status, d.system.slug if d.system else None,
         tuple(sorted(s.slug for s in d.sources.all() if s.slug.startswith("federal-ai"))))
        for d in Deployment.objects.select_related("agency", "system").prefetch_related("sources")
    }  # fmt: skip


@pytest.fixture(scope="module", params=[(2025, 2024), (2024, 2025)], ids=str)
def loaded(request, seed_register, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        summaries = {}
        for year in request.param:
            inventory = federal.read_inventory(INVENTORIES[year].read_bytes(),
                                               filename=INVENTORIES[year].name)  # fmt: skip
            summaries[year] = federal.import_inventory(inventory, filename=INVENTORIES[year].name,
                                                       publish=True)  # fmt: skip
        FEDERAL[request.param] = (federal_deployments(), Agency.objects.count(), dict(summaries))
        summaries["atlas"] = atlas.import_atlas(atlas.read_atlas(ATLAS.read_bytes()),
                                                filename=ATLAS.name, publish=True)  # fmt: skip
        if connection.vendor == "postgresql":
            # Statistics, as autovacuum would leave them on a real database; without
            # them the planner takes the freshly loaded tables for empty.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        yield summaries
        transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("loaded")


@pytest.mark.django_db
def test_the_database_holds_each_real_deployment_once(loaded):
    assert Agency.objects.published().count() == AGENCIES
    deployments = Deployment.objects.published()
    assert deployments.count() == DEPLOYMENTS == Deployment.objects.count()
    assert dict(Counter(deployments.values_list("status", flat=True))) == BY_STATUS
    cited = deployments.filter(sources__slug__startswith="atlas-of-surveillance-").distinct()
    assert cited.count() == CITING_THE_ATLAS
    years = {"federal-ai-inventory-2024", "federal-ai-inventory-2025"}
    cited_by_year = [
        {s.slug for s in d.sources.all()} for d in deployments.prefetch_related("sources")
    ]
    assert sum(years <= slugs for slugs in cited_by_year) == CITING_BOTH_INVENTORIES
    assert Agency.objects.filter(name__startswith="U.S. Customs and Border").count() == 1
    assert Agency.objects.filter(name__icontains="Detroit Police").count() == 1
    assert [d.slug for d in deployments.filter(slug__contains="logingov")] == [
        "us-gsa-tts-logingov"
    ]
    summary = loaded["atlas"]
    assert (summary.selected, len(summary.created), len(summary.updated)) == (369, 368, 2)
    # The 17 CBP airports: one deployment each, none a duplicate of another.
    airports = deployments.filter(agency__slug="us-cbp").exclude(site="")
    assert airports.count() == 17 == len(set(airports.values_list("site", flat=True)))


@pytest.mark.django_db
def test_the_seed_and_both_inventories_hold_each_use_case_once_in_either_order(request):
    order = request.node.callspec.params["loaded"]
    deployments, agencies, summaries = FEDERAL[order]
    # Each order gives the same register; the second order to run compares with the first.
    for other, (other_deployments, other_agencies, _) in FEDERAL.items():
        assert (deployments, agencies) == (other_deployments, other_agencies), (order, other)
    statuses = Counter(status for _a, _s, _id, status, _sys, _src in deployments)
    assert (len(deployments), agencies) == (51, 32)
    assert statuses == {"active": 39, "ended": 6, "reported": 4, "pilot": 1, "planned": 1}
    by_slug = {slug: (agency, sources) for agency, slug, _id, _st, _sys, sources in deployments}
    both = ("federal-ai-inventory-2024", "federal-ai-inventory-2025")
    for slug in (
        "tsa-credential-authentication-cat2", "tsa-precheck-touchless-identity",
        "usss-criminal-investigations-fr", "cbp-traveler-verification-service",
        "us-gsa-tts-logingov", "us-cbp-traveler-self-service-mobile-identity-verification",
        "us-uscis-consular-consolidated-database-facial-recognition-on-demand-report",
    ):  # fmt: skip
        assert by_slug[slug][1] == both, slug
    assert [s for s in by_slug if "logingov" in s] == ["us-gsa-tts-logingov"]
    assert [s for s in by_slug if "consular-consolidated" in s] == [
        "us-uscis-consular-consolidated-database-facial-recognition-on-demand-report"
    ]
    if order[0] == 2025:
        # Curated values are kept; where the newest inventory disagrees, the summary says so.
        conflicts = summaries[2025].conflicts
        assert any(c.startswith("tsa-credential-authentication-cat2: started") for c in conflicts)


@pytest.mark.django_db
def test_needs_attention_lists_only_the_probable_duplicates_the_rules_cannot_decide():
    # Not among them: the 17 CBP airports (one site each), nor use cases the
    # inventories list under different ids. Left for a maintainer: 2024 rows
    # without a use case id that may repeat a use the register already has.
    groups = reconcile.probable_duplicate_deployments(Deployment.objects.published())
    assert sorted(sorted(d.slug for d in group) for group in groups) == [
        [
            "cbp-traveler-verification-service",
            "us-cbp-3rd-party-traveler-identity-verification-services",
            "us-cbp-one",
            "us-cbp-traveler-verification-service",
        ],
        ["us-ice-facial-recognition-for-investigations-of-child-sexual-exploitation-and-abuse",
         "us-ice-facial-recognition-service"],
    ]  # fmt: skip
    assert reconcile.probable_duplicate_agencies(Agency.objects.published()) == []


@pytest.mark.django_db
def test_the_seeds_virginia_law_is_past_its_sunset_and_not_in_force(client):
    sb741 = Policy.objects.get(slug="virginia-sb741-2022")
    assert not sb741.is_in_force and str(sb741.ends) == "2026-07-01"
    assert Policy.objects.published().in_force().count() == POLICIES_IN_FORCE
    html = client.get(Agency.objects.get(slug="virginia-state-police").get_absolute_url())
    context = html.context
    governing = [p.slug for p in context["explicit_policies"] + context["jurisdiction_policies"]]
    assert "virginia-sb741-2022" not in governing
    assert "virginia-code-23-1-815-1-2026" in governing


@pytest.mark.django_db
def test_home_list_search_exports_and_api_agree(client):
    home = client.get(reverse("registry:home")).context
    assert (home["agency_count"], home["deployment_count"]) == (AGENCIES, DEPLOYMENTS)
    assert home["policies_in_force_count"] == POLICIES_IN_FORCE

    listed = client.get(reverse("registry:deployment-list"))
    assert listed.context["page_obj"].paginator.count == DEPLOYMENTS
    (status,) = [f for f in listed.context["facets"] if f.param == "status"]
    assert {v.value: v.count for v in status.values} == BY_STATUS
    agencies = client.get(reverse("registry:agency-list"))
    assert agencies.context["page_obj"].paginator.count == AGENCIES

    exported = client.get(reverse("registry:deployment-list"), {"format": "json"})
    body = json.loads(b"".join(exported.streaming_content))
    assert body["meta"]["count"] == DEPLOYMENTS == len(body["results"])
    assert body["meta"]["third_party_data"][0]["name"].startswith("Atlas of Surveillance")

    for value, count in BY_STATUS.items():
        api = client.get(reverse("api:deployment-list"), {"status": value}).json()
        page = client.get(reverse("registry:deployment-list"), {"status": value})
        assert (api["count"], page.context["page_obj"].paginator.count) == (count, count), value
    assert client.get(reverse("api:agency-list")).json()["count"] == AGENCIES

    found = client.get(reverse("registry:deployment-list"), {"q": "Atlas of Surveillance"})
    assert found.context["page_obj"].paginator.count == len(
        [d for d in Deployment.objects.published() if "Atlas of Surveillance" in d.description]
    )
