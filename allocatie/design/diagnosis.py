"""Why no design keeps the rules, when the solver proved it and the cheap pre-checks of
:mod:`allocatie.validation` (which quote the numbers, e.g. "6 lots x capacity 700 = 4,200 <
4,312 clients") found nothing.

Each rule family that applies is dropped in turn (client bounds, contiguity, lot limits,
capacities, winner limits, pins, the cap on changed districts) and the design solved again
with a short time limit. A family whose dropping makes a design possible binds; the checker
then says by how much that design breaks it under the real rules ("lot 1 has 40 clients,
above the maximum 35"). When no single family is the cause, that is said too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from allocatie.budget import Budget
from allocatie.checker import evaluate
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.solution import Solution

Relaxation = Callable[[Instance], Instance]


def _rules(instance: Instance, **changes: object) -> Instance:
    return dataclasses.replace(instance, rules=dataclasses.replace(instance.rules, **changes))


def _bidders(instance: Instance, **changes: object) -> Instance:
    bidders = tuple(dataclasses.replace(b, **changes) for b in instance.bidders)
    return dataclasses.replace(instance, bidders=bidders)


def families(instance: Instance) -> list[tuple[str, Relaxation]]:
    """(name, relaxation) of every rule family that applies to ``instance``."""
    r = instance.rules
    out: list[tuple[str, Relaxation]] = []
    if not r.soft_client_bounds and (r.lot_clients_min is not None
                                     or r.lot_clients_max is not None):
        out.append((f"client bounds per lot ({r.lot_clients_min} to {r.lot_clients_max})",
                    lambda i: _rules(i, lot_clients_min=None, lot_clients_max=None)))
    if r.contiguity != "none":
        out.append((f"contiguity ({r.contiguity})", lambda i: _rules(i, contiguity="none")))
    if r.max_lots_per_bidder is not None or any(b.max_lots is not None for b in instance.bidders):
        out.append(("lot limits per bidder", lambda i: _bidders(
            _rules(i, max_lots_per_bidder=None), max_lots=None)))
    if any(b.capacity is not None for b in instance.bidders):
        out.append(("capacities", lambda i: _bidders(i, capacity=None)))
    if r.min_winners is not None or r.max_winners is not None:
        out.append(("number of winners", lambda i: _rules(i, min_winners=None,
                                                          max_winners=None)))
    if r.pinned or r.together:
        out.append(("pinned and kept-together districts",
                    lambda i: _rules(i, pinned={}, together=())))
    if r.max_changed_districts is not None:
        out.append(("cap on districts that change area",
                    lambda i: _rules(i, max_changed_districts=None)))
    return out


def diagnose_design(instance: Instance, settings: SolverSettings,
                    budget_s: float = 30.0) -> list[str]:
    """Which rule families bind, with by how much; never empty."""
    from allocatie.design import design

    relaxations = families(instance)
    if not relaxations:
        return ["no rule family can be dropped: check the districts and bids"]
    budget = Budget.starting_now(budget_s)
    lines, unknown = [], []
    for name, relax in relaxations:
        if budget.left() < 1.0:
            unknown.append(name)
            continue
        per_family = min(budget.left(), budget_s / len(relaxations))
        solution = design(relax(instance), settings.with_(time_limit_s=per_family))
        if solution.status.has_solution:
            broken = evaluate(instance, solution.assignment, solution.winners).messages
            lines.append(f"without the {name} a design exists; it breaks that rule: "
                         + "; ".join(broken[:4]) + (" ..." if len(broken) > 4 else ""))
        elif solution.status.value != "infeasible":
            unknown.append(name)
    if unknown:
        lines.append(f"not settled within the time: without the {', '.join(unknown)}")
    if not lines:
        lines.append("no single rule family is the cause: dropping any one of "
                     + ", ".join(n for n, _ in relaxations)
                     + " still leaves no design; the rules conflict together")
    return lines


def with_diagnosis(instance: Instance, settings: SolverSettings, solution: Solution,
                   budget_s: float = 30.0) -> Solution:
    """``solution`` (a proven-infeasible design) with the rules that bind, and by how much, in
    its message, log and ``details.diagnosis``."""
    lines = diagnose_design(instance, settings, budget_s=min(budget_s, settings.time_limit_s))
    log = tuple(f"Diagnosis {i}: {line}" for i, line in enumerate(lines, 1))
    return dataclasses.replace(solution, message=f"{solution.message}; " + "; ".join(lines),
                               log=solution.log + log,
                               details={**solution.details, "diagnosis": lines,
                                        "diagnosis_en": lines})
