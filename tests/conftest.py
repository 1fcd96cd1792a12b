"""
Fixtures shared by the whole suite.

Read-only data that many tests of a module read is built once per module
inside ``module_db``: one transaction around the module, rolled back after its
last test, while each test still runs in its own savepoint (pytest-django's
``db``), so what a test writes never reaches the next one. ``class_db`` does the
same for one test class, for data only the class's tests read.
"""

import functools
import gc
from collections import Counter

import pytest
from django.db import transaction

from tests.seed import import_seed, seed_in_place

#: The modules that take longest, slowest first (each one's time from its first
#: to its last test under make test, 1 Dec 2026). Under xdist (--dist
#: loadfile) each module runs whole on one worker, and modules are handed out
#: in collection order: starting the long ones first lets the two workers
#: finish together instead of one running a long module alone at the end. The
#: Makefile turns off xdist's own reorder (by test count, which put the slow
#: few-test modules last).
SLOWEST_MODULES = (
    "tests/browser/test_record_pages.py",
    "tests/browser/test_admin_pages.py",
    "tests/browser/test_other_pages.py",
    "tests/test_api_schema.py",
    "tests/test_admin.py",
    "tests/test_real_counts.py",
    "tests/test_places.py",
    "tests/test_seed_pages.py",
    "tests/test_api.py",
    "tests/test_pages.py",
    "tests/test_production.py",
    "tests/test_fuzz.py",
    "tests/test_exports.py",
    "tests/test_query_counts.py",
    "tests/test_federal_import.py",
    "tests/test_search.py",
    "tests/test_import_export.py",
    "tests/test_check_source_links.py",
    "tests/test_database_busy.py",
    "tests/test_filters.py",
    "tests/test_facets.py",
    "tests/test_changes.py",
    "tests/test_atlas_import.py",
    "tests/test_response_cache.py",
    "tests/test_suggestions.py",
)


#: The collector's first-generation threshold during tests (Python's default is
#: 2,000 allocations). A Django test allocates and frees many short-lived
#: objects (querysets, compiled SQL, template nodes) that reference counting
#: alone frees; a full cycle search every 2,000 of them walked the same
#: long-lived objects again and again. On 30 Nov 2026 four modules in one
#: process (test_admin, test_pages, test_api, test_seed_pages), three runs each,
#: interleaved: 38.0-39.7 CPU-s with the default, 34.0-38.0 with this.
GC_THRESHOLD = (50_000, 20, 100)


def pytest_configure(config):
    """
    Set the collector's threshold for the run (``GC_THRESHOLD``), and leave the
    objects that exist after start-up (modules, settings, URL patterns) out of
    its searches for good: they live as long as the process.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


#: The ids that several collected tests share (``pytest_collection_modifyitems``).
SHARED_IDS = pytest.StashKey[frozenset]()


def pytest_collection_modifyitems(config, items):
    """
    Slowest modules first (``SLOWEST_MODULES``), each module's tests in their
    own order; notes the ids that several tests share (``_own_test_id``).
    """
    ids = Counter(item.nodeid for item in items)
    config.stash[SHARED_IDS] = frozenset(nodeid for nodeid, count in ids.items() if count > 1)
    rank = {path: n for n, path in enumerate(SLOWEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(autouse=True)
def _own_test_id(request):
    """
    Fails a test whose id another test shares. xdist hands tests to its
    workers by id, and ``--dist loadfile`` keeps one test per id: the others
    would silently never run. With pytest 9.2.0, schemathesis 4.32.5 gave all
    of a property test's API operations the test function's id, so ``make
    test`` tested one operation of each (pyproject.toml pins pytest 9.1.1).
    """
    if request.node.nodeid in request.config.stash.get(SHARED_IDS, frozenset()):
        pytest.fail(
            f"{request.node.nodeid} is the id of several tests: a parallel run "
            "(make test) would run only one of them"
        )


@pytest.fixture(autouse=True)
def _empty_cache():
    # Counts are cached by register version (registry/counts.py). On SQLite a
    # rolled-back test gives back its history ids, so the next test could see
    # the same version with other rows: each test starts with an empty cache.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _transaction_failed(connection) -> bool:
    """Whether the test's transaction can run no more queries (PostgreSQL after an error)."""
    if connection.needs_rollback:
        return True
    raw = connection.connection
    if connection.vendor == "postgresql" and raw is not None:
        from psycopg.pq import TransactionStatus

        return raw.info.transaction_status == TransactionStatus.INERROR
    return False


