"""
``CACHE_URL`` read one way, by the settings and by the tools that start a
production-like server (which must create the cache table when it is one).
"""

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# Django's, writing several entries in one statement (portal/dbcache.py).
DATABASE_CACHE = "portal.dbcache.DatabaseCache"
DATABASE_CACHE_ENTRIES = 10_000


def cache_for(url: str) -> dict | None:
    """
    Django's default cache for ``CACHE_URL``: Redis for a redis:// (or
    rediss://, unix://) address, any other value the database table
    ``register_cache``; None when unset (each process's own memory).
    """
    if not url:
        return None
    if url.startswith(REDIS_SCHEMES):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    return {
        "BACKEND": DATABASE_CACHE,
        "LOCATION": "register_cache",
        # Django's default of 300 entries is far below a national register's
        # working set (a page kept per list, filter and record, plus the
        # counts): past it every write culls a third of the table, counts
        # first (their keys sort before the pages'), so the costly counts
        # would be recounted again and again. Pages are kept compressed
        # (about 10 KB), so this bounds the table near 100 MB, and the count
        # of the table made before each write stays a few milliseconds.
        "OPTIONS": {"MAX_ENTRIES": DATABASE_CACHE_ENTRIES},
    }


def uses_database_cache(url: str) -> bool:
    """Whether ``CACHE_URL`` names the database table (``manage.py createcachetable``)."""
    return (cache_for(url) or {}).get("BACKEND") == DATABASE_CACHE
