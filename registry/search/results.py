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
from django.db.models import F, IntegerField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .. import types
from . import backends
from .documents import START, STOP
from .parser import MAX_PREFIX_TERMS, MAX_QUERY_LENGTH, MAX_TERMS, MAX_WORDS, ParsedQuery, as_parsed


def search_queryset(queryset, query, *, snippets=False):
    """
    The rows of ``queryset`` matching ``query``, annotated with ``search_rank``
    (higher is better) and, with ``snippets``, ``search_snippet`` (raw text with
    START/STOP marks: show it through ``highlight()``), best first.
    """
    parsed = as_parsed(query)
    if not parsed:
        return queryset
    backend = backends.backend_for(connections[queryset.db])
    queryset = backend.search(queryset, parsed, snippets=snippets)
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return queryset.order_by(F("search_rank").desc(), *ordering, "pk")


def count_matching(queryset, parsed):
    """
    How many rows of ``queryset`` match, as an expression computed once per
    query (an uncorrelated subquery), so a page of hits carries its total.
    """
    backend = backends.backend_for(connections[queryset.db])
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


@dataclass
class Group:
    """One record type's hits on the results page."""

    record_type: types.RecordType
    hits: list[Hit]
    count: int

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
    parsed = as_parsed(query)
    results = Results(parsed)
    if not parsed.groups:
        return results
    for record_type in types.RECORD_TYPES:
        # Any: every record model's manager has ``published()`` (a RecordQuerySet),
        # which django-stubs cannot know of ``type[Model]``.
        model: Any = record_type.model
        queryset = model.objects.published()
        if hasattr(queryset, "for_display"):
            queryset = queryset.for_display()
        queryset = search_queryset(queryset, parsed, snippets=True).annotate(
            search_total=count_matching(model.objects.published(), parsed)
        )
        rows = list(queryset[:limit_per_type])
        hits = [Hit(row, highlight(row.search_snippet)) for row in rows]
        results.groups.append(Group(record_type, hits, rows[0].search_total if rows else 0))
    return results
