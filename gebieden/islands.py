"""Connected parts of the neighbour graph, and the shortest extra links that join them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from gebieden._guards import (
    geometry_array,
    ids_of,
    require_present,
    require_projected,
    require_unique_ids,
)
from gebieden.contiguity import Adjacency

Edge = tuple[str, str] | Adjacency


@dataclass(frozen=True)
class Bridge:
    """An extra link between districts a < b of two different parts, distance_m apart."""

    a: str
    b: str
    distance_m: float


def connected_parts(ids: Iterable[str], edges: Iterable[Edge]) -> list[list[str]]:
    """Return the connected parts of `ids` under `edges`: largest first, each part sorted.

    Edges are (a, b) tuples or Adjacency objects. Edges with an end outside `ids` are ignored,
    so all edges can be passed with a subset of ids (e.g. the districts of one lot).
    Raises ValueError if an edge is not a pair.
    """
    graph = nx.Graph()
    graph.add_nodes_from(str(i) for i in ids)
    for edge in edges:
        a, b = _ends(edge)
        if a in graph and b in graph:
            graph.add_edge(a, b)
    parts = [sorted(part) for part in nx.connected_components(graph)]
    return sorted(parts, key=lambda part: (-len(part), part[0]))


def nearest_bridges(gdf: gpd.GeoDataFrame, edges: Iterable[Edge]) -> list[Bridge]:
    """Return the fewest, shortest extra links that connect all parts of the districts.

    A minimum spanning tree over the connected parts, where two parts are linked by their
    nearest pair of districts (geometry distance in metres). Empty if already connected.
    Sorted by (distance_m, a, b).

    Raises GeometryError if the CRS is not projected in metres, ids are duplicated or
    geometries are empty.
    """
    require_projected(gdf, "nearest_bridges")
    require_unique_ids(gdf, "nearest_bridges")
    require_present(gdf, "nearest_bridges")
    ids = ids_of(gdf)
    parts = connected_parts(ids, edges)
    if len(parts) < 2:
        return []
    position = {district: k for k, district in enumerate(ids)}
    geoms = geometry_array(gdf)
    members = [np.array([position[d] for d in part]) for part in parts]
    trees = [shapely.STRtree(geoms[m]) for m in members]
    links = []
    for p in range(len(parts)):
        for q in range(p + 1, len(parts)):
            small, large = (p, q) if len(members[p]) <= len(members[q]) else (q, p)
            (inp, hit), dist = trees[large].query_nearest(
                geoms[members[small]], return_distance=True, all_matches=True
            )
            candidates = [
                (float(d), *sorted((ids[members[small][i]], ids[members[large][j]])))
                for i, j, d in zip(inp, hit, dist, strict=True)
            ]
            links.append((*min(candidates), p, q))
    union_find = nx.utils.UnionFind(range(len(parts)))
    bridges = []
    for distance, a, b, p, q in sorted(links):
        if union_find[p] != union_find[q]:
            union_find.union(p, q)
            bridges.append(Bridge(a, b, distance))
    return sorted(bridges, key=lambda bridge: (bridge.distance_m, bridge.a, bridge.b))


def _ends(edge: Edge) -> tuple[str, str]:
    """Return the two district ids of an edge; raise ValueError if it is not a pair."""
    if isinstance(edge, Adjacency):
        return edge.a, edge.b
    try:
        a, b = edge
    except (TypeError, ValueError) as exc:
        raise ValueError(f"An edge must be a pair (a, b) or an Adjacency, got {edge!r}.") from exc
    return str(a), str(b)
