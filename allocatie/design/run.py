"""The design pipeline: heuristic start, exact territory MILP, lots cut from territories."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable

from allocatie.design.cuts import separate_connectivity_cuts
from allocatie.design.partition import split_territory
from allocatie.design.territory import build_territory_model
from allocatie.instance import Instance, natural_key
from allocatie.milp import Progress, solve
from allocatie.settings import SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status

ProgressCallback = Callable[[Progress], None]
CUT_SHARE = 0.15  # at most this share of the time limit goes to the root cutting-plane loop
MAX_CUT_ROUNDS = 30


def tighten_with_cuts(tm, instance: Instance, deadline: float,
                      stop: threading.Event | None = None) -> tuple[int, int, float | None]:
    """Root cutting-plane loop: solve the LP relaxation, add violated connectivity cuts,
    repeat. Returns (rounds, cuts added, last LP bound in EUR)."""
    rounds = added = 0
    bound = None
    while rounds < MAX_CUT_ROUNDS and time.perf_counter() < deadline and not (
            stop is not None and stop.is_set()):
        relaxed = copy.copy(tm.model)
        relaxed.integer = [False] * tm.model.num_vars
        lp = solve(relaxed, SolverSettings(time_limit_s=max(1.0, deadline - time.perf_counter())))
        if lp.values is None:
            break
        bound = lp.objective * tm.scale
        rows = separate_connectivity_cuts(tm, instance, lp.values)
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

    Returns a :class:`Solution` with ``status`` optimal only when the territory MILP proved
    optimality and the lots could be cut without lot-level cost; otherwise ``feasible`` with
    the bound and gap, or ``infeasible``/``no_solution`` with a message. Never raises for an
    infeasible instance.
    """
    settings = settings or instance.solver
    started = time.perf_counter()
    deadline = started + settings.time_limit_s
    best: tuple[float, dict[str, str], dict[str, str], str] | None = None

    start = _heuristic_start(instance, settings, heuristic_time_s, stop)
    if start is not None:
        best = (start[0], start[1], start[2], "heuristic")
        if progress is not None:
            progress(Progress(time.perf_counter() - started, start[0], None, "heuristic"))

    tm = build_territory_model(instance, integer_flow=settings.backend == "cpsat")
    cut_rounds, cuts_added, lp_bound = tighten_with_cuts(
        tm, instance, deadline=started + CUT_SHARE * settings.time_limit_s, stop=stop)
    if start is not None:
        tm.model.hint = tm.hint_from_design(instance, start[1], start[2])
    remaining = max(1.0, deadline - time.perf_counter())

    def scaled(event: Progress) -> None:
        if progress is not None:
            progress(Progress(time.perf_counter() - started,
                              None if event.incumbent is None else event.incumbent * tm.scale,
                              None if event.bound is None else event.bound * tm.scale,
                              event.backend))

    raw = solve(tm.model, settings.with_(time_limit_s=remaining), scaled, stop)
    bound = raw.bound * tm.scale if raw.bound is not None else None
    relaxed = lot_level_rules(instance)
    notes = []
    status = raw.status
    if raw.status.has_solution:
        owner, lots_per_bidder = tm.territories(raw.values)
        cut = _cut_lots(instance, owner, lots_per_bidder, settings, deadline)
        if cut is None:
            notes.append("the territories of the MILP could not be cut into lots that meet the "
                         "lot-level rules; kept the heuristic design")
        else:
            assignment, winners, lot_level = cut
            objective = raw.objective * tm.scale + lot_level + (
                instance.rules.compactness_weight * cut_border_km(instance, assignment))
            if best is None or objective < best[0] - 1e-6:
                best = (objective, assignment, winners, raw.backend)
    elif raw.status is Status.INFEASIBLE and not relaxed:
        return Solution(Status.INFEASIBLE, solver=raw.version,
                        time_s=time.perf_counter() - started,
                        message="no design meets the rules (proven by the territory model)",
                        details={"method": "territory"})
    if best is None:
        message = ("no feasible design found within the time limit"
                   if raw.status is not Status.INFEASIBLE
                   else "the territory relaxation is infeasible: no design meets the rules")
        final = Status.INFEASIBLE if raw.status is Status.INFEASIBLE else Status.NO_SOLUTION
        return Solution(final, bound=bound, solver=raw.version,
                        time_s=time.perf_counter() - started, message=message,
                        details={"method": "territory"})

    objective, assignment, winners, source = best
    proven = (status is Status.OPTIMAL and bound is not None
              and objective <= bound + max(0.01, 1e-6 * abs(bound)))
    final_status = Status.OPTIMAL if proven else Status.FEASIBLE
    if final_status is Status.FEASIBLE and bound is not None and bound > objective:
        bound = objective
    if relaxed:
        notes.append("rules settled when cutting lots (the bound relaxes them): "
                     + ", ".join(relaxed))
    return Solution(
        final_status,
        assignment=assignment,
        winners=winners,
        objective=objective,
        bound=bound,
        solver=raw.version,
        time_s=time.perf_counter() - started,
        message="; ".join(notes),
        details={"method": "territory", "incumbent_from": source,
                 "milp_status": raw.status.value, "milp_native_status": raw.native_status,
                 "milp_time_s": round(raw.time_s, 3), "cut_rounds": cut_rounds,
                 "cuts": cuts_added, "root_lp_bound": lp_bound,
                 "heuristic_objective": start[0] if start else None},
    )


def _heuristic_start(instance: Instance, settings: SolverSettings,
                     heuristic_time_s: float | None, stop: threading.Event | None):
    from allocatie.design.heuristic import heuristic_design

    limit = heuristic_time_s
    if limit is None:
        limit = min(10.0, max(0.5, 0.1 * settings.time_limit_s))
    found = heuristic_design(instance, time_limit_s=limit, seed=settings.seed, stop=stop)
    if found is None:
        return None
    return found.objective, dict(found.assignment), dict(found.winners)


def _cut_lots(instance: Instance, owner: dict[str, str], lots_per_bidder: dict[str, int],
              settings: SolverSettings, deadline: float):
    territory: dict[str, list[str]] = {}
    for d in instance.district_ids:
        territory.setdefault(owner[d], []).append(d)
    pieces: list[tuple[str, list[str]]] = []
    lot_level = 0.0
    for b in sorted(territory, key=lambda b: instance.district_ids.index(territory[b][0])):
        parts = lots_per_bidder.get(b, 1)
        limit = max(1.0, min(30.0, deadline - time.perf_counter()))
        split = split_territory(instance, territory[b], parts,
                                settings.with_(time_limit_s=limit, backend="highs"))
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


def cut_border_km(instance: Instance, assignment: dict[str, str]) -> float:
    """Shared border between districts in different lots, in km (the compactness term)."""
    return sum(e.border_m for e in instance.edges
               if assignment[e.a] != assignment[e.b]) / 1000.0
