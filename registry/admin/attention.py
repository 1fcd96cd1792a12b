"""
"Needs attention": the problems a maintainer should look at, one section each.

Each check is a QuerySet over published records (what the public reads), plus
suggestions waiting for triage. Every section costs two queries per model (a
count and the first rows), however many problems there are.

"Not verified for 12 months" grows with the whole register (every record ages
into it), so it is summarised rather than listed: per record type, how many
were never verified and how many over a year ago, each a link to the change
list filtered to them, and the few longest unchecked to start with.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from ..choices import (
    IN_FORCE_POLICY_STATUSES,
    AuditStatus,
    DeploymentStatus,
    PolicyStatus,
    RevisionState,
    State,
    SuggestionState,
)
from ..importers.federal.stale import stale_deployments
from ..models import Agency, Deployment, Policy, Revision, Source, Suggestion
from ..types import MODELS
from .base import verification_due_date
from .merging import duplicate_rows, probable_duplicates

ROWS_PER_GROUP = 20
#: Rows shown per record type in a summarised section (the longest unchecked).
SUMMARY_ROWS = 5


@dataclass
class Part:
    """One share of a group's count, with the change list filtered to it."""

    label: str
    count: int
    changelist_url: str


@dataclass
class Group:
    """The records of one model with one kind of problem."""

    model: type
    count: int
    rows: list
    changelist_url: str
    parts: list[Part] = field(default_factory=list)

    @property
    def label(self):
        return self.model._meta.verbose_name_plural.capitalize()

    @property
    def more(self):
        return self.count - len(self.rows)


@dataclass
class Section:
    key: str
    title: str
    explanation: str
    groups: list[Group] = field(default_factory=list)
    #: Counts per kind and the longest unchecked, rather than a list of records.
    summary: bool = False

    @property
    def count(self):
        return sum(group.count for group in self.groups)


def expired_in_force(queryset, today=None):
    """
    Policies whose status disagrees with their dates: still marked enacted or in
    force after their end date, marked in force before they take effect, or
    marked expired while their end date is still to come.
    """
    today = today or timezone.localdate()
    return queryset.filter(
        Q(status__in=IN_FORCE_POLICY_STATUSES, ends__lt=today)
        | Q(status=PolicyStatus.IN_FORCE, effective__gt=today)
        | Q(status=PolicyStatus.EXPIRED, ends__gt=today)
    )


def not_verified(queryset):
    due = verification_due_date()
    return queryset.filter(last_verified__isnull=True) | queryset.filter(last_verified__lt=due)


#: What each model's name (``__str__``) reads, so listing rows costs no extra query.
NAME_RELATIONS = {
    "deployment": ["agency", "system"],
    "audit": ["system", "deployment__agency", "deployment__system"],
}


def display_queryset(model):
    relations = NAME_RELATIONS.get(model._meta.model_name)
    return model.objects.select_related(*relations) if relations else model.objects.all()


