"""The plan of a compare run: one task per distinct design x scenario, chunks for the workers,
and the table rows of the tasks done."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from allocatie.compare.candidates import Candidate
from allocatie.compare.named import ResolvedNamed
from allocatie.compare.spec import CompareSpec
from allocatie.compare.store import task_key
from allocatie.compare.tasks import (
    Chunk,
    DesignRecipe,
    InstanceRecipe,
)

MAX_CHUNK = 50


@dataclass(frozen=True)
class PlannedTask:
    """One design x scenario of the plan (``named`` set for a named scenario, whose index
    in the SPEC is ``scenario``)."""

    design_order: int
    candidate: Candidate
    scenario: int
    key: str
    named: ResolvedNamed | None = None


# --------------------------------------------------------------------------- planning
def same_designs(candidates: Sequence[Candidate]) -> dict[str, str]:
    """Names whose design is an earlier candidate's: the same districts together in each lot
    (whatever the lot labels) and the same lot cap. Returns ``{later name: first name}``."""
    first: dict[tuple[Any, ...], str] = {}
    out: dict[str, str] = {}
    for candidate in candidates:
        if candidate.assignment is None:
            continue
        key = (partition(candidate.assignment), candidate.spec.max_lots_per_bidder)
        if key in first:
            out[candidate.spec.name] = first[key]
        else:
            first[key] = candidate.spec.name
    return out


def partition(assignment: Mapping[str, str]) -> frozenset[frozenset[str]]:
    """The lots of a design as sets of districts (lot labels left out)."""
    lots: dict[str, set[str]] = {}
    for district, lot in assignment.items():
        lots.setdefault(lot, set()).add(district)
    return frozenset(frozenset(members) for members in lots.values())


def make_plan(spec: CompareSpec, candidates: Sequence[Candidate], content_hash: str,
              named: Sequence[ResolvedNamed] = (),
              duplicates: Mapping[str, str] | None = None) -> list[PlannedTask]:
    """One task per distinct design x scenario (random ones, then the named ones), in design
    order; candidates without a design and duplicates of an earlier design get none."""
    plan = []
    for order, candidate in enumerate(candidates):
        if not candidate.ok or candidate.spec.name in (duplicates or {}):
            continue
        for i in range(spec.scenarios.count):
            key = task_key(task_inputs(spec, candidate, content_hash, i))
            plan.append(PlannedTask(order, candidate, i, key))
        for scenario in named:
            key = task_key(task_inputs(spec, candidate, content_hash, scenario.index, scenario))
            plan.append(PlannedTask(order, candidate, scenario.index, key, scenario))
    return plan


def task_inputs(spec: CompareSpec, candidate: Candidate, content_hash: str,
                index: int, named: ResolvedNamed | None = None) -> dict[str, Any]:
    """Everything that decides a task's result (hashed into its key)."""
    assert candidate.assignment is not None
    scenario = {"named": named.key_params()} if named is not None else \
        {**spec.scenarios.sampling(), "index": index}
    return {
        "instance": content_hash,
        "rules": sorted(dict(spec.rules).items()),
        "design": {"assignment": sorted(dict(candidate.assignment).items()),
                   "max_lots_per_bidder": candidate.spec.max_lots_per_bidder},
        "scenario": scenario,
        "award": spec.award.params(),
        "solver": spec.solver_params(),
    }


def auto_chunk_size(tasks: int, parallel: int) -> int:
    """Scenarios per batch: about four batches per worker, at most :data:`MAX_CHUNK`."""
    return max(1, min(MAX_CHUNK, math.ceil(tasks / max(1, 4 * parallel))))


def make_chunks(todo: Sequence[PlannedTask], spec: CompareSpec, recipe: InstanceRecipe,
                size: int, run_id: str) -> Iterator[Chunk]:
    """Batches of at most ``size`` tasks of one design each (random and named scenarios in
    separate batches), in plan order."""
    groups: dict[tuple[int, bool], list[PlannedTask]] = {}
    for task in todo:
        groups.setdefault((task.design_order, task.named is not None), []).append(task)
    for (_order, is_named), tasks in groups.items():
        candidate = tasks[0].candidate
        assert candidate.assignment is not None
        design = DesignRecipe(candidate.spec.name, tuple(sorted(candidate.assignment.items())),
                              candidate.spec.max_lots_per_bidder)
        for start in range(0, len(tasks), size):
            part = tasks[start:start + size]
            yield Chunk(instance=recipe, design=design, scenarios=spec.scenarios,
                        indices=tuple(t.scenario for t in part),
                        keys=tuple(t.key for t in part), award=spec.award,
                        solver=spec.solver, run_id=run_id,
                        named=tuple(t.named for t in part if t.named is not None)
                        if is_named else ())


def table_rows(plan: Sequence[PlannedTask], results: dict[str, dict[str, Any]],
               candidates: Sequence[Candidate] = (),
               duplicates: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The scenario-table rows of the plan: stored records with their design added; a
    duplicate design gets a copy of its original's rows (lot labels translated); tasks
    without a result are left out."""
    rows = []
    by_name: dict[str, list[dict[str, Any]]] = {}
    for task in plan:
        candidate = task.candidate
        if task.key not in results:
            continue
        head = {"design": candidate.spec.name, "kind": candidate.spec.kind,
                "design_order": task.design_order}
        row = {**results[task.key], **head}
        if task.named is not None:
            row.update(scenario=None, scenario_kind="named", scenario_name=task.named.name)
        else:
            row.update(scenario=task.scenario, scenario_kind="random", scenario_name="")
        rows.append(row)
        by_name.setdefault(candidate.spec.name, []).append(row)
    names = {c.spec.name: (order, c) for order, c in enumerate(candidates)}
    for name, original in (duplicates or {}).items():
        order, candidate = names[name]
        _, source = names[original]
        labels = _lot_labels(source.assignment or {}, candidate.assignment or {})
        for row in by_name.get(original, []):
            winners = row.get("winners")
            if isinstance(winners, Mapping):
                winners = {labels.get(lot, lot): w for lot, w in winners.items()}
            rows.append({**row, "design": name, "kind": candidate.spec.kind,
                         "design_order": order, "winners": winners})
    return rows


def _lot_labels(source: Mapping[str, str], target: Mapping[str, str]) -> dict[str, str]:
    """How the lots of ``source`` are called in ``target`` (the same partition)."""
    return {lot: target[d] for d, lot in source.items() if d in target}


def candidate_info(candidate: Candidate) -> dict[str, Any]:
    return {"design_status": candidate.status, "design_time_s": round(candidate.time_s, 3),
            "design_gap": candidate.design_gap, "design_reused": candidate.reused,
            "design_message": candidate.message, "design_error_type": candidate.error_type}
