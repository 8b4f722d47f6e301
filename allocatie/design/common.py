"""Shared pieces of the lot-design methods: a numeric view of an instance and the exact award
of a fixed partition.

:class:`DesignData` turns an :class:`~allocatie.instance.Instance` into numpy arrays indexed by
position: district ``i`` is ``instance.districts[i]``, bidder ``j`` is ``instance.bidders[j]``.
Its cost table is the heart of the design problem: because a district's cost depends only on
which bidder serves it, ::

    cost[i, j] = price(j, i) * clients(i) + transition_cost * (served(i) - incumbent(i, j))

(``inf`` where bidder ``j`` did not bid on district ``i``), and the objective of a design with
lots ``L_1..L_K`` won by ``w_1..w_K`` is ::

    sum_k ( lot_fee(w_k) + sum_{i in L_k} cost[i, w_k] )           (award cost)
    + soft client-bound penalty of every lot + compactness_weight * cut border (km)

which equals :func:`allocatie.checker.evaluate`'s objective.

:func:`award_fixed` finds the optimal winners of a fixed partition (one winner per lot, max lots
per bidder, capacity, min/max distinct winners): an assignment relaxation first, then an exact
depth-first branch and bound, with a MILP fallback for large cases.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy.optimize import linear_sum_assignment

from allocatie.instance import Instance, natural_key
from allocatie.settings import SolverSettings

#: Relative and absolute tolerance when comparing objectives (EUR).
EPS = 1e-9
#: Largest award solved by depth-first search before falling back to a MILP.
DFS_MAX_LOTS = 12
DFS_MAX_BIDDERS = 15
DFS_MAX_NODES = 50_000


def reachable(start: int, inside: set[int], neighbours: Sequence[Sequence[int]]) -> set[int]:
    """The districts of ``inside`` reachable from ``start`` through ``inside``."""
    seen = {start}
    queue = deque([start])
    while queue:
        i = queue.popleft()
        for j in neighbours[i]:
            if j in inside and j not in seen:
                seen.add(j)
                queue.append(j)
    return seen


@dataclass(frozen=True, eq=False)
class DesignData:
    """Positional arrays of an instance for the design methods (build with
    :meth:`from_instance`). Arrays are read-only.

    Attributes (``n`` districts, ``B`` bidders, ``K`` = ``lots_max``):

    - ``clients`` (n,) int: clients per district; ``served`` (n,) int: those with a provider
      today; ``incumbent`` (n, B) int: clients served today by the bidder (same name as a
      provider).
    - ``price`` (n, B): EUR per client per year, ``nan`` where no bid; ``can_serve`` (n, B)
      bool; ``cost`` (n, B): EUR per year including transitions (see the module docstring),
      ``inf`` where no bid.
    - ``lot_fee`` (B,) EUR; ``max_lots`` (B,) int (``lots_max`` when unlimited);
      ``capacity`` (B,) float clients (``inf`` when unlimited).
    - ``contiguous``: False when the contiguity rule is ``none`` (any set is a valid lot);
      ``neighbours``: per district the neighbours that count for contiguity (empty tuples when
      not contiguous). ``border``: per district ``{neighbour: border_m}`` over *all* edges of
      the instance (bridges and point contacts too), as the checker counts the cut border;
      ``edge_a``, ``edge_b``, ``edge_border_m``: the same edges as arrays.
    - ``pinned``: district -> pin label; ``together``: groups of district positions.
    - ``current_lot`` (n,) int: index into ``current_labels`` of today's area, -1 if none.
    """

    instance: Instance
    district_ids: tuple[str, ...]
    bidder_ids: tuple[str, ...]
    clients: np.ndarray
    served: np.ndarray
    incumbent: np.ndarray
    price: np.ndarray
    can_serve: np.ndarray
    cost: np.ndarray
    lot_fee: np.ndarray
    max_lots: np.ndarray
    capacity: np.ndarray
    lots_min: int
    lots_max: int
    transition_cost: float
    lot_clients_min: int | None
    lot_clients_max: int | None
    lot_clients_penalty: float | None
    compactness_weight: float
    min_winners: int | None
    max_winners: int | None
    contiguous: bool
    neighbours: tuple[tuple[int, ...], ...]
    border: tuple[Mapping[int, float], ...]
    edge_a: np.ndarray
    edge_b: np.ndarray
    edge_border_m: np.ndarray
    pinned: Mapping[int, str]
    together: tuple[tuple[int, ...], ...]
    current_lot: np.ndarray
    current_labels: tuple[str, ...]
    max_changed: int | None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_instance(cls, instance: Instance) -> DesignData:
        """Precompute the arrays of ``instance``. Edges, pins and groups naming unknown
        districts are ignored (the instance validation reports them)."""
        ids = instance.district_ids
        bids = instance.bidder_ids
        index = {d: i for i, d in enumerate(ids)}
        bidder_index = {b: j for j, b in enumerate(bids)}
        n, nb = len(ids), len(bids)
        rules = instance.rules

        clients = np.array([d.clients for d in instance.districts], dtype=np.int64)
        served = np.array([d.served for d in instance.districts], dtype=np.int64)
        incumbent = np.zeros((n, nb), dtype=np.int64)
        for i, d in enumerate(instance.districts):
            for provider, count in d.incumbents.items():
                j = bidder_index.get(provider)
                if j is not None:
                    incumbent[i, j] += count
        price = np.full((n, nb), np.nan)
        for (b, d), p in instance.bids.items():
            if b in bidder_index and d in index:
                price[index[d], bidder_index[b]] = float(p)
        can_serve = ~np.isnan(price)
        moving = served[:, None] - incumbent
        with np.errstate(invalid="ignore"):
            cost = np.where(can_serve,
                            np.nan_to_num(price) * clients[:, None]
                            + float(rules.transition_cost) * moving,
                            np.inf)

        lots_max = max(1, int(rules.lots_max))
        max_lots = np.array([instance.max_lots(b) if instance.max_lots(b) is not None
                             else lots_max for b in bids], dtype=np.int64)
        max_lots = np.minimum(max_lots, lots_max)
        capacity = np.array([b.capacity if b.capacity is not None else np.inf
                             for b in instance.bidders], dtype=float)
        lot_fee = np.array([float(b.lot_fee) for b in instance.bidders], dtype=float)

        contiguous = rules.contiguity != "none"
        neighbour_sets: list[set[int]] = [set() for _ in range(n)]
        if contiguous:
            for e in instance.edges_for():
                a, b = index.get(e.a), index.get(e.b)
                if a is not None and b is not None and a != b:
                    neighbour_sets[a].add(b)
                    neighbour_sets[b].add(a)
        border: list[dict[int, float]] = [{} for _ in range(n)]
        ea, eb, ew = [], [], []
        for e in instance.edges:
            a, b = index.get(e.a), index.get(e.b)
            if a is None or b is None or a == b:
                continue
            w = float(e.border_m)
            ea.append(a)
            eb.append(b)
            ew.append(w)
            border[a][b] = border[a].get(b, 0.0) + w
            border[b][a] = border[b].get(a, 0.0) + w

        pinned = {index[d]: str(label) for d, label in rules.pinned.items() if d in index}
        together = tuple(tuple(index[d] for d in g if d in index) for g in rules.together)
        current_labels: tuple[str, ...] = ()
        current_lot = np.full(n, -1, dtype=np.int64)
        if instance.current_lots:
            current_labels = tuple(sorted({str(v) for v in instance.current_lots.values()},
                                          key=natural_key))
            label_index = {lab: k for k, lab in enumerate(current_labels)}
            for d, lab in instance.current_lots.items():
                if d in index:
                    current_lot[index[d]] = label_index[str(lab)]
        max_changed = rules.max_changed_districts if instance.current_lots else None

        def frozen(a: np.ndarray) -> np.ndarray:
            a.setflags(write=False)
            return a

        return cls(
            instance=instance,
            district_ids=ids,
            bidder_ids=bids,
            clients=frozen(clients),
            served=frozen(served),
            incumbent=frozen(incumbent),
            price=frozen(price),
            can_serve=frozen(can_serve),
            cost=frozen(cost),
            lot_fee=frozen(lot_fee),
            max_lots=frozen(max_lots),
            capacity=frozen(capacity),
            lots_min=max(1, int(rules.lots_min)),
            lots_max=lots_max,
            transition_cost=float(rules.transition_cost),
            lot_clients_min=rules.lot_clients_min,
            lot_clients_max=rules.lot_clients_max,
            lot_clients_penalty=(None if rules.lot_clients_penalty is None
                                 else float(rules.lot_clients_penalty)),
            compactness_weight=float(rules.compactness_weight),
            min_winners=rules.min_winners,
            max_winners=rules.max_winners,
            contiguous=contiguous,
            neighbours=tuple(tuple(sorted(s)) for s in neighbour_sets),
            border=tuple(MappingProxyType(b) for b in border),
            edge_a=frozen(np.array(ea, dtype=np.int64)),
            edge_b=frozen(np.array(eb, dtype=np.int64)),
            edge_border_m=frozen(np.array(ew, dtype=float)),
            pinned=MappingProxyType(pinned),
            together=together,
            current_lot=frozen(current_lot),
            current_labels=current_labels,
            max_changed=max_changed,
        )

    # ------------------------------------------------------------------ sizes
    @property
    def n(self) -> int:
        """Number of districts."""
        return len(self.district_ids)

    @property
    def num_bidders(self) -> int:
        return len(self.bidder_ids)

    @property
    def total_clients(self) -> int:
        return int(self.clients.sum())

    @property
    def soft_bounds(self) -> bool:
        """True when client bounds per lot are soft (a penalty per client outside)."""
        return self.lot_clients_penalty is not None

    # ------------------------------------------------------------------ lot figures
    def bound_excess(self, clients: float) -> float:
        """Clients below the minimum plus clients above the maximum of one lot."""
        short = max(0.0, self.lot_clients_min - clients) if self.lot_clients_min is not None \
            else 0.0
        over = max(0.0, clients - self.lot_clients_max) if self.lot_clients_max is not None \
            else 0.0
        return short + over

    def client_penalty(self, clients: float) -> float:
        """EUR of soft client-bound penalty for a lot with ``clients`` (0 with hard bounds)."""
        if self.lot_clients_penalty is None:
            return 0.0
        return self.lot_clients_penalty * self.bound_excess(clients)

    def hard_bound_violation(self, clients: float) -> float:
        """Clients outside hard client bounds (0 with soft or no bounds)."""
        return 0.0 if self.lot_clients_penalty is not None else self.bound_excess(clients)

    def lot_cost_matrix(self, lots: Sequence[Sequence[int]]) -> np.ndarray:
        """(K, B) award cost of each lot for each bidder: ``lot_fee + sum cost``; ``inf`` when
        the bidder misses a bid on one of the lot's districts."""
        out = np.empty((len(lots), self.num_bidders))
        for k, lot in enumerate(lots):
            out[k] = self.cost[list(lot)].sum(axis=0) + self.lot_fee
        return out

    def cut_border_m(self, lot_of: Sequence[int] | np.ndarray) -> float:
        """Metres of border between districts in different lots (all edges, as the checker)."""
        if not len(self.edge_a):
            return 0.0
        lab = np.asarray(lot_of)
        return float(self.edge_border_m[lab[self.edge_a] != lab[self.edge_b]].sum())

    def partition_cost(self, lots: Sequence[Sequence[int]]) -> float:
        """EUR of the partition itself: soft client-bound penalty + compactness cost."""
        total = sum(self.client_penalty(float(self.clients[list(lot)].sum())) for lot in lots)
        if self.compactness_weight:
            total += self.compactness_weight * self.cut_border_m(lot_vector(self.n, lots)) / 1e3
        return total

    def objective(self, lots: Sequence[Sequence[int]], winners: Sequence[int]) -> float:
        """The checker's objective of ``lots`` won by ``winners`` (bidder positions); ``inf``
        when a winner misses a bid. Feasibility is not checked."""
        award = sum(self.lot_fee[w] + self.cost[list(lot), w].sum()
                    for lot, w in zip(lots, winners, strict=True))
        return float(award) + self.partition_cost(lots)

    def is_connected(self, districts: Sequence[int]) -> bool:
        """Whether ``districts`` induce a connected subgraph (always True when the contiguity
        rule is ``none``; an empty set counts as connected)."""
        if not self.contiguous or len(districts) <= 1:
            return True
        members = set(districts)
        return len(reachable(next(iter(members)), members, self.neighbours)) == len(members)

    def to_design(self, lots: Sequence[Sequence[int]],
                  winners: Sequence[int]) -> tuple[dict[str, str], dict[str, str]]:
        """``(assignment, winners)`` keyed by ids, with lots labelled "1".."K" in a stable
        geographic order (by the mean position of their districts in the instance order)."""
        order = sorted(range(len(lots)), key=lambda k: (float(np.mean(lots[k])), min(lots[k])))
        assignment: dict[str, str] = {}
        won: dict[str, str] = {}
        for label, k in enumerate(order, start=1):
            for i in lots[k]:
                assignment[self.district_ids[i]] = str(label)
            won[str(label)] = self.bidder_ids[winners[k]]
        return assignment, won


