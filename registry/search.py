"""
Search over the register's records.

`filter_queryset(queryset, query)` narrows any record queryset by a reader's
query; FilterSets call it for `q=`. (First version: names and titles; the
full-text version with ranking replaces the body, not the signature.)
"""

from django.db.models import Q

# The text fields searched for each model, most important first.
SEARCH_FIELDS = {
    "source": ("title", "publisher"),
    "vendor": ("name",),
    "system": ("name", "vendor__name", "description"),
    "agency": ("name", "acronym", "locality"),
    "deployment": ("agency__name", "agency__acronym", "system__name", "description"),
    "audit": ("auditor", "system__name", "summary"),
    "policy": ("title", "issuer", "locality", "summary"),
}

MAX_QUERY_LENGTH = 200


def filter_queryset(queryset, query: str):
    terms = (query or "")[:MAX_QUERY_LENGTH].split()
    if not terms:
        return queryset
    fields = SEARCH_FIELDS[queryset.model._meta.model_name]
    for term in terms:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset
