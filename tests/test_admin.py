"""The maintainers' admin: every page renders, editors cannot publish, history and revert."""

import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from registry import choices, models, types
from registry.choices import State

from . import factories
from .staff import member, sign_in

pytestmark = pytest.mark.django_db


# --- Users ---------------------------------------------------------------------


@pytest.fixture
def editor_client(client):
    client.force_login(member("synthetic-editor", "editors"))
    return client


@pytest.fixture
def reviewer_client(client):
    sign_in(client, member("synthetic-reviewer", "reviewers"))  # with their second factor
    return client


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("synthetic-admin")


@pytest.fixture
def admin_client(client, superuser):
    sign_in(client, superuser)  # with their second factor
    return client


# --- Seed-like data ------------------------------------------------------------


def one_of_each():
    """One record of each model, linked the way the real register links them."""
    deployment = factories.DeploymentFactory()
    policy = factories.PolicyFactory(agencies=[deployment.agency])
    deployment.policies.set([policy])
    audit = factories.AuditFactory(system=deployment.system)
    suggestion = models.Suggestion.objects.create(
        record=deployment,
        body="Synthetic suggestion: the start date is wrong.",
        name="Synthetic Sender",
        email="sender@example.org",
    )
    return {
        "source": deployment.sources.get(),
        "vendor": deployment.system.vendor,
        "system": deployment.system,
        "agency": deployment.agency,
        "deployment": deployment,
        "audit": audit,
        "policy": policy,
        "suggestion": suggestion,
    }


MODEL_NAMES = ["source", "vendor", "system", "agency", "deployment", "audit", "policy"]


def _url(model_name, view, *args):
    return reverse(f"admin:registry_{model_name}_{view}", args=args)


class TestOneRecordOfEachModel:
    """
    The tests that need ``seed``, one record of each model, built once for the
    class; what a test writes besides is rolled back after it.
    """

    @pytest.fixture(scope="class")
    @classmethod
    def seed(cls, class_db):
        return one_of_each()

    @pytest.mark.parametrize("model_name", [*MODEL_NAMES, "suggestion"])
    def test_change_list_search_change_form_and_history_show_the_record(
        self, admin_client, seed, model_name
    ):
        obj = seed[model_name]
        link = _url(model_name, "change", obj.pk)
        # The list links to the record; its search finds it by its id, and not by a word it lacks.
        assert link in admin_client.get(_url(model_name, "changelist")).text
        key = getattr(obj, "slug", None) or "Synthetic suggestion"
        assert link in admin_client.get(_url(model_name, "changelist"), {"q": key}).text
        missed = admin_client.get(_url(model_name, "changelist"), {"q": "zzz-no-such-record"})
        assert missed.status_code == 200 and link not in missed.text
        # The change form holds the record's values; its history page names it.
        form = admin_client.get(link)
        assert form.status_code == 200
        shown = f'value="{obj.slug}"' if hasattr(obj, "slug") else "Synthetic suggestion"
        assert shown in form.text
        history = admin_client.get(_url(model_name, "history", obj.pk))
        assert history.status_code == 200 and escape(str(obj)) in history.text

    @pytest.mark.parametrize("model_name", MODEL_NAMES)
    def test_add_form_renders_for_every_record_model(self, admin_client, seed, model_name):
        response = admin_client.get(_url(model_name, "add"))
        assert response.status_code == 200
        assert "Reason for this change" in response.text

    @pytest.mark.parametrize("model_name", ["deployment", "policy", "source", "agency"])
    def test_change_list_filters_select_the_matching_records_only(
        self, admin_client, seed, model_name
    ):
        params, make = _filter_cases()[model_name]
        wanted = make()

        response = admin_client.get(_url(model_name, "changelist"), params)

        shown = [obj.pk for obj in response.context["cl"].result_list]
        assert shown == [wanted.pk]
        assert seed[model_name].pk not in shown

    def test_change_list_shows_source_count_and_audit_status(self, admin_client, seed):
        response = admin_client.get(_url("deployment", "changelist"))
        assert "column-source_count" in response.text
        assert "column-audit_status" in response.text

    def test_autocomplete_for_sources_answers_editors(self, editor_client, seed):
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {
                "term": "Synthetic",
                "app_label": "registry",
                "model_name": "deployment",
                "field_name": "sources",
            },
        )
        assert response.status_code == 200
        assert response.json()["results"]

    def test_editor_cannot_publish_through_a_suggestion_link(self, editor_client, seed):
        suggestion = models.Suggestion.objects.create(body="Synthetic: a vendor is missing.")
        url = _url("vendor", "add") + f"?suggestion={suggestion.pk}&state=published"
        form = editor_client.get(url).context["adminform"].form
        assert form.initial["state"] == State.DRAFT
        response = editor_client.post(
            url, {"name": "Synthetic Vendor X", "slug": "synthetic-vendor-x", "state": "published"}
        )
        assert response.status_code == 200
        assert not models.Vendor.objects.filter(slug="synthetic-vendor-x").exists()

    def test_suggestion_shows_sender_only_in_the_admin_and_links_its_record(
        self, admin_client, seed
    ):
        suggestion = seed["suggestion"]
        response = admin_client.get(_url("suggestion", "change", suggestion.pk))
        assert "sender@example.org" in response.text
        link = _url("deployment", "change", seed["deployment"].pk) + f"?suggestion={suggestion.pk}"
        assert link in response.text


