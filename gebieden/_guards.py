"""Shared input checks and message helpers (private)."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import shapely

from gebieden.errors import GeometryError

MAX_LISTED = 20


def format_ids(ids: Iterable[object], limit: int = MAX_LISTED) -> str:
    """Return ids as a short comma-separated string, cut after `limit` with a count of the rest."""
    items = [str(i) for i in ids]
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f", ... and {len(items) - limit} more"
    return shown


def ids_of(gdf: gpd.GeoDataFrame) -> list[str]:
    """Return the index of `gdf` as a list of str."""
    return [str(i) for i in gdf.index]


def geometry_array(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Return the active geometry of `gdf` as a numpy object array of shapely geometries."""
    return np.asarray(gdf.geometry.values, dtype=object)


def require_projected(gdf: gpd.GeoDataFrame, what: str) -> None:
    """Return None if `gdf` has a projected CRS in metres; raise GeometryError otherwise."""
    crs = gdf.crs
    fix = "Fix: read with gebieden.read_districts() (it reprojects) or call gdf.to_crs(28992)."
    if crs is None:
        raise GeometryError(
            f"{what}: the districts have no CRS; expected a projected CRS in metres "
            f"(e.g. EPSG:28992 RD New). {fix} If you know the CRS, use gdf.set_crs(...)."
        )
    if crs.is_geographic:
        raise GeometryError(
            f"{what}: the districts are in the geographic CRS {crs.to_string()} (degrees); "
            f"expected a projected CRS in metres such as EPSG:28992. {fix}"
        )
    units = {axis.unit_name.lower() for axis in crs.axis_info}
    if not units <= {"metre", "meter"}:
        raise GeometryError(
            f"{what}: the CRS {crs.to_string()} has units {sorted(units)}; expected metres. {fix}"
        )


def require_present(gdf: gpd.GeoDataFrame, what: str) -> None:
    """Return None if every district has a geometry; raise GeometryError naming those without."""
    geoms = geometry_array(gdf)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        ids = [i for i, b in zip(ids_of(gdf), bad, strict=True) if b]
        raise GeometryError(
            f"{what}: {len(ids)} district(s) have empty or missing geometry: {format_ids(ids)}; "
            "expected a Polygon or MultiPolygon for each. Fix or drop them first."
        )


def require_unique_ids(gdf: gpd.GeoDataFrame, what: str) -> None:
    """Return None if the index of `gdf` has no duplicates; raise GeometryError naming them."""
    index = gdf.index
    if index.has_duplicates:
        dups = sorted({str(i) for i in index[index.duplicated(keep=False)]})
        raise GeometryError(
            f"{what}: duplicate district ids {format_ids(dups)}; expected unique ids. "
            "Fix the source or drop the duplicates (see gebieden.duplicate_ids)."
        )


def polygonal_part(geom: shapely.Geometry | None) -> shapely.Geometry:
    """Return only the polygonal part of `geom` (Polygon, MultiPolygon or empty Polygon)."""
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [
        p
        for part in shapely.get_parts(geom)
        for p in shapely.get_parts(part)
        if p.geom_type == "Polygon" and not p.is_empty
    ]
    if not polys:
        return shapely.Polygon()
    if len(polys) == 1:
        return polys[0]
    return polygonal_part(shapely.union_all(polys))
