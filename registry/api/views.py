"""
Read-only endpoints, one per public list, and the API's root.

Each endpoint takes its rows and query string from its record type
(``registry/types.py``) and that type's FilterSet, so ``/api/v1/deployments/?uses=live`` returns the
rows of ``/deployments/?uses=live``. Responses carry an ETag and a
Last-Modified date taken from the register's version (``counts.register_state``:
one query, shared with the cached counts), so a client that revalidates gets a
304 without the list being built.
"""

import hashlib

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import counts, types
from ..format import SLUG_RE
from .filtering import RegisterFilterBackend
from .serializers import SERIALIZERS, with_related

# Bump when a response changes shape for the same data, so cached copies go stale.
REPRESENTATION_VERSION = "1"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class RegisterPagination(PageNumberPagination):
    """``page`` and ``page_size`` (default 50, at most 200); a page past the end is a 404."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = (
        f"Results per page: {DEFAULT_PAGE_SIZE} unless given, at most {MAX_PAGE_SIZE} "
        "(a larger value gives the maximum; a value that is not a positive whole number "
        "gives the default)."
    )
    page_query_description = "Page number, from 1; `last` for the last page."


# Conditional GET -------------------------------------------------------------


class ConditionalGetMixin:
    """
    ETag and Last-Modified on list and detail responses, and 304 Not Modified
    for a client whose copy is current, decided before any row is read.

    An endpoint whose responses depend on today's date (``in_force``) sets
    ``changes_daily``: its validators also change at midnight.
    """

    changes_daily = False

    def last_modified(self, request, *args, **kwargs):
        if self.changes_daily:
            return counts.changed_at_or_midnight()
        return counts.register_state().changed_at

    def etag(self, request, *args, **kwargs):
        parts = [
            REPRESENTATION_VERSION,
            request.build_absolute_uri(),  # bodies hold absolute URLs: the host matters
            counts.register_version(),
            timezone.localdate().isoformat() if self.changes_daily else "",
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        conditional = condition(etag_func=self.etag, last_modified_func=self.last_modified)
        response = conditional(super().dispatch)(request, *args, **kwargs)
        if response.status_code not in (200, 304):  # an error is not worth revalidating
            response.headers.pop("ETag", None)
            response.headers.pop("Last-Modified", None)
        return response


# Records ---------------------------------------------------------------------

ErrorSerializer = inline_serializer(
    "Error", {"detail": serializers.CharField(help_text="What went wrong.")}
)
BadQuerySerializer = inline_serializer(
    "BadQuery",
    {
        "detail": serializers.CharField(),
        "errors": inline_serializer(
            "BadParameter",
            {
                "param": serializers.CharField(help_text="The query parameter."),
                "messages": serializers.ListField(child=serializers.CharField()),
                "accepted": serializers.ListField(
                    child=serializers.CharField(),
                    allow_null=True,
                    help_text="The values it accepts, where they are a fixed list.",
                ),
                "hint": serializers.CharField(help_text="What it expects, in words."),
            },
            many=True,
        ),
    },
)
VALIDATOR_HEADERS = [
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="Send it back as If-None-Match to get a 304 if nothing changed.",
    ),
    OpenApiParameter(
        "Last-Modified",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="Send it back as If-Modified-Since to get a 304 if nothing changed.",
    ),
]


class RecordViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """One record type: its list (with the HTML list's filters) and its records by id."""

    list_name: str = None
    lookup_field = "slug"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"  # any id: an unknown one is a JSON 404, not an HTML page
    filter_backends = [RegisterFilterBackend]
    pagination_class = RegisterPagination

    def get_queryset(self):
        spec = types.TYPES[self.list_name]
        return with_related(self.list_name, spec.filterset_class.base_queryset())

    def get_object(self):
        noun = types.TYPES[self.list_name].noun
        not_found = NotFound(f"No published {noun} has the id “{self.kwargs['id']}”.")
        if not SLUG_RE.match(self.kwargs["id"]):
            raise not_found  # not an id at all: no need to ask the database
        try:
            return super().get_object()
        except Http404:
            raise not_found from None

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset  # a record's URL takes no filters
        filtered = super().filter_queryset(queryset)
        if not filtered.ordered:  # e.g. ``sort=,``: keep pages stable with the list's order
            default = queryset.query.order_by or queryset.model._meta.ordering
            filtered = filtered.order_by(*default, "pk")
        return filtered


def record_viewset(name):
    """The ViewSet of the public list ``name``, documented in the schema."""
    spec = types.TYPES[name]
    serializer = SERIALIZERS[name]
    viewset = type(
        f"{spec.model.__name__}ViewSet",
        (RecordViewSet,),
        {
            "__doc__": spec.description,
            "list_name": name,
            "filterset_class": spec.filterset_class,
            "serializer_class": serializer,
            "changes_daily": name == "policies",
        },
    )
    return extend_schema_view(
        list=extend_schema(
            tags=[name],
            summary=f"List {spec.noun_plural}",
            description=f"{spec.description} The same rows, filters, search (`q`) and "
            f"sort orders as the public list of {spec.noun_plural} on the website.",
            responses={
                200: serializer,
                400: OpenApiResponse(BadQuerySerializer, "A query parameter could not be used."),
                404: OpenApiResponse(ErrorSerializer, "No such page."),
            },
            parameters=VALIDATOR_HEADERS,
        ),
        retrieve=extend_schema(
            tags=[name],
            summary=f"One {spec.noun}",
            description=f"One published {spec.noun}, by its id.",
            parameters=[
                OpenApiParameter(
                    "id",
                    OpenApiTypes.STR,
                    OpenApiParameter.PATH,
                    description=f"The {spec.noun}'s id, e.g. from a list's `id`.",
                ),
                *VALIDATOR_HEADERS,
            ],
            responses={
                200: serializer,
                404: OpenApiResponse(ErrorSerializer, f"No published {spec.noun} has this id."),
            },
        ),
    )(viewset)


VIEWSETS = {name: record_viewset(name) for name in types.TYPES}


# Root ------------------------------------------------------------------------


class ApiRootView(APIView):
    """Where everything in the API is."""

    @extend_schema(
        summary="API root",
        description="The URL of each record type's list, of the schema and of the docs.",
        responses=inline_serializer(
            "ApiRoot",
            {
                **{name: serializers.URLField() for name in types.TYPES},
                "schema": serializers.URLField(help_text="This OpenAPI schema."),
                "docs": serializers.URLField(help_text="The API's documentation page."),
            },
        ),
    )
    def get(self, request):
        links = {name: reverse(spec.api_url_name) for name, spec in types.TYPES.items()}
        links["schema"] = reverse("api:schema")
        links["docs"] = reverse("api:docs")
        return Response({name: request.build_absolute_uri(path) for name, path in links.items()})
