"""The lists (plain and filtered) and a record page of each type, in Chromium at four widths."""

import pytest

from .checks import RECORD_PAGES, check_page
from .conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.browser, pytest.mark.django_db]


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_record_page(viewers, site, name):
    check_page(viewers, site, name)
