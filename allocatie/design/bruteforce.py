"""Brute-force lot design: the test oracle for instances of up to about 9 districts.

Every partition of the districts into K blocks (each K the rules allow) is enumerated; a
partition is kept when every block is connected under the contiguity rule and obeys the hard
client bounds, pins, kept-together groups and the cap on changed districts. For each kept
partition every tuple of winners is enumerated and checked against bids, max lots per bidder,
capacities and min/max distinct winners. The objective is computed from the instance directly
(not through :mod:`allocatie.design.common`), so the oracle is independent of the code it tests.
Simple and slow on purpose: Bell(9) = 21,147 partitions.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

from allocatie.checker import changed_districts
from allocatie.costs import district_costs
from allocatie.design.common import reachable
from allocatie.instance import Instance

#: Refuse instances larger than this (the enumeration would not finish in a test).
MAX_DISTRICTS = 10


def brute_force_design(instance: Instance) -> tuple[float, dict[str, str], dict[str, str]] | None:
    """The optimal design by enumeration: ``(objective, assignment, winners)`` with lots
    labelled "1".."K" (by their first district), or ``None`` when no design is feasible.

    Raises ValueError for more than ``MAX_DISTRICTS`` districts."""
    ids = list(instance.district_ids)
    if len(ids) > MAX_DISTRICTS:
        raise ValueError(f"brute force enumerates partitions of at most {MAX_DISTRICTS} "
                         f"districts, got {len(ids)}; use heuristic_design or the MILP")
    rules = instance.rules
    neighbours = instance.neighbours

    costs = district_costs(instance)
    best: tuple[float, dict[str, str], dict[str, str]] | None = None
    for k in range(max(1, rules.lots_min), min(rules.lots_max, len(ids)) + 1):
        for blocks in set_partitions(ids, k):
            assignment = {d: str(i + 1) for i, block in enumerate(blocks) for d in block}
            if not _partition_ok(instance, blocks, assignment, neighbours):
                continue
            base = _partition_cost(instance, blocks, assignment)
            for winners in itertools.product(instance.bidder_ids, repeat=k):
                if not _award_ok(instance, blocks, winners):
                    continue
                value = base + sum(_lot_cost(instance, costs, block, w)
                                   for block, w in zip(blocks, winners, strict=True))
                if best is None or value < best[0] - 1e-9:
                    won = {str(i + 1): w for i, w in enumerate(winners)}
                    best = (value, assignment, won)
    return best


def set_partitions(items: Sequence[str], k: int) -> Iterator[list[list[str]]]:
    """Every partition of ``items`` into exactly ``k`` non-empty blocks, each block in item
    order and blocks ordered by their first item (restricted growth strings)."""
    n = len(items)
    labels = [0] * n

    def grow(i: int, used: int) -> Iterator[list[list[str]]]:
        if n - i < k - used:
            return
        if i == n:
            if used == k:
                blocks: list[list[str]] = [[] for _ in range(k)]
                for item, lab in zip(items, labels, strict=True):
                    blocks[lab].append(item)
                yield blocks
            return
        for lab in range(min(used + 1, k)):
            labels[i] = lab
            yield from grow(i + 1, max(used, lab + 1))

    if 1 <= k <= n:
        yield from grow(0, 0)


def _connected(block: Sequence[str], neighbours: Mapping[str, Sequence[str]]) -> bool:
    members = set(block)
    return reachable(block[0], members, neighbours) == members


def _partition_ok(instance: Instance, blocks: list[list[str]], assignment: dict[str, str],
                  neighbours: Mapping[str, Sequence[str]]) -> bool:
    rules = instance.rules
    if rules.contiguity != "none" and not all(_connected(b, neighbours) for b in blocks):
        return False
    if rules.lot_clients_penalty is None:
        for block in blocks:
            clients = sum(instance.clients(d) for d in block)
            if rules.lot_clients_min is not None and clients < rules.lot_clients_min:
                return False
            if rules.lot_clients_max is not None and clients > rules.lot_clients_max:
                return False
    lot_of_label: dict[str, str] = {}
    for d, label in rules.pinned.items():
        if lot_of_label.setdefault(label, assignment[d]) != assignment[d]:
            return False
    if len(set(lot_of_label.values())) < len(lot_of_label):
        return False
    if any(len({assignment[d] for d in group}) > 1 for group in rules.together):
        return False
    if instance.current_lots and rules.max_changed_districts is not None:
        return changed_districts(instance.current_lots, assignment) <= \
            rules.max_changed_districts
    return True


def _partition_cost(instance: Instance, blocks: list[list[str]],
                    assignment: dict[str, str]) -> float:
    rules = instance.rules
    total = 0.0
    if rules.lot_clients_penalty is not None:
        for block in blocks:
            clients = sum(instance.clients(d) for d in block)
            if rules.lot_clients_min is not None:
                total += rules.lot_clients_penalty * max(0, rules.lot_clients_min - clients)
            if rules.lot_clients_max is not None:
                total += rules.lot_clients_penalty * max(0, clients - rules.lot_clients_max)
    cut_m = sum(e.border_m for e in instance.edges if assignment[e.a] != assignment[e.b])
    return total + rules.compactness_weight * cut_m / 1000.0


def _award_ok(instance: Instance, blocks: list[list[str]], winners: Sequence[str]) -> bool:
    for block, w in zip(blocks, winners, strict=True):
        if any(instance.price(w, d) is None for d in block):
            return False
    for bidder in set(winners):
        lots = [b for b, w in zip(blocks, winners, strict=True) if w == bidder]
        limit = instance.max_lots(bidder)
        if limit is not None and len(lots) > limit:
            return False
        capacity = instance.bidder_by_id[bidder].capacity
        if capacity is not None and sum(instance.clients(d) for b in lots for d in b) > capacity:
            return False
    rules = instance.rules
    distinct = len(set(winners))
    if rules.min_winners is not None and distinct < rules.min_winners:
        return False
    return rules.max_winners is None or distinct <= rules.max_winners


def _lot_cost(instance: Instance, costs: Mapping[tuple[str, str], float],
              block: Sequence[str], winner: str) -> float:
    return instance.bidder_by_id[winner].lot_fee + sum(costs[(d, winner)] for d in block)
