"""
Domain words on QuerySets.

Public visibility is defined here once (`published()`, `public()`), and the two
derived values at the heart of the register, audit status and governing
policies, are computed here in the database.
"""

from functools import cache

from django.apps import apps
from django.db import models, router
from django.db.models import Case, Exists, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import Star
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import choices, statements


class RecordQuerySet(models.QuerySet):
    def published(self):
        """Records the public may see in lists, search, exports, feeds and the API."""
        return self.filter(state=choices.State.PUBLISHED)

    def public(self):
        """Records with a public page: published ones, and retracted ones with their note."""
        return self.filter(state__in=(choices.State.PUBLISHED, choices.State.RETRACTED))

    def unsourced(self):
        """Records that cite no published source (a draft source backs nothing the public reads)."""
        return self.exclude(Exists(published_sources_of(self.model)))

    def with_published_source_count(self):
        """Annotate ``published_source_count``: the published sources each record cites."""
        return self.annotate(
            published_source_count=correlated_count(published_sources_of(self.model))
        )

    def with_published_count(self, name, related_model, field):
        """
        Annotate ``name``: how many published ``related_model`` rows point at each
        row through ``field``. A correlated subquery rather than ``Count()``, so
        the list's pagination count stays a plain ``COUNT(*)`` (no GROUP BY over
        the whole table) and only the rows of the page are counted.
        """
        related = related_model.objects.published().filter(**{field: OuterRef("pk")})
        return self.annotate(**{name: correlated_count(related)})


def published_sources_of(model):
    """The published sources cited by the outer row of ``model`` (for Exists / counts)."""
    through = model.sources.through
    own = f"{model._meta.model_name}_id"
    return through.objects.filter(**{own: OuterRef("pk"), "source__state": choices.State.PUBLISHED})


def correlated_count(queryset):
    """``(SELECT COUNT(*) ...)`` of a queryset correlated with OuterRef; no GROUP BY."""
    # COUNT(*), not COUNT(id): an index on the filtered columns then answers alone.
    counted = (
        queryset.order_by()
        .annotate(n=Func(Star(), function="COUNT", output_field=models.IntegerField()))
        .values("n")
    )
    return Coalesce(Subquery(counted[:1], output_field=models.IntegerField()), 0)


def _audit_model():
    return apps.get_model("registry", "Audit")


def _ranked_audits(audits):
    """
    Audits ordered best rung first, then most recent: the first one decides the
    status. Each carries its rung as ``rung`` (the status it gives).
    """
    independent = Q(auditor_kind__in=choices.INDEPENDENT_AUDITOR_KINDS)
    rank = Case(
        When(independent & Q(is_public=True), then=Value(3)),
        When(independent, then=Value(2)),
        default=Value(1),
        output_field=models.IntegerField(),
    )
    rung = Case(
        When(rank=3, then=Value(choices.AuditStatus.REPORTED)),
        When(rank=2, then=Value(choices.AuditStatus.AUDITED)),
        default=Value(choices.AuditStatus.TESTED),
        output_field=models.CharField(),
    )
    return audits.annotate(rank=rank, rung=rung).order_by(
        "-rank", F("published").desc(nulls_last=True), "-pk"
    )


AUDIT_STATUS_FIELDS = ("audit_status", "audit_finding", "audit_date", "audit_date_precision")


def audit_status_expressions(audits):
    """
    Expressions for audit status, latest finding and its date over ``audits``
    (a queryset of published audits correlated to the outer row with OuterRef).

    The ladder (docs/data-format.md, after IBM's June 2020 letter to Congress):
    reported > audited > tested > none_known. The finding and date are those of
    the most recent audit on the highest rung reached, so a vendor's own test
    never stands in for an independent one. Each value is one subquery that
    reads the best audit (none: ``none_known`` and empty values).
    """
    best = _ranked_audits(audits)

    def of_best(field, output_field, default=None):
        value = Subquery(best.values(field)[:1], output_field=output_field)
        return value if default is None else Coalesce(value, Value(default))

    return {
        "audit_status": of_best("rung", models.CharField(), choices.AuditStatus.NONE_KNOWN),
        "audit_finding": of_best("finding", models.CharField(), ""),
        "audit_date": of_best("published", models.DateField()),
        "audit_date_precision": of_best("published_precision", models.CharField(), ""),
    }


