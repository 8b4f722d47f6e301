"""Construction starts of the design heuristic: seeds, lot growth and the first award."""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Mapping, Sequence

import numpy as np

from allocatie.award.exact import best_award
from allocatie.budget import Budget
from allocatie.design.heuristic.state import State

#: Share of the time limit the construction starts may use (the first start always runs).
START_SHARE = 0.25


class Construction:
    """Seeded starts: seeds, growth and award (a mixin of :class:`Search`)."""

    def construct_all(self, ks: list[int]) -> None:
        """Run the construction starts: every strategy for the first K values, then more
        spread-seed starts until a quarter of the time is used."""
        strategies = ["current", "spread-cost", "territory", "spread-balanced", "profile"]
        if not self.ctx.data.current_labels:
            strategies.remove("current")
        results: dict[int, float] = {}
        starts = Budget(self.budget.start, START_SHARE * self.budget.limit)
        first = True
        for k in ks:  # one quick start per K first
            des = self.construct(k, strategies[0])
            self.iterations += 1
            if des is not None:
                results[k] = des.objective() if des.feasible() else math.inf
            if self.done() or (not first and starts.expired() and self.best):
                break
            first = False
        ranked = sorted(ks, key=lambda k: results.get(k, math.inf))[:2]
        for name in strategies[1:] + ["spread-cost", "spread-balanced"] * 4:
            for k in ranked:
                if self.done() or (starts.expired() and self.best is not None):
                    return
                self.construct(k, name)
                self.iterations += 1

    def construct(self, k: int, strategy: str) -> State | None:
        """One start: seeds and growth, award, local search. Returns the design reached."""
        ctx = self.ctx
        made = self._build(k, strategy)
        if made is None:
            return None
        lot_of, winners = made
        if winners is None:
            winners = self._penalised_award(lot_of, k)
            if winners is None:
                return None
        des = State(ctx, lot_of, winners)
        self.descend(des)
        self.offer(des, f"start {strategy}")
        if self.best is None and (self.least is None or des.better_than(self.least)):
            self.least = des
        return des

    def _build(self, k: int, strategy: str) -> tuple[list[int], list[int] | None] | None:
        """``(lot_of, winners or None)`` of one start, or None when it cannot be built."""
        if strategy == "current":
            direct = self._current_partition(k)
            if direct is not None:
                return direct, None
            return self._grow_with(self._current_seeds(k), k)
        if strategy == "territory":
            seeds, fixed = self._territory_seeds(k)
            if seeds is None:
                return None
            winners = self._seed_winners(seeds, fixed)
            if winners is None:
                return None
            lot_of = self._grow(seeds, winners)
            return (lot_of, winners) if lot_of is not None else None
        if strategy == "profile":
            return self._grow_with(self._profile_seeds(k), k)
        seeds = self._spread_seeds(k, ())
        if seeds is None:
            return None
        if strategy == "spread-balanced":
            lot_of = self._grow(seeds, None)
            return (lot_of, None) if lot_of is not None else None
        return self._grow_with(seeds, k)

    def _grow_with(self, seeds: list[int] | None,
                   k: int) -> tuple[list[int], list[int] | None] | None:
        """Cost-aware growth from ``seeds`` (completed with pinned units) with the winners
        of their hop-Voronoi cells."""
        if seeds is None:
            return None
        seeds = self._with_labels(seeds, k)
        if seeds is None:
            return None
        winners = self._seed_winners(seeds, {})
        if winners is None:
            return None
        lot_of = self._grow(seeds, winners)
        return (lot_of, winners) if lot_of is not None else None

    def _split_seeds(self, des, c: int) -> tuple[int, int] | None:
        """Two units of lot ``c`` to regrow it from: a labelled (pinned) unit if there is one,
        else a random one, and the unit farthest from it; None when the lot has one unit."""
        ctx = self.ctx
        units = sorted({ctx.unit_of[d] for d in des.members[c]})
        if len(units) < 2:
            return None
        labelled = [u for u in units if ctx.unit_label[u] >= 0]
        first = labelled[0] if labelled else self.rng.choice(units)
        hops = ctx.hops.row(self._rep(first))
        far = max(units, key=lambda u: (hops[self._rep(u)], self.rng.random()))
        return first, far

    def _rep(self, u: int) -> int:
        return self.ctx.unit_members[u][0]

    def _label_units(self) -> list[int]:
        ctx = self.ctx
        return [u for u in range(ctx.n_units) if ctx.unit_label[u] >= 0]

    def _spread_seeds(self, k: int, fixed: Sequence[int]) -> list[int] | None:
        """``k`` seed units by farthest-point sampling in hops, starting from ``fixed`` and
        the pinned units, with at least one seed in every component."""
        ctx = self.ctx
        seeds: list[int] = list(dict.fromkeys(list(fixed) + self._label_units()))
        covered = {ctx.component[self._rep(u)] for u in seeds}
        for c in range(ctx.n_components):
            if c not in covered:
                pool = [u for u in range(ctx.n_units) if ctx.component[self._rep(u)] == c]
                seeds.append(self.rng.choice(pool))
        if len(seeds) > k:
            return None
        if not seeds:
            seeds.append(self.rng.randrange(ctx.n_units))
        reps = np.array([self._rep(u) for u in range(ctx.n_units)])
        mind = ctx.hops.rows([self._rep(u) for u in seeds])[:, reps].min(axis=0)
        while len(seeds) < k:
            far = float(mind.max())
            cands = [int(u) for u in np.flatnonzero(mind >= far - 1e-9) if u not in seeds]
            if not cands:
                cands = [u for u in range(ctx.n_units) if u not in seeds]
            u = self.rng.choice(cands)
            seeds.append(u)
            mind = np.minimum(mind, ctx.hops.row(self._rep(u))[reps])
        return seeds

    def _with_labels(self, seeds: list[int], k: int) -> list[int] | None:
        """Make every pinned unit a seed (replacing the nearest unpinned seed) and every
        component hold one; returns ``k`` seeds or None."""
        ctx = self.ctx
        seeds = list(dict.fromkeys(seeds))[:k]
        labelled = [u for u in self._label_units() if u not in seeds]
        for u in labelled:
            free = [i for i, s in enumerate(seeds) if ctx.unit_label[s] < 0]
            if len(seeds) < k:
                seeds.append(u)
            elif free:
                hops = ctx.hops.row(self._rep(u))
                i = min(free, key=lambda i: hops[self._rep(seeds[i])])
                seeds[i] = u
            else:
                return None
        if len(seeds) < k:
            more = self._spread_seeds(k, seeds)
            return more
        covered = {ctx.component[self._rep(u)] for u in seeds}
        if len(covered) < ctx.n_components:
            return self._spread_seeds(k, [u for u in seeds if ctx.unit_label[u] >= 0])
        return seeds

    def _current_partition(self, k: int) -> list[int] | None:
        """Today's areas as lots, when there are ``k`` of them and they fit the rules."""
        ctx = self.ctx
        if ctx.n_current_labels != k or any(c < 0 for c in ctx.current):
            return None
        lot_of = list(ctx.current)
        for members in ctx.unit_members:
            if len({lot_of[d] for d in members}) > 1:
                return None
        lots: list[list[int]] = [[] for _ in range(k)]
        for d, lot in enumerate(lot_of):
            lots[lot].append(d)
        if any(not lot or not self.data.is_connected(lot) for lot in lots):
            return None
        labels = [-1] * k
        for u, t in enumerate(ctx.unit_label):
            if t >= 0:
                lot = lot_of[self._rep(u)]
                if labels[lot] >= 0:
                    return None
                labels[lot] = t
        return lot_of

    def _current_seeds(self, k: int) -> list[int] | None:
        """The most central unit of each of today's areas (largest areas first)."""
        ctx = self.ctx
        areas: dict[int, list[int]] = {}
        for d, c in enumerate(ctx.current):
            if c >= 0:
                areas.setdefault(c, []).append(d)
        order = sorted(areas, key=lambda c: -sum(ctx.clients[d] for d in areas[c]))
        seeds = []
        for c in order[:k]:
            members = areas[c]
            sub = ctx.hops.block(members, members)
            centre = members[int(np.argmin(sub.max(axis=1)))]
            seeds.append(ctx.unit_of[centre])
        return self._spread_seeds(k, list(dict.fromkeys(seeds)))

    def _territory_seeds(self, k: int) -> tuple[list[int] | None, dict[int, int]]:
        """Seeds in the largest connected territories of each district's cheapest bidder;
        returns the seeds and {seed position: its bidder}."""
        ctx = self.ctx
        best = np.argmin(ctx.ucost_or_big, axis=1)
        seen = [False] * ctx.n_units
        comps: list[tuple[float, int, list[int]]] = []
        for u0 in range(ctx.n_units):
            if seen[u0]:
                continue
            b = int(best[u0])
            comp = [u0]
            seen[u0] = True
            queue = deque([u0])
            while queue:
                u = queue.popleft()
                for d in ctx.unit_members[u]:
                    for e in ctx.growth_nbrs[d]:
                        v = ctx.unit_of[e]
                        if not seen[v] and best[v] == b:
                            seen[v] = True
                            comp.append(v)
                            queue.append(v)
            size = sum(ctx.unit_clients[u] for u in comp)
            comps.append((-size, b, comp))
        comps.sort(key=lambda t: (t[0], t[1], t[2][0]))
        count = [0] * ctx.nb
        seeds: list[int] = []
        fixed: dict[int, int] = {}
        max_w = self.data.max_winners
        for _, b, comp in comps:
            if len(seeds) >= k - len(self._label_units()):
                break
            if count[b] >= ctx.max_lots[b]:
                continue
            if max_w is not None and count[b] == 0 and sum(1 for c in count if c) >= max_w:
                continue
            reps = [self._rep(u) for u in comp]
            sub = ctx.hops.block(reps, reps)
            centre = comp[int(np.argmin(sub.max(axis=1)))]
            fixed[len(seeds)] = b
            seeds.append(centre)
            count[b] += 1
        full = self._with_labels(self._spread_seeds(k, seeds) or seeds, k)
        if full is None:
            return None, {}
        kept = {i: b for i, b in fixed.items() if i < len(full) and full[i] == seeds[i]}
        return full, kept

    def _profile_seeds(self, k: int) -> list[int] | None:
        """Seeds at the most interior unit of k-means clusters of per-client cost profiles."""
        ctx = self.ctx
        prof = ctx.ucost_or_big - ctx.ucost_or_big.min(axis=1, keepdims=True)
        prof = prof / np.maximum(np.array(ctx.unit_clients, dtype=float), 1.0)[:, None]
        scale = float(prof.std()) or 1.0
        prof = prof / scale
        labels = kmeans(prof, k, self.np_rng)
        seeds = []
        for c in range(k):
            members = [u for u in range(ctx.n_units) if labels[u] == c]
            if not members:
                continue
            inside = set(members)

            def interior(u: int, inside: set[int] = inside) -> int:
                return sum(1 for d in ctx.unit_members[u] for e in ctx.growth_nbrs[d]
                           if ctx.unit_of[e] in inside)

            seeds.append(max(members, key=lambda u: (interior(u), -u)))
        return self._spread_seeds(k, seeds[:k])

    def _seed_winners(self, seeds: list[int], fixed: Mapping[int, int]) -> list[int] | None:
        """Winners for lots grown from ``seeds``: the award of their hop-Voronoi cells with
        missing bids priced high and capacities ignored; ``fixed`` pins some lots' winners."""
        ctx = self.ctx
        reps = [self._rep(u) for u in seeds]
        owner = np.argmin(ctx.hops.rows(reps), axis=0)
        for k, u in enumerate(seeds):
            for d in ctx.unit_members[u]:
                owner[d] = k
        cost = np.zeros((len(seeds), ctx.nb))
        np.add.at(cost, owner, ctx.cost_or_big)
        cost += np.array(ctx.fee)[None, :]
        for k, b in fixed.items():
            keep = cost[k, b]
            cost[k, :] = np.inf
            cost[k, b] = keep
        clients = np.bincount(owner, weights=ctx.clients, minlength=len(seeds))
        result = best_award(cost, clients, self.data.max_lots,
                              np.full(ctx.nb, np.inf), self.data.min_winners,
                              self.data.max_winners)
        if result is None and fixed:
            return self._seed_winners(seeds, {})
        return result[0] if result is not None else None

    def _grow(self, seeds: list[int], winners: list[int] | None) -> list[int] | None:
        """Grow connected lots 0..k-1 from seed units: cost-aware with ``winners``, else
        balanced. Returns ``lot_of`` or None when some unit cannot be reached."""
        if winners is not None:
            return self._grow_into([-1] * self.ctx.n, dict(enumerate(seeds)), winners)
        return self._grow_balanced(seeds)

    def _grow_balanced(self, seeds: list[int]) -> list[int] | None:
        """Grow lots from seed units, always the lot with fewest clients next, taking its
        nearest free neighbour (hops from its seed)."""
        ctx = self.ctx
        k = len(seeds)
        lot_of = [-1] * ctx.n
        unit_lot = [-1] * ctx.n_units
        lot_clients = [0] * k
        hops = ctx.hops.rows([self._rep(u) for u in seeds])
        tiebreak = [self.rng.random() for _ in range(ctx.n_units)]
        fronts: list[list[tuple[float, float, int]]] = [[] for _ in range(k)]
        left = ctx.n_units

        def assign(u: int, lot: int) -> None:
            nonlocal left
            self._place(u, lot, unit_lot, lot_of, lot_clients)
            left -= 1
            for v in self._adjacent_units(u):
                if unit_lot[v] < 0 and ctx.unit_label[v] < 0:
                    heapq.heappush(fronts[lot], (hops[lot][self._rep(v)],
                                                 tiebreak[v], v))

        for lot, u in enumerate(seeds):
            assign(u, lot)
        while left:
            grew = False
            for lot in sorted(range(k), key=lambda j: (lot_clients[j], j)):
                front = fronts[lot]
                while front and unit_lot[front[0][2]] >= 0:
                    heapq.heappop(front)
                if front:
                    assign(heapq.heappop(front)[2], lot)
                    grew = True
                    break
            if not grew:
                break
        if left and not ctx.contiguous:
            for u in range(ctx.n_units):
                if unit_lot[u] < 0 and ctx.unit_label[u] < 0:
                    assign(u, min(range(k), key=lambda j: (lot_clients[j], j)))
        return lot_of if left == 0 else None

    def _place(self, u: int, lot: int, unit_lot: list[int], lot_of: list[int],
               lot_clients: list[int]) -> None:
        """Put unit ``u`` (all its districts and clients) in ``lot`` while lots grow."""
        unit_lot[u] = lot
        for d in self.ctx.unit_members[u]:
            lot_of[d] = lot
        lot_clients[lot] += self.ctx.unit_clients[u]

    def _adjacent_units(self, u: int) -> list[int]:
        ctx = self.ctx
        return [ctx.unit_of[e] for d in ctx.unit_members[u] for e in ctx.growth_nbrs[d]]

    def _grow_into(self, base: Sequence[int], seeds: Mapping[int, int],
                   winners: Sequence[int]) -> list[int] | None:
        """Cost-aware growth: the free districts of ``base`` (lot -1) join the lots of
        ``seeds`` (lot -> seed unit, all free), least regret first: a unit's regret for a
        lot is its cost under the lot's winner minus its cheapest cost under any growing
        lot's winner. Lots not in ``seeds`` keep their districts and do not grow. Client
        maxima and capacities are respected while possible. Returns ``lot_of`` or None."""
        ctx = self.ctx
        lot_of = list(base)
        k = len(winners)
        lot_clients = [0] * k
        bidder_clients = [0] * ctx.nb
        for d, lot in enumerate(lot_of):
            if lot >= 0:
                lot_clients[lot] += ctx.clients[d]
                bidder_clients[winners[lot]] += ctx.clients[d]
        unit_lot = [lot_of[m[0]] for m in ctx.unit_members]
        growing = sorted(seeds)
        ucost = ctx.ucost_or_big[:, [winners[lot] for lot in growing]]
        best = ucost.min(axis=1)
        column = {lot: c for c, lot in enumerate(growing)}
        hops = dict(zip(seeds, ctx.hops.rows([self._rep(u) for u in seeds.values()]),
                        strict=True))
        tiebreak = [self.rng.random() for _ in range(ctx.n_units)]
        heap: list[tuple[float, float, float, int, int]] = []
        left = sum(1 for v in unit_lot if v < 0)

        def assign(u: int, lot: int) -> None:
            nonlocal left
            self._place(u, lot, unit_lot, lot_of, lot_clients)
            bidder_clients[winners[lot]] += ctx.unit_clients[u]
            left -= 1
            if ctx.contiguous:
                for v in self._adjacent_units(u):
                    push(v, lot)

        def push(v: int, lot: int) -> None:
            if unit_lot[v] < 0 and ctx.unit_label[v] < 0:
                heapq.heappush(heap, (float(ucost[v, column[lot]] - best[v]),
                                      float(hops[lot][self._rep(v)]),
                                      tiebreak[v], v, lot))

        for lot, u in seeds.items():
            if unit_lot[u] >= 0:
                return None
            assign(u, lot)
        if not ctx.contiguous:
            for v in range(ctx.n_units):
                for lot in growing:
                    push(v, lot)
        hi = ctx.hi if (ctx.hi is not None and not ctx.soft) else math.inf
        while heap:
            _, _, _, u, lot = heapq.heappop(heap)
            if unit_lot[u] >= 0:
                continue
            s = ctx.unit_clients[u]
            w = winners[lot]
            if lot_clients[lot] + s > hi or bidder_clients[w] + s > ctx.cap[w]:
                continue
            assign(u, lot)
        # Units left over (limits reached): the adjacent growing lot that adds the least
        # violation, then the least cost.
        progress = True
        while left and progress:
            progress = False
            for u in range(ctx.n_units):
                if unit_lot[u] >= 0 or ctx.unit_label[u] >= 0:
                    continue
                if ctx.contiguous:
                    lots = sorted({lot_of[e] for d in ctx.unit_members[u]
                                   for e in ctx.growth_nbrs[d] if lot_of[e] in column})
                else:
                    lots = growing
                if not lots:
                    continue
                s = ctx.unit_clients[u]

                def badness(lot: int, s: int = s, u: int = u) -> tuple[float, float]:
                    w = winners[lot]
                    viol = ctx.hard(lot_clients[lot] + s) - ctx.hard(lot_clients[lot])
                    viol += ctx.over_cap(w, bidder_clients[w] + s) - \
                        ctx.over_cap(w, bidder_clients[w])
                    return viol, float(ucost[u, column[lot]])

                assign(u, min(lots, key=badness))
                progress = True
        return lot_of if left == 0 else None

    def _penalised_award(self, lot_of: Sequence[int], k: int) -> list[int] | None:
        """Winners obeying max lots and winner counts, minimising cost with missing bids
        priced high and capacities ignored (a start for the repair)."""
        ctx = self.ctx
        cost = np.zeros((k, ctx.nb))
        np.add.at(cost, np.asarray(lot_of), ctx.cost_or_big)
        cost += np.array(ctx.fee)[None, :]
        clients = np.bincount(np.asarray(lot_of), weights=ctx.clients, minlength=k)
        result = best_award(cost, clients, self.data.max_lots, np.full(ctx.nb, np.inf),
                              self.data.min_winners, self.data.max_winners)
        return result[0] if result is not None else None

    def _least_violation_award(self, lot_of: Sequence[int] | np.ndarray,
                               clients: Sequence[float],
                               starts: Sequence[Sequence[int] | None]) -> list[int]:
        """Winners of lots ``lot_of`` (``clients`` per lot) lowering (violation, cost) from
        the best of ``starts`` (awards obeying max lots and winner counts): a descent that
        gives one lot to another bidder or swaps the winners of two lots, keeping max lots
        and winner counts. The violation is the design's part that depends on the award:
        missing bids (weighted as in :meth:`State.violation`) and clients over capacity.
        ``[]`` when no start is valid."""
        ctx = self.ctx
        k = len(clients)
        lot_of = np.asarray(lot_of)
        cost = np.zeros((k, ctx.nb))
        np.add.at(cost, lot_of, ctx.cf_array)
        cost += np.array(ctx.fee)[None, :]
        miss = np.zeros((k, ctx.nb), dtype=np.int64)
        np.add.at(miss, lot_of, ctx.miss_array)
        viol_rows = (ctx.missing_weight * miss).tolist()
        cost_rows = cost.tolist()
        cap = ctx.cap
        data = self.data
        lo_w = data.min_winners or 0
        hi_w = data.max_winners if data.max_winners is not None else ctx.nb
        tol = ctx.tolerance

        def key(winners: Sequence[int]) -> tuple[float, float]:
            load = [0.0] * ctx.nb
            for lot, w in enumerate(winners):
                load[w] += clients[lot]
            over = sum(max(0.0, x - c) for x, c in zip(load, cap, strict=True))
            return (sum(viol_rows[lot][w] for lot, w in enumerate(winners)) + over,
                    sum(cost_rows[lot][w] for lot, w in enumerate(winners)))

        valid = [list(w) for w in starts if w is not None and self._winners_ok(w)]
        if not valid:
            return []
        winners = min(valid, key=key)
        load = [0.0] * ctx.nb
        count = [0] * ctx.nb
        for lot, w in enumerate(winners):
            load[w] += clients[lot]
            count[w] += 1
        distinct = sum(1 for c in count if c)

        def over(b: int, x: float) -> float:
            return max(0.0, x - cap[b])

        for _ in range(4 * k * ctx.nb + 4):
            best: tuple[float, float, int, int, int] | None = None
            for lot in range(k):  # another bidder for one lot
                w = winners[lot]
                s = clients[lot]
                out_w = over(w, load[w] - s) - over(w, load[w])
                for j in range(ctx.nb):
                    if j == w or count[j] >= ctx.max_lots[j]:
                        continue
                    dv = (viol_rows[lot][j] - viol_rows[lot][w] + out_w
                          + over(j, load[j] + s) - over(j, load[j]))
                    dc = cost_rows[lot][j] - cost_rows[lot][w]
                    if not (dv < -1e-9 or (dv <= 1e-9 and dc < -tol)):
                        continue
                    if best is not None and (dv, dc) >= best[:2]:
                        continue
                    now = distinct - (count[w] == 1) + (count[j] == 0)
                    if lo_w <= now <= hi_w:
                        best = (dv, dc, lot, -1, j)
            for lot in range(k):  # swap the winners of two lots
                w = winners[lot]
                for other in range(lot + 1, k):
                    v = winners[other]
                    if v == w:
                        continue
                    shift = clients[other] - clients[lot]
                    dv = (viol_rows[lot][v] + viol_rows[other][w] - viol_rows[lot][w]
                          - viol_rows[other][v] + over(w, load[w] + shift) - over(w, load[w])
                          + over(v, load[v] - shift) - over(v, load[v]))
                    dc = (cost_rows[lot][v] + cost_rows[other][w] - cost_rows[lot][w]
                          - cost_rows[other][v])
                    if (dv < -1e-9 or (dv <= 1e-9 and dc < -tol)) and \
                            (best is None or (dv, dc) < best[:2]):
                        best = (dv, dc, lot, other, v)
            if best is None:
                break
            _, _, lot, other, j = best
            w = winners[lot]
            if other < 0:
                load[w] -= clients[lot]
                load[j] += clients[lot]
                count[w] -= 1
                count[j] += 1
                distinct += (count[j] == 1) - (count[w] == 0)
            else:
                shift = clients[other] - clients[lot]
                load[w] += shift
                load[j] -= shift
                winners[other] = w
            winners[lot] = j
        return winners


def kmeans(points: np.ndarray, k: int, rng: np.random.Generator,
            iterations: int = 20) -> np.ndarray:
    """Cluster labels of ``points`` by Lloyd's k-means with k-means++ starts."""
    n = len(points)
    k = min(k, n)
    centres = [points[int(rng.integers(n))]]
    for _ in range(1, k):
        d2 = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0)
        total = float(d2.sum())
        idx = int(rng.choice(n, p=d2 / total)) if total > 0 else int(rng.integers(n))
        centres.append(points[idx])
    c = np.array(centres)
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        d2 = ((points[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
        new = np.argmin(d2, axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        for j in range(k):
            if np.any(labels == j):
                c[j] = points[labels == j].mean(axis=0)
    return labels
