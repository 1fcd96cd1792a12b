"""
Writing the plans: one transaction for the whole file (rolled back for a dry
run), records reused where they can be matched, only what changed saved, one
history entry per changed record with the file name as the reason.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from ... import choices
from ...dates import humanize, to_iso
from ...models import Agency, Audit, Deployment, Source, System, Vendor
from ...services import save_record
from ...signals import refresh_audit_status_for
from .. import reconcile
from ..base import ImportSummary, all_or_nothing
from .layouts import Inventory, Layout
from .mapping import AgencyPlan, Plan, VendorPlan, key_slug, plan
from .selection import classify


@dataclass(kw_only=True)
class Summary(ImportSummary):
    """What an import did (or, for a dry run, would do), row by row."""

    layout: Layout
    year: int
    selected: list = field(default_factory=list)  # labels
    planned: list = field(default_factory=list)  # labels of use cases not in use yet
    not_face_recognition: int = 0
    missing: list = field(default_factory=list)  # (slug, inventory_id, last year)

    @property
    def skipped_count(self):
        return len(self.skipped) + self.not_face_recognition

    # What the admin's summary page shows (``registry/admin/imports.py``).
    @property
    def heading(self):
        return f"{self.layout.name.capitalize()} layout, imported as the {self.year} inventory"

    @property
    def counts(self):
        return [
            ("Rows read", self.rows_read),
            ("Selected (face recognition)", len(self.selected)),
            ("Planned (not in use yet)", len(self.planned)),
            ("Created", len(self.created)),
            ("Updated", len(self.updated)),
            ("Unchanged", len(self.unchanged)),
            ("Skipped", self.skipped_count),
        ]

    @property
    def sections(self):
        sections = [
            ("Created", [(slug, f"← {label}") for label, slug in self.created]),
            ("Updated", [(slug, f"({', '.join(f)}) ← {label}") for label, slug, f in self.updated]),
            ("Unchanged", [(slug, f"← {label}") for label, slug in self.unchanged]),
            ("Skipped", [("", f"{self.not_face_recognition} rows: not about face recognition")]
             + [("", f"{label}: {reason}") for label, reason in self.skipped]),
            ("Notes", [("", note) for note in self.notes]),
            ("Conflicts (the register's value kept)", [("", c) for c in self.conflicts]),
            (f"Not in the {self.year} inventory (reported, not deleted)",
             [(slug, f"({inventory_id or 'no use case id'}; last cited: {last})")
              for slug, inventory_id, last in self.missing]),
        ]  # fmt: skip
        return [(title, items) for title, items in sections if items]

    def lines(self):
        prefix = "Dry run, nothing written. " if self.dry_run else ""
        yield (f"{prefix}{self.filename}: {self.layout.name} layout, imported as the "
               f"{self.year} inventory.")  # fmt: skip
        yield f"Rows read: {self.rows_read}"
        yield f"Selected (face recognition): {len(self.selected)}"
        yield f"Planned (not in use yet): {len(self.planned)}"
        yield from self.written_lines()
        yield f"  {self.not_face_recognition} rows: not about face recognition"
        for label, reason in self.skipped:
            yield f"  - {label}: {reason}"
        yield from self.records_line()
        for note in self.notes:
            yield f"Note: {note}"
        if self.conflicts:
            yield f"Conflicts (the register's value kept): {len(self.conflicts)}"
            for conflict in self.conflicts:
                yield f"  ! {conflict}"
        if self.missing:
            yield (f"Not in the {self.year} inventory (reported, not deleted): "
                   f"{len(self.missing)}")  # fmt: skip
            for slug, inventory_id, last in self.missing:
                yield f"  ? {slug} ({inventory_id or 'no use case id'}; last cited: {last})"


SOURCE_SLUG = "federal-ai-inventory-{year}"
SOURCE_URLS = {
    2024: "https://github.com/ombegov/2024-Federal-AI-Use-Case-Inventory",
    2025: "https://github.com/ombegov/2025-Federal-Agency-AI-Use-Case-Inventory",
}
SOURCE_URL_DEFAULT = (
    "https://www.cio.gov/policies-and-priorities/Executive-Order-13960-AI-Use-Case-Inventories-"
    "Reference/"
)
_SOURCE_SLUG_RE = re.compile(r"^federal-ai-inventory-(\d{4})$")
_USE_CASE_ID_RE = re.compile(r"\b[A-Z]{2,10}-\d{1,6}\b")


def _coarser(a, b):
    order = [choices.DatePrecision.DAY, choices.DatePrecision.MONTH, choices.DatePrecision.YEAR]
    return max(a or order[0], b or order[0], key=order.index)


def _show(value):
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _field_name(attname):
    return (
        attname.removesuffix("_id")
        if attname.endswith(("agency_id", "system_id", "deployment_id"))
        else attname
    )


def import_inventory(inventory: Inventory, *, filename: str, year: int | None = None,
                     publish: bool = False, dry_run: bool = False,
                     change_published: bool = True) -> Summary:  # fmt: skip
    """
    Write the face recognition use cases of ``inventory`` into the register,
    in one transaction (rolled back for a dry run, so the summary is exactly
    what a real run would do).

    - New records are drafts, or published with ``publish``.
    - A row is matched to a deployment the importer made by its use case id,
      else by the id derived from its agency and name (``key_slug``). Such a
      deployment is updated from the row, recording the change in its history.
    - A curated deployment (no ``inventory_id``) whose description names the
      use case id is linked: left as curated, with the row's audit attached.
    - ``change_published=False`` leaves published and retracted records alone
      (reported in the notes): an editor's import must not change what the
      public sees.
    """
    year = year or inventory.year_hint or inventory.layout.year
    summary = Summary(filename=filename, layout=inventory.layout, year=year, dry_run=dry_run,
                      rows_read=inventory.rows_read)  # fmt: skip
    chosen = []
    for use_case in inventory.use_cases:
        decision = classify(use_case)
        if decision.selected:
            chosen.append(use_case)
            summary.selected.append(use_case.label)
        elif decision.mentions_faces:
            summary.skipped.append((use_case.label, decision.reason))
        else:
            summary.not_face_recognition += 1
    writer = _Writer(year=year, reason=f"import_federal_inventory: {filename}",
                     state=choices.State.PUBLISHED if publish else choices.State.DRAFT,
                     summary=summary, change_published=change_published)  # fmt: skip
    with all_or_nothing(dry_run=dry_run):
        writer.load()
        for use_case in chosen:
            writer.write(plan(use_case, year=year))
        writer.finish()
    return summary


class _Writer:
    """Matches plans to existing records (all loaded up front) and saves what changed."""

    def __init__(self, *, year, reason, state, summary, change_published):
        self.year, self.reason, self.state = year, reason, state
        self.summary, self.change_published = summary, change_published
        self.claimed = set()  # deployment pks matched in this run
        self.touched = set()

    # -- loading ----------------------------------------------------------
    def load(self):
        agencies = list(Agency.objects.all())
        self.agency_slugs = {a.slug for a in agencies}
        self.agencies_by_slug = {a.slug: a for a in agencies if a.country == "US"}
        self.agency_index = reconcile.AgencyIndex(agencies)
        self.vendors = list(Vendor.objects.all())
        self.vendor_index = reconcile.VendorIndex(self.vendors)
        self.systems = list(System.objects.all())
        self.system_slugs = {s.slug for s in self.systems}
        self.vendor_slugs = {v.slug for v in self.vendors}
        self.deployments = {d.slug: d for d in Deployment.objects.all()}
        self.by_inventory_id = {}
        for d in self.deployments.values():
            if d.inventory_id:
                self.by_inventory_id.setdefault(d.inventory_id, d)
        self.mentions = {}
        for d in self.deployments.values():
            if not d.inventory_id:
                for found in _USE_CASE_ID_RE.findall(d.description):
                    self.mentions.setdefault(found, d)
        through = Deployment.sources.through
        self.deployment_sources = {}
        for dep_id, src_id in through.objects.values_list("deployment_id", "source_id"):
            self.deployment_sources.setdefault(dep_id, set()).add(src_id)
        self.inventory_sources = {
            int(m[1]): pk for slug, pk in Source.objects.values_list("slug", "pk")
            if (m := _SOURCE_SLUG_RE.match(slug))
        }  # fmt: skip
        self.audits = {a.slug: a for a in Audit.objects.filter(auditor_kind="agency")}
        self.audit_slugs = set(Audit.objects.values_list("slug", flat=True))
        self.audit_sources = {}
        audit_through = Audit.sources.through
        for audit_id, src_id in audit_through.objects.filter(
            audit_id__in=[a.pk for a in self.audits.values()]
        ).values_list("audit_id", "source_id"):
            self.audit_sources.setdefault(audit_id, set()).add(src_id)
        self.source = self._source()

    def _source(self):
        slug = SOURCE_SLUG.format(year=self.year)
        pk = self.inventory_sources.get(self.year)
        if pk:
            return Source.objects.get(pk=pk)
        source = Source(
            slug=slug,
            title=f"Federal Agency AI Use Case Inventory, {self.year}",
            publisher="Office of Management and Budget",
            kind=choices.SourceKind.DATASET,
            url=SOURCE_URLS.get(self.year, SOURCE_URL_DEFAULT),
            state=self.state,
        )
        if self.year == 2024:
            source.published, source.published_precision = datetime.date(2024, 12, 1), "month"
        save_record(source, reason=self.reason)
        self.inventory_sources[self.year] = source.pk
        self.summary.records["created source"] += 1
        return source

    def _new(self, obj, *, m2m=None):
        obj.state = self.state
        obj._defer_derived = True
        save_record(obj, reason=self.reason, m2m=m2m)
        self.summary.records[f"created {obj._meta.verbose_name}"] += 1
        return obj

    @staticmethod
    def _unique(slug, taken):
        slug = slug.strip("-")[:110].strip("-") or "record"
        candidate, n = slug, 2
        while candidate in taken:
            candidate, n = f"{slug}-{n}", n + 1
        taken.add(candidate)
        return candidate

    # -- agencies, vendors, systems -------------------------------------
    def find_agency(self, spec: AgencyPlan, parent):
        """
        The agency a department or component of the inventory is: the table's own
        id, else the register-wide rule (``reconcile.AgencyIndex``: name, acronym
        or alias, nationally in the US, acronyms within the parent's family). When
        that rule cannot decide, a new record is made and the summary says so.
        """
        if agency := self.agencies_by_slug.get(spec.slug):
            return agency
        match = self.agency_index.find(
            name=spec.name, country="US", acronym=spec.acronym, aliases=spec.aliases,
            parent_id=parent.pk if parent else None,
        )  # fmt: skip
        if match is None:
            return None
        if match.decided:
            return match.record
        self.summary.notes.append(
            f"Agency “{spec.name}”: {match.describe()}; a new record was made for a maintainer "
            "to merge or keep."
        )
        return None

    def agency(self, p: Plan):
        department = self.find_agency(p.department, None) or self._create_agency(p.department, None)
        if p.component is None:
            return department
        return self.find_agency(p.component, department) or self._create_agency(
            p.component, department
        )

    def _create_agency(self, spec, parent):
        agency = Agency(
            slug=self._unique(spec.slug, self.agency_slugs), name=spec.name, acronym=spec.acronym,
            kind=spec.kind, level=choices.Level.NATIONAL, country="US", parent=parent,
        )  # fmt: skip
        self._new(agency, m2m={"sources": [self.source.pk]})
        self.agencies_by_slug[agency.slug] = agency
        self.agency_index.add(agency)
        return agency

    def vendor(self, spec: VendorPlan | None):
        if spec is None:
            return None
        # The table's id, else the register-wide rule (``reconcile.VendorIndex``),
        # else a known vendor's own pattern ("NEC" in "NEC Corporation of America").
        for vendor in self.vendors:
            if spec.known and vendor.slug == spec.known.slug:
                return vendor
        match = self.vendor_index.find(spec.name)
        if match is not None and match.decided:
            return match.record
        for vendor in self.vendors:
            if spec.known and spec.known.pattern.search(vendor.name):
                return vendor
        vendor = Vendor(slug=self._unique(slugify(spec.name), self.vendor_slugs), name=spec.name,
                        country=spec.known.country if spec.known else "")  # fmt: skip
        self._new(vendor, m2m={"sources": [self.source.pk]})
        self.vendors.append(vendor)
        self.vendor_index.add(vendor)
        return vendor

    def system(self, p: Plan):
        spec = p.system
        if spec is None:
            return None
        name = reconcile.normalise_name(spec.name)
        for system in self.systems:
            if (spec.known and system.slug == spec.known.slug) or reconcile.normalise_name(
                system.name
            ) == name:
                return system
        vendor = self.vendor(spec.vendor)
        uc = p.use_case
        system = System(
            slug=self._unique(spec.known.slug if spec.known else slugify(spec.name),
                              self.system_slugs),
            name=spec.name, vendor=vendor, capabilities=list(spec.capabilities),
            description=(
                f"Named in the {p.year} federal AI use case inventory by {p.agency.name} for "
                f"“{uc.name}”"
                + (f" (use case {uc.use_case_id})" if uc.use_case_id else "")
                + ". The inventory names the system a use case is authorised to operate on, "
                "which may be larger than its face recognition part."
            ),
        )  # fmt: skip
        self._new(system, m2m={"sources": [self.source.pk]})
        self.systems.append(system)
        return system

    # -- deployments ------------------------------------------------------
    def find_deployment(self, p: Plan, agency):
        """
        The one place that decides which deployment a row is: ``(deployment, how)``
        where how is "managed" (made by this importer: its use case id, else its
        agency and key name), "curated" (a maintainer's record that names the use
        case id) or None (create). The crosswalk gives 2024 rows their 2025 id and
        key name, so either year finds the same record.

        The register-wide rule (``reconcile.DeploymentIndex``: agency plus system or
        vendor plus use) is not the decider here: the inventory's use cases are
        distinct by the agency's own account (CBP reports six uses of the Traveler
        Verification Service, ICE four searches with a withheld vendor), and that
        rule would fold them into one. Records it would call the same are left to
        "Needs attention", which lists probable duplicates by that rule.
        """
        uc_id = p.match_id
        if uc_id and (d := self.by_inventory_id.get(uc_id)) and d.pk not in self.claimed:
            return d, "managed"
        base = key_slug(agency.slug, p.key_name)
        candidates = [base, *(f"{base}-{n}" for n in range(2, 10))]
        for slug in candidates:
            d = self.deployments.get(slug)
            if d is None:
                break
            if (
                d.pk not in self.claimed
                and (not uc_id or d.inventory_id in ("", uc_id))
                and self._cited_years(d)
            ):
                return d, "managed"
        if uc_id and (d := self.mentions.get(uc_id)):
            return d, "curated"
        return None, None

    def _cited_years(self, deployment):
        """The inventory years a deployment cites."""
        cited = self.deployment_sources.get(deployment.pk, set())
        return [year for year, pk in self.inventory_sources.items() if pk in cited]

    def write(self, p: Plan):
        label = p.use_case.label
        if p.skip:
            existing = self.by_inventory_id.get(p.match_id) if p.match_id else None
            if existing:
                self.claimed.add(existing.pk)
                self.summary.notes.append(
                    f"{existing.slug} is now {p.skip} in the {self.year} inventory; left unchanged."
                )
            self.summary.skipped.append((label, p.skip))
            return
        if p.status == choices.DeploymentStatus.PLANNED:
            self.summary.planned.append(label)
        agency = self.agency(p)
        if p.link and p.reported_by:
            self.summary.notes.append(
                f"{label}: reported by {p.reported_by}; recorded under {agency.name} with the "
                f"same use case in the other year ({p.link.why})."
            )
        deployment, how = self.find_deployment(p, agency)
        if deployment is not None:
            self.claimed.add(deployment.pk)
        if how == "curated":
            changed = self._curated(p, deployment)
        else:
            deployment, changed = self._deployment(p, agency, deployment)
        if deployment is None:  # a published record an editor may not change
            return
        audit_changed = self._audit(p, deployment, key_slug(agency.slug, p.key_name)
                                    if how == "curated" else deployment.slug)  # fmt: skip
        if how is None:
            self.summary.created.append((label, deployment.slug))
        elif changed or audit_changed:
            self.summary.updated.append((label, deployment.slug, changed + audit_changed))
        else:
            self.summary.unchanged.append((label, deployment.slug))

    def _deployment(self, p: Plan, agency, deployment):
        system = self.system(p)
        values = {
            "agency_id": agency.pk,
            "status": p.status,
            "uses": Deployment._meta.get_field("uses").ordered(p.uses),
            "description": p.description(),
            "inventory_id": p.match_id or (deployment.inventory_id if deployment else ""),
            "ended": p.ended[0],
            "ended_precision": p.ended[1],
        }  # fmt: skip
        if p.started[0] is not None or deployment is None:
            values["started"], values["started_precision"] = p.started
        if system is not None or deployment is None:  # never clear a system a maintainer set
            values["system_id"] = system.pk if system else None
        sources = self.deployment_sources.get(deployment.pk, set()) if deployment else set()
        new_sources = sources | {self.source.pk}
        newer = [y for y in self._cited_years(deployment) if y > self.year] if deployment else []
        if newer:
            # An older inventory never overwrites what a newer one said; it is cited too.
            values = {}
            self.summary.notes.append(
                f"{deployment.slug} already cites the {max(newer)} inventory: only the "
                f"{self.year} inventory is added to its sources."
            )
        if deployment is None:
            slug = self._unique(key_slug(agency.slug, p.key_name), set(self.deployments))
            deployment = Deployment(slug=slug, **values)
            self._new(deployment, m2m={"sources": sorted(new_sources)})
            self.deployments[slug] = deployment
            self.deployment_sources[deployment.pk] = new_sources
            self.claimed.add(deployment.pk)
            self.touched.add(deployment.pk)
            return deployment, []
        changed = [_field_name(k) for k, v in values.items() if getattr(deployment, k) != v]
        if new_sources != sources:
            changed.append("sources")
        if not changed:
            return deployment, []
        if not self._may_change(deployment):
            return deployment, []
        for key, value in values.items():
            setattr(deployment, key, value)
        deployment._defer_derived = True
        save_record(deployment, reason=self.reason, m2m={"sources": sorted(new_sources)})
        self.deployment_sources[deployment.pk] = new_sources
        self.touched.add(deployment.pk)
        self.summary.records["updated deployment"] += 1
        return deployment, changed

    def _curated(self, p: Plan, deployment) -> list:
        """
        A maintainer's record that names the use case: cite this inventory and fill
        its empty fields; never overwrite what it says. Where the newest inventory it
        cites disagrees with it, the summary lists the conflict.
        """
        sources = self.deployment_sources.get(deployment.pk, set())
        newer = [y for y in self._cited_years(deployment) if y > self.year]
        offered = {
            "started": p.started[0],
            "system_id": self.system(p).pk if p.system else None,
            "uses": Deployment._meta.get_field("uses").ordered(p.uses),
        }
        changed, conflicts = [], []
        for name, value in offered.items():
            current = getattr(deployment, name)
            if value in (None, "", []):
                continue
            if current in (None, "", []):
                if not newer:
                    changed.append(name)
            elif name == "started":
                # The same date at the precision both know ("2025-10" and 9 October 2025).
                coarse = _coarser(deployment.started_precision, p.started[1])
                if not newer and to_iso(current, coarse) != to_iso(value, coarse):
                    conflicts.append((name, humanize(current, deployment.started_precision),
                                      humanize(value, p.started[1])))  # fmt: skip
            elif current != value and not newer:
                conflicts.append((name, current, value))
        if p.status != deployment.status and not newer:
            conflicts.append(("status", deployment.status, p.status))
        for name, current, value in conflicts:
            if name == "system_id":
                assert p.system is not None  # an empty offer is never a conflict (above)
                name, current, value = "system", deployment.system.name, p.system.name
            self.summary.conflicts.append(
                f"{deployment.slug}: {name} is “{_show(current)}” in the register, the {self.year} "
                f"inventory says “{_show(value)}” ({p.match_id or p.use_case.label}); kept."
            )
        new_sources = sources | {self.source.pk}
        if new_sources != sources:
            changed.append("sources")
        if not changed or not self._may_change(deployment):
            return []
        for name in changed:
            if name == "started":
                deployment.started, deployment.started_precision = p.started
            elif name != "sources":
                setattr(deployment, name, offered[name])
        deployment._defer_derived = True
        save_record(deployment, reason=self.reason, m2m={"sources": sorted(new_sources)})
        self.deployment_sources[deployment.pk] = new_sources
        self.touched.add(deployment.pk)
        self.summary.records["updated deployment"] += 1
        return [_field_name(name) for name in changed]

    def _may_change(self, record):
        if self.change_published or record.state in (choices.State.DRAFT,
                                                     choices.State.IN_REVIEW):  # fmt: skip
            return True
        self.summary.notes.append(
            f"{record.slug} is {record.get_state_display().lower()}: the changes from the "
            "inventory are left for a reviewer."
        )
        return False

    def _audit(self, p: Plan, deployment, base_slug) -> list:
        """Create or update the agency's own-declaration audit; the fields that changed."""
        slug = f"{base_slug[:100]}-inventory-{self.year}"
        existing = self.audits.get(slug)
        if not p.declarations.tested:
            if existing:
                self.summary.notes.append(
                    f"audit {slug}: the {self.year} inventory no longer declares testing for "
                    f"{p.use_case.label}; left as it is."
                )
            return []
        values = {
            "deployment_id": deployment.pk,
            "system_id": None,
            "auditor": p.agency.name,
            "auditor_kind": choices.AuditorKind.AGENCY,
            "published": datetime.date(self.year, 1, 1),
            "published_precision": choices.DatePrecision.YEAR,
            "is_public": False,
            "finding": choices.Finding.NOT_REPORTED,
            "summary": p.audit_summary(),
            "inventory_id": p.match_id,
        }
        if existing is None:
            if slug in self.audit_slugs:  # taken by another kind of audit
                slug = self._unique(slug, self.audit_slugs)
            audit = Audit(slug=slug, **values)
            self._new(audit, m2m={"sources": [self.source.pk]})
            self.audits[slug] = audit
            self.audit_slugs.add(slug)
            self.touched.add(deployment.pk)
            return ["audit created"]
        changed = [_field_name(k) for k, v in values.items() if getattr(existing, k) != v]
        sources = self.audit_sources.get(existing.pk, set())
        if self.source.pk not in sources:
            changed.append("sources")
        if not changed or not self._may_change(existing):
            return []
        for key, value in values.items():
            setattr(existing, key, value)
        existing._defer_derived = True
        save_record(existing, reason=self.reason,
                    m2m={"sources": sorted(sources | {self.source.pk})})  # fmt: skip
        self.touched.add(deployment.pk)
        self.summary.records["updated audit"] += 1
        return [f"audit {f}" for f in changed]

    def finish(self):
        """Report earlier use cases this inventory no longer lists; refresh audit status."""
        earlier = {pk: y for y, pk in self.inventory_sources.items() if y < self.year}
        current = self.inventory_sources.get(self.year)
        for deployment in self.deployments.values():
            cited = self.deployment_sources.get(deployment.pk, set())
            if deployment.pk in self.claimed or current in cited:
                continue
            years = [earlier[pk] for pk in cited if pk in earlier]
            if years:
                self.summary.missing.append((deployment.slug, deployment.inventory_id, max(years)))
        self.summary.missing.sort()
        if self.touched:
            refresh_audit_status_for(deployment_ids=self.touched)
