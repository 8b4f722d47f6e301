"""Score a drawing exactly as ``allocatie evaluate`` does: the optimal award of the drawn lots
(the award model of ``allocatie award``), then the independent checker.

Both steps are :mod:`allocatie.award.given`'s, the same as ``cmd_evaluate``'s for a design
without winners; :func:`figures` adds what the editor's panel shows (per lot: client
bounds, contiguity and its parts, compactness, winner, cost, switching clients; in total: the
objective, the lots against K, the rules that bind, the checker's verdict and, when the lots
cannot be awarded, the award's diagnosis).
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import defaultdict
from collections.abc import Mapping

import networkx as nx

from allocatie.award.given import award_design, scored_design
from allocatie.checker import Evaluation, evaluate, objectives_match
from allocatie.editor.geo import Geography
from allocatie.editor.texts import problem_texts
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.solution import Solution
from allocatie.status import Status
from allocatie.text import natural_key


def scored_solution(fixed: Instance, assignment: Mapping[str, str],
                    awarded: Solution) -> tuple[Solution, Evaluation | None]:
    """The Solution ``evaluate`` writes for a drawing, with the checker's evaluation (None
    when the lots could not be awarded: the award's own solution is written then)."""
    if not awarded.status.has_solution:
        return awarded, None
    return scored_design(fixed, assignment, awarded.winners)


def figures(instance: Instance, geography: Geography, assignment: Mapping[str, str],
            settings: SolverSettings, lang: str = "nl",
            stop: threading.Event | None = None, binding: bool = True) -> dict:
    """Everything the live panel shows for a drawing (district -> lot label; districts
    without a lot are left out), as JSON-ready values. ``binding=False`` leaves out the
    rules that bind (two more awards; :func:`binding_rules` computes them on their own)."""
    rules = instance.rules
    members = _members(instance, assignment)
    if members:
        fixed, awarded = award_design(instance, assignment, settings, lang, stop)
    else:
        fixed, awarded = instance, Solution(Status.NO_SOLUTION, message="no lot drawn yet")
    winners = dict(awarded.winners) if awarded.status.has_solution else {}
    checked = evaluate(fixed, dict(assignment), winners) if members else None
    by_lot = {f.lot: f for f in checked.lots} if checked else {}
    lots = []
    for lot in sorted(members, key=natural_key):
        districts = members[lot]
        parts = lot_parts(instance, districts)
        clients = sum(instance.clients(d) for d in districts)
        f = by_lot.get(lot)
        lots.append({
            "lot": lot, "districts": len(districts), "clients": clients,
            "within_bounds": _within(rules, clients),
            "contiguous": len(parts) <= 1 or rules.contiguity == "none",
            "parts": parts if len(parts) > 1 else [],
            "compactness": _compactness(instance, geography, districts),
            "winner": winners.get(lot),
            "cost": None if f is None or lot not in winners else round(f.cost, 2),
            "transitions": None if f is None or lot not in winners else f.transitions,
        })
    unassigned = [d for d in instance.district_ids if d not in assignment]
    feasible = bool(checked and checked.feasible and not unassigned
                    and awarded.status.has_solution)
    diagnosis = []
    if awarded.status is Status.INFEASIBLE:
        diagnosis = list(awarded.details.get("diagnosis", [awarded.message]))
    result = {
        "objective": checked.objective if checked and winners else None,
        "cost": checked.cost if checked and winners else None,
        "transitions": checked.transitions if checked and winners else None,
        "transition_cost": checked.transition_cost if checked and winners else None,
        "feasible": feasible,
        "award_status": awarded.status.value,
        "award_criterion": instance.award.criterion,
        "quality_weight": instance.award.quality_weight,
        "award_objective": awarded.objective,
        "lots": lots,
        "lots_drawn": len(members),
        "lots_min": rules.lots_min, "lots_max": rules.lots_max,
        "unassigned": unassigned,
        "diagnosis": diagnosis,
        "binding": ((_binding(fixed, awarded, settings, stop) if winners else [])
                    if binding else None),
        "checker": None if checked is None else {
            "feasible": checked.feasible,
            "objective": checked.objective,
            "violations": [str(v) for v in checked.violations],
            "matches_award": bool(winners) and awarded.objective is not None
            and objectives_match(awarded.objective, checked.objective)},
    }
    result["problems"] = problem_texts(result, rules, lang)
    return result


