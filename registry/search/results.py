"""
Searching: a queryset narrowed and ranked by a query, and the results page.

``filter_queryset`` is the lists' ``q=`` filter; ``search_all`` gives the
search page, per record type the best published records with their matching
text; ``highlight`` turns a backend's marked snippet into safe HTML.

The results page runs two statements per record type at most (the best keys
and the count, then those rows with snippets), each compiled once per query
shape (``parser.blanked``) and run with the query's words as parameters:
building the search expressions in Python cost more than running them.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connections, models
from django.db.models import F, FloatField, IntegerField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .. import types
from . import backends
from .documents import START, STOP, exact_boost, exact_name_q
from .parser import (
    MAX_PREFIX_TERMS,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    MAX_WORDS,
    ParsedQuery,
    as_parsed,
    blanked,
    checked,
    filled,
)


def search_queryset(queryset, query):
    """
    The rows of ``queryset`` matching ``query``, annotated with ``search_rank``
    (higher is better), best first.
    """
    parsed = as_parsed(query)
    if not parsed:
        return queryset
    backend = backends.backend_for(connections[queryset.db])
    queryset = backend.search(queryset, parsed)
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return queryset.order_by(F("search_rank").desc(), *ordering, "pk")


def filter_queryset(queryset, query):
    """
    Narrow ``queryset`` to the records that match ``query``, best first: a
    FilterSet's ``sort`` applied afterwards replaces the order. An empty or
    punctuation-only query leaves the queryset as it is.
    """
    return search_queryset(queryset, query)


def highlight(text) -> SafeString:
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


# The results page counts each type's matches up to this many, then says
# "more than 1,000" (the lists linked from it count them all), and ranks at
# most one more: the most recently updated matches, and any whose name is the
# query. Below the cap every match is ranked, as in the lists.
COUNT_CAP = 1000


@dataclass
class Group:
    """One record type's hits on the results page; ``count`` stops at ``cap + 1``."""

    record_type: types.RecordType
    hits: list[Hit]
    count: int
    cap: int | None = None

    @property
    def capped(self):
        """More matches than were counted: the count is a lower bound."""
        return self.cap is not None and self.count > self.cap

    @property
    def count_text(self):
        return f"more than {self.cap:,}" if self.capped else str(self.count)

    @property
    def label(self):
        return self.record_type.title

    @property
    def model_name(self):
        return self.record_type.model_name

    @property
    def list_url_name(self):
        return self.record_type.url_name

    @property
    def noun(self):
        return self.record_type.noun if self.count == 1 else self.record_type.noun_plural

    @property
    def more(self):
        return self.capped or self.count > len(self.hits)


@dataclass
class Results:
    query: ParsedQuery
    groups: list[Group] = field(default_factory=list)
    max_length = MAX_QUERY_LENGTH
    max_words = MAX_WORDS
    max_terms = MAX_TERMS
    max_prefix_terms = MAX_PREFIX_TERMS
    count_cap: int = COUNT_CAP

    @property
    def count_cap_text(self):
        return f"{self.count_cap:,}"

    @property
    def total(self):
        return sum(g.count for g in self.groups)

    @property
    def capped(self):
        return any(g.capped for g in self.groups)

    @property
    def total_text(self):
        """The number of results in words: "more than 2,003" when a type's count was cut."""
        if not self.capped:
            return str(self.total)
        return f"more than {sum(g.cap if g.capped else g.count for g in self.groups):,}"

    @property
    def found(self):
        return [g for g in self.groups if g.count]


@lru_cache(maxsize=256)
def top_statement(model, backend, using, shape, size, limit):
    """
    The SQL and parameters (with placeholders) of ``top_matches`` for one
    query shape, built by the ORM once: building and compiling the search
    expressions of seven record types cost more than running them.

    The pool, computed once (a CTE) and both counted and ranked: the ``size``
    newest matches (``backend.recent``) and the rows named exactly as the
    query, each through its own index.
    """
    # Unordered: the pool is a set (its own order, if any, is the backend's).
    published = model.objects.published().using(using).order_by()
    pool = [("search_recent", backend.recent(published, shape, size))]
    exact = exact_name_q(model, shape)
    if exact is not None:
        named = published.filter(exact)
        if shape.excluded:
            named = backend.filter(named, ParsedQuery(excluded=shape.excluded))
        pool.append(("search_named", backend.named(named, shape)))
    ctes, params = [], []
    for name, queryset in pool:
        sql, sql_params = queryset.query.sql_with_params()
        ctes.append(f"{name}(pk, search_rank) AS ({sql})")
        params += sql_params
    union = "SELECT pk, search_rank FROM search_recent"
    if len(pool) > 1:
        # A row both recent and named keeps its text rank.
        union += (
            " UNION ALL SELECT pk, search_rank FROM search_named"
            " WHERE pk NOT IN (SELECT pk FROM search_recent)"
        )
    ctes.append(f"search_pool(pk, search_rank) AS ({union})")
    connection = connections[using]
    qn = connection.ops.quote_name
    rows = model._base_manager.using(using).extra(
        tables=["search_pool"],
        where=[f"search_pool.pk = {qn(model._meta.db_table)}.{qn(model._meta.pk.column)}"],
    )
    ordering = model._meta.ordering
    best = (
        rows.annotate(
            search_rank=RawSQL("search_pool.search_rank", (), output_field=FloatField())
            + exact_boost(model, shape),
            search_total=RawSQL(
                "SELECT COUNT(*) FROM search_pool", (), output_field=IntegerField()
            ),
        )
        .order_by(F("search_rank").desc(), *ordering, "pk")
        .values_list("pk", "search_total")[:limit]
    )
    sql, sql_params = best.query.sql_with_params()
    sql = f"WITH {', '.join(ctes)} {sql}"
    return checked(sql), (*params, *sql_params)


