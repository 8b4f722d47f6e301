"""Merge districts into lots (percelen)."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping

import geopandas as gpd
import pandas as pd
import shapely

from gebieden._guards import format_ids, geometry_array, ids_of, polygonal_part
from gebieden.errors import GeometryError


def dissolve_lots(
    gdf: gpd.GeoDataFrame, mapping: Mapping[str, str], extra: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """Return one row per lot (index "lot", natural order) with the union of its districts.

    Columns: `districts` (number of districts), the columns of `extra` (indexed by lot, joined
    on the lot; lots missing from `extra` get NaN) and `geometry` (Polygon or MultiPolygon).
    A `districts` column in `extra` is accepted if it agrees with the count. Districts not in
    `mapping` are left out. Keeps the CRS of `gdf`.

    Raises GeometryError if `mapping` names ids missing from `gdf`; ValueError if `extra` has
    duplicate lots, a "geometry" column, or a "districts" column that disagrees.
    """
    ids = ids_of(gdf)
    known = set(ids)
    missing = sorted({str(d) for d in mapping} - known)
    if missing:
        raise GeometryError(
            f"dissolve_lots: the mapping names {len(missing)} district id(s) not in the "
            f"districts: {format_ids(missing)}; expected ids from the index (e.g. "
            f"{format_ids(ids, 3)}). Remove them from the mapping or add those districts."
        )
    lookup = {str(d): lot for d, lot in mapping.items()}
    members: dict[Hashable, list[int]] = {}
    for position, district in enumerate(ids):
        if district in lookup:
            members.setdefault(lookup[district], []).append(position)
    lots = sorted(members, key=natural_key)
    geoms = geometry_array(gdf)
    shapes = [polygonal_part(shapely.union_all(geoms[members[lot]])) for lot in lots]
    result = gpd.GeoDataFrame(
        {"districts": [len(members[lot]) for lot in lots]},
        geometry=gpd.GeoSeries(shapes, crs=gdf.crs).values,
        index=pd.Index(lots, name="lot"),
        crs=gdf.crs,
    )
    if extra is None:
        return result
    _check_extra(extra, result["districts"])
    joined = result.drop(columns="geometry").join(extra.drop(columns="districts", errors="ignore"))
    joined["geometry"] = result.geometry.values
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=gdf.crs)


def natural_key(value: object) -> tuple[tuple[int, int, str], ...]:
    """Return a sort key that orders "lot2" before "lot10" (digit runs compare as numbers)."""
    chunks = re.findall(r"\d+|\D+", str(value))
    return tuple((0, int(c), "") if c.isdigit() else (1, 0, c) for c in chunks)


def _check_extra(extra: pd.DataFrame, counts: pd.Series) -> None:
    """Return None if `extra` can be joined; raise TypeError/ValueError saying why not."""
    if not isinstance(extra, pd.DataFrame):
        raise TypeError(f"extra must be a pandas DataFrame indexed by lot, got {type(extra)}.")
    if "geometry" in extra.columns:
        raise ValueError(
            "extra has a 'geometry' column; dissolve_lots makes the lot geometry itself. "
            "Rename or drop that column."
        )
    if "districts" in extra.columns:
        given = extra["districts"].reindex(counts.index)
        wrong = [str(lot) for lot in counts.index[given.notna() & (given != counts)]]
        if wrong:
            raise ValueError(
                f"extra column 'districts' disagrees with the number of districts mapped to "
                f"lot(s) {format_ids(wrong)}; expected the counts {counts.to_dict()} or no such "
                "column. Drop or fix it."
            )
    if extra.index.has_duplicates:
        dups = sorted({str(i) for i in extra.index[extra.index.duplicated()]})
        raise ValueError(
            f"extra has duplicate lots in its index: {format_ids(dups)}; expected one row per lot."
        )
