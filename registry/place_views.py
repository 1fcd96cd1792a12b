"""
Place pages: ``/places/`` (countries, with the maps), ``/places/<country>/``,
``/places/<country>/<region>/`` and ``/places/<country>/<region>/<locality>/``,
and the scorecard of an agency.

Each figure on a place page is a link to the list it counts, filtered by the
lists' ``place=`` parameter (``places.PlaceFilter``), so the two always agree.
Every page runs a fixed number of queries whatever the number of rows: counts
are grouped in the database, lists are cut at ``SHOWN`` rows with a link to
the full list.
"""

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from . import charts, choices, citations, places, scorecards
from .models import Agency, Deployment, Policy
from .places import Place

# A place page lists at most this many agencies, policies and sub-places, then
# links to the full list.
SHOWN = 50
RECENT = 6

CAPABILITY_USES = (
    choices.Use.LIVE,
    choices.Use.RETROSPECTIVE,
    choices.Use.VERIFICATION,
    choices.Use.MOBILE,
    choices.Use.ACCESS_CONTROL,
)


def list_url(url_name, **params):
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{reverse(url_name)}?{urlencode(params)}" if params else reverse(url_name)


@dataclass
class Figure:
    label: str
    count: int
    url: str
    value: str = ""


def place_or_404(key) -> Place:
    try:
        return places.from_key(key)
    except places.UnknownPlace as exc:
        raise Http404(str(exc)) from exc


# Figures ---------------------------------------------------------------------


def deployment_figures(deployments, link):
    """
    Counts of published deployments by status, use and audit status, in one
    query: ``link(**params)`` gives the filtered list each one counts.
    """
    totals = deployments.aggregate(
        total=Count("pk"),
        **{f"status_{v}": Count("pk", filter=Q(status=v)) for v in choices.DeploymentStatus},
        **{f"use_{v}": Count("pk", filter=Q(uses__has=v)) for v in CAPABILITY_USES},
        # Without it, a place whose records name no use (e.g. the Atlas's rows)
        # would read as "0 live surveillance" where nothing is known.
        use_not_recorded=Count("pk", filter=Q(uses="")),
        **{f"audit_{v}": Count("pk", filter=Q(audit_status=v)) for v in choices.AuditStatus},
    )

    def figures(prefix, vocabulary, param, values):
        return [
            Figure(vocabulary(v).label, totals[f"{prefix}_{v}"], link(**{param: v}), str(v))
            for v in values
        ]

    return {
        "total": totals["total"],
        "counts": totals,
        "by_status": [
            f
            for f in figures("status", choices.DeploymentStatus, "status", choices.DeploymentStatus)
            if f.count
        ],
        "by_use": figures("use", choices.Use, "uses", CAPABILITY_USES),
        "use_not_recorded": totals["use_not_recorded"],
        "by_audit": figures("audit", choices.AuditStatus, "audit_status", choices.AuditStatus),
    }


