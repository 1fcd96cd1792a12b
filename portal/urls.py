from django.contrib import admin
from django.urls import include, path

from registry.admin import imports

urlpatterns = [
    *imports.urlpatterns(),
    path("admin/", admin.site.urls),
    path("api/", include("registry.api.urls")),
    path("", include("registry.urls")),
]
