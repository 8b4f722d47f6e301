"""The contiguity tolerance: borders that nearly coincide are shared, short ones are corners."""

from __future__ import annotations

import pytest
from shapely.geometry import Polygon, box

from gebieden import adjacency
from gebieden.contiguity import MIN_BORDER_M, TOLERANCE_M


def test_rounded_shared_edge_is_a_border_not_a_corner(shapes) -> None:
    # b's left edge starts at a's corner (1000, 0) but ends at x = 1000 + 1e-9 at the top, as
    # polygons written with rounded coordinates do: exactly, the two touch at one corner.
    a = box(0, 0, 1000, 1000)
    b = Polygon([(1000, 0), (2000, 0), (2000, 1000), (1000 + 1e-9, 1000)])
    gdf = shapes({"a": a, "b": b})
    [exact] = adjacency(gdf, kind="queen", snap_m=0.0)
    assert exact.kind == "queen_only"  # what validate and design saw before the tolerance
    [edge] = adjacency(gdf, kind="queen")
    assert (edge.kind, edge.border_m) == ("rook", pytest.approx(1000.0, abs=0.01))
    assert 0 < edge.gap_m <= TOLERANCE_M  # reported as repaired


def test_borders_a_few_centimetres_apart_are_shared(shapes) -> None:
    # b's border runs 4 cm right of a's, so they neither touch nor overlap
    a = Polygon([(0, 0), (500, 0), (500, 250), (500, 500), (0, 500)])
    b = Polygon([(500.04, 0), (900, 0), (900, 500), (500.04, 500), (500.04, 250)])
    assert adjacency(shapes({"a": a, "b": b}), kind="queen", snap_m=0.0) == []
    [edge] = adjacency(shapes({"a": a, "b": b}))
    assert edge.kind == "rook"
    assert edge.border_m == pytest.approx(500.0, abs=1.0)
    assert edge.gap_m == pytest.approx(0.04, abs=0.005)


def test_corner_contact_stays_a_corner_within_the_tolerance(shapes) -> None:
    # a sharp wedge: the two districts come within 1 m of each other for a few metres
    a = Polygon([(0, 0), (100, 0), (0, 10)])
    b = Polygon([(100, 0), (200, -10), (200, 0)])
    [edge] = adjacency(shapes({"a": a, "b": b}), kind="queen")
    assert edge.kind == "queen_only"


def test_short_shared_border_is_queen(shapes) -> None:
    a = box(0, 0, 100, 100)
    b = box(100, 100 - MIN_BORDER_M / 2, 200, 200)
    [edge] = adjacency(shapes({"a": a, "b": b}), kind="queen")
    assert edge.kind == "queen_only"
    [longer] = adjacency(shapes({"a": a, "b": box(100, 90, 200, 200)}))
    assert longer.kind == "rook" and longer.border_m == pytest.approx(10.0)


def test_min_border_is_settable(shapes) -> None:
    gdf = shapes({"a": box(0, 0, 100, 100), "b": box(100, 90, 200, 200)})
    assert adjacency(gdf, min_border_m=20.0) == []
    with pytest.raises(ValueError, match="min_border_m"):
        adjacency(gdf, min_border_m=-1)
