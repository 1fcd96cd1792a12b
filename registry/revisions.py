"""
Proposed revisions: how an editor changes a published record.

Editors may not change what the public reads. When an editor saves the change
form of a published (or retracted) record, ``propose()`` keeps the fields
they changed as a ``Revision`` waiting for review, and the record is left as
it is. A reviewer then ``approve()``s it, which applies those fields (and only
those) to the record as it is now, with one history entry that names the
proposal, its author and the reviewer; or ``reject()``s it, which changes
nothing. Both decisions are kept in the revision's own history.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import workflow
from .choices import RevisionState
from .models import Revision
from .services import save_record


def _plain(value):
    """A cleaned form value as JSON: records as their ids, dates as ISO text."""
    if hasattr(value, "model") and hasattr(value, "all"):
        value = list(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def comparable(value):
    """One shape for a value, whether cleaned by a form or read from the database."""
    if hasattr(value, "model") and hasattr(value, "all"):  # a queryset of related records
        value = list(value)
    if isinstance(value, (list, tuple, set)):
        return sorted(str(getattr(item, "pk", item)) for item in value)
    if hasattr(value, "pk"):
        return str(value.pk)
    if value in (None, ""):
        return ""
    return str(value)


def current_value(record, name):
    """What ``record`` holds now for form field ``name``, as a form would clean it."""
    field = record._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(record, name).all())
    return getattr(record, name)


def differing_fields(record, cleaned_data) -> list[str]:
    """The model fields whose cleaned values differ from what ``record`` holds now."""
    names = []
    for name, value in cleaned_data.items():
        try:
            field = record._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if name == "state":  # a proposal changes facts; publishing is the reviewer's step
            continue
        if field.editable and comparable(value) != comparable(current_value(record, name)):
            names.append(name)
    return names


def propose(record, *, cleaned_data, changed, user, reason) -> Revision:
    """Keep the ``changed`` fields of ``cleaned_data`` as a revision of ``record``."""
    fields = {}
    for name in changed:
        try:
            record._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field (the reason, the opened version)
            continue
        fields[name] = _plain(cleaned_data.get(name))
    if not fields:
        raise ValidationError("Nothing was changed, so there is nothing to propose.")
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        changes=fields,
        reason=(reason or "").strip() or "Proposed change",
        proposed_by=user,
    )


def _apply(record, changes):
    """Set the proposed values on ``record``; return the many-to-many links to set."""
    m2m = {}
    for name, value in changes.items():
        field = record._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = value or []
        elif field.is_relation:
            setattr(record, field.attname, value)
        else:
            setattr(record, name, field.to_python(value))
    return m2m


def _decide(revision, *, user, note, state):
    if revision.state != RevisionState.PENDING:
        raise ValidationError(
            f"{revision.reference} was already {revision.get_state_display().lower()}."
        )
    model = revision.content_type.model_class()
    if not workflow.can_publish(user, model):
        raise PermissionDenied("Only reviewers approve or reject proposed revisions.")
    revision.state = state
    revision.decided_by = user
    revision.decided_at = timezone.now()
    revision.decision_note = (note or "").strip()
    revision._history_user = user
    revision._change_reason = revision.decision_note or state


def approve(revision, *, user, note="") -> None:
    """Apply ``revision`` to its record as it is now; one history entry names both people."""
    _decide(revision, user=user, note=note, state=RevisionState.APPROVED)
    record = revision.record
    if record is None:
        raise ValidationError(f"The record of {revision.reference} no longer exists.")
    m2m = _apply(record, revision.changes)
    try:
        record.full_clean(exclude=list(m2m))
    except ValidationError as error:
        raise ValidationError(
            f"{revision.reference} cannot be applied to the record as it is now: "
            + " ".join(error.messages)
        ) from error
    author = revision.proposed_by.get_username() if revision.proposed_by else "an editor"
    reason = f"{revision.reason} (proposed by {author} as {revision.reference}, approved)"
    record._history_user = user
    with transaction.atomic():
        save_record(record, reason=reason, m2m=m2m)
        revision.save()


def reject(revision, *, user, note) -> None:
    """Refuse ``revision``: the record is left as it is."""
    if not (note or "").strip():
        raise ValidationError("Say why the revision is rejected; the editor reads it.")
    _decide(revision, user=user, note=note, state=RevisionState.REJECTED)
    revision.save()
