"""Record addresses named many times per page are the addresses reverse() gives."""

import pytest
from django.urls import reverse, set_script_prefix

from registry.addresses import address
from registry.types import RECORD_TYPES


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("prefix", ["/", "/register/"])
def test_an_address_is_what_reverse_gives(script_prefix, prefix):
    script_prefix(prefix)
    for record_type in RECORD_TYPES:
        name = f"registry:{record_type.model_name}-detail"
        for slug in ("nypd", "synthetic-agency-12", "a_b-9"):
            assert address(name, slug=slug) == reverse(name, kwargs={"slug": slug})
        list_name = f"registry:{record_type.model_name}-list"
        assert address(list_name) == reverse(list_name)
    assert address("registry:home") == reverse("registry:home") == prefix
