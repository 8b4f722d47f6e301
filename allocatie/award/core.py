"""``award``: who wins the fixed lots, under the tender's published rule.

Every call also solves the optimal award (the spec's objective: cost + transition cost), so
the result carries the price of the rule: how much more the rule's award costs, and how many
more clients must change provider, than the best award within the same rules.

Status of the returned :class:`~allocatie.solution.Solution` (always about the spec's
objective): ``optimal`` when the award is proven to minimise it (a rule's award that happens to
equal the proven optimum is optimal too), ``feasible`` for any other award (a rule's award, or
the best found within the time limit; ``bound`` is the optimal award's lower bound, so
``gap`` shows the price of the rule), ``infeasible`` with the diagnosis in ``log`` when no
award meets the rules, ``no_solution`` when the rule itself cannot award every lot (the
optimal award is then in ``details['optimal']``) or the solver found nothing in time.
"""

from __future__ import annotations

import threading
import time

from allocatie.award.audit import LANGS, format_log
from allocatie.award.data import CRITERIA, AwardData, award_data, quality_scores
from allocatie.award.diagnose import quick_checks, relaxation_checks
from allocatie.award.lottery import Lottery
from allocatie.award.milp import MilpAward, solve_award
from allocatie.award.rules import RULES, run_rule
from allocatie.budget import Budget
from allocatie.checker import evaluate, objectives_match
from allocatie.errors import UsageError
from allocatie.instance import Instance
from allocatie.milp.model import ProgressCallback
from allocatie.settings import SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status
from allocatie.text import natural_key


def normalise_rule(rule: str) -> str:
    """The canonical rule name (``by_lot_value`` -> ``by-lot-value``); raises
    :class:`UsageError` for an unknown rule."""
    name = str(rule).strip().lower().replace("_", "-")
    if name not in RULES:
        raise UsageError(f"unknown award rule {rule!r}; expected one of {', '.join(RULES)}")
    return name


def normalise_criterion(criterion: str) -> str:
    """``price`` or ``price_quality`` (``price-quality`` accepted); raises
    :class:`UsageError` otherwise."""
    name = str(criterion).strip().lower().replace("-", "_")
    if name not in CRITERIA:
        raise UsageError(f"unknown award criterion {criterion!r}; expected one of "
                         f"{', '.join(CRITERIA)}")
    return name


