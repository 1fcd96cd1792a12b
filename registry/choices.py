"""
The register's controlled vocabularies.

Values are the `fr-registry/1` enum values (see docs/data-format.md), so one
vocabulary serves the database, the query string, exports and the API.
Labels are what a citizen reads; `DESCRIPTIONS` feed the methodology page.
"""

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


# The state every public surface shows (lists, exports, API, search): named once.
PUBLISHED = State.PUBLISHED


class SourceKind(models.TextChoices):
    GOVERNMENT = "government", "Government"
    COURT = "court", "Court"
    NEWS = "news", "News"
    ACADEMIC = "academic", "Academic"
    NGO = "ngo", "Civil society (NGO)"
    VENDOR = "vendor", "Vendor"
    DATASET = "dataset", "Dataset"


class Capability(models.TextChoices):
    IDENTIFICATION = "identification", "Identification (1:N search)"
    VERIFICATION = "verification", "Verification (1:1 check)"
    LIVE = "live", "Live (real-time on video)"
    RETROSPECTIVE = "retrospective", "Retrospective (search of stored images)"
    MOBILE = "mobile", "Mobile (handheld field use)"


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    SHERIFF = "sheriff", "Sheriff"
    FEDERAL_LAW_ENFORCEMENT = "federal_law_enforcement", "Federal law enforcement"
    BORDER_IMMIGRATION = "border_immigration", "Border and immigration"
    TRANSPORT_SECURITY = "transport_security", "Transport security"
    INTELLIGENCE = "intelligence", "Intelligence"
    PROSECUTOR = "prosecutor", "Prosecutor"
    CORRECTIONS = "corrections", "Corrections"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    BENEFITS = "benefits", "Benefits"
    MOTOR_VEHICLES = "motor_vehicles", "Motor vehicles (driver licensing)"
    OTHER = "other", "Other"


class Level(models.TextChoices):
    NATIONAL = "national", "National"
    REGIONAL = "regional", "Regional (state, province, nation)"
    LOCAL = "local", "Local (county, city)"


class DeploymentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PILOT = "pilot", "Pilot"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"
    PROHIBITED = "prohibited", "Prohibited (stopped by a ban)"
    # Not "Reported": that is also the top audit rung (AuditStatus.REPORTED).
    REPORTED = "reported", "Reported, unconfirmed"
    DENIED = "denied", "Denied by the agency"
    PLANNED = "planned", "Planned (not in use yet)"


class Use(models.TextChoices):
    LIVE = "live", "Live surveillance"
    RETROSPECTIVE = "retrospective", "Search of stored images"
    VERIFICATION = "verification", "1:1 identity check"
    MOBILE = "mobile", "Mobile (handheld)"
    ACCESS_CONTROL = "access_control", "Access control"


class ImageSource(models.TextChoices):
    MUGSHOTS = "mugshots", "Mugshots"
    DRIVER_LICENCES = "driver_licences", "Driver licence photos"
    PASSPORTS_VISAS = "passports_visas", "Passport and visa photos"
    WATCHLIST = "watchlist", "Watchlist"
    SCRAPED_WEB = "scraped_web", "Images scraped from the web"
    CCTV = "cctv", "CCTV footage"
    OTHER = "other", "Other"


class AuditorKind(models.TextChoices):
    GOVERNMENT_LAB = "government_lab", "Government laboratory"
    ACADEMIC = "academic", "Academic"
    INDEPENDENT = "independent", "Independent"
    VENDOR = "vendor", "Vendor (self-assessment)"
    AGENCY = "agency", "Agency (internal)"


# Auditors independent of both the vendor and the deploying agency. Only their
# audits lift a system above `tested`.
INDEPENDENT_AUDITOR_KINDS = (
    AuditorKind.GOVERNMENT_LAB,
    AuditorKind.ACADEMIC,
    AuditorKind.INDEPENDENT,
)


class Dimension(models.TextChoices):
    SEX = "sex", "Sex"
    AGE = "age", "Age"
    RACE_ETHNICITY = "race_ethnicity", "Race or ethnicity"
    SKIN_TONE = "skin_tone", "Skin tone"
    COUNTRY_OF_BIRTH = "country_of_birth", "Country of birth"


class Finding(models.TextChoices):
    DISPARITIES_FOUND = "disparities_found", "Disparities found"
    NO_SIGNIFICANT_DISPARITIES = "no_significant_disparities", "No significant disparities"
    INCONCLUSIVE = "inconclusive", "Inconclusive"
    NOT_REPORTED = "not_reported", "Not reported"


