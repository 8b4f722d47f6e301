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

import networkx as nx
import numpy as np

from allocatie.budget import Budget
from allocatie.design.territory import TerritoryModel
from allocatie.instance import Instance
from allocatie.settings import SolverSettings

THRESHOLDS = (0.0, 0.25, 0.5, 0.75, 0.99)
SCALE = 10**6  # separator weights in millionths: integer max-flow capacities
MAX_CHECK_S = 30.0  # time limit of one split check of a territory part
MIN_CHECK_S = 0.5  # with less time left no part is checked


def support_parts(z: dict[str, float], neighbours) -> list[set[str]]:
    """The connected parts of {d : z_d > t} for every threshold t, as candidate sets S."""
    parts = []
    for t in THRESHOLDS:
        support = [d for d, value in z.items() if value > t + 1e-9]
        graph = nx.Graph()
        graph.add_nodes_from(support)
        graph.add_edges_from((d, e) for d in support for e in neighbours[d]
                             if e in z and z[e] > t + 1e-9)
        parts += [set(part) for part in nx.connected_components(graph)]
    return parts


def separate_connectivity_cuts(tm: TerritoryModel, instance: Instance, values: np.ndarray,
                               tolerance: float = 1e-3) -> list[list[tuple[int, float]]]:
    """Violated cuts at the LP point ``values`` as rows ``terms <= 0`` (at most one per
    district and bidder: the most violated)."""
    if instance.rules.contiguity == "none":
        return []
    neighbours = instance.neighbours
    best: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
    for b in sorted({b for _, b in tm.z}):
        z = {d: values[var] for (d, bb), var in tm.z.items() if bb == b}
        r = {d: values[tm.r[(d, b)]] for d in z}
        for part in support_parts(z, neighbours):
            border = {e for d in part for e in neighbours[d] if e not in part and e in z}
            rhs = sum(r[d] for d in sorted(part)) + sum(z[e] for e in sorted(border))
            for d in sorted(part):
                violation = z[d] - rhs
                if violation > tolerance and violation > best.get((d, b), (0.0, None))[0]:
                    best[(d, b)] = (violation, frozenset(part))
    rows = []
    for (d, b), (_, part) in best.items():
        border = {e for c in part for e in neighbours[c] if e not in part and (e, b) in tm.z}
        row = [(tm.z[(d, b)], 1.0)]
        row += [(tm.r[(c, b)], -1.0) for c in sorted(part)]
        row += [(tm.z[(e, b)], -1.0) for e in sorted(border)]
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
    if rules.soft_client_bounds or (low is None and high is None) or rules.contiguity == "none":
        return []  # without contiguity a lot may join any districts: parts mean nothing
    graph = instance.graph
    rows: list[tuple[list, float]] = []
    for b in sorted(set(owner.values())):
        parts = _territory_parts(graph, owner, b)
        need_total, allow_total, indicator = 0, 0, []
        for part in parts:
            k_min, k_max = _lot_count_range(instance, part)
            terms, constant = _part_indicator(tm, graph, b, part)
            if k_min > k_max:
                rows.append((terms, 1.0 - constant))
            need_total += k_min
            allow_total += k_max
            indicator += terms
        n_b = lots.get(b, 0)
        total_constant = float(sum(len(p) for p in parts))
        if need_total > n_b:
            # n_b >= need (1 - I) with I = total_constant + sum(indicator terms) the count of
            # districts that leave these parts or join them from their borders
            rows.append(([(tm.n[b], 1.0)] + [(v, need_total * c) for v, c in indicator],
                         need_total - need_total * total_constant))
        if allow_total < n_b:
            big = tm.model.ub[tm.n[b]]
            rows.append(([(tm.n[b], -1.0)] + [(v, big * c) for v, c in indicator],
                         -allow_total - big * total_constant))
    return rows


