"""
CSV and JSON exports of the public lists, and the column specs they share
with the bulk download (``bulk.py``).

Every list URL has two twins, ``?format=csv`` and ``?format=json``: the same
FilterSet selects the same rows (all filters, search and sort applied), and
every row is written, not just one page. Exports stream: rows are read with
``QuerySet.iterator(chunk_size=...)`` and written in batches, so memory stays
flat whatever the number of rows (``manage.py benchmark_export`` measures it).

The columns of each entity are listed below, explicitly, and documented on
the /data/ page from the same spec; their names are stable. Conventions:

- ``id`` is the record's permanent id (its slug), ``url`` its page here;
  related records appear as ``<relation>_id`` and ``<relation>_name``.
  A related record that is not published is left empty, never half-shown.
- Enum values are the `fr-registry/1` values (``active``, ``none_known``),
  listed on the methodology page; several values are joined with ``;`` in CSV
  and are lists in JSON.
- Dates are ISO text at their known precision: ``2019``, ``2019-05`` or
  ``2019-05-14``; ``last_updated`` is a UTC timestamp.
- CSV is UTF-8 *with* a byte-order mark, so Excel reads accents correctly
  (LibreOffice, Google Sheets and Python's ``utf-8-sig`` codec accept it), with
  one header row and CRLF line ends. No comment lines (they break
  spreadsheets): provenance is in the HTTP headers ``X-Register-Filters``,
  ``X-Register-Generated`` and ``Link: <licence>; rel="license"``.
- Formula injection: a CSV cell that begins with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return gets a leading ``'`` so a spreadsheet shows it
  as text rather than running it. JSON values are left exactly as recorded.
"""

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from . import choices, dates
from .models import Agency, Policy, Source

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
CHUNK_SIZE = 2_000  # rows read from the database at a time (and prefetched together)
BATCH_ROWS = 500  # rows written per chunk of the response
BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Parameters that are not filters: never part of an export's provenance.
NOT_FILTERS = ("page", "format", "facet_size")


class UnknownFormat(ValueError):
    pass


class SitePath(str):
    """A path on this site (``/deployments/x/``), written as an absolute URL."""


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ExportSpec:
    """The columns of one entity, and what its rows need loaded to fill them."""

    name: str
    columns: tuple[Column, ...]
    select_related: tuple[str, ...] = ()
    prefetch: Callable[[], list] = list

    @property
    def header(self):
        return [column.name for column in self.columns]


# Reading values ---------------------------------------------------------------


def published(obj):
    """``obj`` if it is a published record, else None: hidden records never leak."""
    return obj if obj is not None and obj.state == choices.State.PUBLISHED else None


def _attr(relation: str, attr: str):
    def read(obj):
        related = published(getattr(obj, relation))
        return getattr(related, attr) if related is not None else None

    return read


def _path(obj):
    return SitePath(obj.get_absolute_url())


def _partial(name):
    return lambda obj: dates.to_iso(getattr(obj, name), getattr(obj, f"{name}_precision"))


def _slugs(relation):
    # The relation is prefetched with published records only (see ``_published_m2m``).
    return lambda obj: [o.slug for o in getattr(obj, relation).all()]


def _timestamp(value):
    if value is None:
        return None
    return value.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _published_m2m(relation, model, *fields):
    return Prefetch(relation, queryset=model.objects.published().only("pk", "slug", *fields))


def _system_vendor(obj):
    system = published(obj.system)
    return published(system.vendor) if system is not None else None


def _vendor_attr(attr):
    def read(obj):
        vendor = _system_vendor(obj)
        return getattr(vendor, attr) if vendor is not None else None

    return read


def _deployment_agency(audit):
    deployment = published(audit.deployment)
    return published(deployment.agency) if deployment is not None else None


def _common_tail(kind="record"):
    return (
        Column("sources", "Ids of the published sources backing the record, `;`-separated.",
               _slugs("sources")),
        Column("last_updated", f"When the {kind} last changed here (UTC).",
               lambda o: _timestamp(o.updated_at)),
        Column("last_verified", "When a maintainer last re-checked it against its sources.",
               lambda o: o.last_verified.isoformat() if o.last_verified else None),
    )  # fmt: skip


def _id_url(noun):
    return (
        Column("id", f"Permanent id of the {noun}; never changes.", lambda o: o.slug),
        Column("url", f"The {noun}'s page in the register.", _path),
    )


