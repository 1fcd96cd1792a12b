"""
Import the US federal AI use case inventories (Executive Order 13960, OMB
memoranda M-24-10 and M-25-21) into the register.

Two parts:

- a pure core that reads a CSV (``read_inventory``), recognises its layout
  (2024 consolidated or 2025 individually reported), decides which use cases
  involve face recognition (``classify``) and maps each one to register words
  (``plan``): no database, so every rule is testable on real rows;
- a service (``import_inventory``) that writes the plans inside one
  ``transaction.atomic()``: it reuses agencies, vendors, systems and
  deployments it can match, saves only what changed (one history entry per
  changed record, with the file name as the reason), and rolls everything back
  for a dry run.

The selection rule (also explained on the methodology page,
``templates/registry/_federal_inventory_method.html``):

1. A use case is about face recognition when its own words say that it
   recognises, compares, matches, verifies or captures faces for matching
   ("facial recognition", "face matching", "facial comparison", "facial
   verification", "face capture", "facial images", "search ... faces" ...),
   or when it names a face recognition product or vendor (Clearview AI, NEC
   NeoFace, Cognitec FaceVACS, Rank One, iProov, Paravision ...), or when it
   describes a biometric match of photos.
2. A phrase that the row negates ("does not perform ... facial recognition")
   does not count.
3. Even then, a use case is left out when face recognition is not what it is
   for: unlocking a device with the device's own Face ID, redacting or
   blurring faces, detecting deepfakes, or medical imaging (craniofacial
   surgery navigation).

Everything else that mentions faces (face detection for photo quality, "agencies
face challenges") is left out, and the import summary lists each such row with
the reason.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from .. import choices, search
from ..models import Agency, Audit, Deployment, Source, System, Vendor
from ..services import save_record

# ---------------------------------------------------------------------------
# Layouts


@dataclass(frozen=True)
class Layout:
    """One column layout of the inventory, and where each fact lives in it."""

    year: int
    name: str
    columns: dict  # our key -> the file's column
    text_columns: tuple  # columns whose words the selection rule reads

    @property
    def required(self):
        return tuple(self.columns.values())


LAYOUT_2025 = Layout(
    year=2025,
    name="2025 individually reported use cases",
    columns={
        "department_acronym": "agency",
        "department": "agency_name",
        "id": "id",
        "name": "use_case_name",
        "bureau": "agency_bureau",
        "stage": "development_stage",
        "purpose": "problem_solved",
        "benefits": "benefits",
        "outputs": "system_outputs",
        "operational_date": "operational_date",
        "vendor": "vendor_name",
        "system": "system_name_ato",
        "data": "data_description",
        "justification": "HI_justification",
        "testing": "hi_testing_conducted",
        "assessment": "hi_assessment_completed",
        "impacts": "hi_potential_impacts",
        "review": "hi_independent_review",
        "monitoring": "hi_ongoing_monitoring",
    },
    text_columns=(
        "use_case_name", "problem_solved", "benefits", "system_outputs", "data_description",
        "HI_justification", "hi_potential_impacts", "vendor_name", "system_name_ato",
    ),
)  # fmt: skip

LAYOUT_2024 = Layout(
    year=2024,
    name="2024 consolidated use cases",
    columns={
        "name": "2_use_case_name",
        "department": "3_agency",
        "department_acronym": "3_abr",
        "bureau": "4_bureau",
        "purpose": "11_purpose_benefits",
        "outputs": "12_outputs",
        "stage": "16_dev_stage",
        "operational_date": "20_date_implemented",
        "retired_date": "21_date_retired",
        "system": "41_system_name",
        "assessment": "52_impact_assessment",
        "testing": "53_real_world_testing",
        "risks": "54_key_risks",
        "review": "55_independent_eval",
        "monitoring": "56_monitor_postdeploy",
        "adverse_impact": "61_adverse_impact",
        "impacts": "62_disparity_mitigation",
    },
    text_columns=(
        "2_use_case_name", "11_purpose_benefits", "12_outputs", "41_system_name",
        "54_key_risks", "62_disparity_mitigation",
    ),
)  # fmt: skip

LAYOUTS = (LAYOUT_2025, LAYOUT_2024)


class InventoryError(Exception):
    """The file cannot be imported; nothing was written. ``row`` counts the header as row 1."""

    def __init__(self, message, *, row=None):
        self.row = row
        super().__init__(f"Row {row}: {message}" if row else message)


@dataclass(frozen=True)
class UseCase:
    """One row of an inventory, in words that do not depend on the layout."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    layout: Layout
    values: dict  # the file's columns -> text

    def get(self, key):
        column = self.layout.columns.get(key)
        return (self.values.get(column) or "").strip() if column else ""

    @property
    def use_case_id(self):
        return self.get("id")

    @property
    def name(self):
        return " ".join(self.get("name").split())

    @property
    def label(self):
        """How the summary names the row: its id (or row number) and its name."""
        ref = self.use_case_id or f"row {self.row}"
        return f"{ref} “{self.name}” ({self.get('department_acronym')} {self.get('bureau')})"

    def text(self, columns=None):
        columns = columns or self.layout.text_columns
        return "\n".join(self.values.get(c) or "" for c in columns)


@dataclass
class Inventory:
    layout: Layout
    use_cases: list
    year_hint: int | None = None

    @property
    def rows_read(self):
        return len(self.use_cases)


