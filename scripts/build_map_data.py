#!/usr/bin/env python3
"""
Build the register's map outlines, once, from public-domain boundary data.

Input (npm packages, installed in a throwaway folder, never committed):

- ``world-atlas@2.0.2``: Natural Earth 1:110m countries (``countries-110m.json``,
  TopoJSON, longitude/latitude). Natural Earth is in the public domain.
- ``us-atlas@3.0.1``: US Census Bureau cartographic boundary states, 1:10m,
  already projected to Albers USA at 975 × 610 (``states-albers-10m.json``).
  Census boundary files are US government works in the public domain.

Both packages are by Mike Bostock under the ISC licence (notice kept in
``registry/static_data/ATTRIBUTION.md``).

Steps: decode the TopoJSON arcs; project the world with the Equal Earth
projection (equal-area, so shading is not distorted by area) to 960 px wide;
leave out Antarctica; cut the rings that cross the antimeridian into their
pieces on either side; simplify each shared arc once (Douglas-Peucker, tolerance ``TOLERANCE`` px,
so neighbours keep a common border); drop rings smaller than ``MIN_AREA`` px²;
write one SVG path per country (ISO 3166-1 alpha-2, from the numeric code via
pycountry) or state (ISO 3166-2, from its name) with whole-pixel coordinates,
as compact JSON in ``registry/static_data/``.

Run::

    d=$(mktemp -d) && (cd $d && npm install world-atlas@2.0.2 us-atlas@3.0.1)
    .venv/bin/python scripts/build_map_data.py $d/node_modules
"""

import json
import math
import sys
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "registry" / "static_data"
WORLD_WIDTH = 960
TOLERANCE = {"world": 0.9, "us": 1.2}
MIN_AREA = {"world": 6.0, "us": 4.0}
# Antarctica: no government agency of its own, and its outline runs along the
# projection's edge (a stray line across the bottom of the map).
SKIP = {"AQ"}


def decode_arcs(topology, project):
    """Absolute, projected coordinates of every arc."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            if transform:
                x, y = x + dx, y + dy
                px = x * transform["scale"][0] + transform["translate"][0]
                py = y * transform["scale"][1] + transform["translate"][1]
            else:
                px, py = dx, dy
            points.append(project(px, py))
        arcs.append(points)
    return arcs


def _perpendicular(p, a, b):
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def simplify(points, tolerance):
    """Douglas-Peucker, iterative; the ends of an arc are kept (shared with neighbours)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        best, index = 0.0, None
        for i in range(start + 1, end):
            distance = _perpendicular(points[i], points[start], points[end])
            if distance > best:
                best, index = distance, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(start, index), (index, end)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_points(ring, arcs):
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def area(points):
    return abs(
        sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
        )
        / 2
    )


def split_at_antimeridian(points, max_jump):
    """
    The pieces of a ring on either side of the antimeridian (Russia's Chukotka,
    Fiji): drawn as one ring, its jump from one edge of the map to the other
    would be a line across the world.
    """
    jumps = [i for i in range(len(points)) if abs(points[i][0] - points[i - 1][0]) > max_jump]
    if not jumps:
        return [points]
    rotated = points[jumps[0] :] + points[: jumps[0]]
    pieces = [[rotated[0]]]
    for previous, point in zip(rotated, rotated[1:], strict=False):
        if abs(point[0] - previous[0]) > max_jump:
            pieces.append([])
        pieces[-1].append(point)
    return [piece for piece in pieces if len(piece) >= 3]


def path_data(geometry, arcs, min_area, max_jump):
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    out = []
    for polygon in polygons:
        for ring in polygon:
            points = [(round(x), round(y)) for x, y in ring_points(ring, arcs)]
            deduped = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
            if len(deduped) < 4 or area(deduped) < min_area:
                continue
            for piece in split_at_antimeridian(deduped, max_jump):
                first, *rest = piece
                steps = [
                    f"l{x2 - x1} {y2 - y1}" for (x1, y1), (x2, y2) in zip(piece, rest, strict=False)
                ]
                out.append(f"M{first[0]} {first[1]}" + "".join(steps) + "z")
    return "".join(out)


def equal_earth(width):
    """The Equal Earth projection (Šavrič, Patterson, Jenny 2018), scaled to ``width`` px."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    m = math.sqrt(3) / 2

    def raw(lon, lat):
        lam, phi = math.radians(lon), math.radians(lat)
        theta = math.asin(m * math.sin(phi))
        t2 = theta * theta
        t6 = t2 * t2 * t2
        x = lam * math.cos(theta) / (m * (a1 + 3 * a2 * t2 + t6 * (7 * a3 + 9 * a4 * t2)))
        y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
        return x, y

    half_width = raw(180, 0)[0]
    scale = width / (2 * half_width)
    top = raw(0, 90)[1]
    return (lambda lon, lat: ((raw(lon, lat)[0] + half_width) * scale,
                              (top - raw(lon, lat)[1]) * scale)), 2 * top * scale  # fmt: skip


def build(topology, object_name, project, kind, code_of, height, width):
    arcs = [simplify(arc, TOLERANCE[kind]) for arc in decode_arcs(topology, project)]
    shapes = []
    for geometry in topology["objects"][object_name]["geometries"]:
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        code = code_of(geometry)
        if code in SKIP:
            continue
        d = path_data(geometry, arcs, MIN_AREA[kind], max_jump=width / 2)
        if d:
            shapes.append({"code": code, "name": geometry["properties"]["name"], "d": d})
    shapes.sort(key=lambda s: (s["code"] or "~", s["name"]))
    return {"height": round(height), "shapes": shapes}


def world_code(geometry):
    # Natural Earth features with no ISO code (Kosovo, Northern Cyprus...) keep code None.
    numeric = geometry.get("id")
    country = pycountry.countries.get(numeric=numeric) if numeric else None
    return country.alpha_2 if country else None


def us_code(geometry):
    name = geometry["properties"]["name"]
    for sub in pycountry.subdivisions.get(country_code="US"):
        if sub.name == name:
            return sub.code
    raise SystemExit(f"No ISO 3166-2 code for the US state {name!r}")


def main(node_modules):
    node_modules = Path(node_modules)
    world = json.loads((node_modules / "world-atlas" / "countries-110m.json").read_text())
    project, height = equal_earth(WORLD_WIDTH)
    data = build(world, "countries", project, "world", world_code, height, WORLD_WIDTH)
    data["width"] = WORLD_WIDTH
    write("world.json", data)

    us = json.loads((node_modules / "us-atlas" / "states-albers-10m.json").read_text())
    data = build(us, "states", lambda x, y: (x, y), "us", us_code, 610, 975)
    data["width"] = 975
    write("us-states.json", data)


def write(name, data):
    OUT.mkdir(exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{path}: {len(data['shapes'])} shapes, {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
