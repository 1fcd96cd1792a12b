"""
Read and write the `fr-registry/1` interchange format (docs/data-format.md).

`validate(document)` checks a whole document and returns every problem with its
location; `import_document(...)` writes nothing unless the whole document is
valid, upserts by id inside one transaction, never deletes, and saves only the
records whose values changed (so importing the same file twice changes
nothing). `export_document(...)` writes the register back in the same format.
"""

import datetime
import json
import math
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from .. import choices, dates
from ..format import (
    CODE_LIST_KINDS,
    COUNTRY_RE,
    DAY_RE,
    FORMAT,
    LISTS,
    METRIC_KEYS,
    REGION_RE,
    SLUG_RE,
    SPEC,
    TEXT_KINDS,
    TOP_KEYS,
    URL_RE,
    upgrade,
)
from ..models import validate_record
from ..services import save_record
from ..types import in_dependency_order
from . import reconcile
from .base import all_or_nothing

__all__ = ["FORMAT", "LISTS", "SPEC", "InvalidDocument", "Problem", "export_document",
           "import_document", "parse", "record", "validate"]  # fmt: skip

# Longest text a TextField key may hold; CharFields are held to their max_length.
_MAX_TEXT = 20_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, and where."""

    list: str | None
    id: str | None
    key: str | None
    message: str

    def __str__(self):
        where = " › ".join(part for part in (self.list, self.id, self.key) if part)
        return f"{where or 'document'}: {self.message}"


class InvalidDocument(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the document")


# ---------------------------------------------------------------------------
# Validation


def parse(text: str | bytes):
    """Parse JSON text, turning syntax errors into a located Problem."""
    try:
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise InvalidDocument([Problem(None, None, None, f"Not UTF-8 text: {exc}")]) from exc
    except json.JSONDecodeError as exc:
        raise InvalidDocument(
            [
                Problem(
                    None,
                    None,
                    None,
                    f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                )
            ]  # fmt: skip
        ) from exc


def validate(document, *, existing_ids=None) -> list[Problem]:
    """
    Every problem in ``document``. ``existing_ids`` maps list name to the ids
    already in the database, which references may also point to.
    """
    problems: list[Problem] = []
    add = problems.append
    if not isinstance(document, dict):
        return [Problem(None, None, None, "The document must be a JSON object.")]
    for key in document:
        if key not in TOP_KEYS:
            add(Problem(None, None, key, f"Unknown top-level key {key!r}."))
    if document.get("format") != FORMAT:
        add(Problem(None, None, "format", f"Must be {FORMAT!r}, found {document.get('format')!r}."))

    ids: dict[str, set[str]] = {name: set() for name in LISTS}
    for name in LISTS:
        records = document.get(name, [])
        if records is None:
            continue
        if not isinstance(records, list):
            add(Problem(name, None, None, "Must be a list of records."))
            continue
        for index, record in enumerate(records):
            rid = record.get("id") if isinstance(record, dict) else None
            if isinstance(rid, str) and SLUG_RE.match(rid):
                if rid in ids[name]:
                    add(Problem(name, rid, "id", "Duplicate id: it appears more than once."))
                ids[name].add(rid)
            elif not isinstance(record, dict):
                add(Problem(name, f"#{index + 1}", None, "Each record must be a JSON object."))

    problems.extend(_parent_cycles(document.get("agencies")))
    known = {name: ids[name] | set((existing_ids or {}).get(name, ())) for name in LISTS}
    for name in LISTS:
        records = document.get(name) or []
        if not isinstance(records, list):
            continue
        for index, record in enumerate(records):
            if isinstance(record, dict):
                problems.extend(_validate_record(name, index, record, known))
    return problems


def _parent_cycles(agencies):
    """A problem for each agency whose chain of parents in the file loops back on itself."""
    if not isinstance(agencies, list):
        return []
    parent = {a["id"]: a.get("parent") for a in agencies
              if isinstance(a, dict) and isinstance(a.get("id"), str)}  # fmt: skip
    out, acyclic, cyclic = [], set(), set()
    for start in parent:
        # Walk up without recursion (a chain may be thousands deep); a chain
        # already walked ends the walk, whether it ended at the top or in a
        # cycle, so the whole check is linear even when every agency loops.
        path, current = set(), start
        while isinstance(current, str) and current in parent and current not in acyclic:
            if current in path or current in cyclic:
                out.append(Problem("agencies", start, "parent", "Parents form a cycle."))
                cyclic.update(path)
                break
            path.add(current)
            current = parent[current]
        else:
            acyclic.update(path)
    return out


def _validate_record(name, index, record, known):
    spec = SPEC[name]
    rid = record.get("id")
    # Only a well-formed id names the record in messages; otherwise its position.
    where = rid if isinstance(rid, str) and SLUG_RE.match(rid) else f"#{index + 1}"
    out = []

    def bad(key, message):
        out.append(Problem(name, where, key, message))

    record, older = upgrade(spec, record)
    for key, message in older:
        bad(key, message)
    for key in record:
        if key not in spec["keys"]:
            bad(key, f"Unknown key {key!r}. Allowed: {', '.join(spec['keys'])}.")
    for key in spec["required"]:
        if record.get(key) in (None, "", []):
            bad(key, "Required.")
    for key, kind in spec["keys"].items():
        value = record.get(key)
        if value is None or key not in record:
            continue
        message = _check_value(kind, value, known)
        if message:
            bad(key, message)

    if name == "audits" and not record.get("system") and not record.get("deployment"):
        bad("system", "An audit must name a system or a deployment.")
    if name == "agencies" and record.get("parent") and record.get("parent") == rid:
        bad("parent", "An agency cannot be its own parent.")
    if not out:
        # The shape is right: now the rules every record obeys, however it arrives.
        instance = spec.model(slug=rid, **_to_fields(name, record)[0])
        for field_name, message in validate_record(instance):
            bad(_format_key(field_name), message)
    return out


def _format_key(field_name):
    """The key of the format a model field's error belongs to."""
    if field_name == NON_FIELD_ERRORS:
        return None
    if field_name == "slug":
        return "id"
    return field_name.removesuffix("_precision")