def detect_layout(header) -> Layout:
    """The layout whose columns the header has; a clear error otherwise."""
    names = {h.strip() for h in header}
    for layout in LAYOUTS:
        if set(layout.required) <= names:
            return layout
    best = max(LAYOUTS, key=lambda lay: len(set(lay.required) & names))
    if len(set(best.required) & names) >= len(best.required) // 2:
        missing = [c for c in best.required if c not in names]
        raise InventoryError(
            f"The header looks like the {best.name} layout ({best.year}) but lacks the "
            f"column(s): {', '.join(missing)}.",
            row=1,
        )
    raise InventoryError(
        "This is not a federal AI use case inventory layout this importer knows. It reads the "
        "2025 layout (columns agency, id, use_case_name, agency_bureau, development_stage, ...) "
        "and the 2024 layout (2_use_case_name, 3_agency, 3_abr, 4_bureau, 16_dev_stage, ...). "
        f"The header starts: {', '.join(list(header)[:6]) or '(empty)'}.",
        row=1,
    )


def read_inventory(data: bytes, *, filename: str = "") -> Inventory:
    """
    Parse a whole inventory file, or raise ``InventoryError`` naming the row
    that is wrong: text that is not UTF-8, a header of an unknown layout or
    missing columns, a row with more or fewer fields than the header (a
    truncated file), an unterminated quoted field.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8-sig", errors="replace")
        row = _records_in(good)
        raise InventoryError(
            f"The file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read). "
            "Save it as UTF-8 CSV and try again.",
            row=max(row, 1),
        ) from exc
    if not text.strip():
        raise InventoryError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row = 0
    try:
        header = next(reader)
        row = 1
        layout = detect_layout(header)
        header = [h.strip() for h in header]
        use_cases = []
        for fields in reader:
            row += 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line
            if len(fields) != len(header):
                raise InventoryError(
                    f"has {len(fields)} fields but the header has {len(header)}: the row is "
                    "truncated or has an unquoted comma.",
                    row=row,
                )
            use_cases.append(
                UseCase(row=row, layout=layout, values=dict(zip(header, fields, strict=True)))
            )
    except csv.Error as exc:
        raise InventoryError(
            f"is not valid CSV ({exc}); the file may be truncated.", row=row + 1
        ) from exc
    match = re.search(r"(20\d\d)", filename or "")
    return Inventory(layout=layout, use_cases=use_cases,
                     year_hint=int(match.group(1)) if match else None)  # fmt: skip


def _records_in(text):
    try:
        return sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return text.count("\n") + 1


# ---------------------------------------------------------------------------
# The selection rule

_FACE = r"(?:face|faces|facial)"
# Words that say a use case recognises, compares or captures faces for matching.
FR_PHRASES = re.compile(
    rf"\b{_FACE}[\s-]+(?:recognition|comparison|comparisons|matching|match|matches|"
    r"verification|identification|biometrics?|capture|images?|templates?|features|"
    r"search(?:es)?|candidate)\b"
    rf"|\b(?:search|searches|searched|match|matches|matched|compare|compares|compared|index|"
    rf"indexes|similar|identify|identifies)\s+(?:\w+\s+){{0,3}}?faces\b"
    r"|\bFRT\b|\bFR/FC\b",
    re.IGNORECASE,
)
# Products and vendors that do nothing but face recognition.
FR_PRODUCTS = re.compile(
    r"\bclearview\b|\bneoface\b|\bfacevacs\b|\bcognitec\b|\brank one\b|\biproov\b|"
    r"\bparavision\b|\bfacefirst\b|\bface\+\+|\bpimeyes\b",
    re.IGNORECASE,
)
# A biometric match of photographs is a face match.
PHOTO_BIOMETRIC = re.compile(r"\bbiometric\w*\b[^.\n]*\bphoto|\bphoto\w*\b[^.\n]*\bbiometric",
                             re.IGNORECASE)  # fmt: skip
NEGATION = re.compile(r"\b(?:not|no|never|without|nor)\b|n't\b", re.IGNORECASE)
# Mentions worth listing when a row is left out ("faces" as in "staff face delays" is not one).
MENTIONS_FACES = re.compile(
    r"\bfacial\b|\bbiometric|\bface ?id\b|\bselfie|\bliveness|"
    r"\b(?:detect\w*|blur\w*|redact\w*|obscur\w*|person's|human|synthetic\w*) (?:\w+ )?faces?\b|"
    r"\bfaces,|\bfaces (?:and|or)\b|\blike faces\b|"
    r"\bfaces? (?:detection|detected|images?|masks?|shields?|geometry)\b",
    re.IGNORECASE,
)

# Purposes for which a mention of faces is not face recognition of people. Each is
# looked for in the use case's name, and Face ID also in its stated purpose.
EXCLUSIONS = (
    (re.compile(r"\bface ?id\b", re.IGNORECASE), ("name", "purpose"),
     "unlocks a device or an app with the device's own Face ID"),
    (re.compile(r"\bunlock", re.IGNORECASE), ("name",),
     "unlocks a device or an app with the device's own Face ID"),
    (re.compile(r"redact|\bblur", re.IGNORECASE), ("name",), "redacts or blurs faces"),
    (re.compile(r"deep ?fake|synthetic", re.IGNORECASE), ("name",), "detects deepfakes"),
    (re.compile(r"cranio|surg(?:ery|ical)|dental|radiolog", re.IGNORECASE), ("name",),
     "medical imaging"),
)  # fmt: skip


@dataclass(frozen=True)
class Decision:
    selected: bool
    reason: str
    mentions_faces: bool = False


def _unnegated(pattern, text):
    """Matches of ``pattern`` in ``text`` that the same sentence does not negate just before."""
    found = []
    for match in pattern.finditer(text):
        start = max(
            text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start()),
            match.start() - 80,
        )  # fmt: skip
        if not NEGATION.search(text[start + 1 : match.start()]):
            found.append(match.group(0))
    return found


# Every pattern above needs one of these; most rows have none, and skip the regexes.
_CUE_WORDS = ("face", "facial", "biometric", "clearview", "cognitec", "rank one", "iproov",
              "paravision", "pimeyes", "selfie", "liveness", "frt", "fr/fc")  # fmt: skip
_CUES = re.compile(
    r"\bfac(?:e|es|ial)\b|biometric|clearview|cognitec|rank one|iproov|paravision|pimeyes|"
    r"selfie|liveness|facevacs|neoface|facefirst|\bfrt\b|\bfr/fc\b"
)


def classify(use_case: UseCase) -> Decision:
    """Is this use case about face recognition? With the reason, in words."""
    text = use_case.text()
    low = text.lower()
    if not any(word in low for word in _CUE_WORDS) or not _CUES.search(low):
        return Decision(False, "not about face recognition")
    phrases = _unnegated(FR_PHRASES, text)
    products = FR_PRODUCTS.findall(text)
    photos = _unnegated(PHOTO_BIOMETRIC, text)
    if phrases or products or photos:
        for pattern, where, why in EXCLUSIONS:
            if any(pattern.search(use_case.get(key)) for key in where):
                return Decision(False, f"excluded: {why}", True)
        if phrases:
            return Decision(True, f"says “{phrases[0]}”", True)
        if products:
            return Decision(True, f"names the face recognition product or vendor “{products[0]}”",
                            True)  # fmt: skip
        return Decision(True, "describes a biometric match of photographs", True)
    negated = FR_PHRASES.search(text)
    if negated or MENTIONS_FACES.search(text):
        for pattern, where, why in EXCLUSIONS:
            if any(pattern.search(use_case.get(key)) for key in where):
                return Decision(False, f"excluded: {why}", True)
        if negated:
            return Decision(False, "excluded: says it does not do face recognition", True)
        return Decision(False, "mentions faces or biometrics, not face recognition", True)
    return Decision(False, "not about face recognition")


# ---------------------------------------------------------------------------
# Mapping one use case to register words (pure)

STAGE_STATUS = {
    # 2025
    "pilot": choices.DeploymentStatus.PILOT,
    "deployed": choices.DeploymentStatus.ACTIVE,
    "retired": choices.DeploymentStatus.ENDED,
    # 2024
    "implementation and assessment": choices.DeploymentStatus.PILOT,
    "operation and maintenance": choices.DeploymentStatus.ACTIVE,
    "in production": choices.DeploymentStatus.ACTIVE,
    "in mission": choices.DeploymentStatus.ACTIVE,
}
# Stages before any use: the register records uses, not plans.
PRE_DEPLOYMENT_STAGES = {
    "pre-deployment", "initiated", "planned", "acquisition and/or development",
}  # fmt: skip

USE_PATTERNS = (
    (choices.Use.VERIFICATION,
     r"\b1:1\b|one[- ]to[- ]one|\bverif(?:y|ies|ied|ication)\b|\bvalidat|\bauthenticat"),
    (choices.Use.RETROSPECTIVE,
     r"investigative leads?|\bleads?\b|\b1:n\b|one[- ]to[- ]many|galler(?:y|ies)|publicly "
     r"available (?:online )?images|open[- ]source images|search(?:es|ed)? (?:\w+ ){0,3}against|"
     r"probe images|duplicate records|suggested\s+facial matches"),
    (choices.Use.LIVE,
     r"real[- ]time|live (?:video|camera|feed)|video surveillance|surveillance video|"
     r"camera feeds"),
    (choices.Use.MOBILE, r"\bmobile\b|smartphone|hand-?held|\bapp\b"),
    (choices.Use.ACCESS_CONTROL, r"access (?:control|log)|\bvault\b|physical access"),
)  # fmt: skip

CAPABILITIES_FOR_USE = {
    choices.Use.VERIFICATION: [choices.Capability.VERIFICATION],
    choices.Use.RETROSPECTIVE: [choices.Capability.IDENTIFICATION,
                                choices.Capability.RETROSPECTIVE],
    choices.Use.LIVE: [choices.Capability.IDENTIFICATION, choices.Capability.LIVE],
    choices.Use.MOBILE: [choices.Capability.MOBILE],
    choices.Use.ACCESS_CONTROL: [choices.Capability.VERIFICATION],
}  # fmt: skip


def uses_described(use_case: UseCase) -> list[str]:
    """The uses (``choices.Use``) that the use case's name, purpose and outputs describe."""
    text = " ".join(use_case.get(k) for k in ("name", "purpose", "benefits", "outputs"))
    return [use for use, pattern in USE_PATTERNS if re.search(pattern, text, re.IGNORECASE)]


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def parse_inventory_date(text: str) -> tuple[datetime.date | None, str]:
    """
    A date as the inventories write it, at the precision they give:
    ``2021-04-12 00:00:00`` and ``9/1/2023`` (day), ``06/2025`` and ``Jan-23``
    (month), ``2019`` (year). Anything else (``N/A``, prose) is unknown.
    """
    text = (text or "").strip()
    day, month, year = choices.DatePrecision.DAY, choices.DatePrecision.MONTH, \
        choices.DatePrecision.YEAR  # fmt: skip
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?", text):
            return datetime.date(int(m[1]), int(m[2]), int(m[3])), day
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
            return datetime.date(int(m[3]), int(m[1]), int(m[2])), day
        if m := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
            return datetime.date(int(m[2]), int(m[1]), 1), month
        m = re.fullmatch(r"([A-Za-z]{3})[a-z]*[- ](\d{2}|\d{4})", text)
        if m and m[1].lower() in _MONTHS:
            y = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
            return datetime.date(y, _MONTHS[m[1].lower()], 1), month
        if m := re.fullmatch(r"(\d{4})", text):
            return datetime.date(int(m[1]), 1, 1), year
    except ValueError:
        pass
    return None, day


