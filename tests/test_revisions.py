"""
Editors propose changes to published records; reviewers approve or reject them.
The public record stays as it is until a reviewer approves.
"""

import pytest
from django.urls import reverse

from registry import revisions
from registry.choices import RevisionState, State
from registry.models import Revision

from . import factories
from .staff import member, sign_in
from .test_admin import _form_data, _url

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return member("synthetic-editor", "editors")


@pytest.fixture
def reviewer():
    return member("synthetic-reviewer", "reviewers")


def _propose_rename(client, agency, name="Synthetic Proposed Name"):
    url = _url("agency", "change", agency.pk)
    form = client.get(url)
    assert form.status_code == 200
    data = {**_form_data(form), "name": name, "change_reason": "Renamed in 2026"}
    return client.post(url, data)


def test_an_editors_change_to_a_published_record_waits_for_review(client, editor):
    agency = factories.AgencyFactory(name="Synthetic Live Name")
    client.force_login(editor)

    response = _propose_rename(client, agency)

    revision = Revision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:registry_revision_change", args=[revision.pk])
    agency.refresh_from_db()
    assert agency.name == "Synthetic Live Name"
    assert agency.state == State.PUBLISHED
    assert revision.changes == {"name": "Synthetic Proposed Name"}
    assert (revision.state, revision.proposed_by, revision.reason) == (
        RevisionState.PENDING,
        editor,
        "Renamed in 2026",
    )
    page = client.get(reverse("admin:registry_revision_change", args=[revision.pk]))
    assert "Synthetic Live Name" in page.text and "Synthetic Proposed Name" in page.text
    assert "Approve and publish" not in page.text  # editors cannot decide


def test_a_reviewer_approves_and_history_names_both(client, editor, reviewer):
    agency = factories.AgencyFactory(name="Synthetic Live Name")
    client.force_login(editor)
    _propose_rename(client, agency)
    revision = Revision.objects.get()

    sign_in(client, reviewer)  # with their second factor
    url = reverse("admin:registry_revision_change", args=[revision.pk])
    page = client.get(url)
    assert "Approve and publish" in page.text
    response = client.post(url, {"decision_note": "Checked the council minutes", "_approve": "1"})

    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.name == "Synthetic Proposed Name"
    entry = agency.history.order_by("-history_id").first()
    assert entry.history_user == reviewer
    assert f"proposed by synthetic-editor as {revision.reference}" in entry.history_change_reason
    revision.refresh_from_db()
    assert (revision.state, revision.decided_by) == (RevisionState.APPROVED, reviewer)
    assert revision.history.count() == 2  # proposed, then approved


def test_a_rejected_revision_changes_nothing(client, editor, reviewer):
    agency = factories.AgencyFactory(name="Synthetic Live Name")
    client.force_login(editor)
    _propose_rename(client, agency)
    revision = Revision.objects.get()

    with pytest.raises(Exception, match="Say why"):
        revisions.reject(revision, user=reviewer, note="")
    revisions.reject(revision, user=reviewer, note="The source does not say so")

    agency.refresh_from_db()
    assert agency.name == "Synthetic Live Name"
    revision.refresh_from_db()
    assert revision.state == RevisionState.REJECTED


def test_an_editor_cannot_approve(client, editor):
    agency = factories.AgencyFactory(name="Synthetic Live Name")
    client.force_login(editor)
    _propose_rename(client, agency)
    revision = Revision.objects.get()

    response = client.post(
        reverse("admin:registry_revision_change", args=[revision.pk]), {"_approve": "1"}
    )

    assert response.status_code == 403
    agency.refresh_from_db()
    assert agency.name == "Synthetic Live Name"


def test_a_reviewers_own_edit_of_a_published_record_goes_live(client, reviewer):
    agency = factories.AgencyFactory(name="Synthetic Live Name")
    sign_in(client, reviewer)  # with their second factor
    response = _propose_rename(client, agency, name="Synthetic Reviewed Name")
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.name == "Synthetic Reviewed Name"
    assert not Revision.objects.exists()


def test_pending_revisions_are_listed_in_needs_attention(client, editor, reviewer):
    agency = factories.AgencyFactory()
    client.force_login(editor)
    _propose_rename(client, agency)
    sign_in(client, reviewer)  # with their second factor
    response = client.get(reverse("admin:registry_needs_attention"))
    assert "Proposed revisions waiting for review" in response.text
    assert Revision.objects.get().reference in response.text
