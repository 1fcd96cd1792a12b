"""
The public pages of the register. Views stay thin: rows come from QuerySet
methods, the query string from the FilterSets in ``filters.py``.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.generic import DetailView, TemplateView, View

from . import choices, citations, exports, merge, place_views, search, types
from .listing import ListPage
from .models import Agency, Audit, Deployment, Policy, Source, System, Vendor

# Lists ---------------------------------------------------------------------


class RecordListView(View):
    """One public list: filter form, result count, table and pagination, from a ``RecordType``."""

    spec: types.RecordType = None

    def get(self, request, *args, **kwargs):
        try:
            export_format = exports.requested_format(request.GET)
        except exports.UnknownFormat as exc:
            return exports.bad_format_response(exc)
        listing = ListPage(self.spec, request.GET, request=request)
        if export_format:
            # The same rows as the page, all of them, streamed as CSV or JSON.
            return exports.list_export(request, listing, export_format)
        page = listing.paginate(request.GET.get("page"))
        context = {
            "spec": self.spec,
            "listing": listing,
            "filterset": listing.filterset,
            "form": listing.filterset.form,
            "problems": listing.problems,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            "rows": page.object_list,
            "query": listing.query,
            "facets": listing.facets,
            "chips": listing.chips,
            "summary": listing.summary,
        }
        status = 200 if listing.valid else 400
        return render(request, self.spec.template_name, context, status=status)


# Details -------------------------------------------------------------------


# A record page lists at most this many related rows, then links to the full,
# filterable list: a vendor may have thousands of deployments at national scale.
RELATED_ROWS_SHOWN = 50


@dataclass(frozen=True)
class Excerpt:
    """The first rows of a related list, how many there are in all, and where the rest are."""

    rows: list
    total: int
    list_url: str

    @property
    def cut(self):
        return self.total > len(self.rows)


def excerpt(queryset, *, list_name, **params):
    """
    ``RELATED_ROWS_SHOWN`` rows of ``queryset`` and how many there are in all
    (two queries, whatever the number), with a link to the list ``list_name``
    filtered by ``params``.
    """
    list_url = f"{reverse(types.TYPES[list_name].url_name)}?{urlencode(params)}"
    return Excerpt(list(queryset[:RELATED_ROWS_SHOWN]), queryset.count(), list_url)


def published_sources():
    return Prefetch("sources", queryset=Source.objects.published())


class RecordDetailView(DetailView):
    """
    A record's page: published and retracted records (the latter with their
    note); drafts and records in review are not found.
    """

    context_object_name = "record"

    def get_queryset(self):
        return self.model.objects.public().prefetch_related(published_sources())

    def get_template_names(self):
        return [types.of(self.model).detail_template_name]

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.merged_into_id:
            # Merged into another record: the address leads there, for good.
            return merge.redirect_to_kept(request, self.object)
        export_format = request.GET.get("format", "").strip().lower()
        if export_format == "json":
            return citations.record_json_response(request, self.object)
        if export_format not in ("", "html"):
            return citations.bad_format_response(export_format)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            list_spec=types.of(self.model),
            citation=citations.cite(self.request, self.object),
            **kwargs,
        )


class AgencyDetailView(RecordDetailView):
    model = Agency

    def get_queryset(self):
        return super().get_queryset().select_related("parent")

    def get_context_data(self, **kwargs):
        agency = self.object
        policies = list(Policy.objects.published().governing(agency).order_by("title"))
        return super().get_context_data(
            deployments=excerpt(
                agency.deployments.published().select_related("system__vendor"),
                list_name="deployments",
                agency=agency.slug,
            ),
            explicit_policies=[p for p in policies if p.basis == "explicit"],
            jurisdiction_policies=[p for p in policies if p.basis == "jurisdiction"],
            children=agency.children.published(),
            **kwargs,
        )


class SystemDetailView(RecordDetailView):
    model = System

    def get_queryset(self):
        return super().get_queryset().select_related("vendor")

    def get_context_data(self, **kwargs):
        system = self.object
        return super().get_context_data(
            audits=system.audits.published(),
            deployments=excerpt(
                system.deployments.published().select_related("agency"),
                list_name="deployments",
                system=system.slug,
            ),
            **kwargs,
        )


class VendorDetailView(RecordDetailView):
    model = Vendor

    def get_context_data(self, **kwargs):
        vendor = self.object
        return super().get_context_data(
            systems=vendor.systems.published(),
            deployments=excerpt(
                Deployment.objects.published()
                .filter(system__vendor=vendor)
                .select_related("agency", "system"),
                list_name="deployments",
                vendor=vendor.slug,
            ),
            **kwargs,
        )


class DeploymentDetailView(RecordDetailView):
    model = Deployment

    def get_queryset(self):
        return super().get_queryset().for_display()

    def get_context_data(self, **kwargs):
        deployment = self.object
        # The audits its status derives from: its system's and its own.
        concerns = Q(deployment=deployment)
        if deployment.system_id:
            concerns |= Q(system_id=deployment.system_id)
        return super().get_context_data(
            attached_policies=deployment.policies.published(),
            governing_policies=Policy.objects.published()
            .governing(deployment.agency)
            .order_by("title"),
            audits=Audit.objects.published().filter(concerns).select_related("system"),
            **kwargs,
        )


class PolicyDetailView(RecordDetailView):
    model = Policy

    def get_context_data(self, **kwargs):
        policy = self.object
        return super().get_context_data(
            agencies=excerpt(
                Agency.objects.published().governed_by(policy),
                list_name="agencies",
                policy=policy.slug,
            ),
            deployments=excerpt(
                policy.deployments.published().select_related("agency", "system"),
                list_name="deployments",
                policy=policy.slug,
            ),
            **kwargs,
        )


class AuditDetailView(RecordDetailView):
    model = Audit

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("system__vendor", "deployment__agency", "deployment__system")
        )


class SourceDetailView(RecordDetailView):
    model = Source

    def get_queryset(self):
        return Source.objects.public()

    def get_context_data(self, **kwargs):
        source = self.object
        # A source may be cited by thousands of records (a federal inventory, the
        # Atlas of Surveillance): each list is an excerpt linking to the full one.
        citing = [
            (
                record_type,
                excerpt(
                    record_type.named(record_type.model.objects.published().filter(sources=source)),
                    list_name=record_type.name,
                    source=source.slug,
                ),
            )
            for record_type in types.RECORD_TYPES
            if record_type.cites_sources
        ]
        return super().get_context_data(
            citing=citing, cited=any(rows.total for _type, rows in citing), **kwargs
        )


def detail_view(record_type: types.RecordType):
    """The record page of ``record_type``: its own view, or the plain one."""
    if record_type.detail_view_path:
        return import_string(record_type.detail_view_path).as_view()
    return RecordDetailView.as_view(model=record_type.model)


# Home, methodology, search ----------------------------------------------

RECENT_PER_TYPE = 4


class HomeView(TemplateView):
    template_name = "registry/home.html"

    def get_context_data(self, **kwargs):
        # The maps and charts count the same deployments: the figures come from them.
        overview = place_views.overview("home")
        deployments = overview["figures"]["counts"]
        total = deployments["total"]
        active = deployments[f"status_{choices.DeploymentStatus.ACTIVE}"]
        # The deployment's own status, as the list the figure links to filters it.
        reported = deployments[f"audit_{choices.AuditStatus.REPORTED}"]
        recent = [
            ("Deployments", Deployment.objects.published().for_display(), "deployment-list"),
            ("Agencies", Agency.objects.published(), "agency-list"),
            ("Policies", Policy.objects.published(), "policy-list"),
            ("Audits", Audit.objects.published().for_display(), "audit-list"),
            ("Systems", System.objects.published().for_display(), "system-list"),
        ]
        return super().get_context_data(
            agency_count=Agency.objects.published().count(),
            deployment_count=total,
            active_deployment_count=active,
            reported_audit_share=round(100 * reported / total) if total else None,
            reported_deployment_count=reported,
            overview=overview,
            policies_in_force_count=Policy.objects.published().in_force().count(),
            recent=[
                (label, list(rows.order_by("-updated_at")[:RECENT_PER_TYPE]), url_name)
                for label, rows, url_name in recent
            ],
            **kwargs,
        )


def vocabularies():
    """Every controlled vocabulary, for the methodology page: generated, never duplicated."""
    return [
        ("agency-kind", "Kinds of agency", "kind", choices.AgencyKind),
        ("level", "Levels of government", "level", choices.Level),
        ("deployment-status", "Deployment status", "status", choices.DeploymentStatus),
        ("use", "Uses", "uses", choices.Use),
        ("image-source", "Faces searched against", "image_sources", choices.ImageSource),
        ("capability", "System capabilities", "capabilities", choices.Capability),
        ("auditor-kind", "Kinds of auditor", "auditor_kind", choices.AuditorKind),
        ("dimension", "Groups compared in an audit", "dimensions", choices.Dimension),
        ("finding", "Audit findings", "finding", choices.Finding),
        ("policy-kind", "Kinds of policy", "kind", choices.PolicyKind),
        ("policy-status", "Policy status", "status", choices.PolicyStatus),
        ("requirement", "Policy requirements", "requirements", choices.Requirement),
        ("source-kind", "Kinds of source", "kind", choices.SourceKind),
    ]


class MethodologyView(TemplateView):
    template_name = "registry/methodology.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            audit_statuses=[
                (status, choices.AUDIT_STATUS_DESCRIPTIONS[status])
                for status in choices.AuditStatus
            ],
            independent_auditor_kinds=[
                choices.AuditorKind(kind).label for kind in choices.INDEPENDENT_AUDITOR_KINDS
            ],
            vocabularies=vocabularies(),
            named_only_kinds=[choices.PolicyKind(k).label for k in choices.NAMED_ONLY_POLICY_KINDS],
            private_requirements=[
                choices.Requirement(r).label for r in choices.PRIVATE_SECTOR_REQUIREMENTS
            ],
            in_force_statuses=[
                choices.PolicyStatus(s).label for s in choices.IN_FORCE_POLICY_STATUSES
            ],
            eu_member_states=choices.EU_MEMBER_STATES,
            **kwargs,
        )


SEARCH_RESULTS_PER_TYPE = 20


def search_view(request):
    """Results grouped by type, best first; each group links to its full, filterable list."""
    results = search.search_all(request.GET.get("q", ""), limit_per_type=SEARCH_RESULTS_PER_TYPE)
    # Places first: "Michigan" leads to its page, its agencies and the laws that apply there.
    place_hits = place_views.search_places(request.GET.get("q", ""))
    return render(
        request,
        "registry/search.html",
        {"query": results.query.text, "results": results, "place_hits": place_hits},
    )
