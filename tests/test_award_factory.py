"""Small award instances built in code (shared by the tests/test_award_*.py files).

One district per lot (``D<lot>``), so a lot's clients and incumbents are the district's.
Contiguity is off and the lot count rule matches the design, so the checker judges the award
alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import product

from allocatie.checker import evaluate
from allocatie.instance import (
    AwardSettings,
    Bidder,
    CombinationBid,
    District,
    Instance,
    LotBid,
    Rules,
)

BACKENDS = ("highs", "cbc", "cpsat")


def make_instance(
    clients: Mapping[str, int],
    bids: Sequence[tuple],
    bidders: Mapping[str, tuple[int | None, int | None]] | None = None,
    incumbents: Mapping[str, Mapping[str, int]] | None = None,
    combos: Sequence[tuple[str, str, Sequence[str], float]] = (),
    transition_cost: float = 0.0,
    max_lots_per_bidder: int | None = None,
    min_winners: int | None = None,
    max_winners: int | None = None,
    award: AwardSettings | None = None,
) -> Instance:
    """An award instance.

    ``clients``: lot -> clients; ``bids``: (bidder, lot, price[, score[, preference]]);
    ``bidders``: name -> (capacity, max_lots), default unlimited for every bidder that bids;
    ``incumbents``: lot -> {provider: clients served today}; ``combos``: (id, bidder, lots,
    price)."""
    names = list(dict.fromkeys([b[0] for b in bids] + [c[1] for c in combos]
                               + list(bidders or {})))
    table = dict(bidders or {})
    bidder_rows = tuple(Bidder(n, capacity=table.get(n, (None, None))[0],
                               max_lots=table.get(n, (None, None))[1]) for n in names)
    districts = tuple(District(f"D{lot}", n, incumbents=dict((incumbents or {}).get(lot, {})))
                      for lot, n in clients.items())
    lot_bids = tuple(LotBid(b[0], b[1], float(b[2]), *(b[3:5])) for b in bids)
    return Instance(
        name="test", districts=districts, bidders=bidder_rows, bids={}, edges=(),
        rules=Rules(lots_min=len(clients), lots_max=len(clients), contiguity="none",
                    transition_cost=transition_cost, max_lots_per_bidder=max_lots_per_bidder,
                    min_winners=min_winners, max_winners=max_winners),
        lots={f"D{lot}": lot for lot in clients}, lot_bids=lot_bids,
        combination_bids=tuple(CombinationBid(i, b, frozenset(lots), float(p))
                               for i, b, lots, p in combos),
        award=award or AwardSettings())


def brute_force(instance: Instance) -> float | None:
    """The optimal objective by enumerating every way to award the lots (each lot by a lot
    bid of one bidder or by a combination bid), judged by the checker; None = infeasible."""
    lots = list(instance.lot_ids)
    sources: dict[str, list[tuple[str, str]]] = {lot: [] for lot in lots}
    for bid in instance.lot_bids:
        if ("bid", bid.bidder) not in sources[bid.lot]:
            sources[bid.lot].append(("bid", bid.bidder))
    combos = {c.id: c for c in instance.combination_bids}
    for c in instance.combination_bids:
        for lot in c.lots:
            sources[lot].append(("combo", c.id))
    best = None
    assignment = dict(instance.lots)
    for choice in product(*(sources[lot] for lot in lots)):
        picked = dict(zip(lots, choice, strict=True))
        used = {cid for kind, cid in choice if kind == "combo"}
        if any(picked[lot] != ("combo", cid) for cid in used for lot in combos[cid].lots):
            continue
        winners = {lot: (combos[s[1]].bidder if s[0] == "combo" else s[1])
                   for lot, s in picked.items()}
        ev = evaluate(instance, assignment, winners, "lot_bids", tuple(sorted(used)))
        if ev.feasible and (best is None or ev.objective < best):
            best = ev.objective
    return best


def benchmark_instance(lots: int, bidders: int, seed: int) -> Instance:
    """The seeded synthetic award instance of ``benchmarks/bench_award.py`` (loaded from the
    script, which is not a package)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_award.py"
    spec = importlib.util.spec_from_file_location("bench_award", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.synthetic_instance(lots, bidders, seed=seed)
