"""
Import the face recognition rows of the Atlas of Surveillance (EFF and the
University of Nevada, Reno; CC BY 4.0) into the register.

As the federal importer: a pure core that reads and checks the whole CSV
(``read_atlas``) and maps each row to register words (``plan``), then a service
(``import_atlas``) that writes inside one transaction, matching every agency,
vendor and deployment through ``reconcile.py`` (candidates loaded once) before
creating one. A dry run rolls back, so its summary is what a real run would do.

What a row becomes (also on the methodology page):

- Only rows whose ``Technology`` is ``Face Recognition``; every other row is
  counted as skipped by technology. A row repeating an ``AOSNUMBER`` already
  read is skipped as a repeat.
- **Agency**: ``Agency`` as name, ``State`` as region ``US-XX`` (none for
  federal bodies), ``Type of LEA`` as kind and ``Type of Juris`` as level and
  locality by the tables ``KINDS`` and ``JURISDICTIONS``. The 17 rows
  "U.S. Customs and Border Protection - <airport>" are the one CBP agency, with
  one deployment per airport.
- **Vendors**: ``Vendor`` split on commas, each matched by normalised name
  (``VENDOR_ALIASES`` for the Atlas's short forms); empty means not known. A
  vendor without a named product is linked through a system record that says
  so ("IDEMIA face recognition (product not named)"), so vendor filters find
  the use without claiming a product.
- **Deployment**: one per (agency, vendor), status ``reported``, no uses and no
  start date (a link's date is when a report was published, not when use
  began); ``last_reported`` is the latest link date, at its precision, and
  ``reported_by`` the Atlas.
- **Sources**: each ``Link N`` a source (URL, publisher from ``Link N Source``,
  date at the precision given), one per URL however many rows cite it, titled
  with the one record citing it or with how many do; a value that is not a URL
  is reported, not stored. The row itself is a ``dataset`` source
  (``atlas-of-surveillance-aos0137``) crediting the Atlas (CC BY 4.0), whose
  excerpt is the Atlas's ``Summary``: its words, shown only as a quotation
  credited to it.
- New records are drafts unless ``publish``; records the register already has
  gain the row's sources and fill only empty fields (``reconcile.fill``).
  Re-importing the file changes nothing: the row source (by ``AOSNUMBER``) finds
  the records it built.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.text import slugify

from .. import choices
from ..credits import ATLAS_OF_SURVEILLANCE as CREDIT
from ..dates import humanize
from ..format import URL_RE
from ..models import Agency, Deployment, Source, System, Vendor, validate_record
from ..services import save_record
from . import reconcile
from .base import FileError, ImportSummary, all_or_nothing

#: The longest link a source can keep whole (``Source.url``).
URL_MAX: int = Source._meta.get_field("url").max_length or 0

SNAPSHOT = datetime.date(2020, 10, 7)
TECHNOLOGY = "Face Recognition"
REQUIRED = (
    "AOSNUMBER", "City", "County", "State", "Agency", "Type of LEA", "Summary", "Type of Juris",
    "Technology", "Vendor", "Link 1", "Link 1 Source", "Link 1 Date", "Link 2", "Link 2 Source",
    "Link 2 Date", "Link 3", "Link 3 Source", "Link 3 Date",
)  # fmt: skip
ROW_SOURCE_SLUG = "atlas-of-surveillance-{aos}"
REASON = "import_atlas: {filename}"

_K = choices.AgencyKind
#: ``Type of LEA`` → agency kind. A type not listed is ``other`` (and reported).
KINDS = {
    "Police": _K.POLICE,
    "State Police": _K.POLICE,
    "Constables": _K.POLICE,  # elected county peace officers
    "Sheriff": _K.SHERIFF,
    "DMV": _K.MOTOR_VEHICLES,
    "DHS": _K.BORDER_IMMIGRATION,  # only CBP's airport rows
    "Corrections": _K.CORRECTIONS,
    "Juvenile": _K.CORRECTIONS,  # juvenile justice services
    "Fusion Center": _K.INTELLIGENCE,
    "School District": _K.EDUCATION,
    # The Atlas files the Hawaii Criminal Justice Data Center under the Attorney
    # General it belongs to; the agency itself is not a prosecutor.
    "Attorney General": _K.OTHER,
    "Medical Examiner": _K.OTHER,
}
_L = choices.Level
#: ``Type of Juris`` → (level, where the locality comes from). State, regional
#: and federal bodies get no locality: the city in the row is their seat, not
#: their jurisdiction (a city's ordinance does not bind a state police force).
JURISDICTIONS = {
    "Municipal": (_L.LOCAL, "City"),
    "University": (_L.LOCAL, "City"),
    "Airport": (_L.LOCAL, "City"),
    "County": (_L.LOCAL, "County"),  # the county when the row names one, else the city
    "Regional": (_L.REGIONAL, None),
    "State": (_L.REGIONAL, None),
    "Federal": (_L.NATIONAL, None),
}
#: The Atlas's short vendor names → the vendor's name.
VENDOR_ALIASES = {"dataworks": "DataWorks Plus"}
CBP = re.compile(r"^U\.S\. Customs and Border Protection\s*-\s*(?P<site>.+)$")
CBP_NAME = "U.S. Customs and Border Protection"
_AOS = re.compile(r"^AOS\d{4,}$")
_STATE = re.compile(r"^[A-Z]{2}$")


class AtlasError(FileError):
    """An Atlas CSV that cannot be imported; nothing was written."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    values: dict

    def get(self, key):
        return " ".join((self.values.get(key) or "").replace("\u200e", "").split())

    @property
    def aos(self):
        return self.get("AOSNUMBER")

    @property
    def label(self):
        return f"{self.aos} “{self.get('Agency')}” ({self.get('State')})"


