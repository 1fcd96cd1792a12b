"""Small write operations shared by the admin, the importers and the workflow."""

from django.db import router, transaction
from django.db.models.signals import m2m_changed, post_save


def save_record(obj, *, reason: str, m2m: dict | None = None) -> None:
    """
    Save ``obj`` and set its many-to-many links (``{"sources": [pk, ...]}``),
    recording ONE history entry, with ``reason``, that holds the final state.

    django-simple-history would otherwise write an entry for the save and one
    more for each many-to-many change, the first of them without the links.
    """
    created = obj._state.adding
    obj._change_reason = reason
    obj.skip_history_when_saving = True
    try:
        obj.save()
        for name, pks in (m2m or {}).items():
            if created:
                _link_new_record(getattr(obj, name), pks)
            else:
                getattr(obj, name).set(pks)
    finally:
        del obj.skip_history_when_saving
    # Let django-simple-history (and any other receiver) see the finished record.
    post_save.send(
        sender=type(obj), instance=obj, created=created, update_fields=None, raw=False,
        using=obj._state.db,
    )  # fmt: skip


def _link_new_record(manager, pks) -> None:
    """
    ``manager.add(*pks)`` for a record just created, which has no links yet.

    ``add`` first reads which of the links exist, so that ``m2m_changed``
    names only the new ones, whenever anyone listens (django-simple-history
    always does): a query per linked field of every record created, in every
    import and factory. A new record's links are all new: the same signals,
    with the same ``pk_set``, around the same INSERT.
    """
    instance, through = manager.instance, manager.through
    pk_set = manager._get_target_ids(manager.target_field_name, pks)
    if not pk_set:
        return
    db = router.db_for_write(through, instance=instance)
    signal = {
        "sender": through, "instance": instance, "reverse": False,
        "model": manager.model, "pk_set": pk_set, "using": db, "raw": False,
    }  # fmt: skip
    with transaction.atomic(using=db, savepoint=False):
        m2m_changed.send(action="pre_add", **signal)
        through._default_manager.using(db).bulk_create(
            through(**{
                f"{manager.source_field_name}_id": manager.related_val[0],
                f"{manager.target_field_name}_id": pk,
            })
            for pk in pk_set
        )  # fmt: skip
        m2m_changed.send(action="post_add", **signal)
