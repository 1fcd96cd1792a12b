"""
The query string of every public list, as django-filter FilterSets.

Parameter names and values are those of `fr-registry/1` (enum values, record
slugs), so one vocabulary serves the pages, the exports and the API. Several
values of one parameter mean OR (``?status=active&status=pilot``). Empty
parameters are dropped; anything malformed is a form error, which the page
shows (HTTP 400) rather than silently ignoring it.

Each record type (``types.RECORD_TYPES``) names its FilterSet here; the HTML
lists, exports, facets and the API all select rows through it, so the same
query string gives the same rows everywhere.
"""

import datetime
import functools

import django_filters as filters
from django import forms
from django.http import QueryDict
from django.utils.choices import CallableChoiceIterator

from . import choices, counts, places, search
from .facet_kinds import (
    CodeFacet,
    CodeSetFacet,
    Phrase,
    RecordFacet,
    SetFacet,
    VocabularyFacet,
    YesNoFacet,
)
from .fields import MultiValueField, counts_per_item
from .format import COUNTRY_RE, REGION_RE
from .models import Agency, Audit, Deployment, Policy, Source, System, Vendor

FIRST_YEAR, LAST_YEAR = 1900, 2100
# Parameters that shape the response, not the rows: never filters, never provenance.
PAGE_PARAMS = frozenset({"page", "format", "facet_size"})
# ...and with ``sort`` (order only): never chips, never in the summary or a count's cache key.
NOT_FILTERS = PAGE_PARAMS | {"sort"}


def drop_empty(data):
    """A copy of ``data`` (a QueryDict) without empty values, so ``?status=`` means no filter."""
    cleaned = QueryDict(mutable=True)
    if data is None:
        return cleaned
    for key in data:
        values = [v for v in data.getlist(key) if v.strip()]
        if values:
            cleaned.setlist(key, values)
    return cleaned


# Widgets -----------------------------------------------------------------


class ListSelect(forms.Select):
    """
    One ``<select>`` whose value is read as a list, so a shared link such as
    ``?country=US&country=GB`` still validates and filters (OR) while the form
    offers one choice at a time.
    """

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        return getlist(name) if getlist else [v for v in [data.get(name)] if v]

    def use_required_attribute(self, initial):
        # A filter is never required; asking Select would read the choices (a query) once more.
        return False

    def optgroups(self, name, value, attrs=None):
        any_value = self.create_option(name, "", "Any", not value, 0, attrs=attrs)
        groups = super().optgroups(name, value, attrs)
        return [(None, [any_value], 0), *groups]


class SlugListInput(forms.TextInput):
    """
    A text box for record ids (``nypd``; several separated by commas), read as a
    list. A ``<select>`` of every agency would put 20,000 options on each list
    page at national scale; the facets offer the common values as links.
    """

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        raw = getlist(name) if getlist else [data.get(name) or ""]
        return [slug for value in raw for slug in value.replace(",", " ").split() if slug]

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return super().format_value(value)


# Form fields -------------------------------------------------------------


class PatternMultipleChoiceField(forms.MultipleChoiceField):
    """
    Several codes (countries, regions, publishers) valid by their shape, not by
    a fixed list: ``?country=FR`` with no French agency is an empty result,
    not an error. ``choices`` (callable, evaluated when rendered) only feed the
    ``<select>``.
    """

    def __init__(self, *args, pattern=None, normalize=None, **kwargs):
        self.pattern = pattern
        self.normalize = normalize
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        values = super().to_python(value)
        return [self.normalize(v) for v in values] if self.normalize else values

    def valid_value(self, value):
        if "\x00" in value:  # PostgreSQL refuses NUL in text
            return False
        if self.pattern is None:
            return 0 < len(value) <= 300
        return bool(self.pattern.match(value))


class YearField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        kwargs.setdefault("error_messages", {"invalid": "Enter a four-digit year, e.g. 2019."})
        kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric"}))
        super().__init__(*args, **kwargs)


# Filters -----------------------------------------------------------------


class Described:
    """
    A filter that declares, beside itself, its facet (``facet=``, a kind from
    ``facet_kinds``) and its phrase in the summary sentence (``says=``).
    """

    facet = None
    says = None

    def __init__(self, *args, facet=None, says=None, **kwargs):
        self.facet, self.says = facet, says
        super().__init__(*args, **kwargs)


