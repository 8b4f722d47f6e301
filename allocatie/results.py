"""Write and read the results folder of the spec, atomically.

A results folder holds ``summary.json``, ``assignment.csv``, ``transitions.csv``,
``transitions_per_lot.csv``, ``lots.geojson`` and (unless switched off) the human-readable
report files. It is written into a temporary sibling folder and moved into place in one
step, so an interrupted run never leaves a half-written folder behind.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from allocatie import __version__
from allocatie.checker import Evaluation, evaluate
from allocatie.instance import Instance, natural_key
from allocatie.solution import Solution
from allocatie.status import Status

SUMMARY = "summary.json"
ASSIGNMENT = "assignment.csv"
TRANSITIONS = "transitions.csv"
TRANSITIONS_PER_LOT = "transitions_per_lot.csv"
LOTS_GEOJSON = "lots.geojson"


def summary_dict(instance: Instance, solution: Solution, evaluation: Evaluation | None,
                 command: str) -> dict:
    """The content of ``summary.json``: the spec's fields plus the rules and settings used."""
    rules = instance.rules
    data: dict = {
        "status": solution.status.value,
        "objective": solution.objective,
        "cost": evaluation.cost if evaluation else None,
        "transitions": evaluation.transitions if evaluation else None,
        "transition_cost": evaluation.transition_cost if evaluation else None,
        "client_penalty": evaluation.client_penalty if evaluation else None,
        "cut_border_km": evaluation.cut_border_km if evaluation else None,
        "compactness_cost": evaluation.compactness_cost if evaluation else None,
        "changed_districts": evaluation.changed_districts if evaluation else None,
        "bound": solution.bound,
        "gap": solution.gap,
        "solver": solution.solver,
        "time_s": round(solution.time_s, 3),
        "message": solution.message,
        "command": command,
        "instance": instance.name,
        "bids_kind": instance.bids_kind,
        "bids_expected": instance.bids_kind == "expected",
        "pricing": solution.pricing,
        "combinations": list(solution.combinations),
        "rules": {
            "lots_min": rules.lots_min, "lots_max": rules.lots_max,
            "max_lots_per_bidder": rules.max_lots_per_bidder,
            "lot_clients_min": rules.lot_clients_min, "lot_clients_max": rules.lot_clients_max,
            "lot_clients_penalty": rules.lot_clients_penalty,
            "transition_cost": rules.transition_cost, "contiguity": rules.contiguity,
            "min_winners": rules.min_winners, "max_winners": rules.max_winners,
            "compactness_weight": rules.compactness_weight,
            "max_changed_districts": rules.max_changed_districts,
        },
        "lots": [
            {"lot": f.lot, "winner": f.winner, "districts": list(f.districts),
             "clients": f.clients, "cost": f.cost, "transitions": f.transitions}
            for f in (evaluation.lots if evaluation else ())
        ],
        "feasible_by_checker": evaluation.feasible if evaluation else None,
        "violations": list(evaluation.violations) if evaluation else [],
        "log": list(solution.log),
        "details": _jsonable(dict(solution.details)),
        "allocatie_version": __version__,
    }
    return data


def write_results(out: str | Path, instance: Instance, solution: Solution, command: str,
                  report: bool = True, lang: str = "nl") -> Evaluation | None:
    """Write the results folder ``out`` atomically and return the checker's evaluation.

    With a solution, the design is re-evaluated by the independent checker and the summary
    carries both the solver's objective and the checker's verdict. ``report`` adds the map
    and report files (``kaart.png``, ``kaart.html``, ``rapport.html``, ``resultaat.xlsx``).
    """
    out = Path(out)
    evaluation = None
    if solution.assignment:
        evaluation = evaluate(instance, solution.assignment, solution.winners, solution.pricing,
                              solution.combinations)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        _write_json(staging / SUMMARY, summary_dict(instance, solution, evaluation, command))
        if evaluation is not None:
            _write_assignment(staging / ASSIGNMENT, instance, solution)
            _write_transitions(staging, evaluation)
            from allocatie.geometry import write_lots_geojson

            write_lots_geojson(staging / LOTS_GEOJSON, instance, solution, evaluation)
        if solution.log:
            (staging / "log.txt").write_text("\n".join(solution.log) + "\n", encoding="utf-8")
        if report:
            from allocatie.report import write_report

            write_report(staging, instance, solution, evaluation, lang=lang)
        staging.chmod(0o755)  # mkdtemp makes it private; a results folder is for sharing
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return evaluation


def _swap_into_place(staging: Path, out: Path) -> None:
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)


def read_results(folder: str | Path) -> tuple[dict, dict[str, str], dict[str, str]]:
    """Read a results folder: (summary, district -> lot, lot -> winner).

    Raises FileNotFoundError naming the missing file."""
    folder = Path(folder)
    summary_path = folder / SUMMARY
    if not summary_path.exists():
        raise FileNotFoundError(f"{summary_path} not found: is {folder} a results folder?")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assignment: dict[str, str] = {}
    winners: dict[str, str] = {}
    path = folder / ASSIGNMENT
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                assignment[row["district_id"]] = row["lot"]
                if row.get("winner"):
                    winners[row["lot"]] = row["winner"]
    return summary, assignment, winners


def solution_from_results(folder: str | Path) -> Solution:
    """Rebuild a :class:`Solution` from a results folder (for ``allocatie check``)."""
    summary, assignment, winners = read_results(folder)
    return Solution(
        status=Status(summary.get("status", "no_solution")),
        assignment=assignment,
        winners=winners,
        objective=summary.get("objective"),
        bound=summary.get("bound"),
        solver=summary.get("solver", ""),
        time_s=float(summary.get("time_s") or 0.0),
        pricing=summary.get("pricing", "district"),
        combinations=tuple(summary.get("combinations") or ()),
    )


# --------------------------------------------------------------------------- writers
def _write_json(path: Path, data: Mapping) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_assignment(path: Path, instance: Instance, solution: Solution) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["district_id", "lot", "winner"])
        for d in instance.district_ids:
            lot = solution.assignment.get(d, "")
            writer.writerow([d, lot, solution.winners.get(lot, "")])


def _write_transitions(folder: Path, evaluation: Evaluation) -> None:
    with (folder / TRANSITIONS).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["from_provider", "to_provider", "clients", "switch"])
        for (src, dst), n in sorted(evaluation.matrix.items()):
            writer.writerow([src, dst, n, "yes" if src != dst else "no"])
    with (folder / TRANSITIONS_PER_LOT).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lot", "from_provider", "to_provider", "clients", "switch"])
        for lot in sorted(evaluation.matrix_per_lot, key=natural_key):
            for (src, dst), n in sorted(evaluation.matrix_per_lot[lot].items()):
                writer.writerow([lot, src, dst, n, "yes" if src != dst else "no"])


def _jsonable(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
