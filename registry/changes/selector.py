"""
The selector of public changes, and what a change looks like.

A historical row (django-simple-history) is a *public change* when the record
was published in it, or when it is the retraction itself (shown with the
record's public note). Rows of records that are not public today (drafts,
records sent back to review, deleted records) never appear, so no public
surface (the /changes/ page, a record's history, the Atom feeds) can reveal
them. What changed is the difference from the record's previous *public*
version, so draft edits in between are never shown, and only public fields
are compared.

`public_changes(*, types=..., record=...)` is the one selector behind the
/changes/ page, a record's history page and section, and the feeds. It is
lazy: counting is one query, and materialising any slice costs a constant
number of queries whatever its length (one for the window: a UNION of two
parts per record type, or one query for one record's; then per record type one
for the historical rows, one per many-to-many field, one for the live records
named, the one record given never fetched again).
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import capfirst

from .. import choices, counts, dates
from ..fields import MultiChoiceField, MultiValueField
from ..types import MODELS, by_model_name, of

# Never shown as a changed field: publication is shown as the change itself.
_NOT_FIELDS = {"id", "state", "public_note", "history_change_reason"}
_LABELS = {"last_verified": "Verified", "slug": "Permanent id"}
_PUBLIC_STATES = (choices.State.PUBLISHED, choices.State.RETRACTED)


def history_url(record) -> str:
    return reverse(
        "registry:record-history", kwargs={"type": of(record).segment, "slug": record.slug}
    )


def history_feed_url(record) -> str:
    return reverse(
        "registry:record-history-feed",
        kwargs={"type": of(record).segment, "slug": record.slug},
    )


# -- What a change looks like -------------------------------------------------


@dataclass
class FieldChange:
    label: str
    old: str = ""
    new: str = ""
    # "value": old → new; "text": long text, said to have changed; "set": links added/removed.
    kind: str = "value"
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    def __str__(self):
        if self.kind == "text":
            return f"{self.label}: text changed"
        if self.kind == "set":
            parts = []
            if self.added:
                parts.append("added " + "; ".join(str(item) for item in self.added))
            if self.removed:
                parts.append("removed " + "; ".join(str(item) for item in self.removed))
            return f"{self.label}: {', '.join(parts)}"
        return f"{self.label}: {self.old or '(empty)'} → {self.new or '(empty)'}"


class Event(models.TextChoices):
    PUBLISHED = "published", "Published"
    UPDATED = "updated", "Updated"
    REPUBLISHED = "republished", "Published again"
    RETRACTED = "retracted", "Retracted"


@dataclass
class Change:
    history_id: int
    date: datetime.datetime
    record: models.Model
    event: str
    fields: list[FieldChange] = field(default_factory=list)
    note: str = ""
    reason: str = ""  # why, as the maintainer typed it (history_change_reason)

    @property
    def event_label(self):
        return Event(self.event).label

    @property
    def type_label(self):
        return capfirst(self.record._meta.verbose_name)

    @property
    def anchor(self):
        return f"change-{self.record._meta.model_name}-{self.history_id}"

    def get_absolute_url(self):
        return f"{history_url(self.record)}#{self.anchor}"

    @property
    def summary(self):
        """One line for feeds and titles: what happened."""
        if self.event == Event.RETRACTED:
            return f"Retracted: {self.note}" if self.note else "Retracted."
        if self.event == Event.PUBLISHED:
            return "Published in the register."
        if not self.fields:
            return "Re-saved; no public field changed."
        return "; ".join(str(change) for change in self.fields)


# -- Which historical rows are public changes ---------------------------------


def _earlier(History):
    """The same record's earlier historical rows, latest first (correlated to the outer row)."""
    return (
        History.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
    )


def _previous_public(History):
    """The history_id of the same record's previous public version: what a change is against."""
    earlier = _earlier(History).filter(state__in=_PUBLIC_STATES)
    return Subquery(earlier.values("history_id")[:1])


# The two kinds of public change, as conditions on historical rows: a published
# version, and a retraction itself (not a later edit of a retracted record; needs
# ``_with_prev_state``).
_PUBLISHED_VERSION = Q(state=choices.State.PUBLISHED)
_RETRACTION = Q(state=choices.State.RETRACTED) & ~Q(prev_state=choices.State.RETRACTED)


