"""
Maps and charts drawn on the server as inline SVG: no JavaScript, no web
fonts, no tiles, nothing from a third party, so the strict CSP holds.

Why hand-drawn rather than a charting library: the one maintained library
that renders SVG on the server (pygal) embeds its own ``<script>`` and
``<style>`` (both refused by our CSP), draws tooltips for the mouse only and
cannot make each bar a link; a horizontal bar with its label and value is a
few lines of SVG. Every chart sits beside a plain table of the same figures
(in the templates), and every shape or bar is a link with an accessible name.

Outlines come from ``static_data/`` (built once by ``scripts/build_map_data.py``
from Natural Earth and US Census boundaries, both public domain).
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from . import places

DATA = Path(__file__).resolve().parent / "static_data"

# Shading by number of published deployments: a log scale, so a state with 3
# and a country with 3,000 both read. ColorBrewer "Blues".
BINS = ((1, 1, "#c6dbef"), (2, 9, "#6baed6"), (10, 99, "#3182bd"), (100, 999, "#08519c"),
        (1000, None, "#08306b"))  # fmt: skip
NONE_FILL = "#f2f2f2"
# Shading by the strongest law in force throughout a place (scorecards' levels).
LAW_FILLS = (
    ("banned", "Face recognition or its live use banned", "#1b7837"),
    ("restricted", "Use restricted by law", "#a6dba0"),
)
STROKE = "#6b6b6b"


@cache
def outlines(name):
    """``{"width", "height", "shapes": [{"code", "name", "d"}]}`` for ``world`` or ``us-states``."""
    return json.loads((DATA / f"{name}.json").read_text())


def bin_fill(count):
    for low, high, fill in BINS:
        if count >= low and (high is None or count <= high):
            return fill
    return NONE_FILL


def bin_label(low, high):
    return (
        f"{low:,}" if low == high else f"{low:,} or more" if high is None else f"{low:,}–{high:,}"
    )


def legend_rows():
    return [("None recorded", NONE_FILL)] + [(bin_label(lo, hi), fill) for lo, hi, fill in BINS]


def _plural(n, word):
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@dataclass
class MapFigure:
    svg: str
    legend: list
    title: str


def choropleth(name, counts, *, title, place_of, laws=None, map_id):
    """
    A map of ``name`` outlines, each shape a link to its place page named with
    its count of published deployments. ``counts``: ``{code: n}``; ``place_of``:
    code → ``Place``; ``laws``: ``{code: level}`` to shade by the strongest law
    instead.
    """
    data = outlines(name)
    law_fills = {level: (label, fill) for level, label, fill in LAW_FILLS}
    shapes = []
    for shape in data["shapes"]:
        code = shape["code"]
        n = counts.get(code, 0) if code else 0
        if laws is not None:
            level = laws.get(code)
            fill = law_fills[level][1] if level in law_fills else NONE_FILL
            status = law_fills[level][0] if level in law_fills else "no law recorded"
            label = f"{places.code_name(code) if code else shape['name']}: {status}"
        else:
            fill = bin_fill(n)
            label = f"{places.code_name(code) if code else shape['name']}: " + (
                _plural(n, "published deployment") if n else "none recorded"
            )
        # The <title> names the link (and is the mouse tooltip); stroke is set once on <g>.
        if code:
            shapes.append(
                format_html(
                    '<a href="{}"><title>{}</title><path d="{}" fill="{}"/></a>',
                    place_of(code).get_absolute_url(),
                    label,
                    shape["d"],
                    fill,
                )
            )
        else:
            shapes.append(
                format_html(
                    '<path d="{}" fill="{}"><title>{}</title></path>', shape["d"], fill, label
                )
            )
    svg = format_html(
        '<svg class="map" viewBox="0 0 {} {}" role="group" aria-labelledby="{}-title">'
        '<title id="{}-title">{}</title><g stroke="{}" stroke-width="0.5">{}</g></svg>',
        data["width"],
        data["height"],
        map_id,
        map_id,
        title,
        STROKE,
        mark_safe("".join(shapes)),  # noqa: S308 - each piece built by format_html
    )
    legend = (
        [("No law recorded", NONE_FILL)] + [(label, fill) for _l, label, fill in LAW_FILLS]
        if laws is not None
        else legend_rows()
    )
    return MapFigure(svg=svg, legend=legend, title=title)


@dataclass
class Bar:
    label: str
    value: int
    url: str = ""


def bar_chart(bars, *, title, chart_id, noun="deployment"):
    """
    Horizontal bars, each label above its bar and the value beside it; a bar
    with a ``url`` is a link to the filtered list it counts.
    """
    bars = [b for b in bars if b.value]
    width, left, bar_height, row = 360, 4, 14, 38
    top = max((b.value for b in bars), default=0)
    height = row * len(bars) + 6
    rows = []
    for i, bar in enumerate(bars):
        y = i * row + 4
        length = max(2, round((width - 70) * bar.value / top)) if top else 0
        name = f"{bar.label}: {_plural(bar.value, noun)}"
        # A linked bar is named by its link's aria-label, which holds the
        # words shown, label then value (WCAG 2.5.3, label in name): the space
        # between the two <text> elements keeps them two words ("Active 15",
        # not "Active15"), and a <title> inside the link would count as shown
        # text that the name lacks. A bar without a link keeps its <title>
        # (the mouse tooltip).
        tooltip = "" if bar.url else format_html("<title>{}</title>", name)
        body = format_html(
            '<text x="{}" y="{}" font-size="13" fill="#1a1a1a">{}</text> '
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#2b6cb0">{}</rect> '
            '<text x="{}" y="{}" font-size="13" fill="#1a1a1a">{}</text>',
            left,
            y + 12,
            bar.label,
            left,
            y + 17,
            length,
            bar_height,
            tooltip,
            left + length + 6,
            y + 29,
            f"{bar.value:,}",
        )
        if bar.url:
            body = format_html('<a href="{}" aria-label="{}">{}</a>', bar.url, name, body)
        rows.append(body)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="group" aria-labelledby="{}-title">'
        '<title id="{}-title">{}</title>{}</svg>',
        width,
        height,
        chart_id,
        chart_id,
        title,
        format_html_join("", "{}", ((r,) for r in rows)),
    )
