"""Benchmark of the joint lot design (draw K contiguous lots and award them).

Run as ``python benchmarks/bench_design.py [--time-limit 60] [--backends highs,cpsat,cbc]
[--methods heuristic,exact,plain] [--seeds 1,2,3] [--sizes 40,80,150] [--only NAME]
[--out results.csv]``. Prints the machine and the date, then one table row per instance and
method/backend: instance, districts, K, bidders, method/backend, status, objective, bound, gap,
seconds.

Methods:

- ``heuristic``: :func:`allocatie.design.heuristic.heuristic_design` with the time limit
  (no backend; it has no bound, its gap is measured against the best bound of the other rows
  of the same instance and marked ``*``);
- ``exact``: :func:`allocatie.design.design` (the territory MILP warm-started by the
  heuristic) on each backend;
- ``plain``: the baseline single-commodity-flow model with anonymous lots
  (:func:`allocatie.design.plain.plain_flow_design`) on each backend; skipped with a note when
  that module is missing.

Instances: the bundled ``emmen-wijken`` (27), ``emmen-buurten`` (83) and
``rivierenland-buurten`` (216), and synthetic Voronoi instances in the HARD regime
(transition cost EUR 300, 40% mixed incumbents, +-10% price noise:
:func:`tools.instances.synthetic.write_synthetic_instance`) of 40, 80 and 150 districts with K = 5,
6, 8 lots and 4, 5, 6 bidders (max 2 lots per bidder), one per seed.

Every objective in the table is recomputed by :func:`allocatie.checker.evaluate`; the script
stops with exit status 1 when a design is infeasible or its reported objective differs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from allocatie.checker import evaluate, objectives_match  # noqa: E402
from allocatie.instance import Instance  # noqa: E402
from allocatie.settings import SolverSettings  # noqa: E402

BUNDLED = ("emmen-wijken", "emmen-buurten", "rivierenland-buurten")
#: districts -> (lots, bidders) of the synthetic instances
SYNTHETIC = {20: (4, 3), 40: (5, 4), 80: (6, 5), 150: (8, 6), 300: (10, 8)}
COLUMNS = ("instance", "districts", "K", "bidders", "method", "status", "objective", "bound",
           "gap", "seconds")


@dataclass
class Row:
    """One benchmark result (objective and bound in EUR, gap relative)."""

    instance: str
    districts: int
    lots: str
    bidders: int
    method: str
    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    gap_from_others: bool = False
    note: str = ""
    first_feasible_s: float | None = None

    def cells(self) -> list[str]:
        gap = "-" if self.gap is None else f"{100 * self.gap:.2f}%" + (
            "*" if self.gap_from_others else "")
        return [self.instance, str(self.districts), self.lots, str(self.bidders), self.method,
                self.status, _money(self.objective), _money(self.bound), gap,
                f"{self.seconds:.1f}"]


class BenchmarkError(RuntimeError):
    """A design failed the independent checker."""


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def machine() -> str:
    """CPU model, core count and platform of this machine."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


