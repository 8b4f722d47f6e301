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
# The one contiguity rule of allocatie (validate, design, init and the reports all call
# `adjacency` with these defaults). Real CBS borders are not exact: two districts whose
# borders run within TOLERANCE_M of each other share that border; a shared border shorter
# than MIN_BORDER_M is a point contact (queen), not a shared border (rook).
TOLERANCE_M = 1.0
MIN_BORDER_M = 0.5
_ROBUST_GRID_M = 0.001
_BRIDGED_M = 0.5  # the tolerance added more border than this: reported as repaired
_EXACT_M = 0.001  # shorter exact overlaps of two boundaries are rounding, not a border


@dataclass(frozen=True, order=True)
class Adjacency:
    """Two touching districts (a < b), their shared border in metres and "rook"/"queen_only"."""

    a: str
    b: str
    border_m: float
    kind: str
    gap_m: float = 0.0  # > 0: shared within the tolerance only, apart by this much on average

    def __post_init__(self) -> None:
        if not self.a < self.b:
            raise ValueError(
                f"Adjacency needs a < b, got a={self.a!r}, b={self.b!r}; swap them or drop "
                "self-pairs."
            )


def adjacency(gdf: gpd.GeoDataFrame, kind: str = "rook", snap_m: float = TOLERANCE_M,
              min_border_m: float = MIN_BORDER_M) -> list[Adjacency]:
    """Return the neighbour pairs of `gdf`, sorted by (a, b), each with a < b.

    kind="rook": pairs sharing a border longer than `min_border_m` (border_m = length of the
    shared boundary). kind="queen": the rook pairs plus pairs that touch, or come within
    `snap_m`, with a shorter common border (kind "queen_only", border_m 0.0). With snap_m > 0
    (default TOLERANCE_M, 1 m) districts up to snap_m apart count as touching; border_m is
    then the larger of the exact shared length and the snapped one (each boundary snapped
    onto the other with shapely.snap, the longer common length), a pair without exact
    shared border counts as rook only if that length exceeds min_border_m, and `gap_m`
    says how far apart such a pair's borders are on average (sliver gap and overlap area
    divided by the border: what the tolerance repaired).
    Overlapping pairs count as rook with the mean length of each boundary inside the other.

    Raises ValueError for an unknown kind or negative snap_m, GeometryError if the CRS is not
    projected in metres, ids are duplicated or geometries are empty.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}.")
    if not snap_m >= 0:
        raise ValueError(f"snap_m must be a distance >= 0 in metres, got {snap_m!r}.")
    if not min_border_m >= 0:
        raise ValueError(f"min_border_m must be a length >= 0 in metres, got {min_border_m!r}.")
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
    exact = _exact_border(first, second)
    minimum = max(min_border_m, _EXACT_M)
    rook = exact > minimum
    border = exact
    if snap_m > 0:
        estimate = _snapped_border(first, second, snap_m)
        rook |= estimate > minimum
        border = np.maximum(exact, estimate)
    border = np.where(rook, border, 0.0)
    # pairs whose borders do not coincide over (part of) their length, only come near
    gaps = np.zeros(len(left))
    bridged = rook & (exact < border - _BRIDGED_M)
    if bridged.any():
        gaps[bridged] = _gap_m(first[bridged], second[bridged], snap_m, border[bridged])
    edges = []
    for i, j, length, is_rook, gap in zip(left, right, border, rook, gaps, strict=True):
        if not is_rook and kind == "rook":
            continue
        a, b = sorted((ids[i], ids[j]))
        edges.append(Adjacency(a, b, float(length), "rook" if is_rook else "queen_only",
                               float(gap)))
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
    """Return the shared border of districts up to snap_m apart: each boundary snapped onto
    the other (vertices within snap_m move onto it), the longer common length."""
    a, b = shapely.boundary(first), shapely.boundary(second)
    onto_b = _robust_length(shapely.snap(a, b, snap_m), b)
    onto_a = _robust_length(shapely.snap(b, a, snap_m), a)
    return np.maximum(onto_a, onto_b)


def _gap_m(first: np.ndarray, second: np.ndarray, snap_m: float,
           border: np.ndarray) -> np.ndarray:
    """Return how far apart the near-shared borders of each pair are, on average (metres):
    the area of the sliver gap and overlap between them divided by the border length."""
    union = shapely.union(first, second)
    closed = shapely.buffer(shapely.buffer(union, snap_m, join_style="mitre"), -snap_m,
                            join_style="mitre")
    zone = shapely.buffer(shapely.intersection(shapely.boundary(first),
                                               shapely.buffer(second, snap_m)), snap_m)
    gap = shapely.area(shapely.intersection(shapely.difference(closed, union), zone))
    overlap = shapely.area(shapely.intersection(first, second))
    return np.maximum((gap + overlap) / np.maximum(border, 1e-9), 1e-12)


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
