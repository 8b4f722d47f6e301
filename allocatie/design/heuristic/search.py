"""The design heuristic's search: time and iteration budget, the best design so far, and the
main loop (construction, then perturbation and region MILPs)."""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping

import numpy as np

from allocatie.budget import Budget
from allocatie.design.common import DesignData
from allocatie.design.heuristic.construct import Construction
from allocatie.design.heuristic.context import Context
from allocatie.design.heuristic.descent import Descent
from allocatie.design.heuristic.perturb import Perturbation
from allocatie.design.heuristic.region import Regions
from allocatie.design.heuristic.state import State
from allocatie.text import natural_key

#: Perturbations in a row without improvement before the region MILPs polish the best
#: design: STALL_BASE + STALL_PER_LOT x K.
STALL_BASE = 30
STALL_PER_LOT = 10
#: Share of the remaining time one polishing round of region MILPs may use (at least
#: MIN_POLISH_S, never past the time limit).
POLISH_SHARE = 0.3
MIN_POLISH_S = 1.0


class Search(Construction, Descent, Perturbation, Regions):
    """One run of the heuristic: budget, best design, construction then improvement."""

    def __init__(self, data: DesignData, seed: int, budget: Budget,
                 stop: threading.Event | None, max_iterations: int | None, backend: str,
                 region_milps: bool) -> None:
        self.data = data
        self.seed = seed
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.budget = budget
        # while no design is feasible the repair goes on up to three times the limit
        self.repair_budget = Budget(budget.start, 3 * budget.limit)
        self.stop = stop
        self.max_iterations = max_iterations
        self.backend = backend
        self.region_milps = region_milps
        self.iterations = 0
        self.best: State | None = None
        self.least: State | None = None  # the least violating design while none is feasible
        self.first_feasible_s: float | None = None
        self.history: list[tuple[float, float]] = []
        self.clean: set[tuple] = set()
        self.gains: dict[str, float] = {}
        self.perturbations_fail = False

    def out_of_time(self) -> bool:
        if self.stop is not None and self.stop.is_set():
            return True
        if self.best is None:
            return self.repair_budget.expired()
        return self.budget.expired()

    def out_of_iterations(self) -> bool:
        return self.max_iterations is not None and self.iterations >= self.max_iterations

    def done(self) -> bool:
        return self.out_of_time() or self.out_of_iterations()

    def offer(self, des: State, source: str) -> bool:
        """Keep ``des`` (a copy) if it is feasible and better than the best so far; the gain
        is credited to ``source`` (the kind of move that found it)."""
        if not des.feasible():
            return False
        if self.best is not None and not des.better_than(self.best):
            return False
        value = des.objective()
        if self.best is not None:
            gain = self.best.objective() - value
            self.gains[source] = self.gains.get(source, 0.0) + gain
        self.best = des.copy()
        if self.first_feasible_s is None:
            self.first_feasible_s = self.budget.elapsed()
        self.history.append((self.budget.elapsed(), value))
        return True

    def run(self, start: tuple[Mapping[str, str], Mapping[str, str]] | None = None,
            ) -> State | None:
        data = self.data
        self.ctx = ctx = Context(data)
        if not ctx.units_ok or data.n == 0 or data.num_bidders == 0:
            return None
        n_labels = len(ctx.labels)
        k_low = max(data.lots_min, n_labels, ctx.n_components, 1)
        k_high = min(data.lots_max, ctx.n_units, int(np.sum(data.max_lots)))
        if data.max_winners is not None:
            k_high = min(k_high, int(np.sort(data.max_lots)[::-1][:data.max_winners].sum()))
        ks = list(range(k_low, k_high + 1))
        if not ks:
            return None
        self.k_low, self.k_high = k_low, k_high
        given = self._given_design(*start) if start is not None else None
        if given is not None:
            self.descend(given)
            self.offer(given, "given start")
            self.least = given
        else:
            self.construct_all(ks)
        if self.best is None and self.least is not None:  # repair: perturb the least violating
            self.perturb_loop(self.least.copy(), STALL_BASE)
        if self.best is None:
            return None
        self.improve()
        return self.best

    def _given_design(self, assignment: Mapping[str, str], winners: Mapping[str, str],
                      ) -> State | None:
        """A design given as labels, in this search's terms (None if it does not fit)."""
        data = self.data
        labels = sorted(set(assignment.values()), key=natural_key)
        index = {label: i for i, label in enumerate(labels)}
        bidder = {b: i for i, b in enumerate(data.bidder_ids)}
        try:
            lot_of = [index[assignment[d]] for d in data.district_ids]
            winner = [bidder[winners[label]] for label in labels]
        except KeyError:
            return None
        return State(self.ctx, lot_of, winner)

    def descend(self, des: State) -> None:
        """Local search, re-award and chains of two moves until none improves."""
        for _ in range(50):
            self.local_search(des)
            if self.out_of_time():
                break
            if self.reaward(des):
                continue
            if not self.chain_search(des):
                break

    def improve(self) -> None:
        """Alternate perturbations of the current design (until they stall) with exact
        region MILPs on the best design, until time runs out."""
        assert self.best is not None
        current = self.best.copy()
        while not self.done():
            current = self.perturb_loop(current, STALL_BASE + STALL_PER_LOT * current.k)
            if self.done():
                break
            if not self.region_milps:
                if self.perturbations_fail:
                    break
                continue
            polish = self.budget.share(POLISH_SHARE, at_least=MIN_POLISH_S)
            before = self.best.objective() if self.best is not None else math.inf
            polished = self.region_loop(self.best.copy(), 2, polish)
            polished = self.region_loop(polished, 3, polish)
            if polished.objective() < before - self.ctx.tolerance:
                current = polished
            elif self.perturbations_fail:
                break
