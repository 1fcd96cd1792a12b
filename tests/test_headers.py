"""Security headers on every response (issue 12, item 13)."""

import pytest

pytestmark = pytest.mark.django_db


def test_every_page_denies_unused_browser_features(client):
    response = client.get("/")
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy
    assert client.get("/api/v1/agencies/")["Permissions-Policy"] == policy


def test_https_requests_get_hsts_and_plain_http_is_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    plain = client.get("/agencies/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/agencies/"
    secure = client.get("/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
