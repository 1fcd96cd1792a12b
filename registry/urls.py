"""The public site's routes: pages, one list and one record page per record type, history, data."""

from django.urls import path, register_converter

from . import bulk, place_views, places, suggestions, types, views
from .changes import feeds as change_feeds
from .changes import views as change_views

app_name = "registry"

register_converter(types.RecordTypeConverter, "record_type")
register_converter(places.PlaceKeyConverter, "place")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("methodology/", views.MethodologyView.as_view(), name="methodology"),
    path("search/", views.search_view, name="search"),
    # Lists and record pages, one pair per record type.
    *(
        route
        for record_type in types.RECORD_TYPES
        for route in (
            path(
                f"{record_type.segment}/",
                views.RecordListView.as_view(spec=record_type),
                name=f"{record_type.model_name}-list",
            ),
            path(
                f"{record_type.segment}/<slug:slug>/",
                views.detail_view(record_type),
                name=f"{record_type.model_name}-detail",
            ),
        )
    ),
    # Curation: suggestions, public history and its Atom feeds.
    path("suggest/", suggestions.suggest, name="suggest"),
    path("suggest/done/<str:token>/", suggestions.suggest_done, name="suggest-done"),
    path("changes/", change_views.changes_list, name="changes"),
    path("changes/feed/", change_feeds.ChangesFeed(), name="changes-feed"),
    path(
        "<record_type:type>/<slug:slug>/history/",
        change_views.record_history,
        name="record-history",
    ),
    path(
        "<record_type:type>/<slug:slug>/history/feed/",
        change_feeds.RecordHistoryFeed(),
        name="record-history-feed",
    ),
    # Bulk data: the whole published register, its licence and how to cite it.
    path("data/", bulk.data_page, name="data"),
    path("data/registry.json", bulk.registry_json_download, name="data-json"),
    path("data/registry-csv.zip", bulk.registry_csv_download, name="data-csv-zip"),
    # Places: countries, regions and localities, with maps, charts and scorecards.
    path("places/", place_views.places_index, name="places"),
    path("places/<place:key>/feed/", place_views.PlaceFeed(), name="place-feed"),
    path("places/<place:key>/", place_views.place_page, name="place"),
    path(
        "agencies/<slug:slug>/scorecard/",
        place_views.agency_scorecard,
        name="agency-scorecard",
    ),
]
