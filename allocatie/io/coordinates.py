"""Are the district coordinates plausible for the declared CRS and for the Netherlands?

A wrong CRS rarely fails loudly: RD New coordinates declared as EPSG:3857 project to the Gulf
of Guinea, and swapped latitude/longitude to the Arabian Sea, yet the districts still touch
each other and a design comes out. :func:`coordinate_problems` compares where the districts
land with the Netherlands and names the declared CRS, and what the coordinates look like
instead, when they do not.
"""

from __future__ import annotations

from typing import Any

from allocatie.errors import Problem

# longitude/latitude box around the Netherlands, with a margin for the Wadden and borders
NL_LON = (3.0, 7.5)
NL_LAT = (50.6, 53.8)
RD_MEMBER = '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}'


def lonlat_bounds(gdf: Any) -> tuple[float, float, float, float]:
    """The WGS84 bounds (lon min, lat min, lon max, lat max) of a projected GeoDataFrame."""
    import geopandas as gpd
    import shapely

    envelope = gpd.GeoSeries([shapely.box(*gdf.total_bounds)], crs=gdf.crs)
    return tuple(float(v) for v in envelope.to_crs("EPSG:4326").total_bounds)  # type: ignore


def in_netherlands(bounds: tuple[float, float, float, float]) -> bool:
    """Whether lon/lat bounds lie inside the box around the Netherlands."""
    lon0, lat0, lon1, lat1 = bounds
    return NL_LON[0] <= lon0 <= lon1 <= NL_LON[1] and NL_LAT[0] <= lat0 <= lat1 <= NL_LAT[1]


def coordinate_problems(gdf: Any, file: str) -> tuple[list[Problem], list[str]]:
    """(problems, warnings) about where the districts of ``file`` lie.

    ``gdf`` is what :func:`gebieden.read_districts` returns (projected, with the CRS as read
    in ``attrs["source_crs"]`` and its bounds in ``attrs["source_bounds"]``). Coordinates
    that look like RD New under another CRS, or swapped latitude/longitude, are problems;
    other places outside the Netherlands are a warning. Never raises.
    """
    from gebieden.reading import looks_like_rd

    if gdf.crs is None or gdf.empty:
        return [], []
    try:
        where = lonlat_bounds(gdf)
    except Exception:  # noqa: BLE001 - an odd CRS without a transformation: nothing to judge
        return [], []
    if in_netherlands(where):
        return [], []
    declared = gdf.attrs.get("source_crs") or gdf.crs.to_string()
    raw = gdf.attrs.get("source_bounds")
    lon0, lat0, lon1, lat1 = where
    landed = (f"with the declared CRS {declared} the districts lie at longitude "
              f"{lon0:.2f}..{lon1:.2f}, latitude {lat0:.2f}..{lat1:.2f}, outside the "
              "Netherlands")
    geojson = file.lower().endswith((".geojson", ".json"))
    if raw is not None and looks_like_rd(raw) and "28992" not in str(declared):
        fix = (f"add {RD_MEMBER} to the GeoJSON (replacing the crs member it has)" if geojson
               else "set the layer's CRS to EPSG:28992 (RD New)")
        message = (f"{landed}; the coordinates (x {raw[0]:.0f}..{raw[2]:.0f}, y "
                   f"{raw[1]:.0f}..{raw[3]:.0f}) look like RD New (EPSG:28992) metres, not "
                   f"{declared}")
        return [Problem(message, file=file, hint=fix)], []
    if raw is not None and _swapped(raw):
        message = (f"{landed}; the coordinates look like latitude/longitude in the wrong "
                   f"order (x {raw[0]:.2f}..{raw[2]:.2f} is a latitude of the Netherlands, "
                   f"y {raw[1]:.2f}..{raw[3]:.2f} a longitude)")
        return [Problem(message, file=file, hint="write every point as [longitude, latitude] "
                        "(x first), as RFC 7946 GeoJSON requires")], []
    return [], [f"{file}: {landed}; check that the file's CRS ({declared}) is right"]


def _swapped(raw: tuple[float, float, float, float]) -> bool:
    minx, miny, maxx, maxy = raw
    return in_netherlands((miny, minx, maxy, maxx))
