from django.urls import path, register_converter

from . import bulk, changes, suggestions, views
from .filters import LISTS

app_name = "registry"

register_converter(changes.RecordTypeConverter, "record_type")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("methodology/", views.MethodologyView.as_view(), name="methodology"),
    path("search/", views.search_view, name="search"),
    # Lists and record pages, one pair per record type.
    path("agencies/", views.RecordListView.as_view(spec=LISTS["agencies"]), name="agency-list"),
    path("agencies/<slug:slug>/", views.AgencyDetailView.as_view(), name="agency-detail"),
    path(
        "deployments/",
        views.RecordListView.as_view(spec=LISTS["deployments"]),
        name="deployment-list",
    ),
    path(
        "deployments/<slug:slug>/",
        views.DeploymentDetailView.as_view(),
        name="deployment-detail",
    ),
    path("systems/", views.RecordListView.as_view(spec=LISTS["systems"]), name="system-list"),
    path("systems/<slug:slug>/", views.SystemDetailView.as_view(), name="system-detail"),
    path("vendors/", views.RecordListView.as_view(spec=LISTS["vendors"]), name="vendor-list"),
    path("vendors/<slug:slug>/", views.VendorDetailView.as_view(), name="vendor-detail"),
    path("audits/", views.RecordListView.as_view(spec=LISTS["audits"]), name="audit-list"),
    path("audits/<slug:slug>/", views.AuditDetailView.as_view(), name="audit-detail"),
    path("policies/", views.RecordListView.as_view(spec=LISTS["policies"]), name="policy-list"),
    path("policies/<slug:slug>/", views.PolicyDetailView.as_view(), name="policy-detail"),
    path("sources/", views.RecordListView.as_view(spec=LISTS["sources"]), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    # Other pages append their routes below.
    # Curation: suggestions, public history and its Atom feeds.
    path("suggest/", suggestions.suggest, name="suggest"),
    path("suggest/done/<str:token>/", suggestions.suggest_done, name="suggest-done"),
    path("changes/", changes.changes_list, name="changes"),
    path("changes/feed/", changes.ChangesFeed(), name="changes-feed"),
    path(
        "<record_type:type>/<slug:slug>/history/",
        changes.record_history,
        name="record-history",
    ),
    path(
        "<record_type:type>/<slug:slug>/history/feed/",
        changes.RecordHistoryFeed(),
        name="record-history-feed",
    ),
    # Bulk data: the whole published register, its licence and how to cite it.
    path("data/", bulk.data_page, name="data"),
    path("data/registry.json", bulk.registry_json_download, name="data-json"),
    path("data/registry-csv.zip", bulk.registry_csv_download, name="data-csv-zip"),
]