@pytest.fixture(autouse=True)
def _deployment_copies_in_sync(request):
    """
    After every test that uses the database, each deployment's copies of its
    agency's place, kind and level and of its system's vendor
    (``Deployment.agency_country`` ...) equal them: a writer that skips the
    rule (``Deployment.save()``, ``DeploymentQuerySet.sync_copies``) fails
    whichever test exercises it.
    """
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if not uses_db:
        yield
        return
    # Set up the database first, so it is still there when this checks, after the test.
    request.getfixturevalue("_django_db_helper")
    yield
    from django.db import connection

    if _transaction_failed(connection):
        return  # the test left its transaction aborted on purpose (e.g. a statement timeout)
    from registry.models import COPIED_FIELDS

    copied = len(COPIED_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(*_copies_and_sources_sql())
        rows = cursor.fetchall()
    stale = [
        (row[0], row[1 : 1 + copied], row[1 + copied :])
        for row in rows
        if row[1 : 1 + copied] != row[1 + copied :]
    ]
    assert not stale, f"Deployments whose copied columns differ (pk, copies, values): {stale}"


@functools.cache
def _copies_and_sources_sql():
    """
    The SELECT of every deployment's pk, copies and their sources, compiled once
    for the run rather than after each of some 1,100 tests. The values come back
    as the database stores them, on both sides alike.
    """
    from registry.models import AGENCY_COPIES, COPIED_FIELDS, Deployment

    source = [f"agency__{field}" for field in AGENCY_COPIES.values()] + ["system__vendor"]
    return Deployment.objects.values_list("pk", *COPIED_FIELDS, *source).query.sql_with_params()


@pytest.fixture
def pages_built_each_time(settings):
    """
    No whole-response cache, for tests that pin the queries that build a page:
    a page kept between requests costs one query (tests/test_response_cache.py).
    """
    settings.REGISTER_RESPONSE_CACHE_SECONDS = 0


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """
    A transaction around a test module, for data built once and only read
    (module-scoped fixtures that depend on this one). Do not use it in a module
    whose tests need an empty register or use ``transactional_db``.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="class")
def class_db(django_db_setup, django_db_blocker):
    """
    ``module_db`` for one test class: a savepoint around the class, rolled back
    after its last test, for read-only data shared by the class's tests (often
    the parameters of one test). Class-scoped fixtures that depend on it are
    built once per class; use them only from tests inside a class, since for a
    module-level test a class-scoped fixture lives as long as the module.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def _seed_copy_in_place(django_db_setup, django_db_blocker):
    """``seed_in_place`` around a module, set up before ``module_db``'s transaction opens."""
    from django.db import connection

    with django_db_blocker.unblock(), seed_in_place(connection) as in_place:
        yield in_place


@pytest.fixture(scope="module")
def seed_register(_seed_copy_in_place, module_db):
    """
    The curated seed dataset (``data/registry.json``) for the module: a copy
    put in place (``seed_in_place``), or else imported inside ``module_db``'s
    transaction. Either way the module's tests see the same rows, and each
    test's own writes are rolled back after it.
    """
    if not _seed_copy_in_place:
        import_seed()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's ``admin_client``, signed in with the second factor superusers need."""
    from tests.staff import sign_in

    sign_in(client, admin_user)
    return client
