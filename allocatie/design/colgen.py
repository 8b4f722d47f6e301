"""A lower bound from column generation over connected lots (set partitioning).

Each column is a lot: a connected set of districts within the client bounds together with its
winner, at the cost the checker gives that lot with that winner (lot fee + per-district cost
from :mod:`allocatie.costs`, transitions included). The master LP::

    min  sum_c cost_c x_c
    s.t. sum_{c covers d} x_c = 1                      every district once
         lots_min <= sum_c x_c <= lots_max             number of lots
         sum_{c of b} x_c <= max_lots(b)               lots per bidder
         sum_{c of b} clients_c x_c <= capacity(b)     capacity (clients)

knows what the territory model does not: a bidder's territory must split into connected lots
within the client bounds. Rules it leaves out (compactness, which is >= 0, pins, kept-together
districts, the cap on changed districts, distinct winners) only make it a relaxation, so its
bound stays valid; with soft client bounds it does not apply.

Valid lower bound at any duals (pi on the districts, rho <= 0 on the capacities): the
Lagrangian ``sum pi + sum rho x capacity + min_n sum_b n_b x lb_b``, where lb_b is a lower
bound of the least reduced cost of a lot of bidder b (without the lot-count and lots-per-bidder
duals) and n ranges over lots per bidder (0..max_lots(b)) with lots_min..lots_max in all. It
is computed from exact pricing (a rooted-flow MILP per bidder; its MIP dual bound is enough
when it stops early).

Pricing is heuristic first (from every seed district, per bidder, a lot grown greedily by
reduced cost, many columns per round); exact pricing runs only when the heuristic finds
nothing, or every :data:`EXACT_EVERY_S` seconds, to get a bound. Duals are stabilised by
Wentges smoothing towards the duals of the best Lagrangian bound so far (before the first
bound: towards the previous smoothed duals, as Neame).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allocatie.budget import Budget
from allocatie.costs import district_costs
from allocatie.design.flow import rooted_flow
from allocatie.design.value import Design
from allocatie.instance import Instance
from allocatie.milp import Model

if TYPE_CHECKING:
    from allocatie.design.run import _Run

SCALE = 1000.0  # master and pricing costs in thousands of euros: better-conditioned LPs
ALPHA = 0.5  # Wentges smoothing weight on the stability centre
COLUMNS_PER_BIDDER = 25  # heuristic columns added per bidder and round
EXACT_EVERY_S = 15.0  # exact pricing at least this often (it gives the bound)
PRICING_LIMIT_S = 10.0  # time limit of one exact pricing MILP
BOX = 2.0  # artificial column cost of a district: this times its dearest cost + fee
NEGATIVE = -1e-7  # a reduced cost below this (in thousands of euros) is negative
#: Extra columns around each exact pricing lot: 0 none, 1 one district more or less, 2 also
#: swaps (one in, one out). On Emmen buurten, at the 7th rise of the bound: 12.48 M with 0,
#: 12.52 M with 1, 12.54 M with 2 (docs/ENGINEERING.md).
NEIGHBOUR_LOTS = 2


@dataclass(frozen=True)
class TracePoint:
    """One iteration: seconds since the start, master LP value and the best Lagrangian bound
    so far (EUR; None before the first exact pricing)."""

    seconds: float
    master: float
    bound: float | None
    columns: int


@dataclass(frozen=True)
class Lot:
    """A column: bidder, districts (positions in ``instance.districts``), cost in EUR."""

    bidder: str
    districts: frozenset[int]
    cost: float


@dataclass(frozen=True)
class ColgenResult:
    """The best valid lower bound found (EUR; None when none was computed), the last master
    LP value, whether the master LP was solved to optimality over all columns (then ``bound``
    equals it up to the pricing tolerance), the columns of the master and the trace of every
    iteration."""

    bound: float | None
    master: float | None
    converged: bool
    iterations: int
    exact_rounds: int
    lots: tuple[Lot, ...]
    trace: tuple[TracePoint, ...]


def not_applicable(instance: Instance) -> str | None:
    """Why the set-partitioning bound does not apply to ``instance`` (None: it does)."""
    rules = instance.rules
    if rules.soft_client_bounds:
        return "soft client bounds (lots outside the bounds are allowed at a penalty)"
    if instance.lots:
        return "a fixed design (nothing to design)"
    if not instance.districts or not instance.bids:
        return "no districts or no bids"
    return None


class _Pricing:
    """Data of one instance for the pricing problems (positions, not ids)."""

    def __init__(self, instance: Instance) -> None:
        rules = instance.rules
        self.instance = instance
        self.ids = list(instance.district_ids)
        index = {d: i for i, d in enumerate(self.ids)}
        self.clients = np.array([instance.clients(d) for d in self.ids], dtype=float)
        self.neighbours = [[index[e] for e in instance.neighbours[d] if e in index]
                           for d in self.ids]
        self.low = float(rules.lot_clients_min or 0)
        self.high = float(rules.lot_clients_max) if rules.lot_clients_max is not None \
            else float(self.clients.sum())
        costs = district_costs(instance)
        self.bidders = [b for b in instance.bidder_ids
                        if any((d, b) in costs for d in self.ids)]
        self.cost = {b: np.full(len(self.ids), np.inf) for b in self.bidders}
        for (d, b), c in costs.items():
            if b in self.cost:
                self.cost[b][index[d]] = c
        self.fee = {b: float(instance.bidder_by_id[b].lot_fee) for b in self.bidders}
        self.most = {b: instance.max_lots(b) or rules.lots_max for b in self.bidders}
        self.capacity = {b: instance.bidder_by_id[b].capacity for b in self.bidders}
        # Compactness: the cut border is half the sum over lots of the border each lot shares
        # with the others, so a lot carries weight/2 per km of its own outer border.
        self.per_metre = float(rules.compactness_weight) / 2000.0
        self.border: list[list[tuple[int, float]]] = [[] for _ in self.ids]
        for e in instance.edges:
            if e.a in index and e.b in index and e.border_m > 0:
                self.border[index[e.a]].append((index[e.b], float(e.border_m)))
                self.border[index[e.b]].append((index[e.a], float(e.border_m)))

    def outer_border_m(self, districts: frozenset[int] | set[int]) -> float:
        """Border (m) the districts share with districts outside them."""
        return sum(m for i in districts for j, m in self.border[i] if j not in districts)

    def lot_cost(self, bidder: str, districts: frozenset[int]) -> float:
        """The checker's cost of the lot for the bidder (fee, prices, transitions) plus its
        share of the compactness term."""
        cost = self.fee[bidder] + float(sum(self.cost[bidder][i] for i in districts))
        if self.per_metre:
            cost += self.per_metre * self.outer_border_m(districts)
        return cost

    def feasible(self, bidder: str, districts: frozenset[int]) -> bool:
        """Connected, within the client bounds, and the bidder bid on every district."""
        if not districts or any(not np.isfinite(self.cost[bidder][i]) for i in districts):
            return False
        load = sum(self.clients[i] for i in districts)
        if load < self.low - 1e-9 or load > self.high + 1e-9:
            return False
        return _connected(districts, self.neighbours)


def _connected(districts: frozenset[int] | set[int], neighbours: Sequence[Sequence[int]]) -> bool:
    start = next(iter(districts))
    seen, stack = {start}, [start]
    while stack:
        for e in neighbours[stack.pop()]:
            if e in districts and e not in seen:
                seen.add(e)
                stack.append(e)
    return len(seen) == len(districts)


def grow_lots(weight: np.ndarray, clients: np.ndarray, neighbours: Sequence[Sequence[int]],
              low: float, high: float, border: Sequence[Sequence[tuple[int, float]]] = (),
              per_metre: float = 0.0) -> dict[frozenset[int], float]:
    """Heuristic pricing: from every seed district with a finite weight, grow a connected lot
    by adding the frontier district of least added weight (below ``low`` clients: per
    client) while it fits under ``high``; keep the best set within the bounds met on the way,
    then drop districts whose removal lowers the weight and keeps the set connected and
    within the bounds. The weight of a set is the sum of ``weight`` plus ``per_metre`` times
    its outer border (``border``: per district its (neighbour, metres)). Returns lot ->
    weight."""
    found: dict[frozenset[int], float] = {}
    total_border = [sum(m for _, m in row) for row in border] if per_metre else []

    def added(e: int, inside: dict[int, float]) -> float:
        if not per_metre:
            return float(weight[e])
        return float(weight[e]) + per_metre * (total_border[e] - 2 * inside.get(e, 0.0))

    for seed in np.flatnonzero(np.isfinite(weight)):
        seed = int(seed)
        members, load = {seed}, clients[seed]
        inside: dict[int, float] = {}  # district -> border it shares with the members
        total = added(seed, inside)
        if per_metre:
            for j, m in border[seed]:
                inside[j] = inside.get(j, 0.0) + m
        best: tuple[float, frozenset[int]] | None = None
        if low <= load <= high:
            best = (total, frozenset(members))
        frontier = {e for e in neighbours[seed] if np.isfinite(weight[e])}
        while frontier:
            short = load < low
            choice, key, step = None, np.inf, 0.0
            for e in frontier:
                if load + clients[e] > high:
                    continue
                delta = added(e, inside)
                k = delta / max(clients[e], 1.0) if short else delta
                if k < key:
                    choice, key, step = e, k, delta
            if choice is None or (not short and step >= 0 and best is not None):
                break
            members.add(choice)
            load += clients[choice]
            total += step
            if per_metre:
                for j, m in border[choice]:
                    inside[j] = inside.get(j, 0.0) + m
            frontier.discard(choice)
            frontier.update(e for e in neighbours[choice]
                            if e not in members and np.isfinite(weight[e]))
            if low <= load <= high and (best is None or total < best[0]):
                best = (total, frozenset(members))
        if best is None:
            continue
        lot = _drop_costly(set(best[1]), weight, clients, neighbours, low, border, per_metre)
        value = float(sum(weight[i] for i in lot))
        if per_metre:
            value += per_metre * sum(m for i in lot for j, m in border[i] if j not in lot)
        found[lot] = min(value, found.get(lot, np.inf))
    return found


def _drop_costly(members: set[int], weight: np.ndarray, clients: np.ndarray,
                 neighbours: Sequence[Sequence[int]], low: float,
                 border: Sequence[Sequence[tuple[int, float]]], per_metre: float,
                 ) -> frozenset[int]:
    load = sum(clients[i] for i in members)
    for i in sorted(members, key=lambda i: -weight[i]):
        if len(members) == 1 or load - clients[i] < low:
            continue
        gain = float(weight[i])  # what removing i saves
        if per_metre:
            shared = sum(m for j, m in border[i] if j in members)
            outside = sum(m for j, m in border[i] if j not in members)
            gain += per_metre * (outside - shared)
        if gain <= 0:
            continue
        rest = members - {i}
        if _connected(rest, neighbours):
            members, load = rest, load - clients[i]
    return frozenset(members)


class _ExactPricing:
    """Per bidder, the rooted-flow MILP of the least-weight connected lot within the client
    bounds, kept in HiGHS between rounds (only the costs change)."""

    def __init__(self, data: _Pricing, bidder: str) -> None:
        import highspy

        from allocatie.milp.solve import _load_highs

        members = [i for i in range(len(data.ids)) if np.isfinite(data.cost[bidder][i])]
        ids = data.ids
        m = Model(name=f"pricing {bidder}")
        x = {ids[i]: m.add_binary() for i in members}
        root = {ids[i]: m.add_binary() for i in members}
        m.add_eq([(root[d], 1) for d in root], 1)
        names = [ids[i] for i in members]
        # Measured on Emmen buurten (8 bidders at one set of duals): 30 s with the root rows
        # alone, 20 s with the neighbour rows, 9 s with the client flow as well.
        for k, i in enumerate(members):
            d = ids[i]
            m.add_le([(root[d], 1), (x[d], -1)], 0)
            # a member that is not the root has a member neighbour
            m.add_le([(x[d], 1), (root[d], -1)]
                     + [(x[e], -1) for e in data.instance.neighbours[d] if e in x], 0)
            for e in names[:k]:  # the root is the lot's first district
                m.add_le([(root[d], 1), (x[e], 1)], 1)
        rooted_flow(m, names, data.instance.edges_for(), x, root, roots_max=1,
                    demand={ids[i]: data.clients[i] for i in members},
                    supply_min=data.low, supply_max=data.high)
        load = [(x[ids[i]], data.clients[i]) for i in members]
        m.add_ge(load, data.low)
        m.add_le(load, data.high)
        # Compactness: y >= |x_a - x_b| per border inside the bid districts; a border with a
        # district the bidder cannot take is always outer (a fixed extra cost of x_a).
        inside = set(members)
        self.per_metre, self.outer_border_m = data.per_metre, data.outer_border_m
        self.outer = np.zeros(len(data.ids))
        if data.per_metre:
            for i in members:
                for j, metres in data.border[i]:
                    if j not in inside:
                        self.outer[i] += data.per_metre * metres
                    elif i < j:
                        y = m.add_var(0.0, 1.0, data.per_metre * metres / SCALE)
                        m.add_ge([(y, 1), (x[ids[i]], -1), (x[ids[j]], 1)], 0)
                        m.add_ge([(y, 1), (x[ids[j]], -1), (x[ids[i]], 1)], 0)
        self.members = members
        self.x = [x[ids[i]] for i in members]
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("mip_rel_gap", 1e-6)
        self.h.setOptionValue("mip_abs_gap", 1e-6)
        _load_highs(self.h, m, integrality=True)
        self.columns = np.array(self.x, dtype=np.int32)

    def solve(self, weight: np.ndarray, limit_s: float,
              ) -> tuple[frozenset[int] | None, float | None, float]:
        """(best lot found or None, its weight, a lower bound of the least weight)."""
        w = np.array([weight[i] + self.outer[i] for i in self.members])
        self.h.changeColsCost(len(self.columns), self.columns, w / SCALE)
        self.h.setOptionValue("time_limit", self.h.getRunTime() + max(0.1, limit_s))
        self.h.run()
        info = self.h.getInfo()
        trivial = float(np.minimum(w, 0).sum())  # connectivity and bounds relaxed
        bound = info.mip_dual_bound * SCALE if abs(info.mip_dual_bound) < 1e29 else trivial
        bound = max(bound, trivial) if np.isfinite(bound) else trivial
        if self.h.getModelStatus().name == "kInfeasible":
            return None, None, np.inf
        if info.primal_solution_status != 2:
            return None, None, bound
        values = np.array(self.h.getSolution().col_value)[self.columns]
        lot = frozenset(i for i, v in zip(self.members, values, strict=True) if v > 0.5)
        value = float(sum(weight[i] for i in lot))
        value += self.per_metre * self.outer_border_m(lot)
        return lot, value, min(bound, value)


class _Master:
    """The restricted master LP in HiGHS; columns are added as pricing finds them."""

    def __init__(self, data: _Pricing) -> None:
        import highspy

        self.inf = highspy.kHighsInf
        self.data = data
        rules = data.instance.rules
        n = len(data.ids)
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        # Interior-point duals without crossover lie inside the optimal dual face: on this
        # very degenerate master, simplex duals are extreme points and price badly.
        self.h.setOptionValue("solver", "ipm")
        self.h.setOptionValue("run_crossover", "off")
        empty_i, empty_v = np.array([], dtype=np.int32), np.array([])
        for _ in range(n):
            self.h.addRow(1.0, 1.0, 0, empty_i, empty_v)
        self.count_row = n
        self.h.addRow(float(rules.lots_min), float(rules.lots_max), 0, empty_i, empty_v)
        self.lots_row: dict[str, int] = {}
        self.cap_row: dict[str, int] = {}
        for b in data.bidders:
            self.lots_row[b] = self.h.getNumRow()
            self.h.addRow(-self.inf, float(data.most[b]), 0, empty_i, empty_v)
            if data.capacity[b] is not None:
                self.cap_row[b] = self.h.getNumRow()
                self.h.addRow(-self.inf, float(data.capacity[b]), 0, empty_i, empty_v)
        # Artificial columns keep the master feasible before real columns cover everything,
        # and their costs box the district duals (pi_d <= box_d): a du Merle-style box that
        # keeps the first duals near the districts' own costs.
        fee = max(data.fee.values())
        self.box = np.array([BOX * (max(float(c[i]) for c in data.cost.values()
                                        if np.isfinite(c[i])) + fee) / SCALE
                             if any(np.isfinite(c[i]) for c in data.cost.values()) else 1e6
                             for i in range(n)])
        for i in range(n):
            self.h.addCol(float(self.box[i]), 0, self.inf, 1, np.array([i], np.int32),
                          np.array([1.0]))
        for sign in (1.0, -1.0):
            self.h.addCol(float(self.box.sum()), 0, self.inf, 1, np.array([n], np.int32),
                          np.array([sign]))
        self.lots: list[Lot] = []
        self.seen: set[tuple[str, frozenset[int]]] = set()

    def add(self, bidder: str, districts: frozenset[int]) -> bool:
        key = (bidder, districts)
        if key in self.seen:
            return False
        self.seen.add(key)
        cost = self.data.lot_cost(bidder, districts)
        idx = sorted(districts) + [self.count_row, self.lots_row[bidder]]
        val = [1.0] * len(districts) + [1.0, 1.0]
        if bidder in self.cap_row:
            idx.append(self.cap_row[bidder])
            val.append(float(sum(self.data.clients[i] for i in districts)))
        self.h.addCol(cost / SCALE, 0, self.inf, len(idx), np.array(idx, np.int32),
                      np.array(val))
        self.lots.append(Lot(bidder, districts, cost))
        return True

    def solve(self, limit_s: float) -> tuple[float, np.ndarray] | None:
        """(value in EUR, row duals) or None when the LP was not solved."""
        self.h.setOptionValue("time_limit", self.h.getRunTime() + max(0.1, limit_s))
        self.h.run()
        if self.h.getModelStatus().name != "kOptimal":
            return None
        return (self.h.getInfo().objective_function_value * SCALE,
                np.array(self.h.getSolution().row_dual))


def lagrangian(data: _Pricing, duals: np.ndarray, master: _Master,
               least: dict[str, float]) -> float:
    """The Lagrangian bound (EUR) at ``duals`` (HiGHS row duals of the master, thousands of
    euros) given, per bidder, a lower bound ``least`` (EUR) of the least reduced cost of its
    lots without the lot-count and lots-per-bidder duals."""
    rules = data.instance.rules
    n = len(data.ids)
    value = float(duals[:n].sum()) * SCALE
    copies: list[float] = []
    for b in data.bidders:
        if b in master.cap_row:
            value += min(0.0, float(duals[master.cap_row[b]])) * SCALE * data.capacity[b]
        if np.isfinite(least[b]):
            copies += [least[b]] * int(data.most[b])
    copies.sort()
    if len(copies) < rules.lots_min:
        return np.inf  # too few lots possible: the master itself is infeasible
    chosen = sum(copies[:rules.lots_min])
    for c in copies[rules.lots_min:rules.lots_max]:
        if c >= 0:
            break
        chosen += c
    return value + chosen


def weights(data: _Pricing, master: _Master, duals: np.ndarray, bidder: str) -> np.ndarray:
    """Per district the reduced-cost contribution (EUR) of putting it in a lot of
    ``bidder``: cost - district dual - capacity dual x clients (inf without a bid)."""
    n = len(data.ids)
    rho = min(0.0, float(duals[master.cap_row[bidder]])) if bidder in master.cap_row else 0.0
    return data.cost[bidder] - (duals[:n] + rho * data.clients) * SCALE


def colgen_bound(instance: Instance, budget: Budget, best: Design | None = None,
                 stop: threading.Event | None = None) -> ColgenResult:
    """Column generation on the set-partitioning master of ``instance`` within ``budget``,
    its first columns the lots of ``best`` (the best design so far). Returns the best valid
    lower bound found and the trace; stops early when the bound meets the master LP (then
    the LP is solved) or ``stop`` is set."""
    data = _Pricing(instance)
    master = _Master(data)
    index = {d: i for i, d in enumerate(data.ids)}
    if best is not None:
        for lot, bidder in best.winners.items():
            districts = frozenset(index[d] for d, of in best.assignment.items() if of == lot)
            if bidder in master.lots_row and data.feasible(bidder, districts):
                master.add(bidder, districts)
    exact = {b: _ExactPricing(data, b) for b in data.bidders}
    trace: list[TracePoint] = []
    best_bound, centre, previous = -np.inf, None, None
    last_exact = budget.elapsed()
    iterations = exact_rounds = 0
    converged = plain = stuck = False
    value = None
    while not budget.expired() and not (stop is not None and stop.is_set()):
        solved = master.solve(budget.solver_limit())
        if solved is None:
            break
        value, duals = solved
        iterations += 1
        anchor = None if plain else (centre if centre is not None else previous)
        plain = False
        point = duals if anchor is None else ALPHA * anchor + (1 - ALPHA) * duals
        previous = point
        added = sum(_add_heuristic(data, master, point, duals, b) for b in data.bidders)
        if not added and anchor is not None:
            added = sum(_add_heuristic(data, master, duals, duals, b) for b in data.bidders)
        if not added or budget.elapsed() - last_exact >= EXACT_EVERY_S:
            exact_rounds += 1
            least: dict[str, float] = {}
            negative = 0
            for k, b in enumerate(data.bidders):
                w = weights(data, master, point, b)
                if budget.expired():  # out of time: the trivial bound (negative weights)
                    least[b] = float(np.minimum(w[np.isfinite(w)], 0).sum()) + data.fee[b]
                    continue
                share = budget.left() / (len(data.bidders) - k)  # stopped early: still a bound
                lot, _, lower = exact[b].solve(w, min(PRICING_LIMIT_S, max(0.1, share)))
                least[b] = lower + data.fee[b]
                if lot is not None and _reduced_cost(data, master, duals, b, lot) < NEGATIVE:
                    negative += master.add(b, lot)
                if lot is not None and NEIGHBOUR_LOTS:
                    negative += _add_neighbours(data, master, duals, b, lot)
            last_exact = budget.elapsed()
            bound = lagrangian(data, point, master, least)
            if bound > best_bound:
                best_bound, centre = bound, point.copy()
            if not added and not negative:
                # Nothing negative at the master's own duals: no column is left (unless a
                # pricing MILP stopped early; then the bound says so). At smoothed duals: a
                # mispricing, so price at the master's duals next.
                stuck = anchor is None
                plain = True
        trace.append(TracePoint(budget.elapsed(), value,
                                float(best_bound) if np.isfinite(best_bound) else None,
                                len(master.lots)))
        converged = best_bound >= value - 1e-6 * max(1.0, abs(value))
        if converged or stuck:  # converged: the bound meets the master, its LP is solved
            break
    bound = None if not np.isfinite(best_bound) else float(best_bound)
    return ColgenResult(bound, value, converged, iterations, exact_rounds, tuple(master.lots),
                        tuple(trace))


def _reduced_cost(data: _Pricing, master: _Master, duals: np.ndarray, bidder: str,
                  lot: frozenset[int]) -> float:
    """Reduced cost (thousands of euros) of a lot at the master's duals."""
    rc = data.lot_cost(bidder, lot) / SCALE - float(sum(duals[i] for i in lot))
    rc -= float(duals[master.count_row] + duals[master.lots_row[bidder]])
    if bidder in master.cap_row:
        rc -= float(duals[master.cap_row[bidder]]) * float(sum(data.clients[i] for i in lot))
    return rc