def _check_value(kind, value, known):
    if kind in TEXT_KINDS:
        if not isinstance(value, str):
            return f"Must be a string, found {type(value).__name__}."
        if len(value) > _MAX_TEXT:
            return f"Too long ({len(value)} characters; at most {_MAX_TEXT})."
    if kind == "slug" and not SLUG_RE.match(value):
        return f"{value!r} is not a slug: use lowercase letters, digits and single hyphens."
    if kind == "url" and not URL_RE.match(value):
        return f"{value!r} is not an http(s) URL."
    if kind == "country" and not COUNTRY_RE.match(value):
        return f"{value!r} is not an ISO 3166-1 alpha-2 code such as US or GB."
    if kind == "country_or_eu" and not COUNTRY_RE.match(value):
        return f"{value!r} is not an ISO 3166-1 alpha-2 code (or EU)."
    if kind == "region" and not REGION_RE.match(value):
        return f"{value!r} is not an ISO 3166-2 code such as US-CA or GB-WLS."
    if kind == "regions":
        if not isinstance(value, list):
            return "Must be a list."
        for item in value:
            if not isinstance(item, str) or not REGION_RE.match(item):
                return f"{item!r} is not an ISO 3166-2 code such as US-CA or GB-WLS."
        if len(set(value)) != len(value):
            return "Repeats a value."
    if kind == "date":
        try:
            dates.parse_partial_date(value)
        except ValueError:
            return f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD."
    if kind == "day":
        try:
            if not DAY_RE.match(value):
                raise ValueError
            datetime.date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a full date (YYYY-MM-DD)."
    if kind == "bool" and not isinstance(value, bool):
        return "Must be true or false."
    if kind == "metrics":
        return _check_metrics(value)
    if isinstance(kind, tuple):
        tag, arg = kind
        if tag == "enum":
            if value not in arg.values:
                return f"{value!r} is not one of: {', '.join(arg.values)}."
        elif tag == "multi":
            if not isinstance(value, list):
                return "Must be a list."
            unknown = [v for v in value if v not in arg.values]
            if unknown:
                return f"Unknown value(s) {', '.join(map(repr, unknown))}; allowed: " + ", ".join(
                    arg.values
                )
            if len(set(value)) != len(value):
                return "Repeats a value."
        elif tag == "ref":
            if not isinstance(value, str):
                return "Must be the id of a record."
            if value not in known[arg]:
                return f"Refers to {arg} id {value!r}, which does not exist."
        elif tag == "refs":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return "Must be a list of ids."
            missing = [v for v in value if v not in known[arg]]
            if missing:
                return f"Refers to {arg} id(s) that do not exist: {', '.join(missing)}."
            if len(set(value)) != len(value):
                return "Repeats an id."
    return None


