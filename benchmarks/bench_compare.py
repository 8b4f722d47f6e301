"""Scenario awards per minute of ``allocatie compare`` on Emmen (6 lots x 8 bidders).

Runs one design (today's 6 areas of ``instances/emmen-wijken``) under N scenarios into a fresh
folder, with workers=1 (in this process), workers=2 (process pool) and the Dask LocalCluster
(2 workers), and prints per run:

- ``end-to-end``: tasks / wall time of the whole ``run_compare`` call (reading the instance,
  starting the workers, writing every table and the plot);
- ``steady``: tasks / time from the first to the last finished batch (the rate once the
  workers are up, what a long run sees).

Usage::

    /work/venv/bin/python benchmarks/bench_compare.py [--scenarios 3000] [--method exact|milp]
        [--paths 1,2,dask]

Every figure is checked: the tables of all paths must be equal (timings aside).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from allocatie.compare import run_compare  # noqa: E402
from allocatie.compare.summary import VOLATILE  # noqa: E402

SPEC = """
instance = "{instance}"
[scenarios]
count = {count}
seed = 2026
price_level_sd = 0.08
district_noise_sd = 0.05
no_show_probability = 0.1
capacity_shock_sd = 0.15
[award]
method = "{method}"
[[designs]]
name = "vandaag"
kind = "current"
"""


def bench(spec: Path, out: Path, workers: int, dask: str | None) -> tuple[float, float, object]:
    """Run once; returns (end-to-end rate, steady rate, result) in tasks per minute."""
    stamps: list[tuple[float, int]] = []

    def progress(done: int, total: int, elapsed: float) -> None:
        stamps.append((time.perf_counter(), done))

    started = time.perf_counter()
    result = run_compare(spec, out, workers=workers, dask=dask, progress=progress)
    wall = time.perf_counter() - started
    assert result.complete and result.computed == result.total, result
    steady = float("nan")
    finished = [s for s in stamps if s[1] > 0]
    if len(finished) > 1:
        (t0, n0), (t1, n1) = finished[0], finished[-1]
        steady = (n1 - n0) / (t1 - t0) * 60.0
    return result.total / wall * 60.0, steady, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=3000)
    parser.add_argument("--method", choices=("exact", "milp", "auto"), default="auto")
    parser.add_argument("--paths", default="1,2,dask",
                        help="comma list of: 1 (in-process), 2 (process pool), dask")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.toml"
        spec.write_text(SPEC.format(instance=ROOT / "instances" / "emmen-wijken",
                                    count=args.scenarios, method=args.method), encoding="utf-8")
        print(f"Emmen wijken, today's 6 lots x 8 bidders, {args.scenarios} scenarios, "
              f"award method {args.method}")
        print(f"{'path':<28} {'end-to-end /min':>16} {'steady /min':>12} {'wall s':>8}")
        tables = []
        for path in args.paths.split(","):
            workers, dask = {"1": (1, None), "2": (2, None), "dask": (2, "local")}[path]
            end_to_end, steady, result = bench(spec, Path(tmp) / f"out-{path}", workers, dask)
            print(f"{result.executor:<28} {end_to_end:>16,.0f} {steady:>12,.0f} "
                  f"{result.elapsed_s:>8.1f}", flush=True)
            tables.append(result.scenarios.drop(columns=list(VOLATILE)))
        for other in tables[1:]:
            assert other.equals(tables[0]), "the paths gave different tables"
        print("tables equal across paths: yes")


if __name__ == "__main__":
    main()