def _add_cheapest(data: _Pricing, master: _Master, duals: np.ndarray, bidder: str,
                  lots: Iterable[frozenset[int]]) -> int:
    """Add to the master the lots of negative reduced cost at ``duals``, cheapest first (ties
    by their sorted districts), at most :data:`COLUMNS_PER_BIDDER`; returns how many."""
    scored = sorted((_reduced_cost(data, master, duals, bidder, lot), sorted(lot), lot)
                    for lot in lots)
    added = 0
    for rc, _, lot in scored:
        if rc >= NEGATIVE or added >= COLUMNS_PER_BIDDER:
            break
        added += master.add(bidder, lot)
    return added


def _add_heuristic(data: _Pricing, master: _Master, point: np.ndarray, duals: np.ndarray,
                   bidder: str) -> int:
    """Heuristic pricing for ``bidder`` at ``point``; adds up to COLUMNS_PER_BIDDER lots of
    negative reduced cost at the master's ``duals``. Returns how many were added."""
    w = weights(data, master, point, bidder)
    found = grow_lots(w, data.clients, data.neighbours, data.low, data.high, data.border,
                      data.per_metre)
    return _add_cheapest(data, master, duals, bidder, found)


#: The pipeline runs column generation on instances of at most this many districts (the exact
#: pricing MILP has one binary per district and bid) when the territory phase stopped without
#: a proof; it gets PHASE_SHARE of the time left, and only when that is at least MIN_PHASE_S
#: (on Emmen buurten the first bound comes after 17-25 s; there the set-partitioning LP is
#: weaker than the territory bound, see docs/ENGINEERING.md).
MAX_DISTRICTS = 300
MIN_PHASE_S = 30.0
PHASE_SHARE = 0.5


