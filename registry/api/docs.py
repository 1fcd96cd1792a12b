"""
The API's documentation page, generated from its OpenAPI schema.

Endpoints, parameters with the values they accept, and fields with their
types come from the same schema that ``/api/v1/schema/`` serves (which is
generated from the serializers and FilterSets), so the page cannot fall
behind the code. Server-rendered, no script, nothing from third parties.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from .. import types
from ..format import COUNTRY_PATTERN, PARTIAL_DATE_PATTERN, REGION_PATTERN, SLUG_PATTERN
from .views import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


@functools.cache
def api_schema():
    """The OpenAPI document, as ``/api/v1/schema/`` serves it (it only changes with the code)."""
    return SchemaGenerator().get_schema(request=None, public=True)


PATTERN_WORDS = {
    SLUG_PATTERN: "a record id",
    COUNTRY_PATTERN: "a two-letter code",
    REGION_PATTERN: "an ISO 3166-2 code",
}


@dataclass(frozen=True)
class TypeInfo:
    words: str
    values: tuple = ()
    nullable: bool = False


def _strip_choice_list(description):
    """Values and their labels follow a blank line; the page lists the values itself."""
    return (description or "").split("\n\n")[0].strip()


def describe(schema, components):
    """A property's type in words, the values it may take, and whether it may be null."""
    nullable = bool(schema.get("nullable"))
    for key in ("allOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("$ref", "").split("/")[-1] != "NullEnum"]
            if len(options) == 1:
                inner = describe(options[0], components)
                return TypeInfo(inner.words, inner.values, nullable or inner.nullable)
            words = " or ".join(describe(s, components).words for s in options)
            return TypeInfo(words, (), nullable)
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        target = components[name]
        if "enum" in target:
            return TypeInfo("one of", tuple(v for v in target["enum"] if v), nullable)
        if name == "RecordRef":
            return TypeInfo("related record {id, name, api_url}", (), nullable)
        return describe(target, components)
    kind = schema.get("type")
    if kind == "array":
        inner = describe(schema["items"], components)
        words = "list of values, each one of" if inner.values else f"list of {inner.words}"
        if inner.words.startswith("related record"):
            words = "list of related records {id, name, api_url}"
        elif schema["items"].get("type") == "object":
            words = "list of objects"
        return TypeInfo(words, inner.values, nullable)
    if kind == "string":
        if "enum" in schema:
            return TypeInfo("one of", tuple(schema["enum"]), nullable)
        fmt = schema.get("format")
        if fmt == "uri":
            return TypeInfo("URL", (), nullable)
        if fmt == "date":
            return TypeInfo("date (YYYY-MM-DD)", (), nullable)
        if fmt == "date-time":
            return TypeInfo("date and time (ISO 8601, UTC)", (), nullable)
        if schema.get("pattern") == PARTIAL_DATE_PATTERN:
            return TypeInfo("partial date (YYYY, YYYY-MM or YYYY-MM-DD)", (), nullable)
        if "pattern" in schema:
            words = PATTERN_WORDS.get(schema["pattern"], f"text matching {schema['pattern']}")
            return TypeInfo(words, (), nullable)
        if "maxLength" in schema:
            return TypeInfo(f"text, up to {schema['maxLength']} characters", (), nullable)
        return TypeInfo("text", (), nullable)
    if kind == "integer":
        if "minimum" in schema:
            return TypeInfo(
                f"whole number, {schema['minimum']} to {schema['maximum']}", (), nullable
            )
        return TypeInfo("whole number", (), nullable)
    if kind == "number":
        return TypeInfo("number", (), nullable)
    if kind == "boolean":
        return TypeInfo("true or false", (), nullable)
    if kind == "object":
        return TypeInfo("object", (), nullable)
    return TypeInfo("any", (), nullable)


@dataclass(frozen=True)
class Row:
    name: str
    type: TypeInfo
    description: str
    several: bool = False


def endpoint_docs(name, schema):
    """What the page says about one list: its URLs, parameters and fields."""
    spec = types.TYPES[name]
    components = schema["components"]["schemas"]
    list_path = reverse(spec.api_url_name)
    operation = schema["paths"][list_path]["get"]
    parameters = []
    for parameter in operation["parameters"]:
        several = parameter["schema"].get("type") == "array"
        accepts = parameter["schema"]["items"] if several else parameter["schema"]
        parameters.append(
            Row(
                parameter["name"],
                describe(accepts, components),
                _strip_choice_list(parameter.get("description")),
                several=several,
            )
        )
    record = components[spec.model.__name__]
    fields = [
        Row(field, describe(prop, components), _strip_choice_list(prop.get("description")))
        for field, prop in record["properties"].items()
    ]
    example = spec.example_query
    return {
        "name": name,
        "spec": spec,
        "list_path": list_path,
        "detail_path": f"{list_path}{{id}}/",
        "html_path": reverse(spec.url_name),
        "example_path": f"{list_path}?{example}",
        "example_html_path": f"{reverse(spec.url_name)}?{example}",
        "parameters": parameters,
        "fields": fields,
    }


def api_docs(request):
    schema = api_schema()
    return render(
        request,
        "registry/api_docs.html",
        {
            "endpoints": [endpoint_docs(name, schema) for name in types.TYPES],
            "root_path": reverse("api:root"),
            "schema_path": reverse("api:schema"),
            "default_page_size": DEFAULT_PAGE_SIZE,
            "max_page_size": MAX_PAGE_SIZE,
            "version": settings.SPECTACULAR_SETTINGS["VERSION"],
        },
    )
