"""``/api/v1/schema/?version=``: only known versions, nothing echoed into headers (issue 12)."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SCHEMA = reverse("api:schema")


@pytest.mark.parametrize(
    "version",
    ["\n", "a\x0bb", 'x"; foo=bar', "99", "", "1 ", "1\r\nSet-Cookie: a=b"],
)
def test_unknown_versions_are_refused_with_a_400_and_never_echoed(client, version):
    response = client.get(SCHEMA, {"version": version, "format": "json"})
    assert response.status_code == 400
    assert "Unknown version" in response.json()["detail"]
    assert version.strip() not in response.get("Content-Disposition", "") or not version.strip()
    assert "foo" not in str(response.headers)


def test_the_known_version_serves_the_schema_with_its_own_info_version(client):
    response = client.get(SCHEMA, {"version": "1", "format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content)["info"]["version"] == "1"
    assert response["Content-Disposition"].startswith('inline; filename="')


def test_without_a_version_the_schema_is_unchanged(client):
    response = client.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content)["info"]["version"] == "1"


def test_an_unknown_language_is_refused(client):
    assert client.get(SCHEMA, {"lang": "xx\n"}).status_code == 400
