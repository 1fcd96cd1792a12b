"""Small write operations shared by the admin, the importers and the workflow."""

from django.db.models.signals import post_save


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
            # A new record has no links to remove: ``add`` skips ``set``'s read of
            # the current ones (a query per created record in every import).
            if created:
                getattr(obj, name).add(*pks)
            else:
                getattr(obj, name).set(pks)
    finally:
        del obj.skip_history_when_saving
    # Let django-simple-history (and any other receiver) see the finished record.
    post_save.send(
        sender=type(obj), instance=obj, created=created, update_fields=None, raw=False,
        using=obj._state.db,
    )  # fmt: skip
