"""The single-commodity flow rows shared by every design model, and the flow that warm-starts
them.

- :func:`rooted_flow`: for a set of candidate districts with membership variables
  ``member[d]`` and root variables ``root[d]``, every member consumes its demand (one unit by
  default, or its clients), only roots supply, and flow runs only between members along
  neighbour edges: so every member is connected to a root inside the set, and with client
  demands a root's supply is the client total it serves, which bounds can restrict
  (territory, winner-slot and plain models).
- :func:`fixed_root_flow`: the same with one root fixed in advance (the heuristic's region
  MILP, where each lot keeps its core district).
- :func:`tree_flow`: a feasible flow for these rows from a design: along a breadth-first tree
  of each lot from its root, every arc carries the demand of the subtree below it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping, Sequence

from allocatie.instance import Edge
from allocatie.milp import Model


def rooted_flow(m: Model, districts: Collection[str], edges: tuple[Edge, ...],
                member: Mapping[str, int], root: Mapping[str, int],
                integer: bool = False, demand: Mapping[str, float] | None = None,
                supply_min: float = 0.0, supply_max: float | None = None,
                roots_max: int | None = None, root_in_member: bool = False,
                ) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Add the flow rows; returns (arc (from, to) -> flow var, district -> supply var).

    ``demand`` defaults to 1 per district. A root supplies between ``supply_min`` and
    ``supply_max`` (default: the total demand). With at most ``roots_max`` roots, no arc
    carries more than ``roots_max x supply_max``: a tighter big-M. ``root_in_member`` adds
    ``root[d] <= member[d]`` (for models whose roots are not tied to members otherwise)."""
    ordered = list(dict.fromkeys(districts))  # keep the caller's order: deterministic models
    inside = set(ordered)
    need = {d: 1.0 for d in ordered} if demand is None else {d: float(demand[d])
                                                             for d in ordered}
    total = sum(need.values())
    arc_cap = total - min(need.values(), default=0.0) if demand is None else total
    top = total if supply_max is None else min(total, supply_max)
    if supply_max is not None and roots_max is not None:
        arc_cap = min(arc_cap, roots_max * top)
    flow: dict[tuple[str, str], int] = {}
    supply: dict[str, int] = {}
    inflow: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for e in edges:
        if e.a not in inside or e.b not in inside:
            continue
        for src, dst in ((e.a, e.b), (e.b, e.a)):
            f = m.add_var(0, arc_cap, 0.0, integer)
            flow[(src, dst)] = f
            m.add_le([(f, 1), (member[src], -arc_cap)], 0)
            m.add_le([(f, 1), (member[dst], -arc_cap)], 0)
            inflow[dst].append((f, 1))
            inflow[src].append((f, -1))
    for d in ordered:
        if root_in_member:
            m.add_le([(root[d], 1), (member[d], -1)], 0)
        g = m.add_var(0, top, 0.0, integer)
        supply[d] = g
        m.add_le([(g, 1), (root[d], -top)], 0)
        if supply_min > 0:
            m.add_ge([(g, 1), (root[d], -supply_min)], 0)
        m.add_eq(inflow[d] + [(g, 1), (member[d], -need[d])], 0)
    return flow, supply


def fixed_root_flow(m: Model, member: Sequence[int | None], arcs: Sequence[tuple[int, int]],
                    root: int, cap: float, hint: Mapping[tuple[int, int], float],
                    start: dict[int, float]) -> None:
    """Flow rows that connect every member to a fixed ``root`` (positions ``0..n-1``).

    ``member[i]`` is the membership variable of position ``i`` (None: ``i`` cannot be a
    member), ``arcs`` the directed neighbour pairs; arcs into the root carry nothing. Each arc
    ``i -> j`` gets a flow ``f <= cap x member[i]``, ``f <= cap x member[j]``, and every member
    but the root takes in at least one unit: ``inflow(i) - outflow(i) >= member[i]``. The
    start value of each flow variable is ``hint[(i, j)]`` (0 when missing), written to
    ``start``."""
    inflow: list[list[tuple[int, float]]] = [[] for _ in member]
    for i, j in arcs:
        if member[i] is None or member[j] is None or j == root:
            continue
        f = m.add_var(0.0, cap)
        start[f] = float(hint.get((i, j), 0))
        m.add_le([(f, 1.0), (member[i], -cap)], 0.0)
        m.add_le([(f, 1.0), (member[j], -cap)], 0.0)
        inflow[j].append((f, 1.0))
        inflow[i].append((f, -1.0))
    for i, var in enumerate(member):
        if i != root and var is not None:
            m.add_ge(inflow[i] + [(var, -1.0)], 0.0)


def tree_flow(root: Hashable, inside: Collection, neighbours: Mapping | Sequence,
              demand: Mapping | None = None) -> dict[tuple, float]:
    """A feasible flow for the rows above: along the breadth-first tree of ``inside`` from
    ``root`` (neighbours taken in sorted order), every arc ``(parent, child)`` carries the
    demand of the child's subtree (1 per district by default)."""
    parent: dict = {}
    order = [root]
    seen = {root}
    for d in order:
        for e in sorted(neighbours[d]):
            if e in inside and e not in seen:
                seen.add(e)
                parent[e] = d
                order.append(e)
    below = {d: 1 if demand is None else demand[d] for d in order}
    flow: dict[tuple, float] = {}
    for d in reversed(order[1:]):
        below[parent[d]] += below[d]
        flow[(parent[d], d)] = below[d]
    return flow
