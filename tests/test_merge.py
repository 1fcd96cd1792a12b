"""
Merging two records that are one real thing recorded twice (registry/merge.py,
the admin's merge action, and "Needs attention"'s probable duplicates).
"""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import choices, merge
from registry.models import Agency, Audit, Deployment
from registry.search import deferred_indexing
from tests.factories import (
    AgencyFactory,
    AuditFactory,
    DeploymentFactory,
    PolicyFactory,
    SourceFactory,
    SystemFactory,
)
from tests.staff import member, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def twice():
    """One synthetic agency recorded twice, each with its own deployment, source and policy."""
    with deferred_indexing():
        kept = AgencyFactory(name="Synthetic Town Police Department", locality="Synthetic Town",
                             acronym="")  # fmt: skip
        other = AgencyFactory(name="Synthetic Town Police Dept.", locality="Synthetic Town",
                              acronym="STPD")  # fmt: skip
        source = SourceFactory()
        other.sources.add(source)
        deployment = DeploymentFactory(agency=other)
        policy = PolicyFactory(kind=choices.PolicyKind.AGENCY_POLICY, agencies=[other])
    return {"kept": kept, "other": other, "source": source, "deployment": deployment,
            "policy": policy}  # fmt: skip


def test_merging_moves_what_points_at_the_duplicate_and_retracts_it(twice):
    reviewer = member("synthetic-reviewer", "reviewers")
    kept, other = twice["kept"], twice["other"]
    result = merge.merge(kept, other, user=reviewer, reason="Same police department")
    kept.refresh_from_db()
    other.refresh_from_db()
    assert Deployment.objects.get(pk=twice["deployment"].pk).agency == kept
    assert list(twice["policy"].agencies.all()) == [kept]
    assert twice["source"] in kept.sources.all()
    assert kept.acronym == "STPD" and "acronym" in result.filled
    assert other.state == choices.State.RETRACTED and other.merged_into == kept
    assert kept.get_absolute_url() in other.public_note
    entry = other.history.first()
    assert (
        entry.history_user == reviewer and "Same police department" in entry.history_change_reason
    )
    assert "merged" in kept.history.first().history_change_reason


def test_a_merged_records_address_redirects_permanently_to_the_kept_one(twice, client):
    merge.merge(twice["kept"], twice["other"], user=member("r", "reviewers"), reason="Same")
    response = client.get(twice["other"].get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == twice["kept"].get_absolute_url()
    as_json = client.get(twice["other"].get_absolute_url(), {"format": "json"})
    assert as_json.status_code == 301 and as_json["Location"].endswith("?format=json")
    assert client.get(response["Location"]).status_code == 200


def test_merging_deployments_moves_audits_and_policies(twice):
    with deferred_indexing():
        system = SystemFactory()
        a = DeploymentFactory(agency=twice["kept"], system=system)
        b = DeploymentFactory(agency=twice["kept"], system=system)
        audit = AuditFactory(system=None, deployment=b)
        policy = PolicyFactory()
        b.policies.add(policy)
    b.refresh_from_db()  # as the admin loads it: audited, so "reported"
    merge.merge(a, b, user=member("r", "reviewers"), reason="Same use")
    assert Audit.objects.get(pk=audit.pk).deployment_id == a.pk
    assert list(a.policies.all()) == [policy]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.audit_status == choices.AuditStatus.REPORTED
    assert b.audit_status == choices.AuditStatus.NONE_KNOWN  # its audit moved with the merge


def test_an_editor_may_not_merge(twice):
    with pytest.raises(PermissionDenied):
        merge.merge(twice["kept"], twice["other"], user=member("e", "editors"), reason="x")
    assert Agency.objects.get(pk=twice["other"].pk).state == choices.State.PUBLISHED


def test_the_admin_merge_action_asks_which_record_to_keep(twice, client):
    sign_in(client, member("synthetic-reviewer", "reviewers"))
    url = reverse("admin:registry_agency_changelist")
    pks = [str(twice["kept"].pk), str(twice["other"].pk)]
    page = client.post(url, {"action": "merge_records", "_selected_action": pks})
    assert page.status_code == 200 and "Keep" in page.content.decode()
    done = client.post(url, {"action": "merge_records", "_selected_action": pks,
                             "workflow-keep": pks[0], "workflow-reason": "Same department",
                             "workflow-apply": "1"})  # fmt: skip
    assert done.status_code == 302
    assert Agency.objects.get(pk=twice["other"].pk).merged_into_id == twice["kept"].pk
    one = client.post(url, {"action": "merge_records", "_selected_action": pks[:1]}, follow=True)
    assert "Select exactly two records" in one.content.decode()


def test_needs_attention_lists_probable_duplicates(twice, client):
    sign_in(client, User.objects.create_superuser("synthetic-admin"))
    html = client.get(reverse("admin:registry_needs_attention")).content.decode()
    assert "Probable duplicates" in html
    assert f"id__in={twice['kept'].pk},{twice['other'].pk}" in html


def test_each_moved_deployment_costs_its_own_save_only():
    """Moving rows saves each (one history entry apiece); audit statuses are refreshed once."""

    def queries(n):
        with deferred_indexing():
            kept, other, system = AgencyFactory(), AgencyFactory(), SystemFactory()
            for _ in range(n):
                AuditFactory(system=None, deployment=DeploymentFactory(agency=other, system=system))
        user = member(f"synthetic-reviewer-{n}", "reviewers")
        with CaptureQueriesContext(connection) as captured:
            merge.merge(kept, other, user=user, reason="Same department")
        return len(captured)

    # 11: the save, its history entry and the history of its sources and policies.
    # A refresh of audit status per moved deployment made it 17.
    assert queries(3) - queries(1) <= 2 * 11
