"""Experiment (issue #16, session 6; not used by the tool): a large-neighbourhood search
with the exact winner-slot MILP on a few adjacent lots.

Run as ``python benchmarks/experiments/scale_lns.py INSTANCE [--heuristic-s 60]
[--search-s 120]``: the heuristic's design, then region after region; prints each.

At province scale the heuristic's region MILPs keep every lot's winner and see at most two
lots of ~50 districts; the award is settled separately (``reaward``). This search frees both
at once on a small region: a few adjacent lots of the best design (their districts, lot
count within what the rest of the design leaves, every bidder that bid there with the
capacity and lot limit the rest of the design leaves it) are re-designed by the winner-slot
model of :mod:`allocatie.design.slots` (exact for every lot-level rule), warm-started from
the current design of the region, with the other lots fixed. A better region design is
spliced in and kept only when the checker accepts the whole design and its objective is
lower.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections import defaultdict
from collections.abc import Mapping

from allocatie.budget import Budget
from allocatie.checker import evaluate
from allocatie.design.slots import build_slot_model
from allocatie.design.value import Design
from allocatie.instance import Bidder, Instance
from allocatie.milp import solve
from allocatie.settings import SolverSettings
from allocatie.status import Status

#: Lots per region, and the most districts a region may have.
REGION_LOTS = 3
REGION_MAX_DISTRICTS = 200
#: Bidders offered in a region: its current winners plus the cheapest others, at most this many.
REGION_BIDDERS = 6
#: Time limit of one region MILP (seconds), and the least worth starting.
REGION_TIME_S = 8.0
MIN_REGION_S = 1.0


def sub_instance(instance: Instance, assignment: Mapping[str, str],
                 winners: Mapping[str, str], region: list[str],
                 bidders: list[str] | None = None) -> Instance:
    """The design question of the lots ``region`` with every other lot fixed: their
    districts and the edges between them; each bidder (of ``bidders``, default all) with
    the capacity and lot limit that the other lots leave it; a lot count within what the
    other lots leave of the rules' range. Rules that link the region to the rest (distinct
    winners, the cap on changed districts) are dropped here: the whole design is checked
    after the splice."""
    inside = set(region)
    districts = tuple(d for d in instance.districts if assignment[d.id] in inside)
    ids = {d.id for d in districts}
    load: dict[str, int] = defaultdict(int)
    lots_won: dict[str, int] = defaultdict(int)
    for d in instance.districts:
        if assignment[d.id] not in inside:
            load[winners[assignment[d.id]]] += d.clients
    for lot, b in winners.items():
        if lot not in inside:
            lots_won[b] += 1
    wanted = set(instance.bidder_ids if bidders is None else bidders)
    kept = []
    for b in instance.bidders:
        if b.id not in wanted:
            continue
        limit = instance.max_lots(b.id)
        most = None if limit is None else limit - lots_won[b.id]
        capacity = None if b.capacity is None else b.capacity - load[b.id]
        if (most is not None and most <= 0) or (capacity is not None and capacity <= 0):
            continue
        kept.append(Bidder(b.id, capacity, most, b.lot_fee))
    names = {b.id for b in kept}
    bids = {(b, d): p for (b, d), p in instance.bids.items() if d in ids and b in names}
    edges = tuple(e for e in instance.edges if e.a in ids and e.b in ids)
    outside = len(set(winners) - inside)
    rules = instance.rules
    sub_rules = dataclasses.replace(
        rules, lots_min=max(1, rules.lots_min - outside),
        lots_max=min(len(districts), rules.lots_max - outside),
        min_winners=None, max_winners=None, max_changed_districts=None,
        pinned={d: label for d, label in rules.pinned.items() if d in ids},
        together=tuple(g for g in (tuple(d for d in group if d in ids)
                                   for group in rules.together) if len(g) > 1))
    current = None if instance.current_lots is None else {
        d: lot for d, lot in instance.current_lots.items() if d in ids}
    return dataclasses.replace(instance, districts=districts, bidders=tuple(kept), bids=bids,
                               edges=edges, rules=sub_rules, lots=None, lot_bids=(),
                               combination_bids=(), current_lots=current)


def adjacent_lots(instance: Instance, assignment: Mapping[str, str]) -> dict[str, set[str]]:
    """Lot -> the lots it shares a neighbour edge with."""
    around: dict[str, set[str]] = defaultdict(set)
    for e in instance.edges_for():
        a, b = assignment[e.a], assignment[e.b]
        if a != b:
            around[a].add(b)
            around[b].add(a)
    return around


def pick_region(instance: Instance, design: Design, rng: random.Random,
                size: int = REGION_LOTS) -> list[str]:
    """A random connected set of ``size`` lots (grown from a random lot) with at most
    :data:`REGION_MAX_DISTRICTS` districts (fewer lots when that is passed)."""
    around = adjacent_lots(instance, design.assignment)
    count: dict[str, int] = defaultdict(int)
    for lot in design.assignment.values():
        count[lot] += 1
    lots = sorted(design.winners)
    region = [rng.choice(lots)]
    while len(region) < size:
        border = sorted({b for a in region for b in around[a]} - set(region))
        border = [b for b in border
                  if sum(count[a] for a in region) + count[b] <= REGION_MAX_DISTRICTS]
        if not border:
            break
        region.append(rng.choice(border))
    return region


def region_bidders(instance: Instance, design: Design, region: list[str],
                   most: int = REGION_BIDDERS) -> list[str]:
    """The region's current winners plus the bidders cheapest on its districts (price per
    client over the districts they bid on, only bidders that bid on most of them)."""
    inside = set(region)
    districts = [d for d, lot in design.assignment.items() if lot in inside]
    chosen = list(dict.fromkeys(design.winners[lot] for lot in region))
    score = {}
    for b in instance.bidder_ids:
        prices = [instance.bids[(b, d)] for d in districts if (b, d) in instance.bids]
        if len(prices) >= 0.5 * len(districts):
            score[b] = sum(prices) / len(prices)
    for b in sorted(score, key=lambda b: (score[b], b)):
        if len(chosen) >= max(most, len(set(chosen))):
            break
        if b not in chosen:
            chosen.append(b)
    return chosen


def improve_region(instance: Instance, design: Design, region: list[str],
                   settings: SolverSettings, time_limit_s: float,
                   stop: threading.Event | None = None) -> Design | None:
    """Re-design ``region`` exactly (winner-slot MILP within ``time_limit_s``, started from
    the current design); the whole design when it is better and the checker accepts it."""
    bidders = region_bidders(instance, design, region)
    sub = sub_instance(instance, design.assignment, design.winners, region, bidders)
    if any(design.winners[lot] not in {b.id for b in sub.bidders} for lot in region):
        return None
    ids = set(sub.district_ids)
    sm = build_slot_model(sub)
    sub_assignment = {d: lot for d, lot in design.assignment.items() if d in ids}
    sm.model.hint = sm.hint_from_design(sub, sub_assignment,
                                        {lot: design.winners[lot] for lot in region})
    raw = solve(sm.model, settings.with_(time_limit_s=time_limit_s, backend="highs",
                                         mip_gap=1e-6), None, stop)
    if not raw.status.has_solution or raw.status is Status.INFEASIBLE:
        return None
    new_assignment, new_winners = sm.design(raw.values)
    assignment = {d: lot for d, lot in design.assignment.items() if d not in ids}
    winners = {lot: b for lot, b in design.winners.items() if lot not in set(region)}
    fresh = {lot: f"lns-{i}" for i, lot in enumerate(sorted(new_winners))}
    for d, lot in new_assignment.items():
        assignment[d] = fresh[lot]
    for lot, b in new_winners.items():
        winners[fresh[lot]] = b
    assignment, winners = _renumber(instance, assignment, winners)
    result = evaluate(instance, assignment, winners)
    if not result.feasible or result.objective >= design.objective - 1e-6:
        return None
    return Design(assignment, winners, result.objective, "region LNS")


def _renumber(instance: Instance, assignment: Mapping[str, str], winners: Mapping[str, str],
              ) -> tuple[dict[str, str], dict[str, str]]:
    """Lots named 1..K in the order of their first district."""
    names: dict[str, str] = {}
    for d in instance.district_ids:
        names.setdefault(assignment[d], str(len(names) + 1))
    return ({d: names[assignment[d]] for d in instance.district_ids},
            {names[lot]: b for lot, b in winners.items()})


def region_search(instance: Instance, design: Design, settings: SolverSettings,
                  budget: Budget, seed: int = 0, stop: threading.Event | None = None,
                  ) -> tuple[Design, int, int]:
    """Improve ``design`` region by region until ``budget`` runs out; returns (best design,
    regions solved, regions that improved)."""
    rng = random.Random(seed)
    best, tried, improved = design, 0, 0
    while budget.left() > MIN_REGION_S and not (stop is not None and stop.is_set()):
        region = pick_region(instance, best, rng)
        found = improve_region(instance, best, region, settings,
                               min(REGION_TIME_S, budget.left()), stop)
        tried += 1
        if found is not None:
            best, improved = found, improved + 1
    return best, tried, improved


def main() -> None:
    import argparse
    import time
    import warnings

    from allocatie.design.heuristic import heuristic_design
    from allocatie.io.loading import load_instance

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--heuristic-s", type=float, default=60.0)
    parser.add_argument("--search-s", type=float, default=120.0)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        instance = load_instance(args.instance)
    found = heuristic_design(instance, time_limit_s=args.heuristic_s, seed=1)
    best = Design(found.assignment, found.winners, found.objective, "heuristic")
    print(f"heuristic: EUR {best.objective:,.0f}")
    rng = random.Random(0)
    budget = Budget.starting_now(args.search_s)
    while budget.left() > MIN_REGION_S:
        region = pick_region(instance, best, rng)
        started = time.perf_counter()
        better = improve_region(instance, best, region, SolverSettings(),
                                min(REGION_TIME_S, budget.left()))
        size = sum(1 for lot in best.assignment.values() if lot in region)
        print(f"lots {region} ({size} districts) {time.perf_counter() - started:.1f} s: "
              + ("no better design" if better is None else f"EUR {better.objective:,.0f}"))
        best = better or best


if __name__ == "__main__":
    main()
