"""
The admin's **merge** action: two records that are one real thing recorded
twice become one (``registry/merge.py`` does the work), and the probable
duplicates "Needs attention" lists.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from .. import merge
from ..importers import reconcile
from .base import BOTH_LOCATIONS
from .forms import WorkflowActionForm


@admin.action(
    description="Merge two records (one real thing recorded twice)",
    permissions=["publish"],
    location=BOTH_LOCATIONS,
)
def merge_records(modeladmin, request, queryset):
    if not modeladmin.has_publish_permission(request):
        raise PermissionDenied
    records = list(queryset.order_by("pk")[:3])
    if len(records) != 2:
        modeladmin.message_user(
            request, "Select exactly two records to merge: the one to keep and its duplicate.",
            messages.ERROR,
        )  # fmt: skip
        return None
    options = [(r.pk, f"{r} ({r.slug}, {r.get_state_display().lower()})") for r in records]

    class MergeForm(WorkflowActionForm):
        keep = forms.TypedChoiceField(
            label="Keep", choices=options, coerce=int, widget=forms.RadioSelect,
            help_text="The other record is retracted with a public note, and its address "
            "leads to this one for good.",
        )  # fmt: skip
        field_order = ["keep", "reason"]

    def apply(selected, data):
        keep = next(r for r in selected if r.pk == data["keep"])
        other = next(r for r in selected if r.pk != data["keep"])
        result = merge.merge(keep, other, user=request.user, reason=data["reason"])
        details = [f"moved {', '.join(result.moved)}" if result.moved else "",
                   f"filled {', '.join(result.filled)}" if result.filled else ""]  # fmt: skip
        if any(details):
            modeladmin.message_user(request, f"“{other}” → “{keep}”: "
                                    + "; ".join(d for d in details if d) + ".")  # fmt: skip
        for conflict in result.conflicts:
            modeladmin.message_user(request, f"Kept: {conflict}", messages.WARNING)
        return 1

    return modeladmin._confirm(
        request,
        queryset,
        title=f"Merge two {modeladmin.opts.verbose_name_plural}",
        explanation=(
            "Choose the record to keep. It gains the other's sources and everything that "
            "points at it, and its empty fields are filled from the other; the other is "
            "retracted and its address redirects to the kept record."
        ),
        apply=apply,
        verb="merged",
        form_class=MergeForm,
    )


class DuplicateGroup:
    """Records that the rules take for one real thing; shown as one row on the page."""

    def __init__(self, records):
        self.records = records

    def __str__(self):
        return " = ".join(f"{r} ({r.slug})" for r in self.records)


def duplicate_rows(model, groups, limit):
    """(group, changelist URL selecting its records) for the first ``limit`` groups."""
    url = reverse(f"admin:registry_{model._meta.model_name}_changelist")
    return [
        (DuplicateGroup(g), f"{url}?id__in={','.join(str(r.pk) for r in g)}")
        for g in groups[:limit]
    ]


def probable_duplicates(model, queryset):
    finder = {
        "agency": reconcile.probable_duplicate_agencies,
        "deployment": reconcile.probable_duplicate_deployments,
    }[model._meta.model_name]
    return finder(queryset)
