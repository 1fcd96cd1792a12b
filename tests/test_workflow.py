"""The publishing workflow: roles, state transitions, reasons in history, verification."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry import choices, workflow
from registry.choices import State
from registry.models import Deployment, Policy, Source, System, Vendor
from registry.workflow import TransitionNotAllowed

from . import factories
from .staff import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return member("synthetic-editor", "editors")


@pytest.fixture
def reviewer():
    return member("synthetic-reviewer", "reviewers")


def test_reviewers_may_publish_every_record_model_and_editors_none(editor, reviewer):
    for model in (Source, Vendor, System, Deployment, Policy):
        assert workflow.can_publish(reviewer, model)
        assert not workflow.can_publish(editor, model)


def test_editors_may_add_and_change_records_and_triage_suggestions_but_not_delete(editor):
    assert editor.has_perm("registry.add_deployment")
    assert editor.has_perm("registry.change_policy")
    assert editor.has_perm("registry.change_suggestion")
    assert not editor.has_perm("registry.delete_deployment")
    assert not editor.has_perm("registry.add_suggestion")


def test_editor_sends_a_draft_to_review_with_reason_in_history(editor):
    vendor = factories.VendorFactory(state=State.DRAFT)
    changed = workflow.transition([vendor], to=State.IN_REVIEW, user=editor, reason="Ready")
    assert changed == 1
    vendor.refresh_from_db()
    assert vendor.state == State.IN_REVIEW
    entry = vendor.history.latest()
    assert (entry.history_user, entry.history_change_reason) == (editor, "Ready")


@pytest.mark.parametrize("to", [State.PUBLISHED, State.RETRACTED])
def test_editor_cannot_publish_or_retract(editor, to):
    vendor = factories.VendorFactory(state=State.IN_REVIEW)
    with pytest.raises(TransitionNotAllowed):
        workflow.transition([vendor], to=to, user=editor, reason="x", public_note="note")
    vendor.refresh_from_db()
    assert vendor.state == State.IN_REVIEW


def test_editor_cannot_unpublish_a_published_record(editor):
    vendor = factories.VendorFactory(state=State.PUBLISHED)
    with pytest.raises(TransitionNotAllowed):
        workflow.transition([vendor], to=State.DRAFT, user=editor, reason="x")


def test_a_refused_record_leaves_the_whole_batch_unchanged(editor):
    draft = factories.VendorFactory(state=State.DRAFT)
    published = factories.VendorFactory(state=State.PUBLISHED)
    with pytest.raises(TransitionNotAllowed):
        workflow.transition([draft, published], to=State.IN_REVIEW, user=editor, reason="x")
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_anonymous_users_change_nothing():
    vendor = factories.VendorFactory(state=State.DRAFT)
    with pytest.raises(TransitionNotAllowed):
        workflow.transition([vendor], to=State.IN_REVIEW, user=AnonymousUser(), reason="x")


def test_a_reason_is_required():
    superuser = User.objects.create_superuser("synthetic-admin")
    vendor = factories.VendorFactory(state=State.DRAFT)
    with pytest.raises(ValidationError):
        workflow.transition([vendor], to=State.PUBLISHED, user=superuser, reason="  ")


def test_reviewer_publishes_and_the_audit_status_follows(reviewer):
    system = factories.SystemFactory()
    audit = factories.AuditFactory(system=system, state=State.IN_REVIEW)
    system.refresh_from_db()
    assert system.audit_status == choices.AuditStatus.NONE_KNOWN
    workflow.transition([audit], to=State.PUBLISHED, user=reviewer, reason="Checked")
    system.refresh_from_db()
    assert system.audit_status == choices.AuditStatus.REPORTED


def test_a_deployment_audit_or_policy_without_a_source_cannot_be_published(reviewer):
    policy = factories.PolicyFactory(state=State.IN_REVIEW, sources=[])
    vendor = factories.VendorFactory(state=State.IN_REVIEW, sources=[])
    with pytest.raises(ValidationError, match="cites at least one published source"):
        workflow.transition([vendor, policy], to=State.PUBLISHED, user=reviewer, reason="x")
    vendor.refresh_from_db()
    assert vendor.state == State.IN_REVIEW
    # A vendor may be published without a source; the format requires them for the others.
    workflow.transition([vendor], to=State.PUBLISHED, user=reviewer, reason="x")


def test_a_record_citing_only_a_draft_source_cannot_be_published(reviewer):
    draft = factories.SourceFactory(state=State.DRAFT)
    deployment = factories.DeploymentFactory(state=State.IN_REVIEW, sources=[draft])

    with pytest.raises(ValidationError, match="No source: “"):
        workflow.transition([deployment], to=State.PUBLISHED, user=reviewer, reason="Checked")

    deployment.refresh_from_db()
    assert deployment.state == State.IN_REVIEW


def test_publishing_can_publish_the_cited_draft_sources_in_the_same_step(reviewer):
    draft = factories.SourceFactory(state=State.DRAFT)
    deployment = factories.DeploymentFactory(state=State.IN_REVIEW, sources=[draft])

    changed = workflow.transition(
        [deployment],
        to=State.PUBLISHED,
        user=reviewer,
        reason="Checked with its source",
        publish_cited_sources=True,
    )

    assert changed == 1
    draft.refresh_from_db()
    deployment.refresh_from_db()
    assert (draft.state, deployment.state) == (State.PUBLISHED, State.PUBLISHED)
    assert draft.history.first().history_change_reason == "Checked with its source"


def test_an_editor_cannot_publish_sources_through_a_record(editor):
    draft = factories.SourceFactory(state=State.DRAFT)
    deployment = factories.DeploymentFactory(state=State.IN_REVIEW, sources=[draft])
    with pytest.raises(TransitionNotAllowed):
        workflow.transition(
            [deployment], to=State.PUBLISHED, user=editor, reason="x", publish_cited_sources=True
        )
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_records_citing_only_draft_sources_count_as_unsourced():
    cited = factories.DeploymentFactory(sources=[factories.SourceFactory(state=State.DRAFT)])
    sourced = factories.DeploymentFactory()

    assert list(Deployment.objects.unsourced()) == [cited]
    counts = dict(
        Deployment.objects.with_published_source_count().values_list("pk", "published_source_count")
    )
    assert counts == {cited.pk: 0, sourced.pk: 1}


def test_retracting_needs_a_public_note_and_keeps_it(reviewer):
    deployment = factories.DeploymentFactory()
    with pytest.raises(ValidationError):
        workflow.transition([deployment], to=State.RETRACTED, user=reviewer, reason="x")
    workflow.transition(
        [deployment],
        to=State.RETRACTED,
        user=reviewer,
        reason="Wrong agency",
        public_note="This use was by a neighbouring synthetic county.",
    )
    deployment.refresh_from_db()
    assert deployment.state == State.RETRACTED
    assert deployment.public_note == "This use was by a neighbouring synthetic county."
    assert deployment.history.latest().public_note == deployment.public_note


def test_records_already_in_the_state_are_left_alone(reviewer):
    vendor = factories.VendorFactory(state=State.PUBLISHED)
    entries = vendor.history.count()
    assert workflow.transition([vendor], to=State.PUBLISHED, user=reviewer, reason="x") == 0
    assert vendor.history.count() == entries


def test_a_transition_keeps_the_sources_in_history(reviewer):
    source = factories.SourceFactory()
    deployment = factories.DeploymentFactory(state=State.IN_REVIEW, sources=[source])
    workflow.transition([deployment], to=State.PUBLISHED, user=reviewer, reason="x")
    entry = deployment.history.latest()
    assert [row.source_id for row in entry.sources.all()] == [source.pk]


def test_mark_verified_sets_today_and_records_the_reason(editor):
    agency = factories.AgencyFactory(last_verified=datetime.date(2020, 1, 1))
    workflow.mark_verified([agency], user=editor, reason="Re-checked the council page")
    agency.refresh_from_db()
    assert agency.last_verified == timezone.localdate()
    entry = agency.history.latest()
    assert (entry.history_user, entry.history_change_reason) == (
        editor,
        "Re-checked the council page",
    )


def test_mark_verified_needs_the_change_permission():
    viewer = User.objects.create_user("synthetic-viewer", is_staff=True)
    agency = factories.AgencyFactory()
    with pytest.raises(TransitionNotAllowed):
        workflow.mark_verified([agency], user=viewer, reason="x")