def _check_metrics(value):
    if not isinstance(value, list):
        return "Must be a list of metric objects."
    for n, metric in enumerate(value, start=1):
        if not isinstance(metric, dict):
            return f"Metric {n} must be an object."
        unknown = set(metric) - set(METRIC_KEYS)
        if unknown:
            return f"Metric {n} has unknown key(s): {', '.join(sorted(unknown))}."
        if not isinstance(metric.get("metric"), str) or not metric["metric"]:
            return f"Metric {n} needs a 'metric' name."
        for key, types in METRIC_KEYS.items():
            v = metric.get(key)
            if v is not None and (not isinstance(v, types) or isinstance(v, bool)):
                return f"Metric {n}: {key!r} has the wrong type."
            if isinstance(v, float) and not math.isfinite(v):
                return f"Metric {n}: {key!r} must be a finite number, not {v}."
    return None


# ---------------------------------------------------------------------------
# Import


@dataclass
class ImportReport:
    created: dict = field(default_factory=lambda: {name: [] for name in LISTS})
    updated: dict = field(default_factory=lambda: {name: [] for name in LISTS})
    unchanged: dict = field(default_factory=lambda: {name: 0 for name in LISTS})
    # (list, new id, what reconcile.py found): a new id for a record the register has.
    probable_duplicates: list = field(default_factory=list)

    @property
    def changed(self):
        return any(self.created[n] or self.updated[n] for n in LISTS)

    def lines(self):
        for name in LISTS:
            yield (
                f"{name}: {len(self.created[name])} created, {len(self.updated[name])} updated, "
                f"{self.unchanged[name]} unchanged"
            )
        for name, slug, match in self.probable_duplicates:
            yield f"probable duplicate: {name} {slug} (new id) {match.describe()}"


def existing_ids():
    return {name: set(SPEC[name]["model"].objects.values_list("slug", flat=True)) for name in LISTS}


def import_document(document, *, reason: str, dry_run=False) -> ImportReport:
    """
    Validate then write ``document``. Raises InvalidDocument (and writes
    nothing) if any problem is found. With ``dry_run`` the changes are made in a
    transaction that is rolled back, so the report is exactly what would happen.
    """
    problems = validate(document, existing_ids=existing_ids())
    if problems:
        raise InvalidDocument(problems)
    report = ImportReport()
    with all_or_nothing(dry_run=dry_run):
        _write(document, report, reason)
    return report


def _to_fields(name, record):
    """Model field values for a record (references left as slugs)."""
    spec = SPEC[name]
    record, _older = upgrade(spec, record)
    values, refs, m2m = {}, {}, {}
    for key, kind in spec["keys"].items():
        if key == "id":
            continue
        value = record.get(key)
        if kind == "date":
            if value:
                values[key], values[f"{key}_precision"] = dates.parse_partial_date(value)
            else:
                values[key], values[f"{key}_precision"] = None, choices.DatePrecision.DAY
        elif kind == "day":
            values[key] = datetime.date.fromisoformat(value) if value else None
        elif kind == "bool":
            values[key] = bool(value)
        elif kind == "metrics":
            values[key] = value or []
        elif key == "state":
            values[key] = value or choices.State.PUBLISHED
        elif isinstance(kind, tuple) and kind[0] == "ref":
            refs[key] = value
        elif isinstance(kind, tuple) and kind[0] == "refs":
            m2m[key] = sorted(value or [])
        elif (isinstance(kind, tuple) and kind[0] == "multi") or kind in CODE_LIST_KINDS:
            values[key] = SPEC[name]["model"]._meta.get_field(key).ordered(value or [])
        else:
            values[key] = value if value is not None else ""
    return values, refs, m2m