def award(instance: Instance, rule: str | None = None, settings: SolverSettings | None = None,
          criterion: str | None = None, *, quality_weight: float | None = None,
          lottery_seed: int | None = None, lang: str = "nl",
          progress: ProgressCallback | None = None,
          stop: threading.Event | None = None) -> Solution:
    """Award ``instance``'s fixed lots (``instance.lots``) under ``rule``.

    ``rule``, ``criterion``, ``quality_weight`` and ``lottery_seed`` default to
    ``instance.award``; ``settings`` to ``instance.solver`` (its time limit covers the whole
    call: the optimal rule under ``price_quality`` solves twice, the first gets half the time
    left after preparing the data, the second the rest). The audit log is written in
    ``lang`` (``nl`` or ``en``); its events stay in ``details['events']`` for
    :func:`~allocatie.award.audit.format_log` in the other language. Never raises because
    no award exists (status ``infeasible`` with a diagnosis instead); raises
    :class:`UsageError` for an unknown rule, criterion or language, a quality weight outside
    [0, 1], or an instance without a fixed design."""
    started = time.perf_counter()
    rule = normalise_rule(rule or instance.award.rule)
    criterion = normalise_criterion(criterion or instance.award.criterion)
    q = float(instance.award.quality_weight if quality_weight is None else quality_weight)
    if not 0.0 <= q <= 1.0:
        raise UsageError(f"quality_weight must be in [0, 1], got {q}")
    if lang not in LANGS:
        raise UsageError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    seed = int(instance.award.lottery_seed if lottery_seed is None else lottery_seed)
    settings = settings or instance.solver
    data = award_data(instance)
    lottery = Lottery(seed)
    events: list[dict] = [_intro(data, rule, criterion, q, seed), *data.notes]
    scores = quality_scores(data, q) if criterion == "price_quality" else None
    if scores is not None and data.pricing == "lot_bids" and all(
            o.quality is None for o in data.options):
        events.append({"kind": "note", "key": "no_quality"})
    details = {"rule": rule, "criterion": criterion, "quality_weight": q,
               "lottery": {"seed": seed, "draws": lottery.draws}}

    problems = quick_checks(data)
    if problems:
        return _infeasible(data, problems, details, events, lang, settings, started)

    # The optimal award on the spec's objective: the rule itself, or its yardstick. When the
    # rule needs a solve of its own (optimal under price_quality), the yardstick gets half
    # the time left and the rule's solve the rest. Preparing the data counts to the limit.
    own_optimal = rule == "optimal" and criterion == "price"
    two_solves = rule == "optimal" and not own_optimal

    budget = Budget(started, settings.time_limit_s)
    first = budget.solver_limit()
    reference = solve_award(data, settings.with_(time_limit_s=first / 2 if two_solves else first),
                            "price", lottery=lottery if own_optimal else None,
                            progress=progress, stop=stop)
    if reference.status is Status.INFEASIBLE:
        diagnosis = relaxation_checks(data, settings) or [{
            "nl": "de solver bewijst dat geen gunning aan alle regels voldoet",
            "en": "the solver proves that no award meets all the rules"}]
        return _infeasible(data, diagnosis, details, events, lang, settings, started)
    details["optimal"] = _award_summary(data, reference)

    if rule == "optimal":
        result = reference if own_optimal else solve_award(
            data, settings.with_(time_limit_s=budget.solver_limit()), criterion, scores, lottery,
            stop=stop)
        if not result.status.has_solution:
            return _no_solution(data, result, details, events, lang, started)
        events += _optimal_events(data, result, scores)
        if lottery.draws:
            events.append({"kind": "tie_draws", "seed": seed, "draws": list(lottery.draws)})
        if len(result.stages) > 1 and any("skipped" in s for s in result.stages):
            events.append({"kind": "note", "key": "tie_break_skipped"})
        winners, combos = dict(result.winners), tuple(result.combinations)
        return _solution(data, winners, combos, reference, rule, criterion, details, events,
                         lang, started, result)
    outcome = run_rule(data, rule, criterion, scores, lottery)
    events += outcome.events
    if outcome.failure is not None:
        events.append({"kind": "failure", **outcome.failure})
        return _rule_failed(data, outcome.failure, reference, details, events, lang, started)
    winners, combos = outcome.winners, tuple(outcome.combinations)
    return _solution(data, winners, combos, reference, rule, criterion, details, events, lang,
                     started, None)


# --------------------------------------------------------------------------- results
def _solution(data: AwardData, winners: dict[str, str], combos: tuple[str, ...],
              reference: MilpAward, rule: str, criterion: str, details: dict,
              events: list[dict], lang: str, started: float,
              result: MilpAward | None) -> Solution:
    """The Solution of an award (``result``: the rule's own MILP, for rule optimal)."""
    instance = data.instance
    cost, moved, objective = data.figures(winners, combos)
    evaluation = evaluate(instance, dict(instance.lots), winners, data.pricing, combos)
    proven = reference.status is Status.OPTIMAL
    if rule == "optimal" and criterion == "price":
        status = reference.status
    elif proven and reference.objective is not None and objectives_match(
            objective, reference.objective):
        status = Status.OPTIMAL
    else:
        status = Status.FEASIBLE
    if result is not None:
        events.append({"kind": "optimal_total", **_totals(data, cost, moved, objective),
                       **_proof(result)})
    else:
        events.append({"kind": "total", **_totals(data, cost, moved, objective)})
    price = _price_of_rule(data, cost, moved, objective, reference)
    if price is not None:
        events.append({"kind": "price_of_rule", **price})
    if evaluation.violations:
        events.append({"kind": "note", "key": "design_violations",
                       "violations": list(evaluation.messages)})
    details.update(
        lots=_lot_table(data, winners, combos, reference),
        price_of_rule=price,
        transitions_per_lot={lot: [{"from": s, "to": t, "clients": n}
                                   for (s, t), n in sorted(m.items())]
                             for lot, m in sorted(evaluation.matrix_per_lot.items(),
                                                  key=lambda item: natural_key(item[0]))},
        transitions_by_lot={f.lot: f.transitions for f in evaluation.lots},
        cost=cost, transitions=moved,
        checker={"objective": evaluation.objective, "violations": list(evaluation.messages)},
        events=events)
    if result is not None and result.score is not None:
        details.update(score=result.score, score_bound=result.score_bound,
                       score_status=result.status.value)
    solver = (reference.solver if rule == "optimal"
              else f"rule {rule}; optimal by {reference.solver}")
    message = _message(rule, status, objective, price, lang)
    return Solution(status=status, assignment=dict(instance.lots), winners=winners,
                    objective=objective, bound=reference.bound, solver=solver,
                    time_s=time.perf_counter() - started, pricing=data.pricing,
                    combinations=combos, message=message, log=format_log(events, lang),
                    details=details)


