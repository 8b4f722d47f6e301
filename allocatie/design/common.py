"""Shared pieces of the lot-design methods: a numeric view of an instance and the exact award
of a fixed partition.

:class:`DesignData` turns an :class:`~allocatie.instance.Instance` into numpy arrays indexed by
position: district ``i`` is ``instance.districts[i]``, bidder ``j`` is ``instance.bidders[j]``.
Its cost table (:func:`allocatie.costs.cost_matrix`) is the heart of the design problem:
``cost[i, j]`` is what giving district ``i`` to bidder ``j`` costs, and the objective of a
design with lots ``L_1..L_K`` won by ``w_1..w_K`` is ::

    sum_k ( lot_fee(w_k) + sum_{i in L_k} cost[i, w_k] )           (award cost)
    + soft client-bound penalty of every lot + compactness_weight * cut border (km)

which equals :func:`allocatie.checker.evaluate`'s objective.

:func:`award_fixed` finds the optimal winners of a fixed partition (one winner per lot, max lots
per bidder, capacity, min/max distinct winners): an assignment relaxation first, then an exact
depth-first branch and bound, with a MILP fallback for large cases.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from allocatie.award.exact import best_award, milp_award
from allocatie.costs import cost_matrix
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.text import natural_key


def reachable(start, inside: set, neighbours: Sequence | Mapping) -> set:
    """The districts of ``inside`` reachable from ``start`` through ``inside`` (positions or
    ids: ``neighbours[d]`` lists the neighbours of ``d``)."""
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
        n = len(ids)
        rules = instance.rules

        table = cost_matrix(instance)
        can_serve = ~np.isnan(table.price)

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
            for d, near in instance.neighbours.items():
                a = index.get(d)
                for e in near:
                    b = index.get(e)
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
            clients=table.clients,
            served=table.served,
            incumbent=table.incumbent,
            price=table.price,
            can_serve=frozen(can_serve),
            cost=table.cost,
            lot_fee=frozen(lot_fee),
            max_lots=frozen(max_lots),
            capacity=frozen(capacity),
            lots_min=max(1, int(rules.lots_min)),
            lots_max=lots_max,
            transition_cost=table.transition_cost,
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

    def objective_parts(self, assignment: Mapping[str, str],
                        winners: Mapping[str, str]) -> dict[str, float]:
        """The terms of the objective of a design given by ids (``design.value.PARTS``):
        lot fees and prices, transitions in EUR, soft client penalty, compactness cost."""
        index = {d: i for i, d in enumerate(self.district_ids)}
        bidder = {b: j for j, b in enumerate(self.bidder_ids)}
        members: dict[str, list[int]] = {}
        for d, lot in assignment.items():
            members.setdefault(lot, []).append(index[d])
        lots = list(members.values())
        cost = switching = 0.0
        for lot, rows in members.items():
            j = bidder[winners[lot]]
            cost += self.lot_fee[j] + float(np.nan_to_num(self.price[rows, j])
                                            @ self.clients[rows])
            switching += float(self.served[rows].sum() - self.incumbent[rows, j].sum())
        penalty = sum(self.client_penalty(float(self.clients[rows].sum())) for rows in lots)
        compactness = (self.compactness_weight * self.cut_border_m(lot_vector(self.n, lots))
                       / 1e3) if self.compactness_weight else 0.0
        return {"cost": float(cost), "transition_cost": self.transition_cost * switching,
                "client_penalty": float(penalty), "compactness_cost": float(compactness)}

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
    than :data:`allocatie.award.exact.DFS_MAX_LOTS` lots or ``DFS_MAX_BIDDERS`` bidders
    (default: HiGHS)."""
    if not lots:
        return None
    cost = data.lot_cost_matrix(lots)
    lot_clients = np.array([int(data.clients[list(lot)].sum()) for lot in lots], dtype=float)
    result = best_award(cost, lot_clients, data.max_lots, data.capacity, data.min_winners,
                        data.max_winners, settings)
    if result is None:
        return None
    winners, value = result
    return winners, value + data.partition_cost(lots)


def award_milp(data: DesignData, lots: Sequence[Sequence[int]],
               settings: SolverSettings | None = None) -> tuple[list[int], float] | None:
    """The same award as :func:`award_fixed`, always solved as a MILP with
    :mod:`allocatie.milp` (for tests and large cases). Returns ``None`` when infeasible or
    when the solver finds no solution within its limits."""
    cost = data.lot_cost_matrix(lots)
    lot_clients = np.array([int(data.clients[list(lot)].sum()) for lot in lots], dtype=float)
    slots = np.minimum(data.max_lots, len(lots))
    allowed = np.isfinite(cost) & (lot_clients[:, None] <= data.capacity[None, :] + 1e-9)
    result = milp_award(cost, allowed, lot_clients, slots, data.capacity, data.min_winners,
                        data.max_winners, settings or SolverSettings())
    if result is None:
        return None
    winners, value = result
    return winners, value + data.partition_cost(lots)