def lot_vector(n: int, lots: Sequence[Sequence[int]]) -> np.ndarray:
    """(n,) array with the lot index of every district (-1 for districts in no lot)."""
    out = np.full(n, -1, dtype=np.int64)
    for k, lot in enumerate(lots):
        out[list(lot)] = k
    return out


# --------------------------------------------------------------------------- award
def award_fixed(data: DesignData, lots: Sequence[Sequence[int]],
                settings: SolverSettings | None = None) -> tuple[list[int], float] | None:
    """The optimal award of a fixed partition: ``(winners, objective)`` with ``winners[k]`` the
    bidder position winning ``lots[k]`` and ``objective`` the checker's objective of the whole
    design (award cost + soft client penalty + compactness cost); ``None`` when no award obeys
    the bids, max lots per bidder, capacities and min/max distinct winners.

    The partition's own rules (contiguity, hard client bounds, pins, groups, changed
    districts) are not checked here. ``settings`` configures the MILP fallback used for more
    than ``DFS_MAX_LOTS`` lots or ``DFS_MAX_BIDDERS`` bidders (default: HiGHS)."""
    if not lots:
        return None
    cost = data.lot_cost_matrix(lots)
    lot_clients = np.array([int(data.clients[list(lot)].sum()) for lot in lots], dtype=float)
    result = award_matrix(cost, lot_clients, data.max_lots, data.capacity, data.min_winners,
                          data.max_winners, settings)
    if result is None:
        return None
    winners, value = result
    return winners, value + data.partition_cost(lots)


