"""
Mapping one selected use case to register words: status, uses, dates, vendor,
system, agency, the agency's declarations and the description. Pure: no
database, so every rule is testable on real rows. The tables of known
departments, vendors and systems are data files in ``tables/``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.text import slugify

from ... import choices
from ..reconcile import normalise_name
from .layouts import LAYOUT_2025, UseCase
from .tables import (
    AGENCY_BY_SLUG,
    CROSSWALK,
    DEPARTMENTS,
    KNOWN_SYSTEMS,
    KNOWN_VENDORS,
    STAGE_STATUS,
    AgencyPlan,
    KnownSystem,
    KnownVendor,
    Link,
)  # fmt: skip

_VETTING = r"derogatory records|records of concern|watch ?lists?"

# Each use only from words that say it. "Validation" of a lead is not a 1:1 check;
# "real-time identity verification" in an app is not live surveillance of a place.
USE_PATTERNS = (
    (choices.Use.VERIFICATION,
     r"\b1:1\b|one[- ]to[- ]one|\bverif(?:y|ies|ied|ication)\b|\bauthenticat"),
    (choices.Use.RETROSPECTIVE,
     r"investigative leads?|\bleads?\b|\b1:n\b|one[- ]to[- ]many|galler(?:y|ies)|publicly "
     r"available (?:online )?images|open[- ]source images|search(?:es|ed)? (?:\w+ ){0,3}against|"
     r"probe images|duplicate records|suggested\s+facial matches|" + _VETTING),
    (choices.Use.LIVE,
     r"live (?:video|camera|feed)|video surveillance|surveillance (?:video|cameras?)|"
     r"camera feeds|real[- ]time (?:video|surveillance|camera|monitoring)"),
    (choices.Use.MOBILE, r"\bmobile\b|smartphone|hand-?held|\bapp\b"),
    (choices.Use.ACCESS_CONTROL, r"access (?:control|log)|\bvault\b|physical access"),
)  # fmt: skip


def use_words(use_case: UseCase) -> dict:
    """
    The uses (``choices.Use``) that the use case's name, purpose and outputs
    describe, each with the words that say it: the inventories have no column
    for the use, so the register infers it from these words and says so.
    """
    text = " ".join(use_case.get(k) for k in ("name", "purpose", "benefits", "outputs"))
    found = {}
    for use, pattern in USE_PATTERNS:
        if match := re.search(pattern, text, re.IGNORECASE):
            found[use] = " ".join(match.group(0).split())
    # Vetting travellers against records of concern is a 1:N search; the word
    # "verification" in the programme's name does not make it a 1:1 check.
    if re.search(r"\bvetting\b", use_case.name, re.IGNORECASE) and re.search(
        _VETTING, text, re.IGNORECASE
    ):
        found.pop(choices.Use.VERIFICATION, None)
    return found


def uses_described(use_case: UseCase) -> list[str]:
    """The uses (``choices.Use``) that the use case's words describe."""
    return list(use_words(use_case))


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


def system_named(use_case: UseCase) -> SystemPlan | None:
    """
    The face recognition product the use case runs on, when it names one the
    register knows (``tables/systems.json``). The inventories' "system" answer is
    the system a use case is authorised to operate on (TECS Mod, a reporting
    system, a case management system), and its vendor may be a contractor: a
    system record is made only for a named face recognition product.
    """
    fields = {
        "name": use_case.name,
        "vendor": use_case.get("vendor"),
        "fields": " ".join((use_case.name, use_case.get("vendor"), use_case.get("system"))),
    }
    for known in KNOWN_SYSTEMS:
        if known.pattern.search(fields[known.where]):
            vendor = next((v for v in KNOWN_VENDORS if v.slug == known.vendor), None)
            return SystemPlan(known.name, VendorPlan(vendor.name, vendor) if vendor else None,
                              known.capabilities, known)  # fmt: skip
    return None


def operating_system_named(use_case: UseCase) -> str:
    """The inventory's answer on the system the use case operates on, when it is a name."""
    name = " ".join(use_case.get("system").split()).strip(" .;")
    # Withheld, or a sentence rather than a name ("Login serves HISPs at VA, USDA, and SSA").
    if not name or WITHHELD.search(name) or len(name) > 120 or SENTENCE.search(name):
        return ""
    return name


