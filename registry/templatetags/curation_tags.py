"""Template helpers for curation: a record's recent public history, and "Suggest a correction"."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from ..changes import history_feed_url, history_url, public_changes
from ..suggestions import suggest_query

register = template.Library()


@register.inclusion_tag("registry/_history.html")
def record_history(record, limit=5):
    """
    ``{% record_history record limit=5 %}``: the record's latest public changes,
    with links to its full history and its Atom feed. A constant number of
    queries, whatever the limit.
    """
    changes = public_changes(record=record)[: int(limit) + 1]
    return {
        "record": record,
        "changes": changes[: int(limit)],
        "more": len(changes) > int(limit),
        "history_url": history_url(record),
        "feed_url": history_feed_url(record),
    }


@register.simple_tag
def suggest_url(record=None):
    """``{% suggest_url record %}``: /suggest/, prefilled with the record concerned."""
    url = reverse("registry:suggest")
    if record is None:
        return url
    return f"{url}?{urlencode({'record': suggest_query(record)})}"


@register.filter
def verbose_name_of(record):
    """``{{ record|verbose_name_of }}`` → "agency"."""
    return record._meta.verbose_name if record is not None else ""
