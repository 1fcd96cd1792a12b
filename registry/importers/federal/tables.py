"""
The importer's tables of known things, kept as data files in ``tables/`` (as
CourtListener keeps its importers' tables), so a maintainer can add a
department, a vendor or a system without touching the rules:

- ``departments.json``: inventory department codes (``acronym`` and
  ``aliases``) with the register's name, id and kind, and under each its
  ``components`` (bureaus), looked up by the department they belong to;
- ``vendors.json``: vendors recognised by a pattern in the inventory's
  free-text vendor answer;
- ``systems.json``: named face recognition products, recognised by a pattern in
  the use case's name (``where: name``), its vendor answer (``vendor``) or its
  name, vendor and system answers (``fields``);
- ``stages.json``: the inventories' stages of development and the deployment
  status each one means;
- ``crosswalk.json``: one use case across years, checked by hand. The 2024 file
  has no use case ids, and some names and reporting offices changed in 2025;
  each entry gives the use case's 2025 ``id`` (empty where 2025 has none too),
  its department code, its name in each year, and optionally the ``agency`` (a
  department or component id above) that keeps it when the years disagree, the
  ``key`` name its record is known by, and ``why``.

Patterns are Python regular expressions, matched case-insensitively.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ... import choices

TABLES = Path(__file__).with_name("tables")


def _load(name):
    return json.loads((TABLES / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class KnownVendor:
    slug: str
    name: str
    pattern: re.Pattern
    country: str = ""


@dataclass(frozen=True)
class KnownSystem:
    slug: str
    name: str
    vendor: str | None  # KnownVendor slug
    capabilities: tuple
    pattern: re.Pattern
    where: str  # "name", "fields" (name, vendor, system) or "vendor"


@dataclass(frozen=True)
class AgencyPlan:
    name: str
    acronym: str
    slug: str
    kind: str
    aliases: tuple = ()
    components: tuple = ()  # AgencyPlan, for a department

    @property
    def codes(self):
        """The codes and names an inventory may give for this agency, upper case."""
        return {self.acronym.upper(), *(a.upper() for a in self.aliases)} - {""}


def _agency(entry) -> AgencyPlan:
    kind = choices.AgencyKind(entry["kind"])
    return AgencyPlan(
        entry["name"], entry["acronym"], entry["id"], kind, tuple(entry.get("aliases", ())),
        tuple(_agency(c) for c in entry.get("components", ())),
    )  # fmt: skip


KNOWN_VENDORS = tuple(
    KnownVendor(v["id"], v["name"], re.compile(v["pattern"], re.IGNORECASE), v["country"])
    for v in _load("vendors.json")
)
KNOWN_SYSTEMS = tuple(
    KnownSystem(
        s["id"],
        s["name"],
        s["vendor"],
        tuple(choices.Capability(c) for c in s["capabilities"]),
        re.compile(s["pattern"], re.IGNORECASE),
        s["where"],
    )  # fmt: skip
    for s in _load("systems.json")
)
DEPARTMENTS = tuple(_agency(d) for d in _load("departments.json"))
AGENCY_BY_SLUG = {
    plan.slug: (department, plan if plan is not department else None)
    for department in DEPARTMENTS
    for plan in (department, *department.components)
}  # slug -> (department, component or None)


@dataclass(frozen=True)
class Link:
    """One use case across inventory years (``crosswalk.json``)."""

    use_case_id: str
    department: str
    names: dict  # year -> name
    agency: str = ""  # AGENCY_BY_SLUG key, when the years disagree
    key: str = ""  # the name its record is known by; else the newest name
    why: str = ""

    @property
    def key_name(self):
        return self.key or self.names[max(self.names)]


CROSSWALK = tuple(
    Link(
        e["id"],
        e["department"],
        {int(y): e[y] for y in e if y.isdigit()},
        e.get("agency", ""),
        e.get("key", ""),
        e.get("why", ""),
    )  # fmt: skip
    for e in _load("crosswalk.json")
)
for _link in CROSSWALK:  # a typo in the table must not pass silently
    assert not _link.agency or _link.agency in AGENCY_BY_SLUG, _link
STAGE_STATUS = {
    stage: choices.DeploymentStatus(status) for stage, status in _load("stages.json").items()
}
