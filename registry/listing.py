"""
A public list as asked for by one query string: ``ListPage(record_type, query)``.

The HTML list, its CSV/JSON exports and the API all start here, so one object
owns what they share: the bound FilterSet (rows and errors), the cache key of
the filters in force, the cached total, and, for the HTML page, the facets,
chips and summary sentence. Each is computed on first use, so an export never
counts facets and a 304 never builds a list.
"""

from functools import cached_property

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections

from . import counts, facets, tally


class ListPage:
    """One record type's list under one query string."""

    def __init__(self, record_type, query, *, request=None, queryset=None):
        # ``queryset``: the type's published rows with more loaded (the API's serializers).
        self.record_type = record_type
        self.filterset = record_type.filterset(query, request=request, queryset=queryset)

    @cached_property
    def valid(self) -> bool:
        return self.filterset.is_valid()

    @cached_property
    def problems(self) -> list[dict]:
        """Each bad parameter, its messages and what it accepts; empty when all are good."""
        return [] if self.valid else self.filterset.problems()

    @property
    def query(self):
        """The filters in force, empty values dropped: what every link must keep."""
        return self.filterset.data

    @cached_property
    def rows(self):
        """The matching published rows, in the list's order (none while the query is bad)."""
        return self.filterset.qs if self.valid else self.filterset.queryset.none()

    @cached_property
    def cache_question(self):
        """The filters in force as a cache key for counts (``counts.remembered``)."""
        return facets.filters_question(self.filterset)

    @cached_property
    def total(self) -> int:
        """How many rows match: counting them all is the costly part of paging, so it is kept."""
        if not self.valid:
            return 0
        return counts.remembered("total", self.cache_question, self._count)

    def _count(self) -> int:
        if not facets.active_values(self.filterset):
            # Every published row: the database may keep their number (``tally``).
            rows = self.rows
            kept = tally.published_count(rows.model, connections[rows.db])
            if kept is not None:
                return kept
        return self.rows.count()

    def paginate(self, number, *, per_page=None):
        """The page ``number`` of the rows (a bad or past-the-end number gives the nearest)."""
        paginator = Paginator(self.rows, per_page or settings.REGISTER_PAGE_SIZE)
        if self.valid:
            paginator.count = self.total
        return paginator.get_page(number)

    @cached_property
    def facets(self):
        return facets.facets_for(self.filterset)

    @cached_property
    def chips(self):
        return facets.chips_for(self.filterset)

    @cached_property
    def summary(self) -> str:
        if not self.valid:
            return ""
        return facets.summary_sentence(self.record_type, self.filterset, self.total)
