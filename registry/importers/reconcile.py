"""
Find the record an incoming row describes before creating one: one real thing is
one record, whichever importer (fr-registry JSON, federal inventory, Atlas of
Surveillance) meets it first.

Each index loads its candidates once (one query), then answers ``find`` for
every row of a file from memory, so an import of hundreds of rows costs no
query per row. An importer calls ``add`` after creating a record, so a later
row of the same file finds it.

The rules (also on the methodology page):

- **Names** are compared normalised (``normalise_name``): case, accents and
  punctuation ignored, ``&`` read as ``and``, ``Dept``/``Dept.`` as
  ``Department``, apostrophes dropped (``Sheriff's`` = ``Sheriffs``), a leading
  ``The`` and the words ``U.S.``/``United States`` ignored, and company
  suffixes (``Inc``, ``LLC``, ``Ltd``, ``Corp``, ``Corporation``, ``Co``,
  ``Company``) dropped.
- **An agency** is the same when, within the same country and region (an
  empty region for national bodies), its normalised name equals the incoming
  name or one of its aliases, or its acronym equals the incoming acronym, an
  alias, or the initials of the incoming name (``Virginia State Police`` and an
  agency whose acronym is ``VSP``). Two places must agree: when both records
  name a locality and they differ, the match is not decided.
- **A vendor** is the same when its normalised name, its name without a
  bracketed part, or the bracketed part itself (``Amazon (Amazon Web
  Services)``) equals the incoming name or an alias.
- **A deployment** is the same when it belongs to the same agency and uses the
  same system, or a system of the same vendor, and the uses agree (the same,
  overlapping, or one of them not known). When the incoming row names neither
  system nor vendor, it is the agency's deployment without a known system; no
  rule says whether it is one of the agency's deployments of a known system,
  so the importer creates it and reports those beside it.

When more than one record fits, the rule has not decided: ``find`` returns a
``Match`` with no record and the candidates, for the importer's summary and the
maintainers' "Needs attention" page. Retracted records are never matched.

``fill`` applies what a match brings: it fills empty fields and never overwrites
a curated value; a different value is returned as a ``Conflict`` for the summary.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from .. import choices
from ..models import Record

# Words that never tell two names apart.
_NOISE = re.compile(r"\b(?:inc|llc|ltd|corp|corporation|co|company)\b")
_US = re.compile(r"\bu s\b|\bus\b|\bunited states\b")
_INITIALS_SKIP = {"of", "and", "the", "for", "de", "du", "la", "le"}


# Cached: an index compares each incoming name with every name in its scope,
# so without it a file of n agencies in one place normalises n² names.
@functools.lru_cache(maxsize=65_536)
def normalise_name(name: str) -> str:
    """
    A name reduced to what tells it apart: ``"The Dept. of Motor Vehicles & Licensing"``
    and ``"Department of Motor Vehicles and Licensing"`` give the same text.
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("&", " and ")
    text = re.sub(r"['’‘`]", "", text)  # "Sheriff's" = "Sheriffs"
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _US.sub(" ", text)
    text = re.sub(r"\bdept\b", "department", text)
    text = _NOISE.sub(" ", text)
    text = re.sub(r"^\s*the\b", " ", text)
    return " ".join(text.split())


def initials(name: str) -> str:
    """``"Virginia State Police"`` → ``"VSP"`` (``of``, ``and``, ``the`` skipped; 3+ words)."""
    words = [w for w in normalise_name(name).split() if w not in _INITIALS_SKIP]
    # Two letters match too much by chance ("CP"); three or more is a name's acronym.
    return "".join(w[0] for w in words).upper() if len(words) > 2 else ""


_PLACE_WORDS = re.compile(r"\b(?:county|city|town|township|parish|borough|of)\b")


def same_place(a: str, b: str) -> bool:
    """
    Do two localities agree? An empty one agrees with any; ``Miami-Dade`` and
    ``Miami-Dade County``, or ``New York`` and ``New York City``, are one place.
    """
    a, b = (" ".join(_PLACE_WORDS.sub(" ", normalise_name(x)).split()) for x in (a, b))
    return not a or not b or a == b