# Answers meaning "not disclosed" rather than a name.
WITHHELD = re.compile(
    r"law enforcement sensitive|\bLES\b|redacted|^n/?a\b|^none\b|^tbd\b|not applicable|"
    r"^unknown|^third[- ]party vendor$|^in-house|^internal",
    re.IGNORECASE,
)


SENTENCE = re.compile(r"\b(?:is|are|was|serves|uses|used|provides)\b", re.IGNORECASE)


@dataclass(frozen=True)
class KnownVendor:
    slug: str
    name: str
    pattern: re.Pattern
    country: str = ""


KNOWN_VENDORS = tuple(KnownVendor(s, n, re.compile(p, re.IGNORECASE), c) for s, n, p, c in (
    ("nec", "NEC Corporation", r"\bNEC\b|nippon electric", "JP"),
    ("idemia", "IDEMIA", r"\bidemia\b", "FR"),
    ("clearview-ai", "Clearview AI", r"\bclearview\b", "US"),
    ("amazon", "Amazon (Amazon Web Services)", r"\bAWS\b|\bamazon\b", "US"),
    ("cognitec", "Cognitec Systems", r"\bcognitec\b|\bfacevacs\b", "DE"),
    ("rank-one-computing", "Rank One Computing", r"\brank one\b", "US"),
    ("iproov", "iProov", r"\biproov\b", "GB"),
    ("marinus-analytics", "Marinus Analytics", r"\bmarinus\b", "US"),
    ("bi-incorporated", "BI Incorporated", r"^BI$|\bBI Incorporated\b", "US"),
))  # fmt: skip


