"""The design pipeline: heuristic start, exact territory MILP, lots cut from territories."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from allocatie.budget import Budget
from allocatie.checker import changed_districts
from allocatie.design.colgen import colgen_phase
from allocatie.design.colgen import wanted as colgen_wanted
from allocatie.design.common import DesignData
from allocatie.design.cuts import (
    client_bound_cuts,
    separate_connectivity_cuts,
    separate_pair_cuts,
    separate_small_set_cuts,
    unsplittable_part_cuts,
)
from allocatie.design.partition import split_territory
from allocatie.design.scale import early_bound, early_bound_wanted, scale_phase, territory_too_big
from allocatie.design.second_search import SecondSearch
from allocatie.design.second_search import wanted as second_search_wanted
from allocatie.design.slots import build_slot_model
from allocatie.design.territory import build_territory_model
from allocatie.design.value import Design
from allocatie.instance import Instance
from allocatie.milp import Progress, Relaxation, solve
from allocatie.settings import SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status
from allocatie.text import natural_key

ProgressCallback = Callable[[Progress], None]
CUT_SHARE = 0.3  # at most this share of the time limit goes to the root cutting-plane loop
MAX_CUT_ROUNDS = 40
MAX_BENDERS_ROUNDS = 50  # territory re-solves after client-bound cuts
# The heuristic gets 10% of the time limit (at most HEURISTIC_CAP_S); from LARGE_INSTANCE
# districts 30%: there the MILP rarely improves the incumbent within a minute, while the
# heuristic's local search still does (Rivierenland, 216 buurten: 29.82M after 6 s, 29.69M
# after 18 s).
HEURISTIC_CAP_S = 20.0
LARGE_INSTANCE = 150
LARGE_HEURISTIC_SHARE = 0.3
MIN_SECOND_S = 10.0  # time left after the heuristic for a second search to pay
#: A root LP round gets at least this long (the cut loop has at most CUT_SHARE of the time, so
#: this passes the run's limit only for limits of about 1.5 s or less).
MIN_LP_ROUND_S = 1.0
#: The heuristic start gets at least this long (never more than the time limit).
MIN_HEURISTIC_S = 0.5
MAX_SPLIT_S = 30.0  # time limit of one territory split into lots


def tighten_with_cuts(tm, instance: Instance, deadline: float,
                      stop: threading.Event | None = None,
                      on_bound: Callable[[float], None] | None = None,
                      ) -> tuple[int, int, float | None]:
    """Root cutting-plane loop: solve the LP relaxation, add violated connectivity cuts,
    repeat until ``deadline`` (a ``time.perf_counter()`` reading). Returns (rounds, cuts
    added, last LP bound in EUR)."""
    now = time.perf_counter()
    budget = Budget(now, deadline - now)
    rounds = added = 0
    bound = None
    relaxation = Relaxation(tm.model)
    while rounds < MAX_CUT_ROUNDS and not budget.expired() and not (
            stop is not None and stop.is_set()):
        lp = relaxation.solve(budget.solver_limit(at_least=MIN_LP_ROUND_S))
        if lp is None:
            break
        bound = lp[0] * tm.scale
        if on_bound is not None:
            on_bound(bound)
        rows = separate_connectivity_cuts(tm, instance, lp[1])
        rows += separate_pair_cuts(tm, instance, lp[1])
        rows += separate_small_set_cuts(tm, instance, lp[1])
        rounds += 1
        if not rows:
            break
        for row in rows:
            tm.model.add_le(row, 0)
        added += len(rows)
    return rounds, added, bound


def lot_level_rules(instance: Instance) -> list[str]:
    """The rules the territory model only relaxes (they are settled when lots are cut)."""
    rules = instance.rules
    found = []
    if rules.lot_clients_min is not None or rules.lot_clients_max is not None:
        found.append("client bounds per lot")
    if rules.compactness_weight:
        found.append("compactness weight")
    if rules.pinned:
        found.append("pinned districts")
    if rules.max_changed_districts is not None:
        found.append("cap on districts that change area")
    return found


def design(instance: Instance, settings: SolverSettings | None = None,
           progress: ProgressCallback | None = None, stop: threading.Event | None = None,
           heuristic_time_s: float | None = None) -> Solution:
    """Design and award the lots of ``instance``.

    Phases: (1) heuristic start; (2) the territory MILP with root connectivity cuts, exact
    when no lot-level rule applies, otherwise a relaxation whose bound is valid; its
    territories are cut into lots; (3) with lot-level rules and time left, the winner-slot
    MILP warm-started from the best design. ``status`` is ``optimal`` only when a bound proves
    it; otherwise ``feasible`` with bound and gap, or ``infeasible``/``no_solution`` with a
    message. Never raises for an infeasible instance. On a large instance with HiGHS or CBC a
    second heuristic search runs in a worker process meanwhile (:mod:`second_search`).
    """
    settings = settings or instance.solver
    run = _Run(instance, settings, progress, stop, time.perf_counter())
    try:
        infeasible = _phases(run, heuristic_time_s)
    except BaseException:
        if run.second is not None:
            run.second.cancel()
        raise
    second = run.second
    if second is not None and (infeasible is not None or run.proven()):
        second.cancel()  # nothing left to improve
        second = None
    if infeasible is not None:
        return infeasible
    if second is not None:
        run.report(None, None, "second search", phase="second_search")
        found = second.collect(wait_s=run.budget.left() + 1.0)
        run.details["second_search"] = None if found is None else round(found.objective, 2)
        if found is not None:
            run.offer(found)
    return run.solution(lot_level_rules(instance))


def _phases(run: _Run, heuristic_time_s: float | None) -> Solution | None:
    """Heuristic, territory and winner-slot phases; an infeasible outcome or None."""
    instance, settings, stop = run.instance, run.settings, run.stop
    run.report(None, None, "heuristic", phase="heuristic")
    start = _heuristic_start(instance, settings, heuristic_time_s, stop)
    if start is not None:
        run.offer(start)
        run.report(start.objective, None, "heuristic")
        if second_search_wanted(instance, settings) and run.budget.left() > MIN_SECOND_S:
            run.second = SecondSearch(instance, run.budget.left(), settings.seed + 1,
                                      (dict(start.assignment), dict(start.winners)))

    if territory_too_big(instance):  # province scale: see allocatie/design/scale.py
        if scale_phase(run) is Status.INFEASIBLE:
            return run.infeasible("no design meets the rules (proven by the relaxed bound)")
        return None
    if early_bound_wanted(instance):  # a quick valid bound first (see scale.py)
        early_bound(run)
    relaxed = lot_level_rules(instance)
    # The territory model carries the client bounds per connected part (client flow), so it
    # gets most of the time; the winner-slot model is the fallback for what it relaxes.
    territory_share = 0.95 if relaxed else 1.0
    outcome = _territory_phase(run, start, territory_share)
    if outcome is Status.INFEASIBLE:
        return run.infeasible("no design meets the rules (proven by the territory model, a "
                              "relaxation of every rule)")
    if colgen_wanted(run):  # the set-partitioning bound over connected lots (colgen.py)
        colgen_phase(run)
    if relaxed and not run.proven() and run.budget.left() > 1.0 and not (
            stop is not None and stop.is_set()) and _slot_phase(run) is Status.INFEASIBLE:
        return run.infeasible("no design meets the rules (proven by the winner-slot model)")
    return None


class _Run:
    """Bookkeeping of one design run: best design, best bound, notes and timings."""

    def __init__(self, instance: Instance, settings: SolverSettings,
                 progress: ProgressCallback | None, stop: threading.Event | None,
                 started: float) -> None:
        self.instance, self.settings, self.progress, self.stop = (instance, settings,
                                                                  progress, stop)
        self.budget = Budget(started, settings.time_limit_s)
        self.best: Design | None = None
        self.bound: float | None = None
        self.proven_by: str | None = None
        self.solver = ""
        self.notes: list[str] = []
        self.details: dict[str, object] = {"method": "territory"}
        self.second: SecondSearch | None = None
        self.phase = ""

    def report(self, incumbent: float | None, bound: float | None, backend: str,
               phase: str | None = None) -> None:
        """Send a progress event; ``phase`` names the step that starts or runs now."""
        if phase is not None:
            self.phase = phase
        if self.progress is not None:
            best = self.best.objective if self.best else None
            if incumbent is not None and best is not None:
                incumbent = min(incumbent, best)
            if self.bound is not None:
                bound = self.bound if bound is None else max(bound, self.bound)
            self.progress(Progress(self.budget.elapsed(), incumbent or best,
                                   bound, backend, self.phase))

    def offer(self, design: Design) -> None:
        """Keep ``design`` if it is better than the best so far; note when each source first
        delivered one (``details["first_design_s"]``)."""
        first = self.details.setdefault("first_design_s", {})
        first.setdefault(design.source, round(self.budget.elapsed(), 1))  # type: ignore[union-attr]
        if design.better_than(self.best):
            self.best = design

    def raise_bound(self, bound: float | None, proven: bool, by: str) -> None:
        if bound is not None and (self.bound is None or bound > self.bound):
            self.bound = bound
            self.details["bound_from"] = by  # which relaxation gave the reported bound
        if proven:
            self.proven_by = by

    def proven(self) -> bool:
        if self.best is None or self.bound is None:
            return False
        return self.best.objective <= self.bound + max(0.01, 1e-6 * abs(self.bound))

    def infeasible(self, message: str) -> Solution:
        return Solution(Status.INFEASIBLE, solver=self.solver,
                        time_s=self.budget.elapsed(), message=message,
                        details=self.details)

    def solution(self, relaxed: list[str]) -> Solution:
        elapsed = self.budget.elapsed()
        if self.best is None:
            return Solution(Status.NO_SOLUTION, bound=self.bound, solver=self.solver,
                            time_s=elapsed, message="no feasible design found within the "
                            "time limit", details=self.details)
        best = self.best
        objective = best.objective
        bound = self.bound
        status = Status.OPTIMAL if self.proven() else Status.FEASIBLE
        if bound is not None and bound > objective:
            bound = objective
        if relaxed and status is Status.FEASIBLE:
            self.notes.append("lot-level rules (" + ", ".join(relaxed) + ") are relaxed in "
                              "the territory bound")
        parts = DesignData.from_instance(self.instance).objective_parts(best.assignment,
                                                                        best.winners)
        return Solution(status, assignment=best.assignment, winners=best.winners,
                        objective=objective, bound=bound, solver=self.solver, time_s=elapsed,
                        message="; ".join(self.notes),
                        details={**self.details, "incumbent_from": best.source,
                                 "objective_parts": {k: round(v, 2) for k, v in parts.items()}})


def _territory_phase(run: _Run, start: Design | None, share: float) -> Status:
    instance, settings = run.instance, run.settings
    run.report(None, None, "territory model", phase="territory_model")
    tm = build_territory_model(instance, integer_flow=settings.backend == "cpsat")
    run.report(None, None, "root LP + cuts", phase="root_cuts")
    rounds, added, lp_bound = tighten_with_cuts(
        tm, instance, run.budget.share(CUT_SHARE).deadline, run.stop,
        on_bound=lambda bound: run.report(None, bound, "root LP + cuts"))
    run.details.update(cut_rounds=rounds, cuts=added, root_lp_bound=lp_bound)
    run.raise_bound(lp_bound, False, "root LP")  # valid: a relaxation with valid cuts
    if start is not None:
        tm.model.hint = tm.hint_from_design(instance, start.assignment, start.winners)

    exact = not lot_level_rules(instance)

    def scaled(event: Progress) -> None:
        # With lot-level rules a territory incumbent is not yet a design: report its bound only.
        incumbent = event.incumbent * tm.scale if exact and event.incumbent is not None else None
        run.report(incumbent, None if event.bound is None else event.bound * tm.scale,
                   event.backend)

    phase = run.budget.share(share, at_least=1.0)
    status = Status.NO_SOLUTION
    for iteration in range(MAX_BENDERS_ROUNDS):
        run.report(None, None, settings.backend, phase="territory_milp")
        raw = solve(tm.model, settings.with_(time_limit_s=phase.solver_limit()), scaled,
                    run.stop)
        run.solver = raw.version
        run.details.update(territory_status=raw.status.value,
                           territory_native=raw.native_status,
                           territory_time_s=round(raw.time_s, 3), territory_rounds=iteration + 1)
        status = raw.status
        if raw.status is Status.INFEASIBLE:
            return raw.status
        run.raise_bound(None if raw.bound is None else raw.bound * tm.scale,
                        raw.status is Status.OPTIMAL, "territory")
        if not raw.status.has_solution:
            break
        owner, lots_per_bidder = tm.territories(raw.values)
        rows = client_bound_cuts(tm, instance, owner, lots_per_bidder)
        if _add_cuts(run, tm, rows, "client_bound_cuts", phase):
            continue
        if rows:
            break
        if run.best is not None and raw.objective * tm.scale >= run.best.objective - 1e-6:
            break  # lot-level terms only add: these territories cannot beat the best design
        run.report(None, None, "partition", phase="cut_lots")
        cut = _cut_lots(instance, owner, lots_per_bidder, settings, run.budget)
        if cut is None:
            rows = unsplittable_part_cuts(tm, instance, owner, settings,
                                          phase.until(phase.deadline - 1.0))
            if _add_cuts(run, tm, rows, "unsplittable_part_cuts", phase):
                continue
            run.notes.append("the territories of the territory model could not be cut into "
                             "lots that meet the lot-level rules")
        elif within_changed_cap(instance, cut[0]):
            assignment, winners, lot_level = cut
            objective = raw.objective * tm.scale - tm.cut_cost(raw.values) + lot_level + (
                instance.rules.compactness_weight * cut_border_km(instance, assignment))
            run.offer(Design(assignment, winners, objective, "territory"))
        break
    return status


def _add_cuts(run: _Run, tm, rows: list[tuple[list, float]], name: str,
              phase: Budget) -> bool:
    """Add ``rows`` (terms >= lower) to the territory model for another solve, counted in
    ``run.details[name]``; False when there are none or no time is left to use them."""
    if not rows or phase.left() <= 1.0 or (
            run.stop is not None and run.stop.is_set()):
        return False
    for terms, lower in rows:
        tm.model.add_ge(terms, lower)
    run.details[name] = run.details.get(name, 0) + len(rows)
    return True


def _slot_phase(run: _Run) -> Status:
    instance, settings = run.instance, run.settings
    run.report(None, None, settings.backend, phase="slot_milp")
    sm = build_slot_model(instance, integer_flow=settings.backend == "cpsat")
    if run.best is not None:
        sm.model.hint = sm.hint_from_design(instance, run.best.assignment, run.best.winners)

    def scaled(event: Progress) -> None:
        run.report(None if event.incumbent is None else event.incumbent * sm.scale,
                   None if event.bound is None else max(event.bound * sm.scale,
                                                        run.bound or -1e300), event.backend)

    raw = solve(sm.model, settings.with_(time_limit_s=run.budget.solver_limit()), scaled,
                run.stop)
    run.solver = raw.version
    run.details.update(method="territory + winner slots", slots_status=raw.status.value,
                       slots_native=raw.native_status, slots_time_s=round(raw.time_s, 3))
    if raw.status is Status.INFEASIBLE:
        return raw.status
    if raw.status.has_solution:
        assignment, winners = sm.design(raw.values)
        run.offer(Design(assignment, winners, raw.objective * sm.scale, "winner slots"))
    run.raise_bound(None if raw.bound is None else raw.bound * sm.scale,
                    raw.status is Status.OPTIMAL, "winner slots")
    return raw.status


def _heuristic_start(instance: Instance, settings: SolverSettings,
                     heuristic_time_s: float | None,
                     stop: threading.Event | None) -> Design | None:
    from allocatie.design.heuristic import heuristic_design

    limit = heuristic_time_s
    if limit is None:
        share = LARGE_HEURISTIC_SHARE if len(instance.districts) >= LARGE_INSTANCE else 0.1
        limit = min(HEURISTIC_CAP_S, settings.time_limit_s,
                    max(MIN_HEURISTIC_S, share * settings.time_limit_s))
    found = heuristic_design(instance, time_limit_s=limit, seed=settings.seed, stop=stop)
    if found is None:
        return None
    return Design(found.assignment, found.winners, found.objective, "heuristic")


def _cut_lots(instance: Instance, owner: dict[str, str], lots_per_bidder: dict[str, int],
              settings: SolverSettings, budget: Budget):
    territory: dict[str, list[str]] = {}
    for d in instance.district_ids:
        territory.setdefault(owner[d], []).append(d)
    pieces: list[tuple[str, list[str]]] = []
    lot_level = 0.0
    for b in sorted(territory, key=lambda b: instance.district_ids.index(territory[b][0])):
        parts = lots_per_bidder.get(b, 1)
        split = split_territory(instance, territory[b], parts, settings.with_(
            time_limit_s=budget.solver_limit(at_most=MAX_SPLIT_S), backend="highs"))
        if split is None:
            return None
        pieces += [(b, lot) for lot in split[0]]
        lot_level += split[1]
    order = {d: i for i, d in enumerate(instance.district_ids)}
    pieces.sort(key=lambda piece: min(order[d] for d in piece[1]))
    assignment, winners = {}, {}
    for number, (b, districts) in enumerate(pieces, start=1):
        label = str(number)
        winners[label] = b
        for d in districts:
            assignment[d] = label
    winners = dict(sorted(winners.items(), key=lambda kv: natural_key(kv[0])))
    return assignment, winners, lot_level


def within_changed_cap(instance: Instance, assignment: dict[str, str]) -> bool:
    """Whether a design keeps the cap on districts that change area (the territory model
    relaxes it; the winner-slot model enforces it)."""
    cap = instance.rules.max_changed_districts
    if cap is None or not instance.current_lots:
        return True
    return changed_districts(instance.current_lots, assignment) <= cap


def cut_border_km(instance: Instance, assignment: dict[str, str]) -> float:
    """Shared border between districts in different lots, in km (the compactness term).

    Deliberately not shared with the checker, which recomputes the same term on its own."""
    return sum(e.border_m for e in instance.edges
               if assignment[e.a] != assignment[e.b]) / 1000.0