def described(filter_, *, facet=None, says=None):
    """The same declaration for a filter class that is not ``Described`` (search, places)."""
    filter_.facet, filter_.says = facet, says
    return filter_


INVALID_CHOICE = {"invalid_choice": "“%(value)s” is not an accepted value."}


class EnumFilter(Described, filters.MultipleChoiceFilter):
    """One of a controlled vocabulary (``choices.*``); several values mean OR."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("error_messages", INVALID_CHOICE)
        super().__init__(*args, **kwargs)


class HasFilter(EnumFilter):
    """A value of a ``MultiChoiceField`` (``uses``, ``capabilities``...): ``field__has``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "has")
        super().__init__(*args, **kwargs)


class PatternFilter(Described, filters.MultipleChoiceFilter):
    field_class = PatternMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", ListSelect)
        kwargs.setdefault("error_messages", INVALID_CHOICE)
        super().__init__(*args, **kwargs)


class SlugFilter(Described, filters.ModelMultipleChoiceFilter):
    """Published related records named by slug (``?agency=nypd``); several mean OR."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("distinct", False)
        kwargs.setdefault(
            "widget", SlugListInput(attrs={"autocomplete": "off", "spellcheck": "false"})
        )
        kwargs.setdefault(
            "help_text", "The id in the record's address, e.g. nypd in /agencies/nypd/."
        )
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": "No published record has the id “%(value)s”."},
        )
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, v):
        # Filter on the related object itself (its primary key), not its slug.
        return {self.field_name: v}


class SortFilter(filters.OrderingFilter):
    """``sort=``: an empty or blank value (``?sort=,``) keeps the list's default order."""

    def filter(self, qs, value):
        value = [v for v in (value or []) if v and v.strip()]
        return super().filter(qs, value) if value else qs


class YearFromFilter(Described, filters.Filter):
    field_class = YearField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__gte": datetime.date(value, 1, 1)})


class YearToFilter(Described, filters.Filter):
    field_class = YearField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__lt": datetime.date(value + 1, 1, 1)})


YES_NO = (("true", "Yes"), ("false", "No"))


class YesNoFilter(Described, filters.Filter):
    """``true`` or ``false``; anything else is an error, not silently ignored."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", (("", "Either"), *YES_NO))
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        kwargs.setdefault("error_messages", INVALID_CHOICE)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{self.field_name: value})


def _distinct_values(model, field):
    """Choices for a ``<select>`` of the values in use among published records."""

    def values_in_use():
        if isinstance(model._meta.get_field(field), MultiValueField):
            # A set of codes per row (a policy's regions): the codes of every set.
            codes = sorted(counts_per_item(model.objects.published(), field))
            return [(v, places.code_name(v)) for v in codes]
        values = (
            model.objects.published()
            .exclude(**{field: ""})
            .order_by(field)
            .values_list(field, flat=True)
            .distinct()
        )
        if field in ("country", "region"):
            return [(v, places.code_name(v)) for v in values]
        return [(v, v) for v in values]

    def options():
        # Only ``model``'s rows are read: a change to another type keeps them.
        return counts.remembered("options", [model._meta.label, field], values_in_use, model=model)

    return options


IN_PLACE = Phrase("in {}", tight=True)


def country_filter(model, field="country", **kwargs):
    kwargs.setdefault("label", "Country")
    return PatternFilter(
        field_name=field,
        pattern=COUNTRY_RE,
        normalize=str.upper,
        choices=_distinct_values(model, "country"),
        facet=CodeFacet(),
        says=IN_PLACE,
        **kwargs,
    )


def region_filter(model, field="region", *, own_field="region", facet=None, **kwargs):
    """``region=``: ``field`` filtered, the codes in ``model.own_field`` offered."""
    kwargs.setdefault("label", "Region (state, province)")
    return PatternFilter(
        field_name=field,
        pattern=REGION_RE,
        normalize=str.upper,
        choices=_distinct_values(model, own_field),
        facet=facet or CodeFacet(),
        says=IN_PLACE,
        **kwargs,
    )


def place_filter(**kwargs):
    return described(places.PlaceFilter(**kwargs), says=IN_PLACE)


def year_range(field, verb):
    """``(from, to)`` filters on the year of the date ``field``: "started in or after 2019"."""
    return (
        YearFromFilter(field_name=field, label=f"{verb.capitalize()} from (year)",
                       says=Phrase(f"{verb} in or after {{}}")),
        YearToFilter(field_name=field, label=f"{verb.capitalize()} up to (year)",
                     says=Phrase(f"{verb} in or before {{}}")),
    )  # fmt: skip


def audit_status_filter():
    return EnumFilter(
        choices=choices.AuditStatus.choices,
        label="Audit status",
        facet=VocabularyFacet(),
        says=Phrase("{}", AUDIT_STATUS_PHRASES),
    )


def published(model):
    return lambda request: model.objects.published().order_by(*model._meta.ordering)


def cites_source():
    """Records citing a published source (``?source=...``): where a source's page links."""
    return SlugFilter(
        field_name="sources",
        queryset=published(Source),
        distinct=True,
        label="Cites source",
        help_text="The id in the source's address, e.g. nistir-8280 in /sources/nistir-8280/.",
        error_messages={"invalid_choice": "No published source has the id “%(value)s”."},
        says=Phrase("citing {}"),
    )


