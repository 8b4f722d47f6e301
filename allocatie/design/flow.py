"""One single-commodity flow builder shared by every design model.

For a set of candidate districts with membership variables ``member[d]`` and root variables
``root[d]``, every member consumes its demand (one unit by default, or its clients), only
roots supply, and flow runs only between members along neighbour edges: so every member is
connected to a root inside the set, and with client demands a root's supply is the client
total it serves, which bounds can restrict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from allocatie.instance import Edge
from allocatie.milp import Model


def rooted_flow(m: Model, districts: Collection[str], edges: tuple[Edge, ...],
                member: Mapping[str, int], root: Mapping[str, int],
                integer: bool = False, demand: Mapping[str, float] | None = None,
                supply_min: float = 0.0, supply_max: float | None = None,
                roots_max: int | None = None,
                ) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Add the flow rows; returns (arc (from, to) -> flow var, district -> supply var).

    ``demand`` defaults to 1 per district. A root supplies between ``supply_min`` and
    ``supply_max`` (default: the total demand). With at most ``roots_max`` roots, no arc
    carries more than ``roots_max x supply_max``: a tighter big-M."""
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
        g = m.add_var(0, top, 0.0, integer)
        supply[d] = g
        m.add_le([(g, 1), (root[d], -top)], 0)
        if supply_min > 0:
            m.add_ge([(g, 1), (root[d], -supply_min)], 0)
        m.add_eq(inflow[d] + [(g, 1), (member[d], -need[d])], 0)
    return flow, supply
