"""A fast heuristic for the joint lot design and award: feasible designs in well under a
second, improving while time remains.

1. **Construction** from several seeded starts per number of lots K: today's areas (when the
   instance has ``current_lots``), seeds spread over the map (farthest point in hops), the
   territories of each district's cheapest bidder, and k-means clusters of the districts' cost
   profiles. Lots grow from their seeds either cost-aware (winners chosen first, each district
   joins the neighbouring lot whose winner serves it at the least regret) or balanced in
   clients (the smallest lot grows next).
2. **Exact award** of the lots (:func:`allocatie.design.common.award_matrix`).
3. **Descent**: boundary moves of single districts (or kept-together units) between adjacent
   lots that keep both lots connected (articulation check by a local breadth-first search),
   re-award, and *chains*: a cheaper move that breaks a rule (client bound, capacity, changed
   cap) mended by a second move out of the receiving lot or into the giving one. Moves are
   compared lexicographically on (violation, objective), so the same search repairs an
   infeasible start (client bounds, capacity, missing bids, changed districts) and improves it.
   A partition that no award makes feasible gets the award of least violation (clients over
   capacity, missing bids), so moves between lots of different winners can lower the excess.
   When no start is feasible, the perturbations below repair the least violating one.
4. **Perturbation** (iterated local search): ruin two or three adjacent lots and grow them
   again from random seeds, merge two lots and split a third, or give a lot to another
   bidder; then descend. Better designs are kept, slightly worse ones (``ACCEPT_WORSE``) may
   become the current design.
5. **Region MILPs** when perturbations stall: the union of two, then three adjacent lots is
   re-partitioned exactly into connected lots that keep their winners and core districts
   (flow formulation via :mod:`allocatie.milp`, warm-started from the current design), the
   most promising regions first; a region already solved in the same state is skipped.

Hard rules are the checker's: contiguity, lot count, bids, max lots per bidder, capacity,
client bounds (hard or soft), min/max distinct winners, pins (one lot per label, different
labels in different lots), kept-together groups and the cap on changed districts. Pinned or
grouped districts move as one *unit*; a group that is not connected is joined along shortest
paths (a restriction only the heuristic makes). Deterministic for a seed when it stops on
``max_iterations`` and no region MILP reaches its time limit.
"""

from __future__ import annotations

import heapq
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, shortest_path

from allocatie.design.common import DesignData, award_matrix, reachable
from allocatie.instance import Instance, natural_key
from allocatie.settings import SolverSettings

#: Regions (unions of lots) with more districts than this are not solved as MILPs.
REGION_MAX_DISTRICTS = 120
#: Time limit of one region MILP (seconds).
REGION_TIME_S = 5.0
#: Perturbations in a row without improvement before the region MILPs polish the best
#: design: STALL_BASE + STALL_PER_LOT x K.
STALL_BASE = 30
STALL_PER_LOT = 10
#: Share of the remaining time one polishing round of region MILPs may use (at least 1 s).
POLISH_SHARE = 0.3
#: Perturbed designs up to this fraction worse than the best become the current design.
ACCEPT_WORSE = 0.002
#: Share of the time limit the construction starts may use (the first start always runs).
START_SHARE = 0.25


