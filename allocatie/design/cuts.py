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


def client_bound_cuts(tm: TerritoryModel, instance: Instance,
                      owner: dict[str, str], lots: dict[str, int]) -> list[tuple[list, float]]:
    """Cuts from the client bounds per lot, for an integer territory solution.

    A connected part C of bidder b's territory must be cut into k lots with
    k L_min <= clients(C) <= k L_max. When no such k exists, C cannot be a part of b's
    territory in any feasible design: ``sum_{d in C} (1 - z_db) + sum_{e in N(C)} z_eb >= 1``.
    When the parts need more (or allow fewer) lots than ``n_b``, the same indicator bounds
    ``n_b``. Returns rows as (terms, lower bound) meaning ``sum terms >= lower bound``.
    """
    rules = instance.rules
    low, high = rules.lot_clients_min, rules.lot_clients_max
    if rules.soft_client_bounds or (low is None and high is None):
        return []
    graph = nx.Graph()
    graph.add_edges_from((e.a, e.b) for e in instance.edges_for())
    graph.add_nodes_from(instance.district_ids)
    rows: list[tuple[list, float]] = []
    for b in sorted(set(owner.values())):
        territory = [d for d, o in owner.items() if o == b]
        parts = list(nx.connected_components(graph.subgraph(territory)))
        need_total, allow_total, indicator = 0, 0, []
        for part in parts:
            clients = sum(instance.clients(d) for d in part)
            k_min = max(1, -(-clients // high)) if high else 1
            k_max = min(len(part), clients // low) if low else len(part)
            border = {e for d in part for e in graph[d] if e not in part and (e, b) in tm.z}
            terms = [(tm.z[(d, b)], -1.0) for d in part] + [(tm.z[(e, b)], 1.0) for e in border]
            constant = float(len(part))  # sum (1 - z) = |C| - sum z
            if k_min > k_max:
                rows.append((terms, 1.0 - constant))
            need_total += k_min
            allow_total += k_max
            indicator += terms
            indicator_constant = constant
            del indicator_constant
        n_b = lots.get(b, 0)
        total_constant = float(sum(len(p) for p in parts))
        if need_total > n_b:
            # n_b >= need * (1 - I), I = sum indicators  <=>  n_b - need*(C - sum z ...) >= ..
            rows.append(([(tm.n[b], 1.0)] + [(v, need_total * c) for v, c in indicator],
                         need_total - need_total * total_constant))
        if allow_total < n_b:
            big = tm.model.ub[tm.n[b]]
            rows.append(([(tm.n[b], -1.0)] + [(v, big * c) for v, c in indicator],
                         -allow_total - big * total_constant))
    return rows
