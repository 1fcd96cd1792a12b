"""
Full-text search over the register's records.

One API for every database:

- ``parse_query(text)`` reads a reader's query once, in web-search syntax:
  words (each also a prefix, so "clearv" finds Clearview), ``"a phrase"``,
  ``either OR or``, ``-excluded`` words and phrases;
- ``filter_queryset(queryset, query)`` narrows any record queryset to the rows
  that match, best first (the lists' ``q=`` filter; an explicit ``sort`` wins);
- ``search_all(query)`` gives the results page: per record type, the best
  published records with their matching text, one query per type.

Where the index lives:

- PostgreSQL: each record's ``search_vector`` column (GIN-indexed), weighted A
  (names), B (related names, places, publishers) and C (descriptions). Every
  field is indexed twice, with the ``simple`` configuration (exact words and
  prefixes, names in any language) and ``english`` (stems, so "audits" finds
  "audited"); each query word is looked up both ways.
- SQLite: one FTS5 table per record type (``registry_<type>_fts``, rowid = the
  record's pk) with the same three weighted columns, ranked by ``bm25()``.
- Any other database, or an SQLite without FTS5: ``icontains``, names first.

The index is kept fresh by the ``post_save`` receivers at the bottom (a record's
text includes the names of published related records, so renaming an agency
also refreshes its deployments and audits), and rebuilt in a few statements by
``rebuild_index()`` / ``manage.py rebuild_search_index`` after bulk loads.
"""

