"""
Review of the revisions editors propose to published records.

A pending revision shows, field by field, what the record holds now and what
the editor proposes. Reviewers approve it (it is applied to the record, with
one history entry naming both) or reject it with a note; see
``registry/revisions.py``. Editors see their proposals and the decisions.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .. import revisions, workflow
from ..choices import RevisionState
from ..models import Revision


def _shown(record, name, value):
    """A value as a reviewer reads it: names of linked records, labels of choices."""
    field = record._meta.get_field(name)
    if field.many_to_many:
        related = field.related_model.objects.filter(pk__in=value or [])
        return "; ".join(str(item) for item in related) or "—"
    if field.is_relation:
        item = field.related_model.objects.filter(pk=value).first() if value else None
        return str(item) if item else "—"
    if field.choices and not isinstance(value, list):
        return str(dict(field.choices).get(value, value)) if value else "—"
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return str(value) if value not in (None, "") else "—"


def _current(record, name):
    field = record._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(record, name).values_list("pk", flat=True))
    return getattr(record, field.attname)


@admin.register(Revision)
class RevisionAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "record_link", "state", "proposed_by", "proposed_at"]
    list_filter = ["state", "content_type"]
    list_select_related = ["proposed_by", "content_type"]
    change_form_template = "admin/registry/revision/change_form.html"
    fields = [
        "reference",
        "record_link",
        "comparison",
        "reason",
        "proposed_by",
        "proposed_at",
        "state",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = [f for f in fields if f != "decision_note"]

    def has_add_permission(self, request):
        return False  # proposed from a record's change form

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state != RevisionState.PENDING:
            return False
        if obj is not None:
            return workflow.can_publish(request.user, obj.content_type.model_class())
        return super().has_change_permission(request, obj)

    @admin.display(description="record")
    def record_link(self, obj):
        record = obj.record
        if record is None:
            return "(deleted)"
        try:
            url = reverse(
                f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change",
                args=[record.pk],
            )
        except NoReverseMatch:
            return str(record)
        return format_html('<a href="{}">{}</a>', url, record)

    @admin.display(description="what changes")
    def comparison(self, obj):
        record = obj.record
        if record is None:
            return "—"
        rows = [
            (
                record._meta.get_field(name).verbose_name,
                _shown(record, name, _current(record, name)),
                _shown(record, name, value),
            )
            for name, value in obj.changes.items()
        ]
        return format_html(
            "<table><thead><tr><th scope='col'>Field</th><th scope='col'>Now</th>"
            "<th scope='col'>Proposed</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>", rows),
        )

    def save_model(self, request, obj, form, change):
        note = form.cleaned_data.get("decision_note", "")
        try:
            if "_approve" in request.POST:
                revisions.approve(obj, user=request.user, note=note)
                self.message_user(request, f"{obj.reference} is approved and published.")
            elif "_reject" in request.POST:
                revisions.reject(obj, user=request.user, note=note)
                self.message_user(request, f"{obj.reference} is rejected; the record is unchanged.")
        except PermissionDenied:
            raise
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def log_change(self, request, obj, message):
        return super().log_change(request, obj, f"Revision {obj.get_state_display().lower()}")