def _infeasible(data: AwardData, diagnosis: list[dict[str, str]], details: dict,
                events: list[dict], lang: str, settings: SolverSettings,
                started: float) -> Solution:
    texts = [m[lang] for m in diagnosis]
    details.update(diagnosis=texts, diagnosis_en=[m["en"] for m in diagnosis],
                   events=events + [{"kind": "diagnosis", "text": m} for m in diagnosis])
    head = ("geen gunning mogelijk: " if lang == "nl" else "no award possible: ")
    log = [f"{'Diagnose' if lang == 'nl' else 'Diagnosis'} {i}: {t}"
           for i, t in enumerate(texts, 1)]
    return Solution(status=Status.INFEASIBLE, assignment={}, winners={},
                    solver=settings.backend, time_s=time.perf_counter() - started,
                    pricing=data.pricing, message=head + "; ".join(texts), log=log,
                    details=details)


def _no_solution(data: AwardData, result: MilpAward, details: dict, events: list[dict],
                 lang: str, started: float) -> Solution:
    text = ("geen gunning gevonden binnen de tijdslimiet" if lang == "nl"
            else "no award found within the time limit")
    details["events"] = events
    return Solution(status=Status.NO_SOLUTION, solver=result.solver,
                    time_s=time.perf_counter() - started, pricing=data.pricing,
                    message=text, log=format_log(events, lang), details=details)


def _rule_failed(data: AwardData, failure: dict, reference: MilpAward, details: dict,
                 events: list[dict], lang: str, started: float) -> Solution:
    details["failure"] = failure
    details["events"] = events
    if reference.status.has_solution:
        text = (f"de regel {details['rule']} geeft geen gunning; de optimale gunning bestaat wel "
                f"(doelwaarde {reference.objective:,.0f} EUR, zie details['optimal'])"
                if lang == "nl" else
                f"the rule {details['rule']} gives no award; an optimal award exists "
                f"(objective EUR {reference.objective:,.0f}, see details['optimal'])")
    else:
        text = ("de regel geeft geen gunning" if lang == "nl" else "the rule gives no award")
    return Solution(status=Status.NO_SOLUTION, bound=reference.bound,
                    solver=f"rule {details['rule']}; optimal by {reference.solver}",
                    time_s=time.perf_counter() - started, pricing=data.pricing, message=text,
                    log=format_log(events, lang), details=details)


def _message(rule: str, status: Status, objective: float, price: dict | None,
             lang: str) -> str:
    if lang == "nl":
        text = f"gunning volgens regel {rule}: doelwaarde {objective:,.2f} EUR".replace(",", "_")
        text = text.replace(".", ",").replace("_", ".")
        if price and rule != "optimal":
            text += f"; {100 * price['objective_pct']:.2f}% boven de optimale gunning".replace(
                ".", ",")
        return text + f" ({status.value})"
    text = f"award by rule {rule}: objective EUR {objective:,.2f}"
    if price and rule != "optimal":
        text += f"; {100 * price['objective_pct']:.2f}% above the optimal award"
    return text + f" ({status.value})"


# --------------------------------------------------------------------------- pieces
def _intro(data: AwardData, rule: str, criterion: str, q: float, seed: int) -> dict:
    rules = data.instance.rules
    own = sum(1 for b in data.bidders if data.instance.bidder_by_id[b].max_lots is not None)
    return {"kind": "intro", "rule": rule, "criterion": criterion, "quality_weight": q,
            "seed": seed, "pricing": data.pricing, "transition_cost": data.transition_cost,
            "max_lots_per_bidder": rules.max_lots_per_bidder, "own_limits": own,
            "capacities": any(data.capacity(b) is not None for b in data.bidders),
            "min_winners": rules.min_winners, "max_winners": rules.max_winners,
            "lots": len(data.lots), "bidders": len(data.bidders)}


