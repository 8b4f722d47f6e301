"""A design given by a person (``allocatie evaluate``, a drawing in the editor): its lots fixed
and awarded optimally, and the result the independent checker gives it.

A given design is scored, not optimised: "feasible" when it keeps every rule, "infeasible"
(with the broken rules listed) when it does not. Lot bids and combination bids belong to
other lots and are dropped.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping

from allocatie.award.core import award
from allocatie.checker import Evaluation, evaluate
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status


def award_design(instance: Instance, assignment: Mapping[str, str], settings: SolverSettings,
                 lang: str = "nl", stop: threading.Event | None = None
                 ) -> tuple[Instance, Solution]:
    """The instance with the given lots fixed, and their optimal award."""
    fixed = dataclasses.replace(instance, lots=dict(assignment), lot_bids=(),
                                combination_bids=())
    return fixed, award(fixed, rule="optimal", settings=settings, lang=lang, stop=stop)


def scored_design(instance: Instance, assignment: Mapping[str, str],
                  winners: Mapping[str, str], note: str = "") -> tuple[Solution, Evaluation]:
    """The Solution written for a given design with its winners, and the checker's
    evaluation; ``note`` leads the message."""
    result = evaluate(instance, dict(assignment), dict(winners))
    broken = "" if result.feasible else "the design breaks rules: " + "; ".join(result.messages)
    solution = Solution(Status.FEASIBLE if result.feasible else Status.INFEASIBLE,
                        assignment=dict(assignment), winners=dict(winners),
                        objective=result.objective, solver="evaluate (no optimisation)",
                        message="; ".join(filter(None, (note, broken))))
    return solution, result
