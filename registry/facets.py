"""
Facets, filter chips and the one-sentence summary of a list's filters.

A facet is one of a list's filters shown as links with counts: "Active 212 ·
Ended 31 · Prohibited 9". Each value is a link that toggles its parameter in
the query string (other parameters kept, ``page`` dropped), so facets work
without JavaScript and every state is a shareable URL.

Counting. The number beside a value is how many records the list shows with
that value selected, under every *other* active filter. A facet ignores its
own parameter (several values of one parameter mean OR), so choosing "Active"
still shows "Ended 31" rather than hiding it. With nothing selected in a facet
this is exactly Datasette's count over the filtered list.

Cost. One query per facet, whatever the number of rows or values:
``values(field).annotate(n=Count("pk"))`` for a single-valued field, one
``aggregate()`` with a conditional ``Count`` per value for a ``MultiChoiceField``,
and a ``GROUP BY ... LIMIT size + 1`` for open-ended values (countries,
regions, vendors), the extra row telling us the list was cut. The counts are
kept in the cache for the register's version (``counts.remembered``), keyed by
the other filters in force: unchanged data is counted once.
"""

import functools
from dataclasses import dataclass, field

from django import forms
from django.db.models import Count, Q
from django.http import QueryDict

from . import choices, counts, places
from .choices import PUBLISHED
from .filters import NOT_FILTERS, PatternMultipleChoiceField

FACET_SIZE = 10
FACET_SIZE_MAX = 100

# What a facet counts: a fixed vocabulary, a set (MultiChoiceField), a
# yes/no, or values found in the data (codes or related records).
ENUM, MULTI, BOOL, OPEN = "enum", "multi", "bool", "open"


@dataclass(frozen=True)
class Facet:
    """One facet of a list: the FilterSet parameter it drives and how to count it."""

    param: str
    field: str
    kind: str = ENUM
    vocabulary: type | None = None  # a choices.TextChoices
    # For related records: the column read as the value's label (the value is ``field``).
    label_field: str | None = None
    # Only these related rows may be offered (e.g. published vendors).
    only: Q | None = None

    def labels(self):
        return dict(self.vocabulary.choices) if self.vocabulary else {}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass
class FacetResult:
    facet: Facet
    label: str
    values: list[FacetValue] = field(default_factory=list)
    truncated: bool = False
    more_url: str | None = None

    @property
    def param(self):
        return self.facet.param


FACETS = {
    "deployments": (
        Facet("status", "status", vocabulary=choices.DeploymentStatus),
        Facet("uses", "uses", MULTI, choices.Use),
        Facet("audit_status", "audit_status", vocabulary=choices.AuditStatus),
        Facet("country", "agency__country", OPEN),
        Facet("region", "agency__region", OPEN),
        Facet("kind", "agency__kind", vocabulary=choices.AgencyKind),
        Facet("level", "agency__level", vocabulary=choices.Level),
        Facet(
            "vendor",
            "system__vendor__slug",
            OPEN,
            label_field="system__vendor__name",
            only=Q(system__vendor__state=PUBLISHED),
        ),
        Facet("image_sources", "image_sources", MULTI, choices.ImageSource),
    ),
    "agencies": (
        Facet("country", "country", OPEN),
        Facet("region", "region", OPEN),
        Facet("kind", "kind", vocabulary=choices.AgencyKind),
        Facet("level", "level", vocabulary=choices.Level),
    ),
    "systems": (
        Facet(
            "vendor",
            "vendor__slug",
            OPEN,
            label_field="vendor__name",
            only=Q(vendor__state=PUBLISHED),
        ),
        Facet("capabilities", "capabilities", MULTI, choices.Capability),
        Facet("audit_status", "audit_status", vocabulary=choices.AuditStatus),
    ),
    "audits": (
        Facet("auditor_kind", "auditor_kind", vocabulary=choices.AuditorKind),
        Facet("finding", "finding", vocabulary=choices.Finding),
        Facet("dimensions", "dimensions", MULTI, choices.Dimension),
        Facet("is_public", "is_public", BOOL),
    ),
    "policies": (
        Facet("kind", "kind", vocabulary=choices.PolicyKind),
        Facet("status", "status", vocabulary=choices.PolicyStatus),
        Facet("requirements", "requirements", MULTI, choices.Requirement),
        Facet("country", "country", OPEN),
        Facet("region", "region", OPEN),
    ),
    "sources": (Facet("kind", "kind", vocabulary=choices.SourceKind),),
    "vendors": (Facet("country", "country", OPEN),),
}

YES_NO_LABELS = {"true": "Yes", "false": "No"}
# Facets whose values are ISO codes, shown by name.
PLACE_CODE_PARAMS = {"country", "region"}


