"""The optimal award of the fixed lots as a MILP (rule ``optimal``).

Data: lots l with clients n_l; bidders b with lot limit m_b (own ``max_lots``, else the
kavelbeperking) and capacity cap_b (clients); single-lot bids (l, b) in O with value
v_lb = price + transition_cost x transitions(l, b); combination bids k of bidder b_k on the
lots L_k at price p_k, value v_k = p_k + transition_cost x sum_{l in L_k} transitions(l, b_k).

Variables: x_lb in {0, 1} for (l, b) in O (b wins l at its lot bid); c_k in {0, 1}
(combination k accepted: b_k wins every lot of L_k at p_k instead of its lot bids);
w_b in {0, 1} (b wins a lot; only with a minimum or maximum number of winners)::

    min  sum v_lb x_lb + sum v_k c_k                                      (+ design constant)
    (1) one_winner_per_lot    sum_b x_lb + sum_{k: l in L_k} c_k = 1                   all l
    (2) max_lots_per_bidder   sum_l x_lb + sum_{k: b_k = b} |L_k| c_k <= m_b           all b
    (3) bidder_capacity       sum_l n_l x_lb + sum_{k: b_k = b} n(L_k) c_k <= cap_b    all b
    (4) winner_indicator      x_lb <= w_b, c_k <= w_b (max), w_b <= sum x_lb + sum c_k (min)
    (5) number_of_winners     min_winners <= sum_b w_b <= max_winners

A combination is thus judged against the lot bids in the total: it is accepted only when the
award with it is cheaper; one that ties with its own bidder's lot bids is replaced by them.

Reductions (each keeps every optimal award): rows (2) and (3) only for a bidder whose limit
can bind (it bid on more lots, or clients, than the limit); no variable for a bid that alone
breaks its bidder's capacity or lot limit; without winner-count rules, a bid on l worse than
the bid of an unlimited bidder on l is dropped (swapping to that bidder keeps every rule).

Criterion ``price_quality``: stage 1 maximises sum score_lb x_lb (combination bids carry no
quality score and take no part); when scores tie, stage 2 keeps the score at its maximum and
minimises the objective above. Ties (two bids on one lot with an equal primary value): a last
stage keeps the earlier optima and minimises sum rank_l(b) x_lb, rank_l being the order drawn
by the seeded lottery for lot l (the first drawn is preferred). Ties visible only as sums over
several lots are not searched for.

Units inside the model: thousands of EUR for HiGHS and CBC (their numerics suffer from
coefficients near 1e6), whole cents for CP-SAT (integers); scores in points, or 1/10,000
points for CP-SAT. Reported figures are recomputed in EUR from the chosen bids. For CBC the
capacity rows are divided by the capacity (see :class:`Formulation`).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from allocatie.award.data import PRICE_DECIMALS, SCORE_DECIMALS, AwardData
from allocatie.award.formulation import Formulation
from allocatie.award.heuristic import greedy_award
from allocatie.award.lottery import Lottery
from allocatie.budget import Budget
from allocatie.milp import Progress, RawResult, Relaxation, solve
from allocatie.milp.model import ProgressCallback
from allocatie.settings import SolverSettings
from allocatie.status import Status

MIN_STAGE_S = 0.05
LP_AND_FIX_MIN_BIDS = 2000  # a model this large gets an LP-and-fix warm start ...
LP_AND_FIX_MIN_S = 3.0  # ... when the time limit allows
LP_SHORT_LIMIT_S = 0.5  # the LP of the warm start may take up to this, or a third of the limit
FIX_SHARE = 0.3  # the sub-MIP of LP-and-fix gets this share of the time limit ...
FIX_MAX_S = 3.0  # ... but at most this (at 500 x 100 and 5 s: 1.5 s, the best of 0.6-2.2 s)
FIX_ROUND_S = 1.5  # each round of LP-and-fix (from the best award so far) gets at most this
FIX_ROUND_MIN_S = 0.3
FIX_BIDS_PER_LOT = 6  # a free lot keeps this many bids, those of least LP reduced cost (0 = all)
POST_RESERVE_S = 0.3  # a large model's last solve leaves this (at most this share of its
POST_RESERVE_SHARE = 0.06  # limit) for the work after it: ~0.3 s at 500 x 100 under load
# Slack on "keep the earlier stage at its optimum" (HiGHS, CBC units): half a cent in kEUR,
# half a tie step in score points, and below one rank step.
_STAGE_TOLERANCE = {"price": 5e-6, "price_quality": 5e-5, "lottery": 1e-6}


@dataclass(frozen=True)
class MilpAward:
    """The result of :func:`solve_award`. ``objective`` and ``bound`` are in EUR on the spec's
    objective (``bound`` is None when stage 1 optimised a score); ``score`` is the total
    price-quality score under ``price_quality``. ``stages`` lists each solve."""

    status: Status
    winners: Mapping[str, str] = field(default_factory=dict)
    combinations: tuple[str, ...] = ()
    objective: float | None = None
    bound: float | None = None
    score: float | None = None
    score_bound: float | None = None
    time_s: float = 0.0
    solver: str = ""
    native_status: str = ""
    stages: tuple[dict, ...] = ()
    tie_lots: tuple[str, ...] = ()
    variables: int = 0
    rows: int = 0


# --------------------------------------------------------------------------- solve
def solve_award(data: AwardData, settings: SolverSettings, criterion: str = "price",
                scores: Mapping[tuple[str, str], float] | None = None,
                lottery: Lottery | None = None, progress: ProgressCallback | None = None,
                stop: threading.Event | None = None) -> MilpAward:
    """Solve the optimal award (see the module docstring) on ``settings.backend``.

    ``criterion`` ``price`` minimises the spec's objective; ``price_quality`` maximises the
    total of ``scores`` first. With a ``lottery``, ties are settled by a last stage and its
    draws are recorded in the lottery. Never raises on an infeasible instance: the status says
    so."""
    started = time.perf_counter()
    cpsat = settings.backend == "cpsat"
    money_unit = 100.0 if cpsat else 1e-3  # model units per EUR
    score_unit = 10.0 ** SCORE_DECIMALS if cpsat else 1.0

    def money(v: float) -> float:
        return float(round(v * money_unit)) if cpsat else v * money_unit

    values_eur = {(o.lot, o.bidder): data.value(o) for o in data.options}
    if criterion == "price_quality":
        assert scores is not None, "price_quality needs scores"
        primary_key = {k: -round(s, SCORE_DECIMALS) for k, s in scores.items()}
        form = Formulation(data, primary=primary_key, use_combos=False,
                           normalise_capacity=settings.backend == "cbc")
        primary = form.costs({k: -(round(s * score_unit) if cpsat else s)
                              for k, s in scores.items()})
    else:
        primary_key = {k: round(v, PRICE_DECIMALS) for k, v in values_eur.items()}
        form = Formulation(data, primary=primary_key,
                           normalise_capacity=settings.backend == "cbc")
        primary = form.costs({k: money(v) for k, v in values_eur.items()},
                             {k.id: money(data.combo_value(k)) for k in form.combos})
    value_costs = form.costs({k: money(v) for k, v in values_eur.items()},
                             {k.id: money(data.combo_value(k)) for k in form.combos})
    stage_one = {key: primary[var] for key, var in form.x.items()}
    lp_start = len(form.x) >= LP_AND_FIX_MIN_BIDS
    # On a large model the LP-guided greedy replaces the plain one (each costs ~0.2 s at
    # 500 x 100, and the LP-guided one was 0.2% cheaper on every seed); the plain greedy stays
    # the fallback when the LP fails.
    if not lp_start:
        _greedy_hint(form, stage_one)
    lp_bound = None
    if lp_start:
        better, lp_bound = _lp_warm_start(form, primary, stage_one, settings, stop)
        if better is not None:
            form.model.hint = better
        elif not form.model.hint:
            _greedy_hint(form, stage_one)
    tie_lots = _tie_lots(form, primary_key)
    stages: list[tuple[str, list[float]]] = [(criterion, primary)]
    if tie_lots and criterion == "price_quality":
        stages.append(("price", value_costs))
    if tie_lots and lottery is not None:
        stages.append(("lottery", _lottery_costs(form, tie_lots, lottery)))
    wrapped = _progress_in_eur(progress, money_unit, data.constant) if (
        progress is not None and criterion == "price") else None

    budget = Budget(started, settings.time_limit_s)
    records: list[dict] = []
    first: RawResult | None = None
    status = Status.NO_SOLUTION
    values: np.ndarray | None = None
    warm_start = dict(form.model.hint)
    for index, (name, cost) in enumerate(stages):
        if index and budget.left() < MIN_STAGE_S:
            records.append({"stage": name, "skipped": "time limit"})
            break
        form.model.cost = cost
        limit = budget.solver_limit()
        if lp_start:  # what follows the solve (decoding, the checker) takes time at this size
            limit = max(MIN_STAGE_S, limit - min(POST_RESERVE_S, POST_RESERVE_SHARE * limit))
        raw = solve(form.model, settings.with_(time_limit_s=limit),
                    wrapped if index == 0 else None, stop)
        records.append({"stage": name, "status": raw.status.value, "native": raw.native_status,
                        "time_s": round(raw.time_s, 4), "limit_s": round(limit, 4)})
        found = None if raw.values is None else np.round(raw.values)
        if index == 0:
            first, status = raw, raw.status
            if raw.status is not Status.OPTIMAL and warm_start:
                # no proof: keep the warm start when the solver found nothing better (CBC
                # in OR-Tools does not use it as a MIP start)
                start = np.array([warm_start[i] for i in range(form.model.num_vars)])
                if found is None or float(np.dot(cost, found)) > float(np.dot(cost, start)):
                    found, status = start, Status.FEASIBLE
                    records[-1]["kept_warm_start"] = True
        if found is None:
            break
        values = found
        if index == 0 and status is not Status.OPTIMAL:
            break
        z = float(np.dot(cost, values))
        tolerance = 0.0 if cpsat else _STAGE_TOLERANCE[name]
        form.model.add_le([(v, c) for v, c in enumerate(cost) if c], z + tolerance)
        form.model.hint = {i: float(v) for i, v in enumerate(values)}
    assert first is not None
    elapsed = time.perf_counter() - started
    if values is None:
        status = first.status
    common = {"time_s": elapsed, "solver": first.version, "native_status": first.native_status,
              "stages": tuple(records), "tie_lots": tie_lots,
              "variables": form.model.num_vars, "rows": form.model.num_rows}
    if values is None:
        return MilpAward(status, **common)
    winners, combos = form.decode(values)
    combos = _prefer_lot_bids(data, combos)
    _, _, objective = data.figures(winners, combos)
    bound = score = score_bound = None
    if criterion == "price_quality":
        assert scores is not None
        score = sum(scores[(lot, b)] for lot, b in winners.items())
        if first.bound is not None:
            score_bound = max(score, -first.bound / score_unit)
        if status is Status.OPTIMAL:
            score_bound = score
    else:
        lower = max((b for b in (first.bound, lp_bound) if b is not None), default=None)
        if lower is not None:
            bound = min(objective, lower / money_unit + data.constant)
        if status is Status.OPTIMAL:
            bound = objective if bound is None else bound
    return MilpAward(status, winners, combos, objective, bound, score, score_bound, **common)


def _greedy_hint(form: Formulation, value: Mapping[tuple[str, str], float]) -> None:
    """The plain greedy award as the model's hint (left unset when the greedy is stuck)."""
    incumbent = greedy_award(form.data, form.options, value)
    if incumbent is not None:
        form.model.hint = form.hint_from(incumbent)


