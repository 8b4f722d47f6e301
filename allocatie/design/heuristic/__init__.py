"""A fast heuristic for the joint lot design and award: feasible designs in well under a
second, improving while time remains.

1. **Construction** from several seeded starts per number of lots K: today's areas (when the
   instance has ``current_lots``), seeds spread over the map (farthest point in hops), the
   territories of each district's cheapest bidder, and k-means clusters of the districts' cost
   profiles. Lots grow from their seeds either cost-aware (winners chosen first, each district
   joins the neighbouring lot whose winner serves it at the least regret) or balanced in
   clients (the smallest lot grows next).
2. **Exact award** of the lots (:func:`allocatie.award.exact.best_award`).
3. **Descent**: boundary moves of single districts (or kept-together units) between adjacent
   lots that keep both lots connected (articulation check by a local breadth-first search),
   re-award, and *chains*: a cheaper move that breaks a rule (client bound, capacity, changed
   cap) mended by a second move out of the receiving lot or into the giving one. Moves are
   compared lexicographically on (violation, objective), so the same search repairs an
   infeasible start (client bounds, capacity, missing bids, changed districts) and improves it.
   A partition that no award makes feasible gets the award of least violation (clients over
   capacity, missing bids), so moves between lots of different winners can lower the excess.
   When no start is feasible, the perturbations below repair the least violating one.
4. **Perturbation** (iterated local search): ruin two or three adjacent lots and grow them
   again from random seeds, merge two lots and split a third, or give a lot to another
   bidder; then descend. Better designs are kept, slightly worse ones (``ACCEPT_WORSE``) may
   become the current design.
5. **Region MILPs** when perturbations stall: the union of two, then three adjacent lots is
   re-partitioned exactly into connected lots that keep their winners and core districts
   (flow formulation via :mod:`allocatie.milp`, warm-started from the current design), the
   most promising regions first; a region already solved in the same state is skipped.

Hard rules are the checker's: contiguity, lot count, bids, max lots per bidder, capacity,
client bounds (hard or soft), min/max distinct winners, pins (one lot per label, different
labels in different lots), kept-together groups and the cap on changed districts. Pinned or
grouped districts move as one *unit*; a group that is not connected is joined along shortest
paths (a restriction only the heuristic makes). Deterministic for a seed when it stops on
``max_iterations`` and no region MILP reaches its time limit.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from allocatie.budget import Budget
from allocatie.design.common import DesignData
from allocatie.design.heuristic.search import Search
from allocatie.instance import Instance


@dataclass(frozen=True)
class HeuristicResult:
    """A design found by :func:`heuristic_design`.

    ``assignment`` maps district -> lot ("1".."K"), ``winners`` lot -> bidder, ``objective`` is
    the checker's objective (EUR), ``time_s`` the wall time of the whole run, ``iterations``
    the number of starts, region MILPs and perturbations tried, ``first_feasible_s`` when the
    first feasible design was found, ``history`` every improvement as (seconds, objective)
    and ``gains`` the EUR gained by each kind of move after the first feasible design;
    ``evaluations`` counts the moves evaluated (a measure of the search's work).
    """

    assignment: Mapping[str, str]
    winners: Mapping[str, str]
    objective: float
    time_s: float
    iterations: int
    first_feasible_s: float = 0.0
    history: tuple[tuple[float, float], ...] = field(default_factory=tuple)
    gains: Mapping[str, float] = field(default_factory=dict)
    evaluations: int = 0

    def __post_init__(self) -> None:
        for name in ("assignment", "winners", "gains"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


def heuristic_design(instance: Instance, time_limit_s: float = 5.0, seed: int = 0,
                     stop: threading.Event | None = None, *,
                     max_iterations: int | None = None, backend: str = "highs",
                     region_milps: bool = True,
                     start: tuple[Mapping[str, str], Mapping[str, str]] | None = None,
                     ) -> HeuristicResult | None:
    """Design and award lots heuristically within about ``time_limit_s`` seconds.

    Returns the best checker-feasible design found, or ``None`` when none was found (the
    instance may be infeasible, e.g. fewer lots allowed than islands). Setting ``stop`` ends
    the search early with the best design so far; ``max_iterations`` caps the work (for
    reproducible runs); ``backend`` (``highs``, ``cpsat`` with costs in whole cents, or
    ``cbc``) solves the region MILPs, which ``region_milps=False`` switches off. If no
    feasible design is known at the time limit the repair goes on up to three times the
    limit. ``start`` (assignment, winners) skips the construction: the search improves that
    design (the design pipeline's second search continues from the first one's best)."""
    budget = Budget.starting_now(time_limit_s)
    data = DesignData.from_instance(instance)
    search = Search(data, seed, budget, stop, max_iterations, backend, region_milps)
    best = search.run(start)
    if best is None:
        return None
    lots = best.lot_lists()
    assignment, winners = data.to_design(lots, best.winner)
    return HeuristicResult(
        assignment=assignment,
        winners=winners,
        objective=data.objective(lots, best.winner),
        time_s=budget.elapsed(),
        iterations=search.iterations,
        first_feasible_s=search.first_feasible_s or 0.0,
        history=tuple(search.history),
        gains=search.gains,
        evaluations=search.ctx.evaluations,
    )
