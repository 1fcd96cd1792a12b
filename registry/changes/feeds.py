"""
The public history as Atom: /changes/feed/ (``?type=`` too) and one record's
/<type>/<slug>/history/feed/, the same changes as the pages.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from ..types import by_model_name
from .selector import history_url, public_changes
from .views import ChangesFilterForm, public_record

FEED_LENGTH = 50


class ChangesFeed(Feed):
    """/changes/feed/: the same changes as /changes/ (``?type=`` too), as Atom."""

    feed_type = Atom1Feed
    description_template = "registry/changes_feed_entry.html"

    def get_object(self, request, *args, **kwargs):
        form = ChangesFilterForm(request.GET)
        # An unknown type is not a 500 and not silently "all": it is not found.
        if not form.is_valid():
            raise Http404("Unknown record type.")
        return form.cleaned_data["type"] or None

    def title(self, chosen):
        if chosen:
            plural = by_model_name(chosen).noun_plural
            return f"{settings.REGISTER_NAME}: changes to {plural}"
        return f"{settings.REGISTER_NAME}: recent changes"

    def subtitle(self, chosen):
        return "Published changes to the register's public records."

    def link(self, chosen):
        url = reverse("registry:changes")
        return f"{url}?type={chosen}" if chosen else url

    def items(self, chosen):
        return public_changes(types=[chosen] if chosen else None)[:FEED_LENGTH]

    def item_title(self, change):
        return f"{change.event_label}: {change.type_label} “{change.record}”"

    def item_link(self, change):
        return change.get_absolute_url()

    def item_pubdate(self, change):
        return change.date

    def item_updateddate(self, change):
        return change.date


class RecordHistoryFeed(ChangesFeed):
    """/<type>/<slug>/history/feed/: one record's public changes, as Atom."""

    def get_object(self, request, type, slug):
        return public_record(type, slug)

    def title(self, record):
        return f"{settings.REGISTER_NAME}: changes to {record}"

    def subtitle(self, record):
        return f"Published changes to the {record._meta.verbose_name} “{record}”."

    def link(self, record):
        return history_url(record)

    def items(self, record):
        return public_changes(record=record)[:FEED_LENGTH]
