"""The site's URLs: the admin, the API and the register (``registry.urls``)."""

from django.contrib import admin
from django.urls import include, path

from registry import twofactor
from registry.admin import imports

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(".well-known/security.txt", health.security_txt, name="security-txt"),
    *imports.urlpatterns(),
    # Two-factor sign-in for staff (registry/twofactor.py), before the admin's catch-all.
    path("admin/two-factor/", twofactor.verify_view, name="two-factor-verify"),
    path("admin/two-factor/set-up/", twofactor.enrol_view, name="two-factor-enrol"),
    path("admin/", admin.site.urls),
    path("api/", include("registry.api.urls")),
    path("", include("registry.urls")),
]

# A busy database is a 503 even when it is met outside a view (portal/views.py).
handler500 = "portal.views.server_error"
