"""
The register's records, one model per list of the `fr-registry/1` format.

Every record has a permanent slug (its `id` in the format and its URL), a
publishing state, a last-verified date, sources, and a full history.
Field ``help_text`` doubles as the data dictionary shown to maintainers.
"""

import datetime
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_text_list

from . import choices, dates
from .addresses import address
from .fields import MultiChoiceField, MultiValueField
from .format import COUNTRY_PATTERN, REGION_PATTERN, SLUG_PATTERN
from .history import RecordHistory
from .querysets import (
    AgencyQuerySet,
    AuditQuerySet,
    DeploymentQuerySet,
    PolicyQuerySet,
    RecordQuerySet,
    SystemQuerySet,
)

slug_validator = RegexValidator(
    SLUG_PATTERN,
    "Use lowercase letters, digits and single hyphens only, e.g. “south-wales-police”.",
)

COUNTRY_HELP = "ISO 3166-1 alpha-2 code in capitals, e.g. US, GB, JP."
country_validator = RegexValidator(COUNTRY_PATTERN, "Use a two-letter ISO 3166-1 code, e.g. US.")
country_or_eu_validator = RegexValidator(
    COUNTRY_PATTERN, "Use a two-letter code, or EU for EU law."
)
region_validator = RegexValidator(REGION_PATTERN, "Use an ISO 3166-2 code, e.g. US-CA or GB-WLS.")