class AuditStatus(models.TextChoices):
    """The IBM ladder (June 2020 letter to Congress): tested, audited, reported."""

    NONE_KNOWN = "none_known", "No bias test known"
    TESTED = "tested", "Tested by vendor or agency only"
    AUDITED = "audited", "Independently audited, report not public"
    REPORTED = "reported", "Independent audit published"


AUDIT_STATUS_DESCRIPTIONS = {
    AuditStatus.NONE_KNOWN: "No test of the system for demographic bias is known to this register.",
    AuditStatus.TESTED: (
        "Only the vendor or the agency itself has tested the system. A self-assessment "
        "is not an independent audit."
    ),
    AuditStatus.AUDITED: (
        "A government laboratory, an academic team or another independent auditor has "
        "tested the system, but the report is not public."
    ),
    AuditStatus.REPORTED: (
        "A government laboratory, an academic team or another independent auditor has "
        "tested the system and the report is public."
    ),
}


class PolicyKind(models.TextChoices):
    BAN = "ban", "Ban"
    MORATORIUM = "moratorium", "Moratorium"
    STATUTE = "statute", "Statute"
    ORDINANCE = "ordinance", "Ordinance"
    REGULATION = "regulation", "Regulation"
    EXECUTIVE_ORDER = "executive_order", "Executive order"
    COURT_RULING = "court_ruling", "Court ruling"
    AGENCY_POLICY = "agency_policy", "Agency policy"
    COMPANY_POLICY = "company_policy", "Company policy"


# An agency's or a company's own policy binds only those it names; every other
# kind is public law and governs every agency inside its jurisdiction.
NAMED_ONLY_POLICY_KINDS = (PolicyKind.AGENCY_POLICY, PolicyKind.COMPANY_POLICY)


class PolicyStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ENACTED = "enacted", "Enacted"
    IN_FORCE = "in_force", "In force"
    EXPIRED = "expired", "Expired"
    REPEALED = "repealed", "Repealed"
    STRUCK_DOWN = "struck_down", "Struck down"
    SUPERSEDED = "superseded", "Superseded"


IN_FORCE_POLICY_STATUSES = (PolicyStatus.ENACTED, PolicyStatus.IN_FORCE)


class Requirement(models.TextChoices):
    BAN_GOVERNMENT_USE = "ban_government_use", "Bans government use"
    BAN_LIVE_USE = "ban_live_use", "Bans live (real-time) use"
    BAN_PRIVATE_USE = "ban_private_use", "Bans private use"
    WARRANT_REQUIRED = "warrant_required", "Requires a warrant or court order"
    BIAS_TESTING_REQUIRED = "bias_testing_required", "Requires testing for bias"
    INDEPENDENT_AUDIT_REQUIRED = "independent_audit_required", "Requires an independent audit"
    PUBLIC_REPORTING_REQUIRED = "public_reporting_required", "Requires public reporting"
    USE_POLICY_REQUIRED = "use_policy_required", "Requires a written use policy"
    LEGISLATIVE_APPROVAL_REQUIRED = (
        "legislative_approval_required",
        "Requires approval by the legislature or council",
    )
    HUMAN_REVIEW_REQUIRED = "human_review_required", "Requires human review of matches"
    NOTICE_REQUIRED = "notice_required", "Requires notice to the people scanned"
    CONSENT_REQUIRED = "consent_required", "Requires consent"
    DATA_RETENTION_LIMITS = "data_retention_limits", "Limits how long data is kept"
    PRIVATE_RIGHT_OF_ACTION = "private_right_of_action", "Lets individuals sue"


# Requirements that bind private actors only. A policy whose every requirement
# is in this set (Illinois BIPA, Portland's private-entity ban) does not govern
# agencies by jurisdiction; it still governs any agency it names.
PRIVATE_SECTOR_REQUIREMENTS = (
    Requirement.BAN_PRIVATE_USE,
    Requirement.CONSENT_REQUIRED,
    Requirement.NOTICE_REQUIRED,
    Requirement.DATA_RETENTION_LIMITS,
    Requirement.PRIVATE_RIGHT_OF_ACTION,
)


def binds_by_jurisdiction(kind: str, requirements) -> bool:
    """
    Does a policy of this kind, with these requirements, govern every agency in
    its jurisdiction? Not an agency's or company's own policy, nor a rule whose
    every requirement concerns private actors; either still binds those it names.
    """
    requirements = set(requirements)
    private_only = bool(requirements) and requirements <= set(PRIVATE_SECTOR_REQUIREMENTS)
    return kind not in NAMED_ONLY_POLICY_KINDS and not private_only


# Member states of the European Union (ISO 3166-1 alpha-2). EU law (country
# `EU`) governs agencies in each of them.
EU_MEMBER_STATES = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


class SuggestionState(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Duplicate"


class RevisionState(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved and published"
    REJECTED = "rejected", "Rejected"
