"""
Django's database cache, writing several entries in one statement.

The first list request after a change keeps a dozen entries (its facet
counts, total and page). Django's ``DatabaseCache`` writes each one as a
count of the table, a transaction, a read of the key and an insert or update:
five round trips per entry, sixty for that one request (issue 13). Here
``set`` and ``set_many`` are one upsert (``INSERT ... ON CONFLICT DO
UPDATE``, which PostgreSQL and SQLite both run atomically) after the one
count that decides whether to cull, as Django's does; on PostgreSQL, outside
a transaction, committed without waiting for the disk (see ``set_many``).
Everything else (reads, ``add``, ``touch``, culling, expiry) is Django's.
"""

import base64
import pickle
from contextlib import nullcontext
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now

# The databases whose INSERT takes ``ON CONFLICT (key) DO UPDATE``.
UPSERT_VENDORS = ("postgresql", "sqlite")


class DatabaseCache(DjangoDatabaseCache):
    """``DatabaseCache`` whose ``set`` and ``set_many`` are one upsert each."""

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.set_many({key: value}, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """Keep every entry of ``data``; returns the keys that failed (all or none)."""
        if not data:
            return []
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor not in UPSERT_VENDORS:
            return super().set_many(data, timeout, version)
        rows = {
            self.make_and_validate_key(key, version=version): value for key, value in data.items()
        }
        expires = self._expiry(connection, timeout)
        quote = connection.ops.quote_name
        table, key_, value_, expires_ = (
            quote(name) for name in (self._table, "cache_key", "value", "expires")
        )
        params = []
        for key, value in rows.items():
            pickled = pickle.dumps(value, self.pickle_protocol)
            params += [key, base64.b64encode(pickled).decode("latin1"), expires]
        # Inside a transaction, a savepoint (as Django's ``atomic``), so that a
        # failed write does not break the caller's transaction. Outside one, on
        # PostgreSQL, a transaction of its own that commits without waiting for
        # its WAL to reach the disk (about 4 ms per write on this machine; three
        # writes on a list's first request after a change): a crash may lose the
        # last moment's entries, which a cache can lose. Never the caller's
        # transaction, which may hold a record's save.
        asynchronous = connection.vendor == "postgresql" and not connection.in_atomic_block
        guard = (
            transaction.atomic(using=db)
            if connection.in_atomic_block or asynchronous
            else nullcontext()
        )
        try:
            with guard, connection.cursor() as cursor:
                if asynchronous:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                num = cursor.fetchone()[0]
                if num > self._max_entries:
                    self._cull(db, cursor, tz_now().replace(microsecond=0), num)
                cursor.execute(
                    f"INSERT INTO {table} ({key_}, {value_}, {expires_}) VALUES "
                    + ", ".join(["(%s, %s, %s)"] * len(rows))
                    + f" ON CONFLICT ({key_}) DO UPDATE"
                    f" SET {value_} = excluded.{value_}, {expires_} = excluded.{expires_}",
                    params,
                )
        except DatabaseError:
            # As Django's: a write that loses a race fails quietly (a cache).
            return list(data)
        return []

    def _expiry(self, connection, timeout):
        """The ``expires`` value for ``timeout``, adapted as Django's ``_base_set`` does."""
        timeout = self.get_backend_timeout(timeout)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        return connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