def _lp_warm_start(form: Formulation, cost: list[float],
                   value: Mapping[tuple[str, str], float], settings: SolverSettings,
                   stop: threading.Event | None,
                   ) -> tuple[dict[int, float] | None, float | None]:
    """A better warm start for a large model: solve the LP relaxation (HiGHS, an eighth of
    the time limit), then (a) round it: the greedy and local search of
    :func:`greedy_award` starting from each lot's largest LP share, and (b) when the time
    limit allows (:data:`LP_AND_FIX_MIN_S`), in rounds of at most :data:`FIX_ROUND_S` for
    :data:`FIX_SHARE` of the limit: keep the lots on which the LP and the best award so far
    agree, solve the others as a small MIP (:func:`_lp_and_fix`) and polish its award by
    local search (:func:`_local_search`); a round that finds nothing better ends them.
    Returns the best full solution vector (None when none beats the current hint) and the
    LP optimum in model units (None unless solved to optimality): a valid bound for stage 1
    even when the MILP gets no time for its own."""
    model = form.model
    model.cost = cost
    relaxed = copy.copy(model)
    relaxed.integer = [False] * model.num_vars
    # an eighth of the time limit, but at short limits up to a third: without the LP there is
    # neither a bound nor an LP-guided start (500 x 100 needs ~0.15 s for it)
    budget = max(settings.time_limit_s / 8, min(settings.time_limit_s / 3, LP_SHORT_LIMIT_S))
    # the LP always on HiGHS: CP-SAT has no LP, it would solve the 0-1 problem itself
    relaxation = Relaxation(relaxed)
    lp = relaxation.solve(budget)
    if lp is None:
        return None, None
    lp_bound, lp_values = lp
    reduced = np.array(relaxation.h.getSolution().col_dual)
    best = _better_hint(form, cost, _lp_rounding(form, lp_values, value))
    if best is not None:
        model.hint = best
    if settings.time_limit_s >= LP_AND_FIX_MIN_S:
        fix_s = max(budget, min(FIX_SHARE * settings.time_limit_s, FIX_MAX_S))
        until = time.perf_counter() + fix_s
        while not (stop is not None and stop.is_set()):
            left = until - time.perf_counter()
            if left < FIX_ROUND_MIN_S:
                break
            if best is not None:
                model.hint = best
            round_s = min(left, FIX_ROUND_S) if left >= FIX_ROUND_S + FIX_ROUND_MIN_S else left
            fixed = _lp_and_fix(form, cost, lp_values, reduced,
                                settings.with_(time_limit_s=round_s), stop)
            if fixed is None:
                break  # the next round would search the same neighbourhood
            best = fixed
            model.hint = best
            polished = _better_hint(form, cost, _local_search(form, best, value))
            best = polished if polished is not None else best
    return best, lp_bound


