"""``/api/``: the documentation page; ``/api/v1/``: the API, its root and its schema."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .. import types
from . import docs, schema, views

app_name = "api"

router = SimpleRouter()
for name, spec in types.TYPES.items():
    router.register(name, views.VIEWSETS[name], basename=spec.model_name)

urlpatterns = [
    path("", docs.api_docs, name="docs"),
    path("v1/", views.ApiRootView.as_view(), name="root"),
    path("v1/schema/", schema.SchemaView.as_view(), name="schema"),
    path("v1/", include(router.urls)),
]
