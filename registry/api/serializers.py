"""
The API's representation of each record type, built from the data format.

Every key of a record in `fr-registry/1` (``registry.format.SPEC``) is a field
of the same name here, so the API, the bulk download and the importer share one
vocabulary. Differences from the file format, all deliberate and documented on
the API page:

- every field is always present: a value the register does not have is
  ``null`` (``[]`` for lists), never left out, so the shape of a record is
  stable;
- ``state`` is left out: the API only ever returns published records;
- a related record is an object ``{"id", "name", "api_url"}`` rather than a
  bare id, and is ``null`` (or left out of a list) unless it is published;
- ``api_url``, ``html_url`` and ``last_updated`` are added to every record,
  the stored audit status to systems and deployments, ``in_force`` to policies.
"""

from django.core.validators import RegexValidator
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import choices, dates, types
from ..choices import PUBLISHED
from ..format import COUNTRY_PATTERN, PARTIAL_DATE_PATTERN, REGION_PATTERN, SPEC
from ..models import AuditStatusFields

PATTERNS = {
    "country": (COUNTRY_PATTERN, "ISO 3166-1 alpha-2 code, e.g. US."),
    "country_or_eu": (COUNTRY_PATTERN, "ISO 3166-1 alpha-2 code, or EU for European Union law."),
    "region": (REGION_PATTERN, "ISO 3166-2 code, e.g. US-CA."),
}


# Fields --------------------------------------------------------------------


class EmptyAsNullMixin:
    """An optional value: ``null`` when the register does not have it, never ``""``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)


class OptionalCharField(EmptyAsNullMixin, serializers.CharField):
    pass


class OptionalURLField(EmptyAsNullMixin, serializers.URLField):
    pass


class OptionalChoiceField(EmptyAsNullMixin, serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "pattern": PARTIAL_DATE_PATTERN, "example": "2019-05"})
class PartialDateField(serializers.Field):
    """
    A date known to the year, month or day, as ISO text at that precision
    (``2019``, ``2019-05``, ``2019-05-14``): never padded to a day not known.
    """

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        name = self.field_name
        return dates.to_iso(getattr(obj, name), getattr(obj, f"{name}_precision"))


@extend_schema_field(OpenApiTypes.URI)
class ApiURLField(serializers.Field):
    """The absolute URL of a record in this API."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        path = reverse(types.of(obj).api_detail_url_name, kwargs={"id": obj.slug})
        return self.context["request"].build_absolute_uri(path)


@extend_schema_field(OpenApiTypes.URI)
class HtmlURLField(serializers.Field):
    """The absolute URL of a record's public page."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


METRIC_SCHEMA = {
    "type": "object",
    "properties": {
        "metric": {"type": "string", "description": "e.g. false_match_rate"},
        "group": {"type": "string", "description": "The group the figure is for."},
        "value": {"type": "number"},
        "threshold": {
            "oneOf": [{"type": "string"}, {"type": "number"}],
            "description": "The match threshold the figure was measured at.",
        },
        "note": {"type": "string"},
    },
    "required": ["metric"],
}


@extend_schema_field({"type": "array", "items": METRIC_SCHEMA}, component_name="Metrics")
class MetricsField(serializers.JSONField):
    """The figures an audit measured, as stored (validated on import)."""


# Related records ---------------------------------------------------------


def ref_label(obj):
    """A related record's name, built only from what the public may see."""
    if hasattr(obj, "title"):
        return obj.title
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "agency"):  # a deployment: "agency: system", as its page says
        agency = obj.agency.name if obj.agency.state == PUBLISHED else "Agency not public"
        system = obj.system if obj.system_id else None
        if system is None or system.state != PUBLISHED:
            return f"{agency}: face recognition (system not public)"
        return f"{agency}: {system.name}"
    return obj.slug


class PublishedOnlyListSerializer(serializers.ListSerializer):
    """A list of related records, leaving out any that are not published."""

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        return [self.child.to_representation(item) for item in items if item.state == PUBLISHED]


class RecordRefSerializer(serializers.Serializer):
    """A related record: its id, its name and its URL in this API."""

    id = serializers.SlugField(source="slug", read_only=True, help_text="The record's id.")
    name = serializers.SerializerMethodField(help_text="Its name or title.")
    api_url = ApiURLField(help_text="The record in this API.")

    class Meta:
        list_serializer_class = PublishedOnlyListSerializer

    def get_name(self, obj) -> str:
        return ref_label(obj)

    def get_attribute(self, instance):
        related = super().get_attribute(instance)
        if related is not None and getattr(related, "state", PUBLISHED) != PUBLISHED:
            return None  # a draft or retracted record is not named, not even by id
        return related


# Records -------------------------------------------------------------------


def _help(model, key):
    name = "slug" if key == "id" else key
    return str(model._meta.get_field(name).help_text or "")


def _join(*parts):
    return " ".join(p for p in parts if p)


