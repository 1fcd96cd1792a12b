"""
Home, search, history, methodology, data, API docs, suggest, a 404, and the
admin pages used in curation, in Chromium at four widths.
"""

import pytest

from .checks import ADMIN_PAGES, KNOWN_ADMIN_VIOLATIONS, OTHER_PAGES, check_page
from .conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.browser, pytest.mark.django_db]


@pytest.mark.parametrize("name", OTHER_PAGES)
def test_public_page(viewers, site, name):
    check_page(viewers, site, name)


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_page(viewers, site, name):
    check_page(viewers, site, name, who="admin", allowed_rules=KNOWN_ADMIN_VIOLATIONS)