# FilterSets --------------------------------------------------------------


#: Each FilterSet class's form class (``RegisterFilterSet.get_form_class``).
_FORM_CLASSES: dict[type, type] = {}


class RegisterFilterSet(filters.FilterSet):
    """
    What every list shares: ``q`` (search), ``sort``, and dropping empty parameters.

    The form shows the filters in the order of ``Meta.fields``; they are
    declared in the order the summary sentence reads them ("Deployments in
    US-TX by sheriffs, status active, matching “x”"), each with its facet and
    phrase (``Described``).
    """

    q = described(
        filters.CharFilter(
            method="search_filter", label="Search", max_length=200, widget=forms.SearchInput
        ),
        says=Phrase("matching {}", closing=True),
    )
    # The facets shown beside the list, in this order (each declared with its filter).
    facet_order: tuple[str, ...] = ()

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(drop_empty(data) if data is not None else None, *args, **kwargs)

    def get_form_class(self):
        """
        The form class of this FilterSet class, built once. django-filter builds
        one on every request from the filters' fields; ours depend only on the
        class's declarations (a record filter's queryset is evaluated lazily,
        and each form copies its fields), so every instance can share it.
        """
        cls = type(self)
        if cls not in _FORM_CLASSES:
            _FORM_CLASSES[cls] = super().get_form_class()
        return _FORM_CLASSES[cls]

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_choices_resolved", False):
            # Values-in-use choices run a query each time they are iterated: at most
            # once per page, and never when the form is not drawn (exports).
            for field in form.fields.values():
                if isinstance(getattr(field, "choices", None), CallableChoiceIterator):
                    field.choices = functools.cache(field.choices.func)
            form._choices_resolved = True
        return form

    @classmethod
    def base_queryset(cls):
        """Published rows of the list, with what its table needs loaded up front."""
        return cls._meta.model.objects.published()

    def search_filter(self, queryset, name, value):
        return search.filter_queryset(queryset, value)

    @property
    def active_query(self):
        """The bound data without empty values: what links (pagination...) must keep."""
        return self.data

    def problems(self):
        """
        Each bad parameter with its messages and, where the vocabulary is
        fixed, the values it accepts.
        """
        out = []
        for name, errors in self.errors.items():
            field = self.form.fields.get(name)
            accepted = None
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, PatternMultipleChoiceField | forms.ModelChoiceField
            ):
                accepted = [str(value) for value, _label in field.choices if value != ""]
            out.append(
                {
                    "param": name,
                    "messages": list(errors),
                    "accepted": accepted,
                    "hint": hint(self.filters.get(name)),
                }
            )
        return out


def related_model(filter_):
    """The model a record filter (``?agency=``) names records of."""
    queryset = filter_.extra.get("queryset")
    if callable(queryset):
        queryset = queryset(None)  # a lazy QuerySet: no query is made
    return queryset.model


def hint(filter_) -> str:
    """What a filter expects, in words: for the lists' error messages and the API's schema."""
    if isinstance(filter_, YearFromFilter | YearToFilter):
        return f"a four-digit year between {FIRST_YEAR} and {LAST_YEAR}"
    if isinstance(filter_, filters.ModelChoiceFilter | filters.ModelMultipleChoiceFilter):
        return f"the id of a published {related_model(filter_)._meta.verbose_name}"
    pattern = filter_.extra.get("pattern") if filter_ is not None else None
    if pattern is COUNTRY_RE:
        return "a two-letter ISO 3166-1 country code, e.g. US"
    if pattern is REGION_RE:
        return "an ISO 3166-2 region code, e.g. US-CA"
    return ""


