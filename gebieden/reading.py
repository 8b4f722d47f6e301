"""Read district polygons (wijken/buurten) from GeoJSON, GeoPackage or Shapefile."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from gebieden._guards import format_ids
from gebieden.errors import GeometryError

RD_NEW = "EPSG:28992"
WGS84 = "EPSG:4326"
FORMATS = "GeoJSON (.geojson/.json), GeoPackage (.gpkg) or Shapefile (.shp)"
_GEOJSON_SUFFIXES = {".geojson", ".json"}
_POLYGONAL = ("Polygon", "MultiPolygon")


def read_districts(
    path: str | Path, id_field: str = "id", layer: str | None = None, where: str | None = None
) -> gpd.GeoDataFrame:
    """Read districts and return a GeoDataFrame indexed by id (str, index name "id").

    All other properties are kept as columns. A geographic CRS (or none, read as WGS84 per
    RFC 7946) is reprojected to EPSG:28992 RD New; a projected CRS in metres is kept.
    Duplicate ids are kept: check them with `duplicate_ids`. `where` is an OGR SQL filter
    (e.g. ``"gemeentecode IN ('GM0114')"``) so one municipality of a national file is read.

    Raises GeometryError if the file is missing or unreadable, the layer is ambiguous or
    unknown, there are no features, `id_field` is missing, an id is empty, or a geometry is
    empty or not polygonal. Warns if a column "id" other than `id_field` had to be renamed
    to "id_in_file" (the index is named "id").
    """
    path = Path(path)
    if not path.is_file():
        raise GeometryError(
            f"District file {path} not found; expected an existing {FORMATS}. Check the path."
        )
    layer = _pick_layer(path, layer)
    try:
        raw = pyogrio.read_dataframe(path, layer=layer, where=where)
    except Exception as exc:
        raise GeometryError(
            f"Cannot read district file {path}: {exc}. Expected a {FORMATS} that GDAL can open; "
            "check that the file is complete and has the right extension."
        ) from exc
    if not isinstance(raw, gpd.GeoDataFrame):
        raise GeometryError(
            f"District file {path} has no geometry column; expected polygons in a {FORMATS}."
        )
    if raw.empty:
        selected = f" matching {where}" if where else ""
        raise GeometryError(
            f"District file {path} has no features{selected}; expected at least one district "
            "polygon."
        )
    ids = _read_ids(raw, path, id_field)
    gdf = raw.drop(columns=[id_field])
    gdf.index = pd.Index(ids, name="id")
    gdf = _drop_redundant_id_column(gdf, path, id_field)
    _check_geometries(gdf, path)
    if shapely.has_z(np.asarray(gdf.geometry.values, dtype=object)).any():
        gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry))
    return _to_projected(gdf, path)


def duplicate_ids(gdf: gpd.GeoDataFrame) -> list[str]:
    """Return the sorted ids that occur more than once in the index of `gdf` (empty if none)."""
    index = gdf.index
    return sorted({str(i) for i in index[index.duplicated(keep=False)]})


def _pick_layer(path: Path, layer: str | None) -> str | None:
    """Return the layer to read; raise GeometryError if it is unknown or ambiguous."""
    try:
        names = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:
        raise GeometryError(
            f"Cannot open district file {path}: {exc}. Expected a {FORMATS}; "
            "check that the file is complete and has the right extension."
        ) from exc
    if layer is not None:
        if layer not in names:
            raise GeometryError(
                f"Layer {layer!r} not found in {path}; layers found: {names}. "
                "Pass one of these as layer=..."
            )
        return layer
    if len(names) > 1:
        raise GeometryError(
            f"{path} has {len(names)} layers {names}; expected one, or a layer argument. "
            "Pass layer=<name>."
        )
    return None


def _read_ids(raw: gpd.GeoDataFrame, path: Path, id_field: str) -> list[str]:
    """Return the ids in `id_field` as str; raise GeometryError if missing or empty."""
    if id_field not in raw.columns:
        found = [c for c in raw.columns if c != raw.geometry.name]
        hint = ""
        if path.suffix.lower() in _GEOJSON_SUFFIXES:
            hint = (
                " Note: a numeric top-level GeoJSON feature 'id' is read as the internal feature "
                "number, not as a property; copy it into the properties."
            )
        raise GeometryError(
            f"Id field {id_field!r} not found in {path}; columns found: {found}. "
            f"Pass id_field=<one of these>.{hint}"
        )
    column = raw[id_field]
    empty = column.isna().to_numpy() | (column.astype(str).str.strip() == "").to_numpy()
    if empty.any():
        rows = np.flatnonzero(empty).tolist()
        raise GeometryError(
            f"{path}: {len(rows)} feature(s) have an empty id in field {id_field!r} "
            f"(feature numbers, from 0: {format_ids(rows)}); expected an id for every district. "
            "Fill them in the source file."
        )
    return [_id_text(value) for value in column.tolist()]


def _id_text(value: object) -> str:
    """Return an id as str; whole floats like 12.0 become "12"."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _drop_redundant_id_column(gdf: gpd.GeoDataFrame, path: Path, id_field: str) -> gpd.GeoDataFrame:
    """Return `gdf` without a leftover "id" column that would clash with the index name."""
    if "id" not in gdf.columns:
        return gdf
    if [_id_text(v) for v in gdf["id"].tolist()] == list(gdf.index):
        return gdf.drop(columns=["id"])
    warnings.warn(
        f"{path}: column 'id' differs from the chosen id field {id_field!r}; "
        "it is kept as column 'id_in_file' so it does not clash with the index name 'id'.",
        stacklevel=3,
    )
    return gdf.rename(columns={"id": "id_in_file"})


