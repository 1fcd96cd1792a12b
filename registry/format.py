"""
The public `fr-registry/1` interchange format (docs/data-format.md), in one place.

``SPEC`` lists each list of the format, its keys in documented order with their
value kind, and its required keys. The JSON importer and exporter, the API
serializers, the record JSON pages, the exports and the models all read the
format from here, as do the slug, country and region patterns: written once.

This module imports no model (the models read its patterns), so a list's
model is looked up by name when it is first asked for.
"""

import re
from dataclasses import dataclass

from django.apps import apps

from . import choices

FORMAT = "fr-registry/1"

# Patterns ------------------------------------------------------------------
# Shapes of identifiers, as regular-expression text (for validators, the API
# schema and HTML ``pattern`` attributes) and compiled (for code).

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"  # ISO 3166-1 alpha-2; `EU` has the same shape
REGION_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{1,3}$"  # ISO 3166-2: its country, a hyphen, 1-3 more
PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"

SLUG_RE = re.compile(SLUG_PATTERN)
COUNTRY_RE = re.compile(COUNTRY_PATTERN)
REGION_RE = re.compile(REGION_PATTERN)
DAY_RE = re.compile(DAY_PATTERN)
URL_RE = re.compile(URL_PATTERN, re.IGNORECASE)

# The country code of European Union law. A policy may name it; an agency may not.
EU = "EU"

# Value kinds -----------------------------------------------------------------
# A key's kind is one of these names, or a pair (tag, argument) whose tag is
# one of TAGGED_KINDS: ("enum", Choices), ("multi", Choices), ("ref", list
# name), ("refs", list name).
KINDS = {
    "str": "text",
    "url": "an http(s) URL",
    "slug": "a lowercase slug (a-z, 0-9, single hyphens)",
    "bool": "true or false",
    "country": "an ISO 3166-1 alpha-2 code, e.g. US",
    "country_or_eu": "an ISO 3166-1 alpha-2 code, or EU for European Union law",
    "region": "an ISO 3166-2 code, e.g. US-CA",
    "regions": 'a list of ISO 3166-2 codes, e.g. ["GB-ENG", "GB-WLS"]',
    "date": "a partial date: YYYY, YYYY-MM or YYYY-MM-DD",
    "day": "a full date, YYYY-MM-DD",
    "metrics": "a list of measured figures",
}
TAGGED_KINDS = {
    "enum": "one value of a vocabulary",
    "multi": "a list of values of a vocabulary",
    "ref": "the id of a record of another list",
    "refs": "a list of ids of records of another list",
}
# Kinds whose value is one JSON string.
TEXT_KINDS = ("str", "slug", "url", "country", "country_or_eu", "region", "date", "day")
# Kinds whose value is a JSON list of codes.
CODE_LIST_KINDS = ("regions",)

# The keys of one measured figure of an audit, and the JSON types each may take.
METRIC_KEYS = {"metric": str, "group": str, "value": (int, float), "threshold": (str, int, float),
               "note": str}  # fmt: skip


@dataclass(frozen=True)
class ListSpec:
    """
    One list of the format: its name, its model, its keys and the required ones.
    ``aliases`` maps an older key, still read on import but never written, to
    the key that replaced it (see ``upgrade()``).
    """

    name: str
    model_name: str
    keys: dict
    required: tuple
    aliases: tuple = ()

    @property
    def model(self):
        return apps.get_model("registry", self.model_name)

    def __getitem__(self, item):
        # Readers written when SPEC was a dict of dicts use spec["model"] etc.
        return getattr(self, item)


# Two optional keys every record has.
COMMON_KEYS = {"state": ("enum", choices.State), "last_verified": "day"}


def _list(name, model_name, keys, required, aliases=()):
    return ListSpec(name, model_name, {**keys, **COMMON_KEYS}, tuple(required), tuple(aliases))


@dataclass(frozen=True)
class Alias:
    """
    An older key still read on import: ``old`` holding one value stands for
    ``new`` holding a list of that one value (``"region": "GB-WLS"`` is
    ``"regions": ["GB-WLS"]``). Files written before a key became a list load.
    """

    old: str
    new: str


