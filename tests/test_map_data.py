"""The stored map outlines (scripts/build_map_data.py) draw no line across the map."""

import json
import re
from pathlib import Path

import pytest

STATIC_DATA = Path(__file__).resolve().parent.parent / "registry" / "static_data"


@pytest.mark.parametrize("name", ["world.json", "us-states.json"])
def test_no_outline_jumps_across_the_map(name):
    # A ring crossing the antimeridian (Russia, Fiji) drawn whole jumps from one
    # edge of the map to the other: a stroke across the world.
    data = json.loads((STATIC_DATA / name).read_text())
    jumps = []
    for shape in data["shapes"]:
        for subpath in re.findall(r"M[^M]*", shape["d"]):
            numbers = [int(n) for n in re.findall(r"-?\d+", subpath)]
            steps = numbers[2:]
            jumps += [shape["name"] for dx in steps[::2] if abs(dx) > data["width"] / 2]
    assert jumps == []
