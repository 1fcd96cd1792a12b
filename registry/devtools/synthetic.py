"""
Synthetic registers, for tests and benchmarks only.

`generate(agencies=20_000, deployments=100_000)` fills an empty database with a
register of national scale whose shape resembles the real one (many local
police forces, a few national agencies, a long tail of vendors, most systems
never audited, local ordinances and state statutes). Every name and title
starts with "Synthetic" and every URL points at example.org, so no one can
mistake a synthetic record for a fact about a real government.

Rows are written with ``bulk_create`` in batches: that skips ``save()``,
signals and django-simple-history, which is what a bulk load wants. What those
would have derived is set here in bulk instead: the audit status by one
``refresh_audit_status()`` UPDATE per table, the search index by one rebuild,
and a policy's ``binds_by_jurisdiction`` by the same rule as ``Policy.save``.
On PostgreSQL rows are loaded with COPY, and VACUUM ANALYZE runs at the end
(planner statistics, and the visibility map that index-only scans need).
"""

import datetime
import functools
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.text import slugify

from .. import choices, search
from ..models import (
    Agency,
    Audit,
    Deployment,
    Policy,
    Source,
    System,
    Vendor,
)
from ..types import MODELS

PREFIX = "Synthetic"
BATCH_SIZE = 2_000
LATEST_DATE = datetime.date(2025, 12, 31)


class RegisterNotEmpty(Exception):
    """Synthetic records are never mixed with real ones."""