def _without_brackets(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", name or "").strip()


def _bracketed(name: str) -> list[str]:
    return re.findall(r"\(([^)]*)\)", name or "")


def _empty(value) -> bool:
    return value is None or value == "" or value == []


# ---------------------------------------------------------------------------
# Results


@dataclass
class Match:
    """What ``find`` decided: ``record`` (and ``how``), or undecided ``candidates``."""

    record: Record | None
    how: str = ""  # "name", "alias", "acronym", "initials", "system", "vendor", "only"
    candidates: list = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return self.record is not None

    def describe(self) -> str:
        """How the summary says it: ``matched by acronym`` or ``could be a or b``."""
        if self.record is not None:
            return f"matched {self.record.slug} by {self.how}"
        return "could be " + " or ".join(sorted(c.slug for c in self.candidates))


@dataclass(frozen=True)
class Conflict:
    """A field the incoming row gives a different value than the curated record."""

    record: str  # slug
    field: str
    kept: object
    offered: object

    def __str__(self):
        return (
            f"{self.record}: {self.field} is “{_show(self.kept)}” in the register, the source "
            f"says “{_show(self.offered)}” (kept as it is)"
        )


def _show(value):
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


@dataclass
class Filled:
    changed: list = field(default_factory=list)  # field names
    conflicts: list = field(default_factory=list)  # Conflict


def fill(record, values: dict) -> Filled:
    """
    Give ``record`` the incoming ``values`` where its own field is empty. An
    incoming empty value changes nothing; a different curated value is kept and
    reported as a ``Conflict``. The caller saves the record if anything changed.
    """
    result = Filled()
    for name, value in values.items():
        if _empty(value):
            continue
        current = getattr(record, name)
        if _empty(current):
            setattr(record, name, value)
            result.changed.append(name)
        elif _comparable(current) != _comparable(value):
            result.conflicts.append(Conflict(record.slug, name, current, value))
    return result


def _comparable(value):
    if isinstance(value, (list, tuple, set)):
        return sorted(value)
    return value


def _uses_agree(a, b) -> bool:
    return not a or not b or bool(set(a) & set(b))


def _may_be_one_use(a, b) -> bool:
    different_use_cases = a.inventory_id and b.inventory_id and a.inventory_id != b.inventory_id
    return not different_use_cases and _uses_agree(a.uses, b.uses)


def _live(records):
    return [r for r in records if r.state != choices.State.RETRACTED]


# ---------------------------------------------------------------------------
# Agencies


class AgencyIndex:
    """
    Every agency, by place and by every key that may name it.

    Within a place the agencies are also kept by normalised name and by
    acronym, so ``find`` looks at the few that share a key instead of every
    agency of the place: importing n agencies into one place (a country
    without regions, a 2,000-deep chain of units) costs n look-ups, not n².
    A place's keys are taken on its first ``find`` (``duplicates`` needs none,
    and its queryset loads only the name) and for each agency added after;
    what may change later (state, locality filled in by an import) is read
    when it is found.
    """

    def __init__(self, agencies):
        self._by_scope: dict = defaultdict(list)
        # scope -> ({name: agencies}, {acronym: agencies}), built on first find.
        self._keyed = {}
        self._order = {}
        for agency in agencies:
            self.add(agency)

    @classmethod
    def load(cls, queryset=None):
        from ..models import Agency

        return cls(queryset if queryset is not None else Agency.objects.all())

    def add(self, agency):
        scope = (agency.country, agency.region or "")
        self._by_scope[scope].append(agency)
        self._order[id(agency)] = len(self._order)
        if scope in self._keyed:
            self._key(self._keyed[scope], agency)

    def _keys(self, scope):
        """The place's agencies by normalised name and by acronym."""
        if scope not in self._keyed:
            self._keyed[scope] = ({}, {})
            for agency in self._by_scope.get(scope, ()):
                self._key(self._keyed[scope], agency)
        return self._keyed[scope]

    @staticmethod
    def _key(keyed, agency):
        by_name, by_acronym = keyed
        by_name.setdefault(normalise_name(agency.name), []).append(agency)
        if agency.acronym:
            by_acronym.setdefault(agency.acronym.upper(), []).append(agency)

    def _having(self, keyed, keys):
        """The live agencies under any of ``keys``, in the order they were added."""
        found = {id(a): a for key in keys for a in keyed.get(key, ())}
        return _live(sorted(found.values(), key=lambda a: self._order[id(a)]))

    def find(self, *, name, country, region="", locality="", acronym="", aliases=(),
             parent_id=None) -> Match | None:  # fmt: skip
        """
        The agency ``name`` (or ``acronym``, or one of ``aliases``) names in
        ``country`` and ``region``; None when there is none. ``parent_id``, when
        given, limits acronym matches to the children of that agency (``CA`` is
        Consular Affairs under State, not another ``CA``).
        """
        scope = (country, region or "")
        names = {normalise_name(n) for n in (name, *aliases) if n} - {""}
        codes = {c.strip().upper() for c in (acronym, *aliases) if c and " " not in c.strip()}
        guessed = initials(name)

        def place_agrees(agency):
            return same_place(locality, agency.locality)

        by_name_keys, by_acronym_keys = self._keys(scope)
        by_name = self._having(by_name_keys, names)
        if by_name:
            return self._decide(by_name, "name", place_agrees)

        def family(agency):
            return parent_id is None or agency.parent_id in (parent_id, None)

        for how, keys in (("acronym", codes), ("initials", {guessed} - {""})):
            found = [
                a for a in self._having(by_acronym_keys, keys)
                if family(a) and place_agrees(a)
            ]  # fmt: skip
            if found:
                return self._decide(found, how, lambda a: True)
        return None

    @staticmethod
    def _decide(found, how, place_agrees):
        agreeing = [a for a in found if place_agrees(a)]
        if len(agreeing) == 1:
            return Match(agreeing[0], how)
        return Match(None, how, candidates=agreeing or found)

    def duplicates(self):
        """Groups of two or more agencies this index cannot tell apart (by name)."""
        groups = []
        for pool in self._by_scope.values():
            by_key = defaultdict(list)
            for agency in _live(pool):
                by_key[normalise_name(agency.name)].append(agency)
            for group in by_key.values():
                while len(group) > 1:
                    first, rest = group[0], group[1:]
                    same = [first, *(a for a in rest if same_place(first.locality, a.locality))]
                    if len(same) > 1:
                        groups.append(same)
                    group = [a for a in rest if a not in same]
        return groups


# ---------------------------------------------------------------------------
# Vendors


class VendorIndex:
    def __init__(self, vendors):
        self._by_key: dict = defaultdict(list)
        for vendor in vendors:
            self.add(vendor)

    @classmethod
    def load(cls, queryset=None):
        from ..models import Vendor

        return cls(queryset if queryset is not None else Vendor.objects.all())

    @staticmethod
    def keys(name):
        keys = {normalise_name(name), normalise_name(_without_brackets(name))}
        keys |= {normalise_name(part) for part in _bracketed(name)}
        return keys - {""}

    def add(self, vendor):
        for key in self.keys(vendor.name):
            if vendor not in self._by_key[key]:
                self._by_key[key].append(vendor)

    def find(self, name, *, aliases=()) -> Match | None:
        found = []
        for candidate in (name, *aliases):
            for key in self.keys(candidate):
                found += [v for v in _live(self._by_key.get(key, ())) if v not in found]
            if found:
                break
        if not found:
            return None
        if len(found) == 1:
            return Match(found[0], "name")
        return Match(None, "name", candidates=found)


# ---------------------------------------------------------------------------
# Deployments


class DeploymentIndex:
    """Deployments by agency; each knows its system's vendor without a query."""

    def __init__(self, deployments):
        self._by_agency: dict = defaultdict(list)
        for deployment in deployments:
            self.add(deployment)

    @classmethod
    def load(cls, queryset=None):
        from ..models import Deployment

        queryset = Deployment.objects.all() if queryset is None else queryset
        return cls(queryset.select_related("system"))

    def add(self, deployment):
        self._by_agency[deployment.agency_id].append(deployment)

    def __iter__(self):
        return (d for pool in self._by_agency.values() for d in pool)

    def of_agency(self, agency_id):
        return _live(self._by_agency.get(agency_id, ()))

    @staticmethod
    def _vendor_id(deployment):
        return deployment.system.vendor_id if deployment.system_id else None

    def find(self, *, agency_id, system_id=None, vendor_id=None, uses=()) -> Match | None:
        pool = [d for d in self.of_agency(agency_id) if _uses_agree(d.uses, uses)]
        if not pool:
            return None
        if system_id is not None:
            found = [d for d in pool if d.system_id == system_id]
            if found:
                return self._decide(found, "system")
        if vendor_id is not None:
            found = [d for d in pool if self._vendor_id(d) == vendor_id]
            return self._decide(found, "vendor") if found else None
        if system_id is not None:
            return None
        # A row that names no system is the agency's use of an unknown system;
        # whether it is one of its known systems no rule can tell (the caller
        # reports ``of_agency`` beside the new record).
        unknown = [d for d in pool if d.system_id is None]
        return self._decide(unknown, "system not known") if unknown else None

    @staticmethod
    def _decide(found, how):
        if len(found) == 1:
            return Match(found[0], how)
        return Match(None, how, candidates=found)


# ---------------------------------------------------------------------------
# Probable duplicates already in the register (for "Needs attention")


def probable_duplicate_agencies(queryset):
    """Groups of agencies in ``queryset`` with the same normalised name and place."""
    return AgencyIndex(queryset.only("pk", "slug", "name", "country", "region", "locality",
                                     "state")).duplicates()  # fmt: skip


def probable_duplicate_deployments(queryset):
    """
    Groups of deployments in ``queryset`` of one agency at one site with one
    system (or both with no known system) whose uses agree: the same use
    recorded twice. Not duplicates: uses at different recorded sites (CBP at two
    airports), and two use cases a federal inventory lists under different ids
    (the crosswalk already joins one use case across years). Every two records
    of a group agree; groups are formed in slug order, so the order of imports
    does not change them. The database picks the candidates; only those are read.
    """
    same_agency = queryset.filter(agency_id=OuterRef("agency_id"), site=OuterRef("site")).exclude(
        pk=OuterRef("pk")
    )
    candidates = queryset.filter(
        Q(Exists(same_agency.filter(system_id=OuterRef("system_id"))), system__isnull=False)
        | Q(Exists(same_agency.filter(system__isnull=True)), system__isnull=True)
    )
    by_key = defaultdict(list)
    for deployment in candidates.select_related("agency", "system").order_by("slug"):
        by_key[(deployment.agency_id, deployment.site, deployment.system_id)].append(deployment)
    groups = []
    for group in by_key.values():
        while len(group) > 1:
            same = [group[0]]
            for d in group[1:]:
                if all(_may_be_one_use(s, d) for s in same):
                    same.append(d)
            if len(same) > 1:
                groups.append(same)
            group = [d for d in group[1:] if d not in same]
    return groups
