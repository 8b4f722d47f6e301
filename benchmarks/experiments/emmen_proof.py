"""Experiments towards a proof of the Emmen-buurten optimum (issue #4); not used by the tool.

The territory model proves its own optimum (EUR 12,579,437) but its territories cannot be cut
into lots within the client bounds, so the best design (EUR 12,586,644) stays unproven. Each
experiment here adds exactness for lots on top of the territory model (with the root cuts of
the pipeline), fixes the lots per bidder to the best design's vector, sets the best design's
objective as a cutoff, and lets a solver try to prove that nothing cheaper exists:

- ``split``: every bidder with two lots gets two lot layers x[d, j] (z = x_1 + x_2), each
  with its own root and client flow; lots ordered by their lowest district (HiGHS);
- ``split-cpsat``: the same model on CP-SAT (2 workers), the cutoff as a row;
- ``forest``: one global forest instead: a binary parent arc per directed edge, exactly one
  parent per district unless it is a lot's root, arcs only inside one bidder's territory, a
  client flow along the arcs with each root supplying its lot's clients (HiGHS);
- ``branch-and-cut``: a best-first branch-and-bound in Python on the warm territory LP
  (:class:`allocatie.milp.Relaxation`) with the pipeline's cut separators at every node,
  branching on lots per bidder, winners, then the most fractional z; an integral territory is
  cut into lots or gets the no-good cuts of the pipeline (n not fixed);
- ``colgen``: Dantzig-Wolfe over connected lots (bidder, district set), exact pricing by a
  rooted-flow MILP per bidder, dual smoothing; prints the master value and the Lagrangian
  bound per iteration.

Run from the repository root: ``python benchmarks/experiments/emmen_proof.py split 150``
(the experiment and a time limit in seconds). Results on the 2-core machine (2026-11-22,
session 3) are in ``docs/ENGINEERING.md``: none proved the optimum; all stayed at or below
the territory model's own bound within 150 s.
"""

from __future__ import annotations

import heapq
import itertools
import sys
import time
from collections import defaultdict
from pathlib import Path

import highspy
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from allocatie.budget import Budget  # noqa: E402
from allocatie.costs import district_costs  # noqa: E402
from allocatie.design.flow import rooted_flow  # noqa: E402
from allocatie.design.heuristic import heuristic_design  # noqa: E402
from allocatie.design.run import tighten_with_cuts  # noqa: E402
from allocatie.design.territory import (  # noqa: E402
    TerritoryModel,
    build_territory_model,
    flow_demand,
)
from allocatie.instance import Instance  # noqa: E402
from allocatie.io.loading import load_instance  # noqa: E402
from allocatie.milp import Model, solve  # noqa: E402
from allocatie.milp.solve import _load_highs  # noqa: E402

INSTANCE = ROOT / "instances" / "emmen-buurten"


def best_design(instance: Instance, seconds: float = 20.0):
    """The heuristic's design (EUR 12,586,644 on Emmen buurten after 20 s, seed 0)."""
    found = heuristic_design(instance, time_limit_s=seconds, seed=0)
    assert found is not None
    return dict(found.assignment), dict(found.winners), found.objective


def territory_with_fixed_vector(instance: Instance, winners: dict[str, str],
                                integer_flow: bool = False) -> TerritoryModel:
    """The territory model with root cuts and n_b fixed to the lots each bidder wins."""
    tm = build_territory_model(instance, integer_flow=integer_flow)
    rounds, cuts, bound = tighten_with_cuts(tm, instance, time.perf_counter() + 20)
    print(f"root cuts: {rounds} rounds, {cuts} cuts, LP {bound:,.0f}", flush=True)
    wins: dict[str, int] = defaultdict(int)
    for b in winners.values():
        wins[b] += 1
    for b, var in tm.n.items():
        tm.model.lb[var] = tm.model.ub[var] = wins.get(b, 0)
    return tm


