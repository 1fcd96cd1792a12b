"""
Merge two records that are one real thing recorded twice.

The kept record gains the other's sources and what points at it (an agency's
deployments, children and the policies naming it; a deployment's audits and
policies; a system's deployments and audits; a vendor's systems), and its empty
fields are filled from the other (its own values are never overwritten). The
other is retracted with a public note pointing to the kept one and remembers
it in ``merged_into``: its address then redirects there permanently (301), so
no link or citation breaks. Every record changed gets one history entry with
the maintainer and the reason.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponsePermanentRedirect

from . import choices, workflow
from .importers.reconcile import fill
from .models import Agency, Audit, Deployment, Policy, System, Vendor
from .services import save_record

#: Per model: (related model, foreign key to move) and many-to-many fields of
#: other records that point at it.
MOVED = {
    Agency: {
        "fks": ((Deployment, "agency"), (Agency, "parent")),
        "linked": ((Policy, "agencies"),),
    },
    Deployment: {"fks": ((Audit, "deployment"),), "linked": ()},
    System: {"fks": ((Deployment, "system"), (Audit, "system")), "linked": ()},
    Vendor: {"fks": ((System, "vendor"),), "linked": ()},
}
MERGEABLE = tuple(MOVED)
#: Fields a merge never fills from the other record.
NOT_FILLED = {"id", "slug", "state", "public_note", "last_verified", "merged_into",
              "created_at", "updated_at", "search_vector"}  # fmt: skip


@dataclass
class Merged:
    kept: object
    retracted: object
    moved: list = field(default_factory=list)  # "3 deployments"
    filled: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)


def check(keep, other, *, user):
    """Raise ValidationError or TransitionNotAllowed unless ``user`` may merge these two."""
    if type(keep) is not type(other) or type(keep) not in MERGEABLE:
        raise ValidationError("Only two agencies, deployments, systems or vendors can be merged.")
    if keep.pk == other.pk:
        raise ValidationError("Choose two different records.")
    for record in (keep, other):
        if record.state == choices.State.RETRACTED or record.merged_into_id:
            raise ValidationError(f"“{record}” is retracted: merge into a current record.")
    workflow.check_transition(other, to=choices.State.RETRACTED, user=user)
    if not workflow.can_edit(user, keep):
        raise workflow.TransitionNotAllowed(f"You may not change “{keep}”.")


def merge(keep, other, *, user, reason: str) -> Merged:
    """Merge ``other`` into ``keep`` (see the module docstring), all or nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a short reason for this change.")
    check(keep, other, user=user)
    model = type(keep)
    result = Merged(kept=keep, retracted=other)
    why = f"{reason} (merged “{other}” [{other.slug}] into “{keep}” [{keep.slug}])"
    touched_deployments, touched_systems = set(), set()
    with transaction.atomic():
        for related, name in MOVED[model]["fks"]:
            # Deployment.save() copies values from its agency and system: loaded
            # with the rows (and the kept record set as the object), they cost no query.
            rows = related.objects.filter(**{f"{name}_id": other.pk})
            if related is Deployment:
                rows = rows.select_related("agency", "system")
            rows = list(rows)
            for row in rows:
                setattr(row, name, keep)
                _save(row, user=user, reason=why)
                if related is Deployment:
                    touched_deployments.add(row.pk)
                if related is Audit:
                    touched_deployments.add(row.deployment_id)
                    touched_systems.add(row.system_id)
            if rows:
                result.moved.append(f"{len(rows)} {related._meta.verbose_name_plural} ({name})")
        for related, name in MOVED[model]["linked"]:
            rows = list(related.objects.filter(**{name: other.pk}).prefetch_related(name))
            for row in rows:
                pks = {o.pk for o in getattr(row, name).all()} - {other.pk} | {keep.pk}
                _save(row, user=user, reason=why, m2m={name: sorted(pks)})
            if rows:
                result.moved.append(f"{len(rows)} {related._meta.verbose_name_plural} ({name})")

        values = {
            f.attname: getattr(other, f.attname)
            for f in model._meta.concrete_fields
            if f.editable and f.name not in NOT_FILLED
        }
        filled = fill(keep, values)
        result.filled, result.conflicts = filled.changed, filled.conflicts
        m2m = {}
        for f in model._meta.many_to_many:
            if f.name in ("sources", "policies"):
                ours = set(getattr(keep, f.name).values_list("pk", flat=True))
                theirs = set(getattr(other, f.name).values_list("pk", flat=True))
                m2m[f.name] = sorted(ours | theirs)
                if theirs - ours:
                    result.moved.append(f"{len(theirs - ours)} {f.name}")
        _save(keep, user=user, reason=why, m2m=m2m)

        # Records merged into the other before now lead straight to the kept one.
        for earlier in model.objects.filter(merged_into=other):
            earlier.merged_into = keep
            _save(earlier, user=user, reason=why)
        other.state = choices.State.RETRACTED
        other.merged_into = keep
        other.public_note = (
            f"The same {model._meta.verbose_name} as “{keep}”, recorded twice: merged into "
            f"that record ({keep.get_absolute_url()}), which this address now leads to."
        )
        _save(other, user=user, reason=why)
        # The audits that moved leave the other record's status to recompute too.
        if model is Deployment:
            touched_deployments |= {keep.pk, other.pk}
        if model is System:
            touched_systems |= {keep.pk, other.pk}
        from .signals import refresh_audit_status_for

        refresh_audit_status_for(system_ids=touched_systems, deployment_ids=touched_deployments)
    return result


def _save(record, *, user, reason, m2m=None):
    """
    One history entry by ``user``. Derived audit statuses wait for the one
    refresh at the end of the merge, not one per moved deployment or audit.
    """
    record._history_user = user
    record._defer_derived = True
    save_record(record, reason=reason, m2m=m2m)


def redirect_to_kept(request, record):
    """A permanent redirect from a merged record's address to the record it was merged into."""
    kept = type(record).objects.only("slug").get(pk=record.merged_into_id)
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(kept.get_absolute_url() + (f"?{query}" if query else ""))
