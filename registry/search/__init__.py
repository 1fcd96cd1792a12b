"""
Full-text search over the register's records.

One API for every database:

- ``parse_query(text)`` reads a reader's query once, in web-search syntax
  (``parser``);
- ``filter_queryset(queryset, query)`` narrows any record queryset to the rows
  that match, best first (the lists' ``q=`` filter), and ``search_all(query)``
  gives the results page (``results``);
- ``deferred_indexing()``, ``refresh_index()`` and ``rebuild_index()`` keep the
  index fresh (``index``); the ``post_save``/``post_delete`` receivers that call
  them live with the others in ``registry.signals``.

The modules, in the order they depend on each other:

- ``parser``: the query language (terms, groups, exclusions, limits);
- ``documents``: what is indexed for each record type (its weighted texts,
  which records' texts include another's) and the match marks in snippets;
- ``backends``: one module per database (``postgres``: a weighted
  ``tsvector`` column; ``fts5``: SQLite FTS5 tables; ``contains``: ``icontains``
  anywhere else), chosen per connection by ``backends.backend_for``;
- ``results``: searching a queryset, the results page, highlighting;
- ``index``: keeping the index fresh, building and dropping it.

The names below are the package's public API; callers import them from
``registry.search``.
"""

from .backends import backend_for
from .index import deferred_indexing, install, rebuild_index, refresh_index, uninstall
from .parser import (
    MAX_PREFIX_TERMS,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    MAX_WORDS,
    ParsedQuery,
    Term,
    parse_query,
)
from .results import filter_queryset, highlight, search_all, search_queryset

__all__ = [
    "MAX_PREFIX_TERMS",
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "MAX_WORDS",
    "ParsedQuery",
    "Term",
    "backend_for",
    "deferred_indexing",
    "filter_queryset",
    "highlight",
    "install",
    "parse_query",
    "rebuild_index",
    "refresh_index",
    "search_all",
    "search_queryset",
    "uninstall",
]
