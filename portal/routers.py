"""
Reading public pages from a PostgreSQL read replica (``DATABASE_REPLICA_URL``).

Public pages only read, and most of the load is theirs, so they can be served
from replicas while the primary takes the writes. A request is public when it
is a GET or HEAD outside the admin; ``PublicReadMiddleware`` marks it, and
the router sends its reads to the ``replica`` alias. Everything else (the
admin, forms, management commands, imports) reads and writes the primary, so
an editor always sees their own change at once. Without a replica configured
the router does nothing.
"""

from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_public_read: ContextVar[bool] = ContextVar("public_read", default=False)


def is_public_read(request) -> bool:
    return request.method in ("GET", "HEAD") and not request.path_info.startswith("/admin/")


class PublicReadMiddleware:
    """Mark public read-only requests, whose reads may go to the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _public_read.set(is_public_read(request))
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)


class ReplicaRouter:
    """Reads of public requests go to the replica when there is one; all else to default."""

    def db_for_read(self, model, **hints):
        if REPLICA in settings.DATABASES and _public_read.get():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