def _audit_status_columns():
    return (
        Column("audit_status", "Bias-audit status: none_known, tested, audited or reported.",
               lambda o: o.audit_status),
        Column("audit_finding", "Finding of the audit that decides the status.",
               lambda o: o.audit_finding or None),
        Column("audit_date", "Publication date of that audit.", _partial("audit_date")),
    )  # fmt: skip


# The column specs -------------------------------------------------------------
# fmt: off

EXPORTS = {
    spec.name: spec
    for spec in (
        ExportSpec(
            "deployments",
            (
                *_id_url("deployment"),
                Column("agency_id", "Id of the agency using face recognition.",
                       _attr("agency", "slug")),
                Column("agency_name", "Name of the agency.", _attr("agency", "name")),
                Column("agency_country", "Agency's country (ISO 3166-1).",
                       _attr("agency", "country")),
                Column("agency_region", "Agency's region (ISO 3166-2), if not national.",
                       lambda d: _attr("agency", "region")(d) or None),
                Column("agency_kind", "Kind of agency (police, sheriff, ...).",
                       lambda d: _attr("agency", "kind")(d) or None),
                Column("system_id", "Id of the system used; empty when not public.",
                       _attr("system", "slug")),
                Column("system_name", "Name of the system.", _attr("system", "name")),
                Column("vendor_id", "Id of the system's vendor.", _vendor_attr("slug")),
                Column("vendor_name", "Name of the vendor.", _vendor_attr("name")),
                Column("status", "Deployment status (active, pilot, ended, ...).",
                       lambda d: d.status or None),
                Column("uses", "What it is used for, `;`-separated.", lambda d: d.uses),
                Column("started", "When the use started.", _partial("started")),
                Column("ended", "When the use ended.", _partial("ended")),
                Column("image_sources", "What faces are searched against, `;`-separated.",
                       lambda d: d.image_sources),
                *_audit_status_columns(),
                Column("policies", "Ids of published policies cited for this deployment.",
                       _slugs("policies")),
                *_common_tail("deployment"),
            ),
            select_related=("agency", "system", "system__vendor"),
            prefetch=lambda: [
                _published_m2m("policies", Policy),
                _published_m2m("sources", Source),
            ],
        ),
        ExportSpec(
            "agencies",
            (
                *_id_url("agency"),
                Column("name", "Name of the agency.", lambda a: a.name),
                Column("acronym", "Its acronym, if any.", lambda a: a.acronym or None),
                Column("kind", "Kind of agency.", lambda a: a.kind or None),
                Column("level", "Level of government: national, regional or local.",
                       lambda a: a.level or None),
                Column("country", "Country (ISO 3166-1).", lambda a: a.country),
                Column("region", "Region (ISO 3166-2); empty for national bodies.",
                       lambda a: a.region or None),
                Column("locality", "City or county.", lambda a: a.locality or None),
                Column("parent_id", "Id of the agency it is part of.", _attr("parent", "slug")),
                Column("parent_name", "Name of that agency.", _attr("parent", "name")),
                Column("website", "Agency website.", lambda a: a.website or None),
                Column("deployment_count", "Published deployments of the agency.",
                       lambda a: a.deployment_count),
                Column("policies_in_force_count",
                       "Published policies in force that govern it (by name or jurisdiction).",
                       lambda a: a.governing_policy_count),
                *_common_tail("agency"),
            ),
            select_related=("parent",),
            prefetch=lambda: [_published_m2m("sources", Source)],
        ),
        ExportSpec(
            "systems",
            (
                *_id_url("system"),
                Column("name", "Name of the system.", lambda s: s.name),
                Column("vendor_id", "Id of its vendor; empty for in-house systems.",
                       _attr("vendor", "slug")),
                Column("vendor_name", "Name of the vendor.", _attr("vendor", "name")),
                Column("capabilities", "What it can do, `;`-separated.", lambda s: s.capabilities),
                *_audit_status_columns(),
                Column("deployment_count", "Published deployments of the system.",
                       lambda s: s.deployment_count),
                *_common_tail("system"),
            ),
            select_related=("vendor",),
            prefetch=lambda: [_published_m2m("sources", Source)],
        ),
        ExportSpec(
            "vendors",
            (
                *_id_url("vendor"),
                Column("name", "The company's name.", lambda v: v.name),
                Column("country", "Country (ISO 3166-1).", lambda v: v.country or None),
                Column("website", "Company website.", lambda v: v.website or None),
                Column("system_count", "Published systems of the vendor.",
                       lambda v: v.system_count),
                *_common_tail("vendor"),
            ),
            prefetch=lambda: [_published_m2m("sources", Source)],
        ),
        ExportSpec(
            "audits",
            (
                *_id_url("audit"),
                Column("auditor", "Who tested the system.", lambda a: a.auditor),
                Column("auditor_kind", "Kind of auditor; vendor and agency are self-assessments.",
                       lambda a: a.auditor_kind or None),
                Column("system_id", "Id of the system tested.", _attr("system", "slug")),
                Column("system_name", "Name of the system.", _attr("system", "name")),
                Column("deployment_id", "Id of the deployment tested, for a deployment audit.",
                       _attr("deployment", "slug")),
                Column("deployment_agency_name", "Agency of that deployment.",
                       lambda a: getattr(_deployment_agency(a), "name", None)),
                Column("published", "When the audit was published.", _partial("published")),
                Column("is_public", "Is the report itself public? true or false.",
                       lambda a: a.is_public),
                Column("dimensions", "Groups compared, `;`-separated.", lambda a: a.dimensions),
                Column("finding", "What it found.", lambda a: a.finding or None),
                Column("report_url", "The report.", lambda a: a.report_url or None),
                *_common_tail("audit"),
            ),
            select_related=("system", "deployment", "deployment__agency"),
            prefetch=lambda: [_published_m2m("sources", Source)],
        ),
        ExportSpec(
            "policies",
            (
                *_id_url("policy"),
                Column("title", "Title of the policy.", lambda p: p.title),
                Column("kind", "Kind: ban, statute, ordinance, agency_policy, ...",
                       lambda p: p.kind or None),
                Column("status", "Status: proposed, enacted, in_force, repealed, ...",
                       lambda p: p.status or None),
                Column("country", "Country (ISO 3166-1), or EU for European Union law.",
                       lambda p: p.country),
                Column("region", "Region (ISO 3166-2), for regional and local law.",
                       lambda p: p.region or None),
                Column("locality", "City or county, for local law.", lambda p: p.locality or None),
                Column("issuer", "Who issued it.", lambda p: p.issuer or None),
                Column("adopted", "When it was adopted.", _partial("adopted")),
                Column("effective", "When it took effect.", _partial("effective")),
                Column("ends", "When it ends (sunset).", _partial("ends")),
                Column("requirements", "What it requires or bans, `;`-separated.",
                       lambda p: p.requirements),
                Column("text_url", "The text of the policy.", lambda p: p.url or None),
                Column("agencies", "Ids of published agencies it names, `;`-separated.",
                       _slugs("agencies")),
                *_common_tail("policy"),
            ),
            prefetch=lambda: [
                _published_m2m("agencies", Agency),
                _published_m2m("sources", Source),
            ],
        ),
        ExportSpec(
            "sources",
            (
                *_id_url("source"),
                Column("title", "The document's title.", lambda s: s.title),
                Column("publisher", "Who published it.", lambda s: s.publisher or None),
                Column("published", "When it was published.", _partial("published")),
                Column("kind", "Kind of source: government, court, news, ...",
                       lambda s: s.kind or None),
                Column("document_url", "Where the document is.", lambda s: s.url),
                Column("archived_url", "A web-archive copy, where one exists.",
                       lambda s: s.archived_url or None),
                Column("last_updated", "When the source last changed here (UTC).",
                       lambda o: _timestamp(o.updated_at)),
                Column("last_verified", "When a maintainer last re-checked it.",
                       lambda o: o.last_verified.isoformat() if o.last_verified else None),
            ),
        ),
    )
}

