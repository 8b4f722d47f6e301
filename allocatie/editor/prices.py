"""The price of a boundary: for every district on a lot boundary, how much the objective
changes when it moves to a neighbouring lot, with that drawing awarded again exactly."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from allocatie.award.given import award_design
from allocatie.checker import evaluate
from allocatie.editor.evaluation import lot_parts
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.text import natural_key


def boundary_moves(instance: Instance, drawing: Mapping[str, str],
                   locked: set[str]) -> list[tuple[str, str]]:
    """(district, neighbouring lot) for every district on a boundary between two unlocked
    lots, in district order."""
    moves = []
    for d in instance.district_ids:
        own = drawing.get(d)
        if own is None or own in locked:
            continue
        others = {drawing.get(n) for n in instance.neighbours.get(d, ())}
        for lot in sorted(others - {own, None} - locked, key=natural_key):
            moves.append((d, lot))
    return moves


def boundary_prices(instance: Instance, drawing: Mapping[str, str], locked: set[str],
                    settings: SolverSettings,
                    progress: Callable[[int, int], None] | None = None,
                    stop: threading.Event | None = None) -> dict:
    """The objective of ``drawing`` and, per boundary move, the objective after it and the
    difference (``delta``, EUR; negative = the move saves money). ``valid`` says whether the
    drawing after the move still has contiguous lots within the client bounds."""
    base = _objective(instance, drawing, settings, stop)
    moves = boundary_moves(instance, drawing, locked)
    found = []
    for i, (d, lot) in enumerate(moves):
        if stop is not None and stop.is_set():
            break
        moved = {**drawing, d: lot}
        objective = _objective(instance, moved, settings, stop)
        found.append({"district": d, "from": drawing[d], "to": lot, "objective": objective,
                      "delta": None if objective is None or base is None
                      else round(objective - base, 2),
                      "valid": _valid(instance, moved, (drawing[d], lot))})
        if progress is not None:
            progress(i + 1, len(moves))
    return {"objective": base, "moves": found, "complete": len(found) == len(moves)}


def _objective(instance: Instance, drawing: Mapping[str, str], settings: SolverSettings,
               stop: threading.Event | None) -> float | None:
    fixed, awarded = award_design(instance, drawing, settings, stop=stop)
    if not awarded.status.has_solution:
        return None
    return evaluate(fixed, dict(drawing), dict(awarded.winners)).objective


def _valid(instance: Instance, drawing: Mapping[str, str], lots: tuple[str, str]) -> bool:
    rules = instance.rules
    for lot in lots:
        districts = [d for d, lab in drawing.items() if lab == lot]
        if not districts:
            return False
        if rules.contiguity != "none" and len(lot_parts(instance, districts)) > 1:
            return False
        clients = sum(instance.clients(d) for d in districts)
        if not rules.soft_client_bounds and (
                (rules.lot_clients_min is not None and clients < rules.lot_clients_min)
                or (rules.lot_clients_max is not None and clients > rules.lot_clients_max)):
            return False
    return True
