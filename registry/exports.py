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
- Formula injection: a CSV cell that begins with ``=``, ``+``, ``-``, ``@``
  (or their full-width forms ``＝＋－＠``), a tab or a carriage return, also
  after leading spaces or other whitespace, gets a leading ``'`` so a
  spreadsheet shows it as text rather than running it. JSON values are left
  exactly as recorded.
"""

import csv
import functools
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import OuterRef, StringAgg, Subquery, TextField, Value
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from . import credits, dates, types
from .choices import PUBLISHED
from .filters import PAGE_PARAMS
from .models import Agency, Audit, Deployment, Policy, Source, System, Vendor

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
CHUNK_SIZE = 2_000  # rows read from the database at a time
BATCH_ROWS = 500  # rows written per chunk of the response
BOM = "\ufeff"
# Spreadsheets skip leading whitespace and read full-width signs as their
# ASCII twins, so " =1+1" and "＝1+1" run as formulas too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


class UnknownFormat(ValueError):
    pass


class SitePath(str):
    """A path on this site (``/deployments/x/``), written as an absolute URL."""


@dataclass(frozen=True)
class Column:
    """
    One column: its stable name, what it means (shown on /data/), the database
    paths it reads with ``values()``, and how a row of those becomes its value.
    """

    name: str
    description: str
    reads: tuple[str, ...]
    value: Callable[[dict], Any]


@dataclass(frozen=True)
class ExportSpec:
    """The columns of one record type."""

    model: type
    columns: tuple[Column, ...]

    @property
    def name(self):
        return types.of(self.model).name

    @property
    def header(self):
        return [column.name for column in self.columns]

    @property
    def reads(self):
        return list(dict.fromkeys(path for column in self.columns for path in column.reads))

    @property
    def many(self):
        """Many-to-many relations read as ``export_<relation>`` annotations."""
        prefix = "export_"
        return [path.removeprefix(prefix) for path in self.reads if path.startswith(prefix)]


# Kinds of column ------------------------------------------------------------------
# Rows are read as dicts (``values()``), not model instances: at 100,000 rows
# building four model instances per row is most of an export's time.


def published(obj):
    """``obj`` if it is a published record, else None: hidden records never leak."""
    return obj if obj is not None and obj.state == PUBLISHED else None


def field(name, description, path=None):
    """A field of the row as stored; empty text is written as empty (None)."""
    path = path or name
    return Column(name, description, (path,), lambda row: _blank_to_none(row[path]))


def _blank_to_none(value):
    return None if value == "" else value


def related(name, description, *chain, attr):
    """
    A field of a related record (``chain`` of relations, e.g. ``"system",
    "vendor"``), shown only if every record along the chain is published.
    """
    prefixes = ["__".join(chain[: n + 1]) for n in range(len(chain))]
    states = tuple(f"{prefix}__state" for prefix in prefixes)
    path = f"{prefixes[-1]}__{attr}"

    def read(row):
        if all(row[state] == PUBLISHED for state in states):
            return _blank_to_none(row[path])
        return None

    return Column(name, description, (*states, path), read)


def partial_date(name, description):
    """A partial date as ISO text at its known precision: ``2019``, ``2019-05``."""
    return Column(
        name,
        description,
        (name, f"{name}_precision"),
        lambda row: dates.to_iso(row[name], row[f"{name}_precision"]),
    )


def many(name, description):
    """Ids of the published records a many-to-many relation links to."""
    key = f"export_{name}"
    return Column(
        name, description, (key,), lambda row: sorted(filter(None, (row[key] or "").split(";")))
    )


def page_url(model, noun):
    def read(row):
        before, after = _detail_path_parts(model)
        return SitePath(f"{before}{row['slug']}{after}")

    return Column("url", f"The {noun}'s page in the register.", ("slug",), read)


@functools.cache
def _detail_path_parts(model) -> tuple[str, str]:
    # One reverse() per model rather than per row (the resolver is slow at
    # 100,000 rows); the URL is still the one get_absolute_url() gives.
    path = reverse(f"registry:{model._meta.model_name}-detail", kwargs={"slug": _SLUG_MARK})
    before, after = path.split(_SLUG_MARK)
    return before, after


_SLUG_MARK = "slug-mark"


def published_ids(model, relation):
    """
    The ids of the published records ``relation`` links a row to, as one
    ``;``-joined string: a correlated subquery, so many-to-many columns cost no
    query per row or per chunk.
    """
    m2m = model._meta.get_field(relation)
    through = m2m.remote_field.through
    owner, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    links = (
        through.objects.filter(**{owner: OuterRef("pk"), f"{target}__state": PUBLISHED})
        .order_by()
        .values(owner)
        .annotate(ids=StringAgg(f"{target}__slug", Value(";")))
        .values("ids")
    )
    return Subquery(links, output_field=TextField())


def _id_url(model, noun):
    return (
        Column("id", f"Permanent id of the {noun}; never changes.", ("slug",),
               lambda row: row["slug"]),
        page_url(model, noun),
    )  # fmt: skip


def _record_tail(noun, *, sources=True):
    return (
        *((many("sources", "Ids of the published sources backing it, `;`-separated."),)
          if sources else ()),
        Column("last_updated", f"When the {noun} last changed here (UTC).", ("updated_at",),
               lambda row: dates.utc_timestamp(row["updated_at"])),
        Column("last_verified", "When a maintainer last re-checked it against its sources.",
               ("last_verified",),
               lambda row: row["last_verified"].isoformat() if row["last_verified"] else None),
    )  # fmt: skip


def _audit_status_columns():
    return (
        field("audit_status", "Bias-audit status: none_known, tested, audited or reported."),
        field("audit_finding", "Finding of the audit that decides the status."),
        partial_date("audit_date", "Publication date of that audit."),
    )


# The column specs -------------------------------------------------------------
# fmt: off


def _specs():
    """Every record type's columns; stable names, documented on /data/."""
    return (
        ExportSpec(Deployment, (
            *_id_url(Deployment, "deployment"),
            related("agency_id", "Id of the agency using face recognition.",
                    "agency", attr="slug"),
            related("agency_name", "Name of the agency.", "agency", attr="name"),
            related("agency_country", "Agency's country (ISO 3166-1).", "agency", attr="country"),
            related("agency_region", "Agency's region (ISO 3166-2), if not national.",
                    "agency", attr="region"),
            related("agency_kind", "Kind of agency (police, sheriff, ...).",
                    "agency", attr="kind"),
            related("system_id", "Id of the system used; empty when not public.",
                    "system", attr="slug"),
            related("system_name", "Name of the system.", "system", attr="name"),
            related("vendor_id", "Id of the system's vendor.", "system", "vendor", attr="slug"),
            related("vendor_name", "Name of the vendor.", "system", "vendor", attr="name"),
            field("status", "Deployment status (active, pilot, ended, ...)."),
            field("uses", "What it is used for, `;`-separated."),
            partial_date("started", "When the use started."),
            partial_date("ended", "When the use ended."),
            field("image_sources", "What faces are searched against, `;`-separated."),
            *_audit_status_columns(),
            many("policies", "Ids of published policies cited for this deployment."),
            *_record_tail("deployment"),
        )),
        ExportSpec(Agency, (
            *_id_url(Agency, "agency"),
            field("name", "Name of the agency."),
            field("acronym", "Its acronym, if any."),
            field("kind", "Kind of agency."),
            field("level", "Level of government: national, regional or local."),
            field("country", "Country (ISO 3166-1)."),
            field("region", "Region (ISO 3166-2); empty for national bodies."),
            field("locality", "City or county."),
            related("parent_id", "Id of the agency it is part of.", "parent", attr="slug"),
            related("parent_name", "Name of that agency.", "parent", attr="name"),
            field("website", "Agency website."),
            field("deployment_count", "Published deployments of the agency."),
            field("policies_in_force_count",
                  "Published policies in force that govern it (by name or jurisdiction).",
                  path="governing_policy_count"),
            *_record_tail("agency"),
        )),
        ExportSpec(System, (
            *_id_url(System, "system"),
            field("name", "Name of the system."),
            related("vendor_id", "Id of its vendor; empty for in-house systems.",
                    "vendor", attr="slug"),
            related("vendor_name", "Name of the vendor.", "vendor", attr="name"),
            field("capabilities", "What it can do, `;`-separated."),
            *_audit_status_columns(),
            field("deployment_count", "Published deployments of the system."),
            *_record_tail("system"),
        )),
        ExportSpec(Vendor, (
            *_id_url(Vendor, "vendor"),
            field("name", "The company's name."),
            field("country", "Country (ISO 3166-1)."),
            field("website", "Company website."),
            field("system_count", "Published systems of the vendor."),
            *_record_tail("vendor"),
        )),
        ExportSpec(Audit, (
            *_id_url(Audit, "audit"),
            field("auditor", "Who tested the system."),
            field("auditor_kind", "Kind of auditor; vendor and agency are self-assessments."),
            related("system_id", "Id of the system tested.", "system", attr="slug"),
            related("system_name", "Name of the system.", "system", attr="name"),
            related("deployment_id", "Id of the deployment tested, for a deployment audit.",
                    "deployment", attr="slug"),
            related("deployment_agency_name", "Agency of that deployment.",
                    "deployment", "agency", attr="name"),
            partial_date("published", "When the audit was published."),
            field("is_public", "Is the report itself public? true or false."),
            field("dimensions", "Groups compared, `;`-separated."),
            field("finding", "What it found."),
            field("report_url", "The report."),
            *_record_tail("audit"),
        )),
        ExportSpec(Policy, (
            *_id_url(Policy, "policy"),
            field("title", "Title of the policy."),
            field("kind", "Kind: ban, statute, ordinance, agency_policy, ..."),
            field("status", "Status: proposed, enacted, in_force, repealed, ..."),
            field("country", "Country (ISO 3166-1), or EU for European Union law."),
            field("regions", "Regions (ISO 3166-2) it covers, `;`-separated, for regional and "
                  "local law; a law of England and Wales names GB-ENG;GB-WLS."),
            field("locality", "City or county, for local law."),
            field("issuer", "Who issued it."),
            partial_date("adopted", "When it was adopted."),
            partial_date("effective", "When it took effect."),
            partial_date("ends", "When it ends (sunset)."),
            field("requirements", "What it requires or bans, `;`-separated."),
            field("text_url", "The text of the policy.", path="url"),
            many("agencies", "Ids of published agencies it names, `;`-separated."),
            *_record_tail("policy"),
        )),
        ExportSpec(Source, (
            *_id_url(Source, "source"),
            field("title", "The document's title."),
            field("publisher", "Who published it."),
            partial_date("published", "When it was published."),
            field("kind", "Kind of source: government, court, news, ..."),
            field("document_url", "Where the document is.", path="url"),
            field("archived_url", "A web-archive copy, where one exists."),
            *_record_tail("source", sources=False),
        )),
    )