class FacetOptions(forms.Form):
    """``facet_size``: how many values an open-ended facet shows (a display option)."""

    facet_size = forms.IntegerField(min_value=1, max_value=FACET_SIZE_MAX, required=False)

    @classmethod
    def size(cls, data) -> int:
        form = cls(data)
        if form.is_valid() and form.cleaned_data["facet_size"]:
            return form.cleaned_data["facet_size"]
        return FACET_SIZE


# Query strings -------------------------------------------------------------


def _raw_key(filterset, name, raw):
    """The value a raw query-string value stands for once cleaned (``us`` → ``US``)."""
    form_field = filterset.form.fields.get(name)
    if isinstance(form_field, PatternMultipleChoiceField) and form_field.normalize:
        return form_field.normalize(raw)
    return raw


def toggle_url(filterset, name, value, *, selected):
    """The current query string with ``value`` of ``name`` added or removed, ``page`` dropped."""
    query = filterset.data.copy() if filterset.data is not None else QueryDict(mutable=True)
    query = query.copy()  # always mutable
    query.pop("page", None)
    values = query.getlist(name)
    if selected:
        values = [raw for raw in values if _raw_key(filterset, name, raw) != value]
    else:
        values = [*values, value]
    if values:
        query.setlist(name, values)
    else:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _with_param(filterset, name, value):
    query = filterset.data.copy()
    query.pop("page", None)
    query[name] = value
    return f"?{query.urlencode()}"


# Counting -------------------------------------------------------------------


def query_value(item) -> str:
    """A cleaned filter value as the query string writes it (``True`` → ``true``)."""
    if isinstance(item, bool):
        return "true" if item else "false"
    return str(getattr(item, "slug", item))


def _selected(filterset, name) -> set[str]:
    """The cleaned values of ``name`` in force, as query-string values."""
    return {query_value(item) for item in dict(active_values(filterset)).get(name, ())}


def rows_without(filterset, skip):
    """
    The list's published rows under every active filter except ``skip``,
    without the list's display annotations or ordering: what a facet counts.
    """
    model = filterset._meta.model
    queryset = model.objects.published()
    for name, value in filterset.form.cleaned_data.items():
        if name == skip or name in NOT_FILTERS:
            continue
        queryset = filterset.filters[name].filter(queryset, value)
    return queryset.order_by()


def _count(queryset):
    # A filter across a many-to-many relation (policies named for an agency)
    # joins rows: count each record once.
    return Count("pk", distinct=queryset.query.distinct)


def count_facet(facet: Facet, queryset, *, size: int):
    """``[(value, label, n)]`` for one facet, and whether the list was cut: one query."""
    labels = facet.labels()
    if facet.kind == MULTI:
        totals = queryset.aggregate(
            **{
                f"n_{value}": Count("pk", filter=Q(**{f"{facet.field}__has": value}),
                                    distinct=queryset.query.distinct)
                for value in labels
            }
        )  # fmt: skip
        rows = [(value, label, totals[f"n_{value}"]) for value, label in labels.items()]
        return [row for row in rows if row[2]], False

    if facet.only is not None:
        queryset = queryset.filter(facet.only)
    queryset = queryset.exclude(**{f"{facet.field}__isnull": True})
    if facet.kind != BOOL:
        queryset = queryset.exclude(**{facet.field: ""})
    columns = [facet.field] + ([facet.label_field] if facet.label_field else [])
    grouped = queryset.values(*columns).annotate(n=_count(queryset))

    if facet.kind == OPEN:
        found = list(grouped.order_by("-n", facet.field)[: size + 1])
        rows = [
            (row[facet.field], row[facet.label_field] if facet.label_field else row[facet.field],
             row["n"])
            for row in found[:size]
        ]  # fmt: skip
        return rows, len(found) > size

    found = {row[facet.field]: row["n"] for row in grouped.order_by()}
    if facet.kind == BOOL:
        return [
            (value, YES_NO_LABELS[value], found[flag])
            for value, flag in (("true", True), ("false", False))
            if found.get(flag)
        ], False
    # Fixed vocabularies keep the order of their choices, which is meaningful
    # (the audit-status ladder, the life of a policy).
    rows = [(value, label, found[value]) for value, label in labels.items() if value in found]
    return rows, False


def filters_question(filterset, *, skip=()):
    """
    The filters in force as a JSON-able value, for a cache key
    (``counts.remembered``): every parameter of ``filterset.data`` except
    ``skip`` and those that only shape the page (sort, page...).
    """
    data = filterset.data
    return [
        filterset._meta.model._meta.label,
        sorted(
            [name, sorted(data.getlist(name))]
            for name in data
            if name not in skip and name not in NOT_FILTERS
        ),
    ]