# How values read in the summary sentence, where their label does not.
AGENCY_KINDS_PLURAL = {
    "police": "police forces",
    "sheriff": "sheriffs",
    "federal_law_enforcement": "federal law enforcement agencies",
    "border_immigration": "border and immigration agencies",
    "transport_security": "transport security agencies",
    "intelligence": "intelligence agencies",
    "prosecutor": "prosecutors",
    "corrections": "corrections agencies",
    "education": "education authorities",
    "housing": "housing authorities",
    "benefits": "benefits agencies",
    "other": "other agencies",
}
LEVELS = {"national": "national", "regional": "regional", "local": "local"}
AUDIT_STATUS_PHRASES = {
    "none_known": "with no known bias test",
    "tested": "tested for bias only by the vendor or agency",
    "audited": "independently audited, report not public",
    "reported": "with a published independent audit",
}
# "Requires a warrant" → "require a warrant", to follow "Policies that".
REQUIREMENTS_PLURAL = {
    value: label.split(" ", 1)[0].removesuffix("s").lower() + " " + label.split(" ", 1)[1]
    for value, label in choices.Requirement.choices
}
PUBLIC_REPORT = {"true": "with a public report", "false": "with no public report"}
IN_FORCE = {"true": "in force today", "false": "not in force today"}


class AgencyFilterSet(RegisterFilterSet):
    region = region_filter(Agency)
    country = country_filter(Agency)
    place = place_filter()
    kind = EnumFilter(
        choices=choices.AgencyKind.choices,
        label="Kind of agency",
        facet=VocabularyFacet(),
        says=Phrase("that are {}", AGENCY_KINDS_PLURAL, tight=True),
    )
    level = EnumFilter(
        choices=choices.Level.choices,
        label="Level of government",
        facet=VocabularyFacet(),
        says=Phrase("at {} level", LEVELS),
    )
    parent = SlugFilter(queryset=published(Agency), label="Part of", says=Phrase("part of {}"))
    policy = described(
        filters.ModelChoiceFilter(
            queryset=published(Policy),
            to_field_name="slug",
            method="governed_by",
            label="Governed by policy",
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            help_text="The id in the policy's address, e.g. eu-ai-act-article-5-rbi.",
            error_messages={"invalid_choice": "No published policy has this id."},
        ),
        says=Phrase("governed by {}"),
    )
    source = cites_source()
    sort = SortFilter(
        fields=(("name", "name"), ("country", "country"), ("updated_at", "updated")),
        field_labels={"name": "Name", "country": "Country", "updated_at": "Last updated"},
        label="Sort by",
        empty_label="Default (name)",
    )
    facet_order = ("country", "region", "kind", "level")

    class Meta:
        model = Agency
        fields = [
            "q", "country", "region", "place", "kind", "level", "parent", "policy", "source",
            "sort",
        ]  # fmt: skip

    @classmethod
    def base_queryset(cls):
        return (
            Agency.objects.published()
            .for_display()
            .with_governing_policy_count()
            .with_published_count("deployment_count", Deployment, "agency")
            .order_by("name", "pk")
        )

    def governed_by(self, queryset, name, policy):
        return queryset.governed_by(policy) if policy else queryset


