"""
What every record's admin shares: the workflow (states, reasons, actions),
history with diffs and revert, provenance columns and filters, and drafts
opened from a public suggestion.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from .. import dates, revisions, workflow
from ..choices import State, SuggestionState
from ..fields import MultiChoiceField
from ..models import Suggestion
from .forms import PublishActionForm, RecordAdminForm, RetractActionForm, WorkflowActionForm

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]

#: A published record not re-checked against its sources for this long needs attention.
VERIFICATION_DUE_AFTER = datetime.timedelta(days=365)

#: POST keys of the admin's action forms, carried through the confirmation page.
ACTION_POST_KEYS = {
    "action",
    "index",
    "select_across",
    admin.helpers.ACTION_CHECKBOX_NAME,
    f"{ActionLocation.CHANGE_FORM.value}-action",
    f"{ActionLocation.CHANGE_FORM.value}-select_across",
}

WORKFLOW_FIELDSET = (
    "Workflow",
    {"fields": ["state", "public_note", "last_verified", "change_reason", "opened_version"]},
)


def verification_due_date():
    return timezone.localdate() - VERIFICATION_DUE_AFTER


class VerifiedFilter(admin.SimpleListFilter):
    title = "last verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [
            ("due", "Never, or over 12 months ago"),
            ("never", "Never"),
            ("stale", "Over 12 months ago"),
            ("recent", "In the last 12 months"),
        ]

    def queryset(self, request, queryset):
        due = verification_due_date()
        if self.value() == "due":
            return queryset.filter(last_verified__isnull=True) | queryset.filter(
                last_verified__lt=due
            )
        if self.value() == "never":
            return queryset.filter(last_verified__isnull=True)
        if self.value() == "stale":
            return queryset.filter(last_verified__lt=due)
        if self.value() == "recent":
            return queryset.filter(last_verified__gte=due)
        return queryset


class SourcesFilter(admin.SimpleListFilter):
    title = "sources"
    parameter_name = "sources"

    def lookups(self, request, model_admin):
        return [("none", "No published source"), ("some", "At least one published source")]

    def queryset(self, request, queryset):
        unsourced = queryset.model.objects.unsourced().values("pk")
        if self.value() == "none":
            return queryset.filter(pk__in=unsourced)
        if self.value() == "some":
            return queryset.exclude(pk__in=unsourced)
        return queryset


def partial_date_column(model, name):
    """A change-list column showing a date at its precision: "2011", "May 2019"."""
    field = model._meta.get_field(name)

    @admin.display(description=field.verbose_name, ordering=name, empty_value="-")
    def column(obj):
        return dates.humanize(getattr(obj, name), getattr(obj, f"{name}_precision")) or None

    column.__name__ = name
    return column


class RecordAdmin(SimpleHistoryAdmin):
    """Base admin of the seven record models."""

    form = RecordAdminForm
    change_form_template = "admin/registry/change_form.html"
    object_history_list_template = "admin/registry/object_history_list.html"
    history_list_display = ["state"]
    list_per_page = 50
    readonly_fields = ["created_at", "updated_at"]
    actions = ["send_to_review", "publish", "retract", "mark_verified"]
    save_on_top = True
    # The admin gives every CharField a text input; a set of choices needs checkboxes.
    formfield_overrides = {MultiChoiceField: {"widget": forms.CheckboxSelectMultiple}}

    #: Does the model have a ``sources`` many-to-many (every record but Source)?
    has_sources = True

    def get_list_display(self, request):
        """Dates kept with a precision (``started`` and ``started_precision``) show at it."""
        names = {field.name for field in self.model._meta.get_fields()}
        # The same function every time: the change list finds its sortable
        # columns by comparing get_list_display()'s items.
        columns = self.__dict__.setdefault("_partial_date_columns", {})
        return [
            columns.setdefault(item, partial_date_column(self.model, item))
            if isinstance(item, str) and f"{item}_precision" in names
            else item
            for item in super().get_list_display(request)
        ]

    # --- Form, fieldsets and permissions -------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attrs = {
            "user": request.user,
            "revert_record": getattr(request, "_registry_revert_record", None),
            "current_record": getattr(request, "_registry_current", None),
        }
        return type(form.__name__, (form,), attrs)

    def get_fieldsets(self, request, obj=None):
        workflow_fields = list(WORKFLOW_FIELDSET[1]["fields"])
        # When reverting, ``obj`` is the old version: what counts is the record now.
        obj = getattr(request, "_registry_current", obj)
        if obj is not None and not self.has_change_permission(request, obj):
            workflow_fields.remove("change_reason")
            workflow_fields.remove("opened_version")
        history = ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]})
        return [
            *(self.fieldsets or []),
            (WORKFLOW_FIELDSET[0], {"fields": workflow_fields}),
            history,
        ]

    def has_change_permission(self, request, obj=None):
        """
        Editors change drafts; on published and retracted records their change
        becomes a proposed revision (``registry/revisions.py``).
        """
        if not super().has_change_permission(request, obj):
            return False
        return (
            obj is None
            or workflow.can_edit(request.user, obj)
            or workflow.proposes_revisions(request.user, obj)
        )

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user, self.model)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.has_sources:
            qs = qs.with_published_source_count()
        return qs

    @admin.display(description="published sources", ordering="published_source_count")
    def source_count(self, obj):
        return obj.published_source_count

    # --- Saving: user and reason in history ----------------------------------

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason") or ("Changed" if change else "Created")
        # When reverting, ``obj`` is the old version: what counts is the record now.
        now = getattr(request, "_registry_current", None)
        if change and now is None:
            now = type(obj)._default_manager.get(pk=obj.pk)
        if change and workflow.proposes_revisions(request.user, now):
            # The public record stays as it is: the change waits for a reviewer.
            request._registry_revision = revisions.propose(
                now,
                cleaned_data=form.cleaned_data,
                changed=revisions.differing_fields(now, form.cleaned_data),
                user=request.user,
                reason=reason,
            )
            return
        obj._change_reason = reason
        obj._history_user = request.user
        current = getattr(request, "_registry_current", None)
        if current is not None:
            # Reverting: keep derived and machine-filled values (audit status,
            # link checks) as they are now, not as they were.
            for field in obj._meta.concrete_fields:
                if not field.editable and not field.primary_key:
                    setattr(obj, field.attname, getattr(current, field.attname))
        # The history entry is written once the links are set: RecordAdminForm._save_m2m.
        obj.skip_history_when_saving = True
        form._history_deferred = {"created": not change}
        try:
            super().save_model(request, obj, form, change)
        except Exception:
            del obj.skip_history_when_saving
            raise
        suggestion = self._suggestion_from(request)
        if suggestion is not None and suggestion.state == SuggestionState.NEW:
            suggestion.state = SuggestionState.ACCEPTED
            suggestion.triaged_by = request.user
            if suggestion.object_id is None:
                suggestion.record = obj
            suggestion.save()
            self.message_user(
                request,
                f"Suggestion {suggestion.reference} is marked accepted and linked to this record.",
                messages.INFO,
            )

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_registry_revision", None) is None:
            super().save_related(request, form, formsets, change)

    def log_change(self, request, obj, message):
        revision = getattr(request, "_registry_revision", None)
        if revision is not None:
            message = f"Proposed revision {revision.reference}"
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        revision = getattr(request, "_registry_revision", None)
        if revision is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            f"Your change is proposed as revision {revision.reference}. The published record "
            "stays as it is until a reviewer approves it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:registry_revision_change", args=[revision.pk]))

    # --- Drafts opened from a suggestion -------------------------------------

    #: The text field a suggestion's body prefills on a new draft.
    suggestion_text_field = None

    def _suggestion_from(self, request):
        pk = request.GET.get("suggestion", "")
        if not pk.isdigit():
            return None
        if not request.user.has_perm("registry.view_suggestion"):
            return None
        return Suggestion.objects.filter(pk=pk).select_related("content_type").first()

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # A new record is always a draft, whatever the query string says.
        initial["state"] = State.DRAFT
        suggestion = self._suggestion_from(request)
        if suggestion is not None:
            initial.update(self.initial_from_suggestion(suggestion))
        return initial

    def initial_from_suggestion(self, suggestion):
        if self.suggestion_text_field:
            return {self.suggestion_text_field: suggestion.body}
        return {}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "suggestion": self._suggestion_from(request)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    # --- History and revert --------------------------------------------------

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """
        Revert to an old version: the form is the change form, so the same rules
        apply (an editor cannot restore a published state), and the revert is
        saved as a new history entry with its reason. Only a user who may change
        the record as it is now may revert it.
        """
        if not str(version_id).isdigit():
            raise Http404("No such version.")
        current = self.get_object(request, unquote(object_id))
        if current is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        record = current.history.filter(history_id=version_id).first()
        request._registry_current = current
        request._registry_revert_record = record
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        """Revert is offered to whoever may change the record as it is now."""
        if getattr(settings, "SIMPLE_HISTORY_REVERT_DISABLED", False):
            return True
        current = getattr(request, "_registry_current", obj)
        return current is None or not self.has_change_permission(request, current)

    # --- Workflow actions ----------------------------------------------------

    @admin.action(description="Send to review", permissions=["change"], location=BOTH_LOCATIONS)
    def send_to_review(self, request, queryset):
        return self._confirm_transition(
            request, queryset, to=State.IN_REVIEW, verb="sent to review"
        )

    @admin.action(description="Publish", permissions=["publish"], location=BOTH_LOCATIONS)
    def publish(self, request, queryset):
        return self._confirm_transition(
            request,
            queryset,
            to=State.PUBLISHED,
            verb="published",
            form_class=PublishActionForm if self.has_sources else WorkflowActionForm,
        )

    @admin.action(
        description="Retract (with a public note)",
        permissions=["publish"],
        location=BOTH_LOCATIONS,
    )
    def retract(self, request, queryset):
        return self._confirm_transition(
            request, queryset, to=State.RETRACTED, verb="retracted", form_class=RetractActionForm
        )

    @admin.action(
        description="Mark as verified today", permissions=["change"], location=BOTH_LOCATIONS
    )
    def mark_verified(self, request, queryset):
        def apply(records, data):
            return workflow.mark_verified(records, user=request.user, reason=data["reason"])

        return self._confirm(
            request,
            queryset,
            title="Mark as verified today",
            explanation="You re-checked these records against their sources today.",
            apply=apply,
            verb="marked as verified",
            initial={"reason": "Re-checked against its sources"},
        )

    def _confirm_transition(self, request, queryset, *, to, verb, form_class=WorkflowActionForm):
        if to in (State.PUBLISHED, State.RETRACTED) and not self.has_publish_permission(request):
            # The action is not offered to editors; refuse a hand-made POST as well.
            raise PermissionDenied

        def apply(records, data):
            return workflow.transition(
                records,
                to=to,
                user=request.user,
                reason=data["reason"],
                public_note=data.get("public_note", ""),
                publish_cited_sources=data.get("publish_cited_sources", False),
            )

        return self._confirm(
            request,
            queryset,
            title=f"{State(to).label}: {self.opts.verbose_name_plural}",
            explanation=f"These records will be {verb}.",
            apply=apply,
            verb=verb,
            form_class=form_class,
        )

    def _confirm(
        self,
        request,
        queryset,
        *,
        title,
        explanation,
        apply,
        verb,
        form_class=WorkflowActionForm,
        initial=None,
    ):
        """Ask for a reason on an intermediate page, then ``apply`` the action."""
        if "workflow-apply" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                try:
                    count = apply(list(queryset), form.cleaned_data)
                except (PermissionDenied, ValidationError) as error:
                    text = " ".join(getattr(error, "messages", None) or [str(error)])
                    self.message_user(request, text, messages.ERROR)
                    return None
                self.message_user(
                    request,
                    f"{count} {model_ngettext(self.opts, count)} {verb}.",
                    messages.SUCCESS,
                )
                return None
        else:
            form = form_class(initial=initial)
        carried = [
            (key, value)
            for key in request.POST
            if key in ACTION_POST_KEYS
            for value in request.POST.getlist(key)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "explanation": explanation,
            "form": form,
            "records": queryset[:100],
            "record_count": queryset.count(),
            "carried": carried,
            "opts": self.opts,
            "app_label": self.opts.app_label,
        }
        return TemplateResponse(request, "admin/registry/workflow_confirmation.html", context)
