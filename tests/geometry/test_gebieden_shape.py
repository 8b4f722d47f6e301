"""compactness measures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from shapely import box

from gebieden import GeometryError, compactness, read_districts


def test_square(grid) -> None:
    row = compactness(grid(1)).loc["r0c0"]
    assert row["polsby_popper"] == pytest.approx(math.pi / 4)
    assert row["convex_hull_ratio"] == pytest.approx(1.0)
    assert row["area_km2"] == pytest.approx(0.01)
    assert row["perimeter_km"] == pytest.approx(0.4)


def test_l_shape_is_less_compact(shapes) -> None:
    l_shape = box(0, 0, 200, 100).union(box(0, 100, 100, 200))
    row = compactness(shapes({"L": l_shape})).loc["L"]
    assert row["convex_hull_ratio"] == pytest.approx(3 / 3.5)
    assert row["polsby_popper"] < math.pi / 4


def test_real_wijken_in_range(data: Path) -> None:
    gdf = read_districts(data / "cases" / "emmen_wijken_2024_rd.geojson")
    table = compactness(gdf)
    assert list(table.index) == list(gdf.index)
    assert table["polsby_popper"].between(0, 1).all()
    assert table["convex_hull_ratio"].between(0, 1).all()


def test_geographic_refused(grid) -> None:
    with pytest.raises(GeometryError, match="compactness: .*geographic"):
        compactness(grid(1, crs="EPSG:4326"))
