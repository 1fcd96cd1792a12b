"""
``CACHE_URL`` read one way, by the settings and by the tools that start a
production-like server (which must create the cache table when it is one).
"""

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# Django's, writing several entries in one statement (portal/dbcache.py).
DATABASE_CACHE = "portal.dbcache.DatabaseCache"


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
    return {"BACKEND": DATABASE_CACHE, "LOCATION": "register_cache"}


def uses_database_cache(url: str) -> bool:
    """Whether ``CACHE_URL`` names the database table (``manage.py createcachetable``)."""
    return (cache_for(url) or {}).get("BACKEND") == DATABASE_CACHE
