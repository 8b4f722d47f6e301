"""Benchmark of the optimal award of fixed lots (``allocatie.award``, rule ``optimal``).

Run as ``python benchmarks/bench_award.py [--backends highs,cbc,cpsat] [--seeds 1]
[--time-limit 10] [--mip-gaps 0,0.001] [--sizes 6x8,50x30,500x100]``. Prints one row per
instance, backend and gap tolerance: instance, lots x bidders, backend, mip_gap, status,
time_s (the whole ``award`` call, including the checker), solve_s (the solver alone),
objective, bound, gap, and whether the independent checker recomputes the same objective.

Instances: the bundled Emmen instance (``instances/emmen-wijken``, 6 lots x 8 bidders) when it
loads, else a synthetic 6 x 8; synthetic 50 x 30 and 500 x 100. Synthetic instances (seeded):
one district per lot with U(200, 1,200) clients; every lot bid on by a random ~50% of the
bidders (at least 2); a bidder's price per client U(2,500, 3,500) EUR times U(0.9, 1.1) noise
per lot; today each lot's clients are served 75-90% by one incumbent bidder (a bidder's
incumbent lots are spread at random) and the rest by small providers that do not bid;
transition cost EUR 1,000 per client; max lots per bidder = 2 x lots / bidders (at least 2);
capacities U(1.2, 2.0) x the mean clients a bidder must take (tight: capacities bind).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from allocatie.award import award  # noqa: E402
from allocatie.checker import evaluate, objectives_match  # noqa: E402
from allocatie.instance import (  # noqa: E402
    AwardSettings,
    Bidder,
    District,
    Instance,
    LotBid,
    Rules,
)
from allocatie.settings import SolverSettings  # noqa: E402


def synthetic_instance(lots: int, bidders: int, seed: int = 1, bid_share: float = 0.5,
                       capacity_factor: tuple[float, float] = (1.2, 2.0)) -> Instance:
    """A seeded synthetic award instance (see the module docstring)."""
    rng = random.Random(seed)
    names = [f"B{j:03d}" for j in range(bidders)]
    level = {b: rng.uniform(2500, 3500) for b in names}
    districts, lot_of, bids = [], {}, []
    for i in range(lots):
        lot = str(i + 1)
        clients = rng.randint(200, 1200)
        incumbent = rng.choice(names)
        main = int(clients * rng.uniform(0.75, 0.90))
        served = {incumbent: main, "Overige": int((clients - main) * 0.8)}
        districts.append(District(f"D{i + 1:04d}", clients, incumbents=served))
        lot_of[f"D{i + 1:04d}"] = lot
        chosen = [b for b in names if rng.random() < bid_share]
        while len(chosen) < 2:
            chosen = sorted(set(chosen) | {rng.choice(names)})
        for b in chosen:
            price = round(clients * level[b] * rng.uniform(0.9, 1.1), 2)
            bids.append(LotBid(b, lot, price, score=round(rng.uniform(55, 85), 1),
                               preference=rng.randint(1, 5)))
    total = sum(d.clients for d in districts)
    mean_load = total / bidders
    bidder_rows = tuple(Bidder(b, capacity=int(mean_load * rng.uniform(*capacity_factor)))
                        for b in names)
    return Instance(
        name=f"synthetic {lots}x{bidders} seed {seed}", districts=tuple(districts),
        bidders=bidder_rows, bids={}, edges=(),
        rules=Rules(lots_min=lots, lots_max=lots, contiguity="none", transition_cost=1000.0,
                    max_lots_per_bidder=max(2, (2 * lots) // bidders)),
        lots=lot_of, lot_bids=tuple(bids), award=AwardSettings(lottery_seed=seed))


def emmen_or_synthetic() -> tuple[str, Instance]:
    try:
        from allocatie.io.loading import load_instance

        return "emmen-wijken", load_instance(ROOT / "instances" / "emmen-wijken")
    except Exception as error:  # noqa: BLE001 - fall back to a synthetic instance
        print(f"(emmen-wijken not loaded: {error}; using synthetic 6x8)", file=sys.stderr)
        return "synthetic-6x8", synthetic_instance(6, 8, seed=1)


def run(instance: Instance, label: str, backend: str, time_limit_s: float,
        mip_gap: float = 0.0) -> dict:
    settings = SolverSettings(backend=backend, time_limit_s=time_limit_s, mip_gap=mip_gap)
    started = time.perf_counter()
    solution = award(instance, "optimal", settings, criterion="price")
    wall = time.perf_counter() - started
    ok = None
    if solution.status.has_solution:
        ev = evaluate(instance, solution.assignment, solution.winners, solution.pricing,
                      solution.combinations)
        ok = ev.feasible and objectives_match(solution.objective, ev.objective)
    lots = len(instance.lot_ids)
    bidders = len({b.bidder for b in instance.lot_bids}) or len(instance.bidders)
    optimal = solution.details.get("optimal", {})
    return {"instance": label, "size": f"{lots} x {bidders}", "backend": backend,
            "mip_gap": mip_gap,
            "status": solution.status.value, "time_s": wall,
            "solve_s": sum(s.get("time_s", 0.0) for s in optimal.get("stages", [])),
            "objective": solution.objective, "bound": solution.bound, "gap": solution.gap,
            "checker": ok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="highs,cbc,cpsat")
    parser.add_argument("--sizes", default="6x8,50x30,500x100")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--mip-gaps", default="0",
                        help="comma-separated relative gap tolerances, e.g. 0,0.001")
    args = parser.parse_args(argv)
    rows = []
    for size in args.sizes.split(","):
        lots, bidders = (int(x) for x in size.split("x"))
        for seed in range(1, args.seeds + 1):
            if (lots, bidders) == (6, 8):
                if seed > 1:
                    continue
                label, instance = emmen_or_synthetic()
            else:
                label, instance = f"synthetic-s{seed}", synthetic_instance(lots, bidders, seed)
            for backend in args.backends.split(","):
                for gap in (float(g) for g in args.mip_gaps.split(",")):
                    rows.append(run(instance, label, backend, args.time_limit, gap))
                print(_format_row(rows[-1]), file=sys.stderr, flush=True)
    print()
    print(_table(rows))
    return 0


def _format_row(row: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in row.items())


def _table(rows: list[dict]) -> str:
    head = ["instance", "lots x bidders", "backend", "mip_gap", "status", "time_s", "solve_s",
            "objective", "bound", "gap", "checker"]
    body = []
    for r in rows:
        body.append([
            r["instance"], r["size"], r["backend"], f"{r['mip_gap']:g}", r["status"],
            f"{r['time_s']:.3f}",
            f"{r['solve_s']:.3f}",
            "-" if r["objective"] is None else f"{r['objective']:,.0f}",
            "-" if r["bound"] is None else f"{r['bound']:,.0f}",
            "-" if r["gap"] is None else f"{100 * r['gap']:.4f}%",
            {True: "ok", False: "MISMATCH", None: "-"}[r["checker"]]])
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
              for row in body]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
