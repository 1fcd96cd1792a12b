"""
The lists (plain and filtered), a record page of each type, and the place
pages (places, a country, a region, a locality, an agency's scorecard: maps,
charts, scorecards), in Chromium at four widths (checks.py says which checks
run at which width).
"""

import pytest

from .checks import PLACE_PAGES, RECORD_PAGES, check_page
from .conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.browser, pytest.mark.django_db]


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_record_page(viewers, site, name):
    check_page(viewers, site, name)


@pytest.mark.parametrize("name", PLACE_PAGES)
def test_place_page(viewers, site, name):
    check_page(viewers, site, name, tables_fit=True)