def add_split_layers(tm: TerritoryModel, instance: Instance, bidders: list[str],
                     integer_flow: bool = False) -> None:
    """Two (or more) lot layers per bidder: exact lots inside its territory."""
    m, rules = tm.model, instance.rules
    demand, supply_min, supply_max = flow_demand(instance)
    order = {d: i for i, d in enumerate(instance.district_ids)}
    for b in bidders:
        districts = sorted((d for d, bb in tm.z if bb == b), key=order.__getitem__)
        layers, used = [], []
        for _ in range(int(m.ub[tm.n[b]])):
            x = {d: m.add_binary() for d in districts}
            root = {d: m.add_binary() for d in districts}
            u = m.add_binary()
            m.add_eq([(root[d], 1) for d in districts] + [(u, -1)], 0)
            for d in districts:
                m.add_le([(root[d], 1), (x[d], -1)], 0)
                m.add_le([(x[d], 1), (u, -1)], 0)
            rooted_flow(m, districts, instance.edges_for(), x, root, integer_flow,
                        demand={d: demand[d] for d in districts}, supply_min=supply_min,
                        supply_max=supply_max, roots_max=1)
            load = [(x[d], instance.clients(d)) for d in districts]
            m.add_ge(load + [(u, -(rules.lot_clients_min or 0))], 0)
            if rules.lot_clients_max is not None:
                m.add_le(load + [(u, -rules.lot_clients_max)], 0)
            layers.append((x, root))
            used.append(u)
        for d in districts:
            m.add_eq([(x[d], 1) for x, _ in layers] + [(tm.z[(d, b)], -1)], 0)
            m.add_eq([(root[d], 1) for _, root in layers] + [(tm.r[(d, b)], -1)], 0)
        m.add_eq([(u, 1) for u in used] + [(tm.n[b], -1)], 0)
        for j in range(1, len(layers)):
            m.add_le([(used[j], 1), (used[j - 1], -1)], 0)
            for i, d in enumerate(districts):  # lot j starts above lot j - 1's first district
                m.add_le([(layers[j][0][d], 1)]
                         + [(layers[j - 1][0][e], -1) for e in districts[:i]], 0)


def add_forest_layer(tm: TerritoryModel, instance: Instance) -> None:
    """One parent arc per non-root district, arcs inside one territory, client flow."""
    m = tm.model
    demand, supply_min, supply_max = flow_demand(instance)
    bidders_of: dict[str, list[str]] = defaultdict(list)
    for d, b in tm.z:
        bidders_of[d].append(b)
    total = sum(demand.values())
    cap = total if supply_max is None else min(total, supply_max)
    parents: dict[str, list] = defaultdict(list)
    inflow: dict[str, list] = defaultdict(list)
    for e in instance.edges_for():
        for u, v in ((e.a, e.b), (e.b, e.a)):
            arc, f = m.add_binary(), m.add_var(0, cap)
            parents[v].append((arc, 1.0))
            m.add_le([(f, 1.0), (arc, -cap)], 0)
            inflow[v].append((f, 1.0))
            inflow[u].append((f, -1.0))
            for b in bidders_of[u]:  # an arc joins districts of one bidder
                terms = [(arc, 1.0), (tm.z[(u, b)], 1.0)]
                if (v, b) in tm.z:
                    terms.append((tm.z[(v, b)], -1.0))
                m.add_le(terms, 1)
    for d in instance.district_ids:
        roots = [(tm.r[(d, b)], 1.0) for b in bidders_of[d]]
        m.add_eq(parents[d] + roots, 1)
        g = m.add_var(0, cap)
        m.add_le([(g, 1.0)] + [(v, -cap) for v, _ in roots], 0)
        m.add_ge([(g, 1.0)] + [(v, -supply_min) for v, _ in roots], 0)
        m.add_eq(inflow[d] + [(g, 1.0)], demand[d])


