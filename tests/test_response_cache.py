"""
Whole public responses kept per register version (registry/response_cache.py):
kept pages are served again, a change to any record shows on the very next
request, validators give 304s, and nothing personal is ever kept.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from registry import choices
from registry.models import Agency, Deployment
from registry.search import deferred_indexing
from tests.factories import DeploymentFactory, PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def deployment(module_db):
    """
    Built once for the module: what a test changes (a rename, a retraction)
    is rolled back with the test, and each test starts with an empty cache.
    """
    with deferred_indexing():
        return DeploymentFactory(
            agency__name="Synthetic Harbour Police", agency__country="US", agency__region="US-CA"
        )


def rename_agency(deployment, name):
    """An edit as the admin makes it: through save(), which writes history."""
    agency = Agency.objects.get(pk=deployment.agency_id)
    agency.name = name
    agency.save()


PAGES = {
    "home page": lambda d: reverse("registry:home"),
    "deployment list": lambda d: reverse("registry:deployment-list"),
    "agency page": lambda d: reverse("registry:agency-detail", kwargs={"slug": d.agency.slug}),
    "deployment page": lambda d: reverse("registry:deployment-detail", kwargs={"slug": d.slug}),
    "place page": lambda d: reverse("registry:place", kwargs={"key": "us/ca"}),
    "changes page": lambda d: reverse("registry:changes"),
    "API list": lambda d: reverse("api:deployment-list"),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_kept_page_shows_a_change_on_the_next_request(client, deployment, page):
    url = PAGES[page](deployment)
    first = client.get(url)
    assert first.status_code == 200
    assert "Synthetic Harbour Police" in first.text
    rename_agency(deployment, "Synthetic Lighthouse Police")
    after = client.get(url)
    assert "Synthetic Lighthouse Police" in after.text


@pytest.mark.parametrize("page", PAGES)
def test_a_kept_page_is_served_again_for_one_query(
    client, deployment, page, django_assert_num_queries
):
    url = PAGES[page](deployment)
    first = client.get(url)
    with django_assert_num_queries(1):  # the register's version
        again = client.get(url)
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=0, must-revalidate"


def laws_in_force_on_home(client):
    html = client.get(reverse("registry:home")).text
    return int(re.search(r"<strong>(\d+)</strong> <a href=\"/policies/\?in_force=true\">", html)[1])


def test_the_kept_home_page_counts_a_law_coming_into_force_at_midnight(client, monkeypatch):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with deferred_indexing():
        PolicyFactory(effective=tomorrow)
    assert laws_in_force_on_home(client) == 0
    # Midnight passes: nothing was saved, so the register's version is the same.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert laws_in_force_on_home(client) == 1


def test_a_retracted_record_page_changes_at_once(client, deployment):
    url = PAGES["deployment page"](deployment)
    client.get(url)
    record = Deployment.objects.get(pk=deployment.pk)
    record.state = choices.State.RETRACTED
    record.public_note = "Synthetic: withdrawn by its source."
    record.save()
    assert "withdrawn by its source" in client.get(url).text


@pytest.mark.parametrize("page", ["home page", "deployment list", "agency page", "API list"])
def test_revalidating_a_current_copy_gets_304(client, deployment, page):
    url = PAGES[page](deployment)
    first = client.get(url)
    assert first["Last-Modified"]
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    rename_agency(deployment, "Synthetic Lighthouse Police")
    changed = client.get(url, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200


def test_signed_in_staff_always_get_a_page_built_for_them(admin_client, deployment):
    url = PAGES["agency page"](deployment)
    admin_client.get(url)
    # A bulk write behind history's back: a kept page would not show it.
    Agency.objects.filter(pk=deployment.agency_id).update(name="Synthetic Quay Police")
    response = admin_client.get(url)
    assert "Synthetic Quay Police" in response.text
    assert "ETag" not in response


def test_the_suggestion_form_is_never_kept(client):
    # Its page carries a CSRF token: each visitor gets their own.
    first = client.get(reverse("registry:suggest"))
    second = client.get(reverse("registry:suggest"))
    assert first.status_code == second.status_code == 200
    assert "ETag" not in first and "ETag" not in second
    assert first.cookies.get("csrftoken") and second.cookies.get("csrftoken")


def test_a_bad_query_is_not_kept(client, deployment):
    response = client.get(reverse("registry:deployment-list"), {"status": "nonsense"})
    assert response.status_code == 400
    assert "ETag" not in response
