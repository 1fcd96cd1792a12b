"""
``/api/v1/schema/``: the OpenAPI schema, with its query parameters checked.

drf-spectacular copies ``?version=`` into ``info.version`` and into the
``Content-Disposition`` header: a newline there was a 500 (``BadHeaderError``,
or a gunicorn ``InvalidResponseHeader`` Django never saw), a quote let a
visitor add header parameters, and ``?version=99`` rewrote the version of the
schema (issue 12, item 3). Only the versions the API has are accepted; any
other value is a 400 and is never echoed.
"""

from django.conf import settings
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

# The API versions that exist: the one of the SPECTACULAR_SETTINGS and the URL.
KNOWN_VERSIONS = frozenset({str(settings.SPECTACULAR_SETTINGS["VERSION"])})
KNOWN_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


class SchemaView(SpectacularAPIView):
    """The schema; ``version`` and ``lang`` may only name what exists."""

    @extend_schema(exclude=True)  # the schema does not describe itself
    def get(self, request, *args, **kwargs):
        version = request.GET.get("version")
        if version is not None and version not in KNOWN_VERSIONS:
            known = ", ".join(sorted(KNOWN_VERSIONS))
            return JsonResponse(
                {"detail": f"Unknown version. Known versions: {known}."}, status=400
            )
        lang = request.GET.get("lang")
        if lang is not None and lang not in KNOWN_LANGUAGES:
            return JsonResponse({"detail": "Unknown language."}, status=400)
        return super().get(request, *args, **kwargs)

    def _get_version_parameter(self, request):
        # The schema describes the API as it is: a known version changes nothing.
        return None