def prove_with_highs(tm: TerritoryModel, cutoff: float, seconds: float) -> None:
    h = highspy.Highs()
    _load_highs(h, tm.model, integrality=True)
    h.changeObjectiveOffset(tm.model.offset)
    h.setOptionValue("time_limit", seconds)
    h.setOptionValue("objective_bound", cutoff / tm.scale + 0.001)
    h.setOptionValue("mip_rel_gap", 1e-9)
    started = time.perf_counter()
    h.run()
    print(f"{h.getModelStatus().name}: bound {h.getInfo().mip_dual_bound * tm.scale:,.0f} "
          f"after {time.perf_counter() - started:.1f} s (cutoff {cutoff:,.0f})")


def colgen(instance: Instance, seconds: float) -> None:
    """Dantzig-Wolfe master over (bidder, connected lot) columns; see the module docstring."""
    rules, scale = instance.rules, 1000.0
    costs = district_costs(instance)
    districts = list(instance.district_ids)
    index = {d: i for i, d in enumerate(districts)}
    bidders = [b for b in instance.bidder_ids if any((d, b) in costs for d in districts)]
    designs = [heuristic_design(instance, time_limit_s=2, seed=s) for s in range(3)]
    best = min(f.objective for f in designs if f is not None)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    none_i, none_v = np.array([], dtype=np.int32), np.array([])
    for _ in districts:
        h.addRow(1.0, 1.0, 0, none_i, none_v)
    h.addRow(rules.lots_min, rules.lots_max, 0, none_i, none_v)
    rows: dict[str, tuple[int, int | None, int, float | None]] = {}
    for b in bidders:
        most = instance.max_lots(b) or rules.lots_max
        lots_row = h.getNumRow()
        h.addRow(-highspy.kHighsInf, most, 0, none_i, none_v)
        capacity = instance.bidder_by_id[b].capacity
        cap_row = None
        if capacity is not None:
            cap_row = h.getNumRow()
            h.addRow(-highspy.kHighsInf, capacity, 0, none_i, none_v)
        rows[b] = (lots_row, cap_row, most, capacity)
    for i, d in enumerate(districts):  # artificial columns keep the master feasible
        big = 3 * max(costs[(d, b)] for b in bidders if (d, b) in costs) / scale + 10
        h.addCol(big, 0, highspy.kHighsInf, 1, np.array([i], dtype=np.int32), np.array([1.0]))
    seen: set[tuple[str, frozenset[str]]] = set()

    def cost_of(b: str, lot: list[str]) -> float:
        return (sum(costs[(d, b)] for d in lot) + instance.bidder_by_id[b].lot_fee) / scale

    def add(b: str, lot: list[str]) -> bool:
        key = (b, frozenset(lot))
        if key in seen or any((d, b) not in costs for d in lot):
            return False
        seen.add(key)
        lots_row, cap_row, _, _ = rows[b]
        idx = [index[d] for d in lot] + [len(districts), lots_row]
        val = [1.0] * len(lot) + [1.0, 1.0]
        if cap_row is not None:
            idx.append(cap_row)
            val.append(float(sum(instance.clients(d) for d in lot)))
        h.addCol(cost_of(b, lot), 0, highspy.kHighsInf, len(idx), np.array(idx, np.int32),
                 np.array(val))
        return True

    for found in designs:
        for label in found.winners:
            for b in bidders:
                add(b, [d for d in districts if found.assignment[d] == label])
    started, center, best_lb, alpha = time.perf_counter(), None, -np.inf, 0.6
    while time.perf_counter() - started < seconds:
        h.run()
        master = h.getInfo().objective_function_value
        dual = np.array(h.getSolution().row_dual)
        duals = dual if center is None else alpha * center + (1 - alpha) * dual
        lagrangian = float(duals[:len(districts)].sum() + duals[len(districts)] * rules.lots_min)
        added = 0
        for b in bidders:
            lots_row, cap_row, most, capacity = rows[b]
            rho = duals[cap_row] if cap_row is not None else 0.0
            weight = {d: costs[(d, b)] / scale - duals[index[d]] - rho * instance.clients(d)
                      for d in districts if (d, b) in costs}
            const = (instance.bidder_by_id[b].lot_fee / scale - duals[len(districts)]
                     - duals[lots_row])
            value, lot, bound = _price(instance, weight)
            lagrangian += duals[lots_row] * most + (rho * capacity if capacity else 0.0)
            lagrangian += most * min(0.0, bound + const)
            true_rc = cost_of(b, lot) - sum(dual[index[d]] for d in lot) - (
                dual[len(districts)] + dual[lots_row]) - (
                dual[cap_row] * sum(instance.clients(d) for d in lot) if cap_row else 0.0)
            if true_rc < -1e-6 and add(b, lot):
                added += 1
        if lagrangian > best_lb:
            best_lb, center = lagrangian, duals.copy()
        print(f"{time.perf_counter() - started:6.1f} s: master {master * scale:,.0f}, "
              f"Lagrangian bound {best_lb * scale:,.0f}, columns {len(seen)}, added {added}",
              flush=True)
        if best_lb * scale >= best - 1 or (added == 0 and center is not None
                                            and np.allclose(center, dual)):
            break
        if added == 0:
            center = dual.copy()
    print(f"best design {best:,.0f}")


