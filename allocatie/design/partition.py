"""Cut one bidder's territory into exactly ``n`` contiguous lots.

A territory with at most ``n`` connected parts and at least ``n`` districts can always be cut
into ``n`` connected lots. Which cut is chosen matters only for the lot-level rules: client
bounds (hard or soft), pinned districts and kept-together groups, and the compactness term.
This small MILP (part slots j = 1..n, a single-commodity flow per part) minimises the soft
client-bound penalty plus the compactness term; when the compactness weight is zero it still
minimises the cut border with a tiny weight so lots come out compact.

    min  penalty * sum_j (short_j + excess_j) + weight_km * sum_e cut_e
    (1) every_district_in_one_part  sum_j x_dj = 1
    (2) parts_are_used              sum_d x_dj >= 1,  sum_d r_dj = 1,  r_dj <= x_dj
    (3) parts_are_connected         flow from the root of part j over arcs inside part j
    (4) client_bounds               L_min - short_j <= sum_d clients_d x_dj <= L_max + excess_j
    (5) cut_border                  cut_e >= x_aj - x_bj  (for every edge e = (a, b), part j)
    (6) pins_and_groups             x_dj = x_ej for districts that share a lot;
                                    x_dj + x_ej <= 1 for districts pinned to different lots
    (7) symmetry                    the first district of the territory lies in part 1
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from allocatie.design.flow import rooted_flow
from allocatie.instance import Instance
from allocatie.milp import Model, solve
from allocatie.settings import SolverSettings
from allocatie.status import Status

COMPACT_TIEBREAK_PER_KM = 1e-3  # EUR per km of cut border when the rules give no weight


def split_territory(instance: Instance, districts: Sequence[str], parts: int,
                    settings: SolverSettings) -> tuple[list[list[str]], float] | None:
    """Cut ``districts`` into ``parts`` lots. Returns (lots, lot-level objective in EUR:
    soft client-bound penalty + compactness term) or None when no valid cut exists within the
    limits."""
    districts = list(districts)
    if parts == 1:
        single = [districts]
        return single, _lot_level_cost(instance, single)
    if parts > len(districts):
        return None
    m, x = _build(instance, districts, parts)
    result = solve(m, settings)
    if not result.status.has_solution:
        return None
    lots = [[d for d in districts if result.is_one(x[(d, j)])] for j in range(parts)]
    return lots, _lot_level_cost(instance, lots)


def can_split(instance: Instance, districts: Sequence[str], parts: int,
              settings: SolverSettings) -> bool | None:
    """Whether ``districts`` (connected) can be cut into ``parts`` lots that meet the hard
    lot-level rules (client bounds, pins, groups inside the set): True, False (proven), or
    None when the time limit left it open. A feasibility version of :func:`split_territory`."""
    districts = list(districts)
    if parts > len(districts):
        return False
    m, _ = _build(instance, districts, parts)
    m.cost = [0.0] * m.num_vars
    result = solve(m, settings)
    if result.status.has_solution:
        return True
    if result.status is Status.INFEASIBLE:
        return False
    return None


def _build(instance: Instance, districts: list[str], parts: int):
    rules = instance.rules
    m = Model(name="split")
    here = set(districts)
    x = {(d, j): m.add_binary() for d in districts for j in range(parts)}
    roots = {(d, j): m.add_binary() for d in districts for j in range(parts)}
    for d in districts:
        m.add_eq([(x[(d, j)], 1) for j in range(parts)], 1)
    m.add_eq([(x[(districts[0], 0)], 1)], 1)
    edges = [e for e in instance.edges_for() if e.a in here and e.b in here]
    weight_km = rules.compactness_weight or COMPACT_TIEBREAK_PER_KM
    for j in range(parts):
        m.add_eq([(roots[(d, j)], 1) for d in districts], 1)
        for d in districts:
            m.add_le([(roots[(d, j)], 1), (x[(d, j)], -1)], 0)
        if rules.contiguity != "none":
            rooted_flow(m, districts, tuple(edges), {d: x[(d, j)] for d in districts},
                        {d: roots[(d, j)] for d in districts})
        load = [(x[(d, j)], instance.clients(d)) for d in districts]
        penalty = rules.lot_clients_penalty
        if rules.lot_clients_min is not None:
            short = [(m.add_var(0, rules.lot_clients_min, penalty), 1)] if penalty else []
            m.add_ge(load + short, rules.lot_clients_min)
        if rules.lot_clients_max is not None:
            excess = [(m.add_var(0, sum(instance.clients(d) for d in districts), penalty), -1)
                      ] if penalty else []
            m.add_le(load + excess, rules.lot_clients_max)
        for e in edges:
            cut = m.add_var(0, 1, weight_km * e.border_m / 1000.0 / 2)
            m.add_ge([(cut, 1), (x[(e.a, j)], -1), (x[(e.b, j)], 1)], 0)
            cut2 = m.add_var(0, 1, weight_km * e.border_m / 1000.0 / 2)
            m.add_ge([(cut2, 1), (x[(e.b, j)], -1), (x[(e.a, j)], 1)], 0)
    _pins_and_groups(m, instance, x, here, parts)
    return m, x


def _pins_and_groups(m: Model, instance: Instance, x, here: set[str], parts: int) -> None:
    rules = instance.rules
    same: list[tuple[str, str]] = []
    for group in rules.together:
        inside = [d for d in group if d in here]
        same += list(zip(inside, inside[1:], strict=False))
    by_label: dict[str, list[str]] = defaultdict(list)
    for d, label in rules.pinned.items():
        if d in here:
            by_label[label].append(d)
    for members in by_label.values():
        same += list(zip(members, members[1:], strict=False))
    for a, b in same:
        for j in range(parts):
            m.add_eq([(x[(a, j)], 1), (x[(b, j)], -1)], 0)
    labels = sorted(by_label)
    for i, first in enumerate(labels):
        for second in labels[i + 1:]:
            a, b = by_label[first][0], by_label[second][0]
            for j in range(parts):
                m.add_le([(x[(a, j)], 1), (x[(b, j)], 1)], 1)


def _lot_level_cost(instance: Instance, lots: list[list[str]]) -> float:
    """Soft client-bound penalty of these lots (the compactness term is global: see caller)."""
    rules = instance.rules
    if not rules.soft_client_bounds:
        return 0.0
    total = 0.0
    for lot in lots:
        clients = sum(instance.clients(d) for d in lot)
        short = max(0, rules.lot_clients_min - clients) if rules.lot_clients_min else 0
        excess = max(0, clients - rules.lot_clients_max) if rules.lot_clients_max else 0
        total += float(rules.lot_clients_penalty) * (short + excess)
    return total