@dataclass(frozen=True)
class KnownSystem:
    slug: str
    name: str
    vendor: str | None  # KnownVendor slug
    capabilities: tuple
    pattern: re.Pattern
    where: str  # "name", "fields" (name, vendor, system) or "vendor"


_C = choices.Capability
KNOWN_SYSTEMS = tuple(KnownSystem(s, n, v, c, re.compile(p, re.I), w) for s, n, v, c, p, w in (
    ("clearview-ai-app", "Clearview AI facial recognition search", "clearview-ai",
     (_C.IDENTIFICATION, _C.RETROSPECTIVE), r"\bclearview\b", "vendor"),
    ("mobile-fortify", "Mobile Fortify", "nec", (_C.MOBILE, _C.IDENTIFICATION, _C.VERIFICATION),
     r"\bmobile fortify\b", "name"),
    ("tsa-cat2", "Credential Authentication Technology with camera (CAT-2)", "idemia",
     (_C.VERIFICATION,), r"\bCAT-2\b|\bSTIP/CAT\b", "fields"),
    ("cbp-traveler-verification-service", "CBP Traveler Verification Service (TVS)", "nec",
     (_C.VERIFICATION, _C.IDENTIFICATION), r"traveler verification serv|\bTVS\b", "fields"),
    ("amazon-rekognition", "Amazon Rekognition", "amazon",
     (_C.IDENTIFICATION, _C.RETROSPECTIVE), r"\brekognition\b", "fields"),
    ("cognitec-facevacs", "Cognitec FaceVACS", "cognitec", (_C.IDENTIFICATION,),
     r"\bfacevacs\b", "fields"),
))  # fmt: skip


@dataclass(frozen=True)
class VendorPlan:
    name: str
    known: KnownVendor | None = None


@dataclass(frozen=True)
class SystemPlan:
    name: str
    vendor: VendorPlan | None
    capabilities: tuple
    known: KnownSystem | None = None


def vendor_named(text: str) -> tuple[VendorPlan | None, str]:
    """
    The vendor an inventory's free-text vendor answer names, and a note for
    the description. Empty, "Law Enforcement Sensitive", "Redacted" and the
    like mean the vendor is not known, never a vendor called that.
    """
    text = " ".join((text or "").split()).strip(" .;")
    if not text:
        return None, ""
    if WITHHELD.search(text):
        return None, f"The inventory withholds the vendor (“{text}”)."
    for known in KNOWN_VENDORS:
        if known.pattern.search(text):
            return VendorPlan(known.name, known), ""
    if re.match(r"(?:U\.?S\.? )?Department of|^Dep(?:artmen)?t\.? ", text):
        return None, f"The inventory gives a government body as vendor (“{text}”)."
    if len(text) > 60 or SENTENCE.search(text) or re.search(r"\bprocured\b|[,;]|\band\b", text):
        return None, f"The inventory's answer on the vendor: “{text}”."
    return VendorPlan(text), ""


def system_named(use_case: UseCase, uses) -> SystemPlan | None:
    """The system the use case runs on: a known face recognition system, else the named one."""
    fields = {
        "name": use_case.name,
        "vendor": use_case.get("vendor"),
        "fields": " ".join((use_case.name, use_case.get("vendor"), use_case.get("system"))),
    }
    capabilities = tuple(dict.fromkeys(c for u in uses for c in CAPABILITIES_FOR_USE[u]))
    for known in KNOWN_SYSTEMS:
        if known.pattern.search(fields[known.where]):
            vendor = next((v for v in KNOWN_VENDORS if v.slug == known.vendor), None)
            return SystemPlan(known.name, VendorPlan(vendor.name, vendor) if vendor else None,
                              known.capabilities, known)  # fmt: skip
    name = " ".join(use_case.get("system").split()).strip(" .;")
    # Withheld, or a sentence rather than a name ("Login serves HISPs at VA, USDA, and SSA").
    if not name or WITHHELD.search(name) or len(name) > 120 or SENTENCE.search(name):
        return None
    vendor, _note = vendor_named(use_case.get("vendor"))
    return SystemPlan(name, vendor, capabilities)


# Agencies. Inventory codes -> the register's names, acronyms, ids and kinds.
_K = choices.AgencyKind


@dataclass(frozen=True)
class AgencyPlan:
    name: str
    acronym: str
    slug: str
    kind: str
    aliases: tuple = ()


