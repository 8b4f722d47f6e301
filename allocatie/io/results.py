"""Write and read the results folder of the spec, atomically.

A results folder holds ``summary.json``, ``assignment.csv``, ``transitions.csv``,
``transitions_per_lot.csv``, ``lots.geojson`` and (unless switched off) the human-readable
report files, and the manifest of what allocatie wrote. It is written into a staging folder
and moved into place (:mod:`allocatie.io.outfolder`), so an interrupted run never leaves a
half-written folder behind and no file allocatie did not write is ever replaced.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from allocatie import __version__
from allocatie.checker import Evaluation, evaluate
from allocatie.errors import UsageError
from allocatie.instance import Instance
from allocatie.io.outfolder import (
    STAGING_MARKER,
    check_out,
    free_sibling,
    make_staging,
    move_into_place,
)
from allocatie.solution import Solution
from allocatie.status import Status
from allocatie.text import natural_key

SUMMARY = "summary.json"
ASSIGNMENT = "assignment.csv"
TRANSITIONS = "transitions.csv"
TRANSITIONS_PER_LOT = "transitions_per_lot.csv"
LOTS_GEOJSON = "lots.geojson"


def summary_dict(instance: Instance, solution: Solution, evaluation: Evaluation | None,
                 command: str, interrupted: Sequence[str] = (),
                 mip_gap: float | None = None, lang: str = "nl") -> dict:
    """The content of ``summary.json``: the spec's fields plus the rules and settings used.

    An award rule that does not minimise the objective (by lot, by preference, the highest
    price-quality score) has no bound or gap: ``award_rule`` holds what the report says
    instead, the rule, its own proof and the price of the rule."""
    rules = instance.rules
    rule = _award_rule(instance, solution, lang)
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
        "bound": solution.bound if rule is None else None,
        "gap": solution.gap if rule is None else None,
        "award_rule": rule,
        "mip_gap": mip_gap,  # the relative gap requested: "optimal" is proven within it
        "solver": solution.solver,
        "time_s": round(solution.time_s, 3),
        "message": solution.message,
        "interrupted": list(interrupted),
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
             "clients": f.clients, "cost": f.cost, "transitions": f.transitions,
             # a combination's price is split over its lots by allocatie.lot_shares
             "combination": _combination_entry(instance, solution, f.combination)}
            for f in (evaluation.lots if evaluation else ())
        ],
        "relaxation": _jsonable(solution.details.get("relaxation")),
        "feasible_by_checker": evaluation.feasible if evaluation else None,
        "violations": [v.as_dict() for v in evaluation.violations] if evaluation else [],
        "log": list(solution.log),
        "details": _jsonable(dict(solution.details)),
        "allocatie_version": __version__,
    }
    return data


def _award_rule(instance: Instance, solution: Solution, lang: str) -> dict | None:
    """For an award rule that does not minimise the objective: the rule, the criterion, the
    rule's own proof (``score_status``: the price-quality score proven highest), the price of
    the rule (the extra objective over the cheapest award) and the report's sentence."""
    from allocatie.report.data import minimises_objective, status_text
    from allocatie.report.texts import texts

    if not solution.status.has_solution or minimises_objective(solution):
        return None
    details = solution.details
    price = details.get("price_of_rule")
    keys = ("objective", "objective_pct", "rule_objective", "optimal_objective",
            "optimal_status")
    return {
        "rule": details.get("rule"), "criterion": details.get("criterion"),
        "minimises_objective": False,
        "proof": details.get("score_status"),
        "price_of_rule": ({k: price.get(k) for k in keys} if isinstance(price, Mapping)
                          else None),
        "statement": status_text(solution, instance, texts(lang), lang),
    }


def _combination_entry(instance: Instance, solution: Solution, cid: str) -> dict | None:
    """The accepted combination bid a lot is part of: its id, bidder, price and lots."""
    if not cid:
        return None
    combo = next(c for c in instance.combination_bids if c.id == cid)
    return {"id": cid, "bidder": combo.bidder, "price": combo.price,
            "lots": sorted(combo.lots, key=natural_key)}


@dataclass(frozen=True)
class Written:
    """What :func:`write_results` wrote: the folder, the solution as reported (a result the
    checker rejects is reported infeasible), the checker's evaluation, and the phases a
    Ctrl-C interrupted (``solve``, ``report``)."""

    folder: Path
    solution: Solution
    evaluation: Evaluation | None
    interrupted: tuple[str, ...] = ()
    note: str = ""  # why the results went to another folder than asked, if they did


