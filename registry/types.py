"""
The register's record types, listed once.

Every module that does something per record type (URLs, lists, facets,
exports, search, the API, history, bulk files, the navigation) iterates over
``RECORD_TYPES`` or looks a type up here, instead of keeping its own list.
Adding an eighth type means one ``RecordType`` below, its model, its FilterSet
and its templates (``registry/<model>_list.html`` and ``_detail.html``); its
export columns, API serializer and format entry follow from those modules'
own per-type declarations.

The tuple's order is the order readers see (navigation, the API root, the
search results page). The interchange format keeps its own order (that of
``fr-registry/1``), and writes follow the models' relations
(``in_dependency_order``).

This module imports only the models: FilterSets are named by dotted path and
loaded on first use, because ``filters`` needs ``search``, which needs this
module.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.urls import reverse
from django.utils.module_loading import import_string

from .models import Agency, Audit, Deployment, Policy, Source, System, Vendor


@dataclass(frozen=True)
class SearchFields:
    """
    What search reads, by weight: A names, B related names and places, C prose.
    A path through a relation (``agency__name``) counts only while every record
    on the way is published, so a draft's name never shows up in search.
    """

    A: tuple[str, ...] = ()
    B: tuple[str, ...] = ()
    C: tuple[str, ...] = ()

    def __getitem__(self, weight):
        return getattr(self, weight)


@dataclass(frozen=True, eq=False)
class RecordType:
    """One kind of record: its model, its public list and pages, and what reads it."""

    # Plural, lower case: the URL segment (``/agencies/``), the list's and the
    # API endpoint's name, and the list's name in the format.
    name: str
    model: type[models.Model]
    # Dotted path of the list's FilterSet (loaded lazily, see the module docstring).
    filterset_path: str
    title: str
    description: str
    search: SearchFields
    # Relations loaded with each row wherever the record is named (its ``__str__``).
    name_related: tuple[str, ...] = ()
    # The record page's view, when it needs more than the record itself.
    detail_view_path: str = ""
    # An example query of the list, shown as a link in the API's docs (tested to be valid).
    example_query: str = ""

    def __hash__(self):
        return hash(self.name)

    # Names ------------------------------------------------------------------

    @property
    def segment(self) -> str:
        return self.name

    @property
    def model_name(self) -> str:
        """``agency``: the type's name in ``?type=`` and in the API's URL names."""
        return str(self.model._meta.model_name)

    @property
    def noun(self):
        return self.model._meta.verbose_name

    @property
    def noun_plural(self):
        return self.model._meta.verbose_name_plural

    def public_named(self):
        """Its public records with what their names need (``name_related``) loaded."""
        return self.named(self.model.objects.public())

    def named(self, records):
        """``records`` of this type with what their names need (``name_related``) loaded."""
        # (``select_related()`` with no names would follow every relation.)
        return records.select_related(*self.name_related) if self.name_related else records

    @property
    def cites_sources(self) -> bool:
        """Whether its records cite sources (a ``sources`` field; ``?source=`` on its list)."""
        return any(field.name == "sources" for field in self.model._meta.many_to_many)

    # Pages ------------------------------------------------------------------

    @property
    def url_name(self) -> str:
        return f"registry:{self.model_name}-list"

    @property
    def detail_url_name(self) -> str:
        return f"registry:{self.model_name}-detail"

    @property
    def api_url_name(self) -> str:
        """The API list's route (the router names it after ``model_name``)."""
        return f"api:{self.model_name}-list"

    @property
    def api_detail_url_name(self) -> str:
        return f"api:{self.model_name}-detail"

    @property
    def template_name(self) -> str:
        return f"registry/{self.model_name}_list.html"

    @property
    def detail_template_name(self) -> str:
        return f"registry/{self.model_name}_detail.html"

    def list_url(self) -> str:
        return reverse(self.url_name)

    # The list's query string ----------------------------------------------

    @cached_property
    def filterset_class(self):
        return import_string(self.filterset_path)

    def filterset(self, data, *, request=None, queryset=None):
        """The bound FilterSet over this list's published rows (or ``queryset``, a narrower one)."""
        filterset_class = self.filterset_class
        if queryset is None:
            queryset = filterset_class.base_queryset()
        return filterset_class(data, queryset=queryset, request=request)


RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(
        "agencies",
        Agency,
        "registry.filters.AgencyFilterSet",
        "Agencies",
        "Government agencies known to use, to have tested or to have been barred from "
        "using face recognition.",
        SearchFields(A=("name", "acronym"), B=("locality", "parent__name")),
        detail_view_path="registry.views.AgencyDetailView",
        example_query="country=US&kind=police",
    ),
    RecordType(
        "deployments",
        Deployment,
        "registry.filters.DeploymentFilterSet",
        "Deployments",
        "Each deployment is one agency's use of one face recognition system.",
        SearchFields(
            A=("agency__name", "agency__acronym", "system__name"),
            B=("system__vendor__name", "agency__locality"),
            C=("description",),
        ),
        name_related=("agency", "system"),
        detail_view_path="registry.views.DeploymentDetailView",
        example_query="uses=live&audit_status=none_known",
    ),
    RecordType(
        "systems",
        System,
        "registry.filters.SystemFilterSet",
        "Systems",
        "Face recognition products, algorithms and services, with their audit status.",
        SearchFields(A=("name",), B=("vendor__name",), C=("description",)),
        detail_view_path="registry.views.SystemDetailView",
        example_query="audit_status=reported",
    ),
    RecordType(
        "vendors",
        Vendor,
        "registry.filters.VendorFilterSet",
        "Vendors",
        "Companies that make the face recognition systems agencies use.",
        SearchFields(A=("name",)),
        detail_view_path="registry.views.VendorDetailView",
        example_query="country=US",
    ),
    RecordType(
        "audits",
        Audit,
        "registry.filters.AuditFilterSet",
        "Audits",
        "Tests of face recognition systems for demographic bias.",
        SearchFields(
            A=("auditor",),
            B=("system__name", "deployment__agency__name", "deployment__system__name"),
            C=("summary",),
        ),
        name_related=("system", "deployment__agency", "deployment__system"),
        detail_view_path="registry.views.AuditDetailView",
        example_query="auditor_kind=government_lab&finding=disparities_found",
    ),
    RecordType(
        "policies",
        Policy,
        "registry.filters.PolicyFilterSet",
        "Policies",
        "Laws, bans, moratoria, court rulings and agency policies that govern face recognition.",
        SearchFields(A=("title",), B=("issuer", "locality"), C=("summary",)),
        detail_view_path="registry.views.PolicyDetailView",
        example_query="kind=ban&in_force=true",
    ),
    RecordType(
        "sources",
        Source,
        "registry.filters.SourceFilterSet",
        "Sources",
        "The documents every fact in the register is based on.",
        SearchFields(A=("title",), B=("publisher",)),
        detail_view_path="registry.views.SourceDetailView",
        example_query="kind=court",
    ),
)

# Lookups -------------------------------------------------------------------

TYPES: dict[str, RecordType] = {record_type.name: record_type for record_type in RECORD_TYPES}
# By ``app_label.Model``, so that migrations' historical models find their type too.
_BY_LABEL = {record_type.model._meta.label: record_type for record_type in RECORD_TYPES}
_BY_MODEL_NAME = {record_type.model_name: record_type for record_type in RECORD_TYPES}


# Every record model, in the types' order.
MODELS: tuple[type[models.Model], ...] = tuple(record_type.model for record_type in RECORD_TYPES)


class RecordTypeConverter:
    """``<record_type:type>`` in URLs: one of the record types' URL segments."""

    regex = "|".join(TYPES)

    def to_python(self, value):
        return value

    def to_url(self, value):
        if value not in TYPES:
            raise ValueError(value)
        return value


def of(obj_or_model: models.Model | type[models.Model]) -> RecordType:
    """The type of a record or of a record model (KeyError for anything else)."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    concrete = model._meta.concrete_model or model
    return _BY_LABEL[concrete._meta.label]


def by_model_name(name: str) -> RecordType | None:
    """The type named ``agency`` (``?type=agency``), or None."""
    return _BY_MODEL_NAME.get(name)


def in_dependency_order(names) -> list[str]:
    """
    ``names`` (type names) ordered so that every record is written after the
    records it points to (foreign keys and many-to-many fields declared on its
    model), ties kept in the given order: the order an import writes in.
    """
    names = list(names)
    model_of = {name: TYPES[name].model for name in names}
    needs = {
        name: {
            other
            for other, other_model in model_of.items()
            if other != name
            and any(
                f.is_relation and not f.auto_created and f.related_model is other_model
                for f in model._meta.get_fields()
            )
        }
        for name, model in model_of.items()
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = next(n for n in names if n not in ordered and needs[n] <= set(ordered))
        ordered.append(ready)
    return ordered