@dataclass(frozen=True)
class HeuristicResult:
    """A design found by :func:`heuristic_design`.

    ``assignment`` maps district -> lot ("1".."K"), ``winners`` lot -> bidder, ``objective`` is
    the checker's objective (EUR), ``time_s`` the wall time of the whole run, ``iterations``
    the number of starts, region MILPs and perturbations tried, ``first_feasible_s`` when the
    first feasible design was found, ``history`` every improvement as (seconds, objective)
    and ``gains`` the EUR gained by each kind of move after the first feasible design.
    """

    assignment: Mapping[str, str]
    winners: Mapping[str, str]
    objective: float
    time_s: float
    iterations: int
    first_feasible_s: float = 0.0
    history: tuple[tuple[float, float], ...] = field(default_factory=tuple)
    gains: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("assignment", "winners", "gains"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


def heuristic_design(instance: Instance, time_limit_s: float = 5.0, seed: int = 0,
                     stop: threading.Event | None = None, *,
                     max_iterations: int | None = None, backend: str = "highs",
                     region_milps: bool = True,
                     start: tuple[Mapping[str, str], Mapping[str, str]] | None = None,
                     ) -> HeuristicResult | None:
    """Design and award lots heuristically within about ``time_limit_s`` seconds.

    Returns the best checker-feasible design found, or ``None`` when none was found (the
    instance may be infeasible, e.g. fewer lots allowed than islands). Setting ``stop`` ends
    the search early with the best design so far; ``max_iterations`` caps the work (for
    reproducible runs); ``backend`` (``highs``, ``cpsat`` with costs in whole cents, or
    ``cbc``) solves the region MILPs, which ``region_milps=False`` switches off. If no
    feasible design is known at the time limit the repair goes on up to three times the
    limit. ``start`` (assignment, winners) skips the construction: the search improves that
    design (the design pipeline's second search continues from the first one's best)."""
    started = time.perf_counter()
    data = DesignData.from_instance(instance)
    search = _Search(data, seed, started, time_limit_s, stop, max_iterations, backend,
                     region_milps)
    best = search.run(start)
    if best is None:
        return None
    lots = best.lot_lists()
    assignment, winners = data.to_design(lots, best.winner)
    return HeuristicResult(
        assignment=assignment,
        winners=winners,
        objective=data.objective(lots, best.winner),
        time_s=time.perf_counter() - started,
        iterations=search.iterations,
        first_feasible_s=search.first_feasible_s or 0.0,
        history=tuple(search.history),
        gains=search.gains,
    )


# =========================================================================== static context
class _Context:
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
        # Hop distances on the growth graph (contiguity neighbours, or all edges when any set
        # is a lot) and its components.
        graph_nbrs = self.nbrs if self.contiguous else [[e for e, _ in b] for b in self.border]
        rows = [i for i in range(n) for _ in graph_nbrs[i]]
        cols = [j for i in range(n) for j in graph_nbrs[i]]
        matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        self.growth_nbrs = graph_nbrs
        dist = shortest_path(matrix, method="D", unweighted=True, directed=False)
        dist[~np.isfinite(dist)] = 4 * n + 4
        self.dist = dist
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
        return self.penalty * self._excess(clients)

    def hard(self, clients: float) -> float:
        return 0.0 if self.soft else self._excess(clients)

    def _excess(self, clients: float) -> float:
        out = 0.0
        if self.lo is not None and clients < self.lo:
            out += self.lo - clients
        if self.hi is not None and clients > self.hi:
            out += clients - self.hi
        return out

    def over_cap(self, bidder: int, clients: float) -> float:
        return max(0.0, clients - self.cap[bidder])

    def changed_of(self, overlap: np.ndarray) -> int:
        r, c = linear_sum_assignment(overlap, maximize=True)
        return self.n_in_current - int(overlap[r, c].sum())


# =========================================================================== a design
class _Design:
    """A partition (``lot_of``) with winners and incrementally kept figures."""

    def __init__(self, ctx: _Context, lot_of: Sequence[int], winner: Sequence[int]) -> None:
        self.ctx = ctx
        self.lot_of = list(lot_of)
        self.winner = list(winner)
        self.k = len(self.winner)
        self.refresh()

    def copy(self) -> _Design:
        return _Design(self.ctx, self.lot_of, self.winner)

    def refresh(self) -> None:
        """Recompute every kept figure from ``lot_of`` and ``winner``."""
        ctx = self.ctx
        k = self.k
        self.members: list[set[int]] = [set() for _ in range(k)]
        self.lot_clients = [0] * k
        for d, lot in enumerate(self.lot_of):
            self.members[lot].add(d)
            self.lot_clients[lot] += ctx.clients[d]
        self.bidder_clients = [0] * ctx.nb
        self.bidder_lots = [0] * ctx.nb
        for lot, w in enumerate(self.winner):
            self.bidder_clients[w] += self.lot_clients[lot]
            self.bidder_lots[w] += 1
        self.lot_label = [-1] * k
        for u, t in enumerate(ctx.unit_label):
            if t >= 0:
                self.lot_label[self.lot_of[ctx.unit_members[u][0]]] = t
        self.award_cost = sum(ctx.fee[w] for w in self.winner) + sum(
            ctx.cf[d][self.winner[lot]] for d, lot in enumerate(self.lot_of))
        self.missing = sum(ctx.miss[d][self.winner[lot]] for d, lot in enumerate(self.lot_of))
        self.cut_m = sum(w for d in range(ctx.n) for e, w in ctx.border[d]
                         if e > d and self.lot_of[e] != self.lot_of[d])
        if ctx.track_changed:
            self.overlap = np.zeros((k, max(1, ctx.n_current_labels)), dtype=np.int64)
            for d, lot in enumerate(self.lot_of):
                if ctx.current[d] >= 0:
                    self.overlap[lot, ctx.current[d]] += 1
            self.changed = ctx.changed_of(self.overlap)

    # -------------------------------------------------------------- figures
    def objective(self) -> float:
        ctx = self.ctx
        return (self.award_cost + sum(ctx.pen(c) for c in self.lot_clients)
                + ctx.cw_m * self.cut_m)

    def violation(self) -> float:
        ctx = self.ctx
        v = sum(ctx.hard(c) for c in self.lot_clients)
        v += sum(ctx.over_cap(b, c) for b, c in enumerate(self.bidder_clients))
        v += ctx.missing_weight * self.missing
        if ctx.track_changed:
            v += ctx.changed_weight * max(0, self.changed - ctx.data.max_changed)
        return v

    def key(self) -> tuple[float, float]:
        return self.violation(), self.objective()

    def feasible(self) -> bool:
        return self.violation() <= 1e-9

    def lot_lists(self) -> list[list[int]]:
        return [sorted(m) for m in self.members]

    def better_than(self, other: _Design) -> bool:
        return _better(self.key(), other.key(), self.ctx.tolerance)

    # -------------------------------------------------------------- moves
    def delta(self, u: int, a: int, b: int) -> tuple[float, float]:
        """(violation change, objective change) of moving unit ``u`` from lot a to lot b."""
        ctx = self.ctx
        wa, wb = self.winner[a], self.winner[b]
        s = ctx.unit_clients[u]
        la, lb = self.lot_clients[a], self.lot_clients[b]
        dobj = ctx.ucf[u][wb] - ctx.ucf[u][wa]
        dviol = ctx.missing_weight * (ctx.umiss[u][wb] - ctx.umiss[u][wa])
        if ctx.soft:
            dobj += ctx.pen(la - s) + ctx.pen(lb + s) - ctx.pen(la) - ctx.pen(lb)
        elif ctx.lo is not None or ctx.hi is not None:
            dviol += ctx.hard(la - s) + ctx.hard(lb + s) - ctx.hard(la) - ctx.hard(lb)
        if wa != wb:
            ca, cb = self.bidder_clients[wa], self.bidder_clients[wb]
            dviol += (ctx.over_cap(wa, ca - s) + ctx.over_cap(wb, cb + s)
                      - ctx.over_cap(wa, ca) - ctx.over_cap(wb, cb))
        if ctx.cw_m:
            members = ctx.unit_members[u]
            dcut = 0.0
            lot_of = self.lot_of
            for d in members:
                for e, w in ctx.border[d]:
                    le = lot_of[e]
                    if le == a:
                        if ctx.unit_of[e] != u:
                            dcut += w
                    elif le == b:
                        dcut -= w
            dobj += ctx.cw_m * dcut
        if ctx.track_changed:
            before = max(0, self.changed - ctx.data.max_changed)
            after = max(0, self._changed_after(u, a, b) - ctx.data.max_changed)
            dviol += ctx.changed_weight * (after - before)
        return dviol, dobj

    def _changed_after(self, u: int, a: int, b: int) -> int:
        ctx = self.ctx
        cur = [ctx.current[d] for d in ctx.unit_members[u] if ctx.current[d] >= 0]
        if not cur:
            return self.changed
        for c in cur:
            self.overlap[a, c] -= 1
            self.overlap[b, c] += 1
        value = ctx.changed_of(self.overlap)
        for c in cur:
            self.overlap[a, c] += 1
            self.overlap[b, c] -= 1
        return value

    def removable(self, a: int, members: Sequence[int]) -> bool:
        """Whether lot ``a`` stays non-empty and connected without ``members``."""
        ctx = self.ctx
        lot = self.members[a]
        if len(lot) <= len(members):
            return False
        if not ctx.contiguous:
            return True
        out = set(members)
        lot_of = self.lot_of
        targets = {e for d in members for e in ctx.nbrs[d] if lot_of[e] == a and e not in out}
        if len(targets) <= 1:
            return True
        # Local check first: the targets connected among themselves.
        seen = reachable(next(iter(targets)), set(targets), ctx.nbrs)
        if len(seen) == len(targets):
            return True
        # Breadth-first search in the rest of the lot until every target is reached.
        found = len(seen)
        queue = deque(seen)
        while queue:
            d = queue.popleft()
            for e in ctx.nbrs[d]:
                if lot_of[e] == a and e not in seen and e not in out:
                    seen.add(e)
                    if e in targets:
                        found += 1
                        if found == len(targets):
                            return True
                    queue.append(e)
        return False

    def move(self, u: int, a: int, b: int) -> None:
        """Move unit ``u`` from lot a to lot b, updating the kept figures."""
        ctx = self.ctx
        wa, wb = self.winner[a], self.winner[b]
        members = ctx.unit_members[u]
        s = ctx.unit_clients[u]
        for d in members:
            for e, w in ctx.border[d]:
                le = self.lot_of[e]
                if le == a:
                    if ctx.unit_of[e] != u:
                        self.cut_m += w
                elif le == b:
                    self.cut_m -= w
        for d in members:
            self.lot_of[d] = b
            self.members[a].discard(d)
            self.members[b].add(d)
            if ctx.track_changed and ctx.current[d] >= 0:
                self.overlap[a, ctx.current[d]] -= 1
                self.overlap[b, ctx.current[d]] += 1
        self.lot_clients[a] -= s
        self.lot_clients[b] += s
        self.bidder_clients[wa] -= s
        self.bidder_clients[wb] += s
        self.award_cost += ctx.ucf[u][wb] - ctx.ucf[u][wa]
        self.missing += ctx.umiss[u][wb] - ctx.umiss[u][wa]
        t = ctx.unit_label[u]
        if t >= 0:
            self.lot_label[a] = -1
            self.lot_label[b] = t
        if ctx.track_changed:
            self.changed = ctx.changed_of(self.overlap)

    def set_winners(self, winners: Sequence[int]) -> None:
        self.winner = list(winners)
        self.refresh()


def _better(key: tuple[float, float], other: tuple[float, float], tol: float) -> bool:
    """Lexicographic (violation, objective) comparison with tolerances."""
    if key[0] < other[0] - 1e-9:
        return True
    if key[0] > other[0] + 1e-9:
        return False
    return key[1] < other[1] - tol


# =========================================================================== the search
class _Search:
    def __init__(self, data: DesignData, seed: int, started: float, time_limit_s: float,
                 stop: threading.Event | None, max_iterations: int | None, backend: str,
                 region_milps: bool) -> None:
        self.data = data
        self.seed = seed
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.started = started
        self.deadline = started + time_limit_s
        self.hard_deadline = started + 3 * time_limit_s
        self.time_limit_s = time_limit_s
        self.stop = stop
        self.max_iterations = max_iterations
        self.backend = backend
        self.region_milps = region_milps
        self.iterations = 0
        self.best: _Design | None = None
        self.least: _Design | None = None  # the least violating design while none is feasible
        self.first_feasible_s: float | None = None
        self.history: list[tuple[float, float]] = []
        self.clean: set[tuple] = set()
        self.gains: dict[str, float] = {}
        self.perturbations_fail = False

    # -------------------------------------------------------------- budget
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def out_of_time(self) -> bool:
        if self.stop is not None and self.stop.is_set():
            return True
        now = time.perf_counter()
        if self.best is None:
            return now >= self.hard_deadline
        return now >= self.deadline

    def out_of_iterations(self) -> bool:
        return self.max_iterations is not None and self.iterations >= self.max_iterations

    def done(self) -> bool:
        return self.out_of_time() or self.out_of_iterations()

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.perf_counter())

    def offer(self, des: _Design, source: str) -> bool:
        """Keep ``des`` (a copy) if it is feasible and better than the best so far; the gain
        is credited to ``source`` (the kind of move that found it)."""
        if not des.feasible():
            return False
        if self.best is not None and not des.better_than(self.best):
            return False
        value = des.objective()
        if self.best is not None:
            gain = self.best.objective() - value
            self.gains[source] = self.gains.get(source, 0.0) + gain
        self.best = des.copy()
        if self.first_feasible_s is None:
            self.first_feasible_s = self.elapsed()
        self.history.append((self.elapsed(), value))
        return True

    # -------------------------------------------------------------- main loop
    def run(self, start: tuple[Mapping[str, str], Mapping[str, str]] | None = None,
            ) -> _Design | None:
        data = self.data
        self.ctx = ctx = _Context(data)
        if not ctx.units_ok or data.n == 0 or data.num_bidders == 0:
            return None
        n_labels = len(ctx.labels)
        k_low = max(data.lots_min, n_labels, ctx.n_components, 1)
        k_high = min(data.lots_max, ctx.n_units, int(np.sum(data.max_lots)))
        if data.max_winners is not None:
            k_high = min(k_high, int(np.sort(data.max_lots)[::-1][:data.max_winners].sum()))
        ks = list(range(k_low, k_high + 1))
        if not ks:
            return None
        self.k_low, self.k_high = k_low, k_high
        given = self._given_design(*start) if start is not None else None
        if given is not None:
            self.descend(given)
            self.offer(given, "given start")
            self.least = given
        else:
            self.construct_all(ks)
        if self.best is None and self.least is not None:  # repair: perturb the least violating
            self.perturb_loop(self.least.copy(), STALL_BASE)
        if self.best is None:
            return None
        self.improve()
        return self.best

    def _given_design(self, assignment: Mapping[str, str], winners: Mapping[str, str],
                      ) -> _Design | None:
        """A design given as labels, in this search's terms (None if it does not fit)."""
        data = self.data
        labels = sorted(set(assignment.values()), key=natural_key)
        index = {label: i for i, label in enumerate(labels)}
        bidder = {b: i for i, b in enumerate(data.bidder_ids)}
        try:
            lot_of = [index[assignment[d]] for d in data.district_ids]
            winner = [bidder[winners[label]] for label in labels]
        except KeyError:
            return None
        return _Design(self.ctx, lot_of, winner)

    def construct_all(self, ks: list[int]) -> None:
        """Run the construction starts: every strategy for the first K values, then more
        spread-seed starts until a quarter of the time is used."""
        strategies = ["current", "spread-cost", "territory", "spread-balanced", "profile"]
        if not self.ctx.data.current_labels:
            strategies.remove("current")
        results: dict[int, float] = {}
        budget = self.started + START_SHARE * self.time_limit_s
        first = True
        for k in ks:  # one quick start per K first
            des = self.construct(k, strategies[0])
            self.iterations += 1
            if des is not None:
                results[k] = des.objective() if des.feasible() else math.inf
            if self.done() or (not first and time.perf_counter() > budget and self.best):
                break
            first = False
        ranked = sorted(ks, key=lambda k: results.get(k, math.inf))[:2]
        for name in strategies[1:] + ["spread-cost", "spread-balanced"] * 4:
            for k in ranked:
                if self.done() or (time.perf_counter() > budget and self.best is not None):
                    return
                self.construct(k, name)
                self.iterations += 1

    def construct(self, k: int, strategy: str) -> _Design | None:
        """One start: seeds and growth, award, local search. Returns the design reached."""
        ctx = self.ctx
        made = self._build(k, strategy)
        if made is None:
            return None
        lot_of, winners = made
        if winners is None:
            winners = self._penalised_award(lot_of, k)
            if winners is None:
                return None
        des = _Design(ctx, lot_of, winners)
        self.descend(des)
        self.offer(des, f"start {strategy}")
        if self.best is None and (self.least is None or des.better_than(self.least)):
            self.least = des
        return des

    def descend(self, des: _Design) -> None:
        """Local search, re-award and chains of two moves until none improves."""
        for _ in range(50):
            self.local_search(des)
            if self.out_of_time():
                break
            if self.reaward(des):
                continue
            if not self.chain_search(des):
                break

    # -------------------------------------------------------------- construction
    def _build(self, k: int, strategy: str) -> tuple[list[int], list[int] | None] | None:
        """``(lot_of, winners or None)`` of one start, or None when it cannot be built."""
        if strategy == "current":
            direct = self._current_partition(k)
            if direct is not None:
                return direct, None
            return self._grow_with(self._current_seeds(k), k)
        if strategy == "territory":
            seeds, fixed = self._territory_seeds(k)
            if seeds is None:
                return None
            winners = self._seed_winners(seeds, fixed)
            if winners is None:
                return None
            lot_of = self._grow(seeds, winners)
            return (lot_of, winners) if lot_of is not None else None
        if strategy == "profile":
            return self._grow_with(self._profile_seeds(k), k)
        seeds = self._spread_seeds(k, ())
        if seeds is None:
            return None
        if strategy == "spread-balanced":
            lot_of = self._grow(seeds, None)
            return (lot_of, None) if lot_of is not None else None
        return self._grow_with(seeds, k)

    def _grow_with(self, seeds: list[int] | None,
                   k: int) -> tuple[list[int], list[int] | None] | None:
        """Cost-aware growth from ``seeds`` (completed with pinned units) with the winners
        of their hop-Voronoi cells."""
        if seeds is None:
            return None
        seeds = self._with_labels(seeds, k)
        if seeds is None:
            return None
        winners = self._seed_winners(seeds, {})
        if winners is None:
            return None
        lot_of = self._grow(seeds, winners)
        return (lot_of, winners) if lot_of is not None else None

    def _split_seeds(self, des, c: int) -> tuple[int, int] | None:
        """Two units of lot ``c`` to regrow it from: a labelled (pinned) unit if there is one,
        else a random one, and the unit farthest from it; None when the lot has one unit."""
        ctx = self.ctx
        units = sorted({ctx.unit_of[d] for d in des.members[c]})
        if len(units) < 2:
            return None
        labelled = [u for u in units if ctx.unit_label[u] >= 0]
        first = labelled[0] if labelled else self.rng.choice(units)
        far = max(units, key=lambda u: (ctx.dist[self._rep(first), self._rep(u)],
                                        self.rng.random()))
        return first, far

    def _rep(self, u: int) -> int:
        return self.ctx.unit_members[u][0]

    def _label_units(self) -> list[int]:
        ctx = self.ctx
        return [u for u in range(ctx.n_units) if ctx.unit_label[u] >= 0]

    def _spread_seeds(self, k: int, fixed: Sequence[int]) -> list[int] | None:
        """``k`` seed units by farthest-point sampling in hops, starting from ``fixed`` and
        the pinned units, with at least one seed in every component."""
        ctx = self.ctx
        seeds: list[int] = list(dict.fromkeys(list(fixed) + self._label_units()))
        covered = {ctx.component[self._rep(u)] for u in seeds}
        for c in range(ctx.n_components):
            if c not in covered:
                pool = [u for u in range(ctx.n_units) if ctx.component[self._rep(u)] == c]
                seeds.append(self.rng.choice(pool))
        if len(seeds) > k:
            return None
        if not seeds:
            seeds.append(self.rng.randrange(ctx.n_units))
        reps = np.array([self._rep(u) for u in range(ctx.n_units)])
        mind = ctx.dist[np.ix_([self._rep(u) for u in seeds], reps)].min(axis=0)
        while len(seeds) < k:
            far = float(mind.max())
            cands = [int(u) for u in np.flatnonzero(mind >= far - 1e-9) if u not in seeds]
            if not cands:
                cands = [u for u in range(ctx.n_units) if u not in seeds]
            u = self.rng.choice(cands)
            seeds.append(u)
            mind = np.minimum(mind, ctx.dist[self._rep(u), reps])
        return seeds

    def _with_labels(self, seeds: list[int], k: int) -> list[int] | None:
        """Make every pinned unit a seed (replacing the nearest unpinned seed) and every
        component hold one; returns ``k`` seeds or None."""
        ctx = self.ctx
        seeds = list(dict.fromkeys(seeds))[:k]
        labelled = [u for u in self._label_units() if u not in seeds]
        for u in labelled:
            free = [i for i, s in enumerate(seeds) if ctx.unit_label[s] < 0]
            if len(seeds) < k:
                seeds.append(u)
            elif free:
                i = min(free, key=lambda i: ctx.dist[self._rep(seeds[i]), self._rep(u)])
                seeds[i] = u
            else:
                return None
        if len(seeds) < k:
            more = self._spread_seeds(k, seeds)
            return more
        covered = {ctx.component[self._rep(u)] for u in seeds}
        if len(covered) < ctx.n_components:
            return self._spread_seeds(k, [u for u in seeds if ctx.unit_label[u] >= 0])
        return seeds

    def _current_partition(self, k: int) -> list[int] | None:
        """Today's areas as lots, when there are ``k`` of them and they fit the rules."""
        ctx = self.ctx
        if ctx.n_current_labels != k or any(c < 0 for c in ctx.current):
            return None
        lot_of = list(ctx.current)
        for members in ctx.unit_members:
            if len({lot_of[d] for d in members}) > 1:
                return None
        lots: list[list[int]] = [[] for _ in range(k)]
        for d, lot in enumerate(lot_of):
            lots[lot].append(d)
        if any(not lot or not self.data.is_connected(lot) for lot in lots):
            return None
        labels = [-1] * k
        for u, t in enumerate(ctx.unit_label):
            if t >= 0:
                lot = lot_of[self._rep(u)]
                if labels[lot] >= 0:
                    return None
                labels[lot] = t
        return lot_of

    def _current_seeds(self, k: int) -> list[int] | None:
        """The most central unit of each of today's areas (largest areas first)."""
        ctx = self.ctx
        areas: dict[int, list[int]] = {}
        for d, c in enumerate(ctx.current):
            if c >= 0:
                areas.setdefault(c, []).append(d)
        order = sorted(areas, key=lambda c: -sum(ctx.clients[d] for d in areas[c]))
        seeds = []
        for c in order[:k]:
            members = areas[c]
            sub = ctx.dist[np.ix_(members, members)]
            centre = members[int(np.argmin(sub.max(axis=1)))]
            seeds.append(ctx.unit_of[centre])
        return self._spread_seeds(k, list(dict.fromkeys(seeds)))

    def _territory_seeds(self, k: int) -> tuple[list[int] | None, dict[int, int]]:
        """Seeds in the largest connected territories of each district's cheapest bidder;
        returns the seeds and {seed position: its bidder}."""
        ctx = self.ctx
        best = np.argmin(ctx.ucost_or_big, axis=1)
        seen = [False] * ctx.n_units
        comps: list[tuple[float, int, list[int]]] = []
        for u0 in range(ctx.n_units):
            if seen[u0]:
                continue
            b = int(best[u0])
            comp = [u0]
            seen[u0] = True
            queue = deque([u0])
            while queue:
                u = queue.popleft()
                for d in ctx.unit_members[u]:
                    for e in ctx.growth_nbrs[d]:
                        v = ctx.unit_of[e]
                        if not seen[v] and best[v] == b:
                            seen[v] = True
                            comp.append(v)
                            queue.append(v)
            size = sum(ctx.unit_clients[u] for u in comp)
            comps.append((-size, b, comp))
        comps.sort(key=lambda t: (t[0], t[1], t[2][0]))
        count = [0] * ctx.nb
        seeds: list[int] = []
        fixed: dict[int, int] = {}
        max_w = self.data.max_winners
        for _, b, comp in comps:
            if len(seeds) >= k - len(self._label_units()):
                break
            if count[b] >= ctx.max_lots[b]:
                continue
            if max_w is not None and count[b] == 0 and sum(1 for c in count if c) >= max_w:
                continue
            reps = [self._rep(u) for u in comp]
            sub = ctx.dist[np.ix_(reps, reps)]
            centre = comp[int(np.argmin(sub.max(axis=1)))]
            fixed[len(seeds)] = b
            seeds.append(centre)
            count[b] += 1
        full = self._with_labels(self._spread_seeds(k, seeds) or seeds, k)
        if full is None:
            return None, {}
        kept = {i: b for i, b in fixed.items() if i < len(full) and full[i] == seeds[i]}
        return full, kept

    def _profile_seeds(self, k: int) -> list[int] | None:
        """Seeds at the most interior unit of k-means clusters of per-client cost profiles."""
        ctx = self.ctx
        prof = ctx.ucost_or_big - ctx.ucost_or_big.min(axis=1, keepdims=True)
        prof = prof / np.maximum(np.array(ctx.unit_clients, dtype=float), 1.0)[:, None]
        scale = float(prof.std()) or 1.0
        prof = prof / scale
        labels = _kmeans(prof, k, self.np_rng)
        seeds = []
        for c in range(k):
            members = [u for u in range(ctx.n_units) if labels[u] == c]
            if not members:
                continue
            inside = set(members)

            def interior(u: int, inside: set[int] = inside) -> int:
                return sum(1 for d in ctx.unit_members[u] for e in ctx.growth_nbrs[d]
                           if ctx.unit_of[e] in inside)

            seeds.append(max(members, key=lambda u: (interior(u), -u)))
        return self._spread_seeds(k, seeds[:k])

    def _seed_winners(self, seeds: list[int], fixed: Mapping[int, int]) -> list[int] | None:
        """Winners for lots grown from ``seeds``: the award of their hop-Voronoi cells with
        missing bids priced high and capacities ignored; ``fixed`` pins some lots' winners."""
        ctx = self.ctx
        reps = [self._rep(u) for u in seeds]
        owner = np.argmin(ctx.dist[reps], axis=0)
        for k, u in enumerate(seeds):
            for d in ctx.unit_members[u]:
                owner[d] = k
        cost = np.zeros((len(seeds), ctx.nb))
        np.add.at(cost, owner, ctx.cost_or_big)
        cost += np.array(ctx.fee)[None, :]
        for k, b in fixed.items():
            keep = cost[k, b]
            cost[k, :] = np.inf
            cost[k, b] = keep
        clients = np.bincount(owner, weights=ctx.clients, minlength=len(seeds))
        result = award_matrix(cost, clients, self.data.max_lots,
                              np.full(ctx.nb, np.inf), self.data.min_winners,
                              self.data.max_winners)
        if result is None and fixed:
            return self._seed_winners(seeds, {})
        return result[0] if result is not None else None

    def _grow(self, seeds: list[int], winners: list[int] | None) -> list[int] | None:
        """Grow connected lots 0..k-1 from seed units: cost-aware with ``winners``, else
        balanced. Returns ``lot_of`` or None when some unit cannot be reached."""
        if winners is not None:
            return self._grow_into([-1] * self.ctx.n, dict(enumerate(seeds)), winners)
        return self._grow_balanced(seeds)

    def _grow_balanced(self, seeds: list[int]) -> list[int] | None:
        """Grow lots from seed units, always the lot with fewest clients next, taking its
        nearest free neighbour (hops from its seed)."""
        ctx = self.ctx
        k = len(seeds)
        lot_of = [-1] * ctx.n
        unit_lot = [-1] * ctx.n_units
        lot_clients = [0] * k
        reps = [self._rep(u) for u in seeds]
        tiebreak = [self.rng.random() for _ in range(ctx.n_units)]
        fronts: list[list[tuple[float, float, int]]] = [[] for _ in range(k)]
        left = ctx.n_units

        def assign(u: int, lot: int) -> None:
            nonlocal left
            self._place(u, lot, unit_lot, lot_of, lot_clients)
            left -= 1
            for v in self._adjacent_units(u):
                if unit_lot[v] < 0 and ctx.unit_label[v] < 0:
                    heapq.heappush(fronts[lot], (ctx.dist[reps[lot], self._rep(v)],
                                                 tiebreak[v], v))

        for lot, u in enumerate(seeds):
            assign(u, lot)
        while left:
            grew = False
            for lot in sorted(range(k), key=lambda j: (lot_clients[j], j)):
                front = fronts[lot]
                while front and unit_lot[front[0][2]] >= 0:
                    heapq.heappop(front)
                if front:
                    assign(heapq.heappop(front)[2], lot)
                    grew = True
                    break
            if not grew:
                break
        if left and not ctx.contiguous:
            for u in range(ctx.n_units):
                if unit_lot[u] < 0 and ctx.unit_label[u] < 0:
                    assign(u, min(range(k), key=lambda j: (lot_clients[j], j)))
        return lot_of if left == 0 else None

    def _place(self, u: int, lot: int, unit_lot: list[int], lot_of: list[int],
               lot_clients: list[int]) -> None:
        """Put unit ``u`` (all its districts and clients) in ``lot`` while lots grow."""
        unit_lot[u] = lot
        for d in self.ctx.unit_members[u]:
            lot_of[d] = lot
        lot_clients[lot] += self.ctx.unit_clients[u]

    def _adjacent_units(self, u: int) -> list[int]:
        ctx = self.ctx
        return [ctx.unit_of[e] for d in ctx.unit_members[u] for e in ctx.growth_nbrs[d]]

    def _grow_into(self, base: Sequence[int], seeds: Mapping[int, int],
                   winners: Sequence[int]) -> list[int] | None:
        """Cost-aware growth: the free districts of ``base`` (lot -1) join the lots of
        ``seeds`` (lot -> seed unit, all free), least regret first: a unit's regret for a
        lot is its cost under the lot's winner minus its cheapest cost under any growing
        lot's winner. Lots not in ``seeds`` keep their districts and do not grow. Client
        maxima and capacities are respected while possible. Returns ``lot_of`` or None."""
        ctx = self.ctx
        lot_of = list(base)
        k = len(winners)
        lot_clients = [0] * k
        bidder_clients = [0] * ctx.nb
        for d, lot in enumerate(lot_of):
            if lot >= 0:
                lot_clients[lot] += ctx.clients[d]
                bidder_clients[winners[lot]] += ctx.clients[d]
        unit_lot = [lot_of[m[0]] for m in ctx.unit_members]
        growing = sorted(seeds)
        ucost = ctx.ucost_or_big[:, [winners[lot] for lot in growing]]
        best = ucost.min(axis=1)
        column = {lot: c for c, lot in enumerate(growing)}
        reps = {lot: self._rep(u) for lot, u in seeds.items()}
        tiebreak = [self.rng.random() for _ in range(ctx.n_units)]
        heap: list[tuple[float, float, float, int, int]] = []
        left = sum(1 for v in unit_lot if v < 0)

        def assign(u: int, lot: int) -> None:
            nonlocal left
            self._place(u, lot, unit_lot, lot_of, lot_clients)
            bidder_clients[winners[lot]] += ctx.unit_clients[u]
            left -= 1
            if ctx.contiguous:
                for v in self._adjacent_units(u):
                    push(v, lot)

        def push(v: int, lot: int) -> None:
            if unit_lot[v] < 0 and ctx.unit_label[v] < 0:
                heapq.heappush(heap, (float(ucost[v, column[lot]] - best[v]),
                                      float(ctx.dist[reps[lot], self._rep(v)]),
                                      tiebreak[v], v, lot))

        for lot, u in seeds.items():
            if unit_lot[u] >= 0:
                return None
            assign(u, lot)
        if not ctx.contiguous:
            for v in range(ctx.n_units):
                for lot in growing:
                    push(v, lot)
        hi = ctx.hi if (ctx.hi is not None and not ctx.soft) else math.inf
        while heap:
            _, _, _, u, lot = heapq.heappop(heap)
            if unit_lot[u] >= 0:
                continue
            s = ctx.unit_clients[u]
            w = winners[lot]
            if lot_clients[lot] + s > hi or bidder_clients[w] + s > ctx.cap[w]:
                continue
            assign(u, lot)
        # Units left over (limits reached): the adjacent growing lot that adds the least
        # violation, then the least cost.
        progress = True
        while left and progress:
            progress = False
            for u in range(ctx.n_units):
                if unit_lot[u] >= 0 or ctx.unit_label[u] >= 0:
                    continue
                if ctx.contiguous:
                    lots = sorted({lot_of[e] for d in ctx.unit_members[u]
                                   for e in ctx.growth_nbrs[d] if lot_of[e] in column})
                else:
                    lots = growing
                if not lots:
                    continue
                s = ctx.unit_clients[u]

                def badness(lot: int, s: int = s, u: int = u) -> tuple[float, float]:
                    w = winners[lot]
                    viol = ctx.hard(lot_clients[lot] + s) - ctx.hard(lot_clients[lot])
                    viol += ctx.over_cap(w, bidder_clients[w] + s) - \
                        ctx.over_cap(w, bidder_clients[w])
                    return viol, float(ucost[u, column[lot]])

                assign(u, min(lots, key=badness))
                progress = True
        return lot_of if left == 0 else None

    def _penalised_award(self, lot_of: Sequence[int], k: int) -> list[int] | None:
        """Winners obeying max lots and winner counts, minimising cost with missing bids
        priced high and capacities ignored (a start for the repair)."""
        ctx = self.ctx
        cost = np.zeros((k, ctx.nb))
        np.add.at(cost, np.asarray(lot_of), ctx.cost_or_big)
        cost += np.array(ctx.fee)[None, :]
        clients = np.bincount(np.asarray(lot_of), weights=ctx.clients, minlength=k)
        result = award_matrix(cost, clients, self.data.max_lots, np.full(ctx.nb, np.inf),
                              self.data.min_winners, self.data.max_winners)
        return result[0] if result is not None else None

    def _least_violation_award(self, lot_of: Sequence[int] | np.ndarray,
                               clients: Sequence[float],
                               starts: Sequence[Sequence[int] | None]) -> list[int]:
        """Winners of lots ``lot_of`` (``clients`` per lot) lowering (violation, cost) from
        the best of ``starts`` (awards obeying max lots and winner counts): a descent that
        gives one lot to another bidder or swaps the winners of two lots, keeping max lots
        and winner counts. The violation is the design's part that depends on the award:
        missing bids (weighted as in :meth:`_Design.violation`) and clients over capacity.
        ``[]`` when no start is valid."""
        ctx = self.ctx
        k = len(clients)
        lot_of = np.asarray(lot_of)
        cost = np.zeros((k, ctx.nb))
        np.add.at(cost, lot_of, ctx.cf_array)
        cost += np.array(ctx.fee)[None, :]
        miss = np.zeros((k, ctx.nb), dtype=np.int64)
        np.add.at(miss, lot_of, ctx.miss_array)
        viol_rows = (ctx.missing_weight * miss).tolist()
        cost_rows = cost.tolist()
        cap = ctx.cap
        data = self.data
        lo_w = data.min_winners or 0
        hi_w = data.max_winners if data.max_winners is not None else ctx.nb
        tol = ctx.tolerance

        def key(winners: Sequence[int]) -> tuple[float, float]:
            load = [0.0] * ctx.nb
            for lot, w in enumerate(winners):
                load[w] += clients[lot]
            over = sum(max(0.0, x - c) for x, c in zip(load, cap, strict=True))
            return (sum(viol_rows[lot][w] for lot, w in enumerate(winners)) + over,
                    sum(cost_rows[lot][w] for lot, w in enumerate(winners)))

        valid = [list(w) for w in starts if w is not None and self._winners_ok(w)]
        if not valid:
            return []
        winners = min(valid, key=key)
        load = [0.0] * ctx.nb
        count = [0] * ctx.nb
        for lot, w in enumerate(winners):
            load[w] += clients[lot]
            count[w] += 1
        distinct = sum(1 for c in count if c)

        def over(b: int, x: float) -> float:
            return max(0.0, x - cap[b])

        for _ in range(4 * k * ctx.nb + 4):
            best: tuple[float, float, int, int, int] | None = None
            for lot in range(k):  # another bidder for one lot
                w = winners[lot]
                s = clients[lot]
                out_w = over(w, load[w] - s) - over(w, load[w])
                for j in range(ctx.nb):
                    if j == w or count[j] >= ctx.max_lots[j]:
                        continue
                    dv = (viol_rows[lot][j] - viol_rows[lot][w] + out_w
                          + over(j, load[j] + s) - over(j, load[j]))
                    dc = cost_rows[lot][j] - cost_rows[lot][w]
                    if not (dv < -1e-9 or (dv <= 1e-9 and dc < -tol)):
                        continue
                    if best is not None and (dv, dc) >= best[:2]:
                        continue
                    now = distinct - (count[w] == 1) + (count[j] == 0)
                    if lo_w <= now <= hi_w:
                        best = (dv, dc, lot, -1, j)
            for lot in range(k):  # swap the winners of two lots
                w = winners[lot]
                for other in range(lot + 1, k):
                    v = winners[other]
                    if v == w:
                        continue
                    shift = clients[other] - clients[lot]
                    dv = (viol_rows[lot][v] + viol_rows[other][w] - viol_rows[lot][w]
                          - viol_rows[other][v] + over(w, load[w] + shift) - over(w, load[w])
                          + over(v, load[v] - shift) - over(v, load[v]))
                    dc = (cost_rows[lot][v] + cost_rows[other][w] - cost_rows[lot][w]
                          - cost_rows[other][v])
                    if (dv < -1e-9 or (dv <= 1e-9 and dc < -tol)) and \
                            (best is None or (dv, dc) < best[:2]):
                        best = (dv, dc, lot, other, v)
            if best is None:
                break
            _, _, lot, other, j = best
            w = winners[lot]
            if other < 0:
                load[w] -= clients[lot]
                load[j] += clients[lot]
                count[w] -= 1
                count[j] += 1
                distinct += (count[j] == 1) - (count[w] == 0)
            else:
                shift = clients[other] - clients[lot]
                load[w] += shift
                load[j] -= shift
                winners[other] = w
            winners[lot] = j
        return winners

    # -------------------------------------------------------------- local search
    def _targets(self, des: _Design, u: int) -> list[int]:
        """Lots unit ``u`` may move to: adjacent lots (any lot without contiguity), not a
        lot holding another pin label when ``u`` is pinned."""
        ctx = self.ctx
        members = ctx.unit_members[u]
        a = des.lot_of[members[0]]
        if ctx.contiguous:
            targets = {des.lot_of[e] for d in members for e in ctx.nbrs[d]}
            targets.discard(a)
        else:
            targets = set(range(des.k)) - {a}
        if ctx.unit_label[u] >= 0:
            targets = {t for t in targets if des.lot_label[t] < 0}
        return sorted(targets)

    def local_search(self, des: _Design) -> None:
        """Best-target boundary moves of units, in random order, until a pass finds none."""
        ctx = self.ctx
        units = list(range(ctx.n_units))
        tol = ctx.tolerance
        while not self.out_of_time():
            self.rng.shuffle(units)
            moved = False
            for u in units:
                members = ctx.unit_members[u]
                a = des.lot_of[members[0]]
                if len(des.members[a]) <= len(members):
                    continue
                best: tuple[float, float, int] | None = None
                for b in self._targets(des, u):
                    dv, do = des.delta(u, a, b)
                    if dv < -1e-9 or (dv <= 1e-9 and do < -tol):
                        cand = (dv, do, b)
                        if best is None or cand < best:
                            best = cand
                if best is None:
                    continue
                if des.removable(a, members):
                    des.move(u, a, best[2])
                    moved = True
                elif self._move_with_cut_off(des, u, a, best[2]):
                    moved = True
            if not moved:
                break

    def _move_with_cut_off(self, des: _Design, u: int, a: int, b: int) -> bool:
        """Move unit ``u`` from lot a to lot b together with the parts of a it cuts off
        (all but the part with the most clients), if that lowers (violation, objective);
        returns whether it moved."""
        ctx = self.ctx
        if not ctx.contiguous:
            return False
        out = set(ctx.unit_members[u])
        parts: list[list[int]] = []
        seen = set(out)
        for d0 in sorted(des.members[a]):
            if d0 in seen:
                continue
            part = [d0]
            seen.add(d0)
            queue = deque([d0])
            while queue:
                d = queue.popleft()
                for e in ctx.nbrs[d]:
                    if des.lot_of[e] == a and e not in seen:
                        seen.add(e)
                        part.append(e)
                        queue.append(e)
            parts.append(part)
        if len(parts) < 2:
            return False
        parts.sort(key=lambda p: (sum(ctx.clients[d] for d in p), len(p)), reverse=True)
        moving = [d for p in parts[1:] for d in p]
        if len(moving) > len(des.members[a]) // 2:
            return False
        units = [u] + sorted({ctx.unit_of[d] for d in moving} - {u})
        if any(ctx.unit_label[v] >= 0 for v in units) and des.lot_label[b] >= 0:
            return False
        if any(des.lot_of[ctx.unit_members[v][0]] != a for v in units):
            return False  # a unit reaching outside the part (should not happen)
        before = des.key()
        for v in units:
            des.move(v, a, b)
        if _better(des.key(), before, ctx.tolerance):
            return True
        for v in reversed(units):
            des.move(v, b, a)
        return False

    def chain_search(self, des: _Design) -> bool:
        """Pairs of moves: a unit u moves from a to b at a lower cost but breaks a rule
        (a client bound, a capacity, the changed cap), and a second unit moves out of b or
        into a to mend it; applied when the pair lowers (violation, objective). Returns
        whether anything moved."""
        ctx = self.ctx
        tol = ctx.tolerance
        units = list(range(ctx.n_units))
        self.rng.shuffle(units)
        moved = False
        for u in units:
            if self.out_of_time():
                break
            members = ctx.unit_members[u]
            a = des.lot_of[members[0]]
            if len(des.members[a]) <= len(members):
                continue
            for b in self._targets(des, u):
                dv1, do1 = des.delta(u, a, b)
                if not (dv1 > 1e-9 and do1 < -tol) or not des.removable(a, members):
                    continue
                des.move(u, a, b)
                best: tuple[float, float, int, int, int] | None = None
                for v, lv in self._chain_candidates(des, a, b, u):
                    vm = ctx.unit_members[v]
                    if len(des.members[lv]) <= len(vm):
                        continue
                    for c in self._targets(des, v):
                        if lv == a and c == b or lv == b and c == a and v == u:
                            continue
                        dv2, do2 = des.delta(v, lv, c)
                        key = (dv1 + dv2, do1 + do2)
                        better = key[0] < -1e-9 or (key[0] <= 1e-9 and key[1] < -tol)
                        if better and (best is None or key < best[:2]):
                            best = (key[0], key[1], v, lv, c)
                if best is not None and des.removable(best[3], ctx.unit_members[best[2]]):
                    des.move(best[2], best[3], best[4])
                    moved = True
                    break
                des.move(u, b, a)
        return moved

    def _chain_candidates(self, des: _Design, a: int, b: int, u: int) -> list[tuple[int, int]]:
        """(unit, its lot) that may mend a move of ``u`` from a to b: units of b on its
        border, and units of other lots bordering a."""
        ctx = self.ctx
        found: dict[int, int] = {}
        for d in des.members[b]:
            v = ctx.unit_of[d]
            if v == u or v in found:
                continue
            if not ctx.contiguous or any(des.lot_of[e] != b for e in ctx.nbrs[d]):
                found[v] = b
        for d in des.members[a]:
            for e in ctx.nbrs[d]:
                le = des.lot_of[e]
                v = ctx.unit_of[e]
                if le != a and v != u and v not in found:
                    found[v] = le
        return sorted(found.items())

    def reaward(self, des: _Design) -> bool:
        """Give ``des`` its exact award (or, without a feasible one, the award of least
        violation: a lot of a bidder over capacity goes to one with room, so the moves
        between lots of different winners can lower the excess) when that is better;
        returns whether the winners changed."""
        ctx = self.ctx
        lots = des.lot_lists()
        cost = self.data.lot_cost_matrix(lots)
        clients = np.array(des.lot_clients, dtype=float)
        result = award_matrix(cost, clients, self.data.max_lots, self.data.capacity,
                              self.data.min_winners, self.data.max_winners)
        if result is None:
            winners = self._least_violation_award(
                des.lot_of, des.lot_clients,
                [self._penalised_award(des.lot_of, des.k), des.winner])
            if not winners or winners == des.winner:
                return False
        else:
            winners, _ = result
            if winners == des.winner:
                return False
        trial = _Design(ctx, des.lot_of, winners)
        if trial.better_than(des):
            des.set_winners(winners)
            return True
        return False

    # -------------------------------------------------------------- improvement
    def improve(self) -> None:
        """Alternate perturbations of the current design (until they stall) with exact
        region MILPs on the best design, until time runs out."""
        assert self.best is not None
        current = self.best.copy()
        while not self.done():
            current = self.perturb_loop(current, STALL_BASE + STALL_PER_LOT * current.k)
            if self.done():
                break
            if not self.region_milps:
                if self.perturbations_fail:
                    break
                continue
            budget = max(1.0, POLISH_SHARE * self.remaining())
            polish_deadline = time.perf_counter() + budget
            before = self.best.objective() if self.best is not None else math.inf
            polished = self.region_loop(self.best.copy(), 2, polish_deadline)
            polished = self.region_loop(polished, 3, polish_deadline)
            if polished.objective() < before - self.ctx.tolerance:
                current = polished
            elif self.perturbations_fail:
                break

    def adjacent_pairs(self, des: _Design) -> list[tuple[int, int]]:
        """Pairs of lots that share a contiguity edge (all pairs without contiguity)."""
        ctx = self.ctx
        if not ctx.contiguous:
            return [(a, b) for a in range(des.k) for b in range(a + 1, des.k)]
        pairs = set()
        for d in range(ctx.n):
            la = des.lot_of[d]
            for e in ctx.nbrs[d]:
                lb = des.lot_of[e]
                if la < lb:
                    pairs.add((la, lb))
        return sorted(pairs)

    def regions(self, des: _Design, size: int) -> list[tuple[int, ...]]:
        """Connected sets of ``size`` (2 or 3) lots."""
        pairs = self.adjacent_pairs(des)
        if size == 2:
            return list(pairs)
        adj: dict[int, set[int]] = {}
        for a, b in pairs:
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set()).add(a)
        triples = set()
        for mid, around in adj.items():
            for a in around:
                for b in around:
                    if a < b:
                        triples.add(tuple(sorted((a, b, mid))))
        return sorted(triples)

    def region_loop(self, des: _Design, size: int, deadline: float | None = None) -> _Design:
        """Solve regions of ``size`` adjacent lots exactly until none improves (or until
        ``deadline``), most promising first; a region already solved in the same state (its
        lots, winners and their capacity left) is not solved again."""
        def stop() -> bool:
            return self.done() or (deadline is not None and time.perf_counter() >= deadline)

        while not stop():
            regions = [r for r in self.regions(des, size)
                       if sum(len(des.members[lot]) for lot in r) <= REGION_MAX_DISTRICTS
                       and self._region_key(des, r) not in self.clean]
            potential = {r: self._region_potential(des, r) for r in regions}
            for r in regions:
                if potential[r] <= self.ctx.tolerance:
                    self.clean.add(self._region_key(des, r))
            todo = sorted((r for r in regions if potential[r] > self.ctx.tolerance),
                          key=lambda r: (-potential[r], r))
            if not todo:
                break
            improved = False
            for region in todo:
                if stop():
                    break
                key = self._region_key(des, region)
                if key in self.clean:
                    continue
                self.iterations += 1
                better = self.solve_region(des, list(region), deadline=deadline)
                if better is None:
                    self.clean.add(key)
                    continue
                self.descend(better)
                if better.feasible() and better.better_than(des):
                    des = better
                    self.offer(des, f"region {size}")
                    improved = True
                else:
                    self.clean.add(key)
            if not improved:
                break
        return des

    def _region_potential(self, des: _Design, region: Sequence[int]) -> float:
        """An upper bound on what a region MILP can gain (EUR): every district served by
        the cheapest of the region's winners, no penalty and no cut border inside."""
        ctx = self.ctx
        winners = {des.winner[lot] for lot in region}
        gain = 0.0
        inside = set()
        for lot in region:
            w = des.winner[lot]
            inside |= des.members[lot]
            for d in des.members[lot]:
                gain += ctx.cf[d][w] - min(ctx.cf[d][v] for v in winners if ctx.can[d][v])
            gain += ctx.pen(des.lot_clients[lot])
        if ctx.cw_m:
            gain += ctx.cw_m * sum(w for d in inside for e, w in ctx.border[d]
                                   if e in inside and e > d and des.lot_of[e] != des.lot_of[d])
        return gain

    def _region_key(self, des: _Design, region: Sequence[int]) -> tuple:
        """What a region MILP depends on: the region's lots with their winners and the
        capacity its winners have left outside the region."""
        inside = frozenset((frozenset(des.members[lot]), des.winner[lot]) for lot in region)
        outside = tuple(sorted(
            (w, des.bidder_clients[w] - sum(des.lot_clients[lot] for lot in region
                                            if des.winner[lot] == w))
            for w in {des.winner[lot] for lot in region}))
        return inside, outside

    def perturb_loop(self, des: _Design, stall_limit: int) -> _Design:
        """Perturb the current design (ruin and recreate two or three adjacent lots, merge
        two lots and split a third, or give a lot to another bidder), descend, and keep the
        result when it is better; go back to the best design now and then. Returns the
        current design after ``stall_limit`` perturbations in a row without improvement.
        While no design is feasible (a repair from the least violating start) the designs
        are awarded before they descend, and a perturbed design that violates less becomes
        the current one (only that counts as an improvement)."""
        stall = 0
        fails = 0
        while not self.done() and stall < stall_limit and fails < 200:
            self.iterations += 1
            kind = self.rng.random()
            if self.k_low < self.k_high and kind < 0.15:
                move, trial = "resize", self._resize(des)
            elif kind < 0.3:
                move, trial = "winner kick", self._winner_kick(des)
            elif des.k >= 3 and kind < 0.55:
                move, trial = "merge-split", self._merge_split(des)
            else:
                move, trial = "ruin-recreate", self._ruin_recreate(des)
            if trial is None:
                fails += 1
                continue
            fails = 0
            if self.best is None:
                self.reaward(trial)  # repairing: an award that keeps the capacities first
            self.descend(trial)
            if self.offer(trial, move):
                des = trial
                stall = 0
                continue
            stall += 1
            if self.best is None:
                if trial.violation() < des.violation() - 1e-9:
                    des = trial
                    stall = 0
                continue
            if trial.feasible() and \
                    trial.objective() < self.best.objective() * (1 + ACCEPT_WORSE) and \
                    trial.objective() != des.objective():
                des = trial  # a slightly worse design moves the search elsewhere
            elif self.rng.random() < 0.1:
                des = self.best.copy()
        self.perturbations_fail = fails >= 200
        return des

    def _resize(self, des: _Design) -> _Design | None:
        """One lot more (a lot cut in two, grown from two far-apart seeds) or one lot less
        (two adjacent lots merged), within the allowed numbers of lots."""
        ctx = self.ctx
        grow = des.k < self.k_high and (des.k <= self.k_low or self.rng.random() < 0.5)
        if not grow:
            pairs = [(a, b) for a, b in self.adjacent_pairs(des)
                     if des.lot_label[a] < 0 or des.lot_label[b] < 0]
            if not pairs:
                return None
            a, b = self.rng.choice(pairs)
            if des.lot_label[b] >= 0:
                a, b = b, a
            lot_of = [a if lot == b else lot - (lot > b) for lot in des.lot_of]
            winners = [w for lot, w in enumerate(des.winner) if lot != b]
        else:
            c = self.rng.randrange(des.k)
            seeds = self._split_seeds(des, c)
            if seeds is None:
                return None
            first, far = seeds
            base = [-1 if lot == c else lot for lot in des.lot_of]
            winners = list(des.winner) + [self.rng.randrange(ctx.nb)]
            grown = self._grow_into(base, {c: first, des.k: far}, winners)
            if grown is None:
                return None
            lot_of = grown
        awarded = self._penalised_award(lot_of, len(winners))
        return _Design(ctx, lot_of, awarded) if awarded is not None else None

    def _winner_kick(self, des: _Design) -> _Design | None:
        """Give a random lot to another bidder with a lot to spare (one of the three
        cheapest on the lot and its neighbours); the descent then reshapes the lots."""
        ctx = self.ctx
        lot = self.rng.randrange(des.k)
        area = set(des.members[lot])
        if ctx.contiguous:
            area |= {e for d in des.members[lot] for e in ctx.nbrs[d]}
        cost = ctx.cost_or_big[sorted(area)].sum(axis=0)
        winners = list(des.winner)
        cands = []
        for j in np.argsort(cost, kind="stable"):
            j = int(j)
            if j == winners[lot] or des.bidder_lots[j] >= ctx.max_lots[j]:
                continue
            if self._winners_ok(winners[:lot] + [j] + winners[lot + 1:]):
                cands.append(j)
            if len(cands) == 3:
                break
        if not cands:
            return None
        winners[lot] = self.rng.choice(cands)
        return _Design(ctx, des.lot_of, winners)

    def _winners_ok(self, winners: Sequence[int]) -> bool:
        """Whether winners obey max lots per bidder and min/max distinct winners."""
        ctx = self.ctx
        counts: dict[int, int] = {}
        for w in winners:
            counts[w] = counts.get(w, 0) + 1
        if any(c > ctx.max_lots[w] for w, c in counts.items()):
            return False
        data = self.data
        if data.min_winners is not None and len(counts) < data.min_winners:
            return False
        return data.max_winners is None or len(counts) <= data.max_winners

    def _ruin_recreate(self, des: _Design) -> _Design | None:
        """Free two or three adjacent lots and grow them again from random seeds, guided by
        their winners (shuffled, or one replaced by a random bidder), then award."""
        ctx = self.ctx
        pairs = self.adjacent_pairs(des)
        if not pairs:
            return None
        region = list(self.rng.choice(pairs))
        if des.k > 2 and self.rng.random() < 0.5:
            around = sorted({y for x, y in pairs if x in region and y not in region}
                            | {x for x, y in pairs if y in region and x not in region})
            if around:
                region.append(self.rng.choice(around))
        free = [d for lot in region for d in des.members[lot]]
        units = sorted({ctx.unit_of[d] for d in free})
        labelled = [u for u in units if ctx.unit_label[u] >= 0]
        plain = [u for u in units if ctx.unit_label[u] < 0]
        if len(labelled) + len(plain) < len(region) or len(labelled) > len(region):
            return None
        seeds = labelled + self.rng.sample(plain, len(region) - len(labelled))
        winners = list(des.winner)
        pool = [des.winner[lot] for lot in region]
        self.rng.shuffle(pool)
        if self.rng.random() < 0.5:
            pool[self.rng.randrange(len(pool))] = self.rng.randrange(ctx.nb)
        for lot, w in zip(region, pool, strict=True):
            winners[lot] = w
        base = list(des.lot_of)
        for d in free:
            base[d] = -1
        lot_of = self._grow_into(base, dict(zip(region, seeds, strict=True)), winners)
        if lot_of is None:
            return None
        awarded = self._penalised_award(lot_of, des.k)
        return _Design(ctx, lot_of, awarded) if awarded is not None else None

    def _merge_split(self, des: _Design) -> _Design | None:
        """Merge two adjacent lots a and b into a, and cut another lot c into c and b,
        grown cost-aware from two far-apart seeds (a pinned unit stays a seed)."""
        ctx = self.ctx
        pairs = self.adjacent_pairs(des)
        if des.k < 3 or not pairs:
            return None
        a, b = self.rng.choice(pairs)
        if des.lot_label[a] >= 0 and des.lot_label[b] >= 0:
            return None
        if des.lot_label[b] >= 0:
            a, b = b, a
        others = [c for c in range(des.k) if c not in (a, b) and len(des.members[c]) >= 2]
        if not others:
            return None
        c = self.rng.choice(others)
        seeds = self._split_seeds(des, c)
        if seeds is None or seeds[0] == seeds[1]:
            return None
        first, far = seeds
        base = list(des.lot_of)
        for d in des.members[b]:
            base[d] = a
        for d in des.members[c]:
            base[d] = -1
        winners = list(des.winner)
        if self.rng.random() < 0.5:
            winners[b] = self.rng.randrange(ctx.nb)
        lot_of = self._grow_into(base, {c: first, b: far}, winners)
        if lot_of is None:
            return None
        awarded = self._penalised_award(lot_of, des.k)
        return _Design(ctx, lot_of, awarded) if awarded is not None else None

    # -------------------------------------------------------------- region MILP
    def solve_region(self, des: _Design, region: list[int],
                     deadline: float | None = None) -> _Design | None:
        """Re-partition the union of ``region``'s lots exactly into connected lots that keep
        their winners and their core district (the most interior one, or the pinned unit),
        within ``deadline``. Returns a feasible design better than ``des`` (not yet locally
        searched) or None.

        Model (positions i in the union, sub-lots s = the region's lots, winner w_s)::

            min  sum c[i, w_s] x[i,s] + client penalties + compactness cost
            (1)  sum_s x[i,s] = 1                          each district in one lot
            (2)  x[core_s, s] = 1                          each lot keeps its core
            (3)  lo <= sum_i clients_i x[i,s] <= hi        client bounds (or penalised)
            (4)  sum_{s: w_s = b} load_s <= capacity left  bidder capacity
            (5)  f[i->j,s] <= M x[i,s], f[i->j,s] <= M x[j,s]
                 inflow(i,s) - outflow(i,s) >= x[i,s]      (i != core_s): contiguity
            (6)  units whole, pinned labels apart; z_e >= x[i,s] - x[j,s]  cut border
        """
        from allocatie.milp import Model, solve

        ctx = self.ctx
        m = len(region)
        union = sorted(d for lot in region for d in des.members[lot])
        pos = {d: i for i, d in enumerate(union)}
        size = len(union)
        sub_of = {d: s for s, lot in enumerate(region) for d in des.members[lot]}
        winners = [des.winner[lot] for lot in region]
        cores = [self._core(des, lot, region) for lot in region]

        model = Model("region")
        hint: dict[int, float] = {}
        size_clients = float(sum(ctx.clients[d] for d in union))

        def scale(eur: float) -> float:
            """Objective coefficients in thousands of euros, or whole cents for CP-SAT."""
            return float(round(eur * 100)) if self.backend == "cpsat" else eur / 1e3

        x: list[list[int | None]] = [[None] * m for _ in range(size)]
        for i, d in enumerate(union):
            for s in range(m):
                if ctx.can[d][winners[s]]:
                    var = model.add_binary(scale(ctx.cf[d][winners[s]]))
                    x[i][s] = var
                    hint[var] = float(sub_of[d] == s)

        def xs(i: int, s: int, coef: float = 1.0) -> list[tuple[int, float]]:
            var = x[i][s]
            return [] if var is None else [(var, coef)]

        for i in range(size):  # (1)
            model.add_eq([t for s in range(m) for t in xs(i, s)], 1.0)
        for s, core in enumerate(cores):  # (2)
            var = x[pos[core]][s]
            if var is None:
                return None
            model.lb[var] = 1.0
        loads = [[t for i in range(size) for t in xs(i, s, float(ctx.clients[union[i]]))]
                 for s in range(m)]
        for s in range(m):  # (3)
            clients_s = des.lot_clients[region[s]]
            if ctx.soft:
                if ctx.hi is not None:
                    over = model.add_var(0.0, size_clients, scale(ctx.penalty))
                    model.add_le(loads[s] + [(over, -1.0)], float(ctx.hi))
                    hint[over] = float(max(0, clients_s - ctx.hi))
                if ctx.lo is not None:
                    short = model.add_var(0.0, size_clients, scale(ctx.penalty))
                    model.add_ge(loads[s] + [(short, 1.0)], float(ctx.lo))
                    hint[short] = float(max(0, ctx.lo - clients_s))
            elif ctx.lo is not None or ctx.hi is not None:
                model.add_row(loads[s], float(ctx.lo) if ctx.lo is not None else -math.inf,
                              float(ctx.hi) if ctx.hi is not None else math.inf)
        for b in set(winners):  # (4)
            if math.isfinite(ctx.cap[b]):
                inside = sum(des.lot_clients[lot] for lot in region if des.winner[lot] == b)
                left = ctx.cap[b] - (des.bidder_clients[b] - inside)
                model.add_le([t for s in range(m) if winners[s] == b for t in loads[s]], left)
        if ctx.contiguous and size > m:  # (5)
            arcs = [(i, pos[e]) for i, d in enumerate(union) for e in ctx.nbrs[d] if e in pos]
            big = float(size - m + 1)
            for s in range(m):
                flow_hint = self._tree_flow(sorted(des.members[region[s]]), cores[s])
                inflow: list[list[tuple[int, float]]] = [[] for _ in range(size)]
                for i, j in arcs:
                    if x[i][s] is None or x[j][s] is None or union[j] == cores[s]:
                        continue
                    f = model.add_var(0.0, big)
                    hint[f] = float(flow_hint.get((union[i], union[j]), 0))
                    model.add_le([(f, 1.0)] + xs(i, s, -big), 0.0)
                    model.add_le([(f, 1.0)] + xs(j, s, -big), 0.0)
                    inflow[j].append((f, 1.0))
                    inflow[i].append((f, -1.0))
                for i in range(size):
                    if union[i] != cores[s] and x[i][s] is not None:
                        model.add_ge(inflow[i] + xs(i, s, -1.0), 0.0)
        units = sorted({ctx.unit_of[d] for d in union})  # (6)
        for unit in units:
            members = ctx.unit_members[unit]
            for d in members[1:]:
                for s in range(m):
                    model.add_eq(xs(pos[members[0]], s) + xs(pos[d], s, -1.0), 0.0)
        labelled = [unit for unit in units if ctx.unit_label[unit] >= 0]
        if len(labelled) > 1:
            for s in range(m):
                model.add_le([t for unit in labelled
                              for t in xs(pos[ctx.unit_members[unit][0]], s)], 1.0)
        if ctx.cw_m:
            for i, d in enumerate(union):
                for e, w in ctx.border[d]:
                    if e in pos and pos[e] > i and w > 0:
                        z = model.add_var(0.0, 1.0, scale(ctx.cw_m * w))
                        hint[z] = float(sub_of[d] != sub_of[e])
                        for s in range(m):
                            model.add_ge([(z, 1.0)] + xs(i, s) + xs(pos[e], s, -1.0), 0.0)
        model.hint = {i: hint.get(i, 0.0) for i in range(model.num_vars)}

        limit = min(self.remaining(), REGION_TIME_S)
        if deadline is not None:
            limit = min(limit, deadline - time.perf_counter())
        if limit < 0.05:
            return None
        settings = SolverSettings(backend=self.backend, time_limit_s=limit, mip_gap=0.0,
                                  threads=1, seed=self.seed)
        raw = solve(model, settings, stop=self.stop)
        if raw.values is None:
            return None
        lot_of = list(des.lot_of)
        for i in range(size):
            for s in range(m):
                var = x[i][s]
                if var is not None and raw.is_one(var):
                    lot_of[union[i]] = region[s]
        trial = _Design(ctx, lot_of, des.winner)
        if any(not self.data.is_connected(sorted(trial.members[lot])) for lot in region):
            return None
        if not trial.feasible() or not trial.better_than(des):
            return None
        return trial

    def _core(self, des: _Design, lot: int, region: Sequence[int]) -> int:
        """The district a lot keeps in a region MILP: its pinned unit, else the district
        farthest (in hops) from the other lots of the region."""
        ctx = self.ctx
        members = sorted(des.members[lot])
        for d in members:
            if ctx.unit_label[ctx.unit_of[d]] >= 0:
                return d
        others = [d for other in region if other != lot for d in des.members[other]]
        if not others:
            return members[0]
        depth = ctx.dist[np.ix_(members, others)].min(axis=1)
        w = des.winner[lot]
        served = [i for i, d in enumerate(members) if ctx.can[d][w]]
        best = max(served, key=lambda i: (depth[i], ctx.clients[members[i]], -members[i]))
        return members[best]

    def _tree_flow(self, members: list[int], root: int) -> dict[tuple[int, int], int]:
        """Flow on a breadth-first tree of ``members`` from ``root``: each arc carries the
        size of the subtree below it (a feasible flow for the contiguity rows)."""
        ctx = self.ctx
        inside = set(members)
        parent = {root: -1}
        order = [root]
        queue = deque([root])
        while queue:
            d = queue.popleft()
            for e in ctx.nbrs[d]:
                if e in inside and e not in parent:
                    parent[e] = d
                    order.append(e)
                    queue.append(e)
        below = dict.fromkeys(order, 1)
        flow: dict[tuple[int, int], int] = {}
        for d in reversed(order[1:]):
            flow[parent[d], d] = below[d]
            below[parent[d]] += below[d]
        return flow


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator,
            iterations: int = 20) -> np.ndarray:
    """Cluster labels of ``points`` by Lloyd's k-means with k-means++ starts."""
    n = len(points)
    k = min(k, n)
    centres = [points[int(rng.integers(n))]]
    for _ in range(1, k):
        d2 = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0)
        total = float(d2.sum())
        idx = int(rng.choice(n, p=d2 / total)) if total > 0 else int(rng.integers(n))
        centres.append(points[idx])
    c = np.array(centres)
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        d2 = ((points[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
        new = np.argmin(d2, axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        for j in range(k):
            if np.any(labels == j):
                c[j] = points[labels == j].mean(axis=0)
    return labels
