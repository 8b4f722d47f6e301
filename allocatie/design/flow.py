"""One single-commodity flow builder shared by every design model.

For a set of candidate districts with membership variables ``member[d]`` and root variables
``root[d]``, every member consumes one unit of flow, only roots supply, and flow runs only
between members along neighbour edges: so every member is connected to a root inside the set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from allocatie.instance import Edge
from allocatie.milp import Model


def rooted_flow(m: Model, districts: Collection[str], edges: tuple[Edge, ...],
                member: Mapping[str, int], root: Mapping[str, int],
                integer: bool = False) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Add the flow rows; returns (arc (from, to) -> flow var, district -> supply var)."""
    ordered = list(dict.fromkeys(districts))  # keep the caller's order: deterministic models
    inside = set(ordered)
    size = len(ordered)
    flow: dict[tuple[str, str], int] = {}
    supply: dict[str, int] = {}
    inflow: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for e in edges:
        if e.a not in inside or e.b not in inside:
            continue
        for src, dst in ((e.a, e.b), (e.b, e.a)):
            f = m.add_var(0, size - 1, 0.0, integer)
            flow[(src, dst)] = f
            m.add_le([(f, 1), (member[src], -(size - 1))], 0)
            m.add_le([(f, 1), (member[dst], -(size - 1))], 0)
            inflow[dst].append((f, 1))
            inflow[src].append((f, -1))
    for d in ordered:
        g = m.add_var(0, size, 0.0, integer)
        supply[d] = g
        m.add_le([(g, 1), (root[d], -size)], 0)
        m.add_eq(inflow[d] + [(g, 1), (member[d], -1)], 0)
    return flow, supply
