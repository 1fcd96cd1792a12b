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
  status each one means.

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
STAGE_STATUS = {
    stage: choices.DeploymentStatus(status) for stage, status in _load("stages.json").items()
}
