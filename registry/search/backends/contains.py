"""
Any other database, or an SQLite without FTS5: every word ``icontains`` some
searched field, and a match in a name ranks first. It needs no index, and
reads every row: a fallback, not a production backend.
"""

from functools import reduce
from operator import and_, or_

from django.db.models import Case, FloatField, Q, Value, When

from ... import types
from ..documents import all_paths, exact_boost, published_lookups


class ContainsBackend:
    """Without a full-text index: every word ``icontains`` some field; names rank first."""

    def install(self, schema_editor, models_):
        pass

    uninstall = install

    def refresh(self, queryset):
        pass

    def remove(self, model, pks, using):
        pass

    @staticmethod
    def condition(model, term, paths=None):
        paths = paths if paths is not None else all_paths(model)
        text = " ".join(term.words)
        return reduce(
            or_,
            [Q(**{f"{p}__icontains": text}, **published_lookups(p)) for p in paths],
        )

    def filter(self, queryset, parsed):
        model = queryset.model
        for group in parsed.groups:
            queryset = queryset.filter(reduce(or_, [self.condition(model, t) for t in group]))
        for term in parsed.excluded:
            queryset = queryset.exclude(self.condition(model, term))
        return queryset

    def text_rank(self, model, parsed):
        """1 when every group matches in a name, else 0."""
        names = types.of(model).search["A"]
        if not parsed.groups:
            return Value(0.0, output_field=FloatField())
        in_names = [
            reduce(or_, [self.condition(model, t, names) for t in g]) for g in parsed.groups
        ]
        return Case(
            When(reduce(and_, in_names), then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )

    def recent(self, queryset, parsed, size):
        """``(pk, search_rank)`` of the ``size`` most recently updated matches."""
        matches = self.named(self.filter(queryset, parsed), parsed)
        return matches.order_by("-updated_at", "-pk")[:size]

    def named(self, queryset, parsed):
        return queryset.annotate(search_rank=self.text_rank(queryset.model, parsed)).values_list(
            "pk", "search_rank"
        )

    def search(self, queryset, parsed):
        model = queryset.model
        queryset = self.filter(queryset, parsed)
        return queryset.annotate(
            search_rank=self.text_rank(model, parsed) + exact_boost(model, parsed)
        )

    def snippets(self, queryset, parsed, pks):
        """No matching text without an index: the page shows the record alone."""
        return queryset.annotate(search_snippet=Value(""))
