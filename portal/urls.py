from django.contrib import admin
from django.urls import include, path

from registry import federal_admin

urlpatterns = [
    path(
        "admin/federal-import/",
        admin.site.admin_view(federal_admin.import_view),
        name="federal-import",
    ),
    path("admin/", admin.site.urls),
    path("api/", include("registry.api.urls")),
    path("", include("registry.urls")),
]