def checked_solution(solution: Solution, evaluation: Evaluation | None) -> Solution:
    """``solution`` as it may be reported: never feasible or optimal when the checker rejects
    it (then ``infeasible``, with the broken rules in the message)."""
    if evaluation is None or evaluation.feasible or not solution.status.has_solution:
        return solution
    broken = "; ".join(str(v) for v in evaluation.violations)
    message = f"the independent checker rejects this result: {broken}"
    details = {**solution.details, "solver_status": solution.status.value}
    return dataclasses.replace(solution, status=Status.INFEASIBLE, message=message,
                               details=details)


def write_results(out: str | Path, instance: Instance, solution: Solution, command: str,
                  report: bool = True, lang: str = "nl", force: bool = False,
                  interrupted: Sequence[str] = (), mip_gap: float | None = None) -> Written:
    """Write the results folder ``out`` safely (see :mod:`allocatie.io.outfolder`).

    With a solution, the design is re-evaluated by the independent checker and the summary
    carries both the solver's objective and the checker's verdict. ``report`` adds the map
    and report files (``kaart.png``, ``kaart.html``, ``rapport.html``, ``resultaat.xlsx``).
    A Ctrl-C while the report is written skips the report and keeps the results; it is
    recorded in ``summary.json`` (``interrupted``) together with ``interrupted``, the phases
    interrupted before. ``mip_gap`` is the relative gap the solver was asked for (``optimal``
    is proven within it). Raises :class:`~allocatie.errors.UsageError` for an unsafe ``out``.
    """
    note = ""
    try:
        target = check_out(out, instance.folder, force)
    except UsageError as refusal:  # checked before the solve: the folder changed meanwhile
        if not solution.assignment:
            raise
        target = check_out(free_sibling(Path(out).resolve()), instance.folder, force)
        note = f"{refusal}; so as not to lose the result it is written to {target} instead"
    evaluation = None
    if solution.assignment:
        evaluation = evaluate(instance, solution.assignment, solution.winners, solution.pricing,
                              solution.combinations)
    solution = checked_solution(solution, evaluation)
    phases = list(interrupted)
    staging = make_staging(target)
    try:
        with _sigint_deferred() as stopped:
            _write_json(staging / SUMMARY, summary_dict(instance, solution, evaluation, command,
                                                        phases, mip_gap, lang))
            _write_spec_files(staging, instance, solution, evaluation)
        if report and not stopped:
            try:
                from allocatie.report import write_report

                write_report(staging, instance, solution, evaluation, lang=lang)
            except KeyboardInterrupt:
                stopped.append(signal.SIGINT)
        with _sigint_deferred():
            if report and stopped:
                for path in staging.iterdir():
                    if path.name not in SPEC_FILES and path.is_file():
                        path.unlink()
                phases.append("report")
                _write_json(staging / SUMMARY, summary_dict(instance, solution, evaluation,
                                                            command, phases, mip_gap, lang))
            move_into_place(staging, target)
    except BaseException:
        if staging.exists() and (staging / STAGING_MARKER).exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(target, solution, evaluation, tuple(phases), note)


SPEC_FILES = frozenset({SUMMARY, ASSIGNMENT, TRANSITIONS, TRANSITIONS_PER_LOT, LOTS_GEOJSON,
                        "log.txt", STAGING_MARKER})


def _write_spec_files(staging: Path, instance: Instance, solution: Solution,
                      evaluation: Evaluation | None) -> None:
    """The spec's files besides summary.json, and the audit log."""
    if evaluation is not None:
        _write_assignment(staging / ASSIGNMENT, instance, solution)
        _write_transitions(staging, evaluation)
        from allocatie.io.geometry import write_lots_geojson

        write_lots_geojson(staging / LOTS_GEOJSON, instance, solution, evaluation)
    if solution.log:
        (staging / "log.txt").write_text("\n".join(solution.log) + "\n", encoding="utf-8")


@contextmanager
def _sigint_deferred() -> Iterator[list[int]]:
    """Hold off Ctrl-C while the block runs; the list yielded records the ones caught (in the
    main thread; elsewhere nothing is caught)."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


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
