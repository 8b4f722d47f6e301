"""The mutable state of the design heuristic: lots, winners, their clients and costs, and the
incremental evaluation of one move."""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Sequence

import numpy as np

from allocatie.design.common import reachable
from allocatie.design.heuristic.context import Context


# =========================================================================== a design
class State:
    """A partition (``lot_of``) with winners and incrementally kept figures."""

    def __init__(self, ctx: Context, lot_of: Sequence[int], winner: Sequence[int],
                 parent: State | None = None) -> None:
        """``parent``: the design this one was derived from (a perturbation of it, a
        copy); its quiet marks carry over to the lots that did not change."""
        self.ctx = ctx
        self.lot_of = list(lot_of)
        self.winner = list(winner)
        self.k = len(self.winner)
        self.clock = 0
        self.refresh()
        if parent is not None:
            self._inherit(parent)

    def copy(self) -> State:
        return State(self.ctx, self.lot_of, self.winner, parent=self)

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
        self.clock += 1
        self.lot_stamp = [self.clock] * k
        self.load_stamp = [self.clock] * ctx.nb
        self.tight_stamp = [self.clock] * ctx.nb
        self.quiet_moves = Quiet()
        self.quiet_chains = Quiet()
        self._edges: dict[int, tuple[int, list[int], list[int]]] = {}

    def edge_of(self, lot: int) -> tuple[list[int], list[int]]:
        """(districts of ``lot`` next to another lot, districts of other lots next to it)
        by contiguity, kept until a district enters or leaves the lot (its stamp)."""
        kept = self._edges.get(lot)
        if kept is not None and kept[0] == self.lot_stamp[lot]:
            return kept[1], kept[2]
        nbrs, lot_of = self.ctx.nbrs, self.lot_of
        inner: list[int] = []
        outer: set[int] = set()
        for d in sorted(self.members[lot]):
            out = [e for e in nbrs[d] if lot_of[e] != lot]
            if out:
                inner.append(d)
                outer.update(out)
        self._edges[lot] = (self.lot_stamp[lot], inner, sorted(outer))
        return inner, sorted(outer)

    # -------------------------------------------------------------- change stamps
    # A move stamps its two lots with the clock, and their winners when their clients
    # change: ``load_stamp`` always, ``tight_stamp`` only when the clients come within two
    # units of the capacity (below that no move or pair of moves reads the exact figure).
    def _inherit(self, parent: State) -> None:
        """Take over ``parent``'s stamps and quiet marks: a lot with the same districts and
        winner keeps its stamp, a winner with the same clients (or clients below
        ``tight_from`` in both) its tight stamp; all others are stamped now."""
        if parent.k != self.k or parent.ctx is not self.ctx:
            return
        self.clock = clock = parent.clock + 1
        self.lot_stamp = [
            parent.lot_stamp[lot] if self.winner[lot] == parent.winner[lot]
            and self.members[lot] == parent.members[lot] else clock for lot in range(self.k)]
        tight = self.ctx.tight_from
        for w, (now, then) in enumerate(zip(self.bidder_clients, parent.bidder_clients,
                                            strict=True)):
            self.load_stamp[w] = parent.load_stamp[w] if now == then else clock
            near = now != then and max(now, then) > tight[w]
            self.tight_stamp[w] = clock if near else parent.tight_stamp[w]
        self.quiet_moves = parent.quiet_moves.copy()
        self.quiet_chains = parent.quiet_chains.copy()

    def changed_since(self, lots: Sequence[int], clock: int, exact_load: bool) -> bool:
        """Whether any of ``lots`` or its winner's clients changed after ``clock``."""
        lot_stamp, winner = self.lot_stamp, self.winner
        bidder_stamp = self.load_stamp if exact_load else self.tight_stamp
        return any(lot_stamp[lot] > clock or bidder_stamp[winner[lot]] > clock
                   for lot in lots)

    def stamps(self, a: int, b: int) -> tuple[int, ...]:
        """The change stamps of lots a and b and their winners (see :meth:`restore`)."""
        wa, wb = self.winner[a], self.winner[b]
        return (self.lot_stamp[a], self.lot_stamp[b], self.load_stamp[wa],
                self.load_stamp[wb], self.tight_stamp[wa], self.tight_stamp[wb])

    def restore(self, a: int, b: int, stamps: tuple[int, ...]) -> None:
        """Give lots a and b and their winners back the ``stamps`` they had before moves
        between a and b that have all been undone (the figures are what they were)."""
        wa, wb = self.winner[a], self.winner[b]
        self.lot_stamp[a], self.lot_stamp[b] = stamps[0], stamps[1]
        self.load_stamp[wb], self.load_stamp[wa] = stamps[3], stamps[2]
        self.tight_stamp[wb], self.tight_stamp[wa] = stamps[5], stamps[4]

    def _stamp_move(self, a: int, b: int, s: int) -> None:
        """Stamp lots a and b after ``s`` clients moved from a to b."""
        self.clock += 1
        self.lot_stamp[a] = self.lot_stamp[b] = self.clock
        wa, wb = self.winner[a], self.winner[b]
        if wa == wb:
            return
        self.load_stamp[wa] = self.load_stamp[wb] = self.clock
        tight = self.ctx.tight_from
        if self.bidder_clients[wa] + s > tight[wa]:
            self.tight_stamp[wa] = self.clock
        if self.bidder_clients[wb] > tight[wb]:
            self.tight_stamp[wb] = self.clock

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

    def better_than(self, other: State) -> bool:
        return better(self.key(), other.key(), self.ctx.tolerance)

    # -------------------------------------------------------------- moves
    def delta(self, u: int, a: int, b: int) -> tuple[float, float]:
        """(violation change, objective change) of moving unit ``u`` from lot a to lot b."""
        return self.violation_delta(u, a, b), self.objective_delta(u, a, b)

    def violation_delta(self, u: int, a: int, b: int) -> float:
        """The violation change of moving unit ``u`` from lot a to lot b (the cheap half of
        :meth:`delta`: a move that adds violation is often rejected on it alone)."""
        ctx = self.ctx
        ctx.evaluations += 1
        wa, wb = self.winner[a], self.winner[b]
        s = ctx.unit_clients[u]
        umiss = ctx.umiss[u]
        dviol = ctx.missing_weight * (umiss[wb] - umiss[wa])
        if not ctx.soft and (ctx.lo is not None or ctx.hi is not None):
            excess = ctx.excess
            la, lb = self.lot_clients[a], self.lot_clients[b]
            dviol += excess(la - s) + excess(lb + s) - excess(la) - excess(lb)
        if wa != wb:  # ctx.over_cap written out: this is the innermost loop
            ca, cb = self.bidder_clients[wa], self.bidder_clients[wb]
            pa, pb = ctx.cap[wa], ctx.cap[wb]
            dviol += ((ca - s - pa if ca - s > pa else 0.0) + (cb + s - pb if cb + s > pb else 0.0)
                      - (ca - pa if ca > pa else 0.0) - (cb - pb if cb > pb else 0.0))
        if ctx.track_changed:
            before = max(0, self.changed - ctx.data.max_changed)
            after = max(0, self._changed_after(u, a, b) - ctx.data.max_changed)
            dviol += ctx.changed_weight * (after - before)
        return dviol

    def objective_delta(self, u: int, a: int, b: int) -> float:
        """The objective change of moving unit ``u`` from lot a to lot b."""
        ctx = self.ctx
        wa, wb = self.winner[a], self.winner[b]
        dobj = ctx.ucf[u][wb] - ctx.ucf[u][wa]
        if ctx.soft:
            s = ctx.unit_clients[u]
            la, lb = self.lot_clients[a], self.lot_clients[b]
            dobj += ctx.pen(la - s) + ctx.pen(lb + s) - ctx.pen(la) - ctx.pen(lb)
        if ctx.cw_m:
            dcut = 0.0
            lot_of = self.lot_of
            for d in ctx.unit_members[u]:
                for e, w in ctx.border[d]:
                    le = lot_of[e]
                    if le == a:
                        if ctx.unit_of[e] != u:
                            dcut += w
                    elif le == b:
                        dcut -= w
            dobj += ctx.cw_m * dcut
        return dobj

    def short_lots(self) -> set[int]:
        """Lots a move into can lower the violation: under the client minimum (hard
        bounds), every lot when the changed districts are capped."""
        ctx = self.ctx
        if ctx.track_changed:
            return set(range(self.k))
        if ctx.soft or ctx.lo is None:
            return set()
        lo = ctx.lo
        return {lot for lot, c in enumerate(self.lot_clients) if c < lo}

    def eases_out(self, u: int, a: int) -> bool:
        """Whether moving unit ``u`` out of lot a can lower the violation: the lot is over
        its client maximum (hard bounds), its winner over capacity, or the winner lacks a
        bid for ``u`` (or the changed districts are capped)."""
        ctx = self.ctx
        w = self.winner[a]
        return (ctx.track_changed or ctx.umiss[u][w] > 0
                or self.bidder_clients[w] > ctx.cap[w]
                or (not ctx.soft and ctx.hi is not None and self.lot_clients[a] > ctx.hi))

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
        self._stamp_move(a, b, s)

    def set_winners(self, winners: Sequence[int]) -> None:
        before = copy.copy(self)  # the old figures: refresh builds new lists
        self.winner = list(winners)
        self.refresh()
        self._inherit(before)


