"""Only GET and HEAD, POST where a form needs it, OPTIONS on the API (issue 12, item 5)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC = ["/", "/search/?q=x", "/data/", "/data/registry.json", "/changes/feed/", "/agencies/"]


@pytest.mark.parametrize("path", PUBLIC + ["/api/v1/agencies/", "/admin/", "/suggest/"])
@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "CONNECT", "FOO"])
def test_other_methods_are_refused_everywhere(client, path, method):
    response = client.generic(method, path)
    assert response.status_code == 405
    assert "GET" in response["Allow"] and "TRACE" not in response["Allow"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_refuse_post_and_options(client, path):
    assert client.post(path).status_code == 405
    assert client.options(path).status_code == 405


def test_forms_take_post_and_the_api_takes_cors_preflight(client):
    assert client.post(reverse("registry:suggest"), {}).status_code != 405
    assert client.post("/admin/login/", {}).status_code != 405
    preflight = client.options(
        "/api/v1/agencies/",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert client.post("/api/v1/agencies/").status_code == 405


def test_head_is_answered_like_get(client):
    assert client.head("/").status_code == 200
