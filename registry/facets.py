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

Cost. At most one query per facet, whatever the number of rows or values:
a conditional ``Count`` per value for a fixed vocabulary (``FixedValuesFacet``:
status, a ``MultiChoiceField``, yes/no), and a ``GROUP BY ... LIMIT size + 1``
for open-ended values (countries, regions, vendors), the extra row telling us
the list was cut. The facets whose own filter is not in force count the same
rows, so they are counted together in one scan (``_counted_together``): one
``GROUP BY`` per few columns (``grouped_counts``; PostgreSQL's ``GROUPING
SETS``, elsewhere a ``UNION ALL``), a country with its regions, the small
vocabularies together, a vendor by id then named in one more small query.
Deployments count copies of their agency's and system's values kept on their
own row, from one covering index (issue 13: a first request after a change at
100,000 rows). The counts are
kept in the cache for the register's version (``counts.remembered``), keyed by
the other filters in force: unchanged data is counted once.

Declaration. Each facet, and each filter's phrase in the summary sentence, is
declared with its filter in ``filters.py`` (the kinds are in
``facet_kinds.py``); this module reads them from the FilterSet.
"""

import functools
from dataclasses import dataclass, field

from django import forms
from django.db import connections
from django.db.models import F
from django.http import QueryDict

from . import counts, places, tally
from .facet_kinds import Facet
from .filters import NOT_FILTERS, PatternMultipleChoiceField

FACET_SIZE = 10
FACET_SIZE_MAX = 100


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass
class FacetResult:
    param: str
    facet: Facet
    label: str
    values: list[FacetValue] = field(default_factory=list)
    truncated: bool = False
    more_url: str | None = None


def declared_facets(filterset_class) -> list[tuple[str, Facet]]:
    """``[(param, facet)]`` of a FilterSet, in the order the list shows them."""
    filters = filterset_class.base_filters
    return [(param, filters[param].facet) for param in filterset_class.facet_order]


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


def _plain_counts(param, facet, filterset, size):
    """The facet's counts under every filter but its own, as plain values to cache."""
    filter_ = filterset.filters[param]
    rows, truncated = facet.rows(filter_, rows_without(filterset, param), size=size)
    return [(str(value), str(label), n) for value, label, n in rows], truncated


def _facet_question(filterset, param, size):
    return [filters_question(filterset, skip={param}), param, size]


def grouped_counts(
    queryset, groupings: list[list[str]], *, all_published: bool = False
) -> list[dict[tuple, int]]:
    """
    How many of ``queryset``'s rows have each combination of values of each
    grouping's columns (``[["country", "region"], ["status"]]``): one
    ``{(values...): n}`` per grouping, in one query and one scan of the rows.
    PostgreSQL groups by ``GROUPING SETS``; other databases by a ``UNION ALL``
    of one ``GROUP BY`` each. Rows joined more than once (``distinct``) count once.
    ``all_published``: ``queryset`` is every published row of its model, whose
    counts the database may keep already (``tally``; read there when it does).
    """
    if not groupings:
        return []
    model, connection = queryset.model, connections[queryset.db]
    columns = [column for grouping in groupings for column in grouping]
    kept = tally.query(model, connection, groupings) if all_published else None
    if kept is not None:
        query, masks = kept
        return _read_groups(model, connection, groupings, query, [], masks)
    names = [f"c{i}" for i in range(len(columns))]
    named = dict(zip(columns, names, strict=True))
    inner = queryset.order_by().values(
        *(["pk"] if queryset.query.distinct else []),
        **{name: F(column) for column, name in named.items()},
    )
    sql, params = inner.query.sql_with_params()
    selected = ", ".join(names)
    if connection.vendor == "postgresql":
        sets = ", ".join(f"({', '.join(named[c] for c in grouping)})" for grouping in groupings)
        query = (
            f"SELECT GROUPING({selected}), {selected}, COUNT(*) FROM ({sql}) AS grouped_rows "
            f"GROUP BY GROUPING SETS ({sets})"
        )
        # GROUPING() sets the bit of each column not grouped, the first column highest.
        masks = {
            sum(1 << (len(names) - 1 - i) for i, c in enumerate(columns) if c not in grouping): k
            for k, grouping in enumerate(groupings)
        }
    else:
        query = " UNION ALL ".join(
            f"SELECT {k}, {', '.join(n if c in grouping else 'NULL' for c, n in named.items())}, "
            f"COUNT(*) FROM ({sql}) AS grouped_rows "
            f"GROUP BY {', '.join(named[c] for c in grouping)}"
            for k, grouping in enumerate(groupings)
        )
        params = params * len(groupings)
        masks = {k: k for k in range(len(groupings))}
    return _read_groups(model, connection, groupings, query, params, masks)


