"""The static context of the design heuristic: district arrays, units (pinned or kept-together
districts that move as one) and the penalty functions of the rules."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from allocatie.design.common import DesignData, reachable
from allocatie.design.heuristic.hops import HopDistances


# =========================================================================== static context
class Context:
    """Per-instance tables for the search, as Python lists for fast scalar access."""

    def __init__(self, data: DesignData) -> None:
        self.data = data
        n, nb = data.n, data.num_bidders
        self.n, self.nb = n, nb
        self.clients = [int(c) for c in data.clients]
        self.can = data.can_serve.tolist()
        finite = np.where(data.can_serve, data.cost, 0.0)
        self.cf = finite.tolist()
        self.miss = (~data.can_serve).astype(np.int64).tolist()
        self.cf_array = finite
        self.miss_array = (~data.can_serve).astype(np.int64)
        big = float(np.abs(finite).max(initial=0.0)) * 10.0 + 1e6
        self.cost_or_big = np.where(data.can_serve, data.cost, big)
        self.fee = [float(f) for f in data.lot_fee]
        self.cap = [float(c) for c in data.capacity]
        self.max_lots = [int(m) for m in data.max_lots]
        self.contiguous = data.contiguous
        self.nbrs = [list(t) for t in data.neighbours]
        self.border = [list(b.items()) for b in data.border]
        self.cw_m = data.compactness_weight / 1000.0
        self.soft = data.soft_bounds
        self.lo = data.lot_clients_min
        self.hi = data.lot_clients_max
        self.penalty = data.lot_clients_penalty or 0.0
        total = data.total_clients
        self.missing_weight = float(total + 1)
        self.changed_weight = float(total + 1)
        self.track_changed = data.max_changed is not None
        self.current = [int(c) for c in data.current_lot]
        self.n_current_labels = len(data.current_labels)
        self.n_in_current = sum(1 for c in self.current if c >= 0)
        self.tolerance = 1e-9 * (float(np.abs(finite).sum()) + 1.0) + 1e-6
        self.evaluations = 0  # moves evaluated (State.violation_delta calls)
        # Hop distances on the growth graph (contiguity neighbours, or all edges when any set
        # is a lot) and its components.
        graph_nbrs = self.nbrs if self.contiguous else [[e for e, _ in b] for b in self.border]
        rows = [i for i in range(n) for _ in graph_nbrs[i]]
        cols = [j for i in range(n) for j in graph_nbrs[i]]
        matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        self.growth_nbrs = graph_nbrs
        self.hops = HopDistances(matrix)
        self.n_components, comp = connected_components(matrix, directed=False)
        self.component = [int(c) for c in comp]
        if not self.contiguous:
            self.n_components = 1
            self.component = [0] * n
        self.units_ok = self._build_units()

    # -------------------------------------------------------------- units
    def _build_units(self) -> bool:
        """Group districts that must share a lot (groups, same pin label), joining scattered
        groups along shortest paths. False when two pin labels end up in one unit."""
        data = self.data
        n = self.n
        parent = list(range(n))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(i: int, j: int) -> None:
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)

        for group in data.together:
            for d in group[1:]:
                union(group[0], d)
        by_label: dict[str, list[int]] = {}
        for d, label in data.pinned.items():
            by_label.setdefault(label, []).append(d)
        for members in by_label.values():
            for d in members[1:]:
                union(members[0], d)
        self.labels = sorted(by_label)
        label_index = {lab: t for t, lab in enumerate(self.labels)}
        for _ in range(n):  # join scattered units until every unit is connected
            groups: dict[int, list[int]] = {}
            for d in range(n):
                groups.setdefault(find(d), []).append(d)
            if not self.contiguous:
                break
            labels_of: dict[int, set[str]] = {}
            for d, label in data.pinned.items():
                labels_of.setdefault(find(d), set()).add(label)
            changed = False
            for root, members in groups.items():
                if len(members) > 1 and not self._connected(members):
                    path = self._join_path(members, labels_of.get(root, set()),
                                           labels_of, find)
                    if path is None:
                        return False
                    for d in path:
                        union(members[0], d)
                    changed = True
                    break
            if not changed:
                break
        root_index: dict[int, int] = {}
        self.unit_of = [0] * n
        members_of: list[list[int]] = []
        for d in range(n):
            r = find(d)
            if r not in root_index:
                root_index[r] = len(members_of)
                members_of.append([])
            self.unit_of[d] = root_index[r]
            members_of[root_index[r]].append(d)
        self.unit_members = [tuple(m) for m in members_of]
        self.n_units = len(members_of)
        self.unit_label = [-1] * self.n_units
        for d, label in data.pinned.items():
            u = self.unit_of[d]
            t = label_index[label]
            if self.unit_label[u] not in (-1, t):
                return False
            self.unit_label[u] = t
        self.unit_clients = [sum(self.clients[d] for d in m) for m in self.unit_members]
        self.tight_from = self.tight_thresholds()
        cf = np.array(self.cf)
        miss = np.array(self.miss)
        self.ucf = [cf[list(m)].sum(axis=0).tolist() for m in self.unit_members]
        self.umiss = [miss[list(m)].sum(axis=0).tolist() for m in self.unit_members]
        self.ucost_or_big = np.array([self.cost_or_big[list(m)].sum(axis=0)
                                      for m in self.unit_members])
        return True

    def _connected(self, members: Sequence[int]) -> bool:
        inside = set(members)
        return len(reachable(members[0], inside, self.nbrs)) == len(inside)

    def _join_path(self, members: Sequence[int], own: set[str],
                   labels_of: dict[int, set[str]], find: Callable[[int], int],
                   ) -> list[int] | None:
        """Districts that join a scattered unit: a path avoiding units pinned to another
        label; an unpinned unit may take in the units of one label on its way."""
        options = [own] if own else [set()] + [{label} for label in sorted(
            set().union(*labels_of.values()))]
        for allowed in options:
            def blocked(d: int, allowed: set[str] = allowed) -> bool:
                return bool(labels_of.get(find(d), set()) - allowed)

            path = self._connector(members, blocked)
            if path is not None:
                return path
        return None

    def _connector(self, members: Sequence[int],
                   blocked: Callable[[int], bool]) -> list[int] | None:
        """A shortest path joining the component of ``members[0]`` to another part of
        ``members``, avoiding ``blocked`` districts; None when there is none."""
        inside = set(members)
        start = reachable(members[0], inside, self.nbrs)  # its component within the unit
        parent: dict[int, int] = {d: -1 for d in start}
        queue = deque(sorted(start))
        while queue:
            d = queue.popleft()
            for e in self.nbrs[d]:
                if e in parent or (e not in inside and blocked(e)):
                    continue
                parent[e] = d
                if e in inside:
                    path = []
                    while e not in start:
                        path.append(e)
                        e = parent[e]
                    return path
                queue.append(e)
        return None

    # -------------------------------------------------------------- lot figures
    def pen(self, clients: float) -> float:
        if not self.soft:
            return 0.0
        return self.penalty * self.excess(clients)

    def hard(self, clients: float) -> float:
        return 0.0 if self.soft else self.excess(clients)

    def excess(self, clients: float) -> float:
        out = 0.0
        if self.lo is not None and clients < self.lo:
            out += self.lo - clients
        if self.hi is not None and clients > self.hi:
            out += clients - self.hi
        return out

    def tight_thresholds(self) -> list[float]:
        """Per bidder: with fewer clients than this, no move or pair of moves reaches its
        capacity (two units below it)."""
        largest = max(self.unit_clients, default=0)
        return [c - 2 * largest for c in self.cap]

    def over_cap(self, bidder: int, clients: float) -> float:
        return max(0.0, clients - self.cap[bidder])

    def changed_of(self, overlap: np.ndarray) -> int:
        r, c = linear_sum_assignment(overlap, maximize=True)
        return self.n_in_current - int(overlap[r, c].sum())