def _filter_cases():
    """(model name, filters, a record they select); the seed's record of that model is left out."""
    recent = timezone.localdate() - datetime.timedelta(days=30)
    return {
        "deployment": (
            {"sources": "none", "verified": "due", "audit_status__exact": "none_known"},
            lambda: factories.DeploymentFactory(sources=[], last_verified=None),
        ),
        "policy": (
            {"expired": "yes", "sources": "some", "verified": "recent"},
            lambda: factories.PolicyFactory(
                status=choices.PolicyStatus.IN_FORCE,
                ends=datetime.date(2001, 1, 1),
                last_verified=recent,
            ),
        ),
        "source": (
            {"link_ok__exact": "0", "verified": "never"},
            lambda: _source_with_broken_link(),
        ),
        "agency": (
            {"state__exact": "published", "kind__exact": "sheriff"},
            lambda: factories.AgencyFactory(kind=choices.AgencyKind.SHERIFF),
        ),
    }


def _source_with_broken_link():
    source = factories.SourceFactory(last_verified=None)
    models.Source.objects.filter(pk=source.pk).update(link_ok=False, link_status=404)
    return source


def test_admin_index_links_to_needs_attention(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert reverse("admin:registry_needs_attention") in response.text


def test_admin_index_links_to_federal_import_only_when_that_page_exists(admin_client):
    response = admin_client.get(reverse("admin:index"))
    try:
        url = reverse("federal-import")
    except NoReverseMatch:
        assert "federal AI use case inventory" not in response.text
    else:
        assert url in response.text


# --- Forms: plain-words validation ---------------------------------------------


def _form_data(response):
    """The values of a rendered admin form, ready to post back."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        else:
            data[name] = value
    return data


def _post_change(client, obj, **changes):
    url = _url(obj._meta.model_name, "change", obj.pk)
    data = _form_data(client.get(url))
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(url, data)


def test_publishing_a_deployment_without_a_source_is_refused_in_plain_words(admin_client):
    deployment = factories.DeploymentFactory(state=State.DRAFT, sources=[])
    response = _post_change(
        admin_client, deployment, state=State.PUBLISHED, change_reason="Ready", sources=[]
    )
    assert response.status_code == 200
    assert "Every published deployment, audit and policy cites at least one published source" in (
        response.text
    )
    deployment.refresh_from_db()
    assert deployment.state == State.DRAFT


def test_publishing_a_deployment_citing_only_a_draft_source_is_refused(admin_client):
    draft = factories.SourceFactory(state=State.DRAFT)
    deployment = factories.DeploymentFactory(state=State.DRAFT, sources=[draft])
    response = _post_change(admin_client, deployment, state=State.PUBLISHED, change_reason="Ready")
    assert response.status_code == 200
    assert "cites at least one published source" in response.text
    deployment.refresh_from_db()
    assert deployment.state == State.DRAFT


def test_the_publish_action_offers_to_publish_the_cited_draft_sources(reviewer_client):
    draft = factories.SourceFactory(state=State.DRAFT)
    deployment = factories.DeploymentFactory(state=State.IN_REVIEW, sources=[draft])
    refused = _action(
        reviewer_client,
        "deployment",
        "publish",
        [deployment],
        **{"workflow-apply": "1", "workflow-reason": "Checked"},
    )
    deployment.refresh_from_db()
    assert deployment.state == State.IN_REVIEW
    assert "cites at least one published source" in " ".join(
        str(m) for m in refused.wsgi_request._messages
    )

    page = _action(reviewer_client, "deployment", "publish", [deployment])
    assert "Also publish the draft sources they cite" in page.text
    _action(
        reviewer_client,
        "deployment",
        "publish",
        [deployment],
        **{
            "workflow-apply": "1",
            "workflow-reason": "Checked with its source",
            "workflow-publish_cited_sources": "on",
        },
    )
    deployment.refresh_from_db()
    draft.refresh_from_db()
    assert (deployment.state, draft.state) == (State.PUBLISHED, State.PUBLISHED)


def test_the_change_list_counts_published_sources_only(admin_client):
    factories.DeploymentFactory(sources=[factories.SourceFactory(state=State.DRAFT)])
    response = admin_client.get(_url("deployment", "changelist"))
    assert "published sources" in response.text.lower()
    assert [row.published_source_count for row in response.context["cl"].result_list] == [0]


def test_an_audit_must_concern_a_system_or_a_deployment(admin_client):
    audit = factories.AuditFactory(state=State.DRAFT)
    response = _post_change(admin_client, audit, system="", deployment="", change_reason="x")
    assert "An audit must concern a system or a deployment." in response.text


def test_a_date_is_typed_at_the_precision_known(admin_client):
    deployment = factories.DeploymentFactory(state=State.DRAFT)
    form = _form_data(admin_client.get(_url("deployment", "change", deployment.pk)))
    assert "started_precision" not in form  # one box per date, no precision menu

    for typed, stored, precision in (
        ("2019", datetime.date(2019, 1, 1), "year"),
        ("2019-05", datetime.date(2019, 5, 1), "month"),
        ("2019-05-14", datetime.date(2019, 5, 14), "day"),
    ):
        response = _post_change(admin_client, deployment, started=typed, change_reason="Known")
        assert response.status_code == 302, response.context["adminform"].form.errors
        deployment.refresh_from_db()
        assert (deployment.started, deployment.started_precision) == (stored, precision)
        # The form shows it back as typed.
        shown = _form_data(admin_client.get(_url("deployment", "change", deployment.pk)))
        assert shown["started"] == typed


def test_a_date_that_is_not_a_partial_date_is_refused_in_plain_words(admin_client):
    deployment = factories.DeploymentFactory(state=State.DRAFT)
    response = _post_change(admin_client, deployment, started="May 2019", change_reason="x")
    assert response.status_code == 200
    assert "Type the date as far as it is known: 2019, 2019-05 or 2019-05-14." in response.text


def test_an_end_before_the_start_is_refused(admin_client):
    deployment = factories.DeploymentFactory(state=State.DRAFT)
    response = _post_change(
        admin_client, deployment, started="2020", ended="2019-06", change_reason="x"
    )
    assert "The end date is before the start date." in response.text


def test_a_region_outside_the_country_is_refused(admin_client):
    agency = factories.AgencyFactory(state=State.DRAFT, country="GB", region="GB-WLS")
    response = _post_change(admin_client, agency, region="US-CA", change_reason="x")
    assert "a region code starts with its country code" in response.text


def test_changing_a_record_needs_a_reason(admin_client):
    vendor = factories.VendorFactory(state=State.DRAFT)
    response = _post_change(admin_client, vendor, name="Synthetic Vendor Renamed", change_reason="")
    assert response.status_code == 200
    vendor.refresh_from_db()
    assert vendor.name != "Synthetic Vendor Renamed"


def test_the_id_of_a_published_record_never_changes(admin_client):
    vendor = factories.VendorFactory()
    response = _post_change(admin_client, vendor, slug="synthetic-new-id", change_reason="x")
    assert "permanent address" in response.text


# --- Editors cannot publish -----------------------------------------------------


def test_editor_cannot_publish_through_the_change_form(editor_client):
    deployment = factories.DeploymentFactory(state=State.IN_REVIEW)
    response = _post_change(
        editor_client, deployment, state=State.PUBLISHED, change_reason="Looks done"
    )
    assert response.status_code == 200
    assert "Only reviewers may publish or retract records" in response.text
    deployment.refresh_from_db()
    assert deployment.state == State.IN_REVIEW


def test_editor_is_not_offered_published_or_retracted_states(editor_client):
    vendor = factories.VendorFactory(state=State.DRAFT)
    response = editor_client.get(_url("vendor", "change", vendor.pk))
    choices_offered = [v for v, _ in response.context["adminform"].form.fields["state"].choices]
    assert choices_offered == [State.DRAFT, State.IN_REVIEW]


def test_a_new_deployment_without_an_id_gets_one_from_its_agency_and_system(admin_client):
    agency = factories.AgencyFactory(slug="synthetic-police")
    system = factories.SystemFactory(slug="synthetic-face-search")
    factories.DeploymentFactory(slug="synthetic-police-synthetic-face-search")
    data = {"agency": agency.pk, "system": system.pk, "state": State.DRAFT, "slug": ""}

    response = admin_client.post(_url("deployment", "add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = models.Deployment.objects.get(agency=agency, state=State.DRAFT)
    assert created.slug == "synthetic-police-synthetic-face-search-2"
    refused = admin_client.post(_url("deployment", "add"), {"state": State.DRAFT, "slug": ""})
    assert "Give an id, or choose the agency and the system" in refused.text


def test_editor_cannot_add_a_published_record(editor_client):
    response = editor_client.post(
        _url("vendor", "add"),
        {"name": "Synthetic Vendor New", "slug": "synthetic-vendor-new", "state": "published"},
    )
    assert response.status_code == 200
    assert not models.Vendor.objects.filter(slug="synthetic-vendor-new").exists()


def test_an_editors_change_to_a_published_record_is_a_proposal(editor_client):
    vendor = factories.VendorFactory(state=State.PUBLISHED, name="Synthetic Live")
    response = editor_client.get(_url("vendor", "change", vendor.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.fields["state"].disabled
    proposed = editor_client.post(
        _url("vendor", "change", vendor.pk),
        {**_form_data(response), "name": "Synthetic Changed", "change_reason": "x"},
    )
    assert proposed.status_code == 302
    vendor.refresh_from_db()
    assert vendor.name == "Synthetic Live"
    assert models.Revision.objects.get().changes == {"name": "Synthetic Changed"}


def _action(client, model_name, action, objs, **extra):
    data = {
        "action": action,
        "_selected_action": [str(obj.pk) for obj in objs],
        "index": "0",
        **extra,
    }
    return client.post(_url(model_name, "changelist"), data)


def test_editor_is_not_offered_the_publish_and_retract_actions(editor_client):
    factories.VendorFactory(state=State.DRAFT)
    response = editor_client.get(_url("vendor", "changelist"))
    offered = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert "send_to_review" in offered
    assert "mark_verified" in offered
    assert "publish" not in offered
    assert "retract" not in offered


def test_editor_cannot_publish_by_posting_the_bulk_action(editor_client):
    vendor = factories.VendorFactory(state=State.IN_REVIEW)
    _action(
        editor_client,
        "vendor",
        "publish",
        [vendor],
        **{"workflow-reason": "x", "workflow-apply": "1"},
    )
    vendor.refresh_from_db()
    assert vendor.state == State.IN_REVIEW


def test_editor_cannot_revert_a_record_to_its_published_version(editor_client):
    vendor = factories.VendorFactory(state=State.PUBLISHED)
    published_version = vendor.history.latest()
    vendor.state = State.DRAFT
    vendor.save()
    url = _url("vendor", "simple_history", vendor.pk, published_version.history_id)
    response = editor_client.get(url)
    assert response.status_code == 200
    data = _form_data(response)
    assert data["state"] == State.DRAFT
    data.update(state=State.PUBLISHED, change_reason="Restore")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    vendor.refresh_from_db()
    assert vendor.state == State.DRAFT


def test_an_editors_revert_of_a_published_record_is_a_proposal(editor_client):
    vendor = factories.VendorFactory(state=State.DRAFT, name="Synthetic Old Name")
    draft_version = vendor.history.latest()
    vendor.name = "Synthetic New Name"
    vendor.state = State.PUBLISHED
    vendor.save()
    url = _url("vendor", "simple_history", vendor.pk, draft_version.history_id)
    response = editor_client.get(url)
    assert not response.context["revert_disabled"]
    data = _form_data(response)
    response = editor_client.post(url, {**data, "change_reason": "Go back"})
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert (vendor.name, vendor.state) == ("Synthetic New Name", State.PUBLISHED)
    assert models.Revision.objects.get().changes == {"name": "Synthetic Old Name"}


# --- Reviewers publish, with a reason -------------------------------------------


def test_bulk_publish_asks_for_a_reason_first(reviewer_client):
    vendor = factories.VendorFactory(state=State.IN_REVIEW)
    response = _action(reviewer_client, "vendor", "publish", [vendor])
    assert response.status_code == 200
    assert "Reason for this change" in response.text
    response = _action(
        reviewer_client,
        "vendor",
        "publish",
        [vendor],
        **{"workflow-apply": "1", "workflow-reason": ""},
    )
    assert response.status_code == 200
    vendor.refresh_from_db()
    assert vendor.state == State.IN_REVIEW


def test_reviewer_publishes_in_bulk_and_history_keeps_who_and_why(reviewer_client):
    vendors = factories.VendorFactory.create_batch(2, state=State.IN_REVIEW)
    response = _action(
        reviewer_client,
        "vendor",
        "publish",
        vendors,
        **{"workflow-apply": "1", "workflow-reason": "Checked both against their sources"},
    )
    assert response.status_code == 302
    for vendor in vendors:
        vendor.refresh_from_db()
        assert vendor.state == State.PUBLISHED
        latest = vendor.history.latest()
        assert latest.history_user.username == "synthetic-reviewer"
        assert latest.history_change_reason == "Checked both against their sources"


def test_reviewer_publishes_through_the_change_form(reviewer_client):
    deployment = factories.DeploymentFactory(state=State.IN_REVIEW)
    response = _post_change(
        reviewer_client, deployment, state=State.PUBLISHED, change_reason="Reviewed"
    )
    assert response.status_code == 302
    deployment.refresh_from_db()
    assert deployment.state == State.PUBLISHED


def test_bulk_publish_refuses_a_deployment_without_a_source(reviewer_client):
    deployment = factories.DeploymentFactory(state=State.IN_REVIEW, sources=[])
    response = _action(
        reviewer_client,
        "deployment",
        "publish",
        [deployment],
        **{"workflow-apply": "1", "workflow-reason": "Go"},
    )
    assert response.status_code == 302
    deployment.refresh_from_db()
    assert deployment.state == State.IN_REVIEW
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("cites at least one published source" in m for m in messages)


def test_retract_asks_for_a_public_note(reviewer_client):
    policy = factories.PolicyFactory()
    response = _action(
        reviewer_client,
        "policy",
        "retract",
        [policy],
        **{"workflow-apply": "1", "workflow-reason": "Wrong city"},
    )
    assert response.status_code == 200
    assert "Public note" in response.text
    response = _action(
        reviewer_client,
        "policy",
        "retract",
        [policy],
        **{
            "workflow-apply": "1",
            "workflow-reason": "Wrong city",
            "workflow-public_note": "This ordinance was confused with another city's.",
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.state == State.RETRACTED
    assert policy.public_note == "This ordinance was confused with another city's."


def test_workflow_actions_work_from_the_change_form(reviewer_client):
    vendor = factories.VendorFactory(state=State.IN_REVIEW)
    url = _url("vendor", "change", vendor.pk)
    data = {"CHANGE_FORM-action": "publish", "_selected_action": str(vendor.pk)}
    response = reviewer_client.post(url, data)
    assert response.status_code == 200
    assert "Reason for this change" in response.text
    response = reviewer_client.post(
        url, {**data, "workflow-apply": "1", "workflow-reason": "Reviewed on its page"}
    )
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.state == State.PUBLISHED


def test_editor_sends_drafts_to_review(editor_client):
    vendor = factories.VendorFactory(state=State.DRAFT)
    _action(
        editor_client,
        "vendor",
        "send_to_review",
        [vendor],
        **{"workflow-apply": "1", "workflow-reason": "Ready for review"},
    )
    vendor.refresh_from_db()
    assert vendor.state == State.IN_REVIEW


def test_mark_as_verified_today_records_the_date_and_reason(editor_client):
    agency = factories.AgencyFactory(last_verified=None)
    _action(
        editor_client,
        "agency",
        "mark_verified",
        [agency],
        **{"workflow-apply": "1", "workflow-reason": "Re-read the 2024 council minutes"},
    )
    agency.refresh_from_db()
    assert agency.last_verified == timezone.localdate()
    assert agency.history.latest().history_change_reason == "Re-read the 2024 council minutes"


# --- History ------------------------------------------------------------------


def test_every_admin_save_records_author_reason_and_final_sources(admin_client, superuser):
    deployment = factories.DeploymentFactory(state=State.DRAFT)
    new_source = factories.SourceFactory()
    before = deployment.history.count()
    response = _post_change(
        admin_client,
        deployment,
        description="Synthetic description",
        sources=[str(new_source.pk)],
        change_reason="Added the council report",
    )
    assert response.status_code == 302
    assert deployment.history.count() == before + 1  # one entry, links included
    latest = deployment.history.latest()
    assert latest.history_user == superuser
    assert latest.history_change_reason == "Added the council report"
    assert [row.source_id for row in latest.sources.all()] == [new_source.pk]


def test_a_record_added_in_the_admin_is_recorded_as_created(admin_client, superuser):
    response = admin_client.post(
        _url("vendor", "add"),
        {"name": "Synthetic Vendor Added", "slug": "synthetic-vendor-added", "state": "draft"},
    )
    assert response.status_code == 302
    vendor = models.Vendor.objects.get(slug="synthetic-vendor-added")
    (entry,) = vendor.history.all()
    assert entry.history_type == "+"
    assert entry.history_change_reason == "Created"
    assert entry.history_user == superuser


def test_history_page_shows_reason_and_changed_fields(admin_client):
    vendor = factories.VendorFactory(state=State.DRAFT, name="Synthetic Before")
    _post_change(admin_client, vendor, name="Synthetic After", change_reason="Company renamed")
    response = admin_client.get(_url("vendor", "history", vendor.pk))
    assert "Company renamed" in response.text
    assert "Synthetic Before" in response.text
    assert "Synthetic After" in response.text


def test_revert_restores_values_and_links_as_a_new_recorded_change(admin_client, superuser):
    old_source = factories.SourceFactory()
    vendor = factories.VendorFactory(
        state=State.DRAFT, name="Synthetic Original", sources=[old_source]
    )
    original = vendor.history.latest()
    _post_change(
        admin_client,
        vendor,
        name="Synthetic Mistake",
        sources=[str(factories.SourceFactory().pk)],
        change_reason="Oops",
    )
    count = vendor.history.count()
    url = _url("vendor", "simple_history", vendor.pk, original.history_id)
    data = _form_data(admin_client.get(url))
    assert data["change_reason"].startswith("Reverted to the version of")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.name == "Synthetic Original"
    assert list(vendor.sources.all()) == [old_source]
    assert vendor.history.count() == count + 1
    latest = vendor.history.latest()
    assert latest.history_user == superuser
    assert latest.history_change_reason.startswith("Reverted to the version of")


def test_revert_keeps_the_derived_audit_status(admin_client):
    system = factories.SystemFactory(state=State.DRAFT)
    first = system.history.latest()
    factories.AuditFactory(system=system)
    system.refresh_from_db()
    assert system.audit_status == choices.AuditStatus.REPORTED
    url = _url("system", "simple_history", system.pk, first.history_id)
    admin_client.post(url, _form_data(admin_client.get(url)))
    system.refresh_from_db()
    assert system.audit_status == choices.AuditStatus.REPORTED


# --- Suggestions -------------------------------------------------------------------


def test_draft_from_a_suggestion_is_prefilled_and_accepts_the_suggestion(editor_client):
    suggestion = models.Suggestion.objects.create(
        body="Synthetic: the city council adopted a ban.", source_urls="https://example.org/ban"
    )
    add_url = _url("policy", "add") + f"?suggestion={suggestion.pk}"
    response = editor_client.get(add_url)
    assert response.context["adminform"].form.initial["summary"] == suggestion.body
    assert "Synthetic: the city council adopted a ban." in response.text
    source = factories.SourceFactory()
    response = editor_client.post(
        add_url,
        {
            "title": "Synthetic Ban Ordinance",
            "slug": "synthetic-ban-ordinance",
            "kind": "ban",
            "status": "in_force",
            "country": "US",
            "region": "US-CA",
            "summary": suggestion.body,
            "requirements": ["ban_government_use"],
            "sources": [str(source.pk)],
            "state": "draft",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy = models.Policy.objects.get(slug="synthetic-ban-ordinance")
    assert policy.state == State.DRAFT
    suggestion.refresh_from_db()
    assert suggestion.state == choices.SuggestionState.ACCEPTED
    assert suggestion.record == policy


def test_suggestions_are_triaged_in_bulk(editor_client):
    suggestion = models.Suggestion.objects.create(body="Synthetic: duplicate of another.")
    response = _action(editor_client, "suggestion", "mark_duplicate", [suggestion])
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state == choices.SuggestionState.DUPLICATE
    assert suggestion.triaged_by.username == "synthetic-editor"


# --- Needs attention ----------------------------------------------------------------


def _attention(client):
    response = client.get(reverse("admin:registry_needs_attention"))
    assert response.status_code == 200
    return response, {section.key: section for section in response.context["sections"]}


def _listed(section):
    return {obj for group in section.groups for obj, _url in group.rows}


@pytest.fixture
def healthy():
    """A published, sourced, recently verified, audited deployment and an in-force policy."""
    today = timezone.localdate()
    deployment = factories.DeploymentFactory(last_verified=today)
    factories.AuditFactory(system=deployment.system)
    policy = factories.PolicyFactory(ends=today + datetime.timedelta(days=30))
    for model in types.MODELS:
        model.objects.update(last_verified=today)
    deployment.refresh_from_db()
    return deployment, policy


def test_needs_attention_lists_each_kind_of_problem(admin_client, healthy):
    today = timezone.localdate()
    unsourced = factories.VendorFactory(sources=[], last_verified=today)
    draft_sourced = factories.DeploymentFactory(
        sources=[factories.SourceFactory(state=State.DRAFT)], last_verified=today
    )
    factories.AuditFactory(system=draft_sourced.system)
    stale = factories.AgencyFactory(last_verified=today - datetime.timedelta(days=400))
    never = factories.AgencyFactory(last_verified=None)
    unaudited = factories.DeploymentFactory(last_verified=today)
    expired = factories.PolicyFactory(ends=today - datetime.timedelta(days=1), last_verified=today)
    broken = factories.SourceFactory(last_verified=today)
    models.Source.objects.filter(pk=broken.pk).update(link_ok=False, link_status=404)
    new_suggestion = models.Suggestion.objects.create(body="Synthetic: please check.")
    models.Suggestion.objects.create(body="Synthetic: done.", state="rejected")

    response, sections = _attention(admin_client)

    assert {unsourced, draft_sourced} <= _listed(sections["unsourced"])
    assert {stale, never} <= _listed(sections["unverified"])
    assert _listed(sections["unaudited"]) == {unaudited}
    assert _listed(sections["expired"]) == {expired}
    assert {obj.pk for obj in _listed(sections["broken-links"])} == {broken.pk}
    assert _listed(sections["suggestions"]) == {new_suggestion}
    assert reverse("admin:registry_vendor_change", args=[unsourced.pk]) in response.text


def test_change_lists_show_dates_at_their_precision(admin_client):
    factories.DeploymentFactory(
        started=datetime.date(2011, 1, 1), started_precision=choices.DatePrecision.YEAR
    )
    factories.AuditFactory(
        published=datetime.date(2019, 5, 1), published_precision=choices.DatePrecision.MONTH
    )
    deployments = admin_client.get(reverse("admin:registry_deployment_changelist"))
    audits = admin_client.get(reverse("admin:registry_audit_changelist"))
    assert '<td class="field-started">2011</td>' in deployments.text
    assert "Jan. 1, 2011" not in deployments.text
    assert '<td class="field-published">May 2019</td>' in audits.text
    # Still sortable by the date itself.
    assert 'class="sortable column-started' in deployments.text


def test_needs_attention_summarises_records_not_verified_for_a_year(admin_client, healthy):
    """
    Every record ages into "not verified": the section gives counts per type
    with links to the change list, and only the few longest unchecked.
    """
    from registry.admin.attention import SUMMARY_ROWS

    today = timezone.localdate()
    never = factories.AgencyFactory.create_batch(4, last_verified=None)
    stale = [
        factories.AgencyFactory(last_verified=today - datetime.timedelta(days=400 + n))
        for n in range(3)
    ]
    response, sections = _attention(admin_client)

    (group,) = [g for g in sections["unverified"].groups if g.model is models.Agency]
    assert group.count == 7
    assert [(part.label, part.count) for part in group.parts] == [
        ("never verified", 4),
        ("last verified over 12 months ago", 3),
    ]
    # The longest unchecked first: never verified, then the oldest check.
    assert [obj for obj, _url in group.rows] == [*never, stale[2]][:SUMMARY_ROWS]
    assert "4 never verified" in response.text
    for part, expected in zip(group.parts, (never, stale), strict=True):
        changelist = admin_client.get(part.changelist_url)
        assert set(changelist.context["cl"].result_list) == set(expected)


def test_needs_attention_leaves_out_healthy_and_unpublished_records(admin_client, healthy):
    deployment, policy = healthy
    factories.VendorFactory(sources=[], state=State.DRAFT)
    response, sections = _attention(admin_client)
    everything = set().union(*(_listed(section) for section in sections.values()))
    assert everything == set()
    assert "Nothing to do." in response.text


def test_needs_attention_links_to_the_same_records_in_the_change_list(admin_client, healthy):
    expired = factories.PolicyFactory(ends=datetime.date(2001, 1, 1))
    _response, sections = _attention(admin_client)
    (group,) = sections["expired"].groups
    changelist = admin_client.get(group.changelist_url)
    assert list(changelist.context["cl"].result_list) == [expired]


def test_needs_attention_costs_the_same_queries_for_one_or_many_problems(
    admin_client, django_assert_max_num_queries
):
    factories.DeploymentFactory(sources=[])
    with django_assert_max_num_queries(60) as one:
        _attention(admin_client)
    factories.DeploymentFactory.create_batch(2, sources=[])  # 1 problem, then 3 of a kind
    factories.AuditFactory.create_batch(3, sources=[])
    with django_assert_max_num_queries(len(one.captured_queries)):
        _attention(admin_client)


def test_editors_see_needs_attention_without_sections_they_may_not_view(client):
    user = member("synthetic-source-checker", "editors")
    user.groups.clear()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_source", "view_vendor"])
    )
    client.force_login(user)
    _response, sections = _attention(client)
    models_shown = {group.model for s in sections.values() for group in s.groups}
    assert models_shown == {models.Source, models.Vendor}


# --- Two maintainers editing one record ---------------------------------------------


@pytest.fixture
def second_admin_client(superuser):
    from django.test import Client

    other = Client()
    sign_in(other, User.objects.create_superuser("synthetic-second-admin"))
    return other


def test_an_edit_of_another_field_made_meanwhile_is_kept(admin_client, second_admin_client):
    agency = factories.AgencyFactory(name="Synthetic Old Name", locality="Synthetic Town")
    url = _url("agency", "change", agency.pk)
    opened_earlier = _form_data(admin_client.get(url))

    renamed = _post_change(
        second_admin_client, agency, name="Synthetic New Name", change_reason="Renamed"
    )
    assert renamed.status_code == 302
    response = admin_client.post(
        url, {**opened_earlier, "locality": "Synthetic City", "change_reason": "Moved"}
    )

    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.name, agency.locality) == ("Synthetic New Name", "Synthetic City")


def test_an_edit_of_the_same_field_made_meanwhile_is_shown_before_anything_is_saved(
    admin_client, second_admin_client
):
    agency = factories.AgencyFactory(name="Synthetic Old Name", locality="Synthetic Town")
    url = _url("agency", "change", agency.pk)
    opened_earlier = _form_data(admin_client.get(url))
    _post_change(
        second_admin_client,
        agency,
        name="Synthetic Their Name",
        locality="Synthetic Village",
        change_reason="Renamed after the merger",
    )

    mine = {**opened_earlier, "name": "Synthetic My Name", "change_reason": "Typo"}
    response = admin_client.post(url, mine)

    assert response.status_code == 200
    text = response.text
    assert "Someone else changed this record after you opened it" in text
    assert "synthetic-second-admin" in text and "Renamed after the merger" in text
    agency.refresh_from_db()
    assert agency.name == "Synthetic Their Name"
    # The form keeps my value, and takes their value where I changed nothing.
    again = _form_data(response)
    assert again["name"] == "Synthetic My Name"
    assert again["locality"] == "Synthetic Village"

    # Saving again, having read the message, goes through and keeps their other change.
    assert admin_client.post(url, again).status_code == 302
    agency.refresh_from_db()
    assert (agency.name, agency.locality) == ("Synthetic My Name", "Synthetic Village")
