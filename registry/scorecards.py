"""
Scorecards: how a place or an agency stands, graded only from recorded facts.

The rubric (``RUBRIC``, shown on the methodology page) asks five questions. The
first four are answered from the requirements of the policies in force that
bind the place throughout (or, for an agency, that govern it: the laws of its
jurisdiction and the policies that name it); the fifth from its published
deployments' audit status. Every answer carries its basis, the policies or the
filtered list it comes from. Where nothing is recorded the answer is "Not
known": the register never infers that a place is unregulated from the
absence of a record.
"""

from dataclasses import dataclass, field

from .choices import Requirement

# Levels of an answer, for styling and the CSV/JSON exports.
BANNED, RESTRICTED, REQUIRED, SHARE, NOT_KNOWN = (
    "banned",
    "restricted",
    "required",
    "share",
    "not_known",
)

BANS = (Requirement.BAN_GOVERNMENT_USE, Requirement.BAN_LIVE_USE)
# Requirements that restrict how government may use face recognition.
RESTRICTIONS = (
    Requirement.WARRANT_REQUIRED,
    Requirement.LEGISLATIVE_APPROVAL_REQUIRED,
    Requirement.USE_POLICY_REQUIRED,
    Requirement.HUMAN_REVIEW_REQUIRED,
    Requirement.BIAS_TESTING_REQUIRED,
    Requirement.INDEPENDENT_AUDIT_REQUIRED,
    Requirement.PUBLIC_REPORTING_REQUIRED,
)


@dataclass(frozen=True)
class Criterion:
    slug: str
    question: str
    rule: str


RUBRIC = (
    Criterion(
        "live",
        "Live face surveillance",
        "Banned: a policy in force bans government use of face recognition, or its live "
        "(real-time) use. Restricted: otherwise, a policy in force sets a condition on "
        "government use (a warrant, approval by the legislature, a written use policy, "
        "human review, bias testing, an audit or public reporting). Otherwise: not known "
        "(no restriction recorded; the register does not claim there is none).",
    ),
    Criterion(
        "warrant",
        "Warrant or court order required",
        "Required: a policy in force requires a warrant or court order. Otherwise: not known.",
    ),
    Criterion(
        "bias",
        "Bias testing or independent audit required",
        "Required: a policy in force requires an independent audit, or testing for bias. "
        "Otherwise: not known.",
    ),
    Criterion(
        "reporting",
        "Public reporting required",
        "Required: a policy in force requires public reporting. Otherwise: not known.",
    ),
    Criterion(
        "audited",
        "Deployments with a published independent audit",
        "The share of published deployments whose audit status is “independent audit "
        "published” (of their system or of the deployment itself). Not known when no "
        "deployment is recorded.",
    ),
)
CRITERIA = {criterion.slug: criterion for criterion in RUBRIC}


@dataclass
class Grade:
    """One answer of a scorecard, with the records it rests on."""

    criterion: Criterion
    level: str
    answer: str
    basis: list = field(default_factory=list)  # policies
    list_url: str = ""  # a filtered list the answer counts
    figure: tuple | None = None  # (count, total) for a share

    @property
    def known(self):
        return self.level != NOT_KNOWN

    def as_row(self, absolute) -> dict:
        """A flat row for the CSV and JSON exports (``absolute``: URL → absolute URL)."""
        return {
            "criterion": self.criterion.slug,
            "question": self.criterion.question,
            "level": self.level,
            "answer": self.answer,
            "basis": [p.slug for p in self.basis],
            "basis_urls": [absolute(p.get_absolute_url()) for p in self.basis],
            "list_url": absolute(self.list_url) if self.list_url else "",
        }


def _with(policies, requirements):
    return [p for p in policies if set(p.requirements) & set(requirements)]


def _required(criterion, policies, requirements, answer="Required"):
    basis = _with(policies, requirements)
    if basis:
        return Grade(CRITERIA[criterion], REQUIRED, answer, basis)
    return Grade(CRITERIA[criterion], NOT_KNOWN, "Not known: no such requirement recorded")


def grade(policies, *, deployments: int, audited: int, audited_url: str) -> list[Grade]:
    """
    The scorecard from ``policies`` (in force, binding the subject) and the
    number of published deployments, of which ``audited`` have a published
    independent audit (``audited_url``: the deployment list of those).
    """
    policies = list(policies)
    bans = _with(policies, BANS)
    restrictions = _with(policies, RESTRICTIONS)
    if bans:
        live = Grade(CRITERIA["live"], BANNED, "Banned", bans)
    elif restrictions:
        live = Grade(CRITERIA["live"], RESTRICTED, "Restricted", restrictions)
    else:
        live = Grade(CRITERIA["live"], NOT_KNOWN, "Not known: no restriction recorded")
    audit_requirements = (Requirement.INDEPENDENT_AUDIT_REQUIRED, Requirement.BIAS_TESTING_REQUIRED)
    bias = _required("bias", policies, audit_requirements)
    if bias.known and not _with(policies, [Requirement.INDEPENDENT_AUDIT_REQUIRED]):
        bias.answer = "Bias testing required (no independent audit required)"
    elif bias.known:
        bias.answer = "Independent audit required"
    if deployments:
        share = round(100 * audited / deployments)
        audited_grade = Grade(
            CRITERIA["audited"],
            SHARE,
            f"{audited} of {deployments} ({share}%)",
            list_url=audited_url,
            figure=(audited, deployments),
        )
    else:
        audited_grade = Grade(CRITERIA["audited"], NOT_KNOWN, "Not known: no deployment recorded")
    return [
        live,
        _required("warrant", policies, [Requirement.WARRANT_REQUIRED]),
        bias,
        _required("reporting", policies, [Requirement.PUBLIC_REPORTING_REQUIRED]),
        audited_grade,
    ]
