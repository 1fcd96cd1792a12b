import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Manifest storage needs collectstatic; tests render {% static %} without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    # Counts are cached by register version (registry/counts.py). On SQLite a
    # rolled-back test gives back its history ids, so the next test could see
    # the same version with other rows: each test starts with an empty cache.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