def _lp_rounding(form: Formulation, lp_values: np.ndarray,
                 value: Mapping[tuple[str, str], float]) -> dict[str, str] | None:
    """An award by :func:`greedy_award` that first tries each lot's largest LP share."""
    share: dict[str, tuple[float, str]] = {}
    for (lot, bidder), var in form.x.items():
        if lp_values[var] > share.get(lot, (1e-6, ""))[0]:
            share[lot] = (float(lp_values[var]), bidder)
    start = {lot: bidder for lot, (_, bidder) in share.items()}
    return greedy_award(form.data, form.options, value, start)


def _local_search(form: Formulation, solution: Mapping[int, float],
                  value: Mapping[tuple[str, str], float]) -> dict[str, str] | None:
    """The shifts, swaps and ejection chains of :func:`greedy_award` from a solution vector
    (lot bids only; None when the greedy is stuck). After a round of LP-and-fix at 500 x 100
    they lowered the award by 27-122 kEUR in ~0.15 s."""
    winners, _ = form.decode(np.array([solution[i] for i in range(form.model.num_vars)]))
    return greedy_award(form.data, form.options, value, winners)


def _better_hint(form: Formulation, cost: list[float], winners: Mapping[str, str] | None
                 ) -> dict[int, float] | None:
    """The solution vector of ``winners`` when it beats the model's hint (None if not)."""
    if winners is None:
        return None
    hint = form.hint_from(winners)
    start = [hint[i] for i in range(form.model.num_vars)]
    if form.model.hint:
        old = [form.model.hint[i] for i in range(form.model.num_vars)]
        if float(np.dot(cost, start)) >= float(np.dot(cost, old)):
            return None
    return hint


