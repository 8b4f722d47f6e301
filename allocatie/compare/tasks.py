"""The work a compare run ships to its workers: award one fixed design under a batch of
scenarios.

:func:`run_chunk` is the one task function, used alike by the local process pool and by Dask.
It takes a :class:`Chunk` of plain data (the instance folder and its content hash, the design
as district -> lot pairs, the scenario parameters and indices, the award rule and solver
settings) and returns one record per scenario. Each worker loads the instance once per folder
(:func:`base_instance`, cached) and checks that it is the instance the run was planned on.

Test hooks (environment variables, read by the worker for each task):

- ``ALLOCATIE_COMPARE_FAIL`` makes chosen tasks raise, to test that failures are recorded and
  do not stop a run: a comma-separated list of ``design:scenario`` pairs, ``*`` matching any
  (``"K5:3,vandaag:*"``);
- ``ALLOCATIE_COMPARE_DELAY_S`` sleeps that many seconds in each task, so that a test can
  interrupt a run halfway.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from allocatie.award.exact import award_matrix, solve_exact
from allocatie.checker import evaluate, objectives_match
from allocatie.compare.named import ResolvedNamed, apply_named
from allocatie.compare.reasons import no_award_reason
from allocatie.compare.scenarios import absent_bidders, apply_draw, draw
from allocatie.compare.spec import AwardSpec, ScenarioSpec
from allocatie.compare.store import CODE_VERSION, instance_hash
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.text import natural_key
from allocatie.validation import with_rules

FAIL_HOOK = "ALLOCATIE_COMPARE_FAIL"
DELAY_HOOK = "ALLOCATIE_COMPARE_DELAY_S"
RECORD_FIELDS = (
    "key", "scenario", "scenario_kind", "scenario_name", "status", "solver", "solver_status",
    "cost", "transitions", "objective", "distinct_winners", "lot_cap_bound", "lots_without_bid",
    "absent_bidders", "absent", "reason", "winners", "time_s", "error_type", "error", "run_id",
    "pid", "code_version",
)


@dataclass(frozen=True)
class InstanceRecipe:
    """How a worker rebuilds the base instance: its folder, the content hash it must have and
    the SPEC's rule overrides (sorted ``(name, value)`` pairs)."""

    folder: str
    content_hash: str
    rules: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class DesignRecipe:
    """A fixed design to award: name (for messages), district -> lot pairs and the lot cap."""

    name: str
    assignment: tuple[tuple[str, str], ...]
    max_lots_per_bidder: int | None = None


@dataclass(frozen=True)
class Chunk:
    """A batch of tasks: one design under several scenarios (``keys[i]`` for ``indices[i]``).
    With ``named`` the indices are those of the named scenarios (``named[i]`` for
    ``indices[i]``), not of random ones."""

    instance: InstanceRecipe
    design: DesignRecipe
    scenarios: ScenarioSpec
    indices: tuple[int, ...]
    keys: tuple[str, ...]
    award: AwardSpec
    solver: SolverSettings
    run_id: str = ""
    named: tuple[ResolvedNamed, ...] = ()


# --------------------------------------------------------------------------- instances
def award_instance(instance: Instance, assignment: Mapping[str, str],
                   max_lots_per_bidder: int | None = None) -> Instance:
    """The instance to award a fixed design on: ``lots`` = the design, no lot or combination
    bids (per-district bids are summed over each lot), the number of lots set to the design's,
    and the rules that only shape a design (client bounds, contiguity, compactness, pins,
    changed-district cap) left out, since the design is given. ``max_lots_per_bidder``
    overrides the kavelbeperking."""
    rules = instance.rules
    k = len(set(assignment.values()))
    rules = replace(
        rules, lots_min=k, lots_max=k, lot_clients_min=None, lot_clients_max=None,
        lot_clients_penalty=None, contiguity="none", compactness_weight=0.0,
        max_changed_districts=None, pinned={}, together=(),
        max_lots_per_bidder=(max_lots_per_bidder if max_lots_per_bidder is not None
                             else rules.max_lots_per_bidder),
    )
    return replace(instance, lots=dict(assignment), lot_bids=(), combination_bids=(),
                   current_lots=None, rules=rules)


