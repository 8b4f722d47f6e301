"""read_districts and duplicate_ids on real files in four formats and on broken inputs."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from gebieden import GeometryError, duplicate_ids, read_districts


def _write_geojson(path: Path, features: list[dict], crs: str | None = None) -> Path:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc))
    return path


def _to_shapefile(source: Path, target: Path) -> Path:
    """Write the short-named columns of a real file as a Shapefile (names <= 10 characters)."""
    gdf = gpd.read_file(source)
    gdf[["wijkcode", "wijknaam", "jaar", "geometry"]].to_file(target)
    return target


def _square(x: float, y: float, size: float = 0.01) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(props: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_wgs84_geojson_is_projected_to_rd(data: Path) -> None:
    gdf = read_districts(data / "wijken_2024_wgs84.geojson", id_field="wijkcode")
    assert len(gdf) == 85
    assert gdf.crs.to_epsg() == 28992
    assert gdf.index.name == "id"
    assert all(isinstance(i, str) for i in gdf.index)
    assert "WK011401" in gdf.index
    assert {"wijknaam", "aantal_inwoners", "geom_area_ha"} <= set(gdf.columns)
    assert "wijkcode" not in gdf.columns and "id" not in gdf.columns
    area_ha = gdf.geometry.area / 10_000
    assert ((area_ha - gdf["geom_area_ha"]).abs() / gdf["geom_area_ha"]).max() < 0.001


def test_rd_geojson_with_legacy_crs_member_keeps_coordinates(data: Path) -> None:
    path = data / "cases" / "emmen_wijken_2024_rd.geojson"
    gdf = read_districts(path)  # default id_field "id": the top-level feature id
    raw = gpd.read_file(path)
    assert len(gdf) == 27
    assert gdf.crs.to_epsg() == 28992
    assert list(gdf.index) == list(raw["wijkcode"])
    assert gdf.total_bounds.tolist() == raw.total_bounds.tolist()


def test_geopackage_needs_layer_when_several(data: Path, tmp_path: Path) -> None:
    gpkg = tmp_path / "emmen.gpkg"
    wijken = gpd.read_file(data / "cases" / "emmen_wijken_2024_rd.geojson")
    buurten = gpd.read_file(data / "cases" / "emmen_buurten_2024_rd.geojson")
    pyogrio.write_dataframe(wijken, gpkg, layer="wijken")
    pyogrio.write_dataframe(buurten, gpkg, layer="buurten", append=True)

    gdf = read_districts(gpkg, id_field="buurtcode", layer="buurten")
    assert len(gdf) == 83 and gdf.crs.to_epsg() == 28992
    assert gdf.index[0].startswith("BU0114")
    with pytest.raises(GeometryError, match=r"2 layers .*Pass layer="):
        read_districts(gpkg, id_field="buurtcode")
    with pytest.raises(GeometryError, match=r"Layer 'nope' not found.*layers found: \["):
        read_districts(gpkg, id_field="buurtcode", layer="nope")


def test_shapefile(data: Path, tmp_path: Path) -> None:
    shp = _to_shapefile(data / "cases" / "emmen_wijken_2024_rd.geojson", tmp_path / "e.shp")
    gdf = read_districts(shp, id_field="wijkcode")
    assert len(gdf) == 27 and gdf.crs.to_epsg() == 28992
    assert set(gdf.geom_type) == {"Polygon", "MultiPolygon"}
    assert list(gdf.columns) == ["wijknaam", "jaar", "geometry"]


def test_shapefile_without_prj_and_projected_coordinates_fails(data: Path, tmp_path: Path) -> None:
    shp = _to_shapefile(data / "cases" / "emmen_wijken_2024_rd.geojson", tmp_path / "e.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.raises(GeometryError, match=r"no CRS .*not longitude/latitude"):
        read_districts(shp, id_field="wijkcode")


def test_shapefile_without_prj_in_lonlat_is_assumed_wgs84(data: Path, tmp_path: Path) -> None:
    shp = _to_shapefile(data / "wijken_2024_wgs84.geojson", tmp_path / "wijken.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.warns(UserWarning, match="assuming WGS84"):
        gdf = read_districts(shp, id_field="wijkcode")
    assert gdf.crs.to_epsg() == 28992


def test_missing_file() -> None:
    with pytest.raises(GeometryError, match=r"nope\.geojson not found"):
        read_districts("/nonexistent/nope.geojson")


def test_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text("{ this is not json")
    with pytest.raises(GeometryError, match=r"Cannot (open|read) district file .*bad\.geojson"):
        read_districts(bad)


def test_missing_id_field_lists_columns(data: Path) -> None:
    with pytest.raises(GeometryError, match=r"'code' not found .*columns found: \[.*'wijkcode'"):
        read_districts(data / "cases" / "borne_wijken_2024_rd.geojson", id_field="code")


def test_empty_geometry_names_ids(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "empty.geojson",
        [_feature({"code": "a"}, _square(5, 52)), _feature({"code": "b"}, None)],
    )
    with pytest.raises(GeometryError, match=r"empty\.geojson: 1 district.*missing geometry: b\."):
        read_districts(path, id_field="code")


def test_non_polygon_names_ids_and_types(tmp_path: Path) -> None:
    line = {"type": "LineString", "coordinates": [[5, 52], [5.1, 52.1]]}
    point = {"type": "Point", "coordinates": [5, 52]}
    path = _write_geojson(
        tmp_path / "mixed.geojson",
        [
            _feature({"code": "a"}, _square(5, 52)),
            _feature({"code": "l"}, line),
            _feature({"code": "p"}, point),
        ],
    )
    with pytest.raises(GeometryError, match=r"not polygons: l \(LineString\), p \(Point\)"):
        read_districts(path, id_field="code")


def test_empty_id_names_feature_number(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "noid.geojson",
        [_feature({"code": "a"}, _square(5, 52)), _feature({"code": None}, _square(5.01, 52))],
    )
    with pytest.raises(GeometryError, match=r"empty id in field 'code' .*from 0: 1\)"):
        read_districts(path, id_field="code")


def test_numeric_ids_become_strings(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "numbers.geojson",
        [
            _feature({"code": 12, "real": 7.0}, _square(5, 52)),
            _feature({"code": 13, "real": 8.0}, _square(5.01, 52)),
        ],
    )
    assert list(read_districts(path, id_field="code").index) == ["12", "13"]
    assert list(read_districts(path, id_field="real").index) == ["7", "8"]


def test_duplicate_ids_are_kept_and_listed(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "dups.geojson",
        [
            _feature({"code": "b"}, _square(5, 52)),
            _feature({"code": "a"}, _square(5.01, 52)),
            _feature({"code": "b"}, _square(5.02, 52)),
        ],
    )
    gdf = read_districts(path, id_field="code")
    assert len(gdf) == 3
    assert duplicate_ids(gdf) == ["b"]
    assert duplicate_ids(gdf.iloc[:2]) == []


def test_projected_crs_in_geojson_is_kept(tmp_path: Path) -> None:
    ring = [[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]]
    path = _write_geojson(
        tmp_path / "rd.geojson",
        [_feature({"id": "x"}, {"type": "Polygon", "coordinates": [ring]})],
        crs="urn:ogc:def:crs:EPSG::28992",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gdf = read_districts(path)
    assert gdf.crs.to_epsg() == 28992
    assert gdf.geometry.iloc[0].area == pytest.approx(10_000.0)
    assert isinstance(gdf.index, pd.Index) and list(gdf.index) == ["x"]


def test_file_without_features(tmp_path: Path) -> None:
    path = _write_geojson(tmp_path / "none.geojson", [])
    with pytest.raises(GeometryError, match=r"none\.geojson has no features"):
        read_districts(path)


def test_other_id_column_is_renamed_not_lost(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "ids.geojson",
        [
            _feature({"id": "one", "code": "a"}, _square(5, 52)),
            _feature({"id": "two", "code": "b"}, _square(5.01, 52)),
        ],
    )
    with pytest.warns(UserWarning, match="kept as column 'id_in_file'"):
        gdf = read_districts(path, id_field="code")
    assert list(gdf.index) == ["a", "b"]
    assert list(gdf["id_in_file"]) == ["one", "two"]