def _lp_and_fix(form: Formulation, cost: list[float], lp_values: np.ndarray,
                reduced: np.ndarray, settings: SolverSettings, stop: threading.Event | None
                ) -> dict[int, float] | None:
    """Keep the lots on which the LP and the model's hint agree (the LP awards the lot whole
    to the hint's winner) and solve the other lots as a small MIP started from the hint (RINS:
    the neighbourhood holds the hint). Returns a full solution vector, or None when that is
    not better than the current hint. Without a hint only the lots the LP splits are free. A
    free lot keeps only its core bids (:func:`_core_bids`): at 500 x 100 that cuts the
    sub-MIP from ~5,000 to ~600 columns, whose root HiGHS finishes within the round.

    Measured at 500 x 100, 5 s (docs/ENGINEERING.md): freeing only the split lots (~50) never
    beat the greedy; freeing the disagreeing lots too (~105) lowered the award 0.04-0.1%;
    with only the core bids of those lots, 0.09% (seed 3) in the same 1.5 s."""
    model = form.model
    hint = model.hint
    split = {lot for (lot, _), var in form.x.items()
             if 1e-6 < lp_values[var] < 1 - 1e-6
             or (hint and abs(lp_values[var] - hint[var]) > 1e-6)}
    sub = copy.copy(model)
    sub.lb, sub.ub = list(model.lb), list(model.ub)
    core = _core_bids(form, split, lp_values, reduced)
    for (lot, _), var in form.x.items():
        if lot in split:
            if var not in core:
                sub.ub[var] = 0.0
            continue
        if lp_values[var] >= 1 - 1e-6:
            sub.lb[var] = 1.0
        else:
            sub.ub[var] = 0.0
    for var in form.c.values():
        if lp_values[var] <= 1e-6 and not (hint and hint[var] > 0.5):
            sub.ub[var] = 0.0
    sub.hint = dict(hint)
    raw = solve(sub, settings, None, stop)
    if raw.values is None:
        return None
    values = np.round(raw.values)
    if model.hint:
        start = np.array([model.hint[i] for i in range(model.num_vars)])
        if float(np.dot(cost, values)) >= float(np.dot(cost, start)):
            return None
    return {i: float(v) for i, v in enumerate(values)}