def _check_geometries(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Return None if all geometries are non-empty (Multi)Polygons; raise GeometryError if not."""
    geoms = gdf.geometry
    missing = (geoms.isna() | geoms.is_empty).to_numpy()
    if missing.any():
        ids = gdf.index[missing].tolist()
        raise GeometryError(
            f"{path}: {len(ids)} district(s) have empty or missing geometry: {format_ids(ids)}. "
            "Expected a Polygon or MultiPolygon for every district; fix or remove these features."
        )
    types = geoms.geom_type
    bad = ~types.isin(_POLYGONAL).to_numpy()
    if bad.any():
        listed = [f"{i} ({t})" for i, t in zip(gdf.index[bad], types[bad], strict=True)]
        raise GeometryError(
            f"{path}: {len(listed)} district(s) are not polygons: {format_ids(listed)}. "
            "Expected Polygon or MultiPolygon; convert or remove these features."
        )


def _to_projected(gdf: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Return `gdf` in a projected CRS in metres (RD New if it was geographic or had none).

    The CRS as read and the bounds in it are kept in ``attrs["source_crs"]`` and
    ``attrs["source_bounds"]`` (x/y min, max), so callers can judge whether the coordinates
    are plausible for that CRS. Raises GeometryError when a geographic CRS holds coordinates
    that are no longitude/latitude (RD coordinates in a GeoJSON without a 'crs' member).
    """
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    source = gdf.crs.to_string() if gdf.crs is not None else None
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise GeometryError(
                f"{path} has no CRS and its coordinates (x {minx:.0f}..{maxx:.0f}, "
                f"y {miny:.0f}..{maxy:.0f}) are not longitude/latitude. Expected a CRS: add a "
                ".prj next to the .shp, a 'crs' member to the GeoJSON, or write the file again "
                "with gdf.set_crs(28992)."
            )
        if path.suffix.lower() not in _GEOJSON_SUFFIXES:
            warnings.warn(
                f"{path} has no CRS; assuming WGS84 longitude/latitude (EPSG:4326). "
                "Add a .prj (or srs) to make this explicit.",
                stacklevel=3,
            )
        gdf = gdf.set_crs(WGS84)
    gdf.attrs["source_crs"] = source
    gdf.attrs["source_bounds"] = (minx, miny, maxx, maxy)
    if gdf.crs.is_geographic:
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise GeometryError(_not_lonlat(path, gdf.crs.to_string(), (minx, miny, maxx, maxy)))
        return _keep_attrs(gdf.to_crs(RD_NEW), gdf)
    units = {axis.unit_name.lower() for axis in gdf.crs.axis_info}
    if not units <= {"metre", "meter"}:
        warnings.warn(
            f"{path}: projected CRS {gdf.crs.to_string()} is in {sorted(units)}, not metres; "
            "reprojected to EPSG:28992 RD New.",
            stacklevel=3,
        )
        return _keep_attrs(gdf.to_crs(RD_NEW), gdf)
    return gdf


def _keep_attrs(out: gpd.GeoDataFrame, source: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out.attrs.update(source.attrs)
    return out


def looks_like_rd(bounds: tuple[float, float, float, float]) -> bool:
    """Whether x/y bounds fall in the area of RD New (EPSG:28992) that covers the Netherlands."""
    minx, miny, maxx, maxy = bounds
    return -7_000 <= minx <= maxx <= 300_000 and 289_000 <= miny <= maxy <= 629_000


def _not_lonlat(path: Path, crs: str, bounds: tuple[float, float, float, float]) -> str:
    """The message for a geographic CRS whose coordinates are no longitude/latitude."""
    minx, miny, maxx, maxy = bounds
    default = ""
    if path.suffix.lower() in _GEOJSON_SUFFIXES:
        default = " (a GeoJSON without a 'crs' member is read as WGS84, RFC 7946)"
    guess = " They look like RD New (EPSG:28992) metres." if looks_like_rd(bounds) else ""
    fix = ('add "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}} '
           "to the GeoJSON" if path.suffix.lower() in _GEOJSON_SUFFIXES
           else "set the layer's CRS (a .prj next to the .shp, or gdf.set_crs(28992))")
    return (f"{path}: the CRS is {crs}, longitude/latitude in degrees{default}, but the "
            f"coordinates (x {minx:.0f}..{maxx:.0f}, y {miny:.0f}..{maxy:.0f}) are not "
            f"longitude/latitude.{guess} Declare the file's real CRS: {fix}, or write the "
            "file again in WGS84.")