def award_matrix(cost: np.ndarray, lot_clients: np.ndarray, max_lots: np.ndarray,
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
        search = _AwardSearch(masked, lot_clients, slots, capacity, min_winners, max_winners)
        found = search.run()
        if not search.hit_limit:
            return found
    else:
        found = None
    exact = _award_milp(cost, allowed, lot_clients, slots, capacity, min_winners, max_winners,
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
                 max_winners: int | None) -> None:
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
        if self.nodes > DFS_MAX_NODES:
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


def award_milp(data: DesignData, lots: Sequence[Sequence[int]],
               settings: SolverSettings | None = None) -> tuple[list[int], float] | None:
    """The same award as :func:`award_fixed`, always solved as a MILP with
    :mod:`allocatie.milp` (for tests and large cases). Returns ``None`` when infeasible or
    when the solver finds no solution within its limits."""
    cost = data.lot_cost_matrix(lots)
    lot_clients = np.array([int(data.clients[list(lot)].sum()) for lot in lots], dtype=float)
    slots = np.minimum(data.max_lots, len(lots))
    allowed = np.isfinite(cost) & (lot_clients[:, None] <= data.capacity[None, :] + 1e-9)
    result = _award_milp(cost, allowed, lot_clients, slots, data.capacity, data.min_winners,
                         data.max_winners, settings or SolverSettings())
    if result is None:
        return None
    winners, value = result
    return winners, value + data.partition_cost(lots)


def _award_milp(cost: np.ndarray, allowed: np.ndarray, lot_clients: np.ndarray,
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
