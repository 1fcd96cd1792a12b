"""Costly public requests are rate-limited per client in the shared cache (issue 12, item 4)."""

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


class Clock:
    """The middleware's clock, held still so a window never ends mid-test."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    # One second into a 60-second window: the limit is a fixed window, so a test
    # on the real clock that straddled a window's end would see the count reset.
    clock = Clock(1_800_000_001.0)
    monkeypatch.setattr("portal.middleware.time", clock)
    return clock


@pytest.fixture
def limit(settings, clock):
    settings.EXPENSIVE_RATE_LIMIT = 3
    settings.EXPENSIVE_RATE_WINDOW = 60
    return 3


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=police",
        "/deployments/?format=csv",
        "/agencies/?format=json",
        "/agencies/?q=police",
        "/api/v1/agencies/?q=police",
    ],
)
def test_costly_requests_past_the_limit_get_429_with_retry_after(client, limit, url):
    for _ in range(limit):
        assert client.get(url).status_code in (200, 302)
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "59"
    assert "try again in 59 seconds" in refused.content.decode()
    # Another address has its own allowance.
    assert client.get(url, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_allowance_renews_when_the_window_ends(client, limit, clock):
    for _ in range(limit):
        client.get("/search/?q=x")
    assert client.get("/search/?q=x").status_code == 429
    clock.now += 58
    assert client.get("/search/?q=x")["Retry-After"] == "1"
    clock.now += 1
    assert client.get("/search/?q=x").status_code == 200


def test_ordinary_pages_are_never_counted(client, limit):
    for _ in range(limit * 3):
        assert client.get(reverse("registry:agency-list")).status_code == 200
    assert client.get("/search/?q=x").status_code == 200


def test_the_limit_is_per_address_behind_a_trusted_proxy(client, limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(limit):
        client.get("/search/?q=x", HTTP_X_FORWARDED_FOR="192.0.2.9", **proxy)
    assert client.get("/search/?q=x", HTTP_X_FORWARDED_FOR="192.0.2.9", **proxy).status_code == 429
    assert client.get("/search/?q=x", HTTP_X_FORWARDED_FOR="192.0.2.10", **proxy).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_statement_cancelled_by_the_timeout_is_a_503(client, monkeypatch):
    from registry import views

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(1)")

    monkeypatch.setattr(views.HomeView, "get", slow)
    response = client.get(reverse("registry:home"))
    assert response.status_code == 503
    assert response["Retry-After"]
