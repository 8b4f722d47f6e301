"""What compactness costs: the design again without the compactness weight, both scored.

With ``compactness_weight`` > 0 the design trades money (cost + switching + penalties) for
shorter lot borders. :func:`price_of_compactness` solves once more with weight 0 (a short
extra solve) and has the checker score both designs, so a report can say: compact lots cost
this much more per year, and save that many km of lot border.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable

from allocatie.checker import evaluate
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.solution import Solution

EXTRA_SHARE = 0.25  # the extra solve gets this share of the design's time limit
EXTRA_MIN_S = 5.0


def price_of_compactness(instance: Instance, solution: Solution, settings: SolverSettings,
                         stop: threading.Event | None = None,
                         design: Callable[..., Solution] | None = None) -> Solution:
    """``solution`` with ``details["compactness_price"]`` added when the instance weighs
    compactness and both designs have a solution; unchanged otherwise.

    The entry holds, for the design with and without the weight: ``money`` (cost + switching
    + client penalty, EUR per year, recomputed by the checker), ``cut_border_km``, ``status``
    and ``objective``; and ``extra_money`` (what the compact design costs more) and
    ``saved_km``. The design without the weight is proven only when its status says so.
    """
    rules = instance.rules
    if not rules.compactness_weight or not solution.status.has_solution:
        return solution
    if design is None:
        from allocatie.design import design as design_function

        design = design_function
    plain = dataclasses.replace(instance, rules=dataclasses.replace(rules,
                                                                    compactness_weight=0.0))
    limit = max(EXTRA_MIN_S, EXTRA_SHARE * settings.time_limit_s)
    other = design(plain, settings.with_(time_limit_s=limit), None, stop)
    if not other.status.has_solution:
        return solution
    compact = evaluate(instance, solution.assignment, solution.winners)
    loose = evaluate(plain, other.assignment, other.winners)
    if not (compact.feasible and loose.feasible):
        return solution
    with_weight = _figures(compact, solution)
    without = _figures(loose, other)
    price = {"with": with_weight, "without": without,
             "extra_money": round(with_weight["money"] - without["money"], 2),
             "saved_km": round(without["cut_border_km"] - with_weight["cut_border_km"], 3),
             "time_limit_s": limit}
    return dataclasses.replace(solution, details={**solution.details,
                                                  "compactness_price": price})


def _figures(evaluation, solution: Solution) -> dict[str, object]:
    money = evaluation.objective - evaluation.compactness_cost
    return {"money": round(money, 2), "cut_border_km": round(evaluation.cut_border_km, 3),
            "objective": round(evaluation.objective, 2), "status": solution.status.value}