class Quiet:
    """Units for which a search found nothing to do, each with the state's clock then and
    the lots that outcome read (the unit's own lot, the lots around it, the lots of the
    moves it tried). While none of those lots nor their winners' clients change, the same
    search finds nothing again and may skip the unit: same result, less work.

    Not used when the cap on changed districts is tracked: that count reads every lot."""

    def __init__(self) -> None:
        self.seen: dict[int, tuple[int, tuple[int, ...], bool]] = {}

    def holds(self, des: State, u: int) -> bool:
        """Whether unit ``u`` was marked and nothing it read has changed since."""
        entry = self.seen.get(u)
        return entry is not None and not des.changed_since(entry[1], entry[0], entry[2])

    def copy(self) -> Quiet:
        twin = Quiet()
        twin.seen = dict(self.seen)
        return twin

    def mark(self, des: State, u: int, lots: Sequence[int], exact_load: bool = False) -> None:
        """Mark unit ``u`` quiet; ``exact_load`` when the outcome read the winners' exact
        clients (moves of more than two units)."""
        if not des.ctx.track_changed:
            self.seen[u] = (des.clock, tuple(lots), exact_load)


def better(key: tuple[float, float], other: tuple[float, float], tol: float) -> bool:
    """Lexicographic (violation, objective) comparison with tolerances."""
    if key[0] < other[0] - 1e-9:
        return True
    if key[0] > other[0] + 1e-9:
        return False
    return key[1] < other[1] - tol
