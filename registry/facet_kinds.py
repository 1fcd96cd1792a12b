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
one query, whatever the number of rows or values; those read from a column
of the row can also share one (see ``facets.py`` for how the counts are used
and cached).
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
    """
    How one filter's values are counted: ``rows()`` gives ``[(value, label, n)]``.

    A facet whose counts are a ``GROUP BY`` of the row's own column can also be
    counted with others over the same rows, in one query (``facets.py``):
    ``grouped`` names the column, ``group`` which facets' columns share one
    grouping (few combinations: small vocabularies together, a country with
    its regions), and ``rows_from_groups`` reads the facet's rows from the
    result. ``grouped`` None: the facet is always counted alone.
    """

    group: str | None = None

    def labels(self, filter_) -> dict:
        """The known values' labels (a fixed vocabulary); empty for values found in the data."""
        return dict(filter_.extra.get("choices") or ())

    def rows(self, filter_, queryset, *, size: int) -> tuple[Rows, bool]:
        """The values with their counts, and whether the list was cut: one query."""
        raise NotImplementedError

    def grouped(self, filter_) -> str | None:
        """The row's column whose groups give the counts, or None."""
        return None

    def rows_from_groups(self, filter_, groups: dict, *, size: int) -> tuple[Rows, bool]:
        """The rows from ``{value of the column: rows with it}`` (the column's groups)."""
        raise NotImplementedError


class FixedValuesFacet(Facet):
    """
    A facet of known values, counted alone by one conditional ``Count`` per
    value; with other facets, from its column's groups (``Facet.grouped``).
    """

    # The small vocabularies' columns share one grouping (few combinations).
    group = "vocabulary"

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

    def grouped(self, filter_):
        return filter_.field_name

    def key(self, value) -> list[str]:
        """The vocabulary's values a stored value stands for."""
        return [value]

    def rows_from_groups(self, filter_, groups, *, size):
        found: dict[str, int] = {}
        for stored, n in groups.items():
            for value in self.key(stored):
                found[value] = found.get(value, 0) + n
        return self.rows_from_counts(filter_, found), False

    def rows(self, filter_, queryset, *, size):
        counts = self.conditional_counts(filter_, distinct=queryset.query.distinct)
        totals = queryset.aggregate(**{f"n{i}": count for i, count in enumerate(counts.values())})
        found = {value: totals[f"n{i}"] for i, value in enumerate(counts)}
        return self.rows_from_counts(filter_, found), False


class VocabularyFacet(FixedValuesFacet):
    """A fixed vocabulary (``choices.*``), in the order of its choices (which is meaningful)."""


class SetFacet(FixedValuesFacet):
    """A ``MultiChoiceField`` (a set of values per row): one conditional count per value."""

    # Rows are grouped by their whole stored set (a few dozen distinct sets).
    group = "sets"

    def has(self, field, value):
        return Q(**{f"{field}__has": value})

    def key(self, value):
        return list(value or ())


class YesNoFacet(FixedValuesFacet):
    """A boolean column: Yes, then No."""

    def labels(self, filter_):
        return YES_NO_LABELS

    def has(self, field, value):
        return Q(**{field: value == "true"})

    def key(self, value):
        return [] if value is None else ["true" if value else "false"]


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

    def grouped(self, filter_):
        if self.label_column(filter_) or self.only(filter_) is not None:
            return None
        return filter_.field_name

    def ranked(self, groups: dict, size: int) -> tuple[list, bool]:
        """The present values most frequent first (then by value), cut at ``size``."""
        found = sorted(
            ((value, n) for value, n in groups.items() if value not in (None, "") and n),
            key=lambda item: (-item[1], item[0]),
        )
        return found[:size], len(found) > size

    def rows_from_groups(self, filter_, groups, *, size):
        found, truncated = self.ranked(groups, size)
        return [(value, self.label(value, value), n) for value, n in found], truncated


class CodeFacet(OpenFacet):
    """Country or region codes found in the data, shown by name."""

    # A region lies in one country: grouped by both, there are as many groups as regions.
    group = "places"

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

    def grouped(self, filter_):
        # Grouped by the related record's id; its slug and name are read after.
        return filter_.field_name

    def rows_from_groups(self, filter_, groups, *, size):
        """The published records among the groups' ids: one more query, of a few rows."""
        model = filter_.model._meta.get_field(filter_.field_name).related_model
        records = {
            pk: (slug, name)
            for pk, slug, name in model.objects.filter(
                pk__in=[pk for pk in groups if pk is not None], state=PUBLISHED
            ).values_list("pk", "slug", "name")
        }
        by_slug = {records[pk][0]: n for pk, n in groups.items() if pk in records}
        names = dict(records.values())
        found, truncated = self.ranked(by_slug, size)
        return [(slug, names[slug], n) for slug, n in found], truncated


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