def branch_and_cut(instance: Instance, seconds: float) -> None:
    """Best-first branch-and-cut on the territory LP; see the module docstring."""
    from allocatie.design.cuts import (
        client_bound_cuts,
        separate_connectivity_cuts,
        separate_pair_cuts,
        separate_small_set_cuts,
        unsplittable_part_cuts,
    )
    from allocatie.design.run import _cut_lots
    from allocatie.milp import Relaxation

    _, _, incumbent = best_design(instance)
    tm = build_territory_model(instance)
    m, scale, started = tm.model, tm.scale, time.perf_counter()
    relaxation = Relaxation(m)
    root_lb, root_ub = list(m.lb), list(m.ub)
    changed: dict[int, tuple[float, float]] = {}
    groups = [list(tm.n.values()), list(tm.w.values()), list(tm.z.values()),
              list(tm.r.values())]

    def node_lp(rounds: int):
        lp = None
        for _ in range(rounds):
            lp = relaxation.solve(30)
            if lp is None or lp[0] * scale >= incumbent - 1:
                return lp
            rows = (separate_connectivity_cuts(tm, instance, lp[1])
                    + separate_pair_cuts(tm, instance, lp[1])
                    + separate_small_set_cuts(tm, instance, lp[1]))
            if not rows:
                break
            for row in rows:
                m.add_le(row, 0)
        return lp

    def branch_variable(values: np.ndarray) -> int | None:
        for group in groups:
            fractional = [(abs(values[v] - np.floor(values[v]) - 0.5), v) for v in group
                          if 1e-6 < values[v] - np.floor(values[v]) < 1 - 1e-6]
            if fractional:
                return min(fractional)[1]
        return None

    order = itertools.count(1)
    heap: list = [(-np.inf, 0, {})]
    nodes = 0
    while heap and time.perf_counter() - started < seconds:
        parent, _, bounds = heapq.heappop(heap)
        if parent * scale >= incumbent - 1:
            continue
        for v in changed:
            relaxation.h.changeColBounds(v, root_lb[v], root_ub[v])
        changed = dict(bounds)
        for v, (lo, hi) in bounds.items():
            relaxation.h.changeColBounds(v, lo, hi)
        nodes += 1
        while True:
            lp = node_lp(40 if nodes == 1 else 8)
            if lp is None or lp[0] * scale >= incumbent - 1:
                break
            var = branch_variable(lp[1])
            if var is not None:
                break
            owner, lots = tm.territories(lp[1])
            rows = client_bound_cuts(tm, instance, owner, lots)
            if not rows:
                if _cut_lots(instance, owner, lots, instance.solver,
                             Budget.starting_now(30.0)) is not None:
                    incumbent = lp[0] * scale
                    lp = None
                    break
                rows = unsplittable_part_cuts(tm, instance, owner, instance.solver,
                                              Budget.starting_now(30.0))
            if not rows:
                print("an integral territory got no cut: stop")
                return
            for terms, lower in rows:
                m.add_ge(terms, lower)
        if lp is None or lp[0] * scale >= incumbent - 1:
            continue
        lo, hi = bounds.get(var, (root_lb[var], root_ub[var]))
        for child in ((lo, float(np.floor(lp[1][var]))), (float(np.ceil(lp[1][var])), hi)):
            heapq.heappush(heap, (lp[0], next(order), {**bounds, var: child}))
        if nodes % 50 == 0:
            print(f"{time.perf_counter() - started:6.1f} s: {nodes} nodes, {len(heap)} open, "
                  f"bound {min(item[0] for item in heap) * scale:,.0f}", flush=True)
    bound = min((item[0] * scale for item in heap), default=incumbent)
    print(f"{nodes} nodes in {time.perf_counter() - started:.1f} s: bound "
          f"{min(bound, incumbent):,.0f}, best {incumbent:,.0f}, {len(heap)} open")


