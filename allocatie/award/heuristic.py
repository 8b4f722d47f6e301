"""A quick incumbent for the optimal award, used as the solvers' warm start (hint).

1. Regret greedy: lots in decreasing order of regret (second-best minus best value on the
   lot), each to its best bidder that still has room (lot limit and capacity); with a
   ``start`` (e.g. the largest share of each lot in the LP relaxation) that bidder is tried
   first.
2. Local search until no move improves: *shift* a lot to a better bidder with room; *swap*
   two lots between two bidders when both stay within capacity and the total improves;
   *ejection chain*: a lot goes to a cheaper bidder b2 without room, which hands one of its
   lots to a third bidder with room, when the total improves.

Combination bids are left out (not accepting one is always allowed). Returns None when the
greedy gets stuck or the result breaks the minimum or maximum number of winners: the
solver then starts without a hint. Never the answer on its own: the MILP decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from allocatie.award.data import AwardData, Option

MAX_PASSES = 50
EPS = 1e-9


def greedy_award(data: AwardData, options: Sequence[Option],
                 value: Mapping[tuple[str, str], float],
                 start: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """lot -> bidder minimising sum ``value`` heuristically, within the lot limits and
    capacities; None when no award was found. ``start`` (lot -> bidder, e.g. an LP
    rounding) is tried first on each lot, before its best bidder with room."""
    by_lot: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for o in options:
        by_lot[o.lot].append((value[(o.lot, o.bidder)], o.bidder))
    for lot in data.lots:
        if not by_lot[lot]:
            return None
        by_lot[lot].sort()
    limit = {b: data.max_lots(b) for b in data.bidders}
    cap = {b: data.capacity(b) for b in data.bidders}
    n = data.clients
    count: dict[str, int] = defaultdict(int)
    used: dict[str, int] = defaultdict(int)
    held: dict[str, set[str]] = defaultdict(set)
    winner: dict[str, str] = {}

    def room(b: str, extra: int, lots: int = 1) -> bool:
        return (limit[b] is None or count[b] + lots <= limit[b]) and (
            cap[b] is None or used[b] + extra <= cap[b])

    def move(lot: str, b: str) -> None:
        old = winner.get(lot)
        if old is not None:
            count[old] -= 1
            used[old] -= n[lot]
            held[old].discard(lot)
        winner[lot] = b
        count[b] += 1
        used[b] += n[lot]
        held[b].add(lot)

    def regret(lot: str) -> float:
        bids = by_lot[lot]
        return bids[1][0] - bids[0][0] if len(bids) > 1 else float("inf")

    start = start or {}
    for lot in sorted(data.lots, key=lambda x: -regret(x)):
        wanted = start.get(lot)
        first = [] if wanted is None or (lot, wanted) not in value else [(0.0, wanted)]
        best = next((b for _, b in first + by_lot[lot] if room(b, n[lot])), None)
        if best is None:
            return None
        move(lot, best)

    for _ in range(MAX_PASSES):
        improved = False
        for lot in data.lots:  # shift
            current = value[(lot, winner[lot])]
            for v, b in by_lot[lot]:
                if v >= current - EPS:
                    break
                if room(b, n[lot]):
                    move(lot, b)
                    improved = True
                    break
        for l1 in data.lots:  # swap
            b1 = winner[l1]
            v1 = value[(l1, b1)]
            for v2, b2 in by_lot[l1]:
                if v2 >= v1 - EPS:
                    break
                if b2 == b1:
                    continue
                partner = _swap_partner(l1, b1, b2, v1, v2, held, value, used, cap, n)
                if partner is not None:
                    move(l1, b2)
                    move(partner, b1)
                    improved = True
                    break
        for l1 in data.lots:  # ejection chain
            chain = _ejection(l1, winner, by_lot, held, value, room, n)
            if chain is not None:
                (l2, b3), b2 = chain
                move(l2, b3)
                move(l1, b2)
                improved = True
        if not improved:
            break
    rules = data.instance.rules
    distinct = len(set(winner.values()))
    if (rules.min_winners is not None and distinct < rules.min_winners) or (
            rules.max_winners is not None and distinct > rules.max_winners):
        return None
    return winner


def _ejection(l1: str, winner: Mapping[str, str],
              by_lot: Mapping[str, list[tuple[float, str]]], held: Mapping[str, set[str]],
              value: Mapping[tuple[str, str], float], room: Callable[..., bool],
              n: Mapping[str, int]) -> tuple[tuple[str, str], str] | None:
    """The best chain "``l1`` to a cheaper bidder b2, which hands one of its lots l2 to a
    third bidder b3 with room" that lowers the total: ((l2, b3), b2), or None."""
    b1 = winner[l1]
    v1 = value[(l1, b1)]
    best, best_delta = None, -EPS
    for v2, b2 in by_lot[l1]:
        gain = v2 - v1
        if gain >= best_delta:
            break
        if b2 == b1:
            continue
        for l2 in held[b2]:
            if not room(b2, n[l1] - n[l2], 0):
                continue
            v22 = value[(l2, b2)]
            for v3, b3 in by_lot[l2]:
                delta = gain + v3 - v22
                if delta >= best_delta:
                    break
                if b3 in (b1, b2) or not room(b3, n[l2]):
                    continue
                best, best_delta = ((l2, b3), b2), delta
                break
    return best


def _swap_partner(l1: str, b1: str, b2: str, v1: float, v2: float,
                  held: Mapping[str, set[str]], value: Mapping[tuple[str, str], float],
                  used: Mapping[str, int], cap: Mapping[str, int | None],
                  n: Mapping[str, int]) -> str | None:
    """The lot of ``b2`` that ``b1`` best takes in exchange for ``l1`` (None = no gain)."""
    best, best_delta = None, -EPS
    for l2 in held[b2]:
        v21 = value.get((l2, b1))
        if v21 is None:
            continue
        delta = v2 + v21 - v1 - value[(l2, b2)]
        if delta >= best_delta:
            continue
        if cap[b1] is not None and used[b1] - n[l1] + n[l2] > cap[b1]:
            continue
        if cap[b2] is not None and used[b2] - n[l2] + n[l1] > cap[b2]:
            continue
        best, best_delta = l2, delta
    return best