@dataclass(frozen=True)
class Counts:
    """How many records of each list to make; the smaller lists scale with the larger."""

    agencies: int
    deployments: int
    vendors: int
    systems: int
    audits: int
    policies: int
    sources: int

    @classmethod
    def for_scale(cls, *, agencies: int, deployments: int) -> "Counts":
        # At 20,000 agencies and 100,000 deployments: 50 vendors, 200 systems,
        # 500 audits, 2,000 policies and 5,000 sources.
        return cls(
            agencies=agencies,
            deployments=deployments,
            vendors=max(1, agencies // 400),
            systems=max(2, agencies // 100),
            audits=max(5, deployments // 200),
            policies=max(3, agencies // 10),
            sources=max(3, deployments // 20),
        )


@dataclass
class Report:
    counts: Counts
    steps: list[tuple[str, int, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(seconds for _step, _rows, seconds in self.steps)


# Where synthetic agencies are, with weights: mostly the United States, as in
# the real register, then other countries with region codes of their own form.
COUNTRIES = {
    "US": 60, "GB": 8, "CA": 5, "AU": 3, "DE": 3, "FR": 3, "IN": 3, "BR": 3,
    "JP": 2, "IT": 2, "ES": 2, "NL": 1, "PL": 1, "SE": 1, "MX": 1, "ZA": 1, "NZ": 1,
}  # fmt: skip
US_STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY",
)  # fmt: skip
REGIONS = {
    "US": [f"US-{state}" for state in US_STATES],
    "GB": ["GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR"],
    "CA": ["CA-ON", "CA-QC", "CA-BC", "CA-AB", "CA-MB", "CA-NS"],
    "AU": ["AU-NSW", "AU-VIC", "AU-QLD", "AU-WA", "AU-SA"],
    "DE": ["DE-BY", "DE-BE", "DE-NW", "DE-HE", "DE-BW"],
    "FR": ["FR-IDF", "FR-ARA", "FR-PAC", "FR-OCC"],
    "IN": ["IN-MH", "IN-DL", "IN-KA", "IN-TN"],
    "BR": ["BR-SP", "BR-RJ", "BR-MG", "BR-BA"],
    "JP": ["JP-13", "JP-27", "JP-14"],
}
LEVELS = {choices.Level.NATIONAL: 3, choices.Level.REGIONAL: 12, choices.Level.LOCAL: 85}
KINDS_BY_LEVEL = {
    choices.Level.NATIONAL: {
        choices.AgencyKind.FEDERAL_LAW_ENFORCEMENT: 30,
        choices.AgencyKind.BORDER_IMMIGRATION: 20,
        choices.AgencyKind.TRANSPORT_SECURITY: 10,
        choices.AgencyKind.INTELLIGENCE: 10,
        choices.AgencyKind.BENEFITS: 10,
        choices.AgencyKind.CORRECTIONS: 10,
        choices.AgencyKind.OTHER: 10,
    },
    choices.Level.REGIONAL: {
        choices.AgencyKind.POLICE: 40,
        choices.AgencyKind.CORRECTIONS: 20,
        choices.AgencyKind.BENEFITS: 15,
        choices.AgencyKind.PROSECUTOR: 10,
        choices.AgencyKind.TRANSPORT_SECURITY: 5,
        choices.AgencyKind.OTHER: 10,
    },
    choices.Level.LOCAL: {
        choices.AgencyKind.POLICE: 60,
        choices.AgencyKind.SHERIFF: 22,
        choices.AgencyKind.PROSECUTOR: 5,
        choices.AgencyKind.EDUCATION: 5,
        choices.AgencyKind.HOUSING: 4,
        choices.AgencyKind.OTHER: 4,
    },
}
AGENCY_NAMES = {
    choices.AgencyKind.POLICE: "Synthetic {place} Police",
    choices.AgencyKind.SHERIFF: "Synthetic County Sheriff's Office",
    choices.AgencyKind.FEDERAL_LAW_ENFORCEMENT: "Synthetic Federal Investigation Bureau",
    choices.AgencyKind.BORDER_IMMIGRATION: "Synthetic Border and Immigration Agency",
    choices.AgencyKind.TRANSPORT_SECURITY: "Synthetic Transport Security Service",
    choices.AgencyKind.INTELLIGENCE: "Synthetic Intelligence Service",
    choices.AgencyKind.PROSECUTOR: "Synthetic District Attorney",
    choices.AgencyKind.CORRECTIONS: "Synthetic Department of Corrections",
    choices.AgencyKind.EDUCATION: "Synthetic School District",
    choices.AgencyKind.HOUSING: "Synthetic Housing Authority",
    choices.AgencyKind.BENEFITS: "Synthetic Benefits Office",
    choices.AgencyKind.OTHER: "Synthetic Public Agency",
}
POLICE_PLACES = {
    choices.Level.NATIONAL: "National",
    choices.Level.REGIONAL: "State",
    choices.Level.LOCAL: "County",
}
STATES = {
    choices.State.PUBLISHED: 95,
    choices.State.DRAFT: 2,
    choices.State.IN_REVIEW: 2,
    choices.State.RETRACTED: 1,
}
DEPLOYMENT_STATUSES = {
    choices.DeploymentStatus.ACTIVE: 45,
    choices.DeploymentStatus.PILOT: 10,
    choices.DeploymentStatus.SUSPENDED: 5,
    choices.DeploymentStatus.ENDED: 20,
    choices.DeploymentStatus.PROHIBITED: 3,
    choices.DeploymentStatus.REPORTED: 14,
    choices.DeploymentStatus.DENIED: 3,
}
USES = {
    choices.Use.RETROSPECTIVE: 60,
    choices.Use.VERIFICATION: 20,
    choices.Use.LIVE: 15,
    choices.Use.MOBILE: 15,
    choices.Use.ACCESS_CONTROL: 5,
}
IMAGE_SOURCES = {
    choices.ImageSource.MUGSHOTS: 50,
    choices.ImageSource.DRIVER_LICENCES: 15,
    choices.ImageSource.WATCHLIST: 15,
    choices.ImageSource.CCTV: 10,
    choices.ImageSource.PASSPORTS_VISAS: 8,
    choices.ImageSource.SCRAPED_WEB: 5,
    choices.ImageSource.OTHER: 2,
}
AUDITOR_KINDS = {
    choices.AuditorKind.VENDOR: 35,
    choices.AuditorKind.GOVERNMENT_LAB: 25,
    choices.AuditorKind.ACADEMIC: 20,
    choices.AuditorKind.AGENCY: 10,
    choices.AuditorKind.INDEPENDENT: 10,
}
FINDINGS = {
    choices.Finding.DISPARITIES_FOUND: 40,
    choices.Finding.NO_SIGNIFICANT_DISPARITIES: 25,
    choices.Finding.INCONCLUSIVE: 10,
    choices.Finding.NOT_REPORTED: 25,
}
POLICY_LEVELS = {"national": 5, "eu": 1, "regional": 24, "local": 55, "agency": 15}
POLICY_KINDS = {
    "national": {
        choices.PolicyKind.STATUTE: 40,
        choices.PolicyKind.REGULATION: 30,
        choices.PolicyKind.EXECUTIVE_ORDER: 15,
        choices.PolicyKind.COURT_RULING: 15,
    },
    "eu": {choices.PolicyKind.REGULATION: 80, choices.PolicyKind.COURT_RULING: 20},
    "regional": {
        choices.PolicyKind.STATUTE: 60,
        choices.PolicyKind.MORATORIUM: 15,
        choices.PolicyKind.REGULATION: 15,
        choices.PolicyKind.COURT_RULING: 10,
    },
    "local": {
        choices.PolicyKind.ORDINANCE: 60,
        choices.PolicyKind.BAN: 30,
        choices.PolicyKind.MORATORIUM: 10,
    },
    "agency": {choices.PolicyKind.AGENCY_POLICY: 100},
}
POLICY_TITLES = {
    choices.PolicyKind.BAN: "Synthetic Face Surveillance Ban",
    choices.PolicyKind.MORATORIUM: "Synthetic Face Recognition Moratorium",
    choices.PolicyKind.STATUTE: "Synthetic Biometric Surveillance Act",
    choices.PolicyKind.ORDINANCE: "Synthetic Face Recognition Ordinance",
    choices.PolicyKind.REGULATION: "Synthetic Biometric Identification Regulation",
    choices.PolicyKind.EXECUTIVE_ORDER: "Synthetic Executive Order on Face Recognition",
    choices.PolicyKind.COURT_RULING: "Synthetic v Synthetic Police (ruling)",
    choices.PolicyKind.AGENCY_POLICY: "Synthetic Face Recognition Use Policy",
    choices.PolicyKind.COMPANY_POLICY: "Synthetic Company Face Recognition Policy",
}
POLICY_STATUSES = {
    choices.PolicyStatus.IN_FORCE: 60,
    choices.PolicyStatus.ENACTED: 10,
    choices.PolicyStatus.PROPOSED: 15,
    choices.PolicyStatus.EXPIRED: 5,
    choices.PolicyStatus.REPEALED: 5,
    choices.PolicyStatus.STRUCK_DOWN: 3,
    choices.PolicyStatus.SUPERSEDED: 2,
}
SOURCE_KINDS = {
    choices.SourceKind.NEWS: 40,
    choices.SourceKind.GOVERNMENT: 30,
    choices.SourceKind.NGO: 10,
    choices.SourceKind.ACADEMIC: 8,
    choices.SourceKind.COURT: 5,
    choices.SourceKind.VENDOR: 5,
    choices.SourceKind.DATASET: 2,
}
PUBLISHERS = [f"Synthetic Gazette {n:02d}" for n in range(1, 21)]


def register_is_empty() -> bool:
    return not any(model.objects.exists() for model in MODELS)


def generate(
    *,
    agencies: int,
    deployments: int,
    seed: int = 1,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str, int, float], None] | None = None,
) -> Report:
    """
    Fill an empty register with synthetic records, in one transaction.

    Raises ``RegisterNotEmpty`` when any record exists, so synthetic records are
    never mixed with real ones. ``progress(step, rows, seconds)`` is called
    after each step.
    """
    if not register_is_empty():
        raise RegisterNotEmpty(
            "The register already holds records; synthetic data goes into an empty "
            "database of its own."
        )
    counts = Counts.for_scale(agencies=agencies, deployments=deployments)
    builder = _Builder(counts=counts, rng=random.Random(seed), batch_size=batch_size)
    report = Report(counts=counts)

    def step(name, function):
        started = time.perf_counter()
        rows = function()
        seconds = time.perf_counter() - started
        report.steps.append((name, rows, seconds))
        if progress:
            progress(name, rows, seconds)

    with transaction.atomic():
        step("sources", builder.sources)
        step("vendors", builder.vendors)
        step("systems", builder.systems)
        step("agencies", builder.agencies)
        step("policies", builder.policies)
        step("deployments", builder.deployments)
        # bulk_create skips Deployment.save(), which copies the agency's and vendor's values.
        step("copied columns", Deployment.objects.sync_copies)
        step("audits", builder.audits)
        step("source citations", builder.citations)
        step("audit status", builder.audit_status)
        step("search index", lambda: sum(search.rebuild_index().values()))
    if connection.vendor == "postgresql":
        # VACUUM cannot run inside a transaction (a test's): ANALYZE alone there.
        statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        step(statement, functools.partial(_run, statement))
    else:
        # SQLite gathers no statistics by itself (importers.base.refresh_statistics).
        step("ANALYZE", functools.partial(_run, "ANALYZE"))
    return report


def _run(statement):
    with connection.cursor() as cursor:
        cursor.execute(statement)
    return 0


class _Builder:
    """Builds each list in turn; later lists refer to the ids of earlier ones."""

    def __init__(self, *, counts: Counts, rng: random.Random, batch_size: int):
        self.counts = counts
        self.rng = rng
        self.batch_size = batch_size
        self.citing: dict[type, list[int]] = {}
        # (id, country, region, locality) of every agency, and of those with a
        # locality or a region.
        self.agency_places: list[tuple[int, str, str, str]] = []
        self.local_places: list[tuple[int, str, str, str]] = []
        self.regional_places: list[tuple[int, str, str, str]] = []
        self.localities: dict[str, list[str]] = {}

    # Helpers -----------------------------------------------------------------

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def pick_some(self, weights: dict, *, most: int) -> list:
        wanted = self.rng.randint(1, most)
        picked = set()
        for _ in range(wanted * 3):
            picked.add(self.pick(weights))
            if len(picked) == wanted:
                break
        return sorted(picked)

    def record_fields(self) -> dict:
        state = self.pick(STATES)
        fields = {"state": state}
        if state == choices.State.RETRACTED:
            fields["public_note"] = "Synthetic record withdrawn: its source was not reliable."
        if self.rng.random() < 0.6:
            fields["last_verified"] = LATEST_DATE - datetime.timedelta(
                days=self.rng.randrange(1000)
            )
        return fields

    def partial_date(self, *, first_year: int = 2010) -> tuple[datetime.date, str]:
        precision = self.pick(
            {
                choices.DatePrecision.DAY: 50,
                choices.DatePrecision.MONTH: 35,
                choices.DatePrecision.YEAR: 15,
            }
        )
        year = self.rng.randint(first_year, LATEST_DATE.year)
        month = self.rng.randint(1, 12) if precision != choices.DatePrecision.YEAR else 1
        day = self.rng.randint(1, 28) if precision == choices.DatePrecision.DAY else 1
        return datetime.date(year, month, day), precision

    def save(self, model, objects) -> dict[str, int]:
        """Insert ``objects`` and return their ids by slug."""
        if connection.vendor == "postgresql":
            _copy(model, [f for f in model._meta.concrete_fields if not f.primary_key], objects)
            return dict(model.objects.values_list("slug", "pk"))
        model.objects.bulk_create(objects, batch_size=self.batch_size)
        if all(o.pk for o in objects):  # SQLite 3.35+ returns the ids
            return {o.slug: o.pk for o in objects}
        return dict(model.objects.values_list("slug", "pk"))

    def link(self, through, columns: tuple[str, str], rows: list[tuple[int, int]]) -> int:
        """Insert many-to-many rows: pairs of ids for the two foreign keys ``columns``."""
        if connection.vendor == "postgresql":
            _copy(through, [through._meta.get_field(c) for c in columns], rows, plain=True)
        else:
            attnames = [f"{column}_id" for column in columns]
            objects = [through(**dict(zip(attnames, row, strict=True))) for row in rows]
            through.objects.bulk_create(objects, batch_size=self.batch_size * 5)
        return len(rows)

    # Lists ---------------------------------------------------------------------

    def sources(self) -> int:
        objects = []
        for n in range(1, self.counts.sources + 1):
            published, precision = self.partial_date(first_year=2005)
            objects.append(
                Source(
                    slug=f"synthetic-source-{n:05d}",
                    title=f"Synthetic Source Document {n:05d}",
                    url=f"https://example.org/synthetic/sources/{n:05d}",
                    publisher=self.rng.choice(PUBLISHERS),
                    published=published,
                    published_precision=precision,
                    kind=self.pick(SOURCE_KINDS),
                    **self.record_fields(),
                )
            )
        self.source_ids = list(self.save(Source, objects).values())
        return len(objects)

    def vendors(self) -> int:
        objects = [
            Vendor(
                slug=f"synthetic-vendor-{n:03d}",
                name=f"Synthetic Vendor {n:03d}",
                country=self.pick(COUNTRIES),
                website=f"https://example.org/synthetic/vendors/{n:03d}",
                **self.record_fields(),
            )
            for n in range(1, self.counts.vendors + 1)
        ]
        self.vendor_ids = list(self.save(Vendor, objects).values())
        self.citing[Vendor] = self.vendor_ids
        return len(objects)

    def systems(self) -> int:
        capabilities = {
            choices.Capability.IDENTIFICATION: 50,
            choices.Capability.RETROSPECTIVE: 30,
            choices.Capability.VERIFICATION: 20,
            choices.Capability.LIVE: 10,
            choices.Capability.MOBILE: 10,
        }
        objects = []
        for n in range(1, self.counts.systems + 1):
            # A few vendors sell most systems; one in ten is built in-house.
            vendor = None
            if self.rng.random() >= 0.1:
                vendor = self.vendor_ids[int(len(self.vendor_ids) * self.rng.random() ** 2)]
            objects.append(
                System(
                    slug=f"synthetic-system-{n:04d}",
                    name=f"Synthetic Face Search {n:04d}",
                    vendor_id=vendor,
                    capabilities=self.pick_some(capabilities, most=3),
                    description="A synthetic face recognition system, for tests and benchmarks.",
                    **self.record_fields(),
                )
            )
        self.system_ids = list(self.save(System, objects).values())
        self.citing[System] = self.system_ids
        return len(objects)

    def agencies(self) -> int:
        objects = []
        for n in range(1, self.counts.agencies + 1):
            level = self.pick(LEVELS)
            kind = self.pick(KINDS_BY_LEVEL[level])
            country = self.pick(COUNTRIES)
            region = locality = ""
            if level != choices.Level.NATIONAL:
                region = self.rng.choice(
                    REGIONS.get(country) or [f"{country}-{k:02d}" for k in range(1, 9)]
                )
            if level == choices.Level.LOCAL:
                pool = self.localities.setdefault(region, [])
                # About six local agencies to a city or county.
                if not pool or self.rng.random() < 1 / 6:
                    pool.append(f"Synthetic City {sum(map(len, self.localities.values())):04d}")
                locality = self.rng.choice(pool)
            if kind == choices.AgencyKind.SHERIFF and country != "US":
                kind = choices.AgencyKind.POLICE
            name = AGENCY_NAMES[kind].format(place=POLICE_PLACES[level])
            objects.append(
                Agency(
                    slug=f"{slugify(name)}-{n:05d}",
                    name=f"{name} {n:05d}",
                    acronym=f"SYN{n:05d}" if self.rng.random() < 0.2 else "",
                    kind=kind,
                    level=level,
                    country=country,
                    region=region,
                    locality=locality,
                    website=f"https://example.org/synthetic/agencies/{n:05d}",
                    **self.record_fields(),
                )
            )
        ids = self.save(Agency, objects)
        self.agency_ids = [ids[o.slug] for o in objects]
        self.agency_places = [(ids[o.slug], o.country, o.region, o.locality) for o in objects]
        self.local_places = [place for place in self.agency_places if place[3]]
        self.regional_places = [place for place in self.agency_places if place[2]]
        self.citing[Agency] = self.agency_ids
        self._parents(objects, ids)
        return len(objects)

    def _parents(self, objects, ids):
        """One in five national agencies sits under another of its country."""
        national = defaultdict(list)
        for agency in objects:
            if agency.level == choices.Level.NATIONAL:
                national[agency.country].append(ids[agency.slug])
        children = []
        for pks in national.values():
            for pk in pks[1:]:
                if self.rng.random() < 0.2:
                    children.append(Agency(pk=pk, parent_id=pks[0]))
        Agency.objects.bulk_update(children, ["parent"], batch_size=self.batch_size)

    def policies(self) -> int:
        requirements = {value: 1 for value in choices.Requirement.values}
        requirements[choices.Requirement.BAN_GOVERNMENT_USE] = 4
        requirements[choices.Requirement.USE_POLICY_REQUIRED] = 3
        objects, named = [], []
        regions_of = defaultdict(set)
        for _agency, country, region, _locality in self.regional_places:
            regions_of[country].add(region)
        for n in range(1, self.counts.policies + 1):
            level = self.pick(POLICY_LEVELS)
            kind = self.pick(POLICY_KINDS[level])
            # A policy's place is that of an agency it could govern.
            places = {
                "local": self.local_places,
                "regional": self.regional_places,
            }.get(level) or self.agency_places
            agency, country, region, locality = self.rng.choice(places)
            if level == "eu":
                country, region, locality = "EU", "", ""
            elif level == "national":
                region = locality = ""
            elif level == "regional":
                locality = ""
            regions = [region] if region else []
            if level == "regional" and self.rng.random() < 0.1:
                # Some law covers several regions (a ruling for England and Wales).
                others = sorted(regions_of[country] - {region})
                if others:
                    regions.append(self.rng.choice(others))
            reqs = self.pick_some(requirements, most=4)
            adopted, adopted_precision = self.partial_date(first_year=2015)
            status = self.pick(POLICY_STATUSES)
            ends = None
            if status == choices.PolicyStatus.EXPIRED:
                ends = min(adopted + datetime.timedelta(days=730), LATEST_DATE)
            objects.append(
                Policy(
                    slug=f"synthetic-policy-{n:05d}",
                    title=f"{POLICY_TITLES[kind]} {n:05d}",
                    kind=kind,
                    status=status,
                    country=country,
                    regions=regions,
                    locality=locality,
                    issuer=f"Synthetic Council {n:05d}",
                    adopted=adopted,
                    adopted_precision=adopted_precision,
                    effective=adopted,
                    effective_precision=adopted_precision,
                    ends=ends,
                    ends_precision=choices.DatePrecision.DAY,
                    requirements=reqs,
                    summary="A synthetic policy, for tests and benchmarks.",
                    url=f"https://example.org/synthetic/policies/{n:05d}",
                    binds_by_jurisdiction=choices.binds_by_jurisdiction(kind, reqs),
                    **self.record_fields(),
                )
            )
            if level == "agency":
                named.append((f"synthetic-policy-{n:05d}", agency))
        ids = self.save(Policy, objects)
        self.policy_ids = list(ids.values())
        self.citing[Policy] = self.policy_ids
        self.link(
            Policy.agencies.through,
            ("policy", "agency"),
            [(ids[slug], agency) for slug, agency in named],
        )
        # Where each policy applies, so a deployment can cite one that governs it.
        self.policies_at = defaultdict(list)
        for policy in objects:
            for region in policy.regions or [""]:
                key = (policy.country, region, policy.locality)
                self.policies_at[key].append(ids[policy.slug])
        return len(objects)

    def deployments(self) -> int:
        objects, agency_of = [], []
        n_agencies = len(self.agency_places)
        ended = {
            choices.DeploymentStatus.ENDED,
            choices.DeploymentStatus.PROHIBITED,
            choices.DeploymentStatus.SUSPENDED,
        }
        for n in range(1, self.counts.deployments + 1):
            # Skewed: a few agencies have many deployments, many have none.
            place = self.agency_places[int(n_agencies * self.rng.random() ** 1.5)]
            system = None
            if self.rng.random() >= 0.15:
                system = self.system_ids[int(len(self.system_ids) * self.rng.random() ** 2)]
            status = self.pick(DEPLOYMENT_STATUSES)
            started, started_precision = self.partial_date()
            ended_on, ended_precision = None, choices.DatePrecision.DAY
            if status in ended and self.rng.random() < 0.7:
                ended_on, ended_precision = self.partial_date(first_year=started.year)
                ended_on = max(ended_on, started)
            inventory_id = ""
            if place[1] == "US" and not place[2] and self.rng.random() < 0.3:
                inventory_id = f"SYNTHETIC-{n:06d}"
            objects.append(
                Deployment(
                    slug=f"synthetic-deployment-{n:06d}",
                    agency_id=place[0],
                    system_id=system,
                    status=status,
                    uses=self.pick_some(USES, most=3),
                    started=started,
                    started_precision=started_precision,
                    ended=ended_on,
                    ended_precision=ended_precision,
                    image_sources=self.pick_some(IMAGE_SOURCES, most=2),
                    description="A synthetic deployment, for tests and benchmarks.",
                    inventory_id=inventory_id,
                    **self.record_fields(),
                )
            )
            agency_of.append(place)
        ids = self.save(Deployment, objects)
        self.deployment_ids = [ids[o.slug] for o in objects]
        self.citing[Deployment] = self.deployment_ids
        # Each deployment cites up to two of the policies that govern its place.
        through = Deployment.policies.through
        rows = []
        for pk, (_agency, country, region, locality) in zip(
            self.deployment_ids, agency_of, strict=True
        ):
            candidates = (
                self.policies_at.get((country, region, locality), [])
                + self.policies_at.get((country, region, ""), [])
                + self.policies_at.get((country, "", ""), [])
            )
            for policy in set(self.rng.sample(candidates, min(len(candidates), 2))):
                rows.append((pk, policy))
        self.link(through, ("deployment", "policy"), rows)
        return len(objects)

    def audits(self) -> int:
        dimensions = {value: 1 for value in choices.Dimension.values}
        objects = []
        for n in range(1, self.counts.audits + 1):
            # Four in five audits test a system; the rest one deployment.
            system = deployment = None
            if self.rng.random() < 0.8:
                system = self.system_ids[int(len(self.system_ids) * self.rng.random() ** 2)]
            else:
                deployment = self.rng.choice(self.deployment_ids)
            published, precision = self.partial_date(first_year=2018)
            kind = self.pick(AUDITOR_KINDS)
            objects.append(
                Audit(
                    slug=f"synthetic-audit-{n:04d}",
                    system_id=system,
                    deployment_id=deployment,
                    auditor=f"Synthetic Audit Lab {n % 40:02d}",
                    auditor_kind=kind,
                    published=published,
                    published_precision=precision,
                    is_public=self.rng.random() < 0.6,
                    dimensions=self.pick_some(dimensions, most=3),
                    finding=self.pick(FINDINGS),
                    summary="A synthetic bias audit, for tests and benchmarks.",
                    report_url=f"https://example.org/synthetic/audits/{n:04d}",
                    **self.record_fields(),
                )
            )
        self.citing[Audit] = list(self.save(Audit, objects).values())
        return len(objects)

    def citations(self) -> int:
        """Every record cites one to three sources."""
        rows = 0
        for model, pks in self.citing.items():
            through = model.sources.through
            fk = model._meta.model_name
            links = []
            for pk in pks:
                for source in self.rng.sample(self.source_ids, self.rng.randint(1, 3)):
                    links.append((pk, source))
            rows += self.link(through, (fk, "source"), links)
        return rows

    def audit_status(self) -> int:
        return System.objects.refresh_audit_status() + Deployment.objects.refresh_audit_status()


def _copy(model, fields, rows, *, plain=False):
    """
    PostgreSQL: load rows with COPY, far faster than INSERT at this scale.

    ``rows`` are model instances, whose values go through each field's
    ``pre_save`` (``auto_now``) and database preparation as ``bulk_create``
    would do, or with ``plain=True`` tuples of values ready for the database.
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        if plain:
            for row in rows:
                copy.write_row(row)
            return
        for obj in rows:
            copy.write_row(
                [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
            )