DEPARTMENTS = (
    AgencyPlan("U.S. Department of Homeland Security", "DHS", "us-dhs", _K.OTHER),
    AgencyPlan("U.S. Department of Justice", "DOJ", "us-doj", _K.OTHER),
    AgencyPlan("U.S. Department of State", "DOS", "us-state", _K.OTHER, ("STATE",)),
    AgencyPlan("General Services Administration", "GSA", "us-gsa", _K.OTHER),
    AgencyPlan("U.S. Department of Health and Human Services", "HHS", "us-hhs", _K.OTHER),
    AgencyPlan("U.S. Department of Agriculture", "USDA", "us-usda", _K.OTHER),
    AgencyPlan("U.S. Department of the Treasury", "USDT", "us-treasury", _K.OTHER, ("TREAS",)),
    AgencyPlan("U.S. Department of Veterans Affairs", "VA", "us-va", _K.OTHER),
)  # fmt: skip

COMPONENTS = {
    "DHS": (
        AgencyPlan("U.S. Customs and Border Protection", "CBP", "us-cbp", _K.BORDER_IMMIGRATION),
        AgencyPlan("U.S. Immigration and Customs Enforcement", "ICE", "us-ice",
                   _K.BORDER_IMMIGRATION),
        AgencyPlan("Transportation Security Administration", "TSA", "us-tsa",
                   _K.TRANSPORT_SECURITY),
        AgencyPlan("United States Secret Service", "USSS", "us-secret-service",
                   _K.FEDERAL_LAW_ENFORCEMENT),
        AgencyPlan("U.S. Citizenship and Immigration Services", "USCIS", "us-uscis",
                   _K.BORDER_IMMIGRATION),
        AgencyPlan("Office of Biometric Identity Management", "OBIM", "us-obim", _K.OTHER),
        AgencyPlan("Federal Emergency Management Agency", "FEMA", "us-fema", _K.OTHER),
        AgencyPlan("Cybersecurity and Infrastructure Security Agency", "CISA", "us-cisa",
                   _K.OTHER),
        AgencyPlan("United States Coast Guard", "USCG", "us-coast-guard", _K.OTHER),
        AgencyPlan("DHS Management Directorate", "MGMT", "us-dhs-management", _K.OTHER),
    ),
    "DOJ": (
        AgencyPlan("Federal Bureau of Investigation", "FBI", "us-fbi", _K.FEDERAL_LAW_ENFORCEMENT),
        AgencyPlan("United States Marshals Service", "USMS", "us-marshals-service",
                   _K.FEDERAL_LAW_ENFORCEMENT),
        AgencyPlan("Executive Office for United States Attorneys", "EOUSA", "us-eousa",
                   _K.PROSECUTOR),
        AgencyPlan("Drug Enforcement Administration", "DEA", "us-dea",
                   _K.FEDERAL_LAW_ENFORCEMENT),
        AgencyPlan("Bureau of Alcohol, Tobacco, Firearms and Explosives", "ATF", "us-atf",
                   _K.FEDERAL_LAW_ENFORCEMENT),
        AgencyPlan("Federal Bureau of Prisons", "BOP", "us-bop", _K.CORRECTIONS, ("FBOP",)),
        AgencyPlan("INTERPOL Washington (U.S. National Central Bureau)", "USNCB", "us-usncb",
                   _K.FEDERAL_LAW_ENFORCEMENT),
    ),
    "STATE": (
        AgencyPlan("Bureau of Consular Affairs", "CA", "us-state-consular-affairs",
                   _K.BORDER_IMMIGRATION, ("CA/CST",)),
    ),
    "GSA": (
        AgencyPlan("Technology Transformation Services", "TTS", "us-gsa-tts", _K.OTHER,
                   ("FAS (TTS)",)),
    ),
    "HHS": (
        AgencyPlan("U.S. Food and Drug Administration", "FDA", "us-fda", _K.OTHER),
    ),
    "USDA": (
        AgencyPlan("USDA Office of Safety, Security, and Protection", "OSSP", "us-usda-ossp",
                   _K.OTHER, ("Office of Safety, Security, and Protection",)),
    ),
}  # fmt: skip


def normalize_name(name: str) -> str:
    """Agency and vendor names compared without “U.S.”, “the”, punctuation and case."""
    name = name.lower().replace("&", " and ")
    name = re.sub(r"\bu\.\s?s\.|\bunited states\b|\bus\b", " ", name)
    name = re.sub(r"\b(?:the|inc|llc|ltd|corp|corporation|co|company)\b", " ", name)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())


def department_of(use_case: UseCase) -> AgencyPlan:
    code = use_case.get("department_acronym").upper()
    for plan in DEPARTMENTS:
        if code in (plan.acronym, *plan.aliases):
            return plan
    name = " ".join(use_case.get("department").split()) or code
    if name.startswith("Department of"):
        name = f"U.S. {name}"
    return AgencyPlan(name, code, f"us-{slugify(code or name)}", _K.OTHER)


_ACRONYM_AND_NAME = re.compile(r"([A-Z][A-Za-z&]{1,9})\s*:\s*(.+)")  # "OSSP: Office of ..."


