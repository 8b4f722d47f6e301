"""Connectivity cuts that tighten the territory model's LP bound.

The flow constraints of the territory model are exact for integer solutions but weak in the
LP relaxation: a district taken a fraction of the way can carry the flow of a whole
territory. The cut

    z_db <= sum_{c in S} r_cb + sum_{c in N(S)} z_cb       for every district set S containing d

(if d belongs to b's territory, then either a root of b lies in S or the territory leaves S
through its border N(S)) is valid for every integer design. It is separated heuristically on
an LP solution: for thresholds t, every connected part S of {d : z_db > t} is tested for each
of its districts. Found cuts are added to the model as rows (a root cutting-plane loop), and
the MILP then starts from the tighter relaxation.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import numpy as np

from allocatie.design.territory import TerritoryModel
from allocatie.instance import Instance

THRESHOLDS = (0.0, 0.25, 0.5, 0.75, 0.99)


def separate_connectivity_cuts(tm: TerritoryModel, instance: Instance, values: np.ndarray,
                               tolerance: float = 1e-3) -> list[list[tuple[int, float]]]:
    """Violated cuts at the LP point ``values`` as rows ``terms <= 0`` (at most one per
    district and bidder: the most violated)."""
    if instance.rules.contiguity == "none":
        return []
    neighbours: dict[str, list[str]] = defaultdict(list)
    for e in instance.edges_for():
        neighbours[e.a].append(e.b)
        neighbours[e.b].append(e.a)
    best: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
    bidders = {b for _, b in tm.z}
    for b in bidders:
        z = {d: values[var] for (d, bb), var in tm.z.items() if bb == b}
        r = {d: values[tm.r[(d, b)]] for d in z}
        for t in THRESHOLDS:
            support = [d for d, value in z.items() if value > t + 1e-9]
            graph = nx.Graph()
            graph.add_nodes_from(support)
            graph.add_edges_from((d, e) for d in support for e in neighbours[d] if e in z
                                 and z[e] > t + 1e-9)
            for part in nx.connected_components(graph):
                border = {e for d in part for e in neighbours[d] if e not in part and e in z}
                rhs = sum(r[d] for d in part) + sum(z[e] for e in border)
                for d in part:
                    violation = z[d] - rhs
                    if violation > tolerance and violation > best.get((d, b), (0.0, None))[0]:
                        best[(d, b)] = (violation, frozenset(part))
    rows = []
    for (d, b), (_, part) in best.items():
        border = {e for c in part for e in neighbours[c] if e not in part and (e, b) in tm.z}
        row = [(tm.z[(d, b)], 1.0)]
        row += [(tm.r[(c, b)], -1.0) for c in part]
        row += [(tm.z[(e, b)], -1.0) for e in border]
        rows.append(row)
    return rows