def _write(document, report, reason):
    slug_to_pk = {}

    def pks(list_name):
        if list_name not in slug_to_pk:
            model = SPEC[list_name]["model"]
            slug_to_pk[list_name] = dict(model.objects.values_list("slug", "pk"))
        return slug_to_pk[list_name]

    touched_systems, touched_deployments = set(), set()
    duplicates = _Duplicates()
    # A record is written after every record it refers to (the models' relations).
    for name in in_dependency_order(LISTS):
        spec = SPEC[name]
        model = spec["model"]
        records = document.get(name) or []
        if not records:
            continue
        if name == "agencies":
            records = _parents_first(records)
        existing = model.objects.in_bulk([r["id"] for r in records], field_name="slug")
        m2m_fields = [k for k, kind in spec["keys"].items() if isinstance(kind, tuple)
                      and kind[0] == "refs"]  # fmt: skip
        current_m2m = _current_m2m(model, m2m_fields, [o.pk for o in existing.values()])
        for record in records:
            values, refs, m2m = _to_fields(name, record)
            for key, slug in refs.items():
                target = model._meta.get_field(key).related_model
                target_list = next(n for n in LISTS if SPEC[n]["model"] is target)
                values[f"{key}_id"] = pks(target_list)[slug] if slug else None
            obj = existing.get(record["id"])
            created = obj is None
            if created:
                obj = model(slug=record["id"])
                if name in duplicates.indexes:
                    duplicates.check(name, obj, values, report)
            changed = [k for k, v in values.items() if getattr(obj, k) != v]
            m2m_changed = [k for k, v in m2m.items() if current_m2m.get((obj.pk, k), []) != v]
            if not created and not changed and not m2m_changed:
                report.unchanged[name] += 1
                continue
            for key, value in values.items():
                setattr(obj, key, value)
            obj._defer_derived = True
            links = {}
            for key in m2m:
                target = model._meta.get_field(key).related_model
                target_list = next(n for n in LISTS if SPEC[n]["model"] is target)
                links[key] = [pks(target_list)[s] for s in m2m[key]]
            save_record(obj, reason=reason, m2m=links)
            pks(name)[obj.slug] = obj.pk
            if created and name in duplicates.indexes:
                duplicates.add(name, obj)
            (report.created if created else report.updated)[name].append(obj.slug)
            if name == "systems":
                touched_systems.add(obj.pk)
            elif name == "deployments":
                touched_deployments.add(obj.pk)
            elif name == "audits":
                touched_systems.add(obj.system_id)
                touched_deployments.add(obj.deployment_id)

    if report.changed:
        from ..signals import refresh_audit_status_for

        refresh_audit_status_for(system_ids=touched_systems, deployment_ids=touched_deployments)


class _Duplicates:
    """
    Reports a new id for an agency or deployment the register already has
    (reconcile.py's rules): the file's ids are its identity, so the record is
    created, and the report and "Needs attention" name the pair for a merge.
    Each index is loaded once, only when the file brings a new record.
    """

    indexes = {"agencies": reconcile.AgencyIndex, "deployments": reconcile.DeploymentIndex}

    def __init__(self):
        self.loaded = {}

    def _index(self, name):
        if name not in self.loaded:
            self.loaded[name] = self.indexes[name].load()
        return self.loaded[name]

    def check(self, name, obj, values, report):
        if name == "agencies":
            match = self._index(name).find(
                name=values["name"], country=values["country"], region=values["region"],
                locality=values["locality"], acronym=values["acronym"],
            )  # fmt: skip
        else:
            match = self._index(name).find(agency_id=values["agency_id"],
                                           system_id=values["system_id"],
                                           uses=values["uses"])  # fmt: skip
        if match is not None:
            report.probable_duplicates.append((name, obj.slug, match))

    def add(self, name, obj):
        self._index(name).add(obj)


def _parents_first(agencies):
    """Agencies ordered so that a parent in the file is written before its children."""
    by_id = {a["id"]: a for a in agencies}
    ordered, done = [], set()
    for agency in agencies:
        # The chain up to the first parent already placed, without recursion.
        chain = []
        while agency is not None and agency["id"] not in done:
            done.add(agency["id"])
            chain.append(agency)
            agency = by_id.get(agency.get("parent"))
        ordered.extend(reversed(chain))
    return ordered