def top_sql(model, parsed, *, size, limit, using):
    """``top_matches``' statement and parameters: its shape's, the words filled in."""
    shape, words = blanked(parsed)
    backend = backends.backend_for(connections[using])
    sql, template = top_statement(model, backend, using, shape, size, limit)
    return sql, filled(template, words)


def pool_size(count_cap):
    """The pool holds every match up to the cap and one more, so its size is the capped count."""
    return count_cap + 1


def top_matches(model, parsed, *, size, limit, using):
    """
    ``[(pk, count)]``: the ``limit`` best published matches of ``parsed``
    among the pool (``top_statement``), and how many rows the pool holds,
    in one statement.
    """
    sql, params = top_sql(model, parsed, size=size, limit=limit, using=using)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def search_all(query, *, limit_per_type=20, count_cap=None) -> Results:
    """
    The results page: per record type, the ``limit_per_type`` best published
    records with their matching text, and how many match (up to
    ``count_cap``, then "more than"): per type one query for the best keys
    and the count, and one reading those rows when there are any. A query of
    exclusions alone finds nothing here.
    """
    parsed = as_parsed(query)
    count_cap = count_cap or COUNT_CAP
    results = Results(parsed, count_cap=count_cap)
    if not parsed.groups:
        return results
    for record_type in types.RECORD_TYPES:
        # Any: every record model's manager has ``published()`` (a RecordQuerySet),
        # which django-stubs cannot know of ``type[Model]``.
        model: Any = record_type.model
        published = model.objects.published()
        # The database the router reads from (a replica for public pages).
        using = published.db
        backend = backends.backend_for(connections[using])
        # The pool holds every match up to the cap and one more, so its size
        # is the capped count. (Not a window function: FTS5's bm25() refuses
        # to run beside one.) The best rows' keys and the count first, in one
        # narrow query; then
        # only those rows are read whole, with their related records and
        # snippets. Joining and highlighting every match of a common word
        # before keeping twenty cost a second at national scale; building the
        # snippets' query for a type with no match cost time for nothing.
        top = top_matches(
            model, parsed, size=pool_size(count_cap), limit=limit_per_type, using=using
        )
        hits = []
        if top:
            pks = [pk for pk, _total in top]
            queryset = published.filter(pk__in=pks)
            if hasattr(queryset, "for_display"):
                queryset = queryset.for_display()
            # In the order ``top`` ranked them; no second ranking.
            rows = {row.pk: row for row in backend.snippets(queryset, parsed, pks)}
            hits = [Hit(rows[pk], highlight(rows[pk].search_snippet)) for pk in pks if pk in rows]
        count = top[0][1] if top else 0
        results.groups.append(Group(record_type, hits, count, count_cap))
    return results


#: Queries whose statements a web process builds before it serves
#: (``compile_common_shapes``): one, two and three plain words, the shapes of
#: most searches. The words do not matter, only their number.
COMMON_QUERIES = ("one", "one two", "one two three")


def compile_common_shapes(*, limit_per_type=20, count_cap=None):
    """
    Build (``top_statement``) the statements of ``COMMON_QUERIES`` for every
    record type, without running them. gunicorn's master does it before it
    forks the workers (``gunicorn.conf.py``), so a worker new after
    ``max_requests`` answers its first search without building them (about
    100 ms of CPU that otherwise lands on a visitor). Same arguments as the
    results page's ``search_all``.
    """
    size = pool_size(count_cap or COUNT_CAP)
    for text in COMMON_QUERIES:
        for record_type in types.RECORD_TYPES:
            model: Any = record_type.model
            using = model.objects.published().db
            top_sql(model, as_parsed(text), size=size, limit=limit_per_type, using=using)
