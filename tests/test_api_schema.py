"""
The API against its own OpenAPI schema, with property-based tests.

Schemathesis loads ``/api/v1/schema/`` from the app in-process and sends
generated requests to every operation over the seed dataset: valid ones must
get documented status codes, headers and bodies that match the schema;
invalid ones (wrong types, out-of-range values, unknown enum values) must be
refused, never answered with a server error.
"""

import io

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.wsgi import application
from registry.api.docs import api_schema
from registry.models import Agency

SEED = "data/registry.json"
SCHEMA_URL = "/api/v1/schema/?format=json"
IDENTITY = {"Accept-Encoding": "identity"}
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def wsgi_requests_share_the_test_transaction():
    """What Django's test client does: a request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def load_schema(mode):
    """The served schema, generating requests of one kind (valid or invalid)."""
    loaded = schemathesis.openapi.from_wsgi(SCHEMA_URL, application)
    loaded.config.generation.update(modes=[mode])
    # Examples and random generation; the exhaustive coverage phase would
    # take minutes over thirty operations.
    loaded.config.phases.update(phases=["examples", "fuzzing"])
    return loaded


# Loaded at collection time: generating the schema reads no database row.
valid = load_schema(GenerationMode.POSITIVE)
invalid = load_schema(GenerationMode.NEGATIVE)


@pytest.fixture
def api(seed_register, db, wsgi_requests_share_the_test_transaction):
    """The seed data, visible to requests sent through the WSGI application."""


@pytest.mark.usefixtures("api")
@valid.parametrize()
@EXAMPLES
def test_valid_requests_get_responses_that_match_the_schema(case):
    # Uncompressed: the schema checks read the body as sent, not as a client decodes it.
    case.call_and_validate(checks=CONFORMANCE, headers=IDENTITY)


@pytest.mark.usefixtures("api")
@invalid.parametrize()
@EXAMPLES
def test_invalid_requests_never_get_a_server_error(case):
    case.call_and_validate(checks=[not_a_server_error], headers=IDENTITY)


# The schema itself -------------------------------------------------------------


def test_schema_is_valid_openapi_3(client):
    response = client.get(SCHEMA_URL)

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_schema_is_also_served_as_yaml(client):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    assert "openapi" in response["Content-Type"]
    assert response.content.startswith(b"openapi: 3.")


def test_schema_is_generated_without_warnings():
    # --fail-on-warn: an unresolvable field or filter would be a guessed type.
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=io.StringIO())


def test_schema_documents_the_filters_with_their_values():
    operation = api_schema()["paths"]["/api/v1/deployments/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}

    assert params["uses"]["schema"]["items"]["enum"] == [
        "live", "retrospective", "verification", "mobile", "access_control",
    ]  # fmt: skip
    assert params["uses"]["explode"] is True
    assert params["started_from"]["schema"] == {"type": "integer", "minimum": 1900, "maximum": 2100}
    assert "-started" in params["sort"]["schema"]["items"]["enum"]
    assert params["page_size"]["schema"]["type"] == "integer"
    assert {"q", "country", "agency", "vendor", "audit_status", "page"} <= set(params)


def test_schema_takes_field_descriptions_from_the_models_help_text():
    agency = api_schema()["components"]["schemas"]["Agency"]["properties"]

    assert agency["country"]["description"] == Agency._meta.get_field("country").help_text


def test_schema_declares_optional_values_nullable():
    schemas = api_schema()["components"]["schemas"]

    assert schemas["Agency"]["properties"]["acronym"]["nullable"] is True
    assert schemas["Agency"]["properties"]["parent"]["nullable"] is True
    assert schemas["Deployment"]["properties"]["started"]["nullable"] is True
    assert "nullable" not in schemas["Agency"]["properties"]["name"]