def _core_bids(form: Formulation, lots: set[str], lp_values: np.ndarray,
               reduced: np.ndarray) -> set[int]:
    """The variables a free lot of :func:`_lp_and_fix` keeps: its :data:`FIX_BIDS_PER_LOT`
    bids of least LP reduced cost (ties by variable order), the bids the LP uses and the
    hint's bid. All its bids when :data:`FIX_BIDS_PER_LOT` is 0."""
    hint = form.model.hint
    ranked: dict[str, list[tuple[float, int]]] = {}
    kept: set[int] = set()
    for (lot, _), var in form.x.items():
        if lot not in lots:
            continue
        ranked.setdefault(lot, []).append((float(reduced[var]), var))
        if lp_values[var] > 1e-6 or (hint and hint[var] > 0.5) or not FIX_BIDS_PER_LOT:
            kept.add(var)
    for bids in ranked.values():
        kept.update(var for _, var in sorted(bids)[:FIX_BIDS_PER_LOT])
    return kept


def _tie_lots(form: Formulation, key: Mapping[tuple[str, str], float]) -> tuple[str, ...]:
    """Lots on which two usable bids have an equal stage-1 value."""
    seen: dict[str, set[float]] = {}
    tied = []
    for o in form.options:
        values = seen.setdefault(o.lot, set())
        k = key[(o.lot, o.bidder)]
        if k in values and o.lot not in tied:
            tied.append(o.lot)
        values.add(k)
    return tuple(lot for lot in form.data.lots if lot in tied)


def _lottery_costs(form: Formulation, tie_lots: tuple[str, ...], lottery: Lottery
                   ) -> list[float]:
    """rank_l(b) for the tied lots, drawn per lot in lot order among all its bidders."""
    rank: dict[tuple[str, str], float] = {}
    for lot in tie_lots:
        bidders = sorted({o.bidder for o in form.options if o.lot == lot}
                         | {k.bidder for k in form.combos if lot in k.lots})
        for position, bidder in enumerate(lottery.draw(lot, bidders, measure="order")):
            rank[(lot, bidder)] = float(position)
    combo_rank = {k.id: sum(rank.get((lot, k.bidder), 0.0) for lot in k.lots)
                  for k in form.combos}
    return form.costs(rank, combo_rank)


def _prefer_lot_bids(data: AwardData, combos: tuple[str, ...]) -> tuple[str, ...]:
    """Drop an accepted combination that is not cheaper than its bidder's own lot bids on the
    same lots (same winners, so every rule still holds)."""
    kept = []
    for cid in combos:
        combo = data.combo_by_id[cid]
        own = [data.option_of.get((lot, combo.bidder)) for lot in combo.lots]
        if all(o is not None for o in own) and sum(o.price for o in own) <= combo.price:
            continue
        kept.append(cid)
    return tuple(kept)


def _progress_in_eur(progress: ProgressCallback, unit: float, constant: float
                     ) -> ProgressCallback:
    def report(p: Progress) -> None:
        progress(Progress(p.elapsed_s,
                          None if p.incumbent is None else p.incumbent / unit + constant,
                          None if p.bound is None else p.bound / unit + constant, p.backend))
    return report


# --------------------------------------------------------------------------- relaxations
def minimal_relaxation(data: AwardData, settings: SolverSettings,
                       families: frozenset[str]) -> tuple[Status, dict[str, dict[str, int]]]:
    """Relax the rule ``families`` (elastic rows) and minimise the total slack.

    Returns the status and, when feasible, family -> key -> slack (only nonzero slacks)."""
    form = Formulation(data, relax=families, normalise_capacity=settings.backend == "cbc")
    cost = [0.0] * form.model.num_vars
    for slacks in form.slack.values():
        for var in slacks.values():
            cost[var] = 1.0
    cost[form.anchor] = 1.0
    form.model.cost = cost
    raw = solve(form.model, settings)
    if raw.values is None:
        return raw.status, {}
    found = {family: {key: int(round(raw.values[var])) for key, var in slacks.items()
                      if raw.values[var] > 0.5}
             for family, slacks in form.slack.items()}
    return raw.status, found