def unsplittable_part_cuts(tm: TerritoryModel, instance: Instance, owner: dict[str, str],
                           settings: SolverSettings, budget: Budget,
                           ) -> list[tuple[list, float]]:
    """No-good cuts for territory parts that no cut into lots can make valid.

    A connected part C of b's territory must be cut into k lots (k allowed by C's clients
    and b's lot limit) that meet the hard lot-level rules. When that is proven impossible
    for every such k (a small MILP per k, :func:`can_split`), C cannot be a part of b's
    territory in any feasible design: ``sum_{d in C} (1 - z_db) + sum_{e in N(C)} z_eb >= 1``.
    Parts whose check runs out of ``budget`` get no cut. Returns rows as in
    :func:`client_bound_cuts`."""
    from allocatie.design.partition import can_split

    if instance.rules.contiguity == "none":
        return []
    graph = instance.graph
    rows: list[tuple[list, float]] = []
    for b in sorted(set(owner.values())):
        most = int(tm.model.ub[tm.n[b]])
        for part in _territory_parts(graph, owner, b):
            k_min, k_max = _lot_count_range(instance, part)
            answers = []
            for k in range(k_min, min(k_max, most) + 1):
                limit = min(MAX_CHECK_S, budget.left())
                if limit <= MIN_CHECK_S:
                    return rows
                answers.append(can_split(instance, sorted(part), k,
                                         settings.with_(time_limit_s=limit, backend="highs")))
                if answers[-1] is not False:
                    break
            if answers and all(answer is False for answer in answers):
                terms, constant = _part_indicator(tm, graph, b, part)
                rows.append((terms, 1.0 - constant))
    return rows


def _territory_parts(graph: nx.Graph, owner: dict[str, str], b: str) -> list[set[str]]:
    territory = [d for d, o in owner.items() if o == b]
    return _components(graph.subgraph(territory))


def _components(graph: nx.Graph) -> list[set[str]]:
    """Connected components in a fixed order (by their smallest district id): networkx walks
    a subgraph's nodes in set order, which changes with Python's string hashing from one run
    to the next, and the order of the cuts steers the LP and so the solver's search."""
    return sorted((set(part) for part in nx.connected_components(graph)), key=min)