class DeploymentFilterSet(RegisterFilterSet):
    # Country, region, kind, level and vendor filter and count the deployment's
    # own copies of its agency's and system's values (``Deployment.agency_country``):
    # the same rows, without a join.
    region = region_filter(Agency, "agency_region")
    country = country_filter(Agency, "agency_country")
    place = place_filter(prefix="agency__")
    kind = EnumFilter(
        field_name="agency_kind",
        choices=choices.AgencyKind.choices,
        label="Kind of agency",
        facet=VocabularyFacet(),
        says=Phrase("by {}", AGENCY_KINDS_PLURAL, tight=True),
    )
    level = EnumFilter(
        field_name="agency_level",
        choices=choices.Level.choices,
        label="Level of government",
        facet=VocabularyFacet(),
        says=Phrase("at {} level", LEVELS, tight=True),
    )
    agency = SlugFilter(
        queryset=published(Agency), label="Agency", says=Phrase("by {}", tight=True)
    )
    system = SlugFilter(
        queryset=published(System), label="System", says=Phrase("using {}", tight=True)
    )
    vendor = SlugFilter(
        field_name="system_vendor",
        queryset=published(Vendor),
        label="Vendor",
        facet=RecordFacet(),
        says=Phrase("using systems from {}", tight=True),
    )
    policy = SlugFilter(
        field_name="policies",
        queryset=published(Policy),
        distinct=True,
        label="Cites policy",
        help_text="The id in the policy's address, e.g. eu-ai-act-article-5-rbi.",
        says=Phrase("citing {}"),
    )
    status = EnumFilter(
        choices=choices.DeploymentStatus.choices,
        label="Status",
        facet=VocabularyFacet(),
        says=Phrase("status {}"),
    )
    uses = HasFilter(
        choices=choices.Use.choices, label="Uses", facet=SetFacet(), says=Phrase("used for {}")
    )
    image_sources = HasFilter(
        choices=choices.ImageSource.choices,
        label="Faces searched against",
        facet=SetFacet(),
        says=Phrase("searching {}"),
    )
    audit_status = audit_status_filter()
    started_from, started_to = year_range("started", "started")
    source = cites_source()
    sort = SortFilter(
        fields=(
            ("agency__name", "agency"),
            ("started", "started"),
            ("status", "status"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "agency__name": "Agency",
            "started": "Start date",
            "status": "Status",
            "updated_at": "Last updated",
        },
        label="Sort by",
        empty_label="Default (agency)",
    )
    facet_order = (
        "status", "uses", "audit_status", "country", "region", "kind", "level", "vendor",
        "image_sources",
    )  # fmt: skip

    class Meta:
        model = Deployment
        fields = [
            "q", "country", "region", "place", "kind", "level", "status", "uses", "image_sources",
            "audit_status", "agency", "system", "vendor", "policy", "started_from", "started_to",
            "source", "sort",
        ]  # fmt: skip

    @classmethod
    def base_queryset(cls):
        return Deployment.objects.published().for_display()


class SystemFilterSet(RegisterFilterSet):
    vendor = SlugFilter(
        queryset=published(Vendor),
        label="Vendor",
        facet=RecordFacet(),
        says=Phrase("by {}", tight=True),
    )
    capabilities = HasFilter(
        choices=choices.Capability.choices,
        label="Capabilities",
        facet=SetFacet(),
        says=Phrase("capable of {}"),
    )
    audit_status = audit_status_filter()
    source = cites_source()
    sort = SortFilter(
        fields=(("name", "name"), ("audit_date", "audited"), ("updated_at", "updated")),
        field_labels={"name": "Name", "audit_date": "Latest audit", "updated_at": "Last updated"},
        label="Sort by",
        empty_label="Default (name)",
    )
    facet_order = ("vendor", "capabilities", "audit_status")

    class Meta:
        model = System
        fields = ["q", "vendor", "capabilities", "audit_status", "source", "sort"]

    @classmethod
    def base_queryset(cls):
        return (
            System.objects.published()
            .for_display()
            .with_published_count("deployment_count", Deployment, "system")
            .order_by("name", "pk")
        )


class VendorFilterSet(RegisterFilterSet):
    country = country_filter(Vendor)
    source = cites_source()
    sort = SortFilter(
        fields=(("name", "name"), ("country", "country"), ("updated_at", "updated")),
        field_labels={"name": "Name", "country": "Country", "updated_at": "Last updated"},
        label="Sort by",
        empty_label="Default (name)",
    )
    facet_order = ("country",)

    class Meta:
        model = Vendor
        fields = ["q", "country", "source", "sort"]

    @classmethod
    def base_queryset(cls):
        return (
            Vendor.objects.published()
            .with_published_count("system_count", System, "vendor")
            .order_by("name", "pk")
        )


class AuditFilterSet(RegisterFilterSet):
    system = SlugFilter(
        queryset=published(System), label="System", says=Phrase("of {}", tight=True)
    )
    vendor = SlugFilter(
        field_name="system__vendor",
        queryset=published(Vendor),
        label="Vendor",
        says=Phrase("of systems by {}", tight=True),
    )
    auditor_kind = EnumFilter(
        choices=choices.AuditorKind.choices,
        label="Kind of auditor",
        facet=VocabularyFacet(),
        says=Phrase("by {}", tight=True),
    )
    finding = EnumFilter(
        choices=choices.Finding.choices,
        label="Finding",
        facet=VocabularyFacet(),
        says=Phrase("finding {}"),
    )
    dimensions = HasFilter(
        choices=choices.Dimension.choices,
        label="Groups compared",
        facet=SetFacet(),
        says=Phrase("comparing {}"),
    )
    is_public = YesNoFilter(
        label="Report public", facet=YesNoFacet(), says=Phrase("{}", PUBLIC_REPORT)
    )
    published_from, published_to = year_range("published", "published")
    source = cites_source()
    sort = SortFilter(
        fields=(("published", "published"), ("auditor", "auditor"), ("updated_at", "updated")),
        field_labels={
            "published": "Publication date",
            "auditor": "Auditor",
            "updated_at": "Last updated",
        },
        label="Sort by",
        empty_label="Default (newest first)",
    )
    facet_order = ("auditor_kind", "finding", "dimensions", "is_public")

    class Meta:
        model = Audit
        fields = [
            "q", "system", "vendor", "auditor_kind", "finding", "dimensions", "is_public",
            "published_from", "published_to", "source", "sort",
        ]  # fmt: skip

    @classmethod
    def base_queryset(cls):
        return Audit.objects.published().for_display()


class PolicyFilterSet(RegisterFilterSet):
    # A policy covering the region: one of its regions (a law of England and
    # Wales is found under GB-ENG and under GB-WLS).
    region = region_filter(
        Policy,
        "regions",
        own_field="regions",
        lookup_expr="has",
        label="Region it covers",
        facet=CodeSetFacet(),
    )
    country = country_filter(Policy, label="Country (EU for European Union law)")
    place = place_filter(policies=True, label="Applies in place")
    requirements = HasFilter(
        choices=choices.Requirement.choices,
        label="Requirements",
        facet=SetFacet(),
        says=Phrase("that {}", REQUIREMENTS_PLURAL, tight=True),
    )
    kind = EnumFilter(
        choices=choices.PolicyKind.choices,
        label="Kind of policy",
        facet=VocabularyFacet(),
        says=Phrase("of kind {}"),
    )
    status = EnumFilter(
        choices=choices.PolicyStatus.choices,
        label="Status",
        facet=VocabularyFacet(),
        says=Phrase("status {}"),
    )
    agency = SlugFilter(
        field_name="agencies",
        queryset=published(Agency),
        distinct=True,
        label="Names agency",
        says=Phrase("naming {}"),
    )
    in_force = YesNoFilter(
        method="in_force_filter", label="In force today", says=Phrase("{}", IN_FORCE)
    )
    adopted_from, adopted_to = year_range("adopted", "adopted")
    source = cites_source()
    sort = SortFilter(
        fields=(("title", "title"), ("adopted", "adopted"), ("updated_at", "updated")),
        field_labels={"title": "Title", "adopted": "Adoption date", "updated_at": "Last updated"},
        label="Sort by",
        empty_label="Default (title)",
    )
    facet_order = ("kind", "status", "requirements", "country", "region")

    class Meta:
        model = Policy
        fields = [
            "q", "country", "region", "place", "kind", "status", "requirements", "agency",
            "in_force",
            "adopted_from", "adopted_to", "source", "sort",
        ]  # fmt: skip

    def in_force_filter(self, queryset, name, value):
        in_force = Policy.objects.in_force().values("pk")
        return queryset.filter(pk__in=in_force) if value else queryset.exclude(pk__in=in_force)


class SourceFilterSet(RegisterFilterSet):
    kind = EnumFilter(
        choices=choices.SourceKind.choices,
        label="Kind of source",
        facet=VocabularyFacet(),
        says=Phrase("of kind {}"),
    )
    publisher = PatternFilter(
        label="Publisher",
        choices=_distinct_values(Source, "publisher"),
        says=Phrase("published by {}"),
    )
    published_from, published_to = year_range("published", "published")
    sort = SortFilter(
        fields=(("title", "title"), ("published", "published"), ("updated_at", "updated")),
        field_labels={
            "title": "Title",
            "published": "Publication date",
            "updated_at": "Last updated",
        },
        label="Sort by",
        empty_label="Default (title)",
    )
    facet_order = ("kind",)

    class Meta:
        model = Source
        fields = ["q", "kind", "publisher", "published_from", "published_to", "sort"]
