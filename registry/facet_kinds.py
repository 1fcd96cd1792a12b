"""
What a list's filter declares beside itself: the facet that offers its values
as links with counts, and the phrase it adds to the summary sentence.

A FilterSet (``filters.py``) declares both with the filter, as Datasette keeps
a filter's SQL and its English clause together::

    status = EnumFilter(
        choices=choices.DeploymentStatus.choices, label="Status",
        facet=VocabularyFacet(), says=Phrase("status {}"),
    )

A facet reads its column and its labels from the filter it is declared with
(``field_name``, ``choices``), so neither is written twice. Each kind counts in
one query, whatever the number of rows or values; the kinds of fixed values
can also share one (see ``facets.py`` for how the counts are used and cached).
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from . import places
from .choices import PUBLISHED
from .fields import counts_per_item

YES_NO_LABELS = {"true": "Yes", "false": "No"}

Rows = list[tuple[str, str, int]]


def _present(queryset, field):
    """The rows that have a value in ``field`` at all (no NULL, no empty string)."""
    return queryset.exclude(**{f"{field}__isnull": True}).exclude(**{field: ""})


def _count(queryset):
    # A filter across a many-to-many relation (policies named for an agency)
    # joins rows: count each record once. Otherwise COUNT(*), not COUNT(id):
    # a covering index of the counted columns then answers alone.
    if queryset.query.distinct:
        return Count("pk", distinct=True)
    return Count("*")


class Facet:
    """How one filter's values are counted: ``rows()`` gives ``[(value, label, n)]``."""

    def labels(self, filter_) -> dict:
        """The known values' labels (a fixed vocabulary); empty for values found in the data."""
        return dict(filter_.extra.get("choices") or ())

    def rows(self, filter_, queryset, *, size: int) -> tuple[Rows, bool]:
        """The values with their counts, and whether the list was cut: one query."""
        raise NotImplementedError


class FixedValuesFacet(Facet):
    """
    A facet of known values, counted by one conditional ``Count`` per value.
    Such counts of several facets over the same rows can be made in one
    ``aggregate()``, one scan (``facets.facets_for`` does so when a list is
    first counted).
    """

    def conditional_counts(self, filter_, *, distinct: bool) -> dict:
        """``{value: Count(...)}``: how many rows have each value."""
        field = filter_.field_name
        # Counting the column itself (never NULL where it has the value), not
        # the id, lets a covering index of the counted columns answer alone.
        return {
            value: Count(field, distinct=distinct, filter=self.has(field, value))
            for value in self.labels(filter_)
        }

    def has(self, field, value) -> Q:
        return Q(**{field: value})

    def rows_from_counts(self, filter_, found: dict) -> Rows:
        """The facet's rows from ``{value: n}``, in the vocabulary's order, zeros left out."""
        return [
            (value, label, found[value])
            for value, label in self.labels(filter_).items()
            if found.get(value)
        ]

    def rows(self, filter_, queryset, *, size):
        counts = self.conditional_counts(filter_, distinct=queryset.query.distinct)
        totals = queryset.aggregate(**{f"n{i}": count for i, count in enumerate(counts.values())})
        found = {value: totals[f"n{i}"] for i, value in enumerate(counts)}
        return self.rows_from_counts(filter_, found), False


class VocabularyFacet(FixedValuesFacet):
    """A fixed vocabulary (``choices.*``), in the order of its choices (which is meaningful)."""


class SetFacet(FixedValuesFacet):
    """A ``MultiChoiceField`` (a set of values per row): one conditional count per value."""

    def has(self, field, value):
        return Q(**{f"{field}__has": value})


class YesNoFacet(FixedValuesFacet):
    """A boolean column: Yes, then No."""

    def labels(self, filter_):
        return YES_NO_LABELS

    def has(self, field, value):
        return Q(**{field: value == "true"})


class OpenFacet(Facet):
    """
    Values found in the data, most frequent first: a ``GROUP BY ... LIMIT size + 1``,
    the extra row telling that the list was cut.
    """

    def labels(self, filter_):
        return {}

    def column(self, filter_) -> str:
        return filter_.field_name

    def label_column(self, filter_) -> str | None:
        return None

    def only(self, filter_) -> Q | None:
        """Only these rows' values may be offered (e.g. published vendors)."""
        return None

    def label(self, value, label_value) -> str:
        return label_value

    def rows(self, filter_, queryset, *, size):
        field, label_field = self.column(filter_), self.label_column(filter_)
        only = self.only(filter_)
        if only is not None:
            queryset = queryset.filter(only)
        queryset = _present(queryset, field)
        columns = [field] + ([label_field] if label_field else [])
        grouped = queryset.values(*columns).annotate(n=_count(queryset))
        found = list(grouped.order_by("-n", field)[: size + 1])
        rows = [
            (row[field], self.label(row[field], row[label_field] if label_field else row[field]),
             row["n"])
            for row in found[:size]
        ]  # fmt: skip
        return rows, len(found) > size


class CodeFacet(OpenFacet):
    """Country or region codes found in the data, shown by name."""

    def label(self, value, label_value):
        return places.code_name(value)


class CodeSetFacet(Facet):
    """
    Country or region codes found in an open set (a ``MultiValueField``: a
    policy's regions), most frequent first, shown by name. One query groups the
    rows by their whole stored set (few distinct sets); a law of England and
    Wales counts once under GB-ENG and once under GB-WLS.
    """

    def labels(self, filter_):
        return {}

    def rows(self, filter_, queryset, *, size):
        totals = counts_per_item(queryset, filter_.field_name, distinct=queryset.query.distinct)
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        rows = [(value, places.code_name(value), n) for value, n in ranked[:size]]
        return rows, len(ranked) > size


class RecordFacet(OpenFacet):
    """Published related records (a vendor): the value is the slug, the label its name."""

    def column(self, filter_):
        return f"{filter_.field_name}__slug"

    def label_column(self, filter_):
        return f"{filter_.field_name}__name"

    def only(self, filter_):
        return Q(**{f"{filter_.field_name}__state": PUBLISHED})


@dataclass(frozen=True)
class Phrase:
    """
    How a filter reads in the summary sentence: ``"in {}"`` with its values
    joined by "or". ``tight`` phrases follow the subject with a space ("in
    US-TX by sheriffs"), the others after a comma, in the FilterSet's order of
    declaration; a ``closing`` phrase (the search) ends the sentence.
    """

    template: str
    words: dict | None = None  # value → words; default: the value's label, lower case
    tight: bool = False
    closing: bool = False
