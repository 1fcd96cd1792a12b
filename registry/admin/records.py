"""One admin per record model: columns, filters, search and fieldsets."""

from django.contrib import admin

from ..fields import counts_per_item
from ..models import Agency, Audit, Deployment, Policy, Source, System, Vendor
from .attention import expired_in_force
from .base import RecordAdmin, SourcesFilter, VerifiedFilter
from .forms import DeploymentAdminForm
from .merging import merge_records

PROVENANCE = ("Provenance", {"fields": ["sources"]})
AUDIT_STATUS = (
    "Audit status (derived from published audits)",
    {"fields": [("audit_status", "audit_finding"), ("audit_date", "audit_date_precision")]},
)
AUDIT_STATUS_FIELDS = ["audit_status", "audit_finding", "audit_date", "audit_date_precision"]
RECORD_FILTERS = ["state", SourcesFilter, VerifiedFilter]


class ExpiredInForceFilter(admin.SimpleListFilter):
    title = "status and dates"
    parameter_name = "expired"

    def lookups(self, request, model_admin):
        return [("yes", "Status disagrees with the dates")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return expired_in_force(queryset)
        return queryset


class PolicyRegionFilter(admin.SimpleListFilter):
    """A policy covering a region: one of its ``regions`` (a law may cover several)."""

    title = "region"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return [(code, code) for code in sorted(counts_per_item(Policy.objects.all(), "regions"))]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(regions__has=self.value())
        return queryset


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    has_sources = False
    list_display = [
        "title",
        "publisher",
        "kind",
        "published",
        "link_ok",
        "state",
        "last_verified",
        "updated_at",
    ]
    list_filter = ["state", "kind", "link_ok", VerifiedFilter]
    search_fields = ["title", "publisher", "url", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        *RecordAdmin.readonly_fields,
        "link_ok",
        "link_status",
        "link_checked_at",
        "link_error",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "url",
                    "archived_url",
                    "publisher",
                    "kind",
                    "published",
                    "excerpt",
                ]
            },
        ),
        (
            "Link check (filled by check_source_links)",
            {"fields": [("link_ok", "link_status"), "link_checked_at", "link_error"]},
        ),
    ]

    def initial_from_suggestion(self, suggestion):
        urls = suggestion.source_urls.split()
        return {"url": urls[0]} if urls else {}


@admin.register(Vendor)
class VendorAdmin(RecordAdmin):
    actions = [*RecordAdmin.actions, merge_records]
    list_display = ["name", "country", "source_count", "state", "last_verified", "updated_at"]
    list_filter = [*RECORD_FILTERS, "country"]
    search_fields = ["name", "slug", "website"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources"]
    fieldsets = [(None, {"fields": ["name", "slug", "country", "website"]}), PROVENANCE]


@admin.register(System)
class SystemAdmin(RecordAdmin):
    actions = [*RecordAdmin.actions, merge_records]
    list_display = [
        "name",
        "vendor",
        "audit_status",
        "source_count",
        "state",
        "last_verified",
        "updated_at",
    ]
    list_filter = [*RECORD_FILTERS, "audit_status"]
    list_select_related = ["vendor"]
    search_fields = ["name", "slug", "vendor__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["vendor", "sources"]
    readonly_fields = [*RecordAdmin.readonly_fields, *AUDIT_STATUS_FIELDS]
    suggestion_text_field = "description"
    fieldsets = [
        (None, {"fields": ["name", "slug", "vendor", "capabilities", "description"]}),
        PROVENANCE,
        AUDIT_STATUS,
    ]


@admin.register(Agency)
class AgencyAdmin(RecordAdmin):
    actions = [*RecordAdmin.actions, merge_records]
    list_display = [
        "name",
        "acronym",
        "kind",
        "level",
        "country",
        "region",
        "source_count",
        "state",
        "last_verified",
        "updated_at",
    ]
    list_filter = [*RECORD_FILTERS, "kind", "level", "country"]
    list_select_related = ["parent"]
    search_fields = ["name", "acronym", "slug", "locality", "region"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "sources"]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "level", "parent", "website"]}),
        ("Where", {"fields": ["country", "region", "locality"]}),
        PROVENANCE,
    ]


@admin.register(Deployment)
class DeploymentAdmin(RecordAdmin):
    form = DeploymentAdminForm
    actions = [*RecordAdmin.actions, merge_records]
    list_display = [
        "__str__",
        "status",
        "audit_status",
        "started",
        "source_count",
        "state",
        "last_verified",
        "updated_at",
    ]
    list_filter = [*RECORD_FILTERS, "status", "audit_status"]
    list_select_related = ["agency", "system"]
    search_fields = ["slug", "agency__name", "agency__acronym", "system__name", "inventory_id"]
    autocomplete_fields = ["agency", "system", "policies", "sources"]
    readonly_fields = [*RecordAdmin.readonly_fields, *AUDIT_STATUS_FIELDS]
    suggestion_text_field = "description"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "agency",
                    "system",
                    "status",
                    "uses",
                    "image_sources",
                    "started",
                    "ended",
                    "description",
                    "policies",
                ]
            },
        ),
        (
            "Provenance",
            {
                "fields": [
                    "sources",
                    "inventory_id",
                    "last_reported",
                    "reported_by",
                    "site",
                ]
            },
        ),
        AUDIT_STATUS,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "system")


@admin.register(Audit)
class AuditAdmin(RecordAdmin):
    list_display = [
        "__str__",
        "auditor_kind",
        "published",
        "finding",
        "is_public",
        "source_count",
        "state",
        "last_verified",
        "updated_at",
    ]
    list_filter = [*RECORD_FILTERS, "auditor_kind", "finding", "is_public"]
    search_fields = ["slug", "auditor", "system__name", "deployment__agency__name", "summary"]
    prepopulated_fields = {"slug": ["auditor"]}
    autocomplete_fields = ["system", "deployment", "sources"]
    suggestion_text_field = "summary"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "auditor",
                    "slug",
                    "auditor_kind",
                    ("system", "deployment"),
                    "published",
                    "is_public",
                    "dimensions",
                    "finding",
                    "metrics",
                    "summary",
                    "report_url",
                ]
            },
        ),
        ("Provenance", {"fields": ["sources", "inventory_id"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("system", "deployment__agency", "deployment__system")
        )


@admin.register(Policy)
class PolicyAdmin(RecordAdmin):
    list_display = [
        "title",
        "kind",
        "status",
        "country",
        "region_codes",
        "ends",
        "binds_by_jurisdiction",
        "source_count",
        "state",
        "last_verified",
        "updated_at",
    ]
    list_filter = [
        *RECORD_FILTERS,
        "kind",
        "status",
        ExpiredInForceFilter,
        "binds_by_jurisdiction",
        "country",
        PolicyRegionFilter,
    ]
    search_fields = ["title", "slug", "issuer", "locality", "summary", "regions"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["agencies", "sources"]
    readonly_fields = [*RecordAdmin.readonly_fields, "binds_by_jurisdiction"]
    suggestion_text_field = "summary"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "kind",
                    "status",
                    "issuer",
                    "requirements",
                    "summary",
                    "url",
                    "binds_by_jurisdiction",
                ]
            },
        ),
        ("Where", {"fields": ["country", "regions", "locality"]}),
        (
            "Dates",
            {
                "fields": [
                    "adopted",
                    "effective",
                    "ends",
                ]
            },
        ),
        ("Agencies named", {"fields": ["agencies"]}),
        PROVENANCE,
    ]

    @admin.display(description="regions", ordering="regions")
    def region_codes(self, obj):
        return ", ".join(obj.regions)
