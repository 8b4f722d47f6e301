"""The baseline: the plain single-commodity-flow model with anonymous lots.

Kept for benchmarks only (the row to beat in ``benchmarks/bench_design.py``); ``design`` uses
the territory model. Lots l = 1..K_max, each used or not:

    min  sum c_db v_dlb + sum fee_b y_lb
    (1) each_district_in_one_lot   sum_l x_dl = 1
    (2) one_winner_per_used_lot    sum_b y_lb = u_l,  K_min <= sum_l u_l <= K_max
    (3) district_served_by_winner  sum_b v_dlb = x_dl,  v_dlb <= y_lb  (v only where b bid
                                   on d, so a winner must have bid on every district of its lot)
    (4) cost                       c_db on v_dlb
    (5) lots_are_contiguous        one root per used lot, flow from it inside the lot
    (6) max_lots_per_bidder        sum_l y_lb <= M_b
    (7) bidder_capacity            sum_{d,l} clients_d v_dlb <= cap_b
    (8) client_bounds              L_min u_l <= sum_d clients_d x_dl <= L_max u_l
"""

from __future__ import annotations

import time

from allocatie.costs import district_costs
from allocatie.design.flow import rooted_flow
from allocatie.instance import Instance
from allocatie.milp import Model, solve
from allocatie.settings import SolverSettings
from allocatie.solution import Solution

SCALE = 1000.0


def plain_flow_design(instance: Instance, settings: SolverSettings) -> Solution:
    """Solve the baseline model; returns a Solution (objective in EUR, honest status)."""
    started = time.perf_counter()
    m = Model(name="plain")
    costs = district_costs(instance)
    rules = instance.rules
    lots = [str(i) for i in range(1, rules.lots_max + 1)]
    ds, bs = instance.district_ids, instance.bidder_ids
    x = {(d, lot): m.add_binary() for d in ds for lot in lots}
    u = {lot: m.add_binary() for lot in lots}
    y = {(lot, b): m.add_binary(instance.bidder_by_id[b].lot_fee / SCALE)
         for lot in lots for b in bs}
    v = {(d, lot, b): m.add_var(0, 1, costs[(d, b)] / SCALE)
         for d in ds for lot in lots for b in bs if (d, b) in costs}
    for d in ds:
        m.add_eq([(x[(d, lot)], 1) for lot in lots], 1)
    m.add_row([(u[lot], 1) for lot in lots], rules.lots_min, rules.lots_max)
    for lot in lots:
        m.add_eq([(y[(lot, b)], 1) for b in bs] + [(u[lot], -1)], 0)
        for d in ds:
            served = [b for b in bs if (d, b) in costs]
            m.add_eq([(v[(d, lot, b)], 1) for b in served] + [(x[(d, lot)], -1)], 0)
            for b in served:
                m.add_le([(v[(d, lot, b)], 1), (y[(lot, b)], -1)], 0)
    _contiguous(m, instance, x, u, lots)
    for b in bs:
        cap = instance.max_lots(b)
        if cap is not None:
            m.add_le([(y[(lot, b)], 1) for lot in lots], cap)
        capacity = instance.bidder_by_id[b].capacity
        if capacity is not None:
            m.add_le([(v[(d, lot, b)], instance.clients(d)) for d in ds for lot in lots
                      if (d, b) in costs], capacity)
    if not rules.soft_client_bounds:
        for lot in lots:
            load = [(x[(d, lot)], instance.clients(d)) for d in ds]
            if rules.lot_clients_min is not None:
                m.add_ge(load + [(u[lot], -rules.lot_clients_min)], 0)
            if rules.lot_clients_max is not None:
                m.add_le(load + [(u[lot], -rules.lot_clients_max)], 0)
    raw = solve(m, settings)
    assignment, winners = {}, {}
    if raw.values is not None:
        for (d, lot), var in x.items():
            if raw.is_one(var):
                assignment[d] = lot
        winners = {lot: b for (lot, b), var in y.items() if raw.is_one(var)}
    return Solution(raw.status, assignment=assignment, winners=winners,
                    objective=None if raw.objective is None else raw.objective * SCALE,
                    bound=None if raw.bound is None else raw.bound * SCALE,
                    solver=raw.version, time_s=time.perf_counter() - started,
                    details={"method": "plain flow (anonymous lots)"})


def _contiguous(m: Model, instance: Instance, x, u, lots: list[str]) -> None:
    if instance.rules.contiguity == "none":
        return
    ds = instance.district_ids
    edges = instance.edges_for()
    for lot in lots:
        roots = {d: m.add_binary() for d in ds}
        m.add_eq([(roots[d], 1) for d in ds] + [(u[lot], -1)], 0)
        rooted_flow(m, ds, edges, {d: x[(d, lot)] for d in ds}, roots, integer=True,
                    root_in_member=True)