# --------------------------------------------------------------------------- instances
def instances(seeds: list[int], sizes: list[int], only: str | None,
              workdir: Path) -> list[tuple[str, Callable[[], Instance]]]:
    """(name, loader) of every benchmark instance, filtered by ``only`` (a substring)."""
    from allocatie.io.loading import load_instance

    found: list[tuple[str, Callable[[], Instance]]] = []
    for name in BUNDLED:
        folder = ROOT / "instances" / name
        # the series measures the spec's objective: no compactness weight (the default
        # instance weighs compactness since session 4, see docs/instance-format.md)
        found.append((name, lambda folder=folder: load_instance(
            folder, {"compactness_weight": 0.0})))
    for n in sizes:
        lots, bidders = SYNTHETIC.get(n, (max(2, n // 20), max(3, n // 25)))
        for seed in seeds:
            name = f"voronoi-{n}-hard-s{seed}"

            def load(n: int = n, lots: int = lots, bidders: int = bidders, seed: int = seed,
                     name: str = name) -> Instance:
                from tools.instances.synthetic import write_synthetic_instance

                folder = write_synthetic_instance(workdir / name, n, lots, bidders, seed,
                                                  layout="voronoi", regime="hard",
                                                  fixed_lots=False)
                return load_instance(folder)

            found.append((name, load))
    if only:
        found = [(name, load) for name, load in found if only in name]
    return found


# --------------------------------------------------------------------------- methods
def check(instance: Instance, assignment: object, winners: object,
          objective: float | None, label: str) -> None:
    """Raise BenchmarkError unless the design is feasible with the reported objective."""
    if objective is None:
        return
    result = evaluate(instance, dict(assignment), dict(winners))  # type: ignore[call-overload]
    if not result.feasible:
        raise BenchmarkError(f"{label}: the design is infeasible: "
                             + "; ".join(result.messages[:5]))
    if not objectives_match(objective, result.objective):
        raise BenchmarkError(f"{label}: reported objective {objective:,.2f} differs from the "
                             f"checker's {result.objective:,.2f}")


def run_heuristic(instance: Instance, time_limit_s: float, seed: int) -> Row:
    from allocatie.design.heuristic import heuristic_design

    started = time.perf_counter()
    found = heuristic_design(instance, time_limit_s=time_limit_s, seed=seed)
    seconds = time.perf_counter() - started
    row = Row(instance.name, len(instance.districts), _lots(instance), len(instance.bidders),
              "heuristic", "no_solution", seconds=seconds)
    if found is not None:
        check(instance, found.assignment, found.winners, found.objective, "heuristic")
        row.status = "feasible"
        row.objective = found.objective
        row.first_feasible_s = found.first_feasible_s
        row.note = f"first feasible {found.first_feasible_s:.2f} s, {found.iterations} iterations"
    return row


def run_solver(method: str, instance: Instance, backend: str, time_limit_s: float,
               seed: int) -> Row:
    settings = SolverSettings(backend=backend, time_limit_s=time_limit_s, seed=seed)
    row = Row(instance.name, len(instance.districts), _lots(instance), len(instance.bidders),
              f"{method}/{backend}", "skipped")
    if method == "exact":
        from allocatie.design import design as solve_design
    else:
        try:
            from allocatie.design.plain import plain_flow_design as solve_design
        except ImportError as error:
            row.note = f"allocatie.design.plain is not available ({error})"
            return row
    started = time.perf_counter()
    try:
        solution = solve_design(instance, settings)
    except (ValueError, TypeError) as error:  # e.g. CP-SAT refusing fractional data
        row.seconds = time.perf_counter() - started
        row.status = "error"
        row.note = f"{type(error).__name__}: {error}"
        return row
    row.seconds = time.perf_counter() - started
    row.status = solution.status.value
    row.bound = solution.bound
    if solution.status.has_solution:
        check(instance, solution.assignment, solution.winners, solution.objective,
              f"{method}/{backend}")
        row.objective = solution.objective
        row.gap = solution.gap
    row.note = solution.message
    return row


def _lots(instance: Instance) -> str:
    lo, hi = instance.rules.lots_min, instance.rules.lots_max
    return str(lo) if lo == hi else f"{lo}-{hi}"


# --------------------------------------------------------------------------- output
def print_table(rows: list[Row]) -> None:
    cells = [list(COLUMNS)] + [r.cells() for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    right = {1, 2, 3, 6, 7, 8, 9}
    for k, line in enumerate(cells):
        print("  ".join(c.rjust(w) if i in right else c.ljust(w)
                        for i, (c, w) in enumerate(zip(line, widths, strict=True))))
        if k == 0:
            print("  ".join("-" * w for w in widths))
    notes = [f"- {r.instance} {r.method}: {r.note}" for r in rows if r.note]
    if any(r.gap_from_others for r in rows):
        notes.insert(0, "* gap against the best bound of the other methods on that instance")
    if notes:
        print()
        print("\n".join(notes))


def write_csv(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(list(COLUMNS) + ["gap_from_other_bounds", "first_feasible_s", "note"])
        for r in rows:
            writer.writerow([r.instance, r.districts, r.lots, r.bidders, r.method, r.status,
                             "" if r.objective is None else f"{r.objective:.2f}",
                             "" if r.bound is None else f"{r.bound:.2f}",
                             "" if r.gap is None else f"{r.gap:.6f}", f"{r.seconds:.2f}",
                             r.gap_from_others,
                             "" if r.first_feasible_s is None else f"{r.first_feasible_s:.3f}",
                             r.note])


def fill_heuristic_gaps(rows: list[Row]) -> None:
    """Gap of the heuristic rows against the best bound of other rows of the instance."""
    for r in rows:
        if r.method != "heuristic" or r.objective is None:
            continue
        bounds = [o.bound for o in rows if o.instance == r.instance and o.bound is not None]
        if bounds:
            best = max(bounds)
            r.gap = max(0.0, (r.objective - best) / max(abs(r.objective), 1e-9))
            r.gap_from_others = True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="seconds per run (heuristic and solvers alike)")
    parser.add_argument("--backends", default="highs", help="comma-separated: highs,cpsat,cbc")
    parser.add_argument("--methods", default="heuristic,exact,plain",
                        help="comma-separated: heuristic,exact,plain")
    parser.add_argument("--seeds", default="1,2,3", help="seeds of the synthetic instances")
    parser.add_argument("--sizes", default="40,80,150",
                        help="districts of the synthetic instances")
    parser.add_argument("--only", help="run only instances whose name contains this")
    parser.add_argument("--out", type=Path, help="also write the rows to this CSV file")
    parser.add_argument("--solver-seed", type=int, default=0, help="seed of every method")
    args = parser.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    backends = [b for b in args.backends.split(",") if b]
    unknown = sorted(set(methods) - {"heuristic", "exact", "plain"})
    if unknown:
        parser.error(f"unknown method(s) {', '.join(unknown)}; expected heuristic,exact,plain")
    seeds = [int(s) for s in args.seeds.split(",") if s]
    sizes = [int(s) for s in args.sizes.split(",") if s]

    print(f"# bench_design {dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"# machine: {machine()}")
    print(f"# time limit {args.time_limit:g} s per run; methods {','.join(methods)}; "
          f"backends {','.join(backends)}")
    print()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench_design_") as tmp:
        for name, load in instances(seeds, sizes, args.only, Path(tmp)):
            instance = load()
            for method in methods:
                if method == "heuristic":
                    row = run_heuristic(instance, args.time_limit, args.solver_seed)
                    row.instance = name
                    rows.append(row)
                    print(f"  {name}: heuristic {_money(row.objective)} "
                          f"({row.seconds:.1f} s)", file=sys.stderr)
                    continue
                for backend in backends:
                    row = run_solver(method, instance, backend, args.time_limit,
                                     args.solver_seed)
                    row.instance = name
                    rows.append(row)
                    print(f"  {name}: {row.method} {row.status} {_money(row.objective)} "
                          f"({row.seconds:.1f} s)", file=sys.stderr)
    fill_heuristic_gaps(rows)
    print_table(rows)
    if args.out:
        write_csv(rows, args.out)
        print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchmarkError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        sys.exit(1)