@cache
def _refresh_statement(model, using):
    """The UPDATE that stores the status computed now, for any rows (``statements``)."""
    everything = model.objects.all()
    return statements.update_for_keys(
        everything, audit_status_expressions(everything.correlated_audits()), using
    )


@cache
def _live_statement(model, using):
    """
    The SELECT of the key, the stored status and the status computed now, for
    any rows (``statements``).
    """
    rows = model.objects.with_live_audit_status()
    return statements.select_for_keys(
        rows.values_list(
            "pk", *AUDIT_STATUS_FIELDS, *[f"live_{name}" for name in AUDIT_STATUS_FIELDS]
        ),
        using,
    )


class AuditStatusQuerySet(RecordQuerySet):
    """For systems and deployments, which carry a stored, derived audit status."""

    def correlated_audits(self):  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def with_live_audit_status(self):
        """Annotate the audit status computed now (``live_audit_status`` ...)."""
        exprs = audit_status_expressions(self.correlated_audits())
        return self.annotate(**{f"live_{name}": expr for name, expr in exprs.items()})

    def _write_db(self):
        return self._db or router.db_for_write(self.model)

    def _stored_and_live(self, using):
        """``[(pk, stored status, status computed now)]``, each status a 4-tuple."""
        rows = statements.run_for(_live_statement(self.model, using), self, using)
        return [(pk, tuple(values[:4]), tuple(values[4:])) for pk, *values in rows]

    def live_audit_statuses(self) -> dict:
        """``{pk: (status, finding, date, precision)}``: these rows' status computed now."""
        return {pk: live for pk, _stored, live in self._stored_and_live(self._write_db())}

    def refresh_audit_status(self):
        """Recompute the stored audit status of these rows in one UPDATE."""
        using = self._write_db()
        return statements.run_for(_refresh_statement(self.model, using), self, using)

    def refresh_each_audit_status(self):
        """
        Recompute the stored audit status of these few rows (a save's) one by
        one: one SELECT of each row's status held and computed now, then an
        UPDATE of those that changed, usually none (every write of a
        deployment's row updates its twenty indexes). Over many rows,
        ``refresh_audit_status`` ranks less. Returns the number of rows written.
        """
        using = self._write_db()
        changed: dict[tuple, list] = {}
        for pk, stored, live in self._stored_and_live(using):
            if stored != live:
                changed.setdefault(live, []).append(pk)
        rows = self.model._base_manager.using(using)
        return sum(
            _write_audit_status(rows.filter(pk__in=pks), *status) for status, pks in changed.items()
        )

    def with_audit_status(self, *statuses):
        return self.filter(audit_status__in=statuses)


class SystemQuerySet(AuditStatusQuerySet):
    def correlated_audits(self):
        return _audit_model().objects.published().filter(system=OuterRef("pk"))

    def for_display(self):
        return self.select_related("vendor")


def _write_audit_status(rows, status, finding, date, precision) -> int:
    """Store this audit status on those of ``rows`` that do not hold it already."""
    held = Q(audit_status=status, audit_finding=finding, audit_date_precision=precision) & (
        Q(audit_date__isnull=True) if date is None else Q(audit_date=date)
    )
    return rows.exclude(held).update(
        audit_status=status,
        audit_finding=finding,
        audit_date=date,
        audit_date_precision=precision,
    )