def wanted(run: _Run) -> bool:
    """Whether the design pipeline should try the set-partitioning bound now."""
    instance = run.instance
    return (not run.proven() and run.best is not None and not_applicable(instance) is None
            and len(instance.districts) <= MAX_DISTRICTS
            and bool(instance.rules.lot_clients_min or instance.rules.lot_clients_max)
            and PHASE_SHARE * run.budget.left() >= MIN_PHASE_S
            and not (run.stop is not None and run.stop.is_set()))


def colgen_phase(run: _Run) -> None:
    """Column generation with part of the time left; keeps its bound when it is stronger
    than the territory bound and says which bound the run reports
    (``details["bound_from"]``)."""
    before = run.bound
    run.report(None, None, "column generation", phase="colgen")
    result = colgen_bound(run.instance, run.budget.share(PHASE_SHARE), run.best, run.stop)
    run.details["colgen"] = {
        "bound": None if result.bound is None else round(result.bound, 2),
        "master_lp": None if result.master is None else round(result.master, 2),
        "converged": result.converged, "iterations": result.iterations,
        "exact_pricing_rounds": result.exact_rounds, "columns": len(result.lots),
        "time_s": round(result.trace[-1].seconds, 3) if result.trace else 0.0}
    if result.bound is not None and (before is None or result.bound > before):
        run.raise_bound(result.bound, False, "column generation")


def _add_neighbours(data: _Pricing, master: _Master, duals: np.ndarray, bidder: str,
                    lot: frozenset[int]) -> int:
    """Add the lots one district away from ``lot`` (one more frontier district, one less
    while connected, or with :data:`NEIGHBOUR_LOTS` 2 one swapped) that have a negative
    reduced cost at ``duals``, up to COLUMNS_PER_BIDDER; returns how many."""
    load = float(sum(data.clients[i] for i in lot))
    bid = np.isfinite(data.cost[bidder])
    around = {e for i in lot for e in data.neighbours[i] if e not in lot and bid[e]}
    candidates = [lot | {e} for e in around if load + data.clients[e] <= data.high]
    candidates += [lot - {i} for i in lot if len(lot) > 1
                   and load - data.clients[i] >= data.low and _connected(lot - {i},
                                                                          data.neighbours)]
    if NEIGHBOUR_LOTS > 1:  # swaps: one frontier district in, one member out
        for e in around:
            for i in lot:
                swapped = load + data.clients[e] - data.clients[i]
                if data.low <= swapped <= data.high and _connected(
                        (lot - {i}) | {e}, data.neighbours):
                    candidates.append((lot - {i}) | {e})
    return _add_cheapest(data, master, duals, bidder, candidates)