SPEC = {
    spec.name: spec
    for spec in (
        _list(
            "sources",
            "Source",
            {
                "id": "slug",
                "url": "url",
                "title": "str",
                "publisher": "str",
                "published": "date",
                "kind": ("enum", choices.SourceKind),
                "archived_url": "url",
                "excerpt": "str",
            },
            ("id", "url", "title"),
        ),
        _list(
            "vendors",
            "Vendor",
            {
                "id": "slug",
                "name": "str",
                "country": "country",
                "website": "url",
                "sources": ("refs", "sources"),
            },
            ("id", "name"),
        ),
        _list(
            "systems",
            "System",
            {
                "id": "slug",
                "name": "str",
                "vendor": ("ref", "vendors"),
                "capabilities": ("multi", choices.Capability),
                "description": "str",
                "sources": ("refs", "sources"),
            },
            ("id", "name"),
        ),
        _list(
            "agencies",
            "Agency",
            {
                "id": "slug",
                "name": "str",
                "acronym": "str",
                "kind": ("enum", choices.AgencyKind),
                "level": ("enum", choices.Level),
                "country": "country",
                "region": "region",
                "locality": "str",
                "parent": ("ref", "agencies"),
                "website": "url",
                "sources": ("refs", "sources"),
            },
            ("id", "name", "country"),
        ),
        _list(
            "deployments",
            "Deployment",
            {
                "id": "slug",
                "agency": ("ref", "agencies"),
                "system": ("ref", "systems"),
                "status": ("enum", choices.DeploymentStatus),
                "site": "str",
                "uses": ("multi", choices.Use),
                "started": "date",
                "ended": "date",
                "image_sources": ("multi", choices.ImageSource),
                "description": "str",
                "last_reported": "date",
                "reported_by": "str",
                "policies": ("refs", "policies"),
                "sources": ("refs", "sources"),
            },
            ("id", "agency", "sources"),
        ),
        _list(
            "audits",
            "Audit",
            {
                "id": "slug",
                "system": ("ref", "systems"),
                "deployment": ("ref", "deployments"),
                "auditor": "str",
                "auditor_kind": ("enum", choices.AuditorKind),
                "published": "date",
                "is_public": "bool",
                "dimensions": ("multi", choices.Dimension),
                "finding": ("enum", choices.Finding),
                "metrics": "metrics",
                "summary": "str",
                "report_url": "url",
                "sources": ("refs", "sources"),
            },
            ("id", "auditor", "sources"),
        ),
        _list(
            "policies",
            "Policy",
            {
                "id": "slug",
                "title": "str",
                "kind": ("enum", choices.PolicyKind),
                "status": ("enum", choices.PolicyStatus),
                "country": "country_or_eu",
                "regions": "regions",
                "locality": "str",
                "issuer": "str",
                "adopted": "date",
                "effective": "date",
                "ends": "date",
                "requirements": ("multi", choices.Requirement),
                "summary": "str",
                "url": "url",
                "agencies": ("refs", "agencies"),
                "sources": ("refs", "sources"),
            },
            ("id", "title", "country", "sources"),
            # A policy named one region before it could name several (issue 10).
            aliases=(Alias("region", "regions"),),
        ),
    )
}

LISTS = tuple(SPEC)
TOP_KEYS = {"format", "generated", *LISTS}


def list_of_model(model) -> ListSpec:
    """The list of the format that holds records of ``model`` (a class or an instance)."""
    name = model._meta.model.__name__
    for spec in SPEC.values():
        if spec.model_name == name:
            return spec
    raise LookupError(f"{name} is not a record of the {FORMAT} format")


def upgrade(spec: ListSpec, record: dict) -> tuple[dict, list[tuple[str, str]]]:
    """
    ``record`` with each older key of ``spec.aliases`` read as the key that
    replaced it, and ``(key, message)`` for an older key that cannot be read
    (the wrong type, or given together with its replacement). A record without
    older keys is returned as it is.
    """
    if not any(alias.old in record for alias in spec.aliases):
        return record, []
    out, problems = dict(record), []
    for alias in spec.aliases:
        if alias.old not in out:
            continue
        value = out.pop(alias.old)
        if alias.new in record:
            problems.append(
                (alias.old, f"Give {alias.new!r} or the older {alias.old!r}, not both.")
            )
        elif value is None or value == "":
            out[alias.new] = []
        elif isinstance(value, str):
            out[alias.new] = [value]
        else:
            problems.append((alias.old, f"Must be a string, found {type(value).__name__}."))
    return out, problems


def vocabularies():
    """``{(list, key): Choices}`` of every enum and multi key: the values a file may use."""
    return {
        (spec.name, key): kind[1]
        for spec in SPEC.values()
        for key, kind in spec.keys.items()
        if isinstance(kind, tuple) and kind[0] in ("enum", "multi")
    }
