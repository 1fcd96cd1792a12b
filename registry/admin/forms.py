"""Forms of the maintainers' admin: the record form and the workflow confirmation forms."""

from django import forms
from django.db.models.signals import post_save
from django.utils.text import slugify
from simple_history.utils import get_m2m_reverse_field_name

from .. import workflow
from ..choices import DatePrecision, State
from ..dates import parse_partial_date, to_iso
from .concurrency import EditConflictMixin

REASON_MAX_LENGTH = 300


def reason_field(**kwargs):
    defaults = {
        "label": "Reason for this change",
        "max_length": REASON_MAX_LENGTH,
        "help_text": "A few words kept in the record's history, e.g. “Corrected start date "
        "from the 2021 council minutes”.",
    }
    return forms.CharField(**{**defaults, **kwargs})


class PartialDateField(forms.CharField):
    """
    A date typed at the precision known: ``2019``, ``2019-05`` or ``2019-05-14``.
    Cleans to ``(date, precision)``; the form stores both model fields.
    """

    default_error_messages = {
        "invalid": "Type the date as far as it is known: 2019, 2019-05 or 2019-05-14.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "help_text",
            "Only what is known: a year (2019), a month (2019-05) or a day (2019-05-14).",
        )
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "placeholder": "YYYY, YYYY-MM or YYYY-MM-DD"}
        )

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return None
        try:
            return parse_partial_date(text)
        except ValueError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class RecordAdminForm(EditConflictMixin, forms.ModelForm):
    """
    The change form of every record.

    ``user`` and ``revert_record`` are set by ``RecordAdmin.get_form`` on a
    subclass made per request: the admin instantiates forms itself, without
    extra arguments.
    """

    change_reason = reason_field(required=False)

    user = None
    revert_record = None
    current_record = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stored_slug = self.instance.slug if self.instance.pk else None
        self._stored_state = self.instance.state if self.instance.pk else None
        # Required when changing a record; a new record's history says “Created”.
        self.fields["change_reason"].required = self.instance.pk is not None
        # When reverting, ``instance`` is the old version: what counts is the record now.
        record_now = self.current_record or self.instance
        if (
            "state" in self.fields
            and self.user is not None
            and record_now.pk
            and workflow.proposes_revisions(self.user, record_now)
        ):
            # An editor's change to a published record is a proposal: its state is not theirs.
            self.fields["state"].disabled = True
        elif "state" in self.fields and self.user is not None:
            allowed = workflow.allowed_states(self.user, self._meta.model)
            state = self.fields["state"]
            state.choices = [(v, label) for v, label in State.choices if v in allowed]
            state.error_messages["invalid_choice"] = (
                "Only reviewers may publish or retract records. Choose draft or in review, "
                "and a reviewer will publish it."
            )
        self._use_partial_dates()
        if self.revert_record is not None and not self.is_bound:
            self._load_revert_initial()

    def _partial_date_names(self):
        model_fields = {f.name for f in self._meta.model._meta.get_fields()}
        return [n for n in self.fields if f"{n}_precision" in model_fields]

    def _use_partial_dates(self):
        """Each date with a precision is one text box: ``2019``, ``2019-05`` or a full date."""
        for name in self._partial_date_names():
            old = self.fields[name]
            self.fields[name] = PartialDateField(label=old.label, required=old.required)
            precision = getattr(self.instance, f"{name}_precision", "")
            self.initial[name] = to_iso(getattr(self.instance, name, None), precision) or ""

    def _load_revert_initial(self):
        """Show the many-to-many links as they were in the version being restored."""
        record = self.revert_record
        for field in record._history_m2m_fields:
            if field.name in self.fields:
                target = get_m2m_reverse_field_name(field)
                self.initial[field.name] = [
                    getattr(row, f"{target}_id") for row in getattr(record, field.name).all()
                ]
        if "state" in self.fields:
            allowed = [value for value, _ in self.fields["state"].choices]
            if self.initial.get("state") not in allowed:
                # An editor restores the content of a published version as a draft.
                self.initial["state"] = State.DRAFT
        when = record.history_date.strftime("%d %B %Y %H:%M")
        self.fields["change_reason"].initial = f"Reverted to the version of {when}"

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if (
            self._stored_slug
            and slug != self._stored_slug
            and self._stored_state in (State.PUBLISHED, State.RETRACTED)
        ):
            raise forms.ValidationError(
                "The id of a record that has been published never changes: it is its "
                f"permanent address. Keep “{self._stored_slug}”."
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        state = cleaned.get("state")
        if (
            state == State.PUBLISHED
            and workflow.requires_source(model)
            and "sources" in self.fields
            and not any(s.state == State.PUBLISHED for s in cleaned.get("sources") or ())
        ):
            self.add_error("sources", workflow.SOURCE_REQUIRED_MESSAGE)
        if state == State.RETRACTED and not (cleaned.get("public_note") or "").strip():
            self.add_error("public_note", workflow.PUBLIC_NOTE_REQUIRED_MESSAGE)
        # Date order and a region inside its country are the model's clean(),
        # which the form runs after this, as every importer does.
        for name in self._partial_date_names():
            if name not in cleaned:
                continue
            date, precision = cleaned[name] or (None, getattr(self.instance, f"{name}_precision"))
            cleaned[name] = date
            cleaned[f"{name}_precision"] = precision
            setattr(self.instance, f"{name}_precision", precision)
        self._normalise_partial_dates(cleaned)
        return cleaned

    def _normalise_partial_dates(self, cleaned):
        """A date known to the year is stored as 1 January, to the month as the 1st."""
        for name in list(cleaned):
            if not name.endswith("_precision"):
                continue
            date_name = name.removesuffix("_precision")
            date = cleaned.get(date_name)
            if not date:
                continue
            if cleaned[name] == DatePrecision.YEAR:
                cleaned[date_name] = date.replace(month=1, day=1)
            elif cleaned[name] == DatePrecision.MONTH:
                cleaned[date_name] = date.replace(day=1)

    def _save_m2m(self):
        """
        Set the many-to-many links, then write the record's single history entry.

        ``RecordAdmin.save_model`` saves without history; writing the entry here,
        once the links are set, gives one entry per save holding the final state
        (simple-history would otherwise write one more entry per link change).
        """
        deferred = getattr(self, "_history_deferred", None)
        super()._save_m2m()
        if deferred is None:
            return
        del self._history_deferred
        instance = self.instance
        del instance.skip_history_when_saving
        post_save.send(
            sender=type(instance),
            instance=instance,
            created=deferred["created"],
            update_fields=None,
            raw=False,
            using=instance._state.db,
        )


class DeploymentAdminForm(RecordAdminForm):
    """
    A deployment has no title to make its id from (the admin's prepopulated
    ids need a text field): left empty, the id is made from the agency's and
    the system's ids, e.g. ``nypd-clearview-ai``, numbered when taken.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields and not self.instance.pk:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = (
                "Permanent id and URL of the record. Leave empty to make it from the "
                "agency's and the system's ids."
            )

    def clean(self):
        cleaned = super().clean()
        agency, system = cleaned.get("agency"), cleaned.get("system")
        if "slug" in self.fields and not cleaned.get("slug") and agency and system:
            cleaned["slug"] = self._free_slug(slugify(f"{agency.slug}-{system.slug}"))
        elif "slug" in self.fields and not cleaned.get("slug") and not self.has_error("slug"):
            self.add_error("slug", "Give an id, or choose the agency and the system to make one.")
        return cleaned

    def _free_slug(self, base):
        model = self._meta.model
        base = base[:110].strip("-")
        taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        return slug


class WorkflowActionForm(forms.Form):
    """The intermediate page of a bulk workflow action: a short reason."""

    prefix = "workflow"

    reason = reason_field()


class PublishActionForm(WorkflowActionForm):
    publish_cited_sources = forms.BooleanField(
        label="Also publish the draft sources they cite",
        required=False,
        help_text="Tick this when you have checked those sources too. A record is published "
        "only when it cites at least one published source.",
    )


class RetractActionForm(WorkflowActionForm):
    public_note = forms.CharField(
        label="Public note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Shown to the public on each retracted record: why it was withdrawn.",
    )