def component_of(use_case: UseCase, department: AgencyPlan) -> AgencyPlan | None:
    """The bureau or component that reported the use case; None when it is the department."""
    raw = " ".join(use_case.get("bureau").split())
    code = use_case.get("department_acronym").upper()
    dept_name = use_case.get("department")
    if dept_name and raw.lower().startswith(dept_name.lower()):
        raw = raw[len(dept_name) :].strip(" /-")  # "Department of Justice / FBI"
    if (
        not raw
        or raw.upper() in {code, department.acronym, *department.aliases}
        or (normalize_name(raw) == normalize_name(department.name))
    ):
        return None
    candidates = [raw, *(part.strip() for part in raw.split("/"))]
    named = _ACRONYM_AND_NAME.fullmatch(raw)
    if named:
        candidates += [named[1], named[2]]
    if bracketed := re.search(r"\(([A-Z]{2,10})\)$", raw):
        candidates.append(bracketed[1])
    for candidate in candidates:
        for plan in COMPONENTS.get(code, ()):
            if candidate.upper() in (plan.acronym, *(a.upper() for a in plan.aliases)) or (
                normalize_name(candidate) == normalize_name(plan.name)
            ):
                return plan
    # A component this importer has no name for: keep the inventory's words.
    acronym, name = (named[1], named[2]) if named else ("", raw)
    if not acronym and re.fullmatch(r"[A-Z][A-Z&/ ]{1,11}", name):
        acronym = name
    slug = f"{department.slug}-{slugify(acronym or name)}"[:60].strip("-")
    return AgencyPlan(name, acronym[:30], slug, _K.OTHER)


@dataclass(frozen=True)
class Declarations:
    """What the agency declared about testing and review, in plain words."""

    testing: str | None  # "yes", "in_progress", "no", "waived" or None (no answer)
    testing_words: str
    assessment: str
    review: str
    review_by_agency_itself: bool
    monitoring: str
    impacts: str  # the agency's own words on impacts or disparity mitigation
    impacts_label: str

    @property
    def tested(self):
        return self.testing == "yes"


_ANSWERS = {
    "yes": "yes", "in-progress": "in_progress", "in progress": "in_progress",
    "planned or in-progress": "in_progress", "no": "no", "caio waived": "waived",
}  # fmt: skip


def _answer(text):
    text = " ".join((text or "").split()).strip(" .").lower()
    if not text or text in ("n/a", "na"):
        return None
    if text.startswith("agency caio has waived"):
        return "waived"
    return _ANSWERS.get(text, "other")


def declarations(use_case: UseCase) -> Declarations:
    get = use_case.get
    testing_raw = get("testing")
    status = _answer(testing_raw)
    testing_words = {
        "yes": "conducted",
        "in_progress": "in progress",
        "no": "not conducted",
        "waived": "waived by the agency's Chief AI Officer",
        None: "",
    }.get(status, "")
    low = testing_raw.lower()
    if low.startswith(("performance evaluation", "impact evaluation", "benchmark evaluation")):
        status = "yes"
        kind = testing_raw.split(":")[0].strip().lower()
        testing_words = f"conducted ({kind}" + (
            ", not in an operational environment)" if kind.startswith("benchmark")
            else " in an operational environment)"
        )  # fmt: skip
    elif low.startswith("no testing"):
        status, testing_words = "no", "not conducted"
    elif status == "other":
        status, testing_words = None, ""

    assessment = {"yes": "completed", "in_progress": "in progress", "no": "not completed",
                  "waived": "waived by the agency's Chief AI Officer"}.get(
        _answer(get("assessment")), "")  # fmt: skip

    review_raw = " ".join(get("review").split())
    low = review_raw.lower()
    if "caio" in low and "waived" in low:
        review = "waived by the agency's Chief AI Officer"
    elif low in ("caio review", "yes – by the caio", "yes - by the caio"):
        review = "by the agency's Chief AI Officer (CAIO)"
    elif low.startswith("internal independent review") or "another appropriate agency" in low:
        review = "by another office of the agency not involved in developing the AI"
    elif "oversight board" in low:
        review = "by the agency's AI oversight board"
    elif low in ("true", "yes"):
        review = "yes (the reviewer is not named)"
    else:
        review = {"in_progress": "in progress", "no": "none"}.get(_answer(review_raw), "")

    monitoring_raw = " ".join(get("monitoring").split())
    low = monitoring_raw.lower()
    if low.startswith("yes - monitoring established") or low.startswith("yes, sufficient"):
        monitoring = "established"
    elif low.startswith("no monitoring"):
        monitoring = "not established"
    elif low in ("in-progress", "in progress"):
        monitoring = "being developed"
    elif ":" in monitoring_raw:  # 2024: "Intermittent and Manually Updated: A plan ..."
        monitoring = monitoring_raw.split(":")[0].strip().lower()
    elif low in ("", "n/a") or "not safety or rights-impacting" in low:
        monitoring = ""
    else:
        monitoring = monitoring_raw

    impacts = " ".join(get("impacts").split())
    if impacts.lower() in ("n/a", "na", "none"):
        impacts = ""
    label = ("Potential impacts and their mitigation" if use_case.layout is LAYOUT_2025
             else "Disparity mitigation")  # fmt: skip
    return Declarations(
        testing=status, testing_words=testing_words, assessment=assessment, review=review,
        # Every review the inventories ask about happens inside the agency.
        review_by_agency_itself=True, monitoring=monitoring, impacts=impacts,
        impacts_label=label,
    )  # fmt: skip


def _excerpt(text, limit):
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


# What a deployment's description says when the agency declared no completed testing.
UNTESTED_SENTENCES = {
    "in_progress": "The agency reports pre-deployment testing as in progress.",
    "no": "The agency reports that no pre-deployment testing was done.",
    "waived": "The agency's Chief AI Officer waived pre-deployment testing.",
    None: "The inventory gives no answer on pre-deployment testing.",
}


