"""
SQLite: one FTS5 table per record type (``registry_<type>_fts``, rowid = the
record's pk) with the three weighted texts as columns, ranked by ``bm25()``,
and an index on ``UPPER(name)`` for the exact names (``documents.exact_name_q``).
The results page reads each table once per record type, newest rows first
(``recent``): FTS5 walks its index in rowid order, so it stops at the pool's size.
"""

from functools import cache

from django.db import connections, models
from django.db.models import F, FloatField, Value
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Lookup

from ... import statements, types
from ..documents import START, STOP, WEIGHTS, exact_boost, joined_text, name_indexes


class FTS5Backend:
    """One FTS5 table per record type: columns name (A), related (B), body (C)."""

    COLUMN_WEIGHTS = (10.0, 4.0, 1.0)

    @staticmethod
    def table(model):
        return f"registry_{model._meta.model_name}_fts"

    def install(self, schema_editor, models_):
        for model in models_:
            schema_editor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table(model)} USING fts5("
                "name, related, body, tokenize = 'porter unicode61 remove_diacritics 2', "
                "prefix = '2 3')"
            )
            table = model._meta.db_table
            for name, column in name_indexes(model):
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON {table} (UPPER({column}))"
                )

    def uninstall(self, schema_editor, models_):
        for model in models_:
            schema_editor.execute(f"DROP TABLE IF EXISTS {self.table(model)}")
            for name, _column in name_indexes(model):
                schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    def refresh(self, queryset):
        """Replace the rows' entries: one DELETE and one INSERT ... SELECT."""
        table = self.table(queryset.model)
        pks_sql, pks_params = queryset.order_by().values("pk").query.sql_with_params()
        texts_sql, texts_params = _texts_sql(queryset.model, queryset.db)
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({pks_sql})", pks_params)
            cursor.execute(
                f"INSERT INTO {table} (rowid, name, related, body) {texts_sql} ({pks_sql})",
                (*texts_params, *pks_params),
            )

    def remove(self, model, pks, using):
        with connections[using].cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {self.table(model)} WHERE rowid = %s", [(pk,) for pk in pks]
            )

    @staticmethod
    def expression(term):
        # Words are letters and digits only (WORD_RE): no quote can close the string.
        return f'"{" ".join(term.words)}"' + (" *" if term.prefix else "")

    def match(self, terms):
        return " OR ".join(self.expression(t) for t in terms)

    def matching(self, model, terms_sql):
        table = self.table(model)
        return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [terms_sql])

    def positive(self, parsed):
        return " AND ".join(f"({self.match(group)})" for group in parsed.groups)

    def filter(self, queryset, parsed):
        model = queryset.model
        if parsed.excluded:
            # FTS5 has no unary NOT: exclusions apply to the records.
            queryset = queryset.exclude(pk__in=self.matching(model, self.match(parsed.excluded)))
        if not parsed.groups:
            return queryset
        # Joined, so the rank and snippet come from the same row. See RowidJoin.
        table = self.table(model)
        queryset = queryset.extra(
            tables=[table], where=[f"{table} MATCH %s"], params=[self.positive(parsed)]
        )
        return queryset.filter(RowidJoin(F("pk"), table))

    def text_rank(self, model):
        table = self.table(model)
        weights = ", ".join(str(w) for w in self.COLUMN_WEIGHTS)
        return RawSQL(f"-bm25({table}, {weights})", (), output_field=FloatField())

    def recent(self, queryset, parsed, size):
        """
        ``(pk, search_rank)`` of the ``size`` newest matches (highest keys):
        FTS5 reads its index in rowid order, so it stops after ``size``
        published matches and ranks them in the same pass.
        """
        table = self.table(queryset.model)
        return (
            self.filter(queryset, parsed)
            .annotate(search_rank=self.text_rank(queryset.model))
            .extra(order_by=[f"-{table}.rowid"])
            .values_list("pk", "search_rank")[:size]
        )

    def named(self, queryset, parsed):
        """
        ``(pk, search_rank)`` of rows found by name (``exact_name_q``), which
        match the query anyway: no text rank, which would read every match
        of the query's words again.
        """
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField())).values_list(
            "pk", "search_rank"
        )

    def search(self, queryset, parsed):
        model = queryset.model
        queryset = self.filter(queryset, parsed)
        if not parsed.groups:
            return queryset.annotate(search_rank=exact_boost(model, parsed) + Value(0.0))
        return queryset.annotate(search_rank=self.text_rank(model) + exact_boost(model, parsed))

    def snippets(self, queryset, parsed, pks):
        """
        The rows (matches, among ``pks``) with their matching text as
        ``search_snippet``. The keys' range bounds the index scan: a common
        word's whole match is otherwise read to find twenty rows.
        """
        table = self.table(queryset.model)
        queryset = self.filter(queryset, parsed).extra(
            where=[f"{table}.rowid BETWEEN %s AND %s"], params=[min(pks), max(pks)]
        )
        snippet = RawSQL(
            f"snippet({table}, -1, %s, %s, %s, 24)",
            (START, STOP, " … "),
            output_field=models.TextField(),
        )
        return queryset.annotate(search_snippet=snippet)


@cache
def _texts_sql(model, using):
    """
    ``SELECT pk, A, B, C FROM <model's table> WHERE pk IN``, to be followed by
    the rows' keys: the three texts of each row, compiled once per model. They
    are a dozen subqueries, whose building and compiling was most of the cost
    of re-indexing a row (so of every save).
    """
    spec = types.of(model).search
    rows = model._base_manager.annotate(
        **{f"_search_{w}": joined_text(model, spec[w]) for w in WEIGHTS}
    )
    # Every text is a subquery (an UPDATE may not join), so the statement
    # reads the one table and the keys can follow it.
    return statements.select_for_keys(
        rows.values_list("pk", *[f"_search_{w}" for w in WEIGHTS]), using
    )


class RowidJoin(Lookup):
    """
    ``RowidJoin(F("pk"), fts_table)``: ``+<fts_table>.rowid = <the record's pk>``,
    joining a record to its FTS5 row.

    The FTS table must be the outer loop: FTS5 answers "MATCH ? AND rowid = ?"
    by reading the whole match, so a lookup per record (a correlated subquery,
    or the join the other way round) is quadratic; the unary ``+`` keeps SQLite
    from choosing that order. The pk is compiled, not written out, so the
    condition stays right when the queryset becomes a subquery.
    """

    lookup_name = "fts_rowid"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.lhs)
        return f"+{self.rhs}.rowid = {pk_sql}", pk_params
