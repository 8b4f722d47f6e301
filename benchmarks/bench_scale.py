"""Scale benchmark: time, peak memory and result of every stage of a lot design run.

Run as ``python benchmarks/bench_scale.py [--only voronoi-1000,groningen-buurten]
[--checkpoints 60,300,600] [--separate] [--workdir DIR]``. Prints the machine, the load
average and the date, then one table: per instance and stage the seconds, the peak resident
memory of that stage (MB) and its result.

Instances: Voronoi instances of 500, 1,000 and 2,000 districts (K = 12, 20, 30 lots; 10, 15,
20 bidders; client bounds; hard regime: transition cost EUR 300, 40% mixed incumbents,
+-10% price noise; :func:`allocatie.synthetic.write_synthetic_instance`, seed 1) and the
bundled ``groningen-buurten`` (635 CBS buurten, K = 16, 14 bidders). Each instance runs in a
subprocess of its own, so peaks do not carry over.

Stages:

- ``load`` :func:`allocatie.io.loading.load_instance` (reading, geometry repair, adjacency and
  validation together); ``adjacency`` and ``validate`` are the same steps timed on their own;
- ``heuristic`` :func:`allocatie.design.heuristic.heuristic_design` with the limit the design
  run gives it at the smallest checkpoint; its result column shows when the first design came;
- ``territory build`` the territory MILP (rows, columns);
- ``design T s`` :func:`allocatie.design.design` with ``--time-limit T``: root bound, time of
  the first design from the MILP, objective and gap. By default ONE run at the largest
  checkpoint and the gap at the smaller ones read from its progress trace (what a user who
  stopped it then would have seen); ``--separate`` does one run per checkpoint instead;
- ``report`` :func:`allocatie.io.results.write_results` (summary, maps, rapport.html, xlsx).

Every design is re-checked by :func:`allocatie.checker.evaluate`. Peak memory per stage is
the process's peak resident set (VmHWM) after resetting it through ``/proc/self/clear_refs``
(Linux); the second heuristic search runs in a worker process whose peak is shown apart.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

#: name -> (districts, lots, bidders) of the Voronoi instances
VORONOI = {"voronoi-500": (500, 12, 10), "voronoi-1000": (1000, 20, 15),
           "voronoi-2000": (2000, 30, 20)}
BUNDLED = ("groningen-buurten",)
ALL = (*VORONOI, *BUNDLED)
#: ``--first-design`` only (the heuristic's growth): too large for every stage here
FIRST_DESIGN_ONLY = {"voronoi-4000": (4000, 45, 30)}
SEED = 1


# --------------------------------------------------------------------------- measuring
def _peak_mb() -> float:
    try:
        text = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # else the peak covers the whole process so far
        Path("/proc/self/clear_refs").write_text("5")


@contextmanager
def stage(rows: list[dict], name: str):
    """Time ``name`` and record its peak memory; the body may set ``row["result"]``."""
    _reset_peak()
    row: dict = {"stage": name, "result": ""}
    started = time.perf_counter()
    try:
        yield row
    finally:
        row["seconds"] = time.perf_counter() - started
        row["peak_mb"] = _peak_mb()
        rows.append(row)


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def _pct(gap: float | None) -> str:
    return "-" if gap is None else f"{100 * gap:.2f}%"


def _recorder(trace: list):
    """A progress callback appending (seconds, incumbent, bound) to ``trace``."""
    return lambda p: trace.append((p.elapsed_s, p.incumbent, p.bound))


# --------------------------------------------------------------------------- one instance
def instance_folder(name: str, workdir: Path) -> Path:
    """The folder of ``name``: bundled, or a Voronoi instance written once into ``workdir``."""
    if name in BUNDLED:
        return ROOT / "instances" / name
    from tools.instances.synthetic import write_synthetic_instance

    n, lots, bidders = {**VORONOI, **FIRST_DESIGN_ONLY}[name]
    folder = workdir / f"{name}-s{SEED}"
    if not (folder / "instance.toml").is_file():
        write_synthetic_instance(folder, n, lots, bidders, SEED, layout="voronoi",
                                 regime="hard", fixed_lots=False)
    return folder


def measure_first_design(name: str, workdir: Path) -> dict:
    """``--first-design``: load, then the heuristic's first design alone (its context, the
    first start and its descent: ``max_iterations=1``), with CPU seconds and the number
    of moves evaluated."""
    from allocatie.checker import evaluate, objectives_match
    from allocatie.design.heuristic import heuristic_design
    from allocatie.io.loading import load_instance

    warnings.simplefilter("ignore")
    rows: list[dict] = []
    with stage(rows, "load") as row:
        instance = load_instance(instance_folder(name, workdir))
    with stage(rows, "first design") as row:
        cpu = time.process_time()
        found = heuristic_design(instance, time_limit_s=600.0, seed=0, max_iterations=1,
                                 region_milps=False)
        cpu = time.process_time() - cpu
        if found is None:
            row["result"] = "no design"
        else:
            checked = evaluate(instance, dict(found.assignment), dict(found.winners))
            if not checked.feasible or not objectives_match(found.objective, checked.objective):
                raise SystemExit(f"{name}: the checker rejects the first design")
            row["result"] = (f"{_money(found.objective)}; {found.evaluations:,} moves "
                             f"evaluated; {cpu:.2f} s CPU")
    return {"instance": name, "districts": len(instance.districts), "rows": rows}


def measure(name: str, checkpoints: list[int], separate: bool, workdir: Path) -> dict:
    """All stages of one instance (runs in the child process)."""
    import geopandas as gpd

    import gebieden
    from allocatie.checker import evaluate, objectives_match
    from allocatie.design import design
    from allocatie.design.run import (
        HEURISTIC_CAP_S,
        LARGE_HEURISTIC_SHARE,
        LARGE_INSTANCE,
    )
    from allocatie.design.territory import build_territory_model
    from allocatie.io.loading import load_instance
    from allocatie.io.results import write_results
    from allocatie.validation import check_instance

    warnings.simplefilter("ignore")
    rows: list[dict] = []
    with stage(rows, "generate") as row:
        folder = instance_folder(name, workdir)
        row["result"] = "(not part of a run)"
    with stage(rows, "load") as row:
        instance = load_instance(folder)
        row["result"] = (f"{len(instance.districts)} districts, {len(instance.edges)} edges, "
                         f"{len(instance.bids)} bids")
    gdf = gpd.read_file(folder / "districts.geojson").set_index("id")
    with stage(rows, "  adjacency") as row:
        fixed, _ = gebieden.check_geometry(gdf, repair=True)
        pairs = gebieden.adjacency(fixed, kind="queen")
        row["result"] = f"{len(pairs)} pairs (repair + queen adjacency)"
    with stage(rows, "  validate") as row:
        problems, warned = check_instance(instance)
        row["result"] = f"{len(problems)} problems, {len(warned)} warnings"

    n = len(instance.districts)
    share = LARGE_HEURISTIC_SHARE if n >= LARGE_INSTANCE else 0.1
    limit = min(HEURISTIC_CAP_S, max(0.5, share * min(checkpoints)))
    from allocatie.design.heuristic import heuristic_design

    with stage(rows, "heuristic") as row:
        found = heuristic_design(instance, time_limit_s=limit, seed=0)
        row["result"] = ("no design" if found is None else
                         f"first design {found.first_feasible_s:.1f} s; "
                         f"{_money(found.objective)} at {limit:.0f} s")
    with stage(rows, "territory build") as row:
        tm = build_territory_model(instance)
        row["result"] = f"{tm.model.num_vars:,} columns, {tm.model.num_rows:,} rows"
    del tm

    runs = checkpoints if separate else [max(checkpoints)]
    solution = None
    for limit_s in runs:
        trace: list[tuple[float, float | None, float | None]] = []
        settings = instance.solver.with_(time_limit_s=float(limit_s), seed=0)
        with stage(rows, f"design {limit_s} s") as row:
            solution = design(instance, settings, _recorder(trace))
            details = solution.details or {}
            workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            if solution.status.has_solution:
                result = evaluate(instance, dict(solution.assignment), dict(solution.winners))
                if not result.feasible or not objectives_match(solution.objective,
                                                               result.objective):
                    raise SystemExit(f"{name}: the checker rejects the design at {limit_s} s")
            first = details.get("first_design_s", {})
            milp_first = min((t for source, t in first.items() if source != "heuristic"
                              and "heuristic" not in source), default=None)
            if "relaxed_bound" in details:
                method = (f"relaxed bound {_money(details['relaxed_bound'])} in "
                          f"{details['relaxed_bound_time_s']:.0f} s (territory model skipped)")
            else:
                method = (f"root bound {_money(details.get('root_lp_bound'))} "
                          f"({details.get('cut_rounds', 0)} cut rounds), first MILP design "
                          + ("-" if milp_first is None else f"{milp_first:.0f} s"))
            row["result"] = (
                f"{solution.status.value}, {method}"
                + f"; {_money(solution.objective)}, bound {_money(solution.bound)}, gap "
                f"{_pct(solution.gap)}; worker peak {workers:.0f} MB")
        if not separate:
            for t in sorted(checkpoints)[:-1]:
                seen = [(inc, bd) for at, inc, bd in trace if at <= t]
                incumbents = [inc for inc, _ in seen if inc is not None]
                bounds = [bd for _, bd in seen if bd is not None]
                best = min(incumbents, default=None)
                bound = max(bounds, default=None)
                rows.append({"stage": f"  at {t} s", "seconds": float(t), "peak_mb": None,
                             "result": f"{_money(best)}, bound {_money(bound)}, gap "
                             f"{_pct(_gap(best, bound))} (trace of the run above)"})
    with stage(rows, "report") as row, tempfile.TemporaryDirectory() as tmp:
        write_results(Path(tmp) / "out", instance, solution, command="bench_scale")
        row["result"] = "summary, maps, rapport.html, resultaat.xlsx"
    return {"instance": name, "districts": len(instance.districts), "rows": rows}


# --------------------------------------------------------------------------- table
def machine() -> str:
    from bench_design import machine as describe

    return describe()


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


TABLE_HEAD = "| instance | stage | seconds | peak MB | result |\n| --- | --- | ---: | ---: | --- |"


def print_rows(res: dict) -> None:
    """The table rows of one instance (printed as soon as it is done)."""
    for row in res["rows"]:
        peak = "" if row["peak_mb"] is None else f"{row['peak_mb']:.0f}"
        print(f"| {res['instance']} | {row['stage']} | {row['seconds']:.1f} | {peak} | "
              f"{row['result']} |")
    fixed = sum(r["seconds"] for r in res["rows"] if r["stage"] in ("load", "report"))
    if not any(r["stage"] == "report" for r in res["rows"]):
        return  # --first-design
    print(f"| {res['instance']} | load + validate + adjacency + report | {fixed:.1f} | | |",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(ALL),
                        help=f"comma-separated instances (default: {','.join(ALL)})")
    parser.add_argument("--checkpoints", default="60,300,600",
                        help="design time limits / trace points in seconds")
    parser.add_argument("--separate", action="store_true",
                        help="one design run per checkpoint instead of one traced run")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) /
                        "allocatie-bench-scale", help="where Voronoi instances are written")
    parser.add_argument("--first-design", action="store_true",
                        help="only load and the heuristic's first design (also voronoi-4000)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    checkpoints = sorted({int(c) for c in args.checkpoints.split(",") if c})
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.child:
        print(json.dumps(measure_first_design(args.child, args.workdir) if args.first_design
                         else measure(args.child, checkpoints, args.separate, args.workdir)))
        return 0
    names = [n for n in args.only.split(",") if n]
    unknown = sorted(set(names) - set(ALL) - set(FIRST_DESIGN_ONLY if args.first_design
                                                  else ()))
    if unknown:
        parser.error(f"unknown instance(s) {', '.join(unknown)}; choose from {', '.join(ALL)}")
    print(f"# bench_scale {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}, "
          f"load average at start {load_average()}; checkpoints {checkpoints} s"
          + (" (separate runs)" if args.separate else " (one traced run)"))
    print(TABLE_HEAD, flush=True)
    for name in names:
        command = [sys.executable, __file__, "--child", name, "--checkpoints",
                   ",".join(map(str, checkpoints)), "--workdir", str(args.workdir)]
        if args.separate:
            command.append("--separate")
        if args.first_design:
            command.append("--first-design")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            print(f"{name}: failed (exit {done.returncode})\n{done.stderr[-3000:]}",
                  file=sys.stderr)
            return 1
        print_rows(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"# {name} done, load average {load_average()}", flush=True)
    print(f"# load average at end {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