def ignore_interrupts() -> None:
    """Process-pool initializer: leave Ctrl-C to the main process, which stops the run."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@lru_cache(maxsize=4)
def base_instance(recipe: InstanceRecipe) -> Instance:
    """The instance of ``recipe`` with its rule overrides, loaded once per process. Raises
    RuntimeError when the folder's content differs from the run's (a worker on another machine
    sees other files)."""
    from allocatie.io.loading import load_instance

    instance = load_instance(Path(recipe.folder))
    found = instance_hash(instance)
    if found != recipe.content_hash:
        raise RuntimeError(
            f"the instance at {recipe.folder} on worker {os.uname().nodename} has content "
            f"hash {found[:12]}, not the run's {recipe.content_hash[:12]}: give the workers "
            "the same instance files (same path) as the machine that started the run")
    return with_rules(instance, dict(recipe.rules))


@lru_cache(maxsize=64)
def design_instance(recipe: InstanceRecipe, design: DesignRecipe) -> Instance:
    """The award instance of a design (see :func:`award_instance`), built once per process."""
    return award_instance(base_instance(recipe), dict(design.assignment),
                          design.max_lots_per_bidder)


# --------------------------------------------------------------------------- the task
def run_chunk(chunk: Chunk) -> list[dict[str, Any]]:
    """Award ``chunk.design`` under each of its scenarios. Returns one record per scenario
    (fields :data:`RECORD_FIELDS`); a scenario that raises gives a record with ``status``
    ``error`` and the exception's type and message instead of stopping the batch. When the
    worker cannot build the instance at all, every record also has ``setup_error`` (the
    runner shows these but does not store them, so the next run tries again)."""
    records = []
    instance: Instance | None = None
    setup_error: BaseException | None = None
    try:
        instance = design_instance(chunk.instance, chunk.design)
    except Exception as exc:  # noqa: BLE001 - recorded per task, the run goes on
        setup_error = exc
    for position, (index, key) in enumerate(zip(chunk.indices, chunk.keys, strict=True)):
        started = time.perf_counter()
        named = chunk.named[position] if chunk.named else None
        try:
            if setup_error is not None:
                raise setup_error
            assert instance is not None
            _test_hooks(chunk.design.name, named.name if named else index)
            if named is not None:
                record = award_named(instance, named, chunk.award, chunk.solver)
            else:
                record = award_scenario(instance, chunk.scenarios, index, chunk.award,
                                        chunk.solver)
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
            record = error_record(exc)
            if setup_error is not None:
                record["setup_error"] = True  # the worker's fault, not the task's: not stored
        record.update(key=key, scenario=None if named else index,
                      scenario_kind="named" if named else "random",
                      scenario_name=named.name if named else "",
                      run_id=chunk.run_id, pid=os.getpid(),
                      code_version=CODE_VERSION,
                      time_s=round(time.perf_counter() - started, 6))
        records.append(record)
    return records


def error_record(exc: BaseException) -> dict[str, Any]:
    """The record of a task that raised ``exc``."""
    return {"status": "error", "error_type": type(exc).__name__, "error": str(exc)}


def award_scenario(instance: Instance, params: ScenarioSpec, index: int, award: AwardSpec,
                   settings: SolverSettings) -> dict[str, Any]:
    """Award the fixed design of ``instance`` under scenario ``index``. Returns the record's
    figures, recomputed by the independent checker. Raises on a solver or checker failure."""
    scenario = draw(params, index, len(instance.bidders), len(instance.districts))
    current = apply_draw(instance, scenario)
    absent = list(absent_bidders(instance, scenario))
    return award_figures(current, award, settings) | {"absent_bidders": len(absent),
                                                       "absent": absent}


def award_named(instance: Instance, scenario: ResolvedNamed, award: AwardSpec,
                settings: SolverSettings) -> dict[str, Any]:
    """Award the fixed design of ``instance`` under a named scenario. Returns the record's
    figures (as :func:`award_scenario`)."""
    current = apply_named(instance, scenario)
    absent = [b for b in instance.bidder_ids if b not in set(current.bidder_ids)]
    return award_figures(current, award, settings) | {"absent_bidders": len(absent),
                                                       "absent": absent}


def award_figures(instance: Instance, award: AwardSpec,
                  settings: SolverSettings) -> dict[str, Any]:
    """Award the fixed design of ``instance`` by ``award`` and check the result. Returns the
    figures of a record. Raises RuntimeError when the checker disagrees with the solver."""
    matrix = award_matrix(instance)
    record: dict[str, Any] = {"lots_without_bid": matrix.lots_without_bid}
    winners: dict[str, str] | None = None
    objective: float | None = None
    exact_ok = award.rule == "optimal" and award.criterion == "price"
    result = solve_exact(matrix) if exact_ok and award.method != "milp" else None
    if result is not None and result.status != "limit":
        status = result.status
        winners, objective = result.winners, result.objective
        record.update(solver="exact", solver_status=f"exact:{result.status} "
                      f"({result.nodes} nodes)")
    else:
        from allocatie.award import award as run_award

        solution = run_award(instance, rule=award.rule, settings=settings,
                             criterion=award.criterion)
        status = solution.status.value
        if solution.status.has_solution:
            winners, objective = dict(solution.winners), solution.objective
        native = solution.details.get("native_status") if solution.details else None
        record.update(solver=solution.solver or "award",
                      solver_status=str(native or solution.status.value))
    record["status"] = status
    if status == "infeasible":
        record["reason"] = no_award_reason(matrix)
    if winners is None:
        record.update(cost=None, transitions=None, objective=None, distinct_winners=None,
                      lot_cap_bound=None, winners={})
        return record
    evaluation = evaluate(instance, instance.lots or {}, winners)
    if not evaluation.feasible:
        raise RuntimeError("the checker rejects the award: " + "; ".join(evaluation.messages))
    if objective is not None and not objectives_match(objective, evaluation.objective):
        raise RuntimeError(f"the solver's objective {objective:,.2f} differs from the "
                           f"checker's {evaluation.objective:,.2f}")
    counts: dict[str, int] = {}
    for bidder in winners.values():
        counts[bidder] = counts.get(bidder, 0) + 1
    cap_bound = any(
        (limit := instance.max_lots(b)) is not None and n >= limit for b, n in counts.items()
    )
    record.update(
        cost=_money(evaluation.cost), transitions=int(evaluation.transitions),
        objective=_money(evaluation.objective), distinct_winners=len(counts),
        lot_cap_bound=cap_bound,
        winners={lot: winners[lot] for lot in sorted(winners, key=natural_key)},
    )
    return record


def winners_text(winners: Mapping[str, str] | None) -> str:
    """``lot=bidder`` pairs in lot order, separated by ``; `` (empty without winners)."""
    if not winners:
        return ""
    return "; ".join(f"{lot}={winners[lot]}" for lot in sorted(winners, key=natural_key))


def _money(value: float) -> float:
    return round(float(value), 2) if math.isfinite(value) else value


def _test_hooks(design: str, index: int | str) -> None:
    delay = os.environ.get(DELAY_HOOK)
    if delay:
        time.sleep(float(delay))
    spec = os.environ.get(FAIL_HOOK, "")
    if not spec:
        return
    for item in spec.split(","):
        name, _, scenario = item.strip().rpartition(":")
        if name in ("*", design) and scenario in ("*", str(index)):
            raise RuntimeError(f"failure injected by {FAIL_HOOK} for design {design!r} "
                               f"scenario {index}")
