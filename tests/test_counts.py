"""
Counts kept in the cache (facets, totals, filter options) are never stale:
any change to the register shows on the next request.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import choices, counts
from tests.factories import AgencyFactory, DeploymentFactory, PolicyFactory
from tests.test_query_counts import DEPLOYMENT_LIST_QUERIES

pytestmark = pytest.mark.django_db

DEPLOYMENTS = reverse("registry:deployment-list")
AGENCIES = reverse("registry:agency-list")


def facet_counts(response, param):
    """``{value: count}`` of one facet on a list page."""
    for result in response.context["facets"]:
        if result.param == param:
            return {value.value: value.count for value in result.values}
    return {}


def total(response):
    return response.context["page_obj"].paginator.count


def test_a_new_published_deployment_is_counted_on_the_next_request(client):
    DeploymentFactory(status=choices.DeploymentStatus.ACTIVE)
    before = client.get(DEPLOYMENTS)
    DeploymentFactory(status=choices.DeploymentStatus.PILOT)

    after = client.get(DEPLOYMENTS)

    assert (total(before), facet_counts(before, "status")) == (1, {"active": 1})
    assert (total(after), facet_counts(after, "status")) == (2, {"active": 1, "pilot": 1})
    assert b"2 deployments" in after.content


def test_retracting_and_deleting_records_change_the_counts(client):
    kept, retracted, deleted = DeploymentFactory.create_batch(3)
    assert total(client.get(DEPLOYMENTS)) == 3

    retracted.state = choices.State.RETRACTED
    retracted.public_note = "Synthetic: withdrawn after correction."
    retracted.save()
    assert total(client.get(DEPLOYMENTS)) == 2

    deleted.delete()
    response = client.get(DEPLOYMENTS)
    assert total(response) == 1
    assert [row.pk for row in response.context["rows"]] == [kept.pk]


def test_editing_an_agency_moves_its_deployments_to_another_facet_value(client):
    agency = AgencyFactory(country="US", region="US-CA")
    DeploymentFactory.create_batch(2, agency=agency)
    assert facet_counts(client.get(DEPLOYMENTS), "country") == {"US": 2}

    agency.country, agency.region = "GB", "GB-ENG"
    agency.save()

    response = client.get(DEPLOYMENTS)
    assert facet_counts(response, "country") == {"GB": 2}
    assert facet_counts(response, "region") == {"GB-ENG": 2}


def test_a_new_country_is_offered_in_the_filter_at_once(client):
    AgencyFactory(country="US", region="")
    client.get(AGENCIES)
    AgencyFactory(country="FR", region="")

    response = client.get(AGENCIES)

    offered = [value for value, _label in response.context["form"].fields["country"].choices]
    assert offered == ["FR", "US"]
    assert b'<option value="FR">France</option>' in response.content


def test_naming_an_agency_in_a_policy_counts_it_as_governed(client):
    policy = PolicyFactory(kind=choices.PolicyKind.AGENCY_POLICY, agencies=[])
    agency = AgencyFactory()
    url = f"{AGENCIES}?policy={policy.slug}"
    assert total(client.get(url)) == 0

    policy.agencies.add(agency)  # only the link changes, not the policy's own fields

    response = client.get(url)
    assert total(response) == 1
    assert [row.pk for row in response.context["rows"]] == [agency.pk]


def test_the_version_changes_with_every_change_and_only_then():
    deployment = DeploymentFactory()
    first = counts.read_version()
    assert counts.read_version() == first

    deployment.save()
    second = counts.read_version()
    deployment.delete()

    assert len({first, second, counts.read_version()}) == 3


def test_counts_are_not_kept_when_caching_is_off(client, settings, django_assert_num_queries):
    settings.REGISTER_COUNTS_CACHE_SECONDS = 0
    settings.REGISTER_RESPONSE_CACHE_SECONDS = 0  # the page itself built again, too
    DeploymentFactory()
    client.get(DEPLOYMENTS)

    # Everything is counted again: all the list's queries but the version read.
    with django_assert_num_queries(DEPLOYMENT_LIST_QUERIES - 1):
        client.get(DEPLOYMENTS)


def test_an_agency_moved_to_a_new_country_is_offered_on_the_deployment_list_at_once(client):
    agency = AgencyFactory(country="US", region="US-CA")
    DeploymentFactory(agency=agency)
    client.get(DEPLOYMENTS)

    agency.country, agency.region = "FR", "FR-IDF"
    agency.save()

    form = client.get(DEPLOYMENTS).context["form"]
    assert [value for value, _label in form.fields["country"].choices] == ["FR"]
    assert [value for value, _label in form.fields["region"].choices] == ["FR-IDF"]


def test_a_deployment_saved_does_not_read_the_agencies_options_again(client):
    """The countries and regions offered are the agencies': kept until an agency changes."""
    deployment = DeploymentFactory(agency__country="US", agency__region="US-CA")
    client.get(DEPLOYMENTS)
    deployment.save()

    with CaptureQueriesContext(connection) as queries:
        response = client.get(DEPLOYMENTS)

    assert total(response) == 1  # the deployment's change is counted afresh ...
    options_read = [q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"]]
    assert options_read == []  # ... the agencies' values in use are not
    assert [value for value, _label in response.context["form"].fields["country"].choices] == ["US"]