class DeploymentQuerySet(AuditStatusQuerySet):
    def correlated_audits(self):
        """A deployment inherits its system's audits, plus its own."""
        return (
            _audit_model()
            .objects.published()
            .filter(Q(system=OuterRef("system")) | Q(deployment=OuterRef("pk")))
        )

    def refresh_audit_status(self):
        """
        Recompute the stored audit status of these rows, set-based.

        A deployment without published audits of its own has exactly its
        system's audits, so it takes its system's status: the systems are
        ranked once (a correlated subquery per *system*), then one UPDATE per
        distinct result sets every such deployment of those systems. Only the
        few deployments audited themselves are ranked one by one. (One
        correlated subquery per deployment took 65-99 s at 100,000.) A row
        that inherits the status it already holds is not written: every write
        of a deployment's row updates each of its twenty indexes.
        Returns the number of rows written.
        """
        own_audits = (_audit_model().objects.published().filter(deployment__isnull=False)).values(
            "deployment_id"
        )
        # Usually none is (always, for a deployment just created): the UPDATE
        # then matches no row and ranks nothing.
        written = super(DeploymentQuerySet, self.filter(pk__in=own_audits)).refresh_audit_status()
        inheriting = self.exclude(pk__in=own_audits)
        systems = (
            apps.get_model("registry", "System")
            .objects.filter(pk__in=inheriting.filter(system__isnull=False).values("system_id"))
            .live_audit_statuses()
        )
        by_status: dict[tuple, list[int]] = {}
        for pk, status in systems.items():
            by_status.setdefault(status, []).append(pk)
        none_known = (choices.AuditStatus.NONE_KNOWN, "", None, "")
        for (status, finding, date, precision), system_ids in by_status.items():
            rows = inheriting.filter(system_id__in=system_ids)
            if status == none_known[0]:
                # Deployments of no known system have no audit but their own.
                rows = inheriting.filter(Q(system_id__in=system_ids) | Q(system__isnull=True))
            written += _write_audit_status(rows, status, finding or "", date, precision or "")
        if not any(status[0] == none_known[0] for status in by_status):
            written += _write_audit_status(inheriting.filter(system__isnull=True), *none_known)
        return written

    def active(self):
        return self.filter(status=choices.DeploymentStatus.ACTIVE)

    def for_display(self):
        return self.select_related("agency", "system", "system__vendor")

    # The columns copied from the agency and the system (``Deployment.agency_country``
    # ...). ``Deployment.save()`` fills them; these keep them right when the agency or
    # system changes instead, or after a load that bypassed ``save()``.

    def sync_copies(self):
        """Rewrite these rows' copied columns from their agency and system, set-based."""
        from .models import AGENCY_COPIES

        agency = apps.get_model("registry", "Agency").objects.filter(pk=OuterRef("agency_id"))
        system = apps.get_model("registry", "System").objects.filter(pk=OuterRef("system_id"))
        return self.update(
            **{
                local: Subquery(agency.values(remote)[:1])
                for local, remote in AGENCY_COPIES.items()
            },
            system_vendor=Subquery(system.values("vendor")[:1]),
        )

    def sync_with_agency(self, agency):
        """Copy ``agency``'s values onto those of its rows that differ: one UPDATE."""
        from .models import AGENCY_COPIES

        values = {local: getattr(agency, remote) for local, remote in AGENCY_COPIES.items()}
        return self.filter(agency_id=agency.pk).exclude(**values).update(**values)

    def sync_with_system(self, system):
        """Copy ``system``'s vendor onto those of its rows that differ: one UPDATE."""
        rows = self.filter(system_id=system.pk)
        if system.vendor_id is None:
            rows = rows.filter(system_vendor__isnull=False)
        else:
            rows = rows.exclude(system_vendor_id=system.vendor_id)
        return rows.update(system_vendor_id=system.vendor_id)


class AuditQuerySet(RecordQuerySet):
    def for_display(self):
        return self.select_related(
            "system", "system__vendor", "deployment__agency", "deployment__system"
        )