def _current_m2m(model, fields, pks):
    """{(pk, field): sorted slugs} for existing records, in one query per field."""
    out = {}
    for key in fields:
        through = model._meta.get_field(key).remote_field.through
        source_col = model._meta.get_field(key).m2m_field_name()
        target_col = model._meta.get_field(key).m2m_reverse_field_name()
        rows = through.objects.filter(**{f"{source_col}__in": pks}).values_list(
            f"{source_col}_id", f"{target_col}__slug"
        )
        for pk, slug in rows:
            out.setdefault((pk, key), []).append(slug)
    for value in out.values():
        value.sort()
    return out


# ---------------------------------------------------------------------------
# Export


def export_document(*, published_only=False) -> dict:
    """
    The register as an `fr-registry/1` document. With ``published_only`` (the
    public bulk download) only published records are written, and a record that
    refers to an unpublished one is left out rather than shown half-linked.
    """
    document = {"format": FORMAT, "generated": _now()}
    visible = {}
    querysets = {}
    for name in LISTS:
        qs = SPEC[name]["model"].objects.all()
        if published_only:
            qs = qs.published()
        querysets[name] = qs.order_by("slug")
        visible[name] = set(querysets[name].values_list("slug", flat=True))

    records: dict[str, list] = {name: [] for name in LISTS}
    for name in LISTS:
        for obj in _with_relations(name, querysets[name]):
            records[name].append(record(name, obj))

    if published_only:
        # Leave out records whose required or identifying references are hidden.
        changed = True
        while changed:
            changed = False
            for name in LISTS:
                keep = []
                for rec in records[name]:
                    if _refs_visible(name, rec, visible):
                        keep.append(rec)
                    else:
                        visible[name].discard(rec["id"])
                        changed = True
                records[name] = keep
        for name in LISTS:
            for rec in records[name]:
                for key, kind in SPEC[name]["keys"].items():
                    if isinstance(kind, tuple) and kind[0] == "refs" and key in rec:
                        rec[key] = [s for s in rec[key] if s in visible[kind[1]]]
                        if not rec[key] and key != "sources":
                            del rec[key]
    document.update(records)
    return document


# A hidden parent only loses the hierarchy: keep the agency, drop the link.
DROPPABLE_REFS = {("agencies", "parent")}


def _refs_visible(name, rec, visible):
    for key, kind in SPEC[name]["keys"].items():
        hidden = isinstance(kind, tuple) and kind[0] == "ref" and rec.get(key)
        if hidden and rec[key] not in visible[kind[1]]:
            if (name, key) in DROPPABLE_REFS:
                del rec[key]
                continue
            return False
    return True


def _with_relations(name, qs):
    spec = SPEC[name]
    fks = [k for k, kind in spec["keys"].items() if isinstance(kind, tuple) and kind[0] == "ref"]
    m2ms = [k for k, kind in spec["keys"].items() if isinstance(kind, tuple) and kind[0] == "refs"]
    if fks:
        qs = qs.select_related(*fks)
    return qs.prefetch_related(*m2ms).iterator(chunk_size=2000)


def record(name: str, obj) -> dict:
    """One record as a format dict: keys in documented order, empty values left out."""
    out = {}
    for key, kind in SPEC[name]["keys"].items():
        if key == "id":
            out["id"] = obj.slug
            continue
        value = getattr(obj, key)
        if kind == "date":
            value = dates.to_iso(value, getattr(obj, f"{key}_precision"))
        elif kind == "day":
            value = value.isoformat() if value else None
        elif isinstance(kind, tuple) and kind[0] == "ref":
            value = value.slug if value is not None else None
        elif isinstance(kind, tuple) and kind[0] == "refs":
            value = sorted(o.slug for o in value.all())
        elif kind == "bool":
            out[key] = bool(value)
            continue
        if key == "sources" and name in ("deployments", "audits", "policies"):
            out[key] = value
            continue
        if value in (None, "", []):
            continue
        out[key] = value
    return out


def _now():
    return dates.utc_timestamp(timezone.now())


def dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