@dataclass(frozen=True)
class Plan:
    """What one selected use case becomes in the register (before matching)."""

    use_case: UseCase
    year: int
    skip: str  # why it is not imported, or ""
    department: AgencyPlan
    component: AgencyPlan | None
    status: str
    uses: list
    started: tuple
    ended: tuple
    system: SystemPlan | None
    vendor_note: str
    declarations: Declarations

    @property
    def agency(self):
        return self.component or self.department

    @property
    def reference(self):
        uc = self.use_case
        if uc.use_case_id:
            return f"Use case {uc.use_case_id} in the {self.year} federal AI use case inventory"
        return (f"Use case “{uc.name}” (no use case id; row {uc.row}) in the {self.year} "
                "federal AI use case inventory")  # fmt: skip

    def description(self) -> str:
        uc, d = self.use_case, self.declarations
        parts = [
            f"{self.reference}, reported by {self.agency.name} as “{uc.name}” at the stage "
            f"“{uc.get('stage')}”."
        ]
        purpose = uc.get("purpose") or uc.get("benefits")
        if purpose:
            parts.append(f"The agency describes it: “{_excerpt(purpose, 700)}”")
        outputs = uc.get("outputs")
        if outputs and "inactive" not in outputs.lower():
            parts.append(f"Outputs: “{_excerpt(outputs, 400)}”")
        parts.extend(self._vendor_sentence())
        retired = uc.get("retired_date")
        if retired and self.status == choices.DeploymentStatus.ENDED:
            parts.append(f"Retirement, as the inventory gives it: “{_excerpt(retired, 200)}”.")
        if not d.tested:
            parts.append(UNTESTED_SENTENCES.get(d.testing, UNTESTED_SENTENCES[None]))
        return "\n\n".join(parts)

    def _vendor_sentence(self):
        """The vendor, when the linked system does not already say it."""
        vendor, note = vendor_named(self.use_case.get("vendor"))
        if self.system is None:
            if vendor:
                return [f"The inventory names {vendor.name} as vendor but not the product."]
            return [note] if note else []
        system_vendor = self.system.vendor.name if self.system.vendor else None
        if vendor and self.system.known and vendor.name != system_vendor:
            return [f"The inventory names {vendor.name} as vendor."]
        return []

    def audit_summary(self) -> str:
        uc, d = self.use_case, self.declarations
        which = (f"use case {uc.use_case_id} (“{uc.name}”)" if uc.use_case_id
                 else f"the use case “{uc.name}” (no use case id; row {uc.row})")  # fmt: skip
        lines = [
            f"What {self.agency.name} declared for {which} in the {self.year} federal AI use "
            f"case inventory: pre-deployment testing: {d.testing_words}.",
        ]
        if d.assessment:
            lines.append(f"AI impact assessment: {d.assessment}.")
        if d.review:
            own = (" This is a review inside the agency, not an independent audit."
                   if d.review.startswith(("by ", "yes")) else "")  # fmt: skip
            lines.append(f"Independent review: {d.review}.{own}")
        if d.monitoring:
            lines.append(f"Ongoing monitoring: {d.monitoring}.")
        if d.impacts:
            lines.append(f"{d.impacts_label}, in the agency's words: “{_excerpt(d.impacts, 900)}”")
        lines.append(
            "The inventory does not publish test results or say whether accuracy was compared "
            "across demographic groups."
        )
        return " ".join(lines)


def plan(use_case: UseCase, *, year: int) -> Plan:
    """Map one selected use case to register words. Pure: no database."""
    stage = " ".join(use_case.get("stage").split()).lower()
    status = STAGE_STATUS.get(stage, "")
    if stage in PRE_DEPLOYMENT_STAGES:
        skip = f"not in use yet (stage “{use_case.get('stage')}”)"
    elif not status:
        skip = f"no recognised stage of development (“{use_case.get('stage')}”)"
    else:
        skip = ""
    department = department_of(use_case)
    uses = uses_described(use_case)
    system = system_named(use_case, uses)
    _vendor, vendor_note = vendor_named(use_case.get("vendor"))
    started = parse_inventory_date(use_case.get("operational_date"))
    ended = (
        parse_inventory_date(use_case.get("retired_date"))
        if status == choices.DeploymentStatus.ENDED
        else (None, choices.DatePrecision.DAY)
    )
    return Plan(
        use_case=use_case, year=year, skip=skip, department=department,
        component=component_of(use_case, department), status=status, uses=uses,
        started=started, ended=ended, system=system, vendor_note=vendor_note,
        declarations=declarations(use_case),
    )  # fmt: skip


def key_slug(agency_slug: str, name: str, limit: int = 90) -> str:
    """
    The permanent id of a deployment made from a use case: the agency's id and
    the use case name without its parenthetical notes (``PreCheck Touchless
    Identity Solution (TIS)`` and ``PreCheck Touchless Identity Solution`` are
    the same use case) nor a repeat of the agency (``us-cbp`` + ``CBP One`` is
    ``us-cbp-one``). Across years, use cases without an id are matched by it.
    """
    short = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    name_slug = slugify(short)
    words = agency_slug.split("-")
    for n in range(1, len(words)):
        tail = "-".join(words[n:])
        if name_slug.startswith(f"{tail}-"):
            name_slug = name_slug[len(tail) + 1 :]
            break
    slug = f"{agency_slug}-{name_slug}".strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


# ---------------------------------------------------------------------------
# The service


