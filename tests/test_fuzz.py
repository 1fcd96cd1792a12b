"""
The fault test (issue 12) in the suite: a bounded, deterministic sample of the
hostile requests ``manage.py fuzz_http`` sends, replayed through the test
client over the seed. No answer may be a 5xx, and the catalogue must reach
every public route, so a new endpoint is fuzzed from the day it exists.
"""

import random

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from registry.devtools import fuzz

pytestmark = pytest.mark.django_db

# Routes a visitor reaches only through a form (the suggestion's thank-you
# page needs a token the form issues) or that belong to staff.
NOT_PUBLIC = {"suggest-done", "two-factor-verify", "two-factor-enrol"}


def _route_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or str(entry.pattern).startswith("admin/"):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


@pytest.fixture(scope="module")
def catalogue(seed_register):
    return fuzz.catalogue()


def test_the_catalogue_reaches_every_public_route(catalogue):
    reached = set()
    for path in catalogue.paths:
        try:
            match = resolve(path.split("?")[0])
        except Resolver404:
            continue
        reached.add(match.view_name)
    public = {
        name
        for name in _route_names()
        if name.split(":")[-1] not in NOT_PUBLIC and "import" not in name
    }
    # The API router's format-suffix variants share their view's name.
    missing = sorted(name for name in public if name not in reached)
    assert not missing, f"fuzz.catalogue() does not reach: {missing}"


@override_settings(EXPENSIVE_RATE_LIMIT=0)
def test_hostile_requests_never_get_a_server_error(client, catalogue):
    client.raise_request_exception = False
    answers = {}
    for request in fuzz.requests(random.Random(12), catalogue, 250):
        headers = {k: v for k, v in request.headers.items() if k != "Content-Type"}
        response = client.generic(
            request.method,
            request.path,
            data=request.body,
            content_type=request.headers.get("Content-Type", "application/octet-stream"),
            headers=headers,
        )
        answers.setdefault(response.status_code, str(request))
        assert response.status_code < 500, f"{response.status_code} for {request} {headers}"
    # The sample is hostile enough to be refused, and ordinary enough to be served.
    assert 200 in answers and 400 in answers and 404 in answers and 405 in answers
