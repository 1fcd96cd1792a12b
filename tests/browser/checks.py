"""
What the browser tests check on every page, and which page of each type they visit.

At every width (320, 360, 640, 1280 px): no horizontal scrolling (WCAG 1.4.10
reflow), no console error (CSP violations are reported there), on place pages
tables that show every column from 360 px, and the axe-core rules whose result
depends on layout (``LAYOUT_RULES``: contrast, scrollable regions, target
size).

At 320 and 1280 px only (``STRUCTURE_WIDTHS``): every other axe-core rule of
WCAG 2.0, 2.1 and 2.2, levels A and AA. These rules read the markup and which
elements are rendered, not where they are: they gave the same results, node
by node (passes, incomplete and inapplicable included), at all four widths on
every page visited here except the admin's, where 1280 px differs from the
narrower three because the admin's navigation sidebar is only shown from
768 px (measured 30 Nov 2026 with axe-core 4.12.1, and again on 1 Dec 2026
with 4.14.1). The site's own stylesheets change sizes and
grids between 320 and 1280 px but show or hide nothing, and the admin's
breakpoints (767 and 1024 px) put 320, 360 and 640 px in the same band: 320
stands for the narrow band, 1280 for the wide one. A stylesheet that starts
hiding or showing elements at a width in between must add that width here.

Once per page, at 320 px: the skip link moves keyboard focus. It is the first
element of every page and no stylesheet changes it by width (only print hides
it).
"""

from urllib.parse import urlsplit

from django.urls import reverse

from registry.models import Deployment
from registry.types import RECORD_TYPES

from .conftest import WIDTHS

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
#: axe-core's violations, as much of them as a failure message shows (the
#: whole result, every rule's description included, is large to send back).
AXE_VIOLATIONS = """(options) => axe.run(document, options).then(results =>
    results.violations.map(violation => ({
        id: violation.id,
        help: violation.help,
        targets: violation.nodes.slice(0, 3).map(node => node.target),
    })))"""
#: The WCAG A/AA rules whose result depends on positions and sizes: what is
#: scrolled out of view or overlaps (color-contrast; its results differed
#: between every pair of widths), which boxes scroll (scrollable-region-focusable)
#: and the spacing of targets (target-size). Run at every width; color-contrast
#: is also about two thirds of axe-core's time.
LAYOUT_RULES = ["color-contrast", "scrollable-region-focusable", "target-size"]
LAYOUT_OPTIONS = {
    "runOnly": {"type": "rule", "values": LAYOUT_RULES},
    "resultTypes": ["violations"],
}
#: The widths at which every WCAG A/AA rule runs (see the module's docstring).
STRUCTURE_WIDTHS = (WIDTHS[0], WIDTHS[-1])
#: Each record type's model by name, in the register's order (``registry.types``).
RECORD_MODELS = {record_type.model_name: record_type.model for record_type in RECORD_TYPES}
RECORD_PAGES = [
    *(f"{name}-list" for name in RECORD_MODELS),
    "deployment-list-filtered",
    *(f"{name}-detail" for name in RECORD_MODELS),
]
#: The place pages of every level (with their maps, charts and scorecards).
PLACE_PAGES = ["places", "place-country", "place-region", "place-locality", "agency-scorecard"]
OTHER_PAGES = [
    "home",
    "search",
    "changes",
    "record-history",
    "methodology",
    "data",
    "api-docs",
    "suggest",
    "not-found",
    "admin-login",
]
#: The admin pages used in curation: the index, the change lists (with their
#: filter sidebar) and change forms of the records most edited, Needs
#: attention, proposed revisions and an import page.
ADMIN_RECORDS = ["deployment", "agency", "policy", "audit"]
ADMIN_PAGES = [
    "admin-index",
    *(f"admin-{name}-changelist" for name in ADMIN_RECORDS),
    *(f"admin-{name}-change" for name in ADMIN_RECORDS),
    "admin-deployment-add",
    "admin-needs-attention",
    "admin-revisions",
    "admin-import",
]


