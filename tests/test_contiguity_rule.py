"""validate and design use one contiguity rule: borders that differ by rounding are shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allocatie.cli import main
from allocatie.design import design
from allocatie.io.loading import load_instance
from allocatie.settings import SolverSettings


def two_squares(folder: Path, toml_extra: str = "") -> Path:
    """Two 1 km squares in RD whose shared edge ends 1e-9 m apart at the top (rounding): in
    exact geometry they touch at one corner only."""
    folder.mkdir(parents=True, exist_ok=True)
    x, y = 200_000.0, 500_000.0
    a = [[x, y], [x + 1000, y], [x + 1000, y + 1000], [x, y + 1000], [x, y]]
    b = [[x + 1000, y], [x + 2000, y], [x + 2000, y + 1000], [x + 1000 + 1e-9, y + 1000],
         [x + 1000, y]]
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": [{"type": "Feature", "properties": {"id": d, "clients": 10},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}}
                     for d, ring in (("A", a), ("B", b))]}
    (folder / "districts.geojson").write_text(json.dumps(collection), encoding="utf-8")
    (folder / "bids.csv").write_text("bidder,district_id,price\nX,A,100\nX,B,100\n",
                                     encoding="utf-8")
    (folder / "instance.toml").write_text(
        'schema_version = 1\n[files]\ndistricts = "districts.geojson"\nbids = "bids.csv"\n'
        f'[rules]\nlots = 1\ncontiguity = "rook"\n{toml_extra}', encoding="utf-8")
    return folder


def test_rounded_border_is_shared_in_validate_and_design(tmp_path: Path) -> None:
    folder = two_squares(tmp_path / "squares")
    with pytest.warns(UserWarning, match=r"repaired 1 border.*A-B \(1000 m of border"):
        instance = load_instance(folder)
    [edge] = instance.edges
    assert (edge.kind, round(edge.border_m)) == ("rook", 1000)
    assert main(["validate", str(folder)]) == 0
    solution = design(instance, SolverSettings(time_limit_s=10))
    assert solution.status.has_solution  # one lot: only possible if A and B are neighbours
    assert len(set(solution.assignment.values())) == 1


def test_exact_contact_can_still_be_asked_for(tmp_path: Path) -> None:
    folder = two_squares(tmp_path / "exact", "[geometry]\ncontiguity_snap_m = 0\n")
    assert main(["validate", str(folder)]) == 1  # one lot cannot hold two corner neighbours
