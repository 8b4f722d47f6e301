"""The one per-lot attribution of a winning combination bid (docs/instance-format.md).

A combination bid prices a set of lots together, won all-or-nothing. Every output that shows
a cost per lot (summary.json, lots.geojson, the reports, the command-line table) and the
independent checker use this rule, so the per-lot figures agree everywhere and add up to the
combination price. Pure: it imports nothing of the solvers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from allocatie.instance import Instance
from allocatie.text import natural_key


@dataclass(frozen=True)
class LotShare:
    """A lot's share of an accepted combination bid: the amount, the combination's id and
    all its lots."""

    amount: float
    combination: str
    lots: tuple[str, ...]


def combination_shares(instance: Instance, combinations: Sequence[str]) -> dict[str, LotShare]:
    """lot -> its share, for every lot of an accepted combination bid (unknown ids skipped).

    Rule: the price of a combination is split over its lots in proportion to the same
    bidder's separate lot bids on them (what it asks for each lot alone); when it has no
    separate positive bid on every lot of the combination, in proportion to the lots'
    clients; equal shares when those are all zero. The shares add up to the combination
    price, so the total cost is unchanged."""
    by_id = {c.id: c for c in instance.combination_bids}
    members: dict[str, list[str]] = defaultdict(list)
    for d, lot in (instance.lots or {}).items():
        members[lot].append(d)
    alone = {(b.bidder, b.lot): b.price for b in instance.lot_bids}
    out: dict[str, LotShare] = {}
    for cid in combinations:
        combo = by_id.get(cid)
        if combo is None:
            continue
        lots = tuple(sorted(combo.lots, key=natural_key))
        weights = [alone.get((combo.bidder, lot)) for lot in lots]
        if any(w is None or w <= 0 for w in weights):
            weights = [sum(instance.clients(d) for d in members.get(lot, ())) for lot in lots]
        total = float(sum(weights))  # type: ignore[arg-type]
        for lot, weight in zip(lots, weights, strict=True):
            amount = combo.price * weight / total if total else combo.price / len(lots)
            out[lot] = LotShare(amount, cid, lots)
    return out