def _with_prev_state(rows):
    """``rows`` with ``prev_state``: the state of the same record's previous row ("" if none)."""
    earlier = _earlier(rows.model).values("state")[:1]
    return rows.alias(prev_state=Coalesce(Subquery(earlier), Value("")))


def _history_parts(model):
    """
    Historical rows of ``model`` that are public changes, as two querysets:
    published versions, and retractions. Kept apart so the correlated
    look-back runs, and is costed by the planner, only over retracted rows.
    """
    rows = model.history.model.objects.filter(
        Exists(model.objects.public().filter(pk=OuterRef("id")))
    )
    return [rows.filter(_PUBLISHED_VERSION), _with_prev_state(rows).filter(_RETRACTION)]


# Querysets are lazy and each use below clones them, so the parts that do not
# depend on the call are built once per model (never run themselves): building
# them (resolving the correlated look-backs) was a third of the selector's CPU.


@functools.cache
def _public_change_rows(model):
    """The window's columns of ``model``'s public changes by their state alone (any record)."""
    rows = _with_prev_state(model.history.model.objects.all())
    return _window_columns(rows.filter(_PUBLISHED_VERSION | _RETRACTION), model)


def _record_window(record):
    """
    The window over ``record``'s public changes, none unless it is public
    today: one query, an index look-up on the record's id (its rows are few, so
    the look-back may run for each of them).
    """
    model = type(record)
    rows = _public_change_rows(model).filter(
        Exists(model.objects.public().filter(pk=record.pk)), id=record.pk
    )
    return rows.order_by(*_NEWEST_FIRST)


@functools.cache
def _types_window(models_):
    """The window over every public change of the record types ``models_`` (a tuple)."""
    parts = [_window_columns(part, model) for model in models_ for part in _history_parts(model)]
    # Only the cheap columns: correlated subqueries in the select list of a
    # UNION would run for every row before the sort and the LIMIT.
    return parts[0].union(*parts[1:], all=True).order_by(*_NEWEST_FIRST)


def _types_window_head(models_, stop):
    """
    The first ``stop`` rows of ``_types_window(models_)``, where the database
    can order and cut each part of a UNION (PostgreSQL): each part is cut to
    its own newest ``stop`` rows first, a walk down its ``history_date`` index,
    instead of every public change being gathered and sorted for the first
    page. The newest ``stop`` of all are among them. At 140,000 historical
    rows (20,000 agencies, 100,000 deployments), the first page's window took
    24 ms instead of 140. SQLite cannot cut the parts, and its plan for the
    whole UNION was already 10 ms.
    """
    parts = [
        _window_columns(part, model).order_by(*_NEWEST_FIRST)[:stop]
        for model in models_
        for part in _history_parts(model)
    ]
    return parts[0].union(*parts[1:], all=True).order_by(*_NEWEST_FIRST)


# Newest first; the record type last, so that rows of two types with the same
# date and history id come in one order whichever way the window is built.
_NEWEST_FIRST = ("-history_date", "-history_id", "change_model")


def _window_columns(rows, model):
    """What the window reads of each row: its id, date and record type."""
    return (
        rows.order_by()
        .annotate(change_model=Value(model._meta.model_name, output_field=models.CharField()))
        .values("history_id", "history_date", "change_model")
    )


class PublicChanges:
    """
    Public changes, newest first, of the given record types (default: all) or of
    one record. Supports ``count()`` and slicing, so a Paginator can page it.
    """

    def __init__(self, *, models_=None, record=None):
        if record is not None:
            models_ = [type(record)]
        self.models = list(models_ or MODELS)
        self.record = record
        self._count = None
        self._window_rows = None

    def _window(self):
        # Built once: a Paginator counts, then slices (each a clone; this one is never run).
        if self._window_rows is None:
            if self.record is not None:
                self._window_rows = _record_window(self.record)
            else:
                self._window_rows = _types_window(tuple(self.models)).all()
        return self._window_rows

    def count(self):
        if self._count is None:
            if self.record is not None:
                self._count = self._window().count()  # an index look-up on the record's id
            else:
                # Every public change is counted: kept until the register changes.
                names = sorted(model._meta.model_name for model in self.models)
                self._count = counts.remembered("changes", names, self._window().count)
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1][0]
        window = self._window()
        cut_parts = connections[window.db].features.supports_slicing_ordering_in_compound
        if self.record is None and index.stop and index.step is None and cut_parts:
            window = _types_window_head(tuple(self.models), index.stop)
        return _materialise(list(window[index]), record=self.record)

    def __iter__(self):
        return iter(self[:])


