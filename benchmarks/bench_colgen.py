"""The set-partitioning bound of column generation over connected lots, against time.

Prints the first iteration and every one at which the Lagrangian bound rose (``--all``: every
iteration): seconds, master LP value, best Lagrangian bound so far, its gap to the best
design, and the number of columns. The best design is the heuristic's (seed 0,
20 s: EUR 12,586,644 on Emmen buurten) unless ``--best`` gives one.

Run from the repository root::

    python benchmarks/bench_colgen.py instances/emmen-buurten 300
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from allocatie.budget import Budget  # noqa: E402
from allocatie.design.colgen import colgen_bound  # noqa: E402
from allocatie.design.heuristic import heuristic_design  # noqa: E402
from allocatie.design.value import Design  # noqa: E402
from allocatie.io.loading import load_instance  # noqa: E402


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", type=Path)
    parser.add_argument("seconds", type=float, nargs="?", default=60.0)
    parser.add_argument("--heuristic-s", type=float, default=20.0)
    parser.add_argument("--best", type=float, help="the best design's objective (EUR)")
    parser.add_argument("--all", action="store_true", help="print every iteration")
    args = parser.parse_args(argv)
    instance = load_instance(args.instance)
    started = time.perf_counter()
    found = heuristic_design(instance, time_limit_s=args.heuristic_s, seed=0)
    print(f"heuristic: EUR {found.objective:,.0f} in {time.perf_counter() - started:.1f} s")
    best = args.best if args.best is not None else found.objective
    start = Design(found.assignment, found.winners, found.objective, "heuristic")
    result = colgen_bound(instance, Budget.starting_now(args.seconds), start)
    print(f"{'s':>7} {'master LP':>14} {'Lagrangian':>14} {'gap':>8} {'columns':>8}")
    shown = None
    for k, p in enumerate(result.trace):
        if not args.all and k not in (0, len(result.trace) - 1) and p.bound == shown:
            continue
        shown = p.bound
        bound = "" if p.bound is None else f"{p.bound:,.0f}"
        gap = "" if p.bound is None else f"{100 * (best - p.bound) / best:.3f}%"
        print(f"{p.seconds:7.1f} {p.master:14,.0f} {bound:>14} {gap:>8} {p.columns:8d}")
    print(f"bound {result.bound}, master {result.master}, converged {result.converged}, "
          f"{result.iterations} iterations, {result.exact_rounds} exact pricing rounds, "
          f"best design {best:,.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
