"""
Measure what a reader's browser sees on each page type of a running site.

For every page at 320, 360, 640 and 1280 px: the document's scrollWidth
(wider than the window means horizontal scrolling, WCAG 1.4.10), the number
of axe-core violations (WCAG 2.0/2.1/2.2 A and AA: rules, and the elements
they fail on), and on the lists the distance in px from the top of the
document to the first result row. Optionally full-page screenshots.

It drives Debian's Chromium with Playwright, like the browser tests
(tests/browser/), against any server holding the seed dataset, e.g.::

    DEBUG=1 .venv/bin/python manage.py runserver 127.0.0.1:8000
    .venv/bin/python scripts/measure_pages.py http://127.0.0.1:8000 \
        --screenshots /tmp/shots

The page paths are those of the seed dataset (data/registry.json). It prints
Markdown tables; the issue's closing figures come from it.
"""

import argparse
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
#: The browser tests' copy of axe-core (tests/browser/axe-core/README.md).
AXE = Path(__file__).resolve().parents[1] / "tests" / "browser" / "axe-core" / "axe.min.js"
WIDTHS = (320, 360, 640, 1280)
#: One page of each type, from the seed dataset.
PAGES = {
    "home": "/",
    "deployment list": "/deployments/",
    "deployment list, filtered": "/deployments/?status=active&q=police",
    "agency list": "/agencies/",
    "system list": "/systems/",
    "vendor list": "/vendors/",
    "audit list": "/audits/",
    "policy list": "/policies/",
    "source list": "/sources/",
    "deployment": "/deployments/met-police-live-facial-recognition/",
    "agency": "/agencies/metropolitan-police-service/",
    "system": "/systems/nec-neoface/",
    "vendor": "/vendors/nec/",
    "audit": "/audits/nist-frvt-part3-demographic-effects-nec-3/",
    "policy": "/policies/san-francisco-stop-secret-surveillance-ordinance/",
    "source": "/sources/nist-news-2019-12-demographic-effects/",
    "places (maps)": "/places/",
    "country": "/places/us/",
    "region": "/places/us/ca/",
    "locality": "/places/us/ca/oakland/",
    "agency scorecard": "/agencies/metropolitan-police-service/scorecard/",
    "search": "/search/?q=police",
    "changes": "/changes/",
    "methodology": "/methodology/",
    "data": "/data/",
    "API docs": "/api/",
    "suggest": "/suggest/",
}
#: Lists whose first result row is measured, at these widths.
ROW_PAGES = ("deployment list", "agency list")
ROW_WIDTHS = (360, 1280)
#: Pages screenshotted (full page) at these widths with --screenshots.
SHOT_PAGES = ("home", "deployment list", "deployment", "region", "places (maps)")
SHOT_WIDTHS = (360, 1280)
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
FIRST_ROW_TOP = """() => {
    const row = document.querySelector('table tbody tr');
    return row ? Math.round(row.getBoundingClientRect().top + window.scrollY) : null;
}"""


def measure(base, screenshots=None):
    from playwright.sync_api import sync_playwright

    axe = AXE.read_text()

    widths, violations, rows = {}, {}, {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 800})
            context.add_init_script(axe)
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(base + path, wait_until="load")
                widths[name, width] = page.evaluate("document.documentElement.scrollWidth")
                result = page.evaluate("(o) => axe.run(document, o)", AXE_OPTIONS)
                found = result["violations"]
                violations[name, width] = (
                    len(found),
                    sum(len(v["nodes"]) for v in found),
                    sorted(v["id"] for v in found),
                )
                if name in ROW_PAGES and width in ROW_WIDTHS:
                    rows[name, width] = page.evaluate(FIRST_ROW_TOP)
                if screenshots and name in SHOT_PAGES and width in SHOT_WIDTHS:
                    slug = name.replace(" ", "-").replace("(", "").replace(")", "")
                    page.screenshot(
                        path=str(Path(screenshots) / f"{slug}-{width}.png"), full_page=True
                    )
            context.close()
        browser.close()
    return widths, violations, rows


def report(widths, violations, rows):
    lines = ["| page | " + " | ".join(f"{w} px" for w in WIDTHS) + " |"]
    lines.append("|---" * (len(WIDTHS) + 1) + "|")
    for name in PAGES:
        cells = []
        for width in WIDTHS:
            rules, nodes, ids = violations[name, width]
            over = " **overflow**" if widths[name, width] > width else ""
            axe = f"axe {rules}/{nodes}" + (f" ({', '.join(ids)})" if ids else "")
            cells.append(f"{widths[name, width]}{over}; {axe}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("scrollWidth in px; axe: violated rules / failing elements.")
    lines.append("")
    lines.append(
        "| first result row, px from top | " + " | ".join(f"{w} px" for w in ROW_WIDTHS) + " |"
    )
    lines.append("|---" * (len(ROW_WIDTHS) + 1) + "|")
    for name in ROW_PAGES:
        lines.append(f"| {name} | " + " | ".join(str(rows[name, w]) for w in ROW_WIDTHS) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the site's address, e.g. http://127.0.0.1:8000")
    parser.add_argument("--screenshots", help="a folder for full-page screenshots")
    args = parser.parse_args(argv)
    if args.screenshots:
        Path(args.screenshots).mkdir(parents=True, exist_ok=True)
    print(report(*measure(args.base.rstrip("/"), args.screenshots)))


if __name__ == "__main__":
    sys.exit(main())