def page_path(name):
    """The path of one page of each type, picked from the seed data."""
    if name.endswith("-detail"):
        model = RECORD_MODELS[name.removesuffix("-detail")]
        return model.objects.public().order_by("pk").first().get_absolute_url()
    if name.endswith("-list"):
        return reverse(f"registry:{name}")
    if name.startswith("admin-") and name.endswith(("-changelist", "-change", "-add")):
        _admin, model_name, view = name.split("-")
        if view != "change":
            return reverse(f"admin:registry_{model_name}_{view}")
        obj = RECORD_MODELS[model_name].objects.public().order_by("pk").first()
        return reverse(f"admin:registry_{model_name}_change", args=[obj.pk])
    deployment = Deployment.objects.public().order_by("pk").first()
    return {
        "home": lambda: reverse("registry:home"),
        "deployment-list-filtered": lambda: (
            reverse("registry:deployment-list") + "?status=active&q=police"
        ),
        "search": lambda: reverse("registry:search") + "?q=police",
        "changes": lambda: reverse("registry:changes"),
        "record-history": lambda: reverse(
            "registry:record-history", kwargs={"type": "deployments", "slug": deployment.slug}
        ),
        "methodology": lambda: reverse("registry:methodology"),
        "data": lambda: reverse("registry:data"),
        "api-docs": lambda: reverse("api:docs"),
        "suggest": lambda: reverse("registry:suggest"),
        "not-found": lambda: "/no-such-page/",
        "admin-login": lambda: reverse("admin:login"),
        "places": lambda: reverse("registry:places"),
        "place-country": lambda: reverse("registry:place", kwargs={"key": "us"}),
        "place-region": lambda: reverse("registry:place", kwargs={"key": "us/ca"}),
        "place-locality": lambda: reverse("registry:place", kwargs={"key": "us/ca/oakland"}),
        "agency-scorecard": lambda: reverse(
            "registry:agency-scorecard", kwargs={"slug": "metropolitan-police-service"}
        ),
        "admin-index": lambda: reverse("admin:index"),
        "admin-needs-attention": lambda: reverse("admin:registry_needs_attention"),
        "admin-revisions": lambda: reverse("admin:registry_revision_changelist"),
        "admin-import": lambda: reverse("federal-import"),
    }[name]()


def skip_link_moves_focus(page):
    """Tab once from the top: the first stop is a skip link, and following it moves focus."""
    # Start from the top of the document even where a form focuses its first
    # field (the admin): focus a temporary element placed before everything.
    page.evaluate(
        "() => { const start = document.createElement('span'); start.tabIndex = -1;"
        " document.body.prepend(start); start.focus(); start.remove(); }"
    )
    page.keyboard.press("Tab")
    href = page.evaluate("document.activeElement.getAttribute('href') || ''")
    if not href.startswith("#"):
        return False
    page.keyboard.press("Enter")
    target = href[1:]
    return page.evaluate(
        "(id) => { const t = document.getElementById(id);"
        " return !!t && (document.activeElement === t || t.contains(document.activeElement)); }",
        target,
    )


#: From this width on, the short tables of place pages (figures, charts,
#: scorecards) show every column without scrolling sideways; narrower, a long
#: word may make one scroll inside its own labelled box.
FIT_FROM = 360
CLIPPED_TABLES = """() => Array.from(document.querySelectorAll('.table-scroll'))
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => `${box.querySelector('caption').textContent.trim()}: `
                + `${box.scrollWidth} px in a ${box.clientWidth} px box`)"""


def problems_at(viewer, url, *, allowed_rules=frozenset(), tables_fit=False):
    """What is wrong with the page open in ``viewer`` at its current width, as sentences."""
    problems = []
    width = viewer.width
    # A page that redirects elsewhere (the admin's sign-in page when the
    # session is gone) would be checked in place of the one named.
    if urlsplit(viewer.page.url).path != urlsplit(url).path:
        problems.append(f"{width}px: redirected to {viewer.page.url}")
    overflow = viewer.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if overflow[0] > overflow[1]:
        problems.append(f"{width}px: {overflow[0]} px wide, wider than the {overflow[1]} px window")
    if tables_fit and width >= FIT_FROM:
        for clipped in viewer.page.evaluate(CLIPPED_TABLES):
            problems.append(f"{width}px: a column is out of sight in the table {clipped}")
    if width == WIDTHS[0] and not skip_link_moves_focus(viewer.page):
        problems.append(f"{width}px: the skip link does not move focus")
    options = AXE_OPTIONS if width in STRUCTURE_WIDTHS else LAYOUT_OPTIONS
    for violation in viewer.page.evaluate(AXE_VIOLATIONS, options):
        if violation["id"] in allowed_rules:
            continue
        targets = [" ".join(map(str, target)) for target in violation["targets"]]
        problems.append(f"{width}px: axe {violation['id']} ({violation['help']}) at {targets}")
    if viewer.errors:
        problems.append(f"{width}px: console errors {viewer.errors}")
        viewer.errors.clear()
    return problems


def check_page(viewers, site, name, *, who="public", allowed_rules=frozenset(), tables_fit=False):
    """
    The checks of the module's docstring, width by width. The page is loaded
    once, at the narrowest width, then resized from width to width
    (``conftest.Viewer.resize``); console errors are reported at the width
    where they appeared.
    """
    url = site + page_path(name)
    expected_status = 404 if url.endswith("/no-such-page/") else 200
    viewer = viewers[who]
    viewer.resize(WIDTHS[0])
    response = viewer.visit(url, expected_status)
    problems = []
    if response.status != expected_status:
        problems.append(f"HTTP {response.status}")
    for width in WIDTHS:
        viewer.resize(width)
        problems += problems_at(viewer, url, allowed_rules=allowed_rules, tables_fit=tables_fit)
    assert not problems, f"{url}:\n" + "\n".join(problems)