def _plain_counts(facet, filterset, size):
    """``count_facet`` under every filter but the facet's own, as plain values to cache."""
    rows, truncated = count_facet(facet, rows_without(filterset, facet.param), size=size)
    if facet.param in PLACE_CODE_PARAMS:
        rows = [(value, places.code_name(value), n) for value, _label, n in rows]
    return [(str(value), str(label), n) for value, label, n in rows], truncated


def facets_for(spec, filterset) -> list[FacetResult]:
    """Every facet of a list under the FilterSet's filters; empty if the filters are invalid."""
    if not filterset.is_valid():
        return []
    size = FacetOptions.size(filterset.data)
    results = []
    for facet in FACETS.get(spec.name, ()):
        selected = _selected(filterset, facet.param)
        rows, truncated = counts.remembered(
            "facet",
            [filters_question(filterset, skip={facet.param}), facet.param, size],
            functools.partial(_plain_counts, facet, filterset, size),
        )
        values = [
            FacetValue(
                value=str(value),
                label=str(label),
                count=n,
                selected=str(value) in selected,
                toggle_url=toggle_url(filterset, facet.param, str(value),
                                      selected=str(value) in selected),
            )
            for value, label, n in rows
        ]  # fmt: skip
        # A selected value with no rows under the other filters still shows, so it can be removed.
        shown = {v.value for v in values}
        labels = facet.labels() | (YES_NO_LABELS if facet.kind == BOOL else {})
        for value in sorted(selected - shown):
            values.append(
                FacetValue(value, str(labels.get(value, value)), 0, True,
                           toggle_url(filterset, facet.param, value, selected=True))
            )  # fmt: skip
        if not values:
            continue
        results.append(
            FacetResult(
                facet=facet,
                label=str(filterset.filters[facet.param].label),
                values=values,
                truncated=truncated,
                more_url=_with_param(filterset, "facet_size", FACET_SIZE_MAX)
                if truncated and size < FACET_SIZE_MAX
                else None,
            )
        )
    return results


# Chips ------------------------------------------------------------------------


@dataclass
class Chip:
    param: str
    label: str
    value: str
    value_label: str
    remove_url: str


def _value_label(filterset, name, value):
    form_field = filterset.form.fields[name]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "_meta"):
        return str(value)
    if name == "q":
        return f"“{value}”"
    if isinstance(form_field, PatternMultipleChoiceField):
        # Country and region codes read as names; other open values as they are.
        return places.code_name(value) if form_field.pattern else str(value)
    if isinstance(form_field, forms.ChoiceField):
        return str(dict(form_field.choices).get(value, value))
    return str(value)


def active_values(filterset):
    """``[(param, [cleaned values])]`` of the filters in force, in the FilterSet's order."""
    if not filterset.is_valid():
        return []
    out = []
    for name, value in filterset.form.cleaned_data.items():
        if name in NOT_FILTERS or value in (None, "", [], ()):
            continue
        if isinstance(value, str | int | places.Place) or hasattr(value, "_meta"):
            value = [value]
        values, seen = [], set()
        for item in value:
            key = query_value(item)
            if key not in seen:
                seen.add(key)
                values.append(item)
        if values:
            out.append((name, values))
    return out


def chips_for(filterset) -> list[Chip]:
    """Each filter value in force, with a link that removes it."""
    chips = []
    for name, values in active_values(filterset):
        label = str(filterset.filters[name].label or name)
        for item in values:
            key = query_value(item)
            chips.append(
                Chip(
                    param=name,
                    label=label,
                    value=key,
                    value_label=_value_label(filterset, name, item),
                    remove_url=toggle_url(filterset, name, key, selected=True),
                )
            )
    return chips


# The summary sentence ------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """How one parameter reads in the summary: ``"in {}"`` with its values joined by "or"."""

    param: str
    template: str
    words: dict | None = None  # value → words; default: the value's label, lower case
    tight: bool = False  # joined with a space to the subject ("in US-TX by sheriffs")


