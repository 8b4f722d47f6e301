"""The MILP of an award: one option per (lot, bid) and per combination, and the rows of every
rule (one winner per lot, lots per bidder, capacity, the number of winners)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from allocatie.award.data import AwardData, Combo, Option
from allocatie.milp import Model

# the rule families a relaxation may make elastic
FAMILIES = ("max_lots", "capacity", "min_winners", "max_winners")


class Formulation:
    """The award MILP of ``data`` (see the module docstring) on a neutral :class:`Model`.

    ``relax`` names rule families (:data:`FAMILIES`) made elastic: their rows get a
    non-negative integer slack in ``slack[family][key]`` and their reductions are skipped.
    ``primary`` maps (lot, bidder) to the stage-1 key used by the dominance reduction (None =
    no reduction). ``use_combos`` False leaves combination bids out. ``normalise_capacity``
    divides each capacity row by its capacity (coefficients n_l / cap_b, right-hand side 1):
    CBC (OR-Tools 9.15) was seen to claim a wrong optimum on the integer rows (1 of 24
    synthetic 20-50 lot instances, never with normalised rows)."""

    def __init__(self, data: AwardData, relax: frozenset[str] = frozenset(),
                 primary: Mapping[tuple[str, str], float] | None = None,
                 use_combos: bool = True, normalise_capacity: bool = False) -> None:
        self.data = data
        self.relax = relax
        self.normalise_capacity = normalise_capacity
        self.model = Model(name="award")
        # fixed at 0 with cost 1: an objective is never empty (CP-SAT rejects a constant one)
        self.anchor = self.model.add_var(0.0, 0.0, name="anchor")
        self.slack: dict[str, dict[str, int]] = {f: {} for f in FAMILIES}
        self.options = self._usable_options(primary)
        self.combos = self._usable_combos() if use_combos else ()
        self.x = {(o.lot, o.bidder): self.model.add_binary(name=f"x[{o.lot},{o.bidder}]")
                  for o in self.options}
        self.c = {k.id: self.model.add_binary(name=f"c[{k.id}]") for k in self.combos}
        self.w: dict[str, int] = {}
        self._x_of_bidder: dict[str, list[Option]] = {}
        for o in self.options:
            self._x_of_bidder.setdefault(o.bidder, []).append(o)
        self._c_of_bidder: dict[str, list[Combo]] = {}
        for k in self.combos:
            self._c_of_bidder.setdefault(k.bidder, []).append(k)
        self.bidders = tuple(b for b in data.bidders
                             if b in self._x_of_bidder or b in self._c_of_bidder)
        self.one_winner_per_lot()
        self.max_lots_per_bidder()
        self.bidder_capacity()
        self.winner_indicator()
        self.number_of_winners()

    # ------------------------------------------------------------------ reductions
    def _usable_options(self, primary: Mapping[tuple[str, str], float] | None
                        ) -> tuple[Option, ...]:
        data = self.data
        kept = []
        for o in data.options:
            cap = data.capacity(o.bidder)
            limit = data.max_lots(o.bidder)
            if "capacity" not in self.relax and cap is not None and data.clients[o.lot] > cap:
                continue
            if "max_lots" not in self.relax and limit is not None and limit < 1:
                continue
            kept.append(o)
        rules = data.instance.rules
        if primary is None or self.relax or rules.min_winners is not None or \
                rules.max_winners is not None:
            return tuple(kept)
        unlimited = {b for b in data.bidders if _unlimited(data, b)}
        best: dict[str, float] = {}
        for o in kept:
            if o.bidder in unlimited:
                key = primary[(o.lot, o.bidder)]
                best[o.lot] = min(best.get(o.lot, key), key)
        return tuple(o for o in kept
                     if o.lot not in best or primary[(o.lot, o.bidder)] <= best[o.lot])

    def _usable_combos(self) -> tuple[Combo, ...]:
        data = self.data
        kept = []
        for k in data.combos:
            cap = data.capacity(k.bidder)
            limit = data.max_lots(k.bidder)
            if "capacity" not in self.relax and cap is not None and k.clients > cap:
                continue
            if "max_lots" not in self.relax and limit is not None and len(k.lots) > limit:
                continue
            kept.append(k)
        return tuple(kept)

    # ------------------------------------------------------------------ rows
    def one_winner_per_lot(self) -> None:
        """(1) every lot has exactly one winner, by a lot bid or an accepted combination."""
        terms: dict[str, list[tuple[int, float]]] = {lot: [] for lot in self.data.lots}
        for (lot, _), var in self.x.items():
            terms[lot].append((var, 1.0))
        for k in self.combos:
            for lot in k.lots:
                terms[lot].append((self.c[k.id], 1.0))
        for lot in self.data.lots:
            self.model.add_eq(terms[lot], 1.0)

    def _bidder_terms(self, bidder: str, weight_of_lot: Mapping[str, float]
                      ) -> list[tuple[int, float]]:
        terms = [(self.x[(o.lot, bidder)], weight_of_lot[o.lot])
                 for o in self._x_of_bidder.get(bidder, ())]
        terms += [(self.c[k.id], sum(weight_of_lot[lot] for lot in k.lots))
                  for k in self._c_of_bidder.get(bidder, ())]
        return terms

    def _reach(self, bidder: str) -> set[str]:
        lots = {o.lot for o in self._x_of_bidder.get(bidder, ())}
        for k in self._c_of_bidder.get(bidder, ()):
            lots.update(k.lots)
        return lots

    def max_lots_per_bidder(self) -> None:
        """(2) a bidder wins at most its lot limit (rows only where the limit can bind). The
        limit is tightened to the most lots that fit in the bidder's capacity (unless a
        family is relaxed, so that a slack keeps its meaning)."""
        ones = dict.fromkeys(self.data.lots, 1.0)
        for b in self.bidders:
            limit = self.data.max_lots(b)
            if not self.relax:
                limit = _min_limit(limit, self._lots_in_capacity(b))
            reach = len(self._reach(b))
            if limit is None or reach <= limit:
                continue
            terms = self._bidder_terms(b, ones)
            if "max_lots" in self.relax:
                s = self.model.add_var(0, reach, integer=True, name=f"s_lots[{b}]")
                self.slack["max_lots"][b] = s
                terms.append((s, -1.0))
            self.model.add_le(terms, float(limit))

    def _lots_in_capacity(self, bidder: str) -> int | None:
        """The most of ``bidder``'s lots that fit in its capacity (None = no capacity)."""
        cap = self.data.capacity(bidder)
        if cap is None:
            return None
        sizes = sorted(self.data.clients[lot] for lot in self._reach(bidder))
        total = fitted = 0
        for size in sizes:
            total += size
            if total > cap:
                break
            fitted += 1
        return fitted

    def bidder_capacity(self) -> None:
        """(3) the clients of the lots a bidder wins fit in its capacity."""
        clients = {lot: float(n) for lot, n in self.data.clients.items()}
        for b in self.bidders:
            cap = self.data.capacity(b)
            reach = sum(self.data.clients[lot] for lot in self._reach(b))
            if cap is None or reach <= cap:
                continue
            terms = self._bidder_terms(b, clients)
            if "capacity" in self.relax:
                s = self.model.add_var(0, reach, integer=True, name=f"s_cap[{b}]")
                self.slack["capacity"][b] = s
                terms.append((s, -1.0))
            if self.normalise_capacity and cap > 0:
                self.model.add_le([(v, c / cap) for v, c in terms], 1.0)
            else:
                self.model.add_le(terms, float(cap))

    def winner_indicator(self) -> None:
        """(4) w_b = 1 when b wins a lot (x <= w, for a maximum) and only then (for a
        minimum)."""
        rules = self.data.instance.rules
        if rules.min_winners is None and rules.max_winners is None:
            return
        for b in self.bidders:
            w = self.model.add_binary(name=f"w[{b}]")
            self.w[b] = w
            own = [self.x[(o.lot, b)] for o in self._x_of_bidder.get(b, ())]
            own += [self.c[k.id] for k in self._c_of_bidder.get(b, ())]
            if rules.max_winners is not None:
                for var in own:
                    self.model.add_le([(var, 1.0), (w, -1.0)], 0.0)
            if rules.min_winners is not None:
                self.model.add_le([(w, 1.0)] + [(var, -1.0) for var in own], 0.0)

    def number_of_winners(self) -> None:
        """(5) the number of distinct winners lies within the rules' bounds."""
        rules = self.data.instance.rules
        terms = [(w, 1.0) for w in self.w.values()]
        if rules.min_winners is not None:
            if "min_winners" in self.relax:
                s = self.model.add_var(0, rules.min_winners, integer=True, name="s_min")
                self.slack["min_winners"]["all"] = s
                self.model.add_ge(terms + [(s, 1.0)], float(rules.min_winners))
            else:
                self.model.add_ge(terms, float(rules.min_winners))
        if rules.max_winners is not None:
            if "max_winners" in self.relax:
                s = self.model.add_var(0, len(self.w), integer=True, name="s_max")
                self.slack["max_winners"]["all"] = s
                self.model.add_le(terms + [(s, -1.0)], float(rules.max_winners))
            else:
                self.model.add_le(terms, float(rules.max_winners))

    # ------------------------------------------------------------------ objectives
    def costs(self, of_option: Mapping[tuple[str, str], float],
              of_combo: Mapping[str, float] | None = None) -> list[float]:
        """A cost vector over the model's variables (zero outside x and c)."""
        cost = [0.0] * self.model.num_vars
        cost[self.anchor] = 1.0
        for key, var in self.x.items():
            cost[var] = float(of_option.get(key, 0.0))
        for cid, var in self.c.items():
            cost[var] = float((of_combo or {}).get(cid, 0.0))
        return cost

    def hint_from(self, winners: Mapping[str, str]) -> dict[int, float]:
        """A full solution vector for an award made of lot bids only (no combination)."""
        hint = dict.fromkeys(range(self.model.num_vars), 0.0)
        for key, var in self.x.items():
            if winners.get(key[0]) == key[1]:
                hint[var] = 1.0
        won = set(winners.values())
        for b, var in self.w.items():
            hint[var] = 1.0 if b in won else 0.0
        return hint

    def decode(self, values: np.ndarray) -> tuple[dict[str, str], tuple[str, ...]]:
        """(lot -> winner, accepted combination ids) from solution values."""
        winners: dict[str, str] = {}
        combos = []
        for (lot, bidder), var in self.x.items():
            if values[var] > 0.5:
                winners[lot] = bidder
        for k in self.combos:
            if values[self.c[k.id]] > 0.5:
                combos.append(k.id)
                for lot in k.lots:
                    winners[lot] = k.bidder
        return winners, tuple(combos)


def _min_limit(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _unlimited(data: AwardData, bidder: str) -> bool:
    """True when neither the lot limit nor the capacity of ``bidder`` can ever bind."""
    lots = data.lots_of(bidder)
    limit = data.max_lots(bidder)
    cap = data.capacity(bidder)
    return (limit is None or limit >= len(lots)) and (
        cap is None or cap >= sum(data.clients[lot] for lot in lots))