def public_changes(*, types=None, record=None) -> PublicChanges:
    """
    The selector: public changes of the record types named in ``types`` (model
    names, e.g. ``["agency"]``; default all) or of ``record`` alone.
    """
    if record is not None:
        return PublicChanges(record=record)
    return PublicChanges(models_=[by_model_name(name).model for name in types] if types else None)


# -- Turning rows into changes, in bounded queries ----------------------------


@functools.cache
def _m2m_history(model, field_name):
    """The historical through model for ``field_name`` and its target column."""
    m2m_field = model._meta.get_field(field_name)
    target = m2m_field.m2m_reverse_field_name()
    for rel in model.history.model._meta.related_objects:
        through = rel.related_model
        fields = {f.name: f for f in through._meta.fields}
        if rel.field.name == "history" and target in fields:
            return through, fields[target].attname
    raise LookupError(f"No history of {model.__name__}.{field_name}")  # pragma: no cover


@functools.cache
def _public_fields(History):
    m2m = {f.name for f in History._history_m2m_fields}
    tracked = [f for f in History.tracked_fields if f.editable and f.name not in _NOT_FIELDS]
    names = {f.name for f in tracked}
    # A partial date's precision is shown with its date, not on its own.
    return tuple(
        f
        for f in tracked
        if f.name not in m2m and not (f.name.endswith("_precision") and f.name[:-10] in names)
    )


@functools.cache
def _previous_public_ids(History):
    """For each historical row, the history_id of its record's previous public version."""
    return History.objects.annotate(prev=_previous_public(History)).values("prev")


def _versions(History, ids):
    """
    The historical rows ``ids`` and the previous public version of each, in one
    query (a UNION, not an OR, so that each side is an index look-up).
    """
    previous = _previous_public_ids(History).filter(history_id__in=ids)
    rows = (
        History.objects.filter(history_id__in=ids)
        .order_by()
        .union(History.objects.filter(history_id__in=previous).order_by(), all=True)
        .order_by()  # not the historical model's default: the order is made below
    )
    # A window row that is also the previous version of another comes twice.
    return list({row.history_id: row for row in rows}.values())


def _previous_versions(rows):
    """
    history_id → the row it is compared with, among ``rows``. Every row fetched
    is a public version (a window row, or the previous public version of one),
    so a row's previous public version is the latest fetched row of the same
    record before it: the database named it, and nothing public lies between.
    """
    previous = {}
    latest = {}  # record id → its latest row so far, going forward in time
    for row in sorted(rows, key=lambda row: (row.history_date, row.history_id)):
        previous[row.history_id] = latest.get(row.id)
        latest[row.id] = row
    return previous