def validate_record(instance, *, exclude=()) -> list[tuple[str, str]]:
    """
    Every problem with an unsaved or saved record, as ``(field, message)`` pairs
    (``field`` is ``"__all__"`` for the record as a whole); empty when it is valid.

    The one home of the register's validation, for importers: each field's own
    rules (its ``max_length``, pattern, choices) and the record's ``clean()``
    (date order, a region inside its country). It runs no query: references to
    other records are not looked up (an importer resolves them itself), nor is
    the uniqueness of the id. Text holding a NUL character is refused, since
    PostgreSQL cannot store it. ``exclude`` names fields to leave unchecked.
    """
    # Relations are resolved by the caller; derived fields are computed, not given.
    skipped = [f.name for f in instance._meta.get_fields() if f.is_relation or not f.editable]
    problems = [
        (f.name, "Contains a NUL character (\\u0000), which cannot be stored.")
        for f in instance._meta.concrete_fields
        if f.name not in exclude and _holds_nul(getattr(instance, f.attname, None))
    ]
    try:
        instance.full_clean(
            exclude=[*skipped, *exclude], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            if not any(name == seen for seen, _ in problems):
                problems.extend((name, message) for message in errors)
    return problems


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False


def check_date_order(record, start: str, end: str, message: str) -> dict:
    """``{end: message}`` if ``end`` is before ``start`` at the coarser precision of the two."""
    a, b = getattr(record, start), getattr(record, end)
    if not (isinstance(a, datetime.date) and isinstance(b, datetime.date)):
        return {}
    a_precision = getattr(record, f"{start}_precision")
    b_precision = getattr(record, f"{end}_precision")
    return {end: message} if dates.is_before(b, b_precision, a, a_precision) else {}


def check_region(record) -> dict:
    """
    ``{"region": message}`` if the region is not in the record's country. For
    EU law (country ``EU``), the region must be in an EU member state.
    """
    message = region_outside_country(record.region, record.country)
    return {"region": message} if message else {}


def check_regions(record) -> dict:
    """``{"regions": messages}`` for each of a policy's regions outside its country."""
    messages = [region_outside_country(region, record.country) for region in record.regions]
    messages = [message for message in messages if message]
    return {"regions": messages} if messages else {}


def region_outside_country(region, country) -> str | None:
    """Why ``region`` is not in ``country`` (EU: in a member state), or None if it is."""
    if not region or not country:
        return None
    if country == "EU":
        if region[:2] not in choices.EU_MEMBER_STATES:
            return f"The region {region} is not in an EU member state."
        return None
    if not region.startswith(f"{country}-"):
        return (
            f"The region {region} is not in the country {country}: a region code "
            f"starts with its country code, e.g. {country}-… ."
        )
    return None


def precision_field(of: str):
    return models.CharField(
        max_length=5,
        choices=choices.DatePrecision.choices,
        default=choices.DatePrecision.DAY,
        help_text=f"How much of the {of} date is known: year, month or day.",
    )


@dataclass(frozen=True)
class PartialDate:
    date: datetime.date | None
    precision: str

    def __str__(self):
        return dates.humanize(self.date, self.precision)

    def __bool__(self):
        return self.date is not None

    @property
    def iso(self):
        return dates.to_iso(self.date, self.precision)


class Record(models.Model):
    """What every record in the register has."""

    slug = models.SlugField(
        "id",
        max_length=120,
        unique=True,
        validators=[slug_validator],
        help_text="Permanent id and URL of the record. Never change it once published.",
    )
    state = models.CharField(
        max_length=10,
        choices=choices.State.choices,
        default=choices.State.DRAFT,
        db_index=True,
        help_text="Only published records appear on the public site, in exports and the API.",
    )
    public_note = models.TextField(
        blank=True,
        help_text="Shown to the public on a retracted record: why it was withdrawn.",
    )
    last_verified = models.DateField(
        null=True,
        blank=True,
        help_text="When a maintainer last re-checked this record against its sources.",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="The record this one was merged into (the same thing recorded twice): "
        "its address leads there.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects: ClassVar[models.Manager] = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def partial_date(self, name: str) -> PartialDate:
        return PartialDate(getattr(self, name), getattr(self, f"{name}_precision"))

    @property
    def is_published(self):
        return self.state == choices.State.PUBLISHED

    @property
    def is_retracted(self):
        return self.state == choices.State.RETRACTED


HISTORY_EXCLUDED = ["search_vector", "updated_at", "created_at"]
# Reasons are free text from maintainers and importers: no 100-character cap.
HISTORY_OPTIONS = {"history_change_reason_field": models.TextField(null=True)}


class Source(Record):
    """A document that backs a claim: a law, a court ruling, a report, an article."""

    url = models.URLField(max_length=2000, help_text="Where the document is (http or https).")
    title = models.CharField(max_length=500, help_text="The document's title.")
    publisher = models.CharField(
        max_length=300, blank=True, help_text="e.g. “NIST”, “The New York Times”."
    )
    published = models.DateField(null=True, blank=True, help_text="When it was published.")
    published_precision = precision_field("publication")
    kind = models.CharField(
        max_length=20, choices=choices.SourceKind.choices, blank=True, help_text="Who wrote it."
    )
    archived_url = models.URLField(
        max_length=2000, blank=True, help_text="A web-archive copy, where one exists."
    )
    excerpt = models.TextField(
        blank=True,
        help_text="A passage of the source's own words, shown only as a quotation credited "
        "to it (never as the register's words), e.g. a dataset's summary of a record.",
    )
    link_checked_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the link was last checked."
    )
    link_status = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="HTTP status of the last link check."
    )
    link_ok = models.BooleanField(
        null=True,
        editable=False,
        help_text="Did the last link check succeed? Empty: never checked.",
    )
    link_error = models.CharField(max_length=300, blank=True, editable=False)

    history = RecordHistory(excluded_fields=HISTORY_EXCLUDED, **HISTORY_OPTIONS)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["link_ok"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return address("registry:source-detail", slug=self.slug)


class Vendor(Record):
    name = models.CharField(max_length=200, help_text="The company's name.")
    country = models.CharField(
        max_length=2, blank=True, validators=[country_validator], help_text=COUNTRY_HELP
    )
    website = models.URLField(max_length=500, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="vendors")

    history = RecordHistory(
        excluded_fields=HISTORY_EXCLUDED, m2m_fields=["sources"], **HISTORY_OPTIONS
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("registry:vendor-detail", slug=self.slug)


class AuditStatusFields(models.Model):
    """The audit status derived from published audits, stored so lists can filter on it."""

    audit_status = models.CharField(
        max_length=10,
        choices=choices.AuditStatus.choices,
        default=choices.AuditStatus.NONE_KNOWN,
        editable=False,
        db_index=True,
        help_text="Derived from published audits; never edited by hand.",
    )
    audit_finding = models.CharField(
        max_length=30, choices=choices.Finding.choices, blank=True, editable=False
    )
    audit_date = models.DateField(null=True, blank=True, editable=False)
    audit_date_precision = models.CharField(
        max_length=5, choices=choices.DatePrecision.choices, blank=True, editable=False
    )

    class Meta:
        abstract = True


class System(AuditStatusFields, Record):
    """A face recognition product, algorithm or service."""

    name = models.CharField(max_length=200)
    vendor = models.ForeignKey(
        Vendor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="systems",
        help_text="Empty for an agency's in-house system.",
    )
    capabilities = MultiChoiceField(
        item_choices=choices.Capability.choices, help_text="What the system can do."
    )
    description = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="systems")

    objects: ClassVar[models.Manager] = SystemQuerySet.as_manager()
    history = RecordHistory(
        excluded_fields=[*HISTORY_EXCLUDED, "audit_status", "audit_finding", "audit_date",
                         "audit_date_precision"],
        m2m_fields=["sources"],
        **HISTORY_OPTIONS,
    )  # fmt: skip

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("registry:system-detail", slug=self.slug)


class Agency(Record):
    name = models.CharField(max_length=300)
    acronym = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=30, choices=choices.AgencyKind.choices, blank=True)
    level = models.CharField(max_length=10, choices=choices.Level.choices, blank=True)
    country = models.CharField(max_length=2, validators=[country_validator], help_text=COUNTRY_HELP)
    region = models.CharField(
        max_length=6,
        blank=True,
        validators=[region_validator],
        help_text="ISO 3166-2 code (state, province, nation of the UK). Empty for national bodies.",
    )
    locality = models.CharField(max_length=200, blank=True, help_text="City or county name.")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="e.g. CBP's parent is the Department of Homeland Security.",
    )
    website = models.URLField(max_length=500, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="agencies")

    objects: ClassVar[models.Manager] = AgencyQuerySet.as_manager()
    history = RecordHistory(
        excluded_fields=HISTORY_EXCLUDED, m2m_fields=["sources"], **HISTORY_OPTIONS
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        indexes = [
            models.Index(fields=["country", "region", "locality"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["level"]),
            # Lists sort by agency name (agencies, and deployments by their
            # agency): walking this index reads one page of rows, not all.
            models.Index(fields=["name", "id"], name="registry_agency_name_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="agency_not_its_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("registry:agency-detail", slug=self.slug)

    @property
    def in_eu(self):
        return self.country in choices.EU_MEMBER_STATES

    def clean(self):
        errors = check_region(self)
        if self.country == "EU":
            errors.setdefault("country", "EU is a jurisdiction of law, not an agency's country.")
        if errors:
            raise ValidationError(errors)


class Policy(Record):
    """A law, ordinance, ban, ruling or own policy that governs face recognition."""

    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=choices.PolicyKind.choices, blank=True)
    status = models.CharField(max_length=20, choices=choices.PolicyStatus.choices, blank=True)
    country = models.CharField(
        max_length=2,
        validators=[country_or_eu_validator],
        help_text="ISO 3166-1 alpha-2 code, or EU for European Union law.",
    )
    regions = MultiValueField(
        item_validators=[region_validator],
        help_text=(
            "ISO 3166-2 codes of the regions it covers, e.g. GB-ENG, GB-WLS for a law of "
            "England and Wales. Empty for national and EU-wide law."
        ),
    )
    locality = models.CharField(max_length=200, blank=True, help_text="City or county name.")
    issuer = models.CharField(
        max_length=300, blank=True, help_text="e.g. “San Francisco Board of Supervisors”."
    )
    adopted = models.DateField(null=True, blank=True)
    adopted_precision = precision_field("adoption")
    effective = models.DateField(null=True, blank=True)
    effective_precision = precision_field("effective")
    ends = models.DateField(null=True, blank=True)
    ends_precision = precision_field("end")
    requirements = MultiChoiceField(item_choices=choices.Requirement.choices)
    summary = models.TextField(blank=True)
    url = models.URLField("text URL", max_length=2000, blank=True, help_text="The text itself.")
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="named_in_policies", help_text="Agencies it names."
    )
    binds_by_jurisdiction = models.BooleanField(
        default=True,
        editable=False,
        help_text=(
            "Derived: public law that governs every agency in its jurisdiction, rather than "
            "an agency's or a company's own policy, or a rule for private actors only."
        ),
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="policies")

    objects: ClassVar[models.Manager] = PolicyQuerySet.as_manager()
    history = RecordHistory(
        excluded_fields=[*HISTORY_EXCLUDED, "binds_by_jurisdiction"],
        m2m_fields=["sources", "agencies"],
        **HISTORY_OPTIONS,
    )

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "policies"
        indexes = [
            models.Index(fields=["country", "regions", "locality"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.binds_by_jurisdiction = choices.binds_by_jurisdiction(self.kind, self.requirements)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "binds_by_jurisdiction"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address("registry:policy-detail", slug=self.slug)

    def clean(self):
        errors = {
            **check_regions(self),
            **check_date_order(
                self, "effective", "ends", "The end date is before the date it took effect."
            ),
        }
        if errors:
            raise ValidationError(errors)

    @property
    def is_in_force(self):
        today = timezone.localdate()  # the day the in_force() queryset and the caches use
        return (
            self.status in choices.IN_FORCE_POLICY_STATUSES
            and (self.ends is None or self.ends >= today)
            and (self.effective is None or self.effective <= today)
        )

    @property
    def jurisdiction_label(self):
        """ "Cardiff, GB-WLS, GB"; several regions read "GB-ENG and GB-WLS, GB"."""
        parts = [p for p in (self.locality, get_text_list(self.regions, "and"), self.country) if p]
        return ", ".join(parts)


#: Deployment column → the agency column it copies (see ``Deployment.agency_country``).
AGENCY_COPIES = {
    "agency_country": "country",
    "agency_region": "region",
    "agency_kind": "kind",
    "agency_level": "level",
}
COPIED_FIELDS = [*AGENCY_COPIES, "system_vendor"]


class Deployment(AuditStatusFields, Record):
    """One agency's use of one system, or of face recognition whose system is not known."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="deployments")
    system = models.ForeignKey(
        System,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deployments",
        help_text="Empty when the product is not public.",
    )
    status = models.CharField(max_length=12, choices=choices.DeploymentStatus.choices, blank=True)
    site = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the agency uses it, when that is narrower than the agency's own place "
        "(e.g. one airport of a national border agency). Empty: not recorded.",
    )
    uses = MultiChoiceField(item_choices=choices.Use.choices)
    started = models.DateField(null=True, blank=True)
    started_precision = precision_field("start")
    ended = models.DateField(null=True, blank=True)
    ended_precision = precision_field("end")
    image_sources = MultiChoiceField(
        item_choices=choices.ImageSource.choices, help_text="What faces are searched against."
    )
    description = models.TextField(blank=True)
    policies = models.ManyToManyField(
        Policy, blank=True, related_name="deployments", help_text="Policies that govern this use."
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="deployments")
    inventory_id = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="Use case id in the US federal AI use case inventory, where it came from there.",
    )
    last_reported = models.DateField(
        null=True,
        blank=True,
        help_text="For a use known from reports: the date of the latest report (when a "
        "source was published, not when use began).",
    )
    last_reported_precision = precision_field("latest report")
    reported_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who gathered the reports, e.g. “the Atlas of Surveillance”.",
    )
    # Copies of the agency's place, kind and level and of the system's vendor,
    # so that a list's counts read this table alone (no join) from one
    # covering index. Never shown: pages, exports and the API read the agency
    # and the system. ``save()`` fills them; ``DeploymentQuerySet.sync_copies``
    # is the rule for the writes that bypass it (an agency's or system's save).
    agency_country = models.CharField(max_length=2, blank=True, editable=False)
    agency_region = models.CharField(max_length=6, blank=True, editable=False)
    agency_kind = models.CharField(max_length=30, blank=True, editable=False)
    agency_level = models.CharField(max_length=10, blank=True, editable=False)
    system_vendor = models.ForeignKey(
        Vendor,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # registry_deployment_by_vendor serves (and covers) its lookups
    )

    objects: ClassVar[models.Manager] = DeploymentQuerySet.as_manager()
    history = RecordHistory(
        excluded_fields=[*HISTORY_EXCLUDED, "audit_status", "audit_finding", "audit_date",
                         "audit_date_precision", *COPIED_FIELDS],
        m2m_fields=["sources", "policies"],
        **HISTORY_OPTIONS,
    )  # fmt: skip

    class Meta:
        ordering = ["agency__name", "slug"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["started"]),
            models.Index(fields=["audit_status", "status"]),
            # A system's published deployments are counted from the index alone.
            models.Index(fields=["system", "state"], name="registry_deployment_by_system"),
            # The vendor facet joins vendors to deployments: SQLite walks the vendors
            # and counts each one's published deployments from this index alone.
            models.Index(fields=["system_vendor", "state"], name="registry_deployment_by_vendor"),
            # Every facet count and total of the list, from this index alone
            # (an index-only scan reads a tenth of the table).
            models.Index(
                fields=[
                    "state",
                    "status",
                    "audit_status",
                    "agency_country",
                    "agency_kind",
                    "agency_level",
                    "agency_region",
                    "system_vendor",
                    "uses",
                    "image_sources",
                ],
                name="registry_deployment_counts",
            ),
        ]

    def __str__(self):
        system = self.system.name if self.system_id else "face recognition (system not public)"
        return f"{self.agency.name}: {system}"

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is None or {"agency", "agency_id", "system", "system_id"} & set(
            update_fields
        ):
            self.copy_agency_and_vendor()
            if update_fields is not None:
                update_fields = {*update_fields, *COPIED_FIELDS}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return address("registry:deployment-detail", slug=self.slug)

    def clean(self):
        message = "The end date is before the start date."
        errors = check_date_order(self, "started", "ended", message)
        if errors:
            raise ValidationError(errors)

    def copy_agency_and_vendor(self):
        """Fill the copied columns from the agency and system (no query when they are loaded)."""
        if self.agency_id is None:
            return
        if Deployment.agency.is_cached(self) and self.agency.pk == self.agency_id:
            agency = {field: getattr(self.agency, field) for field in AGENCY_COPIES.values()}
        else:
            agency = Agency.objects.values(*AGENCY_COPIES.values()).get(pk=self.agency_id)
        for local, remote in AGENCY_COPIES.items():
            setattr(self, local, agency[remote])
        if self.system_id is None:
            self.system_vendor_id = None
        elif Deployment.system.is_cached(self) and self.system.pk == self.system_id:
            self.system_vendor_id = self.system.vendor_id
        else:
            self.system_vendor_id = System.objects.values_list("vendor", flat=True).get(
                pk=self.system_id
            )


class DeploymentTally(models.Model):
    """
    How many published deployments have each combination of one grouping of
    the list's counted columns: kept by database triggers (``registry/tally.py``),
    read by the plain deployment list's facets. Never edited by hand.
    """

    #: The grouping's number and its values, NULL marked (``tally._key``).
    combination = models.CharField(max_length=600, primary_key=True)
    set_number = models.PositiveSmallIntegerField()
    # NULL: the column is not in this row's grouping (an empty string is a value).
    status = models.CharField(max_length=12, null=True)  # noqa: DJ001
    audit_status = models.CharField(max_length=20, null=True)  # noqa: DJ001
    agency_kind = models.CharField(max_length=30, null=True)  # noqa: DJ001
    agency_level = models.CharField(max_length=10, null=True)  # noqa: DJ001
    uses = models.CharField(max_length=255, null=True)  # noqa: DJ001
    image_sources = models.CharField(max_length=255, null=True)  # noqa: DJ001
    agency_country = models.CharField(max_length=2, null=True)  # noqa: DJ001
    agency_region = models.CharField(max_length=6, null=True)  # noqa: DJ001
    system_vendor_id = models.BigIntegerField(null=True)
    n = models.IntegerField()

    def __str__(self):
        return f"{self.combination!r}: {self.n}"


class Audit(Record):
    """A test of a system, or of one deployment, for demographic bias."""

    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    deployment = models.ForeignKey(
        Deployment, null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    auditor = models.CharField(max_length=300, help_text="e.g. “NIST”.")
    auditor_kind = models.CharField(
        max_length=20,
        choices=choices.AuditorKind.choices,
        blank=True,
        help_text="A vendor's or agency's own test is never an independent audit.",
    )
    published = models.DateField(null=True, blank=True)
    published_precision = precision_field("publication")
    is_public = models.BooleanField(
        default=False, help_text="Is the report itself publicly available?"
    )
    dimensions = MultiChoiceField(
        item_choices=choices.Dimension.choices, help_text="Which groups were compared."
    )
    finding = models.CharField(max_length=30, choices=choices.Finding.choices, blank=True)
    metrics = models.JSONField(
        default=list,
        blank=True,
        help_text='Measured figures: [{"metric": "false_match_rate", "group": "...", '
        '"value": 0.0001, "threshold": "0.6", "note": "..."}]',
    )
    summary = models.TextField(blank=True)
    report_url = models.URLField(max_length=2000, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="audits")
    inventory_id = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="Use case id in the US federal AI use case inventory, where it came from there.",
    )

    objects: ClassVar[models.Manager] = AuditQuerySet.as_manager()
    history = RecordHistory(
        excluded_fields=HISTORY_EXCLUDED, m2m_fields=["sources"], **HISTORY_OPTIONS
    )

    class Meta:
        ordering = ["-published", "auditor"]
        constraints = [
            models.CheckConstraint(
                condition=Q(system__isnull=False) | Q(deployment__isnull=False),
                name="audit_has_system_or_deployment",
                violation_error_message="An audit must concern a system or a deployment.",
            ),
        ]
        indexes = [models.Index(fields=["auditor_kind"]), models.Index(fields=["finding"])]

    def __str__(self):
        subject = self.system or self.deployment
        year = f" ({self.published.year})" if self.published else ""
        return f"{self.auditor}: {subject}{year}"

    def get_absolute_url(self):
        return address("registry:audit-detail", slug=self.slug)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remember what the audit concerned when loaded, so moving it to another
        # system also refreshes the audit status of the one it left.
        instance._loaded_subject = (
            instance.__dict__.get("system_id"),
            instance.__dict__.get("deployment_id"),
        )
        return instance

    @property
    def is_independent(self):
        return self.auditor_kind in choices.INDEPENDENT_AUDITOR_KINDS


class Suggestion(models.Model):
    """A correction or addition sent by a member of the public, waiting for triage."""

    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    body = models.TextField("what is wrong or missing", max_length=5000)
    source_urls = models.TextField(blank=True, max_length=5000, help_text="One URL per line.")
    name = models.CharField(max_length=200, blank=True, help_text="Never shown publicly.")
    email = models.EmailField(blank=True, help_text="Never shown publicly.")
    state = models.CharField(
        max_length=10,
        choices=choices.SuggestionState.choices,
        default=choices.SuggestionState.NEW,
        db_index=True,
    )
    triage_note = models.TextField(blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    client_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text="Salted hash of the sender's IP."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"Suggestion {self.reference}"

    @property
    def reference(self):
        return f"S-{self.pk:06d}" if self.pk else "S-new"


class Revision(models.Model):
    """
    A change to a published record proposed by an editor. The public record
    stays as it is until a reviewer approves the revision, which applies it
    (one history entry naming both); a rejected revision changes nothing.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    changes = models.JSONField(
        help_text="The proposed values of the fields that change, as the change form sends them."
    )
    reason = models.TextField(help_text="Why the editor proposes it.")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    state = models.CharField(
        max_length=10,
        choices=choices.RevisionState.choices,
        default=choices.RevisionState.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="Why it was approved or rejected.")

    history = RecordHistory(**HISTORY_OPTIONS)

    class Meta:
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"Revision {self.reference}"

    @property
    def reference(self):
        return f"R-{self.pk:06d}" if self.pk else "R-new"
