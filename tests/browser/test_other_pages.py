"""
Home, search, history, methodology, data, API docs, suggest, a 404: Chromium,
four widths (checks.py says which checks run at which width).
"""

import pytest

from .checks import OTHER_PAGES, check_page
from .conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.browser, pytest.mark.django_db]


@pytest.mark.parametrize("name", OTHER_PAGES)
def test_public_page(viewers, site, name):
    check_page(viewers, site, name)