def _field(model, key, kind, *, required):
    """The serializer field for one key of the format."""
    help_text = _help(model, key)
    if key == "id":
        return serializers.CharField(source="slug", read_only=True, help_text=help_text)
    if kind == "str":
        cls = serializers.CharField if required else OptionalCharField
        return cls(read_only=True, help_text=help_text)
    if kind == "url":
        cls = serializers.URLField if required else OptionalURLField
        return cls(read_only=True, help_text=help_text)
    if kind in PATTERNS:
        pattern, default_help = PATTERNS[kind]
        cls = serializers.CharField if required else OptionalCharField
        return cls(
            read_only=True,
            help_text=help_text or default_help,
            validators=[RegexValidator(pattern)],
        )
    if kind == "regions":
        return serializers.ListField(
            child=serializers.RegexField(REGION_PATTERN),
            read_only=True,
            help_text=_join(help_text, "ISO 3166-2 codes; an empty list for national law."),
        )
    if kind == "date":
        return PartialDateField(
            help_text=_join(help_text, "A partial date: YYYY, YYYY-MM or YYYY-MM-DD.")
        )
    if kind == "day":
        return serializers.DateField(read_only=True, allow_null=True, help_text=help_text)
    if kind == "bool":
        return serializers.BooleanField(read_only=True, help_text=help_text)
    if kind == "metrics":
        return MetricsField(read_only=True, help_text=help_text)
    tag, arg = kind
    if tag == "enum":
        return OptionalChoiceField(choices=arg.choices, read_only=True, help_text=help_text)
    if tag == "multi":
        return serializers.ListField(
            child=serializers.ChoiceField(choices=arg.choices), read_only=True, help_text=help_text
        )
    if tag == "ref":
        return RecordRefSerializer(
            read_only=True,
            allow_null=True,
            help_text=_join(help_text, "null when there is none or it is not published."),
        )
    if tag == "refs":
        return RecordRefSerializer(
            many=True,
            read_only=True,
            help_text=_join(help_text, "Published records only."),
        )
    raise ValueError(f"No API field for {key!r} of kind {kind!r}")  # pragma: no cover


def _audit_status_fields():
    return {
        "audit_status": serializers.ChoiceField(
            choices=choices.AuditStatus.choices,
            read_only=True,
            help_text="Derived from published audits: the highest rung reached of "
            "none_known < tested < audited < reported.",
        ),
        "audit_finding": OptionalChoiceField(
            choices=choices.Finding.choices,
            read_only=True,
            help_text="The finding of the most recent audit on that rung.",
        ),
        "audit_date": PartialDateField(help_text="When that audit was published."),
    }


def _extra_fields(name, model):
    extra = {}
    if issubclass(model, AuditStatusFields):
        extra.update(_audit_status_fields())
    if name == "policies":
        extra["in_force"] = serializers.BooleanField(
            source="is_in_force",
            read_only=True,
            help_text="Enacted or in force, and not past its end date, today.",
        )
    extra["last_verified"] = serializers.DateField(
        read_only=True, allow_null=True, help_text=_help(model, "last_verified")
    )
    extra["last_updated"] = serializers.DateTimeField(
        source="updated_at", read_only=True, help_text="When this record last changed."
    )
    extra["api_url"] = ApiURLField(help_text="This record in the API.")
    extra["html_url"] = HtmlURLField(help_text="This record's public page.")
    return extra


def build_serializer(name):
    """The serializer of one list of the format (``"agencies"`` ...)."""
    spec = SPEC[name]
    model = spec["model"]
    fields = {
        key: _field(model, key, kind, required=key in spec["required"])
        for key, kind in spec["keys"].items()
        if key not in ("state", "last_verified")
    }
    fields.update(_extra_fields(name, model))
    doc = (model.__doc__ or "").strip()
    if doc.startswith(f"{model.__name__}("):  # Django's generated signature, not a description
        doc = f"A published {model._meta.verbose_name}."
    return type(
        f"{model.__name__}Serializer", (serializers.Serializer,), {**fields, "__doc__": doc}
    )


SERIALIZERS = {name: build_serializer(name) for name in SPEC}


def with_related(name, queryset):
    """
    ``queryset`` with everything its serializer reads loaded up front: one
    JOIN per related record, one query per list of related records (published
    ones only), whatever the number of rows.
    """
    spec = SPEC[name]
    model = spec["model"]
    fks = [k for k, kind in spec["keys"].items() if isinstance(kind, tuple) and kind[0] == "ref"]
    m2ms = [k for k, kind in spec["keys"].items() if isinstance(kind, tuple) and kind[0] == "refs"]
    if name == "audits":  # a deployment's name is its agency's and system's
        fks += ["deployment__agency", "deployment__system"]
    prefetches = [
        Prefetch(
            key,
            queryset=model._meta.get_field(key).related_model.objects.published().order_by("slug"),
        )
        for key in m2ms
    ]
    if fks:
        queryset = queryset.select_related(*fks)
    return queryset.prefetch_related(*prefetches)
