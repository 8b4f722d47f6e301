"""The optimal award of a small fixed design, solved exactly without a MILP solver.

For a compare run the award of one design under one scenario is tiny (Emmen: 6 lots x 8
bidders), and building a model and starting HiGHS costs more than the search itself. This
module solves the same problem as the award MILP with ``rule = "optimal"`` and per-district
prices::

    min  sum_l c[l, w(l)]       c[l, b] = lot_fee(b) + sum_{d in l} price(b, d) clients(d)
                                          + transition_cost * transitions(l, b)
    s.t. w(l) bid on every district of l (and showed up)
         |{l : w(l) = b}| <= max_lots(b)
         sum_{l : w(l) = b} clients(l) <= capacity(b)
         min_winners <= |{w(l)}| <= max_winners

by depth-first branch and bound: lots with the fewest eligible bidders first, bidders of a lot
in order of cost (ties by bidder order), pruned by the sum of the cheapest remaining lots.
The result is proven optimal or proven infeasible; when the node limit is reached the caller
falls back to the MILP.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from allocatie.instance import Instance

NODE_LIMIT = 200_000


@dataclass(frozen=True)
class AwardMatrix:
    """The award data of a fixed design: ``cost[l][b]`` (inf = the bidder cannot win the lot),
    clients per lot and the bidders' limits, in ``lots`` x ``bidders`` order."""

    lots: tuple[str, ...]
    bidders: tuple[str, ...]
    cost: np.ndarray
    transitions: np.ndarray
    lot_clients: tuple[int, ...]
    max_lots: tuple[int | None, ...]
    capacity: tuple[int | None, ...]
    min_winners: int | None
    max_winners: int | None

    @property
    def lots_without_bid(self) -> int:
        """Lots that no bidder can win on bids alone (capacity and caps aside)."""
        return int(np.sum(~np.isfinite(self.cost).any(axis=1))) if self.bidders else len(
            self.lots)


@dataclass(frozen=True)
class ExactResult:
    """``status`` is ``optimal``, ``infeasible`` or ``limit`` (node limit reached, no proof);
    ``winners`` maps lot -> bidder when optimal."""

    status: str
    winners: dict[str, str] | None
    objective: float | None
    nodes: int


def award_matrix(instance: Instance) -> AwardMatrix:
    """The cost matrix of the instance's fixed design under per-district prices (lot bids
    ignored), computed with numpy. Raises ValueError when the instance has no fixed design."""
    if not instance.lots:
        raise ValueError("the instance has no fixed design (lots) to award")
    lots = instance.lot_ids
    bidders = instance.bidder_ids
    districts = instance.district_ids
    bidder_index = {b: j for j, b in enumerate(bidders)}
    district_index = {d: k for k, d in enumerate(districts)}
    lot_index = {lot: i for i, lot in enumerate(lots)}
    prices = np.full((len(bidders), len(districts)), np.nan)
    for (b, d), price in instance.bids.items():
        j = bidder_index.get(b)
        if j is not None:
            prices[j, district_index[d]] = price
    clients = np.array([instance.district_by_id[d].clients for d in districts], dtype=float)
    stay = np.zeros((len(districts), len(bidders)))  # clients each bidder serves today
    served = np.zeros(len(districts))
    for k, district in enumerate(instance.districts):
        served[k] = district.served
        for provider, n in district.incumbents.items():
            j = bidder_index.get(provider)
            if j is not None:
                stay[k, j] = n
    member = np.zeros((len(districts), len(lots)))
    for d, lot in instance.lots.items():
        member[district_index[d], lot_index[lot]] = 1.0
    missing = (np.isnan(prices).astype(float) @ member).T > 0  # (lots, bidders)
    moved = member.T @ (served[:, None] - stay)
    fees = np.array([instance.bidder_by_id[b].lot_fee for b in bidders], dtype=float)
    cost = (np.nan_to_num(prices) @ (member * clients[:, None])).T + fees[None, :]
    cost = cost + instance.rules.transition_cost * moved
    cost[missing] = math.inf
    return AwardMatrix(
        lots=lots, bidders=bidders, cost=cost, transitions=np.rint(moved).astype(np.int64),
        lot_clients=tuple(int(c) for c in member.T @ clients),
        max_lots=tuple(instance.max_lots(b) for b in bidders),
        capacity=tuple(instance.bidder_by_id[b].capacity for b in bidders),
        min_winners=instance.rules.min_winners, max_winners=instance.rules.max_winners,
    )


def solve_exact(matrix: AwardMatrix, node_limit: int = NODE_LIMIT) -> ExactResult:
    """Solve the award of ``matrix`` to proven optimality by branch and bound. Returns the
    result; ``status == "limit"`` when ``node_limit`` nodes did not suffice."""
    n_lots, n_bidders = len(matrix.lots), len(matrix.bidders)
    if n_lots == 0:
        return ExactResult("optimal", {}, 0.0, 0)
    cost = matrix.cost
    options: list[list[tuple[float, int]]] = []
    for i in range(n_lots):
        row = [(float(cost[i, j]), j) for j in range(n_bidders) if math.isfinite(cost[i, j])]
        row.sort()
        options.append(row)
    if any(not row for row in options):
        return ExactResult("infeasible", None, None, 0)
    order = sorted(range(n_lots), key=lambda i: (len(options[i]), -_regret(options[i]), i))
    rows = [options[i] for i in order]
    clients = [matrix.lot_clients[i] for i in order]
    # Cheapest completion of lots k.. (a valid lower bound whatever is chosen before).
    tail = [0.0] * (n_lots + 1)
    for k in range(n_lots - 1, -1, -1):
        tail[k] = tail[k + 1] + rows[k][0][0]
    big = n_lots + 1
    lots_left = [m if m is not None else big for m in matrix.max_lots]
    cap_left: list[float] = [c if c is not None else math.inf for c in matrix.capacity]
    won = [0] * n_bidders
    low = matrix.min_winners or 0
    high = matrix.max_winners if matrix.max_winners is not None else n_bidders
    best = [math.inf]
    best_choice: list[int] | None = None
    choice = [0] * n_lots
    nodes = 0
    distinct = 0

    def search(k: int, value: float) -> bool:
        """Returns False when the node limit is hit."""
        nonlocal nodes, best_choice, distinct
        nodes += 1
        if nodes > node_limit:
            return False
        if k == n_lots:
            if distinct >= low and value < best[0] - 1e-9:
                best[0] = value
                best_choice = choice.copy()
            return True
        if distinct + (n_lots - k) < low:
            return True
        need = clients[k]
        for price, j in rows[k]:
            if value + price + tail[k + 1] >= best[0] - 1e-9:
                break  # rows are sorted: no cheaper option follows
            if lots_left[j] == 0 or cap_left[j] < need:
                continue
            new = won[j] == 0
            if new and distinct >= high:
                continue
            lots_left[j] -= 1
            cap_left[j] -= need
            won[j] += 1
            distinct += new
            choice[k] = j
            ok = search(k + 1, value + price)
            distinct -= new
            won[j] -= 1
            cap_left[j] += need
            lots_left[j] += 1
            if not ok:
                return False
        return True

    finished = search(0, 0.0)
    if not finished:
        return ExactResult("limit", None, None, nodes)
    if best_choice is None:
        return ExactResult("infeasible", None, None, nodes)
    winners = {matrix.lots[order[k]]: matrix.bidders[j] for k, j in enumerate(best_choice)}
    return ExactResult("optimal", winners, best[0], nodes)


def _regret(row: Sequence[tuple[float, int]]) -> float:
    return row[1][0] - row[0][0] if len(row) > 1 else math.inf