def department_of(use_case: UseCase) -> AgencyPlan:
    code = use_case.get("department_acronym").upper()
    for plan in DEPARTMENTS:
        if code in plan.codes:
            return plan
    name = " ".join(use_case.get("department").split()) or code
    if name.startswith("Department of"):
        name = f"U.S. {name}"
    return AgencyPlan(name, code, f"us-{slugify(code or name)}", choices.AgencyKind.OTHER)


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
        or (normalise_name(raw) == normalise_name(department.name))
    ):
        return None
    candidates = [raw, *(part.strip() for part in raw.split("/"))]
    named = _ACRONYM_AND_NAME.fullmatch(raw)
    if named:
        candidates += [named[1], named[2]]
    if bracketed := re.search(r"\(([A-Z]{2,10})\)$", raw):
        candidates.append(bracketed[1])
    for candidate in candidates:
        # The department's own table: its code in the file may be an alias ("DOS", "STATE").
        for plan in department.components:
            if candidate.upper() in plan.codes or (
                normalise_name(candidate) == normalise_name(plan.name)
            ):
                return plan
    # A component this importer has no name for: keep the inventory's words.
    acronym, name = (named[1], named[2]) if named else ("", raw)
    if not acronym and re.fullmatch(r"[A-Z][A-Z&/ ]{1,11}", name):
        acronym = name
    slug = f"{department.slug}-{slugify(acronym or name)}"[:60].strip("-")
    return AgencyPlan(name, acronym[:30], slug, choices.AgencyKind.OTHER)


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
        # The inventory's own category, once: it already says where ("... in operational
        # environment"); only a benchmark needs the words that it was not operational.
        kind = " ".join(testing_raw.split(":")[0].split()).lower()
        where = ", not in an operational environment" if kind.startswith("benchmark") else ""
        testing_words = f"conducted ({kind}{where})"
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
    use_words: dict  # use -> the words that say it
    started: tuple
    ended: tuple
    system: SystemPlan | None
    vendor_note: str
    declarations: Declarations
    link: Link | None = None  # the use case in other years (``crosswalk.json``)
    reported_by: str = ""  # the agency the row names, when the crosswalk keeps another

    @property
    def match_id(self):
        """The use case id this row is matched by: its own, else the crosswalk's."""
        return self.use_case.use_case_id or (self.link.use_case_id if self.link else "")

    @property
    def key_name(self):
        """The name that gives the record its id, the same whichever year comes first."""
        return self.link.key_name if self.link else self.use_case.name

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
            f"{self.reference}, reported by {self.reported_by or self.agency.name} as “{uc.name}” "
            "at the stage "
            f"“{uc.get('stage')}”."
        ]
        if self.link and self.link.use_case_id and not uc.use_case_id:
            parts.append(f"The register pairs it with use case {self.link.use_case_id} of the "
                         "2025 inventory.")  # fmt: skip
        purpose = uc.get("purpose") or uc.get("benefits")
        if purpose:
            parts.append(f"The agency describes it: “{_excerpt(purpose, 700)}”")
        outputs = uc.get("outputs")
        if outputs and "inactive" not in outputs.lower():
            parts.append(f"Outputs: “{_excerpt(outputs, 400)}”")
        parts.extend(self._vendor_sentence())
        if (operating := operating_system_named(uc)) and not self.system:
            parts.append(
                f"The inventory names the system it operates on, “{operating}”: the register "
                "does not record that as a face recognition system."
            )
        parts.append(self.uses_sentence())
        retired = uc.get("retired_date")
        if retired and self.status == choices.DeploymentStatus.ENDED:
            parts.append(f"Retirement, as the inventory gives it: “{_excerpt(retired, 200)}”.")
        if not d.tested:
            parts.append(UNTESTED_SENTENCES.get(d.testing, UNTESTED_SENTENCES[None]))
        return "\n\n".join(parts)

    def uses_sentence(self) -> str:
        """Uses are the register's reading of the row's words: the page says so, and which."""
        if not self.use_words:
            return ("The inventory does not say how faces are matched; the register records no "
                    "use.")  # fmt: skip
        read = "; ".join(f"{choices.Use(use).label.lower()} (“{words}”)"
                         for use, words in self.use_words.items())  # fmt: skip
        return f"Uses inferred by the register from the inventory's words: {read}."

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
    skip = "" if status else f"no recognised stage of development (“{use_case.get('stage')}”)"
    department = department_of(use_case)
    component = component_of(use_case, department)
    link = crosswalk_for(use_case, year, department)
    reported_by = ""
    if link and link.agency:
        reported_by = (component or department).name
        department, component = AGENCY_BY_SLUG[link.agency]
        if (component or department).name == reported_by:
            reported_by = ""
    words = use_words(use_case)
    uses = list(words)
    system = system_named(use_case)
    _vendor, vendor_note = vendor_named(use_case.get("vendor"))
    # A planned use has not started: a date it gives is a plan, not a start.
    started = (
        parse_inventory_date(use_case.get("operational_date"))
        if status != choices.DeploymentStatus.PLANNED
        else (None, choices.DatePrecision.DAY)
    )
    ended = (
        parse_inventory_date(use_case.get("retired_date"))
        if status == choices.DeploymentStatus.ENDED
        else (None, choices.DatePrecision.DAY)
    )
    return Plan(
        use_case=use_case, year=year, skip=skip, department=department,
        component=component, status=status, uses=uses, use_words=words,
        started=started, ended=ended, system=system, vendor_note=vendor_note,
        declarations=declarations(use_case), link=link, reported_by=reported_by,
    )  # fmt: skip


# (year, normalised name) -> crosswalk entries, built once.
_CROSSWALK_BY_NAME: dict = {}
for _link in CROSSWALK:
    for _year, _name in _link.names.items():
        _CROSSWALK_BY_NAME.setdefault((_year, normalise_name(_name)), []).append(_link)


def crosswalk_for(use_case: UseCase, year: int, department: AgencyPlan) -> Link | None:
    """The crosswalk entry for this row of the ``year`` inventory, if there is one."""
    for link in _CROSSWALK_BY_NAME.get((year, normalise_name(use_case.name)), ()):
        if link.department.upper() in department.codes:
            return link
    return None


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