# fmt: on


_BY_MODEL = {spec.model: spec for spec in _specs()}
# Each record type's columns, by the type's name.
EXPORTS = {record_type.name: _BY_MODEL[record_type.model] for record_type in types.RECORD_TYPES}


# Rows ---------------------------------------------------------------------------


def export_rows(name: str, queryset) -> Iterable[dict]:
    """
    The rows of ``queryset`` as dicts of what the columns of ``name`` read,
    in chunks. The list's order is kept, with the primary key added last so
    that ties come out the same way every time.
    """
    spec = EXPORTS[name]
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    queryset = (
        queryset.annotate(
            **{
                f"export_{relation}": published_ids(queryset.model, relation)
                for relation in spec.many
            }
        )  # fmt: skip
        .order_by(*ordering, "pk")
        .values(*spec.reads)
    )
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def row_values(spec: ExportSpec, row: dict, base_url: str) -> list:
    values = []
    for column in spec.columns:
        value = column.value(row)
        if isinstance(value, SitePath):
            value = base_url + value
        values.append(value)
    return values


# Writers ------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A cell a spreadsheet could run as a formula is prefixed with ``'``."""
    # A leading tab or carriage return is itself a trigger; any other
    # whitespace before a sign is skipped by spreadsheets, so look past it.
    if text[:1] in ("\t", "\r") or text.lstrip().startswith(FORMULA_TRIGGERS):
        return f"'{text}"
    return text


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
    return {key: data.getlist(key) for key in data if key not in PAGE_PARAMS}


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


def list_export(request, listing, fmt: str) -> HttpResponse:
    """The whole filtered list (a ``listing.ListPage``) as a streamed CSV or JSON download."""
    if not listing.valid:
        return problems_response(fmt, listing.problems)
    spec, filterset = listing.record_type, listing.filterset
    export = EXPORTS[spec.name]
    now = timezone.now()
    generated = dates.utc_timestamp(now)
    filters = provenance(filterset)
    base_url = site_url(request)
    queryset = listing.rows
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
            "third_party_data": [c.as_dict() for c in credits.THIRD_PARTY_DATA],
            "source_url": page_url + (f"?{query}" if filters else ""),
            "columns_url": request.build_absolute_uri(reverse("registry:data"))
            + f"#columns-{spec.name}",
            "count": listing.total,
        }
        content = json_chunks(export, rows, base_url=base_url, meta=meta)
    response = StreamingHttpResponse(content, content_type=FORMATS[fmt])
    filename = f"{spec.name}-{timezone.localdate(now).isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Register-Filters"] = _filters_header(filters)
    response["X-Register-Generated"] = generated
    response["Link"] = licence_link()
    return response