def _price(instance: Instance, weight: dict[str, float]) -> tuple[float, list[str], float]:
    """Min-weight connected district set within the client bounds: (value, set, bound)."""
    rules, members = instance.rules, list(weight)
    m = Model(name="pricing")
    x = {d: m.add_binary(weight[d]) for d in members}
    root = {d: m.add_binary() for d in members}
    m.add_eq([(root[d], 1) for d in members], 1)
    for i, d in enumerate(members):
        m.add_le([(root[d], 1), (x[d], -1)], 0)
        m.add_le([(x[d], 1), (root[d], -1)]
                 + [(x[e], -1) for e in instance.neighbours[d] if e in x], 0)
        for e in members[:i]:  # the root is the set's first district
            m.add_le([(root[d], 1), (x[e], 1)], 1)
    rooted_flow(m, members, instance.edges_for(), x, root)
    load = [(x[d], instance.clients(d)) for d in members]
    m.add_ge(load, rules.lot_clients_min or 0)
    if rules.lot_clients_max is not None:
        m.add_le(load, rules.lot_clients_max)
    result = solve(m, instance.solver.with_(time_limit_s=20))
    assert result.values is not None, "pricing found no connected lot"
    lot = [d for d in members if result.values[x[d]] > 0.5]
    return result.objective, lot, result.bound if result.bound is not None else -1e9


def main(argv: list[str]) -> None:
    experiment, seconds = argv[0], float(argv[1]) if len(argv) > 1 else 150.0
    instance = load_instance(INSTANCE)
    if experiment in ("colgen", "branch-and-cut"):
        (colgen if experiment == "colgen" else branch_and_cut)(instance, seconds)
        return
    _, winners, best = best_design(instance)
    cpsat = experiment == "split-cpsat"
    tm = territory_with_fixed_vector(instance, winners, integer_flow=cpsat)
    if experiment == "forest":
        add_forest_layer(tm, instance)
    else:
        wins = [b for b in set(winners.values()) if list(winners.values()).count(b) > 1]
        add_split_layers(tm, instance, sorted(wins), integer_flow=cpsat)
    if not cpsat:
        prove_with_highs(tm, best, seconds)
        return
    cost = [round(c * tm.scale) for c in tm.model.cost]  # whole euros: CP-SAT needs integers
    tm.model.add_le([(i, c) for i, c in enumerate(cost) if c], round(best) - 1)
    raw = solve(tm.model, instance.solver.with_(time_limit_s=seconds, backend="cpsat",
                                                threads=2))
    bound = None if raw.bound is None else raw.bound * tm.scale
    print(f"CP-SAT {raw.status.value}: bound {bound} after {raw.time_s:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
