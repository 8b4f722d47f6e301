"""Descent of the design heuristic: boundary moves, chains of two moves and re-award."""

from __future__ import annotations

from collections import deque

import numpy as np

from allocatie.award.exact import best_award
from allocatie.design.heuristic.state import State, better


class Descent:
    """Local search and chains (a mixin of :class:`Search`)."""

    def _around(self, des: State, u: int) -> set[int]:
        """Lots next to unit ``u`` (every lot without contiguity), its own lot included:
        the lots whose figures the moves of ``u`` read."""
        if not self.ctx.contiguous:
            return set(range(des.k))
        lot_of = des.lot_of
        nbrs = self.ctx.nbrs
        return {lot_of[e] for d in self.ctx.unit_members[u] for e in nbrs[d]} | {
            lot_of[self.ctx.unit_members[u][0]]}

    def _targets(self, des: State, u: int, around: set[int] | None = None) -> list[int]:
        """Lots unit ``u`` may move to: adjacent lots (any lot without contiguity), not a
        lot holding another pin label when ``u`` is pinned. ``around`` is
        :meth:`_around` when already known."""
        ctx = self.ctx
        a = des.lot_of[ctx.unit_members[u][0]]
        targets = set(around if around is not None else self._around(des, u))
        targets.discard(a)
        if ctx.unit_label[u] >= 0:
            targets = {t for t in targets if des.lot_label[t] < 0}
        return sorted(targets)

    def local_search(self, des: State) -> None:
        """Best-target boundary moves of units, in random order, until a pass finds none.
        A unit that found no move is skipped until a lot around it changes
        (:class:`~allocatie.design.heuristic.state.Quiet`)."""
        units = list(range(self.ctx.n_units))
        while not self.out_of_time():
            self.rng.shuffle(units)
            moved = False
            for u in units:
                if not des.quiet_moves.holds(des, u) and self._improve_unit(des, u):
                    moved = True
            if not moved:
                break

    def _improve_unit(self, des: State, u: int) -> bool:
        """Move unit ``u`` to the adjacent lot that lowers (violation, objective) most, with
        the parts of its lot it cuts off if need be; returns whether it moved."""
        ctx = self.ctx
        tol = ctx.tolerance
        members = ctx.unit_members[u]
        a = des.lot_of[members[0]]
        if len(des.members[a]) <= len(members):
            des.quiet_moves.mark(des, u, (a,))
            return False
        around = self._around(des, u)
        best: tuple[float, float, int] | None = None
        for b in self._targets(des, u, around):
            dv = des.violation_delta(u, a, b)
            if dv > 1e-9:
                continue
            do = des.objective_delta(u, a, b)
            if dv < -1e-9 or do < -tol:
                cand = (dv, do, b)
                if best is None or cand < best:
                    best = cand
        if best is None:
            des.quiet_moves.mark(des, u, sorted(around))
            return False
        if des.removable(a, members):
            des.move(u, a, best[2])
            return True
        if self._move_with_cut_off(des, u, a, best[2]):
            return True
        des.quiet_moves.mark(des, u, sorted(around), exact_load=True)
        return False

    def _move_with_cut_off(self, des: State, u: int, a: int, b: int) -> bool:
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
        stamps = des.stamps(a, b)
        for v in units:
            des.move(v, a, b)
        if better(des.key(), before, ctx.tolerance):
            return True
        for v in reversed(units):
            des.move(v, b, a)
        des.restore(a, b, stamps)
        return False

    def chain_search(self, des: State) -> bool:
        """Pairs of moves: a unit u moves from a to b at a lower cost but breaks a rule
        (a client bound, a capacity, the changed cap), and a second unit moves out of b or
        into a to mend it; applied when the pair lowers (violation, objective). Returns
        whether anything moved. A unit whose pairs all failed is skipped until a lot they
        read changes."""
        units = list(range(self.ctx.n_units))
        self.rng.shuffle(units)
        moved = False
        for u in units:
            if self.out_of_time():
                break
            if not des.quiet_chains.holds(des, u) and self._chain_unit(des, u):
                moved = True
        return moved

    def _chain_unit(self, des: State, u: int) -> bool:
        """The first pair of moves starting with unit ``u`` that lowers (violation,
        objective), applied; returns whether one was found."""
        ctx = self.ctx
        tol = ctx.tolerance
        members = ctx.unit_members[u]
        a = des.lot_of[members[0]]
        if len(des.members[a]) <= len(members):
            des.quiet_chains.mark(des, u, (a,))
            return False
        read = self._around(des, u)
        for b in self._targets(des, u, read):
            dv1 = des.violation_delta(u, a, b)
            if dv1 <= 1e-9:
                continue
            do1 = des.objective_delta(u, a, b)
            if not do1 < -tol or not des.removable(a, members):
                continue
            stamps = des.stamps(a, b)
            edges = (des.edge_of(b)[0], des.edge_of(a)[1]) if ctx.contiguous else None
            des.move(u, a, b)
            best = self._mending_move(des, (a, b, u), (dv1, do1), read, edges)
            if best is not None and des.removable(best[1], ctx.unit_members[best[0]]):
                des.move(*best)
                return True
            des.move(u, b, a)
            des.restore(a, b, stamps)
        des.quiet_chains.mark(des, u, sorted(read))
        return False

    def _mending_move(self, des: State, moved: tuple[int, int, int],
                      first: tuple[float, float], read: set[int],
                      edges: tuple[list[int], list[int]] | None,
                      ) -> tuple[int, int, int] | None:
        """The best second move (unit, from, to) after unit ``u`` moved from a to b
        (``moved`` = a, b, u) with change ``first`` (violation, objective), if the pair
        lowers (violation, objective); adds the lots it read to ``read``; ``edges`` as in
        :meth:`_chain_candidates`. A second move must lower the violation by at
        least the first one's rise, so only moves out of a lot that can give (over its
        maximum or its winner's capacity, or a missing bid) or into a lot under its minimum
        are evaluated."""
        ctx = self.ctx
        tol = ctx.tolerance
        a, b, u = moved
        dv1, do1 = first
        short = des.short_lots()
        best: tuple[float, float, int, int, int] | None = None
        for v, lv in self._chain_candidates(des, a, b, u, edges):
            if len(des.members[lv]) <= len(ctx.unit_members[v]):
                read.add(lv)
                continue
            around = self._around(des, v)
            read |= around
            gives = des.eases_out(v, lv)
            if not gives and short.isdisjoint(around):
                continue  # no move of v can lower the violation
            for c in self._targets(des, v, around):
                if lv == a and c == b or lv == b and c == a and v == u:
                    continue
                if not gives and c not in short:
                    continue  # the move cannot lower the violation
                dv2 = des.violation_delta(v, lv, c)
                if dv1 + dv2 > 1e-9:  # the pair cannot lower the violation
                    continue
                key = (dv1 + dv2, do1 + des.objective_delta(v, lv, c))
                better = key[0] < -1e-9 or (key[0] <= 1e-9 and key[1] < -tol)
                if better and (best is None or key < best[:2]):
                    best = (key[0], key[1], v, lv, c)
        return None if best is None else best[2:]

    def _chain_candidates(self, des: State, a: int, b: int, u: int,
                          edges: tuple[list[int], list[int]] | None,
                          ) -> list[tuple[int, int]]:
        """(unit, its lot) that may mend a move of ``u`` from a to b: units of b on its
        border, and units of other lots bordering a. ``edges``: b's border districts and
        a's outside neighbours before the move (:meth:`State.edge_of`), a superset of both
        after it; None without contiguity (every unit of b, neighbours by border)."""
        ctx = self.ctx
        lot_of, nbrs, unit_of = des.lot_of, ctx.nbrs, ctx.unit_of
        found: dict[int, int] = {}
        if edges is None:
            for d in des.members[b]:
                if unit_of[d] != u:
                    found.setdefault(unit_of[d], b)
            for d in des.members[a]:
                for e in nbrs[d]:
                    if lot_of[e] != a and unit_of[e] != u:
                        found.setdefault(unit_of[e], lot_of[e])
            return sorted(found.items())
        inner_b, outer_a = edges
        for d in inner_b:
            v = unit_of[d]
            if v != u and v not in found and any(lot_of[e] != b for e in nbrs[d]):
                found[v] = b
        for e in outer_a:
            v = unit_of[e]
            if v != u and v not in found and any(lot_of[x] == a for x in nbrs[e]):
                found[v] = lot_of[e]
        return sorted(found.items())

    def reaward(self, des: State) -> bool:
        """Give ``des`` its exact award (or, without a feasible one, the award of least
        violation: a lot of a bidder over capacity goes to one with room, so the moves
        between lots of different winners can lower the excess) when that is better;
        returns whether the winners changed."""
        ctx = self.ctx
        lots = des.lot_lists()
        cost = self.data.lot_cost_matrix(lots)
        clients = np.array(des.lot_clients, dtype=float)
        result = best_award(cost, clients, self.data.max_lots, self.data.capacity,
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
        trial = State(ctx, des.lot_of, winners)
        if trial.better_than(des):
            des.set_winners(winners)
            return True
        return False