def _totals(data: AwardData, cost: float, moved: int, objective: float) -> dict:
    return {"cost": cost, "transitions": moved, "transition_cost": data.transition_cost,
            "constant": data.constant, "objective": objective}


def _proof(result: MilpAward) -> dict:
    gap = None
    if result.objective is not None and result.bound is not None:
        gap = max(0.0, (result.objective - result.bound) / max(abs(result.objective), 1e-9))
    return {"status": result.status.value, "solver": result.solver, "time_s": result.time_s,
            "bound": result.bound, "gap": gap, "score": result.score}


def _award_summary(data: AwardData, result: MilpAward) -> dict:
    summary = {"status": result.status.value, "solver": result.solver,
               "time_s": round(result.time_s, 4), "objective": result.objective,
               "bound": result.bound, "stages": list(result.stages),
               "variables": result.variables, "rows": result.rows}
    if result.status.has_solution:
        cost, moved, _ = data.figures(result.winners, result.combinations)
        summary.update(winners=dict(result.winners), combinations=list(result.combinations),
                       cost=cost, transitions=moved)
    return summary


def _price_of_rule(data: AwardData, cost: float, moved: int, objective: float,
                   reference: MilpAward) -> dict | None:
    if not reference.status.has_solution or reference.objective is None:
        return None
    ref_cost, ref_moved, _ = data.figures(reference.winners, reference.combinations)
    diff = objective - reference.objective
    return {"cost": cost - ref_cost, "transitions": moved - ref_moved, "objective": diff,
            "objective_pct": diff / max(abs(reference.objective), 1e-9),
            "rule_objective": objective, "optimal_objective": reference.objective,
            "optimal_cost": ref_cost, "optimal_transitions": ref_moved,
            "optimal_status": reference.status.value}


def _optimal_events(data: AwardData, result: MilpAward,
                    scores: dict[tuple[str, str], float] | None) -> list[dict]:
    in_combo = {lot: cid for cid in result.combinations
                for lot in data.combo_by_id[cid].lots}
    events = []
    for lot in data.lots:
        winner = result.winners[lot]
        option = data.option_of.get((lot, winner))
        cheapest = min(data.by_lot[lot], key=lambda o: (o.price, o.bidder), default=None)
        event = {"kind": "optimal_lot", "lot": lot, "clients": data.clients[lot],
                 "winner": winner, "transitions": data.transitions(lot, winner),
                 "price": option.price if option and lot not in in_combo else None,
                 "combo": in_combo.get(lot)}
        if scores is not None and (lot, winner) in scores:
            event["score"] = round(scores[(lot, winner)], 2)
        if cheapest is not None:
            event["lowest"] = {"bidder": cheapest.bidder, "price": cheapest.price}
        events.append(event)
    if scores is None:
        for k in data.combos:
            accepted = k.id in result.combinations
            events.append({"kind": "combination", "combo": k.id, "bidder": k.bidder,
                           "lots": list(k.lots), "price": k.price, "current": None,
                           "accepted": accepted,
                           **({} if accepted else {"reason": "not_chosen"})})
    return events


def _lot_table(data: AwardData, winners: dict[str, str], combos: tuple[str, ...],
               reference: MilpAward) -> list[dict]:
    in_combo = {lot: cid for cid in combos for lot in data.combo_by_id[cid].lots}
    table = []
    for lot in data.lots:
        winner = winners[lot]
        option = data.option_of.get((lot, winner))
        prices = [o.price for o in data.by_lot[lot]]
        table.append({
            "lot": lot, "clients": data.clients[lot], "districts": len(data.members[lot]),
            "winner": winner, "combination": in_combo.get(lot),
            "price": None if lot in in_combo or option is None else option.price,
            "quality": None if option is None else option.quality,
            "transitions": data.transitions(lot, winner), "bids": len(prices),
            "lowest_price": min(prices) if prices else None,
            "mean_price": data.mean_price(lot),
            "optimal_winner": reference.winners.get(lot) if reference.status.has_solution
            else None})
    return table
