"""The one exact award of a fixed partition: who wins each lot at least cost.

One winner per lot (a bidder that bid on the lot), at most ``max_lots[b]`` lots and
``capacity[b]`` clients per bidder, a number of distinct winners within bounds; minimise the
summed lot cost (``inf`` = not allowed). The search: an assignment relaxation first (bidder
``b`` replicated ``max_lots[b]`` times); when its solution breaks a capacity or winner count,
an exact depth-first branch and bound (lots with few options and many clients first,
bidders in cost order, bounded by the assignment relaxation of the lots left), with a MILP
fallback for large cases.

- :func:`best_award` on a (K, B) lot cost matrix: the design methods' award of a partition
  (:func:`allocatie.design.common.award_fixed`);
- :func:`award_matrix` + :func:`solve_exact`: the optimal award of an instance's fixed design
  under per-district prices, proven without a MILP solver (a compare run awards thousands of
  tiny designs, where starting HiGHS costs more than the search); the caller falls back to
  the award MILP on ``status == "limit"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from allocatie.costs import cost_matrix
from allocatie.instance import Instance
from allocatie.settings import SolverSettings

#: Relative and absolute tolerance when comparing objectives (EUR).
EPS = 1e-9
#: Largest award solved by depth-first search before falling back to a MILP.
DFS_MAX_LOTS = 12
DFS_MAX_BIDDERS = 15
DFS_MAX_NODES = 50_000
#: Node limit of :func:`solve_exact`.
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
    """The award data of the instance's fixed design under per-district prices (lot bids
    ignored): ``cost[l, b] = lot_fee(b) + sum_{d in l} cost[d, b]`` of
    :func:`allocatie.costs.cost_matrix`. Raises ValueError when the instance has no fixed
    design."""
    if not instance.lots:
        raise ValueError("the instance has no fixed design (lots) to award")
    lots = instance.lot_ids
    table = cost_matrix(instance)
    bidders = table.bidder_ids
    district_index = {d: k for k, d in enumerate(table.district_ids)}
    lot_index = {lot: i for i, lot in enumerate(lots)}
    member = np.zeros((len(table.district_ids), len(lots)))
    for d, lot in instance.lots.items():
        member[district_index[d], lot_index[lot]] = 1.0
    missing = ((~table.can_serve).astype(float).T @ member).T > 0  # (lots, bidders)
    moved = member.T @ table.switching
    fees = np.array([instance.bidder_by_id[b].lot_fee for b in bidders], dtype=float)
    cost = member.T @ table.purchase + fees[None, :] + table.transition_cost * moved
    cost[missing] = math.inf
    return AwardMatrix(
        lots=lots, bidders=bidders, cost=cost, transitions=np.rint(moved).astype(np.int64),
        lot_clients=tuple(int(c) for c in member.T @ table.clients),
        max_lots=tuple(instance.max_lots(b) for b in bidders),
        capacity=tuple(instance.bidder_by_id[b].capacity for b in bidders),
        min_winners=instance.rules.min_winners, max_winners=instance.rules.max_winners,
    )


def solve_exact(matrix: AwardMatrix, node_limit: int = NODE_LIMIT) -> ExactResult:
    """Solve the award of ``matrix`` to proven optimality by the branch and bound of
    :func:`best_award` (no MILP). ``status == "limit"`` when ``node_limit`` nodes did not
    suffice."""
    k_lots = len(matrix.lots)
    if k_lots == 0:
        return ExactResult("optimal", {}, 0.0, 0)
    cost = np.asarray(matrix.cost, dtype=float)
    lot_clients = np.array(matrix.lot_clients, dtype=float)
    capacity = np.array([math.inf if c is None else float(c) for c in matrix.capacity])
    slots = np.array([k_lots if m is None else min(m, k_lots) for m in matrix.max_lots],
                     dtype=np.int64)
    allowed = np.isfinite(cost) & (lot_clients[:, None] <= capacity[None, :] + 1e-9)
    allowed &= slots[None, :] > 0
    if not allowed.any(axis=1).all():
        return ExactResult("infeasible", None, None, 0)
    search = _AwardSearch(np.where(allowed, cost, np.inf), lot_clients, slots, capacity,
                          matrix.min_winners, matrix.max_winners, node_limit)
    found = search.run()
    if search.hit_limit:
        return ExactResult("limit", None, None, search.nodes)
    if found is None:
        return ExactResult("infeasible", None, None, search.nodes)
    winners, value = found
    return ExactResult("optimal", {matrix.lots[k]: matrix.bidders[b]
                                   for k, b in enumerate(winners)}, value, search.nodes)


def best_award(cost: np.ndarray, lot_clients: np.ndarray, max_lots: np.ndarray,
                 capacity: np.ndarray, min_winners: int | None = None,
                 max_winners: int | None = None,
                 settings: SolverSettings | None = None) -> tuple[list[int], float] | None:
    """Exact award on a (K, B) lot cost matrix (``inf`` = not allowed): ``(winners, total)``
    minimising the summed cost with at most ``max_lots[b]`` lots and ``capacity[b]`` clients
    per bidder and a number of distinct winners within the bounds; ``None`` if infeasible."""
    cost = np.asarray(cost, dtype=float)
    k_lots, n_bidders = cost.shape
    lot_clients = np.asarray(lot_clients, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    slots = np.minimum(np.asarray(max_lots, dtype=np.int64), k_lots)
    allowed = np.isfinite(cost) & (lot_clients[:, None] <= capacity[None, :] + 1e-9)
    allowed &= slots[None, :] > 0
    if not allowed.any(axis=1).all():
        return None
    if max_winners is not None and max_winners < 1:
        return None
    if min_winners is not None and min_winners > min(k_lots, n_bidders):
        return None
    masked = np.where(allowed, cost, np.inf)

    total, winners = _assignment_bound(masked, np.arange(k_lots), slots)
    if winners is None:
        return None
    if _award_ok(winners, lot_clients, capacity, min_winners, max_winners):
        return winners, float(sum(cost[k, winners[k]] for k in range(k_lots)))
    if k_lots <= DFS_MAX_LOTS and n_bidders <= DFS_MAX_BIDDERS:
        search = _AwardSearch(masked, lot_clients, slots, capacity, min_winners, max_winners,
                              DFS_MAX_NODES)
        found = search.run()
        if not search.hit_limit:
            return found
    else:
        found = None
    exact = milp_award(cost, allowed, lot_clients, slots, capacity, min_winners, max_winners,
                        settings or SolverSettings())
    return exact if exact is not None else found


def _award_ok(winners: Sequence[int], lot_clients: np.ndarray, capacity: np.ndarray,
              min_winners: int | None, max_winners: int | None) -> bool:
    used: dict[int, float] = {}
    for k, b in enumerate(winners):
        used[b] = used.get(b, 0.0) + float(lot_clients[k])
    if any(v > capacity[b] + 1e-9 for b, v in used.items()):
        return False
    if min_winners is not None and len(used) < min_winners:
        return False
    return not (max_winners is not None and len(used) > max_winners)


def _assignment_bound(cost: np.ndarray, rows: np.ndarray,
                      slots: np.ndarray) -> tuple[float, list[int] | None]:
    """Lower bound of the award of ``rows`` with bidder ``b`` replicated ``slots[b]`` times
    (capacities and winner counts relaxed): ``(value, winners)`` or ``(inf, None)``."""
    if len(rows) == 0:
        return 0.0, []
    cols = np.repeat(np.arange(cost.shape[1]), slots)
    if len(cols) < len(rows):
        return math.inf, None
    sub = cost[np.ix_(rows, cols)]
    try:
        r, c = linear_sum_assignment(sub)
    except ValueError:  # no finite perfect matching
        return math.inf, None
    value = float(sub[r, c].sum())
    if not math.isfinite(value):
        return math.inf, None
    winners = [0] * len(rows)
    for i, j in zip(r, c, strict=True):
        winners[i] = int(cols[j])
    return value, winners


class _AwardSearch:
    """Depth-first branch and bound over lots (largest first), bidders in cost order, bounded
    by the assignment relaxation of the lots left."""

    def __init__(self, cost: np.ndarray, lot_clients: np.ndarray, slots: np.ndarray,
                 capacity: np.ndarray, min_winners: int | None,
                 max_winners: int | None, node_limit: int = DFS_MAX_NODES) -> None:
        self.cost = cost
        self.clients = lot_clients
        self.k, self.nb = cost.shape
        # Lots with few options and many clients first.
        options = np.isfinite(cost).sum(axis=1)
        self.order = sorted(range(self.k), key=lambda k: (options[k], -lot_clients[k], k))
        self.choices = [[int(b) for b in np.argsort(cost[k], kind="stable")
                         if math.isfinite(cost[k, b])] for k in range(self.k)]
        self.slots = slots.astype(np.int64).copy()
        self.cap = capacity.astype(float).copy()
        self.min_w = min_winners
        self.max_w = max_winners
        self.best = math.inf
        self.best_winners: list[int] | None = None
        self.winners = [-1] * self.k
        self.count = [0] * self.nb
        self.nodes = 0
        self.node_limit = node_limit
        self.hit_limit = False

    def run(self) -> tuple[list[int], float] | None:
        self._dfs(0, 0.0, 0)
        if self.best_winners is None:
            return None
        return list(self.best_winners), float(self.best)

    def _bound(self, depth: int, distinct: int) -> float:
        rows = np.array(self.order[depth:], dtype=np.int64)
        slots = self.slots.copy()
        if self.max_w is not None and distinct >= self.max_w:
            slots[[b for b in range(self.nb) if self.count[b] == 0]] = 0
        cost = self.cost
        too_big = self.clients[rows][:, None] > self.cap[None, :] + 1e-9
        if too_big.any():
            cost = cost.copy()
            sub = cost[rows]
            sub[too_big] = np.inf
            cost[rows] = sub
        value, _ = _assignment_bound(cost, rows, slots)
        return value

    def _dfs(self, depth: int, partial: float, distinct: int) -> None:
        self.nodes += 1
        if self.nodes > self.node_limit:
            self.hit_limit = True
            return
        if depth == self.k:
            if (self.min_w is None or distinct >= self.min_w) and partial < self.best:
                self.best = partial
                self.best_winners = list(self.winners)
            return
        left = self.k - depth
        if self.min_w is not None and distinct + left < self.min_w:
            return
        if partial + self._bound(depth, distinct) >= self.best - EPS * max(1.0, abs(self.best)):
            return
        k = self.order[depth]
        need = float(self.clients[k])
        for b in self.choices[k]:
            if self.slots[b] <= 0 or need > self.cap[b] + 1e-9:
                continue
            new = self.count[b] == 0
            if new and self.max_w is not None and distinct >= self.max_w:
                continue
            self.slots[b] -= 1
            self.cap[b] -= need
            self.count[b] += 1
            self.winners[k] = b
            self._dfs(depth + 1, partial + float(self.cost[k, b]), distinct + int(new))
            self.slots[b] += 1
            self.cap[b] += need
            self.count[b] -= 1
            self.winners[k] = -1
            if self.hit_limit:
                return


def milp_award(cost: np.ndarray, allowed: np.ndarray, lot_clients: np.ndarray,
                slots: np.ndarray, capacity: np.ndarray, min_winners: int | None,
                max_winners: int | None,
                settings: SolverSettings) -> tuple[list[int], float] | None:
    """Award MILP: y[k,b] one winner per lot, slots and capacity per bidder, distinct winners
    counted by v[b]. Costs are scaled to thousands of euros for the solver."""
    from allocatie.milp import Model, solve

    k_lots, n_bidders = cost.shape
    model = Model("award")
    y: dict[tuple[int, int], int] = {}
    for k in range(k_lots):
        for b in range(n_bidders):
            if allowed[k, b]:
                y[k, b] = model.add_binary(cost[k, b] / 1e3)
    for k in range(k_lots):
        model.add_eq([(y[k, b], 1.0) for b in range(n_bidders) if (k, b) in y], 1.0)
    counting = min_winners is not None or max_winners is not None
    v: dict[int, int] = {}
    for b in range(n_bidders):
        terms = [(y[k, b], 1.0) for k in range(k_lots) if (k, b) in y]
        if not terms:
            continue
        model.add_le(terms, float(slots[b]))
        if math.isfinite(capacity[b]):
            model.add_le([(y[k, b], float(lot_clients[k])) for k in range(k_lots)
                          if (k, b) in y], float(capacity[b]))
        if counting:
            v[b] = model.add_binary()
            model.add_le([(v[b], 1.0)] + [(var, -1.0) for var, _ in terms], 0.0)
            for var, _ in terms:
                model.add_le([(var, 1.0), (v[b], -1.0)], 0.0)
    if counting:
        lo = float(min_winners) if min_winners is not None else -math.inf
        hi = float(max_winners) if max_winners is not None else math.inf
        model.add_row([(var, 1.0) for var in v.values()], lo, hi)
    raw = solve(model, settings.with_(mip_gap=0.0) if settings.backend != "cpsat"
                else settings.with_(backend="highs"))
    if raw.values is None:
        return None
    winners = [next(b for b in range(n_bidders) if (k, b) in y and raw.is_one(y[k, b]))
               for k in range(k_lots)]
    return winners, float(sum(cost[k, winners[k]] for k in range(k_lots)))