def _changelist_url(model, params):
    url = reverse(f"admin:registry_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}"


def _rows(model, queryset):
    """``[(record, its change page)]``: the rows a group lists."""
    return [
        (obj, reverse(f"admin:registry_{model._meta.model_name}_change", args=[obj.pk]))
        for obj in queryset
    ]


def _unverified_group(model, queryset, params):
    """How many were never verified and how many over a year ago; the oldest first."""
    due = verification_due_date()
    counts = queryset.aggregate(
        never=Count("pk", filter=Q(last_verified__isnull=True)),
        stale=Count("pk", filter=Q(last_verified__lt=due)),
    )
    oldest = queryset.order_by(F("last_verified").asc(nulls_first=True), "pk")
    rows = _rows(model, oldest[:SUMMARY_ROWS])
    parts = [
        Part(
            "never verified",
            counts["never"],
            _changelist_url(model, {**params, "verified": "never"}),
        ),
        Part(
            "last verified over 12 months ago",
            counts["stale"],
            _changelist_url(model, {**params, "verified": "stale"}),
        ),
    ]
    total = counts["never"] + counts["stale"]
    return Group(model, total, rows, _changelist_url(model, {**params, "verified": "due"}), parts)


def _group(model, queryset, params):
    rows = _rows(model, queryset[:ROWS_PER_GROUP])
    return Group(model, queryset.count(), rows, _changelist_url(model, params))


def needs_attention(user) -> list[Section]:
    """The sections of the page, each with the models ``user`` may view."""

    def visible(model):
        return user.has_perm(f"registry.view_{model._meta.model_name}")

    published = {"state__exact": State.PUBLISHED}
    unsourced = Section(
        "unsourced",
        "Published records with no source",
        "Every claim in the register is backed by at least one source.",
    )
    unverified = Section(
        "unverified",
        "Not verified for 12 months",
        "Published records never re-checked against their sources, or last checked "
        "over a year ago: how many of each type, and the longest unchecked to start with.",
        summary=True,
    )
    for model in MODELS:
        if not visible(model):
            continue
        base = display_queryset(model).published()
        if model is not Source:
            unsourced.groups.append(
                _group(model, base.unsourced(), {**published, "sources": "none"})
            )
        unverified.groups.append(_unverified_group(model, not_verified(base), published))

    unaudited = Section(
        "unaudited",
        "Active deployments with no known bias test",
        "Published, active deployments whose audit status is “no bias test known”.",
    )
    if visible(Deployment):
        queryset = (
            display_queryset(Deployment)
            .published()
            .active()
            .with_audit_status(AuditStatus.NONE_KNOWN)
        )
        params = {
            **published,
            "status__exact": DeploymentStatus.ACTIVE,
            "audit_status__exact": AuditStatus.NONE_KNOWN,
        }
        unaudited.groups.append(_group(Deployment, queryset, params))

    stale = Section(
        "not-in-newest-inventory",
        "Use cases the newest federal inventory no longer lists",
        "Published deployments that cite an older US federal AI use case inventory but not "
        "the newest: check whether the use has ended, was renamed, or was left out.",
    )
    if visible(Deployment):
        queryset, _newest = stale_deployments(display_queryset(Deployment).published())
        stale.groups.append(_group(Deployment, queryset, published))

    expired = Section(
        "expired",
        "Policies whose status disagrees with their dates",
        "Marked enacted or in force after their end date (probably expired, repealed or "
        "superseded), in force before they take effect, or expired before their end date. "
        "Until fixed, the site already counts a policy past its end date as not in force.",
    )
    if visible(Policy):
        queryset = expired_in_force(Policy.objects.published())
        expired.groups.append(_group(Policy, queryset, {**published, "expired": "yes"}))

    duplicates = Section(
        "duplicates",
        "Probable duplicates",
        "Published records the matching rules take for one real thing recorded twice (the "
        "same name in the same place; the same agency's use of the same system). Open a "
        "group, select both records and use the merge action, or leave them if they differ.",
    )
    for model in (Agency, Deployment):
        if visible(model):
            groups = probable_duplicates(model, model.objects.published())
            rows = duplicate_rows(model, groups, ROWS_PER_GROUP)
            url = reverse(f"admin:registry_{model._meta.model_name}_changelist")
            pks = ",".join(str(r.pk) for g in groups[:ROWS_PER_GROUP] for r in g)
            duplicates.groups.append(Group(model, len(groups), rows, f"{url}?id__in={pks}"))

    broken = Section(
        "broken-links",
        "Sources whose link is broken",
        "The last link check of these published sources failed. Fix the address, or add "
        "a web-archive copy.",
    )
    if visible(Source):
        queryset = Source.objects.published().filter(link_ok=False)
        broken.groups.append(_group(Source, queryset, {**published, "link_ok__exact": "0"}))

    suggestions = Section(
        "suggestions",
        "Suggestions waiting for triage",
        "Corrections and additions sent by the public, not yet accepted, rejected or "
        "marked duplicate.",
    )
    if visible(Suggestion):
        queryset = Suggestion.objects.filter(state=SuggestionState.NEW)
        suggestions.groups.append(
            _group(Suggestion, queryset, {"state__exact": SuggestionState.NEW})
        )

    proposed = Section(
        "revisions",
        "Proposed revisions waiting for review",
        "Changes editors propose to published records; the public record is unchanged until "
        "a reviewer approves one.",
    )
    if visible(Revision):
        queryset = Revision.objects.filter(state=RevisionState.PENDING)
        proposed.groups.append(_group(Revision, queryset, {"state__exact": RevisionState.PENDING}))

    return [
        section
        for section in (
            proposed,
            unsourced,
            unverified,
            unaudited,
            stale,
            expired,
            duplicates,
            broken,
            suggestions,
        )
        if section.groups
    ]
