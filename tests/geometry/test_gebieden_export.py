"""to_wgs84 and write_geojson_atomic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gebieden import GeometryError, dissolve_lots, read_districts, to_wgs84, write_geojson_atomic


def test_to_wgs84(grid) -> None:
    out = to_wgs84(grid(2, origin=(155_000, 463_000)))
    assert out.crs.to_epsg() == 4326
    lon, lat = out.geometry.iloc[0].exterior.coords[0]
    assert 5.0 < lon < 6.0 and 52.0 < lat < 52.5
    with pytest.raises(GeometryError, match="to_wgs84: the districts have no CRS"):
        to_wgs84(grid(2, crs=None))


def test_round_trip_of_real_wijken(data: Path, tmp_path: Path) -> None:
    gdf = read_districts(data / "cases" / "emmen_wijken_2024_rd.geojson", id_field="wijkcode")
    target = tmp_path / "emmen.geojson"
    target.write_text("old content")  # is replaced
    assert write_geojson_atomic(gdf, target) == target
    assert [p.name for p in tmp_path.iterdir()] == ["emmen.geojson"]  # no temp file left

    text = target.read_text()
    doc = json.loads(text)
    assert "crs" not in doc
    assert doc["features"][0]["id"] == gdf.index[0]
    assert doc["features"][0]["properties"]["id"] == gdf.index[0]
    decimals = {len(d) for d in re.findall(r"\d+\.(\d+)", text.split('"features"')[1])}
    assert max(decimals) <= 6

    back = read_districts(target)
    assert list(back.index) == list(gdf.index)
    ratio = back.geometry.area.to_numpy() / gdf.geometry.area.to_numpy()
    assert abs(ratio - 1).max() < 1e-3


def test_lots_keep_their_index_name(grid, tmp_path: Path) -> None:
    lots = dissolve_lots(grid(2), {"r0c0": "A", "r0c1": "B"})
    path = write_geojson_atomic(lots, tmp_path / "lots.geojson")
    back = read_districts(path, id_field="lot")
    assert list(back.index) == ["A", "B"]
    assert list(back["districts"]) == [1, 1]


def test_missing_folder(grid, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_geojson_atomic(grid(1), tmp_path / "nope" / "x.geojson")


def test_default_range_index_is_not_written(grid, tmp_path: Path) -> None:
    lots = dissolve_lots(grid(2), {"r0c0": "A", "r0c1": "B"}).reset_index()
    path = write_geojson_atomic(lots, tmp_path / "lots.geojson")
    feature = json.loads(path.read_text())["features"][0]
    assert "id" not in feature and set(feature["properties"]) == {"lot", "districts"}
