"""check_geometry: repair of invalid polygons, overlaps and sliver gaps."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from shapely import Polygon, box

from gebieden import GeometryError, GeometryIssue, check_geometry, read_districts

BOW_TIE = Polygon([(300, 0), (400, 100), (400, 0), (300, 100), (300, 0)])


def test_real_buurten_are_clean_and_fast(data: Path) -> None:
    gdf = read_districts(
        data / "cases" / "rivierenland_buurten_2024_rd.geojson", id_field="buurtcode"
    )
    start = time.perf_counter()
    checked, issues = check_geometry(gdf)
    elapsed = time.perf_counter() - start
    assert issues == []
    assert len(checked) == 216
    assert elapsed < 1.0


def test_bow_tie_is_repaired_and_named(grid, shapes) -> None:
    squares = grid(2)
    gdf = shapes({**dict(zip(squares.index, squares.geometry, strict=True)), "bow": BOW_TIE})
    checked, issues = check_geometry(gdf)
    assert [i.kind for i in issues] == ["invalid_repaired"]
    issue = issues[0]
    assert issue.ids == ("bow",)
    assert "bow" in issue.message and "Self-intersection" in issue.message
    assert issue.area_m2 == pytest.approx(5_000.0)
    fixed = checked.geometry.loc["bow"]
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon"
    assert fixed.area == pytest.approx(5_000.0)
    assert not gdf.geometry.loc["bow"].is_valid  # the input is not changed


def test_bow_tie_without_repair_is_reported_invalid(shapes) -> None:
    gdf = shapes({"a": box(0, 0, 100, 100), "bow": BOW_TIE})
    checked, issues = check_geometry(gdf, repair=False)
    assert [(i.kind, i.ids) for i in issues] == [("invalid", ("bow",))]
    assert "repair=False" in issues[0].message
    assert not checked.geometry.loc["bow"].is_valid


def test_overlap_is_reported_with_area(shapes) -> None:
    gdf = shapes({"b": box(90, 0, 190, 100), "a": box(0, 0, 100, 100), "c": box(190, 0, 290, 100)})
    _, issues = check_geometry(gdf)
    assert issues == [
        GeometryIssue("overlap", ("a", "b"), issues[0].message, pytest.approx(1_000.0))
    ]
    assert "a and b overlap by 1,000.0 m²" in issues[0].message


def test_tiny_overlap_below_one_m2_is_ignored(shapes) -> None:
    gdf = shapes({"a": box(0, 0, 100, 100), "b": box(99.995, 0, 200, 100)})
    assert check_geometry(gdf)[1] == []


def test_sliver_gap_names_the_districts_around_it(grid, shapes) -> None:
    squares = dict(zip(grid(3, 3).index, grid(3, 3).geometry, strict=True))
    squares["r1c1"] = box(100, 100, 199, 200)  # leaves a 1 m x 100 m gap to r1c2
    gdf = shapes(squares)
    _, issues = check_geometry(gdf)
    assert [i.kind for i in issues] == ["sliver_gap"]
    assert issues[0].area_m2 == pytest.approx(100.0)
    assert {"r1c1", "r1c2", "r0c1", "r2c1"} <= set(issues[0].ids)
    assert "r1c1" in issues[0].message
    assert check_geometry(gdf, sliver_max_ha=0.001)[1] == []  # 10 m² limit


def test_hole_inside_one_district_is_not_a_sliver(shapes) -> None:
    donut = box(0, 0, 100, 100).difference(box(40, 40, 60, 60))
    assert check_geometry(shapes({"a": donut, "b": box(100, 0, 200, 100)}))[1] == []


def test_geographic_crs_is_refused(grid) -> None:
    with pytest.raises(GeometryError, match=r"check_geometry: .*geographic CRS EPSG:4326"):
        check_geometry(grid(2, crs="EPSG:4326"))


def test_missing_crs_is_refused(grid) -> None:
    with pytest.raises(GeometryError, match=r"no CRS; expected a projected CRS in metres"):
        check_geometry(grid(2, crs=None))


def test_missing_geometry_is_reported(shapes) -> None:
    gdf = shapes({"a": box(0, 0, 100, 100), "gone": None})
    _, issues = check_geometry(gdf)
    assert [(i.kind, i.ids) for i in issues] == [("invalid", ("gone",))]
    assert "empty or missing geometry" in issues[0].message