def by_year(deployments, link):
    """Published deployments by the year they started (where known): one query."""
    rows = (
        deployments.exclude(started__isnull=True)
        .annotate(year=ExtractYear("started"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    return [
        Figure(str(r["year"]), r["n"], link(started_from=r["year"], started_to=r["year"]))
        for r in rows
    ]


def charts_for(figures, years, prefix):
    return {
        "status": charts.bar_chart(
            [charts.Bar(f.label, f.count, f.url) for f in figures["by_status"]],
            title="Published deployments by status",
            chart_id=f"{prefix}-status",
        ),
        "years": charts.bar_chart(
            [charts.Bar(f.label, f.count, f.url) for f in years],
            title="Published deployments by the year they started",
            chart_id=f"{prefix}-years",
        ),
        "audit": charts.bar_chart(
            [charts.Bar(f.label, f.count, f.url) for f in figures["by_audit"]],
            title="Published deployments by audit status",
            chart_id=f"{prefix}-audit",
        ),
    }


@dataclass
class PolicyRow:
    policy: Policy
    scope: str  # "throughout", "part" or "named"
    binds: str  # whom it binds, in words
    named: list


def policy_rows(place, policies):
    """Each policy with how far it reaches here and whom it binds."""
    rows = []
    for policy in policies:
        named = list(policy.agencies.all())  # published only (``published_agencies``)
        where = places.place_name(policy.country, locality=policy.locality, regions=policy.regions)
        if policy.throughout:
            scope, binds = "throughout", f"Every public agency in {where}"
        elif policy.binds_by_jurisdiction and policy.country == place.country:
            scope, binds = "part", f"Every public agency in {where}"
        else:
            scope = "named"
            binds = "Only the agencies it names" if named else "Only those it names"
        rows.append(PolicyRow(policy, scope, binds, named))
    return rows


def published_agencies():
    return Prefetch("agencies", queryset=Agency.objects.published().only("pk", "slug", "name"))


# Scorecards --------------------------------------------------------------------


def scorecard_export(request, subject_name, grades, rows_name, rows, fmt):
    absolute = request.build_absolute_uri
    table = [g.as_row(absolute) for g in grades]
    if fmt == "json":
        return JsonResponse(
            {
                "subject": subject_name,
                "url": absolute(request.path),
                "rubric": absolute(reverse("registry:methodology")) + "#scorecard",
                "scorecard": table,
                rows_name: rows,
                "licence": settings.DATA_LICENCE_URL,
            },
            json_dumps_params={"indent": 2, "ensure_ascii": False},
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(table[0]))
    writer.writeheader()
    for row in table:
        writer.writerow(row | {k: " ".join(row[k]) for k in ("basis", "basis_urls")})
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    slug = request.path.strip("/").replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{slug}-scorecard.csv"'
    return response


def export_format(request):
    """``html``, ``csv`` or ``json``; anything else is ``None`` (a 400)."""
    value = request.GET.get("format", "").strip().lower() or "html"
    return value if value in ("html", "csv", "json") else None


def bad_format():
    return HttpResponse(
        "Unknown format. A place page is available as format=csv or format=json.\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def place_citation(request, title, path, key):
    return citations.Citation(
        title=title,
        url=request.build_absolute_uri(path),
        accessed=timezone.localdate(),
        register=settings.REGISTER_NAME,
        key=citations.citation_key(key),
    )


# Pages --------------------------------------------------------------------------


def place_page(request, key):
    """A country, region or locality: what is used there, under which rules."""
    fmt = export_format(request)
    if fmt is None:
        return bad_format()
    place = place_or_404(key)
    params = place.list_params()

    def deployments_link(**extra):
        return list_url("registry:deployment-list", **params, **extra)

    deployments = Deployment.objects.published().filter(place.agency_q("agency__"))
    figures = deployment_figures(deployments, deployments_link)
    agencies = (
        Agency.objects.published()
        .filter(place.agency_q())
        .with_published_count("deployment_count", Deployment, "agency")
        .order_by("name", "pk")
    )
    agency_total = agencies.count()
    policies = (
        Policy.objects.published()
        .in_force()
        .filter(place.policy_q())
        .prefetch_related(published_agencies())
        .annotate(throughout=ExpressionWrapper(place.covering_q(), output_field=BooleanField()))
        .order_by("-throughout", "country", "regions", "locality", "title")
    )
    rows = policy_rows(place, policies[:SHOWN])
    throughout = [r.policy for r in rows if r.scope == "throughout"]
    grades = scorecards.grade(
        throughout,
        deployments=figures["total"],
        audited=next(f.count for f in figures["by_audit"] if f.value == "reported"),
        audited_url=deployments_link(audit_status="reported"),
    )
    if fmt != "html":
        return scorecard_export(
            request,
            place.full_name,
            grades,
            "deployment_counts",
            {
                "total": figures["total"],
                **{f"status_{f.value}": f.count for f in figures["by_status"]},
                **{f"use_{f.value}": f.count for f in figures["by_use"]},
                "use_not_recorded": figures["use_not_recorded"],
                **{f"audit_{f.value}": f.count for f in figures["by_audit"]},
            },
            fmt,
        )
    years = by_year(deployments, deployments_link)
    policy_total = policies.count()
    context = {
        "place": place,
        "lineage": place.lineage,
        "figures": figures,
        "years": years,
        "charts": charts_for(figures, years, "place"),
        "agencies": list(agencies[:SHOWN]),
        "agency_total": agency_total,
        "agencies_url": list_url("registry:agency-list", **params),
        "deployments_url": deployments_link(),
        "policy_rows": rows,
        "policy_total": policy_total,
        "policies_url": list_url("registry:policy-list", **params, in_force="true"),
        "grades": grades,
        **subplace_lists(place),
        "recent": list(deployments.for_display().order_by("-updated_at", "-pk")[:RECENT]),
        "recent_policies": list(
            Policy.objects.published().filter(place.policy_q()).order_by("-updated_at")[:RECENT]
        ),
        "citation": place_citation(
            request,
            f"Face recognition in government: {place.full_name}",
            request.path,
            f"place:{place.key}",
        ),
        "suggest_url": list_url("registry:suggest", place=place.key),
    }
    return render(request, "registry/place.html", context)


@dataclass
class SubPlace:
    place: Place
    agencies: int
    deployments: int


def subplaces(place):
    """The regions of a country or the localities of a region, with counts: two queries."""
    if place.level == places.LOCALITY:
        return []
    field = "region" if place.level == places.COUNTRY else "locality"
    agencies = dict(
        Agency.objects.published()
        .filter(place.agency_q())
        .exclude(**{field: ""})
        .values_list(field)
        .annotate(n=Count("pk"))
        .order_by()
    )
    deployments = dict(
        Deployment.objects.published()
        .filter(place.agency_q("agency__"))
        .exclude(**{f"agency__{field}": ""})
        .values_list(f"agency__{field}")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = []
    for value in agencies:
        sub = (
            Place(place.country, value)
            if field == "region"
            else Place(place.country, place.region, value)
        )
        out.append(SubPlace(sub, agencies[value], deployments.get(value, 0)))
    return sorted(out, key=lambda s: (-s.deployments, s.place.name))


def subplace_lists(place):
    """
    The regions or localities of ``place`` for its page: the ``SHOWN`` with
    the most deployments in a table, and when there are more (227 localities
    of Florida with the Atlas imported, thousands at national scale), all of
    them by name, a compact index to find one's own.
    """
    subs = subplaces(place)
    index = sorted(subs, key=lambda sub: sub.place.name.casefold()) if len(subs) > SHOWN else []
    return {
        "subplaces": subs[:SHOWN],
        "subplace_total": len(subs),
        "subplace_index": index,
        "subplace_kind": "Regions" if place.level == places.COUNTRY else "Localities",
    }


def deployment_counts_by_place():
    """
    ``({country: deployments}, {US region: deployments})`` of published
    deployments by their agency's place: one grouped query for both maps.
    """
    rows = (
        Deployment.objects.published()
        .values_list("agency__country", "agency__region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_country, by_state = {}, {}
    for country, region, n in rows:
        by_country[country] = by_country.get(country, 0) + n
        if country == "US" and region:
            by_state[region] = by_state.get(region, 0) + n
    return by_country, by_state


def country_counts(deployments):
    """
    ``[(code, agencies, deployments, policies)]`` of every country with
    records (``deployments``: by country): 2 queries.
    """
    agencies = dict(
        Agency.objects.published().values_list("country").annotate(n=Count("pk")).order_by()
    )
    policies = dict(
        Policy.objects.published().values_list("country").annotate(n=Count("pk")).order_by()
    )
    codes = sorted(
        set(agencies) | set(policies) - {places.EU}, key=lambda c: places.country_name(c)
    )
    return [(c, agencies.get(c, 0), deployments.get(c, 0), policies.get(c, 0)) for c in codes]


def strongest_laws():
    """
    ``({country: level}, {us_region: level})``: the strongest public law in
    force throughout each country and US state (scorecards' live-use levels).
    One query over laws without a locality; laws are few at any scale.
    """
    rank = {scorecards.BANNED: 2, scorecards.RESTRICTED: 1}
    rows = (
        Policy.objects.published()
        .in_force()
        .filter(binds_by_jurisdiction=True, locality="")
        .values_list("country", "regions", "requirements")
    )
    national, regional = {}, {}

    def level(requirements):
        if set(requirements) & set(scorecards.BANS):
            return scorecards.BANNED
        if set(requirements) & set(scorecards.RESTRICTIONS):
            return scorecards.RESTRICTED
        return None

    def lift(table, code, new):
        if new and rank[new] > rank.get(table.get(code), 0):
            table[code] = new

    for country, regions, requirements in rows:
        new = level(requirements)
        if regions:
            for region in regions:
                lift(regional, region, new)
        elif country == places.EU:
            for member in choices.EU_MEMBER_STATES:
                lift(national, member, new)
        else:
            lift(national, country, new)
    if "US" in national:
        for shape in charts.outlines("us-states")["shapes"]:
            lift(regional, shape["code"], national["US"])
    return national, regional


def maps(*, laws=False):
    """The world map by country and the US map by state, with their table rows."""
    deployments, by_state = deployment_counts_by_place()
    countries = country_counts(deployments)
    by_country = {code: d for code, _a, d, _p in countries}
    figures = {
        "world": charts.choropleth(
            "world",
            by_country,
            title="Published deployments by country",
            place_of=Place,
            map_id="map-world",
        ),
        "us": charts.choropleth(
            "us-states",
            by_state,
            title="Published deployments by US state",
            place_of=lambda code: Place("US", code),
            map_id="map-us",
        ),
        "countries": [(Place(c), a, d, p) for c, a, d, p in countries],
        "states": sorted(
            ((Place("US", code), n) for code, n in by_state.items()),
            key=lambda r: (-r[1], r[0].name),
        ),
    }
    if laws:
        national, regional = strongest_laws()
        figures["world_laws"] = charts.choropleth(
            "world",
            {},
            laws=national,
            title="Strongest law in force by country",
            place_of=Place,
            map_id="map-world-laws",
        )
        figures["us_laws"] = charts.choropleth(
            "us-states",
            {},
            laws=regional,
            title="Strongest law in force throughout each US state",
            place_of=lambda code: Place("US", code),
            map_id="map-us-laws",
        )
    return figures


def overview(prefix, *, laws=False):
    """
    The whole register's maps and charts, as the places index and the home
    page show them (``prefix``: the charts' ids on the page).
    """
    deployments = Deployment.objects.published()

    def link(**params):
        return list_url("registry:deployment-list", **params)

    figures = deployment_figures(deployments, link)
    years = by_year(deployments, link)
    return {
        "maps": maps(laws=laws),
        "charts": charts_for(figures, years, prefix),
        "figures": figures,
        "years": years,
    }


def places_index(request):
    """Every country with records, with the maps and their tables."""
    view = request.GET.get("view", "")
    return render(
        request,
        "registry/places.html",
        {"view": view, **overview("all", laws=view == "laws")},
    )


def agency_scorecard(request, slug):
    """The scorecard of one agency, from the policies that govern it and its deployments."""
    fmt = export_format(request)
    if fmt is None:
        return bad_format()
    agency = get_object_or_404(Agency.objects.published(), slug=slug)
    policies = list(Policy.objects.published().governing(agency).order_by("title"))
    deployments = agency.deployments.published()
    totals = deployments.aggregate(
        total=Count("pk"),
        reported=Count("pk", filter=Q(audit_status=choices.AuditStatus.REPORTED)),
    )
    grades = scorecards.grade(
        policies,
        deployments=totals["total"],
        audited=totals["reported"],
        audited_url=list_url(
            "registry:deployment-list", agency=agency.slug, audit_status="reported"
        ),
    )
    if fmt != "html":
        return scorecard_export(
            request,
            agency.name,
            grades,
            "governing_policies",
            [
                {"id": p.slug, "title": p.title, "basis": p.basis, "url": p.get_absolute_url()}
                for p in policies
            ],
            fmt,
        )
    return render(
        request,
        "registry/agency_scorecard.html",
        {
            "agency": agency,
            "grades": grades,
            "policies": policies,
            "place": Place(agency.country, agency.region, agency.locality if agency.region else ""),
            "citation": place_citation(
                request, f"Scorecard of {agency.name}", request.path, f"scorecard:{agency.slug}"
            ),
        },
    )


class PlaceFeed(Feed):
    """Atom feed of a place: its most recently updated deployments, agencies and policies."""

    feed_type = Atom1Feed

    def get_object(self, request, key):
        return place_or_404(key)

    def title(self, place):
        return f"{place.full_name}: changes in the {settings.REGISTER_NAME}"

    def link(self, place):
        return place.get_absolute_url()

    def subtitle(self, place):
        return f"Deployments, agencies and policies of {place.full_name}, newest change first."

    def items(self, place):
        rows = [
            *Deployment.objects.published()
            .filter(place.agency_q("agency__"))
            .for_display()
            .order_by("-updated_at")[:20],
            *Agency.objects.published().filter(place.agency_q()).order_by("-updated_at")[:20],
            *Policy.objects.published().filter(place.policy_q()).order_by("-updated_at")[:20],
        ]
        return sorted(rows, key=lambda r: r.updated_at, reverse=True)[:20]

    def item_title(self, item):
        return f"{item._meta.verbose_name.capitalize()}: {item}"

    def item_description(self, item):
        return f"Updated {item.updated_at:%d %B %Y}."

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.updated_at


# Search ---------------------------------------------------------------------------

# The search page shows at most this many places, and this many agencies and
# policies of each, before the full-text results.
SEARCH_PLACES = 2
SEARCH_ROWS = 10


@dataclass
class PlaceHit:
    place: Place
    agencies: list
    agency_total: int
    policies: list
    policy_total: int

    @property
    def agencies_url(self):
        return list_url("registry:agency-list", place=self.place.key)

    @property
    def policies_url(self):
        return list_url("registry:policy-list", place=self.place.key, in_force="true")


def search_places(query):
    """
    The places a search names (``places.resolve``), each with its agencies
    (most deployments first) and the policies in force that apply there.
    Four queries per place shown, at most ``SEARCH_PLACES``.
    """
    hits = []
    for place in places.resolve(query)[:SEARCH_PLACES]:
        agencies = (
            Agency.objects.published()
            .filter(place.agency_q())
            .with_published_count("deployment_count", Deployment, "agency")
            .order_by("-deployment_count", "name", "pk")
        )
        policies = (
            Policy.objects.published()
            .in_force()
            .filter(place.policy_q())
            .annotate(throughout=ExpressionWrapper(place.covering_q(), output_field=BooleanField()))
            .order_by("-throughout", "title")
        )
        hits.append(
            PlaceHit(
                place,
                list(agencies[:SEARCH_ROWS]),
                agencies.count(),
                list(policies[:SEARCH_ROWS]),
                policies.count(),
            )
        )
    return hits