def _read_groups(model, connection, groupings, query, params, masks) -> list[dict[tuple, int]]:
    """
    Run ``query`` (rows of ``mask, the groupings' columns..., n``; ``masks`` maps a
    row's mask to its grouping) and read its rows as ``grouped_counts`` returns them.
    """
    columns = [column for grouping in groupings for column in grouping]
    # The raw values as the ORM would give them (a set field's set, SQLite's booleans).
    cols = [model._meta.get_field(c).get_col(model._meta.db_table) for c in columns]
    converters = [
        [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)] for col in cols
    ]

    # Thousands of groups share a few hundred raw values per column: each is
    # converted once (a set field's text is parsed), then looked up.
    converted: list[dict] = [{} for _ in columns]

    def value(i, raw):
        if raw not in converted[i]:
            result = raw
            for converter in converters[i]:
                result = converter(result, cols[i], connection)
            # A set field's values, as a key.
            converted[i][raw] = tuple(result) if isinstance(result, list) else result
        return converted[i][raw]

    where = [[columns.index(c) for c in grouping] for grouping in groupings]
    found: list[dict[tuple, int]] = [{} for _ in groupings]
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for mask, *values, n in cursor.fetchall():
            k = masks[mask]
            found[k][tuple(value(i, values[i]) for i in where[k])] = n
    return found


def _counted_together(filterset, size) -> dict:
    """
    ``{param: (rows, truncated)}`` of the facets whose own filter is not in
    force and that can be read from a ``GROUP BY`` (``Facet.grouped``): they
    all count the list's rows as filtered, so the uncached ones are counted in
    one query (``grouped_counts``), not one each. Kept under the same keys as
    a facet counted alone.
    """
    in_force = dict(active_values(filterset))
    together = {
        param: facet
        for param, facet in declared_facets(type(filterset))
        if param not in in_force and facet.grouped(filterset.filters[param])
    }

    def count(params):
        groupings: dict[str, list[str]] = {}
        for param in params:
            groupings.setdefault(together[param].group or param, []).append(param)
        found = grouped_counts(
            rows_without(filterset, None),
            [
                [together[param].grouped(filterset.filters[param]) for param in grouped]
                for grouped in groupings.values()
            ],
            all_published=not in_force,
        )
        results = {}
        for grouped, counted in zip(groupings.values(), found, strict=True):
            for i, param in enumerate(grouped):
                groups: dict = {}
                for key, n in counted.items():
                    groups[key[i]] = groups.get(key[i], 0) + n
                rows, truncated = together[param].rows_from_groups(
                    filterset.filters[param], groups, size=size
                )
                results[param] = ([(str(v), str(label), n) for v, label, n in rows], truncated)
        return results

    questions = {param: _facet_question(filterset, param, size) for param in together}
    return counts.remembered_many("facet", questions, count)


def facets_for(filterset) -> list[FacetResult]:
    """Every facet of a list under the FilterSet's filters; empty if the filters are invalid."""
    if not filterset.is_valid():
        return []
    size = FacetOptions.size(filterset.data)
    counted = _counted_together(filterset, size)
    results = []
    for param, facet in declared_facets(type(filterset)):
        selected = _selected(filterset, param)
        if param in counted:
            rows, truncated = counted[param]
        else:
            rows, truncated = counts.remembered(
                "facet",
                _facet_question(filterset, param, size),
                functools.partial(_plain_counts, param, facet, filterset, size),
            )
        values = [
            FacetValue(
                value=str(value),
                label=str(label),
                count=n,
                selected=str(value) in selected,
                toggle_url=toggle_url(filterset, param, str(value),
                                      selected=str(value) in selected),
            )
            for value, label, n in rows
        ]  # fmt: skip
        # A selected value with no rows under the other filters still shows, so it can be removed.
        shown = {v.value for v in values}
        labels = facet.labels(filterset.filters[param])
        for value in sorted(selected - shown):
            values.append(
                FacetValue(value, str(labels.get(value, value)), 0, True,
                           toggle_url(filterset, param, value, selected=True))
            )  # fmt: skip
        if not values:
            continue
        results.append(
            FacetResult(
                param=param,
                facet=facet,
                label=str(filterset.filters[param].label),
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


def declared_phrases(filterset_class):
    """``[(param, phrase)]`` of a FilterSet in the sentence's order (see ``facet_kinds.Phrase``)."""
    phrases = [
        (name, filter_.says)
        for name, filter_ in filterset_class.declared_filters.items()
        if getattr(filter_, "says", None) is not None
    ]
    return sorted(phrases, key=lambda item: item[1].closing)


def _words(filterset, param, phrase, item):
    key = query_value(item)
    if phrase.words and key in phrase.words:
        return phrase.words[key]
    label = _value_label(filterset, param, item)
    form_field = filterset.form.fields[param]
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
    tight: list[str] = []
    loose: list[str] = []
    for param, phrase in declared_phrases(type(filterset)):
        if param not in active:
            continue
        words = " or ".join(_words(filterset, param, phrase, item) for item in active[param])
        template = phrase.template
        if param == "country" and "region" in active:
            template = "({})"  # "in US-TX (US)", not "in US-TX in US"
        (tight if phrase.tight else loose).append(template.format(words))
    head = " ".join([spec.title, *tight])
    return f"{', '.join([head, *loose])}: {count:,}"
