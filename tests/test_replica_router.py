"""Public pages may read from a replica; the admin and writes never do (issue 12, item 15)."""

import pytest
from django.test import RequestFactory

from portal.routers import PublicReadMiddleware, ReplicaRouter
from registry.models import Agency
from tests.test_production import run_python


def reads_go_to(method, path):
    seen = []

    def view(request):
        seen.append(ReplicaRouter().db_for_read(Agency))
        return None

    PublicReadMiddleware(view)(RequestFactory().generic(method, path))
    return seen[0]


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": {"ENGINE": "x"}}


def test_public_reads_go_to_the_replica(with_replica):
    assert reads_go_to("GET", "/agencies/") == "replica"
    assert reads_go_to("HEAD", "/api/v1/agencies/") == "replica"


def test_the_admin_forms_and_writes_use_the_primary(with_replica):
    assert reads_go_to("GET", "/admin/registry/agency/") is None
    assert reads_go_to("POST", "/suggest/") is None
    assert ReplicaRouter().db_for_write(Agency) is None
    assert ReplicaRouter().db_for_read(Agency) is None  # outside any request: commands


def test_without_a_replica_nothing_changes():
    assert reads_go_to("GET", "/agencies/") is None


def test_database_replica_url_adds_the_replica_mirrored_in_tests():
    result = run_python(
        "from portal import settings; r = settings.DATABASES['replica']; "
        "print(r['HOST'], r['TEST'], settings.DATABASE_ROUTERS)",
        SECRET_KEY="s",
        SITE_URL="https://x.example",
        DATABASE_URL="postgres://u@primary.internal/register",
        DATABASE_REPLICA_URL="postgres://u@replica.internal/register",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "replica.internal"
    assert "'MIRROR': 'default'" in result.stdout
