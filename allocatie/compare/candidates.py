"""Turn the SPEC's candidate designs into fixed designs (district -> lot), once per run.

- ``current``: today's areas (the instance's ``current_lots``);
- ``fixed``: a ``district_id,lot`` file, read with :func:`allocatie.io.loading.load_lots_file`;
- ``design``: the design MILP (:func:`allocatie.design.design`) on the expected bids (the
  instance as is) under the candidate's rule variation. Its result is stored in
  ``out_dir/designs/<key>.json`` (key = hash of the instance, rules, candidate and solver
  settings), so a resumed run reuses the design instead of solving it again.

A candidate that cannot be prepared (file with unknown districts, no design found) is kept
with its error; its scenarios are reported as failed and the run goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from allocatie.budget import DEFAULT_TIME_LIMIT_S
from allocatie.checker import changed_districts, evaluate
from allocatie.compare.spec import CompareSpec, DesignSpec
from allocatie.compare.store import CODE_VERSION, DESIGNS, digest, read_json, write_json
from allocatie.compare.tasks import award_figures, award_instance, winners_text
from allocatie.errors import InstanceError
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.validation import with_rules

DesignProgress = Callable[[str, int, int], None]


class Interrupted(Exception):
    """The run was stopped before this candidate could be designed."""


@dataclass(frozen=True)
class Candidate:
    """A prepared candidate: its spec, the design (None when it failed) and how it came."""

    spec: DesignSpec
    assignment: Mapping[str, str] | None
    status: str  # "ok" for current/fixed; the design's status for kind design; "error"
    message: str = ""
    error_type: str = ""
    time_s: float = 0.0
    solver: str = ""
    design_objective: float | None = None
    design_gap: float | None = None
    reused: bool = False
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.assignment is not None

    @property
    def lots(self) -> int | None:
        return len(set(self.assignment.values())) if self.assignment is not None else None


def prepare(spec: CompareSpec, instance: Instance, content_hash: str, out_dir: Path,
            stop: threading.Event | None = None, retry_failed: bool = False,
            on_design: DesignProgress | None = None,
            solver_progress: Callable[[Any], None] | None = None) -> list[Candidate]:
    """Prepare every candidate of ``spec`` on ``instance`` (with the SPEC's rule overrides).
    Returns one :class:`Candidate` per design, in SPEC order; never raises for a candidate
    that fails (its error is kept). ``on_design(name, number, total)`` is called before each
    candidate; ``solver_progress`` gets the design MILP's progress events."""
    out: list[Candidate] = []
    for number, design_spec in enumerate(spec.designs, start=1):
        started = time.perf_counter()
        if on_design is not None:
            on_design(design_spec.name, number, len(spec.designs))
        try:
            if design_spec.kind == "current":
                candidate = _current(design_spec, instance)
            elif design_spec.kind == "fixed":
                candidate = _fixed(design_spec, instance)
            else:
                candidate = _designed(design_spec, spec, instance, content_hash, out_dir,
                                      stop, retry_failed, solver_progress)
        except Exception as exc:  # noqa: BLE001 - kept with the candidate, the run goes on
            candidate = Candidate(design_spec, None, "error", str(exc), type(exc).__name__,
                                  time.perf_counter() - started)
        out.append(candidate)
    return out


def design_problems(instance: Instance, assignment: Mapping[str, str]) -> list[str]:
    """What makes ``assignment`` unusable as a design of ``instance``: unknown districts and
    districts in no lot (empty = usable)."""
    problems = []
    unknown = sorted(set(assignment) - set(instance.district_ids))
    if unknown:
        problems.append(f"{len(unknown)} unknown district id(s): {', '.join(unknown[:10])}")
    missing = [d for d in instance.district_ids if not assignment.get(d)]
    if missing:
        problems.append(f"{len(missing)} district(s) in no lot: {', '.join(missing[:10])}")
    return problems


def _checked(spec: DesignSpec, instance: Instance, assignment: Mapping[str, str],
             source: str) -> dict[str, str]:
    problems = design_problems(instance, assignment)
    if problems:
        raise ValueError(f"design {spec.name!r} ({source}) cannot be used: "
                         + "; ".join(problems))
    return {d: str(assignment[d]) for d in instance.district_ids}


def _current(spec: DesignSpec, instance: Instance) -> Candidate:
    if not instance.current_lots:
        raise ValueError(f"design {spec.name!r}: kind = \"current\" needs today's areas, but "
                         "the instance has no current_lots; add current_lots = "
                         "\"current_lots.csv\" under [files] in instance.toml")
    return Candidate(spec, _checked(spec, instance, instance.current_lots, "current_lots"),
                     "ok", "today's areas")


def _fixed(spec: DesignSpec, instance: Instance) -> Candidate:
    from allocatie.io.loading import load_lots_file

    assert spec.path is not None
    lots, _winners = load_lots_file(spec.path, instance)  # a winner column is ignored
    return Candidate(spec, _checked(spec, instance, lots, str(spec.path)), "ok",
                     f"lots from {spec.path.name}")


def design_rules_instance(spec: DesignSpec, instance: Instance) -> Instance:
    """The instance the MILP designs a candidate on: the candidate's rule variation, no fixed
    design and no lot bids."""
    rules = instance.rules
    changes: dict[str, Any] = {}
    if spec.lots is not None:
        changes.update(lots_min=spec.lots, lots_max=spec.lots)
    if spec.lots_min is not None:
        changes["lots_min"] = spec.lots_min
    if spec.lots_max is not None:
        changes["lots_max"] = spec.lots_max
    for name in ("max_lots_per_bidder", "lot_clients_min", "lot_clients_max", "contiguity"):
        value = getattr(spec, name)
        if value is not None:
            changes[name] = value
    rules = replace(rules, **changes)
    if rules.lots_min > rules.lots_max:
        rules = replace(rules, lots_max=rules.lots_min) if spec.lots_min is not None else \
            replace(rules, lots_min=rules.lots_max)
    overrides = {name: getattr(rules, name) for name in {*changes, "lots_min", "lots_max"}}
    bare = replace(instance, lots=None, lot_bids=(), combination_bids=())
    try:
        return with_rules(bare, overrides)
    except InstanceError as error:
        if any(p.kind == "input" for p in error.problems):
            raise
        # rules no design can keep: the design MILP says infeasible, a result of the
        # comparison (as before), not an input error
        return replace(bare, rules=rules)


def design_settings(spec: DesignSpec, solver: SolverSettings) -> SolverSettings:
    """Solver settings of a candidate's design MILP: the SPEC's backend, gap and seed, the
    candidate's time limit (default 60 s) and threads (default 2)."""
    return SolverSettings(backend=solver.backend,
                          time_limit_s=spec.time_limit_s or DEFAULT_TIME_LIMIT_S,
                          mip_gap=spec.mip_gap if spec.mip_gap is not None else solver.mip_gap,
                          threads=spec.threads or 2, seed=solver.seed)


def _designed(spec: DesignSpec, compare: CompareSpec, instance: Instance, content_hash: str,
              out_dir: Path, stop: threading.Event | None, retry_failed: bool,
              progress: Callable[[Any], None] | None = None) -> Candidate:
    settings = design_settings(spec, compare.solver)
    params = {k: v for k, v in spec.params().items() if k != "name"}
    key = digest({"instance": content_hash, "rules": dict(compare.rules), "design": params,
                  "solver": _settings_dict(settings), "code": CODE_VERSION})
    path = out_dir / DESIGNS / f"{key}.json"
    stored = read_json(path)
    if isinstance(stored, dict) and (stored.get("assignment") or not retry_failed):
        return _from_record(spec, stored, reused=True)
    if stop is not None and stop.is_set():
        raise Interrupted(f"design {spec.name!r} was not designed: the run was stopped first")
    variant = design_rules_instance(spec, instance)
    from allocatie.design import design

    started = time.perf_counter()
    solution = design(variant, settings, progress=progress, stop=stop)
    elapsed = time.perf_counter() - started
    interrupted = stop is not None and stop.is_set()
    record = {
        "key": key, "name": spec.name, "params": params, "settings": _settings_dict(settings),
        "status": solution.status.value, "message": solution.message,
        "assignment": dict(solution.assignment) if solution.status.has_solution else None,
        "winners": dict(solution.winners), "objective": solution.objective,
        "gap": solution.gap, "solver": solution.solver, "time_s": round(elapsed, 3),
        "interrupted": interrupted,
    }
    if record["assignment"] is not None:
        _checked(spec, instance, record["assignment"], "design MILP")
        record["checker_objective"] = evaluate(variant, solution.assignment,
                                               solution.winners).objective
    if not interrupted:  # a design cut short by Ctrl-C is not kept: the rerun designs again
        write_json(path, record)
    return _from_record(spec, record, reused=False)


def _from_record(spec: DesignSpec, record: Mapping[str, Any], reused: bool) -> Candidate:
    assignment = record.get("assignment")
    message = str(record.get("message") or "")
    if not assignment:
        # Proven infeasible is a finding (no design meets the rules), not a failure.
        status = "infeasible" if record.get("status") == "infeasible" else "error"
        return Candidate(spec, None, status,
                         f"the design MILP found no design (status {record.get('status')})"
                         + (f": {message}" if message else ""), "NoDesign",
                         float(record.get("time_s") or 0.0), str(record.get("solver") or ""),
                         reused=reused)
    return Candidate(spec, dict(assignment), str(record.get("status")), message,
                     time_s=float(record.get("time_s") or 0.0),
                     solver=str(record.get("solver") or ""),
                     design_objective=record.get("objective"), design_gap=record.get("gap"),
                     reused=reused)


def _settings_dict(settings: SolverSettings) -> dict[str, Any]:
    return {"backend": settings.backend, "time_limit_s": settings.time_limit_s,
            "mip_gap": settings.mip_gap, "threads": settings.threads, "seed": settings.seed}


def describe(candidate: Candidate, instance: Instance, spec: CompareSpec) -> dict[str, Any]:
    """Figures of a prepared candidate that do not depend on the scenarios: lots, clients per
    lot, districts that change area against today's, the design rules it breaks (client
    bounds, contiguity) and the award on the expected bids. Returns a dict for designs.csv."""
    out: dict[str, Any] = {"lots": candidate.lots}
    if candidate.assignment is None:
        return out
    assignment = dict(candidate.assignment)
    if instance.current_lots:
        out["changed_districts"] = changed_districts(dict(instance.current_lots), assignment)
    clients: dict[str, int] = {}
    for d, lot in assignment.items():
        clients[lot] = clients.get(lot, 0) + instance.clients(d)
    out["lot_clients_min"] = min(clients.values())
    out["lot_clients_max"] = max(clients.values())
    target = award_instance(instance, assignment, candidate.spec.max_lots_per_bidder)
    try:
        expected = award_figures(target, spec.award, spec.solver)
    except Exception as exc:  # noqa: BLE001 - reported in the table
        out["expected_status"] = f"error: {type(exc).__name__}: {exc}"
        return out
    out.update(expected_status=expected["status"], expected_cost=expected["cost"],
               expected_transitions=expected["transitions"],
               expected_objective=expected["objective"],
               expected_winners=winners_text(expected["winners"]))
    if expected["winners"]:
        k = len(clients)
        limit = candidate.spec.max_lots_per_bidder
        rules = replace(instance.rules, lots_min=k, lots_max=k,
                        max_lots_per_bidder=limit if limit is not None
                        else instance.rules.max_lots_per_bidder)
        shape = replace(instance, rules=rules)
        violations = evaluate(shape, assignment, expected["winners"]).messages
        out["design_check"] = "; ".join(violations) if violations else "ok"
    return out