def _lot_count_range(instance: Instance, part: set[str]) -> tuple[int, int]:
    """The numbers of lots the client bounds allow for a connected part (k_min > k_max: none)."""
    low, high = instance.rules.lot_clients_min, instance.rules.lot_clients_max
    if instance.rules.soft_client_bounds:
        low = high = None
    clients = sum(instance.clients(d) for d in part)
    k_min = max(1, -(-clients // high)) if high else 1
    k_max = min(len(part), clients // low) if low else len(part)
    return k_min, k_max


def _part_indicator(tm: TerritoryModel, graph: nx.Graph, b: str, part: set[str],
                    ) -> tuple[list[tuple[int, float]], float]:
    """(terms, constant) with ``constant + sum terms`` = the number of districts that leave
    ``part`` or join it from its border: zero exactly when ``part`` is a part of b's
    territory."""
    border = {e for d in part for e in graph[d] if e not in part and (e, b) in tm.z}
    terms = [(tm.z[(d, b)], -1.0) for d in sorted(part)]
    terms += [(tm.z[(e, b)], 1.0) for e in sorted(border)]
    return terms, float(len(part))


def separate_pair_cuts(tm: TerritoryModel, instance: Instance, values: np.ndarray,
                       tolerance: float = 1e-3) -> list[list[tuple[int, float]]]:
    """Separator cuts between parts of one bidder's territory, violated at ``values``.

    If districts u and v are both in b's territory and every path between them through
    districts b bid on passes the vertex set C, then either C holds a district of the
    territory or u and v lie in different parts, which needs a second lot:
    ``z_ub + z_vb - sum_{c in C} z_cb - n_b <= 0``. Unlike the root cuts this ignores the
    roots, so fractional roots spread over the parts cannot satisfy it. Pairs are the
    heaviest districts of the parts of {d : z_db >= 0.5}; C is a minimum vertex separator
    weighted by z (max-flow on the node-split graph). Returns rows ``terms <= 0``.
    """
    if instance.rules.contiguity == "none":
        return []
    edges = instance.edges_for()
    rows = []
    for b, n_var in tm.n.items():
        z = {d: float(values[var]) for (d, bb), var in tm.z.items() if bb == b}
        n_b = float(values[n_var])
        heavy = [d for d, value in z.items() if value >= 0.5]
        if len(heavy) < 2:
            continue
        graph = nx.Graph()
        graph.add_nodes_from(z)
        graph.add_edges_from((e.a, e.b) for e in edges if e.a in z and e.b in z)
        parts = _components(graph.subgraph(heavy))
        if len(parts) < 2:
            continue
        reps = [max(part, key=lambda d: (z[d], d)) for part in parts]
        for i, u in enumerate(reps):
            for v in reps[i + 1:]:
                if z[u] + z[v] - n_b <= tolerance:
                    continue
                weight, separator = _min_vertex_separator(graph, z, u, v)
                if z[u] + z[v] - weight - n_b > tolerance:
                    row = [(tm.z[(u, b)], 1.0), (tm.z[(v, b)], 1.0), (n_var, -1.0)]
                    row += [(tm.z[(c, b)], -1.0) for c in sorted(separator)]
                    rows.append(row)
    return rows


def _min_vertex_separator(graph: nx.Graph, weight: dict[str, float], source: str,
                          target: str) -> tuple[float, list[str]]:
    """Minimum-weight set of vertices (other than source and target) whose removal
    separates them; (inf, []) when they are adjacent."""
    if graph.has_edge(source, target):
        return float("inf"), []
    # Integer capacities (millionths): networkx's preflow-push can fail on float capacities
    # ("min() arg is an empty sequence" from rounding), seen on the Emmen buurten LP.
    flow = nx.DiGraph()
    big = 10**15
    for d in graph.nodes:
        capacity = big if d in (source, target) else round(max(weight[d], 0.0) * SCALE)
        flow.add_edge((d, "in"), (d, "out"), capacity=capacity)
    for a, c in graph.edges:
        flow.add_edge((a, "out"), (c, "in"), capacity=big)
        flow.add_edge((c, "out"), (a, "in"), capacity=big)
    value, (reachable, _) = nx.minimum_cut(flow, (source, "out"), (target, "in"))
    if value >= big:
        return float("inf"), []
    value /= SCALE
    separator = [d for d in graph.nodes if (d, "in") in reachable and (d, "out") not in reachable]
    return value, separator


def separate_small_set_cuts(tm: TerritoryModel, instance: Instance, values: np.ndarray,
                            tolerance: float = 1e-3) -> list[list[tuple[int, float]]]:
    """Cuts from the minimum clients per lot, violated at ``values``.

    Every connected part of a territory consists of whole lots, so it holds at least L_min
    clients. For a connected district set S with fewer than L_min clients, a district d of S
    in b's territory therefore needs the territory to leave S:
    ``z_db <= sum_{c in N(S)} z_cb``. No root appears, so fractional roots cannot satisfy it.
    S is grown from the parts of {d : z_db > t} (most z first) while it stays below L_min.
    Returns rows ``terms <= 0``.
    """
    rules = instance.rules
    low = rules.lot_clients_min
    if rules.soft_client_bounds or not low or rules.contiguity == "none":
        return []
    neighbours = instance.neighbours
    best: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
    for b in tm.n:
        z = {d: float(values[var]) for (d, bb), var in tm.z.items() if bb == b}
        for part in support_parts(z, neighbours):
            _grow_and_test(set(part), z, neighbours, instance, low, b, best, tolerance)
        for d, value in z.items():  # single-district seeds catch sets the thresholds miss
            if value > tolerance:
                _grow_and_test({d}, z, neighbours, instance, low, b, best, tolerance)
    rows = []
    for (d, b), (_, part) in best.items():
        border = {e for c in part for e in neighbours[c] if e not in part and (e, b) in tm.z}
        rows.append([(tm.z[(d, b)], 1.0)] + [(tm.z[(e, b)], -1.0) for e in sorted(border)])
    return rows


def _grow_and_test(part: set[str], z: dict[str, float], neighbours, instance: Instance,
                   low: int, b: str, best: dict, tolerance: float) -> None:
    clients = sum(instance.clients(d) for d in part)
    while clients < low:
        border = {e for c in part for e in neighbours[c] if e not in part and e in z}
        outside = sum(z[e] for e in sorted(border))
        top = max(part, key=lambda d: (z[d], d))
        violation = z[top] - outside
        if violation > tolerance and violation > best.get((top, b), (0.0, None))[0]:
            best[(top, b)] = (violation, frozenset(part))
        if not border:
            return
        nxt = max(border, key=lambda e: (z[e], e))
        if clients + instance.clients(nxt) >= low:
            return
        part.add(nxt)
        clients += instance.clients(nxt)