# fmt: on


# Rows ---------------------------------------------------------------------------


def export_rows(name: str, queryset) -> Iterable:
    """
    The rows of ``queryset`` with what the columns of ``name`` need, read in
    chunks. The list's order is kept, with the primary key added last so that
    ties come out the same way every time.
    """
    spec = EXPORTS[name]
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    queryset = (
        queryset.select_related(*spec.select_related)
        .prefetch_related(*spec.prefetch())
        .order_by(*ordering, "pk")
    )
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def row_values(spec: ExportSpec, obj, base_url: str) -> list:
    values = []
    for column in spec.columns:
        value = column.value(obj)
        if isinstance(value, SitePath):
            value = base_url + value
        values.append(value)
    return values


# Writers ------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A cell a spreadsheet could run as a formula is prefixed with ``'``."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    return neutralise(str(value))


def csv_chunks(spec: ExportSpec, rows: Iterable, *, base_url: str, bom: bool = True):
    """The CSV text of ``rows`` in chunks of ``BATCH_ROWS`` rows, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spec.header)
    yield (BOM if bom else "") + buffer.getvalue()
    pending = 0
    buffer.seek(0)
    buffer.truncate()
    for obj in rows:
        writer.writerow([csv_cell(v) for v in row_values(spec, obj, base_url)])
        pending += 1
        if pending == BATCH_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_chunks(spec: ExportSpec, rows: Iterable, *, base_url: str, meta: dict):
    """``{"meta": {...}, "results": [...]}``, written as the rows are read."""
    yield f'{{"meta": {_dumps(meta)},\n"results": ['
    batch, separator = [], "\n"
    for obj in rows:
        batch.append(_dumps(dict(zip(spec.header, row_values(spec, obj, base_url), strict=True))))
        if len(batch) == BATCH_ROWS:
            yield separator + ",\n".join(batch)
            batch, separator = [], ",\n"
    if batch:
        yield separator + ",\n".join(batch)
    yield "\n]}\n"


# Responses ----------------------------------------------------------------------


def requested_format(data) -> str | None:
    """``csv`` or ``json`` from ``?format=``; None for the HTML page; UnknownFormat otherwise."""
    value = (data.get("format") or "").strip().lower()
    if value in ("", "html"):
        return None
    if value in FORMATS:
        return value
    raise UnknownFormat(value)


def site_url(request) -> str:
    """``https://host`` of this site: what ``url`` columns are prefixed with."""
    configured = getattr(settings, "SITE_URL", "")
    if configured:
        return configured.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/")


