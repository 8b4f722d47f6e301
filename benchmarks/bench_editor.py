"""Benchmark of the lot editor (``allocatie editor``), server side.

Run as ``python benchmarks/bench_editor.py [--edits 200] [--seed 1] [--complete-runs 5]
[--time-limit 10] [--backend highs|cbc|cpsat] [--skip-edits]``. Prints two tables:

1. Edit to figures: ``--edits`` random boundary edits per instance (Emmen wijken, Emmen
   buurten, Rivierenland buurten), each moving one district on a lot boundary to a
   neighbouring lot (a random walk from today's areas). Every edit is a real
   ``POST /api/evaluate`` to the editor's server on a loopback port, as the page sends it: the
   exact optimal award of the drawn lots, the checker, the panel's figures and the JSON
   answer. Median, p95 and max in ms. The page then asks ``POST /api/binding`` for the rules
   that bind (each rule dropped in turn and the lots awarded again): ``binding_med`` and
   ``binding_p95`` in ms. ``awarded`` counts the drawings that could be awarded (the walk
   also passes drawings the rules make unawardable: their answer is the diagnosis),
   ``checker_ok`` those whose award objective the independent checker recomputed exactly.
2. "Maak af" on Emmen buurten: 4 of the 6 lots of today's areas locked (the first
   ``--complete-runs`` of the 15 choices), the design model draws the other 2 with
   ``--time-limit`` on ``--backend`` (default: the editor's, CP-SAT); seconds to the answer,
   status (``optimal`` = proven) and gap.

Targets (issue 14): p95 <= 150 ms on Emmen buurten, <= 500 ms on Rivierenland buurten;
"Maak af" 4 of 6 locked on Emmen buurten proven optimal within 10 s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from allocatie.editor.app import COMPLETE_BACKEND  # noqa: E402
from allocatie.editor.command import build_session  # noqa: E402
from allocatie.editor.complete import complete  # noqa: E402
from allocatie.editor.server import ThreadedServer  # noqa: E402

INSTANCES = ("emmen-wijken", "emmen-buurten", "rivierenland-buurten")


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def boundary_edit(instance, drawing: dict[str, str], rng: random.Random) -> dict[str, str]:
    """The drawing with one random boundary district moved to a neighbouring lot (never the
    last district of its lot, so the walk keeps every lot)."""
    sizes: dict[str, int] = {}
    for lot in drawing.values():
        sizes[lot] = sizes.get(lot, 0) + 1
    moves = [(d, drawing[n]) for d in instance.district_ids if sizes[drawing[d]] > 1
             for n in instance.neighbours[d] if drawing[n] != drawing[d]]
    district, lot = rng.choice(moves)
    return {**drawing, district: lot}


def edit_to_figures(name: str, edits: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        session = build_session(ROOT / "instances" / name, out=Path(folder) / "out")
        server = ThreadedServer(session).start()
        try:
            url = server.url + "/api/evaluate"
            drawing = dict(session.drawing)
            post(url, {"assignment": drawing})  # warm up
            rng = random.Random(seed)
            times, binding_times, confirmed, awarded = [], [], 0, 0
            for _ in range(edits):
                drawing = boundary_edit(session.instance, drawing, rng)
                started = time.perf_counter()
                answer = post(url, {"assignment": drawing, "binding": False})
                times.append(1000 * (time.perf_counter() - started))
                started = time.perf_counter()
                post(server.url + "/api/binding", {"assignment": drawing})
                binding_times.append(1000 * (time.perf_counter() - started))
                checker = answer.get("checker") or {}
                if answer["award_status"] != "infeasible":
                    awarded += 1
                    confirmed += bool(checker.get("matches_award"))
        finally:
            server.stop()
    return {"instance": name, "districts": len(session.instance.districts),
            "lots": session.instance.rules.lots_max, "edits": edits,
            "median_ms": statistics.median(times), "p95_ms": p95(times),
            "max_ms": max(times), "binding_median_ms": statistics.median(binding_times),
            "binding_p95_ms": p95(binding_times), "awarded": awarded,
            "checker_ok": confirmed}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def complete_runs(runs: int, time_limit: float, backend: str | None) -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        session = build_session(ROOT / "instances" / "emmen-buurten",
                                out=Path(folder) / "out")
    instance, drawing = session.instance, dict(session.drawing)
    rows = []
    for locked in list(itertools.combinations([str(k) for k in range(1, 7)], 4))[:runs]:
        started = time.perf_counter()
        done = complete(instance, drawing, set(locked),
                        instance.solver.with_(time_limit_s=time_limit, backend=backend))
        rows.append({"locked": ",".join(locked), "time_s": time.perf_counter() - started,
                     "status": done.solution.status.value, "objective": done.objective,
                     "gap": done.solution.gap})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--complete-runs", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--backend", choices=("highs", "cbc", "cpsat"),
                        default=COMPLETE_BACKEND,
                        help=f"solver of Maak af (default: the editor's, {COMPLETE_BACKEND})")
    parser.add_argument("--skip-edits", action="store_true", help="only Maak af")
    args = parser.parse_args()

    print("edit to figures (POST /api/evaluate: exact award + checker + panel figures)")
    print(f"{'instance':<22} {'districts':>9} {'lots':>4} {'edits':>5} {'median_ms':>9} "
          f"{'p95_ms':>7} {'max_ms':>7} {'binding_med':>11} {'binding_p95':>11} "
          f"{'awarded':>7} {'checker_ok':>10}")
    for name in () if args.skip_edits else INSTANCES:
        r = edit_to_figures(name, args.edits, args.seed)
        print(f"{r['instance']:<22} {r['districts']:>9} {r['lots']:>4} {r['edits']:>5} "
              f"{r['median_ms']:>9.1f} {r['p95_ms']:>7.1f} {r['max_ms']:>7.1f} "
              f"{r['binding_median_ms']:>11.1f} {r['binding_p95_ms']:>11.1f} "
              f"{r['awarded']:>7} {r['checker_ok']:>10}")
    print()
    print(f"Maak af on emmen-buurten, 4 of 6 lots locked, time limit {args.time_limit:g} s, "
          f"backend {args.backend}")
    print(f"{'locked':<10} {'time_s':>7} {'status':<9} {'objective':>12} {'gap':>8}")
    for r in complete_runs(args.complete_runs, args.time_limit, args.backend):
        gap = "" if r["gap"] is None else f"{100 * r['gap']:.3f}%"
        objective = "" if r["objective"] is None else f"{r['objective']:,.0f}"
        print(f"{r['locked']:<10} {r['time_s']:>7.2f} {r['status']:<9} {objective:>12} "
              f"{gap:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
