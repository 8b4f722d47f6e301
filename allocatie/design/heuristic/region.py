"""Region MILPs of the design heuristic: two or three adjacent lots re-partitioned exactly."""

from __future__ import annotations

import math
from collections.abc import Sequence

from allocatie.budget import MIN_SOLVE_S, Budget
from allocatie.design.flow import fixed_root_flow, tree_flow
from allocatie.design.heuristic.state import State
from allocatie.settings import SolverSettings

#: Regions (unions of lots) with more districts than this are not solved as MILPs.
REGION_MAX_DISTRICTS = 120
#: Time limit of one region MILP (seconds).
REGION_TIME_S = 5.0


class Regions:
    """Region selection and the region MILP (a mixin of :class:`Search`)."""

    def adjacent_pairs(self, des: State) -> list[tuple[int, int]]:
        """Pairs of lots that share a contiguity edge (all pairs without contiguity)."""
        ctx = self.ctx
        if not ctx.contiguous:
            return [(a, b) for a in range(des.k) for b in range(a + 1, des.k)]
        pairs = set()
        for d in range(ctx.n):
            la = des.lot_of[d]
            for e in ctx.nbrs[d]:
                lb = des.lot_of[e]
                if la < lb:
                    pairs.add((la, lb))
        return sorted(pairs)

    def regions(self, des: State, size: int) -> list[tuple[int, ...]]:
        """Connected sets of ``size`` (2 or 3) lots."""
        pairs = self.adjacent_pairs(des)
        if size == 2:
            return list(pairs)
        adj: dict[int, set[int]] = {}
        for a, b in pairs:
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set()).add(a)
        triples = set()
        for mid, around in adj.items():
            for a in around:
                for b in around:
                    if a < b:
                        triples.add(tuple(sorted((a, b, mid))))
        return sorted(triples)

    def region_loop(self, des: State, size: int, budget: Budget | None = None) -> State:
        """Solve regions of ``size`` adjacent lots exactly until none improves (or until
        ``budget`` is used up), most promising first; a region already solved in the same state (its
        lots, winners and their capacity left) is not solved again."""
        def stop() -> bool:
            return self.done() or (budget is not None and budget.expired())

        while not stop():
            regions = [r for r in self.regions(des, size)
                       if sum(len(des.members[lot]) for lot in r) <= REGION_MAX_DISTRICTS
                       and self._region_key(des, r) not in self.clean]
            potential = {r: self._region_potential(des, r) for r in regions}
            for r in regions:
                if potential[r] <= self.ctx.tolerance:
                    self.clean.add(self._region_key(des, r))
            todo = sorted((r for r in regions if potential[r] > self.ctx.tolerance),
                          key=lambda r: (-potential[r], r))
            if not todo:
                break
            improved = False
            for region in todo:
                if stop():
                    break
                key = self._region_key(des, region)
                if key in self.clean:
                    continue
                self.iterations += 1
                better = self.solve_region(des, list(region), budget)
                if better is None:
                    self.clean.add(key)
                    continue
                self.descend(better)
                if better.feasible() and better.better_than(des):
                    des = better
                    self.offer(des, f"region {size}")
                    improved = True
                else:
                    self.clean.add(key)
            if not improved:
                break
        return des

    def _region_potential(self, des: State, region: Sequence[int]) -> float:
        """An upper bound on what a region MILP can gain (EUR): every district served by
        the cheapest of the region's winners, no penalty and no cut border inside."""
        ctx = self.ctx
        winners = {des.winner[lot] for lot in region}
        gain = 0.0
        inside = set()
        for lot in region:
            w = des.winner[lot]
            inside |= des.members[lot]
            for d in des.members[lot]:
                gain += ctx.cf[d][w] - min(ctx.cf[d][v] for v in winners if ctx.can[d][v])
            gain += ctx.pen(des.lot_clients[lot])
        if ctx.cw_m:
            gain += ctx.cw_m * sum(w for d in inside for e, w in ctx.border[d]
                                   if e in inside and e > d and des.lot_of[e] != des.lot_of[d])
        return gain

    def _region_key(self, des: State, region: Sequence[int]) -> tuple:
        """What a region MILP depends on: the region's lots with their winners and the
        capacity its winners have left outside the region."""
        inside = frozenset((frozenset(des.members[lot]), des.winner[lot]) for lot in region)
        outside = tuple(sorted(
            (w, des.bidder_clients[w] - sum(des.lot_clients[lot] for lot in region
                                            if des.winner[lot] == w))
            for w in {des.winner[lot] for lot in region}))
        return inside, outside

    def solve_region(self, des: State, region: list[int],
                     budget: Budget | None = None) -> State | None:
        """Re-partition the union of ``region``'s lots exactly into connected lots that keep
        their winners and their core district (the most interior one, or the pinned unit),
        within ``budget`` (and the search's). Returns a feasible design better than ``des``
        (not yet locally searched) or None.

        Model (positions i in the union, sub-lots s = the region's lots, winner w_s)::

            min  sum c[i, w_s] x[i,s] + client penalties + compactness cost
            (1)  sum_s x[i,s] = 1                          each district in one lot
            (2)  x[core_s, s] = 1                          each lot keeps its core
            (3)  lo <= sum_i clients_i x[i,s] <= hi        client bounds (or penalised)
            (4)  sum_{s: w_s = b} load_s <= capacity left  bidder capacity
            (5)  f[i->j,s] <= M x[i,s], f[i->j,s] <= M x[j,s]
                 inflow(i,s) - outflow(i,s) >= x[i,s]      (i != core_s): contiguity
            (6)  units whole, pinned labels apart; z_e >= x[i,s] - x[j,s]  cut border
        """
        from allocatie.milp import Model, solve

        ctx = self.ctx
        m = len(region)
        union = sorted(d for lot in region for d in des.members[lot])
        pos = {d: i for i, d in enumerate(union)}
        size = len(union)
        sub_of = {d: s for s, lot in enumerate(region) for d in des.members[lot]}
        winners = [des.winner[lot] for lot in region]
        cores = [self._core(des, lot, region) for lot in region]

        model = Model("region")
        hint: dict[int, float] = {}
        size_clients = float(sum(ctx.clients[d] for d in union))

        def scale(eur: float) -> float:
            """Objective coefficients in thousands of euros, or whole cents for CP-SAT."""
            return float(round(eur * 100)) if self.backend == "cpsat" else eur / 1e3

        x: list[list[int | None]] = [[None] * m for _ in range(size)]
        for i, d in enumerate(union):
            for s in range(m):
                if ctx.can[d][winners[s]]:
                    var = model.add_binary(scale(ctx.cf[d][winners[s]]))
                    x[i][s] = var
                    hint[var] = float(sub_of[d] == s)

        def xs(i: int, s: int, coef: float = 1.0) -> list[tuple[int, float]]:
            var = x[i][s]
            return [] if var is None else [(var, coef)]

        for i in range(size):  # (1)
            model.add_eq([t for s in range(m) for t in xs(i, s)], 1.0)
        for s, core in enumerate(cores):  # (2)
            var = x[pos[core]][s]
            if var is None:
                return None
            model.lb[var] = 1.0
        loads = [[t for i in range(size) for t in xs(i, s, float(ctx.clients[union[i]]))]
                 for s in range(m)]
        for s in range(m):  # (3)
            clients_s = des.lot_clients[region[s]]
            if ctx.soft:
                if ctx.hi is not None:
                    over = model.add_var(0.0, size_clients, scale(ctx.penalty))
                    model.add_le(loads[s] + [(over, -1.0)], float(ctx.hi))
                    hint[over] = float(max(0, clients_s - ctx.hi))
                if ctx.lo is not None:
                    short = model.add_var(0.0, size_clients, scale(ctx.penalty))
                    model.add_ge(loads[s] + [(short, 1.0)], float(ctx.lo))
                    hint[short] = float(max(0, ctx.lo - clients_s))
            elif ctx.lo is not None or ctx.hi is not None:
                model.add_row(loads[s], float(ctx.lo) if ctx.lo is not None else -math.inf,
                              float(ctx.hi) if ctx.hi is not None else math.inf)
        for b in set(winners):  # (4)
            if math.isfinite(ctx.cap[b]):
                inside = sum(des.lot_clients[lot] for lot in region if des.winner[lot] == b)
                left = ctx.cap[b] - (des.bidder_clients[b] - inside)
                model.add_le([t for s in range(m) if winners[s] == b for t in loads[s]], left)
        if ctx.contiguous and size > m:  # (5)
            arcs = [(i, pos[e]) for i, d in enumerate(union) for e in ctx.nbrs[d] if e in pos]
            big = float(size - m + 1)
            for s in range(m):
                tree = tree_flow(cores[s], set(des.members[region[s]]), ctx.nbrs)
                fixed_root_flow(model, [x[i][s] for i in range(size)], arcs, pos[cores[s]],
                                big, {(pos[a], pos[b]): f for (a, b), f in tree.items()},
                                hint)
        units = sorted({ctx.unit_of[d] for d in union})  # (6)
        for unit in units:
            members = ctx.unit_members[unit]
            for d in members[1:]:
                for s in range(m):
                    model.add_eq(xs(pos[members[0]], s) + xs(pos[d], s, -1.0), 0.0)
        labelled = [unit for unit in units if ctx.unit_label[unit] >= 0]
        if len(labelled) > 1:
            for s in range(m):
                model.add_le([t for unit in labelled
                              for t in xs(pos[ctx.unit_members[unit][0]], s)], 1.0)
        if ctx.cw_m:
            for i, d in enumerate(union):
                for e, w in ctx.border[d]:
                    if e in pos and pos[e] > i and w > 0:
                        z = model.add_var(0.0, 1.0, scale(ctx.cw_m * w))
                        hint[z] = float(sub_of[d] != sub_of[e])
                        for s in range(m):
                            model.add_ge([(z, 1.0)] + xs(i, s) + xs(pos[e], s, -1.0), 0.0)
        model.hint = {i: hint.get(i, 0.0) for i in range(model.num_vars)}

        limit = min(self.budget.left(), REGION_TIME_S)
        if budget is not None:
            limit = min(limit, budget.left())
        if limit < MIN_SOLVE_S:
            return None
        settings = SolverSettings(backend=self.backend, time_limit_s=limit, mip_gap=0.0,
                                  threads=1, seed=self.seed)
        raw = solve(model, settings, stop=self.stop)
        if raw.values is None:
            return None
        lot_of = list(des.lot_of)
        for i in range(size):
            for s in range(m):
                var = x[i][s]
                if var is not None and raw.is_one(var):
                    lot_of[union[i]] = region[s]
        trial = State(ctx, lot_of, des.winner, parent=des)
        if any(not self.data.is_connected(sorted(trial.members[lot])) for lot in region):
            return None
        if not trial.feasible() or not trial.better_than(des):
            return None
        return trial

    def _core(self, des: State, lot: int, region: Sequence[int]) -> int:
        """The district a lot keeps in a region MILP: its pinned unit, else the district
        farthest (in hops) from the other lots of the region."""
        ctx = self.ctx
        members = sorted(des.members[lot])
        for d in members:
            if ctx.unit_label[ctx.unit_of[d]] >= 0:
                return d
        others = [d for other in region if other != lot for d in des.members[other]]
        if not others:
            return members[0]
        depth = ctx.hops.nearest(others)[members]
        w = des.winner[lot]
        served = [i for i, d in enumerate(members) if ctx.can[d][w]]
        best = max(served, key=lambda i: (depth[i], ctx.clients[members[i]], -members[i]))
        return members[best]