def read_atlas(data: bytes) -> list[Row]:
    """
    Every row of an Atlas CSV, or ``AtlasError`` naming the first problem: not
    UTF-8, not the Atlas's columns, a row with more or fewer fields than the
    header, an unterminated quote, a face recognition row without an
    ``AOSNUMBER``, agency or two-letter state.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AtlasError(
            f"The file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read)."
        ) from exc
    if not text.strip():
        raise AtlasError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, number = [], 1
    try:
        header = [h.strip() for h in next(reader)]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise AtlasError(
                f"This is not an Atlas of Surveillance CSV: the header lacks {', '.join(missing)}.",
                row=1,
            )
        for fields in reader:
            number += 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if len(fields) != len(header):
                raise AtlasError(
                    f"has {len(fields)} fields but the header has {len(header)}: the row is "
                    "truncated or has an unquoted comma.",
                    row=number,
                )
            row = Row(number, dict(zip(header, fields, strict=True)))
            if row.get("Technology") == TECHNOLOGY:
                problems = [
                    what for what, ok in (
                        (f"AOSNUMBER “{row.aos}” is not an Atlas id", _AOS.match(row.aos)),
                        ("the agency is empty", row.get("Agency")),
                        (f"State “{row.get('State')}” is not a two-letter code",
                         _STATE.match(row.get("State"))),
                    ) if not ok
                ]  # fmt: skip
                if problems:
                    raise AtlasError("; ".join(problems) + ".", row=number)
            rows.append(row)
    except csv.Error as exc:
        raise AtlasError(f"is not valid CSV ({exc}); the file may be truncated.",
                         row=number + 1) from exc  # fmt: skip
    return rows


# ---------------------------------------------------------------------------
# One row in register words (pure)


def parse_link_date(text: str) -> tuple[datetime.date | None, str]:
    """``7/31/2020``, ``08/08/2019``, ``6/10/13`` (day) or ``2016`` (year); else unknown."""
    text = re.sub(r"\s+", "", text or "")
    try:
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return datetime.date(year, int(m[1]), int(m[2])), choices.DatePrecision.DAY
        if re.fullmatch(r"(19|20)\d\d", text):
            return datetime.date(int(text), 1, 1), choices.DatePrecision.YEAR
    except ValueError:
        pass
    return None, choices.DatePrecision.DAY


@dataclass(frozen=True)
class Link:
    n: int
    url: str
    publisher: str
    date: datetime.date | None
    precision: str


@dataclass(frozen=True)
class Plan:
    row: Row
    name: str
    kind: str
    level: str
    region: str
    locality: str
    site: str  # a CBP airport, else ""
    vendors: tuple
    links: tuple
    not_urls: tuple  # (n, text)
    bad_dates: tuple  # (n, text)
    unknown_kind: str

    @property
    def last_reported(self):
        dated = [(link.date, link.precision) for link in self.links if link.date]
        return max(dated) if dated else (None, choices.DatePrecision.DAY)


def split_vendors(text: str) -> tuple:
    names = []
    for part in (text or "").split(","):
        part = " ".join(part.split())
        if part:
            names.append(VENDOR_ALIASES.get(reconcile.normalise_name(part), part))
    return tuple(dict.fromkeys(names))


def plan(row: Row) -> Plan:
    name, site = row.get("Agency"), ""
    if m := CBP.match(name):
        name, site = CBP_NAME, m["site"]
    lea, juris = row.get("Type of LEA"), row.get("Type of Juris")
    level, place = JURISDICTIONS.get(juris, (_L.LOCAL, "City"))
    locality = ""
    if place == "County":
        counties = [c for c in row.get("County").split(",") if c.strip()]
        locality = counties[0].strip() if len(counties) == 1 else row.get("City")
    elif place:
        locality = row.get("City")
    links, not_urls, bad_dates = [], [], []
    for n in (1, 2, 3):
        url, date_text = row.get(f"Link {n}"), row.get(f"Link {n} Date")
        if not url:
            continue
        # A link the register cannot store whole is set aside, never cut: a
        # shortened address would cite a page the Atlas did not.
        if not URL_RE.match(url) or len(url) > URL_MAX:
            not_urls.append((n, url))
            continue
        date, precision = parse_link_date(date_text)
        if date_text and date is None:
            bad_dates.append((n, date_text))
        links.append(Link(n, url, row.get(f"Link {n} Source"), date, precision))
    return Plan(
        row=row, name=name, kind=KINDS.get(lea, _K.OTHER), level=level,
        region="" if level == _L.NATIONAL else f"US-{row.get('State')}",
        locality=locality, site=site, vendors=split_vendors(row.get("Vendor")),
        links=tuple(links), not_urls=tuple(not_urls), bad_dates=tuple(bad_dates),
        unknown_kind="" if lea in KINDS else lea,
    )  # fmt: skip


def link_title(first: Plan, link: Link, citing: int) -> tuple[str, str]:
    """
    The title of the source a link names, and the words it starts with: the
    publisher and date that ``first``, the first row citing it, gives
    (``link``), then that row's agency and Atlas id, or how many rows cite it
    (``citing``: one news report on a state-wide system is cited by 246 of
    the 2020 file's records).
    """
    publisher = link.publisher or re.sub(r"^https?://(?:www\.)?([^/]+).*$", r"\1", link.url)
    when = f", {humanize(link.date, link.precision)}" if link.date else ""
    start = f"{publisher}{when}: report cited by the Atlas of Surveillance "
    if citing == 1:
        title = f"{start}for {first.row.get('Agency')} ({first.row.aos})"
    else:
        title = f"{start}in {citing} of its records"
    return title[:500], start


# ---------------------------------------------------------------------------
# The summary


@dataclass(kw_only=True)
class Summary(ImportSummary):
    selected: int = 0
    by_technology: Counter = field(default_factory=Counter)
    matches: list = field(default_factory=list)  # "AOS0137: agency ... matched ... by name"
    undecided: list = field(default_factory=list)
    not_stored: list = field(default_factory=list)

    @property
    def skipped_count(self):
        return sum(self.by_technology.values()) + len(self.skipped)

    # What the admin's import page shows (registry/admin/imports.py): a heading,
    # counts and titled sections of (deployment slug or "", text) items.
    @property
    def heading(self):
        return f"{self.filename}: Atlas of Surveillance CSV."

    @property
    def counts(self):
        return [("Rows read", self.rows_read), ("Selected (face recognition)", self.selected),
                ("Created", len(self.created)), ("Updated", len(self.updated)),
                ("Unchanged", len(self.unchanged)), ("Skipped", self.skipped_count)]  # fmt: skip

    @property
    def sections(self):
        return [
            ("Created", [(slug, label) for label, slug in self.created]),
            ("Updated", [(slug, f"{label} ({', '.join(f)})") for label, slug, f in self.updated]),
            ("Skipped", [("", f"{n} rows: technology “{t}”, not face recognition")
                         for t, n in sorted(self.by_technology.items())]
             + [("", f"{label}: {reason}") for label, reason in self.skipped]),
            ("Matched to records the register has", [("", m) for m in self.matches]),
            ("Not decided by the rules", [("", m) for m in self.undecided]),
            ("Conflicts (the register's value kept)", [("", c) for c in self.conflicts]),
            ("Not stored (not a URL, or too long)", [("", n) for n in self.not_stored]),
            ("Notes", [("", n) for n in self.notes]),
        ]  # fmt: skip

    def lines(self):
        prefix = "Dry run, nothing written. " if self.dry_run else ""
        yield f"{prefix}{self.heading}"
        yield f"Rows read: {self.rows_read}"
        yield f"Selected (face recognition): {self.selected}"
        yield from self.written_lines()
        for technology, n in sorted(self.by_technology.items()):
            yield f"  {n} rows: technology “{technology}”, not face recognition"
        for label, reason in self.skipped:
            yield f"  - {label}: {reason}"
        yield from self.records_line()
        for title, items in (
            ("Matched to records the register has", self.matches),
            ("Not decided by the rules (new record made; a maintainer may merge)", self.undecided),
            ("Conflicts (the register's value kept)", self.conflicts),
            ("Not stored (not a URL, or too long)", self.not_stored),
        ):
            if items:
                yield f"{title}: {len(items)}"
                yield from (f"  {item}" for item in items)
        for note in self.notes:
            yield f"Note: {note}"


def import_atlas(rows: list[Row], *, filename: str, publish: bool = False,
                 dry_run: bool = False, change_published: bool = True) -> Summary:  # fmt: skip
    """
    Write the face recognition rows into the register in one transaction
    (rolled back for a dry run). ``change_published=False`` (an editor's import)
    leaves published and retracted records alone and says so in the notes.
    """
    summary = Summary(filename=filename, dry_run=dry_run, rows_read=len(rows))
    chosen: list[Row] = []
    seen: dict[str, int] = {}
    for row in rows:
        technology = row.get("Technology")
        if technology != TECHNOLOGY:
            summary.by_technology[technology or "(empty)"] += 1
        elif row.aos in seen:
            summary.skipped.append((f"{row.label} (row {row.number})",
                                    f"repeats {row.aos} (row {seen[row.aos]})"))  # fmt: skip
        else:
            seen[row.aos] = row.number
            chosen.append(row)
    summary.selected = len(chosen) + sum(1 for _label, r in summary.skipped if "repeats" in r)
    writer = _Writer(summary=summary, reason=REASON.format(filename=filename),
                     state=choices.State.PUBLISHED if publish else choices.State.DRAFT,
                     change_published=change_published)  # fmt: skip
    plans = [plan(row) for row in chosen]
    with all_or_nothing(dry_run=dry_run):
        writer.load(plans)
        for p in plans:
            writer.write(p)
        writer.finish()
    return summary


class _Writer:
    """Matches plans to the register (every candidate loaded up front) and saves what changed."""

    def __init__(self, *, summary, reason, state, change_published):
        self.summary, self.reason, self.state = summary, reason, state
        self.change_published = change_published
        self.touched = set()
        self.created_agencies = set()

    # -- loading ----------------------------------------------------------
    def load(self, plans):
        self.agencies = reconcile.AgencyIndex.load()
        self.vendors = reconcile.VendorIndex.load()
        self.deployments = reconcile.DeploymentIndex.load()
        self.systems = {s.slug: s for s in System.objects.all()}
        self.slugs = {
            model: set(model.objects.values_list("slug", flat=True))
            for model in (Agency, Deployment, Source, Vendor)
        }
        self.slugs[System] = set(self.systems)
        row_slugs = [ROW_SOURCE_SLUG.format(aos=p.row.aos.lower()) for p in plans]
        # The rows citing each link, in the file's order, with the first row's
        # link (its publisher and date name the source).
        self.cited_by = {}
        for p in plans:
            for link in p.links:
                self.cited_by.setdefault(link.url, {}).setdefault(p.row.aos, (p, link))
        urls = set(self.cited_by)
        self.sources = {s.slug: s for s in Source.objects.filter(slug__in=row_slugs)}
        self.by_url = {}
        for source in Source.objects.filter(url__in=urls).order_by("pk"):
            self.by_url.setdefault(source.url, source)
        self.links = {}
        for model in (Agency, Deployment, Vendor):
            through = model.sources.through
            column = f"{model._meta.model_name}_id"
            self.links[model] = {}
            for pk, source_id in through.objects.values_list(column, "source_id"):
                self.links[model].setdefault(pk, set()).add(source_id)
        row_pks = {s.pk for s in self.sources.values()}
        self.built_from = {}  # row source pk -> [deployment]
        by_pk = {d.pk: d for d in self.deployments}
        for dep_pk, sources in self.links[Deployment].items():
            for source_id in sources & row_pks:
                self.built_from.setdefault(source_id, []).append(by_pk[dep_pk])

    # -- helpers ----------------------------------------------------------
    def _unique(self, model, slug):
        slug = slug.strip("-")[:110].strip("-") or "record"
        taken = self.slugs[model]
        candidate, n = slug, 2
        while candidate in taken:
            candidate, n = f"{slug}-{n}", n + 1
        taken.add(candidate)
        return candidate

    def _new(self, obj, *, m2m=None):
        obj.state = self.state
        # The register's one validation (fields, patterns, dates): a record it
        # refuses stops the import, and the transaction writes nothing.
        problems = validate_record(obj)
        if problems:
            raise AtlasError(
                f"{obj._meta.verbose_name} “{obj}” cannot be saved: "
                + "; ".join(f"{name}: {message}" for name, message in problems)
            )
        obj._defer_derived = True
        save_record(obj, reason=self.reason, m2m=m2m)
        self.summary.records[f"created {obj._meta.verbose_name}"] += 1
        if m2m and "sources" in m2m and type(obj) in self.links:
            self.links[type(obj)][obj.pk] = set(m2m["sources"])
        return obj

    def _may_change(self, record):
        if self.change_published or record.state in (choices.State.DRAFT,
                                                     choices.State.IN_REVIEW):  # fmt: skip
            return True
        self.summary.notes.append(
            f"{record.slug} is {record.get_state_display().lower()}: the Atlas's changes are "
            "left for a reviewer."
        )
        return False

    def _update(self, record, changed, sources):
        """Save ``record`` if fields changed or sources were added; the changes' names."""
        current = self.links[type(record)].get(record.pk, set())
        if not sources <= current:
            changed = [*changed, "sources"]
        if not changed or not self._may_change(record):
            return []
        record._defer_derived = True
        save_record(record, reason=self.reason, m2m={"sources": sorted(current | sources)})
        self.links[type(record)][record.pk] = current | sources
        self.summary.records[f"updated {record._meta.verbose_name}"] += 1
        return changed

    # -- sources ----------------------------------------------------------
    def row_source(self, p: Plan):
        aos = p.row.aos
        slug = ROW_SOURCE_SLUG.format(aos=aos.lower())
        values = {
            "url": CREDIT.url,
            "title": (f"Atlas of Surveillance record {aos}: {p.row.get('Agency')}, "
                      f"{p.row.get('Technology')} (CC BY 4.0)"),
            "publisher": ("Electronic Frontier Foundation and the University of Nevada, Reno "
                          "Reynolds School of Journalism"),
            "published": SNAPSHOT,
            "published_precision": choices.DatePrecision.DAY,
            "kind": choices.SourceKind.DATASET,
            "excerpt": p.row.get("Summary"),
        }  # fmt: skip
        source = self.sources.get(slug)
        if source is None:
            source = self._new(Source(slug=self._unique(Source, slug), **values))
            self.sources[slug] = source
            return source, True
        changed = [k for k, v in values.items() if getattr(source, k) != v]
        if changed and self._may_change(source):
            for key in changed:
                setattr(source, key, values[key])
            save_record(source, reason=self.reason)
            self.summary.records["updated source"] += 1
        return source, False

    def link_source(self, link: Link):
        citing = self.cited_by[link.url]
        first, first_link = next(iter(citing.values()))
        title, start = link_title(first, first_link, len(citing))
        source = self.by_url.get(link.url)
        if source is None:
            source = Source(
                slug=self._unique(Source, f"atlas-{first.row.aos.lower()}-link-{first_link.n}"),
                url=link.url,
                title=title,
                publisher=first_link.publisher[:300],
                published=first_link.date,
                published_precision=first_link.precision,
            )
            self._new(source)
            self.by_url[link.url] = source
        elif (source.title != title and source.title.startswith(start)
              and source.slug.startswith("atlas-") and self._may_change(source)):  # fmt: skip
            # A title this importer wrote, from another file or before it
            # counted the rows: brought up to date. One a maintainer rewrote is kept.
            source.title = title
            save_record(source, reason=self.reason)
            self.summary.records["updated source"] += 1
        return source

    # -- agencies and vendors ---------------------------------------------
    def agency(self, p: Plan, row_source):
        """The agency, found or created; None (and a skip) when the rules cannot decide."""
        match = self.agencies.find(name=p.name, country="US", region=p.region,
                                   locality=p.locality)  # fmt: skip
        if match is not None and not match.decided:
            self.summary.skipped.append((p.row.label, f"agency not decided: {match.describe()}"))
            return None
        if match is None:
            agency = Agency(
                slug=self._unique(Agency, slugify(f"{p.name} {p.row.get('State')}")
                                  if p.region else slugify(p.name)),
                name=p.name, kind=p.kind, level=p.level, country="US", region=p.region,
                locality=p.locality,
            )  # fmt: skip
            self._new(agency, m2m={"sources": [row_source.pk]})
            self.agencies.add(agency)
            self.created_agencies.add(agency.pk)
            return agency
        agency = match.record
        if agency.pk not in self.created_agencies:
            self.summary.matches.append(
                f"{p.row.aos}: agency “{p.row.get('Agency')}” {match.describe()}"
            )
        if p.site:  # CBP is a national agency: its airports are its deployments' places
            return agency
        values = {"kind": p.kind, "level": p.level, "locality": p.locality}
        if agency.locality and reconcile.same_place(agency.locality, p.locality):
            del values["locality"]  # "Miami-Dade" is the register's "Miami-Dade County"
        filled = reconcile.fill(agency, values)
        self.summary.conflicts += [f"{p.row.aos}: {c}" for c in filled.conflicts]
        self._update(agency, filled.changed, {row_source.pk})
        return agency

    def vendor(self, name, row_source):
        match = self.vendors.find(name)
        if match is not None and match.decided:
            return match.record
        if match is not None:
            self.summary.undecided.append(f"vendor “{name}” {match.describe()}: a new one made")
        vendor = Vendor(slug=self._unique(Vendor, slugify(name)), name=name)
        self._new(vendor, m2m={"sources": [row_source.pk]})
        self.vendors.add(vendor)
        return vendor

    def unnamed_product(self, vendor, row_source):
        """The system standing for a vendor's face recognition whose product is not named."""
        slug = f"{vendor.slug}-product-not-named"
        system = self.systems.get(slug)
        if system is None:
            system = System(
                slug=self._unique(System, slug),
                name=f"{vendor.name} face recognition (product not named)",
                vendor=vendor,
                description=(
                    f"Stands for face recognition supplied by {vendor.name} where a source "
                    "names the vendor but not the product. It is not a product of that name."
                ),
            )
            self._new(system, m2m={"sources": [row_source.pk]})
            self.systems[slug] = system
        return system

    # -- deployments ------------------------------------------------------
    def write(self, p: Plan):
        row_source, _new = self.row_source(p)
        for n, text in p.not_urls:
            why = ""
            if len(text) > URL_MAX:
                text = f"{text[:100]}…"
                why = f" (longer than the {URL_MAX:,} characters a URL may have)"
            self.summary.not_stored.append(f"{p.row.aos} Link {n}: “{text}”{why}")
        for n, text in p.bad_dates:
            self.summary.notes.append(f"{p.row.aos} Link {n}: date “{text}” not read; left out.")
        if p.unknown_kind:
            self.summary.notes.append(
                f"{p.row.aos}: Type of LEA “{p.unknown_kind}” filed as other."
            )
        agency = self.agency(p, row_source)
        if agency is None:
            return
        sources = {row_source.pk, *(self.link_source(link).pk for link in p.links)}
        vendors = [self.vendor(name, row_source) for name in p.vendors] or [None]
        prior = self.built_from.get(row_source.pk, [])
        for vendor in vendors:
            self.deployment(p, agency, vendor, sources, prior, row_source)

    def _prior(self, prior, agency, vendor):
        for d in prior:
            if d.agency_id == agency.pk and (
                (vendor is None and d.system_id is None)
                or (vendor is not None and d.system_id and d.system.vendor_id == vendor.pk)
            ):
                return d
        return None

    def deployment(self, p: Plan, agency, vendor, sources, prior, row_source):
        label = p.row.label + (f" — {vendor.name}" if vendor and len(p.vendors) > 1 else "")
        last_reported, precision = p.last_reported
        deployment = self._prior(prior, agency, vendor)
        if deployment is None and not p.site:
            match = self.deployments.find(agency_id=agency.pk,
                                          vendor_id=vendor.pk if vendor else None)  # fmt: skip
            if match is not None and not match.decided:
                self.summary.undecided.append(f"{label}: {match.describe()}; a new one made")
            elif match is not None:
                deployment = match.record
                if deployment.pk not in self.touched:
                    self.summary.matches.append(f"{p.row.aos}: deployment {match.describe()}")
            elif vendor is None and (others := self.deployments.of_agency(agency.pk)):
                self.summary.undecided.append(
                    f"{label}: names no vendor; {agency.slug} also has "
                    + ", ".join(sorted(d.slug for d in others))
                    + " (the same use or not: a maintainer decides)"
                )
        if deployment is None:
            system = self.unnamed_product(vendor, row_source) if vendor else None
            base = f"{agency.slug}-{slugify(p.site)}" if p.site else (
                f"{agency.slug}-{vendor.slug if vendor else 'face-recognition'}")  # fmt: skip
            deployment = Deployment(
                slug=self._unique(Deployment, base[:100]), agency=agency, system=system,
                status=choices.DeploymentStatus.REPORTED, site=p.site, last_reported=last_reported,
                last_reported_precision=precision, reported_by=CREDIT.name,
                description=self.description(p, vendor),
            )  # fmt: skip
            self._new(deployment, m2m={"sources": sorted(sources)})
            self.deployments.add(deployment)
            self.touched.add(deployment.pk)
            self.summary.created.append((label, deployment.slug))
            return
        values = {"status": choices.DeploymentStatus.REPORTED, "reported_by": CREDIT.name,
                  "site": p.site}  # fmt: skip
        filled = reconcile.fill(deployment, values)
        changed = list(filled.changed)
        if (
            deployment.reported_by == CREDIT.name
            and last_reported
            and (deployment.last_reported is None or deployment.last_reported < last_reported)
        ):
            deployment.last_reported, deployment.last_reported_precision = (last_reported,
                                                                            precision)  # fmt: skip
            changed.append("last_reported")
        self.summary.conflicts += [f"{p.row.aos}: {c}" for c in filled.conflicts
                                   if c.field != "status"]  # fmt: skip
        changed = self._update(deployment, changed, sources)
        self.touched.add(deployment.pk)
        if changed:
            self.summary.updated.append((label, deployment.slug, changed))
        else:
            self.summary.unchanged.append((label, deployment.slug))

    @staticmethod
    def description(p: Plan, vendor) -> str:
        where = f" at {p.site} ({p.row.get('City')}, {p.row.get('State')})" if p.site else ""
        parts = [
            f"Reported{where} by the Atlas of Surveillance (record {p.row.aos}, snapshot of "
            "7 October 2020), which lists this agency as using face recognition."
        ]
        if vendor is not None:
            parts.append(f"The Atlas names {vendor.name} as vendor, not the product.")
        else:
            parts.append("The Atlas names no vendor.")
        parts.append(
            "The agency has not confirmed it to the register; the dates are those of the "
            "reports, not of the start of use."
        )
        return " ".join(parts)

    def finish(self):
        if self.touched:
            from ..signals import refresh_audit_status_for

            refresh_audit_status_for(deployment_ids=self.touched)