def _materialise(window_rows, *, record=None):
    """
    The changes of ``window_rows`` (history_id, history_date, change_model),
    in their order. ``record``: the one record they are all of, already known
    to be public (the window shows its rows only then), so not fetched again.
    """
    by_model = defaultdict(set)
    for row in window_rows:
        by_model[by_model_name(row["change_model"]).model].add(row["history_id"])

    historical = {}  # (model, history_id) → historical row
    previous = {}  # (model, history_id) → the row it is compared with, or None
    m2m_targets = {}  # (model, field name, history_id) → set of target pks
    wanted = defaultdict(set)  # live model → pks to name
    for model, ids in by_model.items():
        History = model.history.model
        rows = _versions(History, ids)
        for history_id, row in _previous_versions(rows).items():
            previous[model, history_id] = row
        for row in rows:
            historical[model, row.history_id] = row
            wanted[model].add(row.id)
            for f in _public_fields(History):
                if isinstance(f, models.ForeignKey) and getattr(row, f.attname) is not None:
                    wanted[f.related_model].add(getattr(row, f.attname))
        fetched = [row.history_id for row in rows]
        for m2m in History._history_m2m_fields:
            through, target = _m2m_history(model, m2m.name)
            for history_id in fetched:
                m2m_targets[model, m2m.name, history_id] = set()
            for history_id, pk in through.objects.filter(history_id__in=fetched).values_list(
                "history_id", target
            ):
                m2m_targets[model, m2m.name, history_id].add(pk)
                wanted[m2m.related_model].add(pk)

    live = {}  # (model, pk) → public record
    if record is not None and window_rows:
        live[type(record), record.pk] = record
        wanted[type(record)].discard(record.pk)
    for model, pks in wanted.items():
        if pks:
            for obj in _named_records(model).filter(pk__in=pks):
                live[model, obj.pk] = obj

    changes = []
    for row in window_rows:
        model = by_model_name(row["change_model"]).model
        current = historical[model, row["history_id"]]
        record = live.get((model, current.id))
        if record is None:  # pragma: no cover - unpublished between the two queries
            continue
        changes.append(
            _change(model, current, previous[model, current.history_id], record, m2m_targets, live)
        )
    return changes


@functools.cache
def _named_records(model):
    """Public records of ``model`` with what their names need; unordered (looked up by key)."""
    return of(model).public_named().order_by()


def _change(model, current, previous, record, m2m_targets, live) -> Change:
    change = Change(
        history_id=current.history_id,
        date=current.history_date,
        record=record,
        event="",
        reason=current.history_change_reason or "",
    )
    if current.state == choices.State.RETRACTED:
        change.event = Event.RETRACTED
        change.note = current.public_note
        return change
    if previous is None:
        change.event = Event.PUBLISHED
        return change
    change.event = Event.REPUBLISHED if previous.state == choices.State.RETRACTED else Event.UPDATED
    History = model.history.model
    for f in _public_fields(History):
        old, new = _shown(f, previous, live), _shown(f, current, live)
        if old == new:
            continue
        label = _LABELS.get(f.name, capfirst(f.verbose_name))
        if isinstance(f, (models.TextField, models.JSONField)):
            change.fields.append(FieldChange(label, kind="text"))
        else:
            change.fields.append(FieldChange(label, old=old, new=new))
    for m2m in History._history_m2m_fields:
        before = m2m_targets[model, m2m.name, previous.history_id]
        after = m2m_targets[model, m2m.name, current.history_id]
        if before == after:
            continue
        target = m2m.related_model
        change.fields.append(
            FieldChange(
                capfirst(m2m.verbose_name),
                kind="set",
                added=_named(target, after - before, live),
                removed=_named(target, before - after, live),
            )
        )
    return change


def _named(model, pks, live):
    """Public records by name; the others only counted, never named."""
    public = sorted((live[model, pk] for pk in pks if (model, pk) in live), key=str)
    hidden = len(pks) - len(public)
    if hidden:
        noun = model._meta.verbose_name if hidden == 1 else model._meta.verbose_name_plural
        public.append(f"{hidden} {noun} not public")
    return public


def _shown(f, row, live) -> str:
    """How a reader sees the value of field ``f`` in historical ``row``."""
    value = getattr(row, f.attname)
    if isinstance(f, (models.TextField, models.JSONField)):
        return repr(value)  # compared only: a long text is said to have changed
    if value is None or value == "" or value == []:
        return ""
    if isinstance(f, models.ForeignKey):
        obj = live.get((f.related_model, value))
        return str(obj) if obj is not None else f"a {f.related_model._meta.verbose_name} not public"
    if isinstance(f, MultiChoiceField):
        labels = dict(f.item_choices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if isinstance(f, MultiValueField):
        return ", ".join(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(f, models.DateField):
        precision = getattr(row, f"{f.name}_precision", choices.DatePrecision.DAY)
        return dates.humanize(value, precision)
    return str(value)