def jurisdiction_q(*, country, region, locality, in_eu):
    """
    Policies whose jurisdiction contains an agency located at (country, region,
    locality). Each argument may be a value or an ``OuterRef``, so the same rule
    serves one agency's page and a correlated subquery over many agencies.

    - national law: the agency's country, no region;
    - EU law: country ``EU``, for agencies in EU member states;
    - regional law: one of its regions is the agency's, no locality (a ruling
      for England and Wales names ``GB-ENG`` and ``GB-WLS``);
    - local law: one of its regions and its locality are the agency's.
    """
    national = Q(country=country, regions="")
    if isinstance(in_eu, bool):
        eu = Q(country="EU", regions="") if in_eu else Q(pk__in=[])
    else:
        eu = Q(country="EU", regions="") & in_eu
    # Every branch names the country (a region code implies it anyway), so each
    # one is an index range on (country, regions, locality) and the OR a BitmapOr.
    if region == "":
        # An agency with no region is inside no regional or local law.
        return Q(binds_by_jurisdiction=True) & (national | eu)
    regional = Q(country=country, regions__has=region, locality="")
    local = Q(country=country, regions__has=region, locality=locality) & ~Q(locality="")
    return Q(binds_by_jurisdiction=True) & (national | eu | regional | local)


class PolicyQuerySet(RecordQuerySet):
    def in_force(self, on=None):
        """Enacted or in force, in effect (or with no effective date), and not past their end."""
        on = on or timezone.localdate()
        return self.filter(status__in=choices.IN_FORCE_POLICY_STATUSES).filter(
            Q(ends__isnull=True) | Q(ends__gte=on), Q(effective__isnull=True) | Q(effective__lte=on)
        )

    def governing(self, agency, *, in_force_only=True):
        """
        Policies that govern ``agency``: those that name it (``basis="explicit"``)
        and those whose jurisdiction contains it (``basis="jurisdiction"``).
        """
        named = _policy_agencies().objects.filter(policy_id=OuterRef("pk"), agency_id=agency.pk)
        qs = self.filter(
            Q(Exists(named))
            | jurisdiction_q(
                country=agency.country,
                region=agency.region,
                locality=agency.locality,
                in_eu=agency.in_eu,
            )
        ).annotate(
            basis=Case(
                When(Exists(named), then=Value("explicit")),
                default=Value("jurisdiction"),
                output_field=models.CharField(),
            )
        )
        if in_force_only:
            qs = qs.in_force()
        return qs


def _policy_agencies():
    """The table linking policies to the agencies they name."""
    return apps.get_model("registry", "Policy").agencies.through


class AgencyQuerySet(RecordQuerySet):
    def governed_by(self, policy):
        """Agencies a policy binds: those it names, and those inside its jurisdiction."""
        named = Q(
            Exists(_policy_agencies().objects.filter(policy_id=policy.pk, agency_id=OuterRef("pk")))
        )
        if not policy.binds_by_jurisdiction:
            return self.filter(named)
        if policy.country == "EU":
            place = Q(country__in=choices.EU_MEMBER_STATES)
        else:
            place = Q(country=policy.country)
        if policy.regions:
            place &= Q(region__in=policy.regions)
        if policy.locality:
            place &= Q(locality=policy.locality)
        return self.filter(named | place)

    def with_governing_policy_count(self, *, in_force_only=True):
        """
        Annotate ``governing_policy_count`` in the database: the policies that
        name each agency plus those of its jurisdiction that do not. Two
        correlated counts rather than one OR, so each can use its index.
        """
        Policy = apps.get_model("registry", "Policy")
        named = _policy_agencies().objects.filter(
            policy_id=OuterRef("pk"), agency_id=OuterRef(OuterRef("pk"))
        )
        policies = Policy.objects.published()
        if in_force_only:
            policies = policies.in_force()
        by_name = policies.filter(agencies=OuterRef("pk"))
        by_place = policies.filter(
            jurisdiction_q(
                country=OuterRef("country"),
                region=OuterRef("region"),
                locality=OuterRef("locality"),
                in_eu=_outer_in_eu(),
            )
        ).exclude(Exists(named))
        return self.annotate(
            governing_policy_count=correlated_count(by_name) + correlated_count(by_place)
        )

    def for_display(self):
        return self.select_related("parent")


def _outer_in_eu():
    """True in a subquery when the outer agency is in an EU member state."""
    return Q(
        Exists(
            apps.get_model("registry", "Agency").objects.filter(
                pk=OuterRef(OuterRef("pk")), country__in=choices.EU_MEMBER_STATES
            )
        )
    )
