"""Lot design at province scale, where the territory model is too big to help.

The territory model grows with bids x neighbour arcs: at 1,000 Voronoi districts (K = 20,
15 bidders) it has 127,000 columns and 255,000 rows, and its root LP (as already at 500
districts, 42,000 columns, and on the 635 Groningen buurten) does not finish within 240-300 s
on the 2-core reference machine, so HiGHS reports no bound but the trivial 0 (a gap of 100%)
(``benchmarks/bench_scale.py``; figures in docs/ENGINEERING.md). Above
:data:`MAX_TERRITORY_COLUMNS` the design run therefore does instead:

1. the heuristic's first design, as always;
2. :func:`relaxed_bound`: the territory model without the contiguity flow (29,000 columns
   at 1,000 districts). It keeps what holds for every bidder's territory as a whole:
   capacity, lots per bidder and their fees, the client bounds summed over a bidder's lots,
   the number of lots and of winners, pins; and for each district with fewer clients than a
   lot's minimum the cut ``z_db <= sum_{e in N(d)} z_eb`` (such a district cannot be a lot
   on its own and a lot is connected, so a neighbour shares its lot and bidder). It drops
   contiguity beyond that, compactness and the cap on changed districts, all of which only
   add cost or remove designs, so its bound is a valid lower bound on every design. Solved
   as a warm LP with rounds of small-set cuts (valid for any design too); the MILP only when
   there is no design yet (so an impossible instance is still proven infeasible);
3. the rest of the time the heuristic goes on improving the best design, restarted from it
   with a new seed every :data:`CHUNK_S` (a second search runs on the spare core meanwhile,
   as on smaller instances).

The result states that bound and its gap; the gap is honest but not small (0.69% on the 635
Groningen buurten and 1.7-1.9% at 1,000 Voronoi districts after 600 s, 2.6% at 2,000 after
300 s; README, "At province scale"), because much of it is the price of contiguity that
this bound does not see.

Below the threshold, from :data:`EARLY_BOUND_MIN_DISTRICTS` districts, the same bound is
taken first for a short time (:func:`early_bound`): it is cheap there and often above what
the territory model's root LP reaches in the time.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from allocatie.budget import Budget
from allocatie.design.cuts import separate_small_set_cuts
from allocatie.design.territory import TerritoryModel, build_territory_model
from allocatie.design.value import Design
from allocatie.instance import Instance
from allocatie.milp import Relaxation, solve
from allocatie.settings import SolverSettings
from allocatie.status import Status

if TYPE_CHECKING:
    from allocatie.design.run import _Run

#: Above this many territory-model columns (3 per bid, 2 per neighbour arc per bidder) the
#: design run uses the relaxed bound instead of the territory model. Measured root LP times
#: (2-core machine, shared): Rivierenland (18,670 columns) 6-8 s; Voronoi 500 (42,131) not
#: solved in 240 s, Groningen buurten (66,509) and Voronoi 1,000 (126,979) not in 300 s.
MAX_TERRITORY_COLUMNS = 30_000
#: Share of the time left after the first design that the relaxed bound may take, and a cap.
BOUND_SHARE = 0.5
BOUND_CAP_S = 300.0
MAX_CUT_ROUNDS = 60
#: The cut rounds stop once the last STALL_ROUNDS of them raised the bound by less than
#: STALL_GAIN_PER_S (relative) per second they took: on the Groningen buurten a round takes
#: ~1 s and still gains 0.005-0.01% at round 30; at 1,000 districts a round takes 8-10 s
#: (alone) and gains under 0.005% after ~16 rounds, time the continued heuristic uses better.
STALL_ROUNDS = 3
STALL_GAIN_PER_S = 1e-5
CONTINUE_MARGIN_S = 1.5  # the continued heuristic stops this long before the time limit
CHUNK_S = 60.0  # the continued heuristic restarts from the best design (new seed) this often

#: Below the territory threshold, from this many districts the run takes the relaxed bound
#: first (:func:`early_bound`), with this share of the time left and at most this long.
EARLY_BOUND_MIN_DISTRICTS = 150
EARLY_BOUND_SHARE = 0.1
EARLY_BOUND_CAP_S = 20.0

#: The shortest limit of one warm LP round and of the MILP (a solver needs a moment).
MIN_LP_ROUND_S = 0.5

def territory_columns(instance: Instance) -> int:
    """The number of columns the territory model would have (z, r, n, w, arc flows and
    root supplies), counted without building it."""
    bid_on: dict[str, set[str]] = {}
    for b, d in instance.bids:
        bid_on.setdefault(d, set()).add(b)
    pairs = sum(len(v) for v in bid_on.values())
    arcs = 0
    if instance.rules.contiguity != "none":
        for e in instance.edges_for():
            arcs += 2 * len(bid_on.get(e.a, set()) & bid_on.get(e.b, set()))
    return 3 * pairs + arcs + 2 * len(instance.bidders)


def territory_too_big(instance: Instance) -> bool:
    """Whether the territory model is past the size where it gives a bound in time."""
    return territory_columns(instance) > MAX_TERRITORY_COLUMNS


def relaxed_model(instance: Instance) -> TerritoryModel:
    """The territory model without the contiguity flow, plus the lonely-district cuts."""
    flat = dataclasses.replace(instance,
                               rules=dataclasses.replace(instance.rules, contiguity="none"))
    tm = build_territory_model(flat)
    rules = instance.rules
    low = rules.lot_clients_min
    if instance.rules.contiguity == "none" or rules.soft_client_bounds or not low:
        return tm
    neighbours = instance.neighbours
    for (d, b), var in tm.z.items():
        if instance.clients(d) < low:
            around = [(tm.z[(e, b)], -1) for e in neighbours[d] if (e, b) in tm.z]
            tm.model.add_le([(var, 1), *around], 0)
    return tm


def relaxed_bound(instance: Instance, settings: SolverSettings, time_limit_s: float,
                  stop: threading.Event | None = None,
                  on_bound: Callable[[float], None] | None = None,
                  milp: bool = False) -> tuple[float | None, Status]:
    """(lower bound in EUR on every design, status) of :func:`relaxed_model` within
    ``time_limit_s``: its LP, tightened by rounds of small-set cuts (a connected set with
    fewer clients than a lot's minimum cannot hold a lot alone, see
    :func:`allocatie.design.cuts.separate_small_set_cuts`) on a warm LP. With ``milp`` (or
    when the LP gives no answer) the MILP with those cuts is then solved for the time left
    (``settings``' backend); ``Status.INFEASIBLE`` proves that no design meets the rules.
    The bound is None when neither found one."""
    tm = relaxed_model(instance)
    whole = Budget.starting_now(time_limit_s)
    lp_budget = whole.share(0.5 if milp else 1.0)  # with milp the MILP gets the other half
    bound, rounds, history = None, 0, []  # history: (seconds, bound) after each round
    relaxation = Relaxation(tm.model)
    while rounds < MAX_CUT_ROUNDS and not (stop is not None and stop.is_set()):
        lp = relaxation.solve(lp_budget.solver_limit(at_least=MIN_LP_ROUND_S))
        if lp is None:
            break
        rounds += 1
        bound = lp[0] * tm.scale
        history.append((whole.elapsed(), bound))
        if on_bound is not None:
            on_bound(bound)
        rows = separate_small_set_cuts(tm, instance, lp[1])
        if not rows or lp_budget.expired() or stalled(history):
            break
        for row in rows:
            tm.model.add_le(row, 0)
    if bound is not None and not milp:
        return bound, Status.FEASIBLE
    limit = whole.solver_limit(at_least=MIN_LP_ROUND_S)
    raw = solve(tm.model, settings.with_(time_limit_s=limit), None, stop)
    if raw.status is Status.INFEASIBLE:
        return None, raw.status
    found = None if raw.bound is None else raw.bound * tm.scale
    if bound is None or (found is not None and found > bound):
        bound = found
    return bound, Status.FEASIBLE if raw.status is Status.OPTIMAL else raw.status


def stalled(history: list[tuple[float, float]]) -> bool:
    """Whether the last :data:`STALL_ROUNDS` cut rounds (``history``: seconds and bound after
    each round) raised the bound by less than :data:`STALL_GAIN_PER_S` relative per second."""
    if len(history) <= STALL_ROUNDS:
        return False
    (then, before), (now, after) = history[-1 - STALL_ROUNDS], history[-1]
    return after - before < STALL_GAIN_PER_S * max(now - then, 0.0) * max(abs(after), 1.0)


def solver_name(settings: SolverSettings) -> str:
    """The solver of the relaxed bound as the results name it (its LP is HiGHS)."""
    import highspy

    name = f"HiGHS {highspy.Highs().version()}"
    return name if settings.backend == "highs" else f"{name} (LP), {settings.backend} (MILP)"


def bound_time(time_left_s: float) -> float:
    """The time the relaxed bound gets out of ``time_left_s``."""
    return min(BOUND_CAP_S, BOUND_SHARE * max(0.0, time_left_s))


def early_bound_wanted(instance: Instance) -> bool:
    """Whether a territory-model run should first take the relaxed bound: on instances of
    :data:`EARLY_BOUND_MIN_DISTRICTS` or more with contiguity and a hard lot minimum (where
    its small-set cuts apply). There the territory model's own root LP takes 5-10 s per cut
    round and the relaxed LP a fraction of a second: on a Voronoi instance of 300 districts
    (K = 6, 19,408 columns) the relaxed bound reached EUR 85.10 M in 15 s, the territory
    model's bound EUR 84.87 M after 180 s."""
    rules = instance.rules
    return (len(instance.districts) >= EARLY_BOUND_MIN_DISTRICTS and rules.contiguity != "none"
            and bool(rules.lot_clients_min) and not rules.soft_client_bounds)


def early_bound(run: _Run) -> None:
    """The relaxed bound (LP with cut rounds, :data:`EARLY_BOUND_SHARE` of the time left, at
    most :data:`EARLY_BOUND_CAP_S`) as the run's bound before the territory phase."""
    limit = min(EARLY_BOUND_CAP_S, EARLY_BOUND_SHARE * run.budget.left())
    if limit < MIN_LP_ROUND_S:
        return
    run.report(None, None, "relaxed bound", phase="root_cuts")
    bound, _ = relaxed_bound(run.instance, run.settings, limit, run.stop,
                             on_bound=lambda b: run.report(None, b, "relaxed bound"))
    run.details.update(relaxed_bound=None if bound is None else round(bound, 2))
    run.raise_bound(bound, False, "relaxed bound")


def scale_phase(run: _Run) -> Status:
    """Instead of the territory and winner-slot phases: the relaxed bound, then the heuristic
    goes on from the best design until the time limit. Returns the bound's solver status."""
    from allocatie.design.heuristic import heuristic_design

    instance, settings = run.instance, run.settings
    columns = territory_columns(instance)
    run.details.update(method="heuristic + relaxed bound", territory_columns=columns)
    run.solver = solver_name(settings)
    started = time.perf_counter()
    # Without a design (the heuristic's repair failed) the MILP may prove there is none.
    bound, status = relaxed_bound(instance, settings, bound_time(run.budget.left()), run.stop,
                                  on_bound=lambda b: run.report(None, b, "relaxed bound"),
                                  milp=run.best is None)
    run.details.update(relaxed_bound=None if bound is None else round(bound, 2),
                       relaxed_bound_status=status.value,
                       relaxed_bound_time_s=round(time.perf_counter() - started, 3))
    if status is Status.INFEASIBLE:
        return status
    run.raise_bound(bound, False, "relaxed bound")
    run.notes.append(f"the territory model is too large here ({columns:,} columns): the bound "
                     "is that of a relaxation without contiguity, so the design is likely "
                     "closer to the optimum than the gap says")
    for chunk in range(10_000):  # in chunks, so progress is reported as the design improves
        left = run.budget.left() - CONTINUE_MARGIN_S
        if left < 1.0 or run.proven() or (run.stop is not None and run.stop.is_set()):
            break
        start = None if run.best is None else (run.best.assignment, run.best.winners)
        found = heuristic_design(instance, time_limit_s=min(CHUNK_S, left),
                                 seed=settings.seed + 2 + chunk, stop=run.stop, start=start)
        if found is not None:
            run.offer(Design(found.assignment, found.winners, found.objective,
                             "heuristic (continued)"))
            run.report(found.objective, None, "heuristic")
    return status
