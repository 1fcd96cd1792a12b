"""
The publishing workflow: who may move a record from one state to another.

Roles are Django groups created by the migrations (``0001_squashed_0015``; 0002 on
databases migrated before the squash):

- **editors** create and edit drafts and send them to review. They may move a
  record between ``draft`` and ``in_review`` only, and never touch a record that
  is published or retracted (what the public sees changes only through a
  reviewer).
- **reviewers** may also publish and retract. That is the permission
  ``registry.publish_<model>`` (``publish_source``, ``publish_deployment`` ...),
  one per record model, created in the same migration.
- Superusers have every permission.

Every change made here is saved one record at a time, so django-simple-history
writes one entry per record with the user and the reason, and the signals that
keep derived values (audit status) in step run as for any other save.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .choices import State
from .models import Source

#: States an editor may set, and the only states of records an editor may change.
EDITOR_STATES = (State.DRAFT, State.IN_REVIEW)

#: Model names of records that may only be published with at least one source.
SOURCE_REQUIRED_TO_PUBLISH = ("deployment", "audit", "policy")

SOURCE_REQUIRED_MESSAGE = (
    "Every published deployment, audit and policy cites at least one published source. "
    "Add a source, or publish a source it cites, before publishing."
)
PUBLIC_NOTE_REQUIRED_MESSAGE = (
    "A retracted record shows the public why it was withdrawn: write a public note."
)


class TransitionNotAllowed(PermissionDenied):
    """The user may not make this change of state."""


def publish_permission(model) -> str:
    """The permission that lets a user publish and retract records of ``model``."""
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def change_permission(model) -> str:
    return f"{model._meta.app_label}.change_{model._meta.model_name}"


def can_publish(user, model) -> bool:
    return user.has_perm(publish_permission(model))


def can_edit(user, record) -> bool:
    """May ``user`` change this record (its facts or its state)?"""
    if not user.has_perm(change_permission(type(record))):
        return False
    return can_publish(user, type(record)) or record.state in EDITOR_STATES


def proposes_revisions(user, record) -> bool:
    """
    Does ``user``'s change to ``record`` become a proposed revision rather than
    an edit? For editors changing what the public reads (published and retracted
    records): a reviewer approves it first (``registry/revisions.py``).
    """
    return (
        record.pk is not None
        and record.state not in EDITOR_STATES
        and user.has_perm(change_permission(type(record)))
        and not can_publish(user, type(record))
    )


def allowed_states(user, model) -> list[str]:
    """The states ``user`` may give a record of ``model``."""
    if can_publish(user, model):
        return list(State.values)
    return list(EDITOR_STATES)


def requires_source(model) -> bool:
    return model._meta.model_name in SOURCE_REQUIRED_TO_PUBLISH


def check_transition(record, *, to: str, user) -> None:
    """Raise ``TransitionNotAllowed`` unless ``user`` may move ``record`` to ``to``."""
    model = type(record)
    label = f"{model._meta.verbose_name} “{record}”"
    if to not in State.values:
        raise TransitionNotAllowed(f"“{to}” is not a state.")
    if not can_edit(user, record):
        raise TransitionNotAllowed(
            f"You may not change the {label}: it is {record.get_state_display().lower()}, "
            "and only reviewers change published or retracted records."
        )
    if to not in allowed_states(user, model):
        raise TransitionNotAllowed(
            f"Only reviewers may publish or retract records; the {label} was not changed."
        )


def transition(
    records: Iterable,
    *,
    to: str,
    user,
    reason: str,
    public_note: str = "",
    publish_cited_sources: bool = False,
) -> int:
    """
    Move ``records`` to state ``to`` for ``user``, recording ``reason`` in history.

    All or nothing: if the user may not move one of the records, or one of them
    cannot be published (no published source) or retracted (no public note),
    nothing is saved and ``TransitionNotAllowed`` or ``ValidationError`` says
    why. With ``publish_cited_sources``, publishing also publishes the draft
    and in-review sources the records cite, in the same step (a reviewer who
    checked them). Records already in state ``to`` are left alone. Returns how
    many records changed.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a short reason for this change.")
    public_note = (public_note or "").strip()
    records = [r for r in records if r.state != to]
    for record in records:
        check_transition(record, to=to, user=user)
    if to == State.RETRACTED and not public_note:
        unexplained = [r for r in records if not r.public_note.strip()]
        if unexplained:
            raise ValidationError(PUBLIC_NOTE_REQUIRED_MESSAGE)
    cited_drafts = []
    if to == State.PUBLISHED:
        if publish_cited_sources:
            cited_drafts = unpublished_sources_cited_by(records)
            for source in cited_drafts:
                check_transition(source, to=to, user=user)
        _check_sources(records, also_published={s.pk for s in cited_drafts})

    with transaction.atomic():
        for source in cited_drafts:
            source.state = State.PUBLISHED
            _save(source, user=user, reason=reason, fields=["state", "updated_at"])
        for record in records:
            record.state = to
            fields = ["state", "updated_at"]
            if to == State.RETRACTED and public_note:
                record.public_note = public_note
                fields.append("public_note")
            _save(record, user=user, reason=reason, fields=fields)
    return len(records)


def mark_verified(records: Iterable, *, user, reason: str, on=None) -> int:
    """
    Record that ``user`` re-checked ``records`` against their sources on ``on``
    (today by default). Anyone who may change a record's model may do this, on
    published records too: it asserts a check, and changes no fact the public reads
    except the date itself.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a short reason for this change.")
    on = on or timezone.localdate()
    records = list(records)
    for record in records:
        if not user.has_perm(change_permission(type(record))):
            raise TransitionNotAllowed(f"You may not change {record._meta.verbose_name_plural}.")
    with transaction.atomic():
        for record in records:
            record.last_verified = on
            _save(record, user=user, reason=reason, fields=["last_verified", "updated_at"])
    return len(records)


def unpublished_sources_cited_by(records) -> list:
    """The draft and in-review sources that ``records`` cite (one query per model)."""
    by_model: dict = {}
    for record in records:
        if hasattr(record, "sources"):
            by_model.setdefault(type(record), []).append(record.pk)
    found: dict = {}
    for model, pks in by_model.items():
        field = model._meta.get_field("sources").related_query_name()
        for source in Source.objects.filter(
            **{f"{field}__in": pks, "state__in": EDITOR_STATES}
        ).distinct():
            found[source.pk] = source
    return list(found.values())


def _check_sources(records, *, also_published=frozenset()) -> None:
    """Refuse to publish a record that would cite no published source."""
    by_model: dict = {}
    for record in records:
        if requires_source(type(record)):
            by_model.setdefault(type(record), []).append(record.pk)
    unsourced = []
    for model, pks in by_model.items():
        # One query per model, however many records were selected.
        rows = model.objects.filter(pk__in=pks).unsourced()
        if also_published:
            rows = rows.exclude(sources__in=also_published)
        unsourced += list(rows.distinct())
    if unsourced:
        names = ", ".join(f"“{r}”" for r in unsourced[:5])
        more = f" and {len(unsourced) - 5} more" if len(unsourced) > 5 else ""
        raise ValidationError(f"{SOURCE_REQUIRED_MESSAGE} No source: {names}{more}.")


def _save(record, *, user, reason, fields) -> None:
    record._change_reason = reason
    record._history_user = user
    record.save(update_fields=fields)
