"""
Two maintainers editing one record: the second save must never silently undo
the first.

The change form carries the version of the record it was opened at (the id of
the record's newest history entry). When it is saved and the record has moved
on since, someone else changed it in the meantime:

- the fields this maintainer did not touch take the record's current values,
  so the other change is kept;
- if both changed the same field, the form is shown again, with this
  maintainer's values kept and the other change described (who, when, which
  fields, why); saving once more, after reading it, is a conscious decision.
"""

from django import forms
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.utils import get_m2m_reverse_field_name

from ..revisions import comparable, current_value

#: How many of the other changes are described; the history page has them all.
CHANGES_DESCRIBED = 5


def newest_history_id(record):
    """The id of ``record``'s newest history entry (its version), or None."""
    if record.pk is None:
        return None
    return record.history.order_by("-history_id").values_list("history_id", flat=True).first()


def values_at(historical, names):
    """The form-comparable values of ``names`` in a historical version of a record."""
    values = model_to_dict(historical.instance, fields=names)
    for field in historical._history_m2m_fields:
        if field.name in names:
            target = get_m2m_reverse_field_name(field)
            values[field.name] = [
                getattr(row, f"{target}_id") for row in getattr(historical, field.name).all()
            ]
    return values


def changes_since(record, version):
    """``[(when, who, reason, {field names})]`` of the history entries newer than ``version``."""
    entries = record.history.filter(history_id__gt=version or 0).select_related("history_user")
    described = []
    for entry in entries.order_by("history_id"):
        previous = entry.prev_record
        fields = set()
        if previous is not None:
            fields = {change.field for change in entry.diff_against(previous).changes}
        who = entry.history_user.get_username() if entry.history_user else "an import"
        when = timezone.localtime(entry.history_date).strftime("%d %B %Y %H:%M")
        described.append((when, who, entry.history_change_reason or "", fields))
    return described


class EditConflictMixin(forms.ModelForm):
    """Merge edits of different fields; refuse, once, to save over the same field."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["opened_version"] = newest_history_id(self.instance)

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_version")
        current = newest_history_id(self.instance)
        if self.instance.pk is None or opened is None or current is None or opened == current:
            return cleaned
        opened_record = self.instance.history.filter(history_id=opened).first()
        if opened_record is None:
            return cleaned
        names = [n for n in self.fields if n in cleaned and n not in ("opened_version",)]
        then = values_at(opened_record, names)
        mine = {n for n in names if n in then and comparable(cleaned[n]) != comparable(then[n])}
        changes = changes_since(self.instance, opened)
        theirs = set().union(*(fields for *_rest, fields in changes))
        # Fields this maintainer left alone keep what the record holds now.
        for name in set(names) & set(then) - mine:
            cleaned[name] = current_value(self.instance, name)
            self._put_back(name, cleaned[name])
        self.data[self.add_prefix("opened_version")] = str(current)
        both = sorted(mine & theirs)
        if both:
            raise forms.ValidationError(
                format_html(
                    "Someone else changed this record after you opened it, and also changed "
                    "{}. Nothing is saved yet; your values are kept below. Their changes: {}. "
                    "Check the fields, then save again.",
                    ", ".join(both),
                    format_html_join(
                        "; ",
                        "{} by {} ({}){}",
                        (
                            (
                                when,
                                who,
                                ", ".join(sorted(fields)) or "links",
                                f": “{why}”" if why else "",
                            )
                            for when, who, why, fields in changes[:CHANGES_DESCRIBED]
                        ),
                    ),
                ),
                code="edit_conflict",
            )
        return cleaned

    def _put_back(self, name, value):
        """Write ``value`` into the bound data, so a re-rendered form shows the current value."""
        if not getattr(self.data, "_mutable", True):
            self.data = self.data.copy()
        key = self.add_prefix(name)
        if isinstance(value, (list, tuple)):
            self.data.setlist(key, [str(getattr(v, "pk", v)) for v in value])
        elif isinstance(self.fields[name], forms.BooleanField):
            if value:
                self.data[key] = "on"
            else:
                self.data.pop(key, None)
        else:
            self.data[key] = "" if value is None else str(getattr(value, "pk", value))
