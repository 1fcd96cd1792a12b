"""
PostgreSQL: each record's ``search_vector`` column (GIN-indexed), weighted A
(names), B (related names, places, publishers) and C (descriptions).

Every field is indexed twice, with the ``simple`` configuration (exact words
and prefixes, names in any language) and ``english`` (stems, so "audits" finds
"audited"); each query word is looked up both ways.
"""

from functools import lru_cache, reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import F, TextField, Value
from django.db.models.expressions import RawSQL

from ... import types
from ..documents import (
    START,
    STOP,
    WEIGHTS,
    all_paths,
    exact_boost,
    field_expression,
    joined_text,
    name_indexes,
)
from ..parser import ParsedQuery, blanked, checked, filled


class PostgresBackend:
    """A weighted ``tsvector`` per row; queries built as raw tsqueries from parsed words."""

    def document(self, model):
        spec = types.of(model).search
        vectors = [
            SearchVector(
                *[field_expression(model, p) for p in spec[weight]], config=config, weight=weight
            )
            for weight in WEIGHTS
            if spec[weight]
            for config in ("simple", "english")
        ]
        return reduce(lambda a, b: a + b, vectors)

    def install(self, schema_editor, models_):
        for model in models_:
            table = model._meta.db_table
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} USING gin "
                "(search_vector)"
            )
            for name, column in name_indexes(model):
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON {table} (UPPER({column}::text))"
                )

    def uninstall(self, schema_editor, models_):
        for model in models_:
            schema_editor.execute(f"DROP INDEX IF EXISTS {model._meta.db_table}_search_gin")
            for name, _column in name_indexes(model):
                schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    def refresh(self, queryset):
        queryset.update(search_vector=self.document(queryset.model))

    def remove(self, model, pks, using):
        """The vector is a column: it goes with its row."""

    @staticmethod
    def tsqueries(term):
        """The term as a (simple, english) pair of tsqueries: prefix words, and stems."""
        # Words are letters and digits only (WORD_RE), so quoting them is enough.
        words = " <-> ".join(f"'{w}'" for w in term.words)
        return (
            SearchQuery(words + (":*" if term.prefix else ""), config="simple", search_type="raw"),
            SearchQuery(words, config="english", search_type="raw"),
        )

    def query(self, parsed, configs=(0, 1)):
        """The whole query; ``configs=(0,)`` or ``(1,)``: its words one way only."""
        clauses = [
            reduce(or_, [self.tsqueries(t)[c] for t in group for c in configs])
            for group in parsed.groups
        ]
        # ~(a | b) as ~a & ~b: Django negates single SearchQuery objects only.
        clauses += [~self.tsqueries(t)[c] for t in parsed.excluded for c in configs]
        return reduce(and_, clauses)

    def rank(self, parsed):
        if not parsed.groups:
            return Value(0.0)
        # Ranked once per configuration: ts_rank() scores "'x':* | 'x'" (the same
        # lexeme as a prefix and as a stem) as zero.
        positive = ParsedQuery(groups=parsed.groups)
        return SearchRank(F("search_vector"), self.query(positive, (0,))) + SearchRank(
            F("search_vector"), self.query(positive, (1,))
        )

    def filter(self, queryset, parsed):
        return queryset.filter(search_vector=self.query(parsed))

    def recent(self, queryset, parsed, size):
        """
        ``(pk, search_rank)`` of the ``size`` most recently updated matches:
        ranked after they are chosen, so ``ts_rank()`` reads only those rows.
        """
        newest = self.filter(queryset, parsed).order_by("-updated_at", "-pk").values("pk")[:size]
        return self.named(queryset.filter(pk__in=newest), parsed)

    def named(self, queryset, parsed):
        """``(pk, search_rank)`` of rows found by name: ranked as any match."""
        return queryset.annotate(search_rank=self.rank(parsed)).values_list("pk", "search_rank")

    def search(self, queryset, parsed):
        queryset = self.filter(queryset, parsed)
        rank = self.rank(parsed) + exact_boost(queryset.model, parsed)
        return queryset.annotate(search_rank=rank)

    def snippets(self, queryset, parsed, pks):
        """The rows (matches, among ``pks``) with their matching text as ``search_snippet``."""
        shape, words = blanked(parsed)
        sql, params = headline(self, queryset.model, shape, queryset.db)
        return queryset.annotate(
            search_snippet=RawSQL(sql, filled(params, words), output_field=TextField())
        )


@lru_cache(maxsize=256)
def headline(backend, model, shape, using):
    """
    The SQL of ``ts_headline()`` over a row's searched text for a ``blanked``
    query, compiled once per shape: the expression (a subquery per related
    name) is the costliest part of the results page to build.
    """
    expression = SearchHeadline(
        joined_text(model, all_paths(model)),
        backend.query(shape),
        config="english",
        start_sel=START,
        stop_sel=STOP,
        max_fragments=2,
        max_words=20,
        min_words=8,
        fragment_delimiter=" … ",
    )
    # Resolved against the model's own table, as the rows' query names it.
    query = model._base_manager.using(using).all().query
    compiler = query.get_compiler(using=using)
    sql, params = compiler.compile(expression.resolve_expression(query))
    return checked(sql), tuple(params)