import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connections, models
from django.db.models import (
    Case,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, NullIf
from django.db.models.lookups import Lookup
from django.db.models.signals import post_delete, post_save
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import choices, types

# What is searched is each record type's ``search`` (``types.SearchFields``).
WEIGHTS = ("A", "B", "C")

# Longer queries are cut, and the page says so. Every term is one more
# condition per row (and per weight and configuration on PostgreSQL); a prefix
# term ("clearv*") is the costly kind, an index range rather than a lookup.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 30
MAX_TERMS = 16
MAX_PREFIX_TERMS = 8

# Parsing -------------------------------------------------------------------

# A word is a run of letters and digits, as both PostgreSQL's parser and FTS5's
# unicode61 tokenizer see it. Nothing else (quotes, colons, backslashes,
# operators) ever reaches a tsquery or an FTS5 expression.
WORD_RE = re.compile(r"[^\W_]+")
TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|([^\s"]+)')


@dataclass(frozen=True)
class Term:
    """Words that must appear together, in order; ``prefix``: the last may be cut short."""

    words: tuple[str, ...]
    prefix: bool = True

    def __str__(self):
        text = " ".join(self.words)
        return text if self.prefix else f'"{text}"'


@dataclass(frozen=True)
class ParsedQuery:
    """Every group must match (any one term of it); no excluded term may."""

    text: str = ""
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    truncated: bool = False

    def __bool__(self):
        return bool(self.groups or self.excluded)

    @property
    def plain(self) -> str:
        """The words looked for, space-separated: equal to a name that matches exactly."""
        return " ".join(w for group in self.groups for term in group for w in term.words)


def parse_query(text) -> ParsedQuery:
    """
    Read a query in web-search syntax (as PostgreSQL's ``websearch_to_tsquery``):
    ``"a phrase"``, ``this OR that``, ``-excluded``; anything else is words.
    Never fails: punctuation is dropped, an unclosed quote runs to the end.
    """
    text = str(text or "").replace("\x00", "").strip()
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    groups: list[tuple[Term, ...]] = []
    excluded: list[Term] = []
    pending_or = False
    word_count = term_count = prefix_count = 0
    for match in TOKEN_RE.finditer(text):
        negated, quoted, bare = match.groups()
        if bare is not None:
            if bare.upper() == "OR":
                pending_or = bool(groups)
                continue
            negated = bare.startswith("-")
            words = WORD_RE.findall(bare)
            prefix = True
        else:
            words = WORD_RE.findall(quoted)
            prefix = False
        if not words:
            continue
        if (
            word_count + len(words) > MAX_WORDS
            or term_count + 1 > MAX_TERMS
            or prefix_count + prefix > MAX_PREFIX_TERMS
        ):
            truncated = True
            break
        word_count += len(words)
        term_count += 1
        prefix_count += prefix
        term = Term(tuple(w.lower() for w in words), prefix)
        if negated:
            excluded.append(term)
        elif pending_or:
            groups[-1] = (*groups[-1], term)
        else:
            groups.append((term,))
        pending_or = False
    return ParsedQuery(text, tuple(groups), tuple(excluded), truncated)


# What is indexed -----------------------------------------------------------

SEPARATOR = " · "


def _published_lookups(path):
    """``{"vendor__state": "published", ...}`` for every relation along ``path``."""
    relations = path.split("__")[:-1]
    return {
        "__".join([*relations[: i + 1], "state"]): choices.State.PUBLISHED
        for i in range(len(relations))
    }


def field_expression(model, path):
    """
    The text at ``path`` for each row of ``model``: a column, or for a related
    record a subquery (an UPDATE may not join), empty unless it is published.
    """
    relation, _, rest = path.partition("__")
    if not rest:
        return F(path)
    fk = model._meta.get_field(relation)
    related = fk.related_model._base_manager.filter(
        pk=OuterRef(fk.attname), state=choices.State.PUBLISHED, **_published_lookups(rest)
    )
    return Subquery(related.values(rest)[:1], output_field=models.TextField())


def joined_text(model, paths):
    """The texts at ``paths`` joined by a separator, empty ones left out."""
    if not paths:
        return Value("", output_field=models.TextField())
    pieces = [
        # ``||`` (unlike CONCAT) is NULL when a side is, so an empty field adds nothing.
        Coalesce(
            models.Func(
                Value(SEPARATOR),
                NullIf(field_expression(model, path), Value("")),
                template="(%(expressions)s)",
                arg_joiner=" || ",
                output_field=models.TextField(),
            ),
            Value(""),
            output_field=models.TextField(),
        )
        for path in paths
    ]
    text = Concat(*pieces, output_field=models.TextField()) if len(pieces) > 1 else pieces[0]
    return models.Func(
        text, Value(SEPARATOR.lstrip()), function="LTRIM", output_field=models.TextField()
    )


def all_paths(model):
    return [path for weight in WEIGHTS for path in types.of(model).search[weight]]


def name_fields(model):
    """The model's own name fields: a name equal to the query ranks first."""
    return [p for p in types.of(model).search["A"] if "__" not in p]


@cache
def dependents(model):
    """``[(other_model, lookup)]``: rows of other models whose text includes ``model``'s."""
    found = []
    for other in types.MODELS:
        lookups = set()
        for path in all_paths(other):
            relations = path.split("__")[:-1]
            current = other
            for i, relation in enumerate(relations):
                current = current._meta.get_field(relation).related_model
                if current is model:
                    lookups.add("__".join(relations[: i + 1]))
        found += [(other, lookup) for lookup in sorted(lookups)]
    return found


@cache
def indexed_fields(model):
    """Fields whose change alters the index: the searched ones and ``state``."""
    names = {"state"}
    for path in all_paths(model):
        field = model._meta.get_field(path.split("__")[0])
        names |= {field.name, field.attname}
    return frozenset(names)


# Backends ------------------------------------------------------------------


@cache
def sqlite_has_fts5():
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.Error:
        return False
    return True


def backend_for(connection):
    if connection.vendor == "postgresql":
        return POSTGRES
    if connection.vendor == "sqlite" and sqlite_has_fts5():
        return FTS5
    return CONTAINS


START, STOP = "\ue000", "\ue001"  # private-use characters marking matches in snippets


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

    def uninstall(self, schema_editor, models_):
        for model in models_:
            schema_editor.execute(f"DROP INDEX IF EXISTS {model._meta.db_table}_search_gin")

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

    def search(self, queryset, parsed, *, snippets=False):
        query = self.query(parsed)
        queryset = queryset.filter(search_vector=query)
        rank = self.rank(parsed) + exact_boost(queryset.model, parsed)
        queryset = queryset.annotate(search_rank=rank)
        if snippets:
            text = joined_text(queryset.model, all_paths(queryset.model))
            queryset = queryset.annotate(
                search_snippet=SearchHeadline(
                    text,
                    query,
                    config="english",
                    start_sel=START,
                    stop_sel=STOP,
                    max_fragments=2,
                    max_words=20,
                    min_words=8,
                    fragment_delimiter=" … ",
                )
            )
        return queryset


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

    def uninstall(self, schema_editor, models_):
        for model in models_:
            schema_editor.execute(f"DROP TABLE IF EXISTS {self.table(model)}")

    def refresh(self, queryset):
        """Replace the rows' entries: one DELETE and one INSERT ... SELECT."""
        model = queryset.model
        spec = types.of(model).search
        table = self.table(model)
        pks_sql, pks_params = queryset.order_by().values("pk").query.sql_with_params()
        rows = queryset.order_by().annotate(
            **{f"_search_{w}": joined_text(model, spec[w]) for w in WEIGHTS}
        )
        rows_sql, rows_params = rows.values_list(
            "pk", *[f"_search_{w}" for w in WEIGHTS]
        ).query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({pks_sql})", pks_params)
            cursor.execute(
                f"INSERT INTO {table} (rowid, name, related, body) {rows_sql}", rows_params
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

    def search(self, queryset, parsed, *, snippets=False):
        model = queryset.model
        queryset = self.filter(queryset, parsed)
        if not parsed.groups:
            return queryset.annotate(
                search_rank=exact_boost(model, parsed) + Value(0.0), search_snippet=Value("")
            )
        table = self.table(model)
        weights = ", ".join(str(w) for w in self.COLUMN_WEIGHTS)
        rank = RawSQL(f"-bm25({table}, {weights})", (), output_field=FloatField())
        queryset = queryset.annotate(search_rank=rank + exact_boost(model, parsed))
        if snippets:
            snippet = RawSQL(
                f"snippet({table}, -1, %s, %s, %s, 24)",
                (START, STOP, " … "),
                output_field=models.TextField(),
            )
            queryset = queryset.annotate(search_snippet=snippet)
        return queryset


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
            [Q(**{f"{p}__icontains": text}, **_published_lookups(p)) for p in paths],
        )

    def filter(self, queryset, parsed):
        model = queryset.model
        for group in parsed.groups:
            queryset = queryset.filter(reduce(or_, [self.condition(model, t) for t in group]))
        for term in parsed.excluded:
            queryset = queryset.exclude(self.condition(model, term))
        return queryset

    def search(self, queryset, parsed, *, snippets=False):
        model = queryset.model
        queryset = self.filter(queryset, parsed)
        names = types.of(model).search["A"]
        rank = Value(0.0, output_field=FloatField())
        if parsed.groups:
            in_names = [
                reduce(or_, [self.condition(model, t, names) for t in g]) for g in parsed.groups
            ]
            rank = Case(
                When(reduce(and_, in_names), then=Value(1.0)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        return queryset.annotate(
            search_rank=rank + exact_boost(model, parsed), search_snippet=Value("")
        )


POSTGRES, FTS5, CONTAINS = PostgresBackend(), FTS5Backend(), ContainsBackend()


def exact_boost(model, parsed):
    """A name equal to the query outranks any other match."""
    fields = name_fields(model)
    plain = parsed.plain
    if not fields or not plain:
        return Value(0.0, output_field=FloatField())
    exact = reduce(or_, [Q(**{f"{f}__iexact": plain}) for f in fields])
    return Case(When(exact, then=Value(100.0)), default=Value(0.0), output_field=FloatField())


# Searching -----------------------------------------------------------------


def _parsed(query):
    return query if isinstance(query, ParsedQuery) else parse_query(query)


def search_queryset(queryset, query, *, snippets=False):
    """
    The rows of ``queryset`` matching ``query``, annotated with ``search_rank``
    (higher is better) and, with ``snippets``, ``search_snippet`` (raw text with
    START/STOP marks: show it through ``highlight()``), best first.
    """
    parsed = _parsed(query)
    if not parsed:
        return queryset
    queryset = backend_for(connections[queryset.db]).search(queryset, parsed, snippets=snippets)
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return queryset.order_by(F("search_rank").desc(), *ordering, "pk")


def count_matching(queryset, parsed):
    """
    How many rows of ``queryset`` match, as an expression computed once per
    query (an uncorrelated subquery), so a page of hits carries its total.
    """
    backend = backend_for(connections[queryset.db])
    rows = backend.filter(queryset, parsed).order_by().values("pk")
    sql, params = rows.query.sql_with_params()
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) matching", params, output_field=IntegerField())


def filter_queryset(queryset, query):
    """
    Narrow ``queryset`` to the records that match ``query``, best first: a
    FilterSet's ``sort`` applied afterwards replaces the order. An empty or
    punctuation-only query leaves the queryset as it is.
    """
    return search_queryset(queryset, query)


def highlight(text):
    """Search snippet text as safe HTML: everything escaped, matches in ``<mark>``."""
    out, open_ = [], False
    for piece in re.split(f"([{START}{STOP}])", escape(text or "")):
        if piece == START and not open_:
            out.append("<mark>")
            open_ = True
        elif piece == STOP and open_:
            out.append("</mark>")
            open_ = False
        elif piece not in (START, STOP):
            out.append(piece)
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out).replace("<mark></mark>", ""))  # noqa: S308 - built from escaped text


@dataclass
class Hit:
    record: models.Model
    snippet: str


@dataclass
class Group:
    label: str
    model: type
    hits: list[Hit]
    count: int

    @property
    def model_name(self):
        return self.model._meta.model_name

    @property
    def list_url_name(self):
        return f"registry:{self.model._meta.model_name}-list"

    @property
    def noun(self):
        model_meta = self.model._meta
        return model_meta.verbose_name if self.count == 1 else model_meta.verbose_name_plural

    @property
    def more(self):
        return self.count > len(self.hits)


@dataclass
class Results:
    query: ParsedQuery
    groups: list[Group] = field(default_factory=list)
    max_length = MAX_QUERY_LENGTH
    max_words = MAX_WORDS
    max_terms = MAX_TERMS
    max_prefix_terms = MAX_PREFIX_TERMS

    @property
    def total(self):
        return sum(g.count for g in self.groups)

    @property
    def found(self):
        return [g for g in self.groups if g.count]


def search_all(query, *, limit_per_type=20) -> Results:
    """
    The results page: per record type, the ``limit_per_type`` best published
    records with their matching text, and how many match in all, in one
    query per type. A query of exclusions alone finds nothing here.
    """
    parsed = _parsed(query)
    results = Results(parsed)
    if not parsed.groups:
        return results
    for record_type in types.RECORD_TYPES:
        model = record_type.model
        queryset = model.objects.published()
        if hasattr(queryset, "for_display"):
            queryset = queryset.for_display()
        queryset = search_queryset(queryset, parsed, snippets=True).annotate(
            search_total=count_matching(model.objects.published(), parsed)
        )
        rows = list(queryset[:limit_per_type])
        hits = [Hit(row, highlight(row.search_snippet)) for row in rows]
        results.groups.append(
            Group(record_type.title, model, hits, rows[0].search_total if rows else 0)
        )
    return results


# Keeping the index fresh ---------------------------------------------------


def refresh_index(model, pks, *, using="default"):
    """Re-index these records of ``model``, and every record whose text includes theirs."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return
    backend = backend_for(connections[using])
    backend.refresh(model._base_manager.using(using).filter(pk__in=pks))
    for other, lookup in dependents(model):
        backend.refresh(other._base_manager.using(using).filter(**{f"{lookup}__in": pks}))


def rebuild_index(*, models_=types.MODELS, using="default"):
    """Re-index every record (after a bulk load); returns ``{model_name: rows}``."""
    backend = backend_for(connections[using])
    counts = {}
    for model in models_:
        queryset = model._base_manager.using(using).all()
        backend.refresh(queryset)
        counts[model._meta.model_name] = queryset.count()
    return counts


def install(schema_editor, models_):
    """Create the index (GIN indexes or FTS5 tables) for ``models_`` and fill it."""
    connection = schema_editor.connection
    backend_for(connection).install(schema_editor, models_)
    rebuild_index(models_=models_, using=connection.alias)


def uninstall(schema_editor, models_):
    backend_for(schema_editor.connection).uninstall(schema_editor, models_)


_deferred = threading.local()


@contextmanager
def deferred_indexing(*, using="default"):
    """
    Within this block, saved records are queued and re-indexed together at the
    end, in a few UPDATEs per record type, instead of after every save. The
    importers use it: one refresh per file, not one per record.
    """
    if getattr(_deferred, "queue", None) is not None:  # nested: the outer block flushes
        yield
        return
    _deferred.queue = {}
    try:
        yield
        queue = _deferred.queue
    finally:
        _deferred.queue = None
    for model, pks in queue.items():
        refresh_index(model, pks, using=using)


def record_saved(sender, instance, raw=False, update_fields=None, using="default", **kwargs):
    if raw:  # fixtures: related rows may not exist yet; rebuild afterwards
        return
    if hasattr(instance, "skip_history_when_saving"):
        # services.save_record sends post_save again once the links are set.
        return
    if update_fields is not None and not indexed_fields(sender) & set(update_fields):
        return
    queue = getattr(_deferred, "queue", None)
    if queue is not None:
        queue.setdefault(sender, set()).add(instance.pk)
        return
    refresh_index(sender, [instance.pk], using=using)


def record_deleted(sender, instance, using="default", **kwargs):
    backend_for(connections[using]).remove(sender, [instance.pk], using)


for _model in types.MODELS:
    post_save.connect(record_saved, sender=_model, dispatch_uid=f"search-saved-{_model.__name__}")
    post_delete.connect(
        record_deleted, sender=_model, dispatch_uid=f"search-deleted-{_model.__name__}"
    )
