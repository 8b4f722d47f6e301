"""Which districts are neighbours (rook/queen contiguity) and how long their shared borders are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.errors import GEOSException

from gebieden._guards import (
    format_ids,
    geometry_array,
    ids_of,
    require_present,
    require_projected,
    require_unique_ids,
)

KINDS = ("rook", "queen")
MIN_BORDER_M = 0.001
_ROBUST_GRID_M = 0.001


@dataclass(frozen=True, order=True)
class Adjacency:
    """Two touching districts (a < b), their shared border in metres and "rook"/"queen_only"."""

    a: str
    b: str
    border_m: float
    kind: str

    def __post_init__(self) -> None:
        if not self.a < self.b:
            raise ValueError(
                f"Adjacency needs a < b, got a={self.a!r}, b={self.b!r}; swap them or drop "
                "self-pairs."
            )


def adjacency(gdf: gpd.GeoDataFrame, kind: str = "rook", snap_m: float = 0.0) -> list[Adjacency]:
    """Return the neighbour pairs of `gdf`, sorted by (a, b), each with a < b.

    kind="rook": pairs sharing a border of positive length (border_m = length of the shared
    boundary). kind="queen": the rook pairs plus pairs that touch only at a point
    (kind "queen_only", border_m 0.0). With snap_m > 0 districts up to snap_m apart count as
    touching; border_m is then the larger of the exact shared length and an estimate (the
    length of each boundary within snap_m of the other, averaged, minus 2*snap_m), and a pair
    without exact shared border counts as rook only if that estimate exceeds snap_m.
    Overlapping pairs count as rook with the mean length of each boundary inside the other.

    Raises ValueError for an unknown kind or negative snap_m, GeometryError if the CRS is not
    projected in metres, ids are duplicated or geometries are empty.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}.")
    if not snap_m >= 0:
        raise ValueError(f"snap_m must be a distance >= 0 in metres, got {snap_m!r}.")
    require_projected(gdf, "adjacency")
    require_unique_ids(gdf, "adjacency")
    require_present(gdf, "adjacency")
    ids = ids_of(gdf)
    geoms = geometry_array(gdf)
    tree = shapely.STRtree(geoms)
    if snap_m > 0:
        left, right = tree.query(geoms, predicate="dwithin", distance=snap_m)
    else:
        left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    first, second = geoms[left], geoms[right]
    border = _exact_border(first, second)
    rook = border > MIN_BORDER_M
    if snap_m > 0:
        estimate = _snapped_border(first, second, snap_m)
        rook |= estimate > snap_m
        border = np.where(rook, np.maximum(border, estimate), 0.0)
    else:
        border = np.where(rook, border, 0.0)
    edges = []
    for i, j, length, is_rook in zip(left, right, border, rook, strict=True):
        if not is_rook and kind == "rook":
            continue
        a, b = sorted((ids[i], ids[j]))
        edges.append(Adjacency(a, b, float(length), "rook" if is_rook else "queen_only"))
    return sorted(edges)


def cut_border_m(edges: Iterable[Adjacency], mapping: Mapping[str, str]) -> float:
    """Return the total border length (m) between districts that `mapping` puts in different lots.

    Raises ValueError if an edge names a district that `mapping` does not assign.
    """
    total = 0.0
    unassigned: set[str] = set()
    for edge in edges:
        if edge.a not in mapping or edge.b not in mapping:
            unassigned.update(d for d in (edge.a, edge.b) if d not in mapping)
            continue
        if mapping[edge.a] != mapping[edge.b]:
            total += edge.border_m
    if unassigned:
        raise ValueError(
            "cut_border_m: edges name district(s) without a lot: "
            f"{format_ids(sorted(unassigned))}; "
            "expected every district of the edges in the mapping. Assign them or drop those edges."
        )
    return total


def _exact_border(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Return the shared boundary length per pair; overlapping pairs get the overlap estimate."""
    border = _robust_length(shapely.boundary(first), shapely.boundary(second))
    overlapping = shapely.intersects(first, second) & ~shapely.touches(first, second)
    if overlapping.any():
        a, b = first[overlapping], second[overlapping]
        inside = (
            _robust_length(shapely.boundary(a), b) + _robust_length(shapely.boundary(b), a)
        ) / 2.0
        border[overlapping] = np.maximum(border[overlapping], inside)
    return border


def _snapped_border(first: np.ndarray, second: np.ndarray, snap_m: float) -> np.ndarray:
    """Return the buffer estimate of the shared border for districts up to snap_m apart."""
    near_first = _robust_length(shapely.boundary(first), shapely.buffer(second, snap_m))
    near_second = _robust_length(shapely.boundary(second), shapely.buffer(first, snap_m))
    return np.maximum((near_first + near_second) / 2.0 - 2.0 * snap_m, 0.0)


def _robust_length(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the length of the intersection of a[k] and b[k], robust to GEOS topology errors."""
    try:
        return shapely.length(shapely.intersection(a, b))
    except GEOSException:
        return np.array(
            [
                shapely.length(shapely.intersection(x, y, grid_size=_ROBUST_GRID_M))
                for x, y in zip(a, b, strict=True)
            ],
            dtype=float,
        )
