"""Check district polygons: invalid rings, overlaps and sliver gaps."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.errors import GEOSException

from gebieden._guards import format_ids, geometry_array, ids_of, polygonal_part, require_projected

ISSUE_KINDS = ("invalid_repaired", "invalid", "overlap", "sliver_gap")
OVERLAP_MIN_M2 = 1.0
_TOUCH_TOLERANCE_M = 0.01
_ROBUST_GRID_M = 0.001


@dataclass(frozen=True)
class GeometryIssue:
    """One problem found by `check_geometry`; `kind` is one of ISSUE_KINDS."""

    kind: str
    ids: tuple[str, ...]
    message: str
    area_m2: float | None = None


def check_geometry(
    gdf: gpd.GeoDataFrame, repair: bool = True, sliver_max_ha: float = 5.0
) -> tuple[gpd.GeoDataFrame, list[GeometryIssue]]:
    """Return (districts, issues): a copy with invalid polygons repaired, and what was found.

    Invalid polygons are repaired with shapely.make_valid, keeping only polygonal parts
    ("invalid_repaired"), or reported as "invalid" when repair=False or repair leaves no area.
    Also reports overlaps over 1 m² ("overlap") and holes in the union smaller than
    `sliver_max_ha` that touch 2+ districts ("sliver_gap"). Overlaps and gaps are not changed.

    Raises GeometryError if the CRS is missing, geographic or not in metres.
    """
    require_projected(gdf, "check_geometry")
    if not sliver_max_ha >= 0:
        raise ValueError(f"sliver_max_ha must be >= 0 hectare, got {sliver_max_ha!r}.")
    ids = ids_of(gdf)
    geoms = geometry_array(gdf)
    repaired, work, issues = _repair_invalid(ids, geoms, repair)
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(repaired, crs=gdf.crs).values
    present = np.flatnonzero(~(shapely.is_missing(work) | shapely.is_empty(work)))
    if len(present):
        issues += _overlaps(ids, work, present)
        issues += _sliver_gaps(ids, work, present, sliver_max_ha * 10_000.0)
    return out, issues


def _repair_invalid(
    ids: list[str], geoms: np.ndarray, repair: bool
) -> tuple[np.ndarray, np.ndarray, list[GeometryIssue]]:
    """Return (geometries to keep, valid geometries to analyse, issues) for invalid polygons."""
    repaired = geoms.copy()
    work = geoms.copy()
    issues: list[GeometryIssue] = []
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for k in np.flatnonzero(missing):
        issues.append(
            GeometryIssue(
                "invalid",
                (ids[k],),
                f"district {ids[k]} has an empty or missing geometry; expected a polygon. "
                "Fix the source or drop the district.",
            )
        )
    invalid = ~shapely.is_valid(geoms) & ~missing
    for k in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[k])
        fixed = polygonal_part(shapely.make_valid(geoms[k]))
        work[k] = fixed if not fixed.is_empty else None
        if fixed.is_empty:
            issues.append(
                GeometryIssue(
                    "invalid",
                    (ids[k],),
                    f"district {ids[k]} is invalid ({reason}) and make_valid leaves no polygon "
                    "area; fix the source geometry.",
                )
            )
        elif repair:
            repaired[k] = fixed
            issues.append(
                GeometryIssue(
                    "invalid_repaired",
                    (ids[k],),
                    f"district {ids[k]} was invalid ({reason}); repaired with make_valid "
                    f"to a {fixed.geom_type} of {fixed.area:,.1f} m². Check the result.",
                    float(fixed.area),
                )
            )
        else:
            issues.append(
                GeometryIssue(
                    "invalid",
                    (ids[k],),
                    f"district {ids[k]} is invalid ({reason}) and was not repaired "
                    "(repair=False); use check_geometry(gdf, repair=True) or fix the source.",
                )
            )
    return repaired, work, issues


def _overlaps(ids: list[str], work: np.ndarray, present: np.ndarray) -> list[GeometryIssue]:
    """Return an "overlap" issue per pair of districts whose intersection exceeds 1 m²."""
    geoms = work[present]
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    keep = ~shapely.touches(geoms[left], geoms[right])
    left, right = left[keep], right[keep]
    areas = _intersection_areas(geoms[left], geoms[right])
    issues = []
    for i, j, area in zip(left, right, areas, strict=True):
        if area > OVERLAP_MIN_M2:
            a, b = sorted((ids[present[i]], ids[present[j]]))
            issues.append(
                GeometryIssue(
                    "overlap",
                    (a, b),
                    f"districts {a} and {b} overlap by {area:,.1f} m²; expected districts that "
                    "only share borders. Fix the source so the area belongs to one of them.",
                    float(area),
                )
            )
    return sorted(issues, key=lambda issue: issue.ids)


def _intersection_areas(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the intersection areas of pairs a[k], b[k], robust to GEOS topology errors."""
    try:
        return shapely.area(shapely.intersection(a, b))
    except GEOSException:
        return np.array(
            [
                shapely.area(shapely.intersection(x, y, grid_size=_ROBUST_GRID_M))
                for x, y in zip(a, b, strict=True)
            ],
            dtype=float,
        )


def _sliver_gaps(
    ids: list[str], work: np.ndarray, present: np.ndarray, max_area_m2: float
) -> list[GeometryIssue]:
    """Return a "sliver_gap" issue per small hole in the union that touches 2+ districts."""
    geoms = work[present]
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(ring) for poly in shapely.get_parts(union) for ring in poly.interiors]
    holes = [h for h in holes if 0 < h.area < max_area_m2]
    if not holes:
        return []
    hole_idx, geom_idx = shapely.STRtree(geoms).query(
        np.asarray(holes, dtype=object), predicate="dwithin", distance=_TOUCH_TOLERANCE_M
    )
    issues = []
    for h, hole in enumerate(holes):
        around = sorted({ids[present[g]] for g in geom_idx[hole_idx == h]})
        if len(around) < 2:
            continue
        x, y = hole.representative_point().coords[0]
        issues.append(
            GeometryIssue(
                "sliver_gap",
                tuple(around),
                f"gap of {hole.area:,.1f} m² ({hole.area / 10_000:.3f} ha) near "
                f"({x:.0f}, {y:.0f}) between districts {format_ids(around)}; expected districts "
                "without gaps. Merge the gap into one neighbour, or widen the contiguity tolerance "
                "([geometry] contiguity_snap_m in instance.toml; adjacency(snap_m=...) in Python).",
                float(hole.area),
            )
        )
    return sorted(issues, key=lambda issue: issue.ids)