def provenance(filterset) -> dict[str, list[str]]:
    """The parameters that selected the rows (filters, search, sort), as lists of values."""
    data = filterset.data
    return {key: data.getlist(key) for key in data if key not in NOT_FILTERS}


def _filters_header(filters: dict) -> str:
    return urlencode([(k, v) for k, values in filters.items() for v in values]) or "none"


def licence_link() -> str:
    return f'<{settings.DATA_LICENCE_URL}>; rel="license"'


def bad_format_response(exc: UnknownFormat) -> HttpResponse:
    return HttpResponse(
        f"Unknown format “{exc}”. Use format=csv or format=json (or leave it out for the "
        "web page).\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def problems_response(fmt: str, problems: list[dict]) -> HttpResponse:
    """Invalid filters: a 400 in the asked-for format's family, never a half export."""
    if fmt == "json":
        return JsonResponse({"errors": problems}, status=400)
    lines = ["Some filters could not be used, so nothing was exported:"]
    for problem in problems:
        line = f"- {problem['param']}: {' '.join(problem['messages'])}"
        if problem.get("accepted"):
            line += f" Accepted values: {', '.join(problem['accepted'])}."
        elif problem.get("hint"):
            line += f" Expected {problem['hint']}."
        lines.append(line)
    return HttpResponse(
        "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


def list_export(request, spec, filterset, fmt: str) -> HttpResponse:
    """The whole filtered list ``spec`` as a streamed CSV or JSON download."""
    if not filterset.is_valid():
        return problems_response(fmt, filterset.problems())
    export = EXPORTS[spec.name]
    now = timezone.now()
    generated = _timestamp(now)
    filters = provenance(filterset)
    base_url = site_url(request)
    queryset = filterset.qs
    rows = export_rows(spec.name, queryset)
    if fmt == "csv":
        content = csv_chunks(export, rows, base_url=base_url)
    else:
        page_url = request.build_absolute_uri(reverse(spec.url_name))
        query = _filters_header(filters)
        meta = {
            "list": spec.name,
            "filters": filters,
            "generated": generated,
            "licence": settings.DATA_LICENCE,
            "licence_url": settings.DATA_LICENCE_URL,
            "source_url": page_url + (f"?{query}" if filters else ""),
            "columns_url": request.build_absolute_uri(reverse("registry:data")) + "#columns",
            "count": queryset.count(),
        }
        content = json_chunks(export, rows, base_url=base_url, meta=meta)
    response = StreamingHttpResponse(content, content_type=FORMATS[fmt])
    filename = f"{spec.name}-{timezone.localdate(now).isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Register-Filters"] = _filters_header(filters)
    response["X-Register-Generated"] = generated
    response["Link"] = licence_link()
    return response