def binding_rules(instance: Instance, assignment: Mapping[str, str],
                  settings: SolverSettings, stop: threading.Event | None = None) -> list[dict]:
    """The award rules that bind for a drawing (empty when its lots cannot be awarded)."""
    if not assignment:
        return []
    fixed, awarded = award_design(instance, assignment, settings, stop=stop)
    if not awarded.status.has_solution:
        return []
    return _binding(fixed, awarded, settings, stop)


def _members(instance: Instance, assignment: Mapping[str, str]) -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for d in instance.district_ids:
        if d in assignment:
            members[assignment[d]].append(d)
    return dict(members)


def lot_parts(instance: Instance, districts: list[str]) -> list[list[str]]:
    """The connected parts of a lot under the contiguity rule, largest first."""
    graph = nx.Graph()
    graph.add_nodes_from(districts)
    inside = set(districts)
    for e in instance.edges_for():
        if e.a in inside and e.b in inside:
            graph.add_edge(e.a, e.b)
    parts = [sorted(p, key=natural_key) for p in nx.connected_components(graph)]
    return sorted(parts, key=lambda p: (-len(p), natural_key(p[0])))


def _within(rules, clients: int) -> bool:
    low, high = rules.lot_clients_min, rules.lot_clients_max
    return (low is None or clients >= low) and (high is None or clients <= high)


def _compactness(instance: Instance, geography: Geography,
                 districts: list[str]) -> float | None:
    """Polsby-Popper 4 pi A / P^2 of the lot (1 = a disc), from the districts' areas and
    perimeters less twice their shared borders; None without geometry."""
    if not geography.area_m2:
        return None
    inside = set(districts)
    area = sum(geography.area_m2.get(d, 0.0) for d in districts)
    perimeter = sum(geography.perimeter_m.get(d, 0.0) for d in districts)
    perimeter -= 2 * sum(e.border_m for e in instance.edges if e.a in inside and e.b in inside)
    if perimeter <= 0:
        return None
    return round(min(1.0, 4 * math.pi * area / perimeter ** 2), 3)


def _binding(fixed: Instance, awarded: Solution, settings: SolverSettings,
             stop: threading.Event | None) -> list[dict]:
    """The award rules that bind: each one dropped in turn and the lots awarded again; a rule
    binds when the award without it is cheaper (``saving`` in EUR)."""
    from allocatie.award import award

    found = []
    won: dict[str, list[str]] = defaultdict(list)
    for lot, bidder in awarded.winners.items():
        won[bidder].append(lot)
    clients = {lot: sum(fixed.clients(d) for d, lab in fixed.lots.items() if lab == lot)
               for lot in awarded.winners}
    limited = fixed.rules.max_lots_per_bidder is not None or any(
        b.max_lots is not None for b in fixed.bidders)
    capacities = any(b.capacity is not None for b in fixed.bidders)
    relaxations = []
    if limited:
        relaxations.append(("max_lots_per_bidder", dataclasses.replace(
            fixed, rules=dataclasses.replace(fixed.rules, max_lots_per_bidder=None),
            bidders=tuple(dataclasses.replace(b, max_lots=None) for b in fixed.bidders))))
    if capacities:
        relaxations.append(("capacity", dataclasses.replace(
            fixed, bidders=tuple(dataclasses.replace(b, capacity=None)
                                 for b in fixed.bidders))))
    for rule, relaxed in relaxations:
        other = award(relaxed, rule="optimal", settings=settings, stop=stop)
        if not other.status.has_solution or other.objective is None:
            continue
        saving = awarded.objective - other.objective
        if rule == "max_lots_per_bidder":
            at_limit = [{"bidder": b, "lots": len(won[b]), "limit": fixed.max_lots(b)}
                        for b in fixed.bidder_ids
                        if fixed.max_lots(b) is not None and len(won[b]) >= fixed.max_lots(b)]
        else:
            at_limit = [{"bidder": b.id, "clients": sum(clients[lot] for lot in won[b.id]),
                         "limit": b.capacity}
                        for b in fixed.bidders if b.capacity is not None and won[b.id]]
        found.append({"rule": rule, "binds": saving > max(0.01, 1e-9 * abs(other.objective)),
                      "saving": round(max(0.0, saving), 2), "bidders": at_limit})
    return found
