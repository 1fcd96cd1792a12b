"""
The register's counts with the real files loaded: the seed dataset and the
whole Atlas of Surveillance CSV (published). Every surface (home figures, list
pages and their facets, search, exports, API) gives the same numbers, and each
real deployment is there once.

Loaded once for the module in a transaction rolled back at its end. The
federal inventories are not in this repository; their counts are pinned by the
federal importer's own tests.
"""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from registry import search
from registry.importers import atlas
from registry.models import Agency, Deployment, Policy

SEED = "data/registry.json"
ATLAS = Path(settings.BASE_DIR) / "data" / "atlas-of-surveillance" / (
    "atlas-of-surveillance-2020-10-07.csv")  # fmt: skip

AGENCIES = 362  # 25 in the seed + 337 from the Atlas
DEPLOYMENTS = 391  # 23 in the seed + 368 from the Atlas (2 Atlas rows matched seed records)
BY_STATUS = {"active": 15, "ended": 3, "pilot": 1, "reported": 372}
CITING_THE_ATLAS = 370
POLICIES_IN_FORCE = 21


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with search.deferred_indexing():
            call_command("import_registry", SEED, verbosity=0, stdout=io.StringIO())
        summary = atlas.import_atlas(atlas.read_atlas(ATLAS.read_bytes()),
                                     filename=ATLAS.name, publish=True)  # fmt: skip
        yield summary
        transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("loaded")


@pytest.mark.django_db
def test_the_database_holds_each_real_deployment_once(loaded):
    assert Agency.objects.published().count() == AGENCIES
    deployments = Deployment.objects.published()
    assert deployments.count() == DEPLOYMENTS
    assert {s: deployments.filter(status=s).count() for s in BY_STATUS} == BY_STATUS
    cited = deployments.filter(sources__slug__startswith="atlas-of-surveillance-").distinct()
    assert cited.count() == CITING_THE_ATLAS
    assert Agency.objects.filter(name__startswith="U.S. Customs and Border").count() == 1
    assert Agency.objects.filter(name__icontains="Detroit Police").count() == 1
    assert len(loaded.created) == 368 and loaded.selected == 369


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

    api = client.get(reverse("api:deployment-list"), {"status": "reported"}).json()
    assert api["count"] == BY_STATUS["reported"]
    assert client.get(reverse("api:agency-list")).json()["count"] == AGENCIES

    found = client.get(reverse("registry:deployment-list"), {"q": "Atlas of Surveillance"})
    assert found.context["page_obj"].paginator.count == len(
        [d for d in Deployment.objects.published() if "Atlas of Surveillance" in d.description]
    )
