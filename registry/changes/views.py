"""
The public history pages: /changes/ (every record type, or one) and a
record's /<type>/<slug>/history/, both from ``selector.public_changes``.
"""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst

from ..types import RECORD_TYPES, TYPES
from .selector import history_feed_url, public_changes

CHANGES_PAGE_SIZE = 50


class ChangesFilterForm(forms.Form):
    type = forms.ChoiceField(
        required=False,
        choices=[("", "All records")]
        + [(t.model_name, capfirst(t.noun_plural)) for t in RECORD_TYPES],
        error_messages={
            "invalid_choice": "“%(value)s” is not a record type. Choose one of: "
            + ", ".join(t.model_name for t in RECORD_TYPES)
            + "."
        },
    )

    def changes(self):
        chosen = self.cleaned_data.get("type")
        return public_changes(types=[chosen] if chosen else None)


def changes_list(request):
    """/changes/: recent published changes across the register, filterable by type."""
    form = ChangesFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request, "registry/changes.html", {"form": form, "page_obj": None}, status=400
        )
    page_obj = Paginator(form.changes(), CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    chosen = form.cleaned_data["type"]
    return render(
        request,
        "registry/changes.html",
        {
            "form": form,
            "page_obj": page_obj,
            "changes": page_obj.object_list,
            "chosen_type": chosen,
            "type_choices": form.fields["type"].choices[1:],
        },
    )


def public_record(type, slug):
    """The public record at /<type>/<slug>/ (404 for an unknown type or a record not public)."""
    record_type = TYPES.get(type)
    if record_type is None:
        raise Http404("No such record type.")
    # Named in the title and in every change.
    return get_object_or_404(record_type.public_named(), slug=slug)


def record_history(request, type, slug):
    """/<type>/<slug>/history/: every public change of one record."""
    record = public_record(type, slug)
    page_obj = Paginator(public_changes(record=record), CHANGES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/changes_record.html",
        {
            "record": record,
            "page_obj": page_obj,
            "changes": page_obj.object_list,
            "feed_url": history_feed_url(record),
        },
    )
