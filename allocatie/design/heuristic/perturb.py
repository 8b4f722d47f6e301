"""Perturbations of the design heuristic (iterated local search): ruin and recreate,
merge-split, resize and winner kicks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from allocatie.design.heuristic.state import State

#: Perturbed designs up to this fraction worse than the best become the current design.
ACCEPT_WORSE = 0.002


class Perturbation:
    """Perturbation moves (a mixin of :class:`Search`)."""

    def perturb_loop(self, des: State, stall_limit: int) -> State:
        """Perturb the current design (ruin and recreate two or three adjacent lots, merge
        two lots and split a third, or give a lot to another bidder), descend, and keep the
        result when it is better; go back to the best design now and then. Returns the
        current design after ``stall_limit`` perturbations in a row without improvement.
        While no design is feasible (a repair from the least violating start) the designs
        are awarded before they descend, and a perturbed design that violates less becomes
        the current one (only that counts as an improvement)."""
        stall = 0
        fails = 0
        while not self.done() and stall < stall_limit and fails < 200:
            self.iterations += 1
            kind = self.rng.random()
            if self.k_low < self.k_high and kind < 0.15:
                move, trial = "resize", self._resize(des)
            elif kind < 0.3:
                move, trial = "winner kick", self._winner_kick(des)
            elif des.k >= 3 and kind < 0.55:
                move, trial = "merge-split", self._merge_split(des)
            else:
                move, trial = "ruin-recreate", self._ruin_recreate(des)
            if trial is None:
                fails += 1
                continue
            fails = 0
            if self.best is None:
                self.reaward(trial)  # repairing: an award that keeps the capacities first
            self.descend(trial)
            if self.offer(trial, move):
                des = trial
                stall = 0
                continue
            stall += 1
            if self.best is None:
                if trial.violation() < des.violation() - 1e-9:
                    des = trial
                    stall = 0
                continue
            if trial.feasible() and \
                    trial.objective() < self.best.objective() * (1 + ACCEPT_WORSE) and \
                    trial.objective() != des.objective():
                des = trial  # a slightly worse design moves the search elsewhere
            elif self.rng.random() < 0.1:
                des = self.best.copy()
        self.perturbations_fail = fails >= 200
        return des

    def _resize(self, des: State) -> State | None:
        """One lot more (a lot cut in two, grown from two far-apart seeds) or one lot less
        (two adjacent lots merged), within the allowed numbers of lots."""
        ctx = self.ctx
        grow = des.k < self.k_high and (des.k <= self.k_low or self.rng.random() < 0.5)
        if not grow:
            pairs = [(a, b) for a, b in self.adjacent_pairs(des)
                     if des.lot_label[a] < 0 or des.lot_label[b] < 0]
            if not pairs:
                return None
            a, b = self.rng.choice(pairs)
            if des.lot_label[b] >= 0:
                a, b = b, a
            lot_of = [a if lot == b else lot - (lot > b) for lot in des.lot_of]
            winners = [w for lot, w in enumerate(des.winner) if lot != b]
        else:
            c = self.rng.randrange(des.k)
            seeds = self._split_seeds(des, c)
            if seeds is None:
                return None
            first, far = seeds
            base = [-1 if lot == c else lot for lot in des.lot_of]
            winners = list(des.winner) + [self.rng.randrange(ctx.nb)]
            grown = self._grow_into(base, {c: first, des.k: far}, winners)
            if grown is None:
                return None
            lot_of = grown
        awarded = self._penalised_award(lot_of, len(winners))
        return State(ctx, lot_of, awarded, parent=des) if awarded is not None else None

    def _winner_kick(self, des: State) -> State | None:
        """Give a random lot to another bidder with a lot to spare (one of the three
        cheapest on the lot and its neighbours); the descent then reshapes the lots."""
        ctx = self.ctx
        lot = self.rng.randrange(des.k)
        area = set(des.members[lot])
        if ctx.contiguous:
            area |= {e for d in des.members[lot] for e in ctx.nbrs[d]}
        cost = ctx.cost_or_big[sorted(area)].sum(axis=0)
        winners = list(des.winner)
        cands = []
        for j in np.argsort(cost, kind="stable"):
            j = int(j)
            if j == winners[lot] or des.bidder_lots[j] >= ctx.max_lots[j]:
                continue
            if self._winners_ok(winners[:lot] + [j] + winners[lot + 1:]):
                cands.append(j)
            if len(cands) == 3:
                break
        if not cands:
            return None
        winners[lot] = self.rng.choice(cands)
        return State(ctx, des.lot_of, winners, parent=des)

    def _winners_ok(self, winners: Sequence[int]) -> bool:
        """Whether winners obey max lots per bidder and min/max distinct winners."""
        ctx = self.ctx
        counts: dict[int, int] = {}
        for w in winners:
            counts[w] = counts.get(w, 0) + 1
        if any(c > ctx.max_lots[w] for w, c in counts.items()):
            return False
        data = self.data
        if data.min_winners is not None and len(counts) < data.min_winners:
            return False
        return data.max_winners is None or len(counts) <= data.max_winners

    def _ruin_recreate(self, des: State) -> State | None:
        """Free two or three adjacent lots and grow them again from random seeds, guided by
        their winners (shuffled, or one replaced by a random bidder), then award."""
        ctx = self.ctx
        pairs = self.adjacent_pairs(des)
        if not pairs:
            return None
        region = list(self.rng.choice(pairs))
        if des.k > 2 and self.rng.random() < 0.5:
            around = sorted({y for x, y in pairs if x in region and y not in region}
                            | {x for x, y in pairs if y in region and x not in region})
            if around:
                region.append(self.rng.choice(around))
        free = [d for lot in region for d in des.members[lot]]
        units = sorted({ctx.unit_of[d] for d in free})
        labelled = [u for u in units if ctx.unit_label[u] >= 0]
        plain = [u for u in units if ctx.unit_label[u] < 0]
        if len(labelled) + len(plain) < len(region) or len(labelled) > len(region):
            return None
        seeds = labelled + self.rng.sample(plain, len(region) - len(labelled))
        winners = list(des.winner)
        pool = [des.winner[lot] for lot in region]
        self.rng.shuffle(pool)
        if self.rng.random() < 0.5:
            pool[self.rng.randrange(len(pool))] = self.rng.randrange(ctx.nb)
        for lot, w in zip(region, pool, strict=True):
            winners[lot] = w
        base = list(des.lot_of)
        for d in free:
            base[d] = -1
        lot_of = self._grow_into(base, dict(zip(region, seeds, strict=True)), winners)
        if lot_of is None:
            return None
        awarded = self._penalised_award(lot_of, des.k)
        return State(ctx, lot_of, awarded, parent=des) if awarded is not None else None

    def _merge_split(self, des: State) -> State | None:
        """Merge two adjacent lots a and b into a, and cut another lot c into c and b,
        grown cost-aware from two far-apart seeds (a pinned unit stays a seed)."""
        ctx = self.ctx
        pairs = self.adjacent_pairs(des)
        if des.k < 3 or not pairs:
            return None
        a, b = self.rng.choice(pairs)
        if des.lot_label[a] >= 0 and des.lot_label[b] >= 0:
            return None
        if des.lot_label[b] >= 0:
            a, b = b, a
        others = [c for c in range(des.k) if c not in (a, b) and len(des.members[c]) >= 2]
        if not others:
            return None
        c = self.rng.choice(others)
        seeds = self._split_seeds(des, c)
        if seeds is None or seeds[0] == seeds[1]:
            return None
        first, far = seeds
        base = list(des.lot_of)
        for d in des.members[b]:
            base[d] = a
        for d in des.members[c]:
            base[d] = -1
        winners = list(des.winner)
        if self.rng.random() < 0.5:
            winners[b] = self.rng.randrange(ctx.nb)
        lot_of = self._grow_into(base, {c: first, b: far}, winners)
        if lot_of is None:
            return None
        awarded = self._penalised_award(lot_of, des.k)
        return State(ctx, lot_of, awarded, parent=des) if awarded is not None else None