AGENCY_KINDS_PLURAL = {
    "police": "police forces",
    "sheriff": "sheriffs",
    "federal_law_enforcement": "federal law enforcement agencies",
    "border_immigration": "border and immigration agencies",
    "transport_security": "transport security agencies",
    "intelligence": "intelligence agencies",
    "prosecutor": "prosecutors",
    "corrections": "corrections agencies",
    "education": "education authorities",
    "housing": "housing authorities",
    "benefits": "benefits agencies",
    "other": "other agencies",
}
LEVELS = {"national": "national", "regional": "regional", "local": "local"}
AUDIT_STATUS_PHRASES = {
    "none_known": "with no known bias test",
    "tested": "tested for bias only by the vendor or agency",
    "audited": "independently audited, report not public",
    "reported": "with a published independent audit",
}
# "Requires a warrant" → "require a warrant", to follow "Policies that".
REQUIREMENTS_PLURAL = {
    value: label.split(" ", 1)[0].removesuffix("s").lower() + " " + label.split(" ", 1)[1]
    for value, label in choices.Requirement.choices
}
PUBLIC_REPORT = {"true": "with a public report", "false": "with no public report"}
IN_FORCE = {"true": "in force today", "false": "not in force today"}

_SEARCH = Phrase("q", "matching {}")
_PLACE = (
    Phrase("region", "in {}", tight=True),
    Phrase("country", "in {}", tight=True),
    Phrase("place", "in {}", tight=True),
)

SUMMARY = {
    "deployments": (
        *_PLACE,
        Phrase("kind", "by {}", AGENCY_KINDS_PLURAL, tight=True),
        Phrase("level", "at {} level", LEVELS, tight=True),
        Phrase("agency", "by {}", tight=True),
        Phrase("system", "using {}", tight=True),
        Phrase("vendor", "using systems from {}", tight=True),
        Phrase("policy", "citing {}"),
        Phrase("status", "status {}"),
        Phrase("uses", "used for {}"),
        Phrase("image_sources", "searching {}"),
        Phrase("audit_status", "{}", AUDIT_STATUS_PHRASES),
        Phrase("started_from", "started in or after {}"),
        Phrase("started_to", "started in or before {}"),
        _SEARCH,
    ),
    "agencies": (
        *_PLACE,
        Phrase("kind", "that are {}", AGENCY_KINDS_PLURAL, tight=True),
        Phrase("level", "at {} level", LEVELS),
        Phrase("parent", "part of {}"),
        Phrase("policy", "governed by {}"),
        _SEARCH,
    ),
    "systems": (
        Phrase("vendor", "by {}", tight=True),
        Phrase("capabilities", "capable of {}"),
        Phrase("audit_status", "{}", AUDIT_STATUS_PHRASES),
        _SEARCH,
    ),
    "vendors": (_PLACE[1], _SEARCH),
    "audits": (
        Phrase("system", "of {}", tight=True),
        Phrase("vendor", "of systems by {}", tight=True),
        Phrase("auditor_kind", "by {}", tight=True),
        Phrase("finding", "finding {}"),
        Phrase("dimensions", "comparing {}"),
        Phrase("is_public", "{}", PUBLIC_REPORT),
        Phrase("published_from", "published in or after {}"),
        Phrase("published_to", "published in or before {}"),
        _SEARCH,
    ),
    "policies": (
        *_PLACE,
        Phrase("kind", "of kind {}"),
        Phrase("status", "status {}"),
        Phrase("requirements", "that {}", REQUIREMENTS_PLURAL, tight=True),
        Phrase("agency", "naming {}"),
        Phrase("in_force", "{}", IN_FORCE),
        Phrase("adopted_from", "adopted in or after {}"),
        Phrase("adopted_to", "adopted in or before {}"),
        _SEARCH,
    ),
    "sources": (
        Phrase("kind", "of kind {}"),
        Phrase("publisher", "published by {}"),
        Phrase("published_from", "published in or after {}"),
        Phrase("published_to", "published in or before {}"),
        _SEARCH,
    ),
}


def _words(filterset, phrase, item):
    key = query_value(item)
    if phrase.words and key in phrase.words:
        return phrase.words[key]
    label = _value_label(filterset, phrase.param, item)
    form_field = filterset.form.fields[phrase.param]
    is_vocabulary = isinstance(form_field, forms.ChoiceField) and not isinstance(
        form_field, PatternMultipleChoiceField | forms.ModelChoiceField
    )
    return label.lower() if is_vocabulary else label


def summary_sentence(spec, filterset, count: int) -> str:
    """
    A quotable sentence of the filters in force and the count, e.g.
    "Deployments in US-TX by sheriffs, status active, with no known bias test: 14".
    """
    active = dict(active_values(filterset))
    tight, loose = [], []
    for phrase in SUMMARY.get(spec.name, ()):
        if phrase.param not in active:
            continue
        words = " or ".join(_words(filterset, phrase, item) for item in active[phrase.param])
        template = phrase.template
        if phrase.param == "country" and "region" in active:
            template = "({})"  # "in US-TX (US)", not "in US-TX in US"
        (tight if phrase.tight else loose).append(template.format(words))
    head = " ".join([spec.title, *tight])
    return f"{', '.join([head, *loose])}: {count:,}"
