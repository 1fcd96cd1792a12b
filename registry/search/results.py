"""
Searching: a queryset narrowed and ranked by a query, and the results page.

``filter_queryset`` is the lists' ``q=`` filter; ``search_all`` gives the
search page, per record type the best published records with their matching
text; ``highlight`` turns a backend's marked snippet into safe HTML.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models
from django.db.models import F, IntegerField, Q
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .. import types
from . import backends
from .documents import START, STOP, exact_name_q
from .parser import MAX_PREFIX_TERMS, MAX_QUERY_LENGTH, MAX_TERMS, MAX_WORDS, ParsedQuery, as_parsed


def search_queryset(queryset, query, *, snippets=False, matched=False):
    """
    The rows of ``queryset`` matching ``query``, annotated with ``search_rank``
    (higher is better) and, with ``snippets``, ``search_snippet`` (raw text with
    START/STOP marks: show it through ``highlight()``), best first.
    ``matched``: every row of ``queryset`` is known to match (a backend may
    then skip the match).
    """
    parsed = as_parsed(query)
    if not parsed:
        return queryset
    backend = backends.backend_for(connections[queryset.db])
    queryset = backend.search(queryset, parsed, snippets=snippets, matched=matched)
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return queryset.order_by(F("search_rank").desc(), *ordering, "pk")


def count_rows(queryset):
    """How many rows ``queryset`` has, as an uncorrelated subquery (computed once)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) counted", params, output_field=IntegerField())


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


def ranked_pool(queryset, parsed, size):
    """
    The rows of ``queryset`` the results page ranks: its ``size`` most recently
    updated matches, and those named exactly as the query. Ranking is read
    from each match's whole text, so ranking every match of a word most
    records contain (“police”) means reading the whole register.
    """
    backend = backends.backend_for(connections[queryset.db])
    recent = backend.filter(queryset, parsed).order_by("-updated_at", "-pk").values("pk")[:size]
    exact = exact_name_q(queryset.model, parsed)
    if exact is not None:
        # Each set its own subquery (exact names through their UPPER() index
        # on PostgreSQL), so the ranking query reads only the pool's rows.
        rows = queryset.model._base_manager
        named = rows.filter(exact).values("pk")
        recent = rows.filter(Q(pk__in=recent) | Q(pk__in=named)).values("pk")
    return queryset.filter(pk__in=recent)


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
        # The pool holds every match up to the cap and one more, so its size
        # is the capped count. (Not a window function: FTS5's bm25() refuses
        # to run beside one.)
        pool = ranked_pool(published, parsed, count_cap + 1)
        best = search_queryset(pool, parsed, matched=True).annotate(search_total=count_rows(pool))
        # The best rows' keys and the count first, in one narrow query; then
        # only those rows are read whole, with their related records and
        # snippets. Joining and highlighting every match of a common word
        # before keeping twenty cost a second at national scale; building the
        # snippets' query for a type with no match cost time for nothing.
        top = list(best.values_list("pk", "search_total")[:limit_per_type])
        hits = []
        if top:
            queryset = published.filter(pk__in=[pk for pk, _total in top])
            if hasattr(queryset, "for_display"):
                queryset = queryset.for_display()
            rows = search_queryset(queryset, parsed, snippets=True)
            hits = [Hit(row, highlight(row.search_snippet)) for row in rows]
        count = top[0][1] if top else 0
        results.groups.append(Group(record_type, hits, count, count_cap))
    return results
