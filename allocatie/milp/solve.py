"""Run a :class:`Model` on HiGHS (highspy), CBC (OR-Tools MPSolver) or CP-SAT (OR-Tools).

Statuses go through :func:`allocatie.status.map_status`; a run stopped at its time limit with
an incumbent is ``feasible`` with its bound, never ``optimal``.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np

from allocatie.milp.model import Model, Progress, ProgressCallback, RawResult
from allocatie.settings import SolverSettings
from allocatie.status import Status, map_status


def solve(model: Model, settings: SolverSettings, progress: ProgressCallback | None = None,
          stop: threading.Event | None = None) -> RawResult:
    """Solve ``model`` with the backend of ``settings``.

    ``progress`` is called with incumbent and bound as the solver reports them; setting
    ``stop`` ends the search early, keeping the best solution found (status ``feasible``).
    """
    empty = _empty_row_conflict(model)
    if empty is not None:
        return RawResult(Status.INFEASIBLE, empty, None, None, None, 0.0, settings.backend)
    runner = {"highs": _solve_highs, "cbc": _solve_cbc, "cpsat": _solve_cpsat}[settings.backend]
    return runner(model, settings, progress, stop)


def _empty_row_conflict(model: Model) -> str | None:
    """A row without variables that 0 cannot meet (e.g. a district nobody bid on) makes the
    model infeasible before any solver runs; some backends report such rows oddly."""
    for index, lo, hi in zip(model.row_index, model.row_lb, model.row_ub, strict=True):
        if not index and (lo > 1e-9 or hi < -1e-9):
            return "empty row cannot be met"
    return None


def _load_highs(h, model: Model, integrality: bool) -> None:
    """Pass the columns (with or without integrality) and all rows of ``model`` to HiGHS."""
    import highspy

    n = model.num_vars
    inf = highspy.kHighsInf
    lb = np.array([max(v, -inf) for v in model.lb], dtype=float)
    ub = np.array([min(v, inf) for v in model.ub], dtype=float)
    h.addVars(n, lb, ub)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(model.cost, dtype=float))
    ints = np.array([i for i, flag in enumerate(model.integer) if flag], dtype=np.int32)
    if integrality and len(ints):
        kinds = np.full(len(ints), highspy.HighsVarType.kInteger)
        h.changeColsIntegrality(len(ints), ints, kinds)
    add_highs_rows(h, model, 0)


def add_highs_rows(h, model: Model, first: int) -> None:
    """Pass rows ``first..`` of ``model`` to the HiGHS object ``h``."""
    import highspy

    count = model.num_rows - first
    if count <= 0:
        return
    inf = highspy.kHighsInf
    rows_index = model.row_index[first:]
    rows_value = model.row_value[first:]
    starts = np.zeros(count, dtype=np.int32)
    lengths = np.array([len(r) for r in rows_index], dtype=np.int32)
    starts[1:] = np.cumsum(lengths)[:-1]
    index = np.fromiter((i for r in rows_index for i in r), dtype=np.int32)
    value = np.fromiter((v for r in rows_value for v in r), dtype=float)
    h.addRows(count, np.maximum(model.row_lb[first:], -inf),
              np.minimum(model.row_ub[first:], inf), len(index), starts, index, value)


class Relaxation:
    """The LP relaxation of a model kept in HiGHS between solves: rows added to the model
    since the last solve are passed on and the LP is re-solved warm (dual simplex), which a
    cutting-plane loop needs to be fast."""

    def __init__(self, model: Model) -> None:
        import highspy

        self.model = model
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        _load_highs(self.h, model, integrality=False)
        self.h.changeObjectiveOffset(model.offset)
        self.rows = model.num_rows

    def solve(self, time_limit_s: float) -> tuple[float, np.ndarray] | None:
        """(objective, values) of the LP, or None when it was not solved to optimality."""
        add_highs_rows(self.h, self.model, self.rows)
        self.rows = self.model.num_rows
        # HiGHS's time limit counts the run time of this object over all its solves.
        self.h.setOptionValue("time_limit",
                              self.h.getRunTime() + max(0.1, float(time_limit_s)))
        self.h.run()
        # Later solves start from this basis: presolve would throw it away.
        self.h.setOptionValue("presolve", "off")
        if self.h.getModelStatus().name != "kOptimal":
            return None
        return self.h.getInfo().objective_function_value, np.array(self.h.getSolution().col_value)


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) and abs(x) < 1e29 else None


# --------------------------------------------------------------------------- HiGHS
def _solve_highs(model: Model, settings: SolverSettings, progress: ProgressCallback | None,
                 stop: threading.Event | None) -> RawResult:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(settings.verbose))
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    h.setOptionValue("mip_rel_gap", max(float(settings.mip_gap), 1e-9))
    h.setOptionValue("mip_abs_gap", 1e-6)
    h.setOptionValue("random_seed", int(settings.seed))
    # No "threads" option: HiGHS keeps one global scheduler per process, and a second solve
    # asking for another thread count fails outright (kNotset). Its MIP search is serial.
    n = model.num_vars
    _load_highs(h, model, integrality=True)
    ints = [i for i, flag in enumerate(model.integer) if flag]
    h.changeObjectiveOffset(model.offset)
    if model.hint and len(model.hint) == n:
        sol = highspy.HighsSolution()
        sol.col_value = [model.hint[i] for i in range(n)]
        h.setSolution(sol)
    started = time.perf_counter()
    if progress is not None:
        def on_improve(event: object) -> None:
            out = event.data_out  # type: ignore[attr-defined]
            progress(Progress(time.perf_counter() - started, _finite(out.mip_primal_bound),
                              _finite(out.mip_dual_bound), "highs"))
        h.cbMipImprovingSolution.subscribe(on_improve)
    if stop is not None:
        def on_interrupt(event: object) -> None:
            if stop.is_set():
                event.interrupt()  # type: ignore[attr-defined]
        h.cbMipInterrupt.subscribe(on_interrupt)
    h.run()
    elapsed = time.perf_counter() - started
    native = h.getModelStatus().name
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.array(h.getSolution().col_value) if has_solution else None
    objective = _finite(info.objective_function_value) if has_solution else None
    is_mip = bool(len(ints))
    bound = _finite(info.mip_dual_bound) if is_mip else objective
    status = map_status("highs", native, has_solution)
    if status is Status.OPTIMAL and objective is not None and bound is None:
        bound = objective
    return RawResult(status, native, values, objective, bound, elapsed, "highs",
                     f"HiGHS {h.version()}")


# --------------------------------------------------------------------------- CBC
def _solve_cbc(model: Model, settings: SolverSettings, progress: ProgressCallback | None,
               stop: threading.Event | None) -> RawResult:
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("CBC")
    if solver is None:  # pragma: no cover - the ortools wheel bundles CBC
        raise RuntimeError("OR-Tools was built without CBC")
    solver.SetTimeLimit(int(settings.time_limit_s * 1000))
    # CBC as bundled in OR-Tools is built without threads: SetNumThreads would only warn.
    if settings.verbose:
        solver.EnableOutput()
    inf = solver.infinity()
    xs = [
        solver.IntVar(_clip(lo, inf), _clip(hi, inf), "") if is_int
        else solver.NumVar(_clip(lo, inf), _clip(hi, inf), "")
        for lo, hi, is_int in zip(model.lb, model.ub, model.integer, strict=True)
    ]
    for idx, val, lo, hi in zip(model.row_index, model.row_value, model.row_lb, model.row_ub,
                                strict=True):
        row = solver.RowConstraint(_clip(lo, inf), _clip(hi, inf), "")
        for i, v in zip(idx, val, strict=True):
            row.SetCoefficient(xs[i], v)
    objective = solver.Objective()
    for x, c in zip(xs, model.cost, strict=True):
        if c:
            objective.SetCoefficient(x, c)
    objective.SetOffset(model.offset)
    objective.SetMinimization()
    if model.hint:
        solver.SetHint([xs[i] for i in model.hint], list(model.hint.values()))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, max(float(settings.mip_gap), 1e-9))
    started = time.perf_counter()
    code = solver.Solve(params)
    elapsed = time.perf_counter() - started
    names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE",
             pywraplp.Solver.INFEASIBLE: "INFEASIBLE", pywraplp.Solver.UNBOUNDED: "UNBOUNDED",
             pywraplp.Solver.ABNORMAL: "ABNORMAL", pywraplp.Solver.NOT_SOLVED: "NOT_SOLVED"}
    native = names.get(code, str(code))
    has_solution = code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
    values = np.array([x.solution_value() for x in xs]) if has_solution else None
    value = solver.Objective().Value() if has_solution else None
    bound = _finite(solver.Objective().BestBound()) if has_solution else None
    status = map_status("cbc", native, has_solution)
    if status is Status.OPTIMAL and value is not None:
        bound = value if bound is None else min(bound, value)
    if progress is not None and has_solution:
        progress(Progress(elapsed, value, bound, "cbc"))
    return RawResult(status, native, values, value, bound, elapsed, "cbc",
                     f"CBC (OR-Tools {_ortools_version()})")


def _clip(value: float, inf: float) -> float:
    return max(-inf, min(inf, value))


# --------------------------------------------------------------------------- CP-SAT
def _solve_cpsat(model: Model, settings: SolverSettings, progress: ProgressCallback | None,
                 stop: threading.Event | None) -> RawResult:
    from ortools.sat.python import cp_model

    building = time.perf_counter()  # building the CP-SAT model in Python counts to the limit
    cp = cp_model.CpModel()
    xs = []
    for i, (lo, hi) in enumerate(zip(model.lb, model.ub, strict=True)):
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"CP-SAT needs finite bounds; variable {model.names[i] or i} has "
                             f"[{lo}, {hi}]")
        if not model.integer[i] and (lo != int(lo) or hi != int(hi)):
            raise ValueError(f"CP-SAT needs integer variables; {model.names[i] or i} is "
                             "continuous with fractional bounds")
        xs.append(cp.new_int_var(int(math.ceil(lo)), int(math.floor(hi)), ""))
    for idx, val, lo, hi in zip(model.row_index, model.row_value, model.row_lb, model.row_ub,
                                strict=True):
        if any(v != int(v) for v in val):
            raise ValueError("CP-SAT needs integer constraint coefficients")
        expr = sum(int(v) * xs[i] for i, v in zip(idx, val, strict=True))
        if lo == hi:
            cp.add(expr == int(round(lo)))
        else:
            if math.isfinite(lo):
                cp.add(expr >= int(math.ceil(lo - 1e-9)))
            if math.isfinite(hi):
                cp.add(expr <= int(math.floor(hi + 1e-9)))
    # CP-SAT rounds a floating objective internally; give it exact integers instead.
    multiplier = _integer_multiplier(model.cost)
    terms = [(x, round(c * multiplier)) for x, c in zip(xs, model.cost, strict=True) if c]
    if terms:  # a model without costs is a pure feasibility question
        cp.minimize(sum(c * x for x, c in terms))

    def in_units(raw_value: float) -> float:
        return raw_value / multiplier + model.offset
    for i, v in model.hint.items():
        cp.add_hint(xs[i], int(round(v)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(
        0.01, float(settings.time_limit_s) - (time.perf_counter() - building))
    solver.parameters.num_workers = int(settings.threads)
    solver.parameters.random_seed = int(settings.seed)
    solver.parameters.relative_gap_limit = float(settings.mip_gap)
    solver.parameters.log_search_progress = bool(settings.verbose)
    started = time.perf_counter()

    class _Watcher(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if progress is not None:
                progress(Progress(time.perf_counter() - started,
                                  in_units(self.objective_value),
                                  in_units(self.best_objective_bound), "cpsat"))
            if stop is not None and stop.is_set():
                self.stop_search()

    watcher = _Watcher()
    stopper = None
    if stop is not None:
        def watch_stop() -> None:
            while not stop.wait(0.2):
                if done.is_set():
                    return
            solver.stop_search()
        done = threading.Event()
        stopper = threading.Thread(target=watch_stop, daemon=True)
        stopper.start()
    code = solver.solve(cp, watcher)
    if stopper is not None:
        done.set()
    elapsed = time.perf_counter() - started
    native = solver.status_name(code)
    has_solution = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    values = np.array([solver.value(x) for x in xs], dtype=float) if has_solution else None
    value = in_units(solver.objective_value) if has_solution else None
    bound = in_units(solver.best_objective_bound) if has_solution else None
    status = map_status("cpsat", native, has_solution)
    return RawResult(status, native, values, value, _finite(bound), elapsed, "cpsat",
                     f"CP-SAT (OR-Tools {_ortools_version()})")


def _integer_multiplier(costs: list[float], most: int = 6) -> int:
    """The smallest power of ten (up to 10**most) that makes every cost a whole number; at
    10**most the costs are rounded (a millionth of the model's money unit)."""
    for digits in range(most + 1):
        multiplier = 10**digits
        if all(abs(c * multiplier - round(c * multiplier)) < 1e-6 for c in costs):
            return multiplier
    return 10**most


def _ortools_version() -> str:
    import ortools

    return ortools.__version__
