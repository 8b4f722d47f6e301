"""Write districts or lots as RFC 7946 GeoJSON (WGS84)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from gebieden._guards import polygonal_part
from gebieden.errors import GeometryError

WGS84 = "EPSG:4326"
COORDINATE_DECIMALS = 6
_FEATURE_ID = "__gebieden_feature_id__"


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of `gdf` in WGS84 longitude/latitude (EPSG:4326).

    Raises GeometryError if `gdf` has no CRS.
    """
    if gdf.crs is None:
        raise GeometryError(
            "to_wgs84: the districts have no CRS, so they cannot be reprojected; expected a "
            "CRS such as EPSG:28992. Fix: gdf.set_crs(...) with the CRS the coordinates are in."
        )
    return gdf.to_crs(WGS84)


def write_geojson_atomic(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write `gdf` as RFC 7946 GeoJSON in WGS84 (6 decimals) and return the path written.

    The index becomes a property (named after the index, "id" if unnamed) and, when unique,
    the feature "id"; an unnamed default RangeIndex (e.g. after reset_index()) is not
    written. Writes a temporary file in the same folder, then os.replace, so readers never
    see a half-written file. Raises GeometryError if `gdf` has no CRS, FileNotFoundError if
    the folder does not exist, ValueError if the index name clashes
    with a column.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"Folder {path.parent} for {path.name} does not exist; create it first."
        )
    out = _rounded(to_wgs84(gdf))
    options = {"RFC7946": "YES", "COORDINATE_PRECISION": str(COORDINATE_DECIMALS)}
    if _is_default_index(out.index):
        out = out.reset_index(drop=True)
    else:
        name = out.index.name or "id"
        if name in out.columns:
            raise ValueError(
                f"write_geojson_atomic: index name {name!r} is also a column; expected it once. "
                "Rename the index or drop the column."
            )
        unique = not out.index.has_duplicates
        out = out.reset_index(names=name)
        if unique:
            out[_FEATURE_ID] = out[name].astype(str)
            options["ID_FIELD"] = _FEATURE_ID
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pyogrio.write_dataframe(out, tmp, driver="GeoJSON", layer=path.stem, layer_options=options)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _rounded(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`gdf` with coordinates rounded to the written precision, keeping polygons polygons.

    The GeoJSON driver rounds coordinates itself and then repairs what the rounding broke, which
    turns a polygon with a sliver into a GeometryCollection of polygons and lines. Rounding here
    (snap rounding keeps the result valid) and keeping the polygonal part avoids that.
    """
    geoms = gdf.geometry.to_numpy()
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    rounded = shapely.set_precision(geoms, 10.0**-COORDINATE_DECIMALS)
    kept = [polygonal_part(r) if is_polygon and r is not None else r
            for r, is_polygon in zip(rounded, polygonal, strict=True)]
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(kept, index=gdf.index, crs=gdf.crs)
    return out


def _is_default_index(index: pd.Index) -> bool:
    """Return True for an unnamed 0..n-1 RangeIndex, which carries no ids worth writing."""
    return (
        index.name is None
        and isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
    )
