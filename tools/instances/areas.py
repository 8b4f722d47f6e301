"""The geometry of a generated tender: rook neighbours (on gebieden), connected parts, and the
current areas (angular sectors around a town, or grown regions), kept contiguous."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

import gebieden

RD_CRS = "EPSG:28992"


RD_CRS_MEMBER = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}


Adjacency = list[dict[int, float]]  # node -> {neighbour: shared border in metres}


def rook_adjacency(geoms: gpd.GeoSeries | Sequence, min_border_m: float = 1.0) -> Adjacency:
    """Neighbours sharing a border longer than ``min_border_m`` (positional indices).

    The pairs and border lengths come from :func:`gebieden.adjacency` (rook).
    """
    frame = gpd.GeoDataFrame(geometry=list(geoms), crs=RD_CRS)
    adj: Adjacency = [{} for _ in range(len(frame))]
    for edge in gebieden.adjacency(frame, kind="rook"):
        if edge.border_m > min_border_m:
            i, j = int(edge.a), int(edge.b)
            adj[i][j] = edge.border_m
            adj[j][i] = edge.border_m
    return adj


def components(nodes: Iterable[int], adj: Adjacency) -> list[list[int]]:
    """Connected components of the subgraph induced by ``nodes`` (sorted lists, by first node).

    :func:`gebieden.connected_parts` on positional indices.
    """
    edges = [(str(u), str(v)) for u, near in enumerate(adj) for v in near if u < v]
    parts = gebieden.connected_parts((str(u) for u in nodes), edges)
    return sorted(sorted(int(u) for u in part) for part in parts)


def repair_contiguity(labels: np.ndarray, adj: Adjacency, weights: np.ndarray) -> np.ndarray:
    """Move every disconnected piece of an area to the neighbour area with the longest border.

    Each move lowers the total number of pieces, so this ends; the graph must be connected.
    """
    labels = labels.copy()
    while True:
        changed = False
        for g in sorted(set(labels.tolist())):
            comps = components(np.flatnonzero(labels == g).tolist(), adj)
            if len(comps) <= 1:
                continue
            keep = max(comps, key=lambda c: (weights[c].sum(), len(c), -c[0]))
            for comp in comps:
                if comp is keep:
                    continue
                border: dict[int, float] = defaultdict(float)
                for u in comp:
                    for v, length in adj[u].items():
                        if labels[v] != g:
                            border[int(labels[v])] += length
                if border:
                    target = max(sorted(border), key=lambda t: border[t])
                    labels[comp] = target
                    changed = True
        if not changed:
            return labels


def _cut_balanced(weights: np.ndarray, k: int) -> np.ndarray:
    """Group index of each element of an ordered sequence cut into k balanced runs."""
    n = len(weights)
    cum = np.concatenate([[0.0], np.cumsum(weights)])
    total = cum[-1]
    groups = np.zeros(n, dtype=int)
    prev = 0
    for j in range(1, k):
        lo, hi = prev + 1, n - (k - j)
        p = lo + int(np.argmin(np.abs(cum[lo : hi + 1] - j * total / k)))
        groups[p:] = j
        prev = p
    return groups


def angular_design(
    points: np.ndarray, weights: np.ndarray, k: int, centre: Sequence[float], adj: Adjacency
) -> np.ndarray:
    """Cut districts into k angular sectors around ``centre``, balanced by weight.

    Tries every rotation of the angular order; keeps the one with fewest disconnected pieces,
    then the smallest largest deviation from an equal split. Returns labels 0..k-1.
    """
    n = len(points)
    if k <= 1 or n <= 1:
        return np.zeros(n, dtype=int)
    angle = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    order = np.lexsort((np.arange(n), angle))
    w = np.asarray(weights, dtype=float) + 1.0
    target = w.sum() / k
    best_key, best = None, None
    for start in range(n):
        seq = np.roll(order, -start)
        labels = np.empty(n, dtype=int)
        labels[seq] = _cut_balanced(w[seq], k)
        pieces = sum(len(components(np.flatnonzero(labels == g).tolist(), adj)) for g in range(k))
        dev = max(abs(w[labels == g].sum() - target) for g in range(k)) / target
        key = (pieces, round(dev, 9), start)
        if best_key is None or key < best_key:
            best_key, best = key, labels
    assert best is not None
    return best


def grown_design(
    points: np.ndarray, weights: np.ndarray, k: int, adj: Adjacency, seed: int
) -> np.ndarray:
    """K contiguous regions grown from farthest-point seeds; the lightest region grows first."""
    rng = np.random.default_rng(seed)
    n = len(points)
    seeds = [int(rng.integers(n))]
    dist = np.hypot(*(points - points[seeds[0]]).T)
    while len(seeds) < k:
        nxt = int(np.argmax(dist))
        seeds.append(nxt)
        dist = np.minimum(dist, np.hypot(*(points - points[nxt]).T))
    labels = np.full(n, -1, dtype=int)
    totals = np.zeros(k)
    for r, s in enumerate(seeds):
        labels[s] = r
        totals[r] = weights[s] + 1.0
    members: list[set[int]] = [{s} for s in seeds]
    while (labels < 0).any():
        for r in np.lexsort((np.arange(k), totals)):
            cand = sorted({v for u in members[r] for v in adj[u] if labels[v] < 0})
            if not cand:
                continue
            d = np.hypot(*(points[cand] - points[seeds[r]]).T)
            v = cand[int(np.argmin(d))]
            labels[v] = r
            members[r].add(v)
            totals[r] += weights[v] + 1.0
            break
        else:  # graph not connected: give the rest to the nearest seed
            rest = np.flatnonzero(labels < 0)
            for v in rest:
                labels[v] = int(np.argmin(np.hypot(*(points[seeds] - points[v]).T)))
    return labels


def balance_areas(
    labels: np.ndarray,
    adj: Adjacency,
    weights: np.ndarray,
    classes: np.ndarray | None = None,
    max_passes: int = 50,
) -> np.ndarray:
    """Local search: move border districts between neighbouring areas of the same class while
    that lowers the squared deviation from the class's mean area weight and keeps both areas
    connected. ``classes`` is per district (e.g. town / rural); default one class."""
    labels = labels.copy()
    n = len(labels)
    w = np.asarray(weights, dtype=float) + 1.0
    cls = np.zeros(n, dtype=int) if classes is None else np.asarray(classes, dtype=int)
    area_cls = {int(g): int(cls[labels == g][0]) for g in set(labels.tolist())}
    totals = {g: float(w[labels == g].sum()) for g in area_cls}
    target = {}
    for c in set(area_cls.values()):
        group = [g for g in area_cls if area_cls[g] == c]
        target[c] = sum(totals[g] for g in group) / len(group)
    for _ in range(max_passes):
        moved = False
        for u in range(n):
            a = int(labels[u])
            t = target[area_cls[a]]
            for b in sorted({int(labels[v]) for v in adj[u]} - {a}):
                if area_cls[b] != area_cls[a]:
                    continue
                old = (totals[a] - t) ** 2 + (totals[b] - t) ** 2
                new = (totals[a] - w[u] - t) ** 2 + (totals[b] + w[u] - t) ** 2
                if new >= old - 1e-9:
                    continue
                rest = [v for v in np.flatnonzero(labels == a).tolist() if v != u]
                if not rest or len(components(rest, adj)) != 1:
                    continue
                labels[u] = b
                totals[a] -= w[u]
                totals[b] += w[u]
                moved = True
                break
        if not moved:
            break
    return labels


def representative_points(districts: gpd.GeoDataFrame) -> np.ndarray:
    """A point inside each district (x, y in the districts' CRS)."""
    rp = districts.geometry.representative_point()
    return np.column_stack([rp.x.to_numpy(), rp.y.to_numpy()])


def current_areas(
    districts: gpd.GeoDataFrame,
    k: int,
    seed: int,
    town: Sequence[bool] | None = None,
    k_town: int = 0,
    centre: Sequence[float] | None = None,
    adj: Adjacency | None = None,
) -> pd.Series:
    """Today's K contiguous areas as lot labels "1".."K" (town areas first), indexed like
    ``districts``. With ``town``: angular sectors (see module docstring); else grown regions."""
    adj = adj if adj is not None else rook_adjacency(districts.geometry)
    pts = representative_points(districts)
    w = districts["clients"].to_numpy(dtype=float)
    n = len(districts)
    if town is None or k_town <= 0:
        labels = grown_design(pts, w, k, adj, seed)
    else:
        mask = np.asarray(town, dtype=bool)
        if centre is None:
            centre = np.average(pts[mask], axis=0, weights=w[mask] + 1.0)
        labels = np.empty(n, dtype=int)
        for sub, kk, offset in ((mask, k_town, 0), (~mask, k - k_town, k_town)):
            idx = np.flatnonzero(sub)
            local = {int(g): i for i, g in enumerate(idx)}
            sub_adj: Adjacency = [
                {local[v]: b for v, b in adj[g].items() if v in local} for g in idx
            ]
            labels[idx] = angular_design(pts[idx], w[idx], kk, centre, sub_adj) + offset
    labels = repair_contiguity(labels, adj, w)
    classes = None
    if town is not None and k_town > 0:
        classes = (labels >= k_town).astype(int)  # town areas vs rural areas after the repair
    labels = balance_areas(labels, adj, w, classes)
    # renumber by first appearance within the town/rural order, so labels stay 1..K
    order = sorted(set(labels.tolist()))
    if len(order) != k:
        raise ValueError(f"could not build {k} contiguous areas (got {len(order)})")
    remap = {g: str(i + 1) for i, g in enumerate(order)}
    return pd.Series([remap[g] for g in labels.tolist()], index=districts.index, name="lot")
