"""connected_parts and nearest_bridges: the explicit way to join islands."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely import box

from gebieden import Bridge, adjacency, connected_parts, nearest_bridges, read_districts


def test_two_squares_apart(shapes) -> None:
    gdf = shapes({"west": box(0, 0, 100, 100), "east": box(150, 0, 250, 100)})
    edges = adjacency(gdf)
    assert edges == []
    assert connected_parts(gdf.index, edges) == [["east"], ["west"]]
    assert nearest_bridges(gdf, edges) == [Bridge("east", "west", 50.0)]


def test_minimum_spanning_tree_over_parts(grid, shapes) -> None:
    main = grid(2, 2)
    parts = {
        **dict(zip(main.index, main.geometry, strict=True)),
        "near": box(230, 0, 330, 100),  # 30 m east of r0c1
        "far": box(380, 0, 480, 100),  # 50 m east of "near", 180 m from the main block
        "north": box(0, 260, 100, 360),  # 60 m north of r1c0
    }
    gdf = shapes(parts)
    edges = adjacency(gdf)
    assert connected_parts(gdf.index, edges) == [
        ["r0c0", "r0c1", "r1c0", "r1c1"],
        ["far"],
        ["near"],
        ["north"],
    ]
    bridges = nearest_bridges(gdf, edges)
    assert [(b.a, b.b) for b in bridges] == [("near", "r0c1"), ("far", "near"), ("north", "r1c0")]
    assert [b.distance_m for b in bridges] == pytest.approx([30.0, 50.0, 60.0])


def test_parts_ignore_edges_outside_ids_and_accept_tuples(grid) -> None:
    gdf = grid(3)
    edges = adjacency(gdf)
    assert connected_parts(["r0c0", "r0c2"], edges) == [["r0c0"], ["r0c2"]]
    assert connected_parts(gdf.index, [("r0c0", "r0c1"), ("r0c1", "r0c2")]) == [list(gdf.index)]
    with pytest.raises(ValueError, match=r"pair \(a, b\) or an Adjacency, got 'abc'"):
        connected_parts(gdf.index, ["abc"])


def test_connected_real_case_needs_no_bridge(data: Path) -> None:
    gdf = read_districts(data / "cases" / "emmen_buurten_2024_rd.geojson", id_field="buurtcode")
    assert nearest_bridges(gdf, adjacency(gdf)) == []


def test_four_real_cases_need_three_bridges(data: Path) -> None:
    gdf = read_districts(data / "wijken_2024_wgs84.geojson", id_field="wijkcode")
    edges = adjacency(gdf)
    assert [len(p) for p in connected_parts(gdf.index, edges)] == [45, 27, 11, 2]
    bridges = nearest_bridges(gdf, edges)
    assert len(bridges) == 3
    assert all(b.a < b.b and b.distance_m > 10_000 for b in bridges)
    joined = edges + [(b.a, b.b) for b in bridges]
    assert len(connected_parts(gdf.index, joined)) == 1
