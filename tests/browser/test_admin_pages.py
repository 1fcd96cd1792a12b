"""
The admin pages used in curation, signed in as a maintainer, in Chromium at
four widths: the same checks as the public pages (axe WCAG 2.2 A/AA, reflow,
console errors, which include the strict CSP's refusals, skip link; checks.py
says which run at which width).
"""

import pytest
from django.urls import reverse

from .checks import ADMIN_PAGES, check_page
from .conftest import needs_chromium

pytestmark = [needs_chromium, pytest.mark.browser, pytest.mark.django_db]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_page(admin_session, viewers, site, name):
    # admin_session is named here so that the maintainer is created once for
    # the module, not inside the first test's transaction (rolled back after it).
    check_page(viewers, site, name, who="admin")


@pytest.mark.parametrize(("model_name", "title_field"), [("agency", "name"), ("policy", "title")])
def test_ids_are_filled_in_from_the_title(admin_session, viewers, site, model_name, title_field):
    """The admin's prepopulated ids run under the site's CSP (its scripts are files)."""
    viewer = viewers["admin"]
    viewer.resize(1280)
    viewer.visit(site + reverse(f"admin:registry_{model_name}_add"))
    viewer.page.locator(f"#id_{title_field}").press_sequentially(
        "Synthetic Police of Saint-Étienne"
    )
    assert viewer.page.input_value("#id_slug") == "synthetic-police-of-saint-etienne"
    assert not viewer.errors
