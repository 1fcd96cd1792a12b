"""
The API's query string: the FilterSets of the HTML lists, unchanged.

`RegisterFilterBackend` selects an endpoint's rows through the list's
``listing.ListPage``, as the HTML list and its exports do, and turns
its errors into a 400 that names each bad parameter and the values it
accepts (what the HTML list shows above its table). `RegisterFilterExtension`
describes each filter in the OpenAPI schema from the filter itself (its
vocabulary, pattern or range), so the schema cannot drift from the code.
"""

import django_filters as df
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException

from .. import filters as register_filters
from .. import types
from ..format import SLUG_PATTERN
from ..listing import ListPage


class BadQuery(APIException):
    """Some query parameters could not be used: nothing is returned until they are fixed."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Some query parameters could not be used."
    default_code = "bad_query"

    def __init__(self, problems):
        super().__init__()
        # Set after __init__: DRF would turn ``accepted: None`` into the string "None".
        self.detail = {"detail": str(self.default_detail), "errors": problems}


class RegisterFilterBackend(DjangoFilterBackend):
    """
    The rows of the view's list (``ListPage``), as the HTML list has them; bad
    parameters are a 400. (A ``DjangoFilterBackend`` still, for the schema.)
    """

    def filter_queryset(self, request, queryset, view):
        # PostgreSQL refuses text with NUL bytes: a parameter holding one could
        # never match, and would otherwise reach the database as an error.
        with_nul = [
            name
            for name, values in request.query_params.lists()
            if any("\x00" in v for v in values)
        ]
        if with_nul:
            raise BadQuery(
                [
                    {
                        "param": name,
                        "messages": ["Null characters are not allowed."],
                        "accepted": None,
                        "hint": "",
                    }
                    for name in with_nul
                ]
            )
        page = ListPage(
            types.TYPES[view.list_name], request.query_params, request=request, queryset=queryset
        )
        if not page.valid:
            raise BadQuery(page.problems)
        return page.rows


# The schema ----------------------------------------------------------------


def _choice_list(choices):
    return "; ".join(f"`{value}`: {label}" for value, label in choices if value != "")


def filter_parameter_schema(filter_field):
    """
    ``(schema, many, explode, note)`` for one filter of a FilterSet: what
    values it accepts, whether it takes several, and how they are written.
    """
    if isinstance(filter_field, df.OrderingFilter):
        values = [value for value, _label in filter_field.extra["choices"]]
        note = "Several sort keys may be given, separated by commas; `-` before a key reverses it."
        return {"type": "string", "enum": values}, True, False, note
    if isinstance(filter_field, register_filters.YesNoFilter):
        return {"type": "string", "enum": ["true", "false"]}, False, None, ""
    if isinstance(filter_field, register_filters.PatternFilter):
        pattern = filter_field.extra.get("pattern")
        if pattern is not None:
            item = {"type": "string", "pattern": pattern.pattern}
        else:
            item = {"type": "string", "minLength": 1, "maxLength": 300}
        return item, True, True, ""
    if isinstance(filter_field, df.ModelMultipleChoiceFilter):
        return {"type": "string", "pattern": SLUG_PATTERN}, True, True, ""
    if isinstance(filter_field, df.ModelChoiceFilter):
        return {"type": "string", "pattern": SLUG_PATTERN}, False, None, ""
    if isinstance(filter_field, df.MultipleChoiceFilter):
        choices = filter_field.extra["choices"]
        values = [value for value, _label in choices]
        return {"type": "string", "enum": values}, True, True, _choice_list(choices)
    if isinstance(filter_field, register_filters.YearFromFilter | register_filters.YearToFilter):
        return (
            {
                "type": "integer",
                "minimum": register_filters.FIRST_YEAR,
                "maximum": register_filters.LAST_YEAR,
            },
            False,
            None,
            "",
        )
    if isinstance(filter_field, df.CharFilter):
        max_length = filter_field.extra.get("max_length")
        schema = {"type": "string"}
        if max_length:
            schema["maxLength"] = max_length
        return schema, False, None, ""
    return None


class RegisterFilterExtension(DjangoFilterExtension):
    """Parameters of the register's FilterSets, described from the filters themselves."""

    target_class = "registry.api.filtering.RegisterFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        described = filter_parameter_schema(filter_field)
        if described is None:  # pragma: no cover - a filter kind the register does not use
            return super().resolve_filter_field(
                auto_schema, model, filterset_class, field_name, filter_field
            )
        schema, many, explode, note = described
        parts = [f"{filter_field.label or field_name}."]
        hint = register_filters.hint(filter_field)
        if hint:
            parts.append(f"Expected {hint}.")
        if many and explode:
            parts.append(f"Repeat it for several values (OR): `{field_name}=a&{field_name}=b`.")
        description = " ".join(parts)
        if note:  # after a blank line: the docs page shows the values itself
            description += f"\n\n{note}"
        if many:
            schema = {"type": "array", "items": schema}
        return [
            build_parameter_type(
                name=field_name,
                location=OpenApiParameter.QUERY,
                schema=schema,
                required=False,
                description=description,
                explode=explode if many else None,
                style="form" if many else None,
            )
        ]