@dataclass
class Summary:
    """What an import did (or, for a dry run, would do), row by row."""

    filename: str
    layout: Layout
    year: int
    dry_run: bool = False
    rows_read: int = 0
    selected: list = field(default_factory=list)  # labels
    created: list = field(default_factory=list)  # (label, slug)
    updated: list = field(default_factory=list)  # (label, slug, fields)
    unchanged: list = field(default_factory=list)  # (label, slug)
    skipped: list = field(default_factory=list)  # (label, reason)
    not_face_recognition: int = 0
    records: Counter = field(default_factory=Counter)  # "created vendor" -> n
    notes: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # (slug, inventory_id, last year)

    @property
    def record_counts(self):
        """[("created deployment", 3), ...]: a list, so templates need no dict lookups."""
        return sorted(self.records.items())

    @property
    def skipped_count(self):
        return len(self.skipped) + self.not_face_recognition

    def lines(self):
        prefix = "Dry run, nothing written. " if self.dry_run else ""
        yield (f"{prefix}{self.filename}: {self.layout.name} layout, imported as the "
               f"{self.year} inventory.")  # fmt: skip
        yield f"Rows read: {self.rows_read}"
        yield f"Selected (face recognition): {len(self.selected)}"
        yield f"Created: {len(self.created)}"
        for label, slug in self.created:
            yield f"  + {slug} ← {label}"
        yield f"Updated: {len(self.updated)}"
        for label, slug, fields in self.updated:
            yield f"  ~ {slug} ({', '.join(fields)}) ← {label}"
        yield f"Unchanged: {len(self.unchanged)}"
        yield f"Skipped: {self.skipped_count}"
        yield f"  {self.not_face_recognition} rows: not about face recognition"
        for label, reason in self.skipped:
            yield f"  - {label}: {reason}"
        if self.records:
            yield "Records: " + ", ".join(f"{n} {what}" for what, n in self.record_counts)
        for note in self.notes:
            yield f"Note: {note}"
        if self.missing:
            yield (f"Not in the {self.year} inventory (reported, not deleted): "
                   f"{len(self.missing)}")  # fmt: skip
            for slug, inventory_id, last in self.missing:
                yield f"  ? {slug} ({inventory_id or 'no use case id'}; last cited: {last})"

    def __str__(self):
        return "\n".join(self.lines())


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


class _DryRun(Exception):
    pass


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
    try:
        with transaction.atomic(), search.deferred_indexing():
            writer.load()
            for use_case in chosen:
                writer.write(plan(use_case, year=year))
            writer.finish()
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
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
        self.agencies = list(Agency.objects.filter(country="US"))
        self.agency_slugs = set(Agency.objects.values_list("slug", flat=True))
        self.vendors = list(Vendor.objects.all())
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
    def _find_agency(self, spec: AgencyPlan, parent):
        for agency in self.agencies:
            if agency.slug == spec.slug:
                return agency
        name = normalize_name(spec.name)
        acronyms = {spec.acronym.upper(), *(a.upper() for a in spec.aliases)} - {""}
        for agency in self.agencies:
            if normalize_name(agency.name) == name:
                return agency
        for agency in self.agencies:
            same_parent = agency.parent_id == (parent.pk if parent else None) or (
                parent is not None and agency.parent_id is None
            )
            if agency.acronym and agency.acronym.upper() in acronyms and same_parent:
                return agency
        return None

    def agency(self, p: Plan):
        department = self._find_agency(p.department, None) or self._create_agency(
            p.department, None
        )
        if p.component is None:
            return department
        return self._find_agency(p.component, department) or self._create_agency(
            p.component, department
        )

    def _create_agency(self, spec, parent):
        agency = Agency(
            slug=self._unique(spec.slug, self.agency_slugs), name=spec.name, acronym=spec.acronym,
            kind=spec.kind, level=choices.Level.NATIONAL, country="US", parent=parent,
        )  # fmt: skip
        self._new(agency, m2m={"sources": [self.source.pk]})
        self.agencies.append(agency)
        return agency

    def vendor(self, spec: VendorPlan | None):
        if spec is None:
            return None
        name = normalize_name(spec.name)
        for vendor in self.vendors:
            if (spec.known and vendor.slug == spec.known.slug) or normalize_name(
                vendor.name
            ) == name:
                return vendor
            if spec.known and spec.known.pattern.search(vendor.name):
                return vendor
        vendor = Vendor(slug=self._unique(slugify(spec.name), self.vendor_slugs), name=spec.name,
                        country=spec.known.country if spec.known else "")  # fmt: skip
        self._new(vendor, m2m={"sources": [self.source.pk]})
        self.vendors.append(vendor)
        return vendor

    def system(self, p: Plan):
        spec = p.system
        if spec is None:
            return None
        name = normalize_name(spec.name)
        for system in self.systems:
            if (spec.known and system.slug == spec.known.slug) or normalize_name(
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
    def match(self, p: Plan, agency):
        """(deployment, how): how is "managed", "curated" or None (create)."""
        uc_id = p.use_case.use_case_id
        if uc_id and (d := self.by_inventory_id.get(uc_id)) and d.pk not in self.claimed:
            return d, "managed"
        base = key_slug(agency.slug, p.use_case.name)
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
            existing = self.by_inventory_id.get(p.use_case.use_case_id) if (
                p.use_case.use_case_id) else None  # fmt: skip
            if existing:
                self.claimed.add(existing.pk)
                self.summary.notes.append(
                    f"{existing.slug} is now {p.skip} in the {self.year} inventory; left unchanged."
                )
            self.summary.skipped.append((label, p.skip))
            return
        agency = self.agency(p)
        deployment, how = self.match(p, agency)
        if deployment is not None:
            self.claimed.add(deployment.pk)
        changed = []
        if how == "curated":
            self.summary.notes.append(
                f"{deployment.slug} is a curated record naming {p.use_case.use_case_id}: "
                "linked, its fields left as curated"
                + (f" (the inventory says status “{p.status}”, the record “{deployment.status}”)"
                   if deployment.status != p.status else "")
                + "."
            )  # fmt: skip
        else:
            deployment, changed = self._deployment(p, agency, deployment)
        if deployment is None:  # a published record an editor may not change
            return
        audit_changed = self._audit(p, deployment, key_slug(agency.slug, p.use_case.name)
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
            "inventory_id": p.use_case.use_case_id or (deployment.inventory_id if deployment
                                                      else ""),
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
            slug = self._unique(key_slug(agency.slug, p.use_case.name), set(self.deployments))
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
            "inventory_id": p.use_case.use_case_id,
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
            from ..signals import refresh_audit_status_for

            refresh_audit_status_for(deployment_ids=self.touched)
