"""
Keeping the index fresh, and building it.

A record's text includes the names of published related records, so saving a
record re-indexes it and every record whose text includes it
(``refresh_index``). The receivers in ``registry.signals`` call
``record_saved``/``record_removed``; inside ``deferred_indexing()`` saves are
queued and re-indexed together at the end. ``rebuild_index()`` (and
``manage.py rebuild_search_index``) recomputes everything after bulk loads;
``install``/``uninstall`` are the migration's.
"""

import threading
from contextlib import contextmanager

from django.db import connections

from .. import types
from . import backends
from .documents import dependents


def refresh_index(model, pks, *, using="default", created=()):
    """
    Re-index these records of ``model``, and every record whose text includes
    theirs. ``created``: those of ``pks`` just created, whose dependents need
    no refresh: a row that names a new record was saved after it, so it is
    re-indexed itself (in the same ``deferred_indexing`` block, or on its save).
    """
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return
    backend = backends.backend_for(connections[using])
    backend.refresh(model._base_manager.using(using).filter(pk__in=pks))
    named = [pk for pk in pks if pk not in created]
    if not named:
        return
    for other, lookup in dependents(model):
        backend.refresh(other._base_manager.using(using).filter(**{f"{lookup}__in": named}))


def rebuild_index(*, models_=types.MODELS, using="default"):
    """Re-index every record (after a bulk load); returns ``{model_name: rows}``."""
    backend = backends.backend_for(connections[using])
    counts = {}
    for model in models_:
        queryset = model._base_manager.using(using).all()
        backend.refresh(queryset)
        counts[model._meta.model_name] = queryset.count()
    return counts


def install(schema_editor, models_):
    """Create the index (GIN indexes or FTS5 tables) for ``models_`` and fill it."""
    connection = schema_editor.connection
    backends.backend_for(connection).install(schema_editor, models_)
    rebuild_index(models_=models_, using=connection.alias)


def uninstall(schema_editor, models_):
    backends.backend_for(schema_editor.connection).uninstall(schema_editor, models_)


_deferred = threading.local()


@contextmanager
def deferred_indexing(*, using="default"):
    """
    Within this block, saved records are queued and re-indexed together at the
    end, in a few UPDATEs per record type, instead of after every save. The
    importers use it: one refresh per file, not one per record.
    """
    if getattr(_deferred, "queue", None) is not None:  # nested: the outer block flushes
        yield
        return
    _deferred.queue = {}
    _deferred.created = {}
    try:
        yield
        queue, created = _deferred.queue, _deferred.created
    finally:
        _deferred.queue = _deferred.created = None
    for model, pks in queue.items():
        refresh_index(model, pks, using=using, created=created.get(model, ()))


def record_saved(model, pk, *, created=False, using="default"):
    """
    Re-index a saved record now, or at the end of the ``deferred_indexing()``
    block. ``created``: the save created it (nothing names it yet).
    """
    queue = getattr(_deferred, "queue", None)
    if queue is not None:
        if created:
            _deferred.created.setdefault(model, set()).add(pk)
        elif pk in queue.get(model, ()):
            # Saved again after its creation: rows saved in between may name it.
            _deferred.created.get(model, set()).discard(pk)
        queue.setdefault(model, set()).add(pk)
        return
    refresh_index(model, [pk], using=using, created={pk} if created else ())


def record_removed(model, pk, *, using="default"):
    """Drop a deleted record's entry."""
    backends.backend_for(connections[using]).remove(model, [pk], using)
