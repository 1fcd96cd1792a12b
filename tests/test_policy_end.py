"""
Laws that end: a policy past its end (or sunset) date is not counted or shown
as in force anywhere, and "Needs attention" lists policies whose status
disagrees with their dates.
"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from registry import choices
from registry.models import Agency, Policy
from registry.search import deferred_indexing
from tests.factories import AgencyFactory, DeploymentFactory, PolicyFactory
from tests.staff import sign_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ENACTED = choices.PolicyStatus.ENACTED


@pytest.fixture
def place():
    """An agency, a law in its jurisdiction still in force, and one past its sunset date."""
    with deferred_indexing():
        agency = AgencyFactory(region="US-VA", locality="")
        deployment = DeploymentFactory(agency=agency)
        live = PolicyFactory(title="Synthetic Statute In Force", status=ENACTED, regions=["US-VA"],
                             locality="", ends=TODAY + datetime.timedelta(days=30))  # fmt: skip
        ended = PolicyFactory(title="Synthetic Statute Sunset", status=ENACTED, regions=["US-VA"],
                              locality="", ends=TODAY - datetime.timedelta(days=1))  # fmt: skip
    return {"agency": agency, "deployment": deployment, "live": live, "ended": ended}


def test_the_home_page_counts_only_policies_in_force(place, client):
    assert client.get(reverse("registry:home")).context["policies_in_force_count"] == 1


def test_agency_and_deployment_pages_list_only_governing_policies_in_force(place, client):
    for url in (place["agency"].get_absolute_url(), place["deployment"].get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Synthetic Statute In Force" in html
        assert "Synthetic Statute Sunset" not in html


def test_the_agency_list_counts_only_governing_policies_in_force(place):
    agency = Agency.objects.with_governing_policy_count().get(pk=place["agency"].pk)
    assert agency.governing_policy_count == 1


def test_the_in_force_filter_and_the_policy_page_agree(place, client):
    listed = client.get(reverse("registry:policy-list"), {"in_force": "true"})
    titles = [p.title for p in listed.context["rows"]]
    assert titles == ["Synthetic Statute In Force"]
    page = client.get(place["ended"].get_absolute_url()).content.decode()
    assert "not in force today" in page


def test_the_api_says_a_policy_past_its_end_is_not_in_force(place, client):
    data = client.get(reverse("api:policy-detail", args=[place["ended"].slug])).json()
    assert data["in_force"] is False
    listed = client.get(reverse("api:policy-list"), {"in_force": "true"}).json()
    assert [p["id"] for p in listed["results"]] == [place["live"].slug]


def test_needs_attention_lists_policies_whose_status_disagrees_with_their_dates(place, client):
    with deferred_indexing():
        not_yet = PolicyFactory(status=choices.PolicyStatus.IN_FORCE,
                                effective=TODAY + datetime.timedelta(days=10))  # fmt: skip
        early = PolicyFactory(status=choices.PolicyStatus.EXPIRED,
                              ends=TODAY + datetime.timedelta(days=10))  # fmt: skip
    sign_in(client, User.objects.create_superuser("synthetic-admin"))
    response = client.get(reverse("admin:registry_needs_attention"))
    (group,) = next(s for s in response.context["sections"] if s.key == "expired").groups
    assert {obj.pk for obj, _url in group.rows} == {place["ended"].pk, not_yet.pk, early.pk}
    assert not Policy.objects.in_force().filter(pk__in=[not_yet.pk, early.pk]).exists()


def test_a_law_not_yet_in_effect_is_not_in_force_on_its_page_or_in_the_api(client):
    with deferred_indexing():
        enacted = PolicyFactory(status=ENACTED, effective=TODAY + datetime.timedelta(days=10))
    assert "not in force today" in client.get(enacted.get_absolute_url()).content.decode()
    data = client.get(reverse("api:policy-detail", args=[enacted.slug])).json()
    assert data["in_force"] is False
    assert not Policy.objects.in_force().filter(pk=enacted.pk).exists()
