"""The decision layer's one door to :mod:`gebieden`: district polygons and lot polygons for
results, maps and reports. Model code never imports this module."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

import gebieden
from allocatie.checker import Evaluation
from allocatie.instance import Instance
from allocatie.solution import Solution

COORDINATE_DECIMALS = 5  # about 1 m in WGS84 degrees


def district_frame(instance: Instance) -> gpd.GeoDataFrame | None:
    """The instance's district polygons (projected CRS, index = district id), or None when the
    instance was built in code without a districts file."""
    if instance.folder is None or "districts" not in instance.files:
        return None
    from allocatie.io.instance_toml import read_geometry_settings

    settings = read_geometry_settings(instance.folder)
    path = (Path(instance.folder) / instance.files["districts"]).resolve()
    stat = path.stat()
    frame = _repaired_districts(str(path), stat.st_mtime_ns, stat.st_size,
                                settings["id_field"], settings["layer"])
    return frame.loc[[d for d in instance.district_ids if d in frame.index]]


@lru_cache(maxsize=2)
def _repaired_districts(path: str, mtime_ns: int, size: int, id_field: str,
                        layer: str | None) -> gpd.GeoDataFrame:
    """The districts file read and repaired once per run (the results folder and the report
    both draw it); a changed file (time or size) is read again. Callers get a copy
    (``.loc``), never this frame."""
    frame = gebieden.read_districts(Path(path), id_field=id_field, layer=layer)
    frame, _issues = gebieden.check_geometry(frame, repair=True)
    return frame


def lot_table(solution: Solution, evaluation: Evaluation) -> pd.DataFrame:
    """Per-lot figures indexed by lot: winner, districts, clients, cost (a combination's
    share by :mod:`allocatie.lot_shares`), transitions, the combination bid ("" if none)."""
    rows = [
        {"lot": f.lot, "winner": f.winner or "", "districts": len(f.districts),
         "clients": f.clients, "cost": round(f.cost, 2), "transitions": f.transitions,
         "combination": f.combination}
        for f in evaluation.lots
    ]
    return pd.DataFrame(rows).set_index("lot")


def lots_frame(instance: Instance, solution: Solution,
               evaluation: Evaluation) -> gpd.GeoDataFrame | None:
    """One dissolved (multi)polygon per lot with its figures, or None without geometry."""
    districts = district_frame(instance)
    if districts is None:
        return None
    return gebieden.dissolve_lots(districts, dict(solution.assignment),
                                  extra=lot_table(solution, evaluation))


def write_lots_geojson(path: Path, instance: Instance, solution: Solution,
                       evaluation: Evaluation) -> None:
    """Write ``lots.geojson`` (WGS84, RFC 7946); skipped without district geometry."""
    frame = lots_frame(instance, solution, evaluation)
    if frame is not None:
        gebieden.write_geojson_atomic(frame.reset_index(), path)


def rounded_geojson(geometry) -> Mapping:
    """GeoJSON geometry with coordinates rounded to about a metre."""
    mapped = shapely.geometry.mapping(geometry)
    return {"type": mapped["type"], "coordinates": _rounded(mapped["coordinates"])}


def _rounded(value):
    if isinstance(value, tuple | list):
        if value and isinstance(value[0], float | int):
            return [round(float(v), COORDINATE_DECIMALS) for v in value[:2]]
        return [_rounded(v) for v in value]
    return value
