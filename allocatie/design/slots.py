"""The lot-level model: lots indexed by winner slots (b, j), j = 1..M_b.

Used when lot-level rules matter (client bounds per lot, soft bounds, compactness, pinned
districts), where the territory model is only a relaxation. Indexing lots by their winner
removes the winner variables and the lot-label symmetry between bidders; within a bidder,
slots are used in order.

    min  sum c_db x_dbj + sum fee_b u_bj + penalty (s_bj + e_bj) + weight_km * cut border
    (1) each_district_in_one_lot  sum_{b,j} x_dbj = 1
    (2) number_of_lots            K_min <= sum u_bj <= K_max;  u_bj >= u_b,j+1
    (3) lot_is_used               x_dbj <= u_bj;  sum_d r_dbj = u_bj;  r_dbj <= x_dbj
    (4) lots_are_contiguous       single-commodity flow from the root of each slot
    (5) lonely_district_is_a_root x_dbj <= r_dbj + sum_{e in N(d)} x_ebj
    (6) bidder_capacity           sum_{d,j} clients_d x_dbj <= cap_b
    (7) client_bounds             L_min u_bj - s_bj <= sum_d clients_d x_dbj <= L_max u_bj + e_bj
                                  (s, e fixed at 0 for hard bounds)
    (8) distinct_winners          w_b >= u_bj, w_b <= sum_j u_bj, W_min <= sum w_b <= W_max
    (9) pinned_and_together       x_dbj = x_ebj for districts sharing a lot; different pins
                                  never share a slot
    (10) cut_border               k_e >= x_abj - x_bbj (only with a compactness weight)
    (11) changed_districts_cap    m_sa: slot s takes over today's area a (one-to-one,
                                  sum_a m_sa <= 1, sum_s m_sa <= 1); t_ds <= x_ds,
                                  t_ds <= m_s,area(d) (d stays in place);
                                  sum t_ds >= |districts with an area today| - cap
                                  (the checker's definition: the best one-to-one matching
                                  of lots to today's areas)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from allocatie.checker import best_area_matching
from allocatie.costs import district_costs
from allocatie.design.flow import rooted_flow, tree_flow
from allocatie.instance import Instance
from allocatie.milp import Model

Slot = tuple[str, int]


@dataclass
class SlotModel:
    model: Model
    x: dict[tuple[str, str, int], int]
    u: dict[Slot, int]
    r: dict[tuple[str, str, int], int]
    flow: dict[tuple[str, int, str, str], int]
    supply: dict[tuple[str, str, int], int]
    w: dict[str, int]
    scale: float

    matched: dict[tuple[Slot, str], int] = field(default_factory=dict)  # (slot, area) -> m
    kept: dict[tuple[str, Slot], int] = field(default_factory=dict)  # (district, slot) -> t

    def design(self, values) -> tuple[dict[str, str], dict[str, str]]:
        """(district -> lot, lot -> winner) with lots numbered by their first district."""
        members: dict[Slot, list[str]] = defaultdict(list)
        for (d, b, j), var in self.x.items():
            if values[var] > 0.5:
                members[(b, j)].append(d)
        return _label(members)

    def hint_from_design(self, instance: Instance, assignment: dict[str, str],
                         winners: dict[str, str]) -> dict[int, float]:
        hint = {var: 0.0 for var in range(self.model.num_vars)}
        members: dict[str, list[str]] = defaultdict(list)
        for d in instance.district_ids:
            members[assignment[d]].append(d)
        neighbours = instance.neighbours
        used: dict[str, int] = defaultdict(int)
        slot_of: dict[str, Slot] = {}
        for lot in sorted(members, key=lambda lot: min(instance.district_ids.index(d)
                                                        for d in members[lot])):
            b = winners[lot]
            j = used[b]
            used[b] += 1
            slot_of[lot] = (b, j)
            hint[self.u[(b, j)]] = 1.0
            hint[self.w[b]] = 1.0
            districts = members[lot]
            for d in districts:
                hint[self.x[(d, b, j)]] = 1.0
            root = districts[0]
            hint[self.r[(root, b, j)]] = 1.0
            if self.supply:
                hint[self.supply[(root, b, j)]] = float(len(districts))
                for (a, d), flow in tree_flow(root, set(districts), neighbours).items():
                    hint[self.flow[(b, j, a, d)]] = float(flow)
        if self.matched:
            for lot, area, _ in best_area_matching(instance.current_lots or {}, assignment):
                slot = slot_of[lot]
                hint[self.matched[(slot, area)]] = 1.0
                for d in members[lot]:
                    if (instance.current_lots or {}).get(d) == area:
                        hint[self.kept[(d, slot)]] = 1.0
        return hint


def _label(members: dict[Slot, list[str]]) -> tuple[dict[str, str], dict[str, str]]:
    ordered = sorted(members.items(), key=lambda item: min(item[1]))
    assignment, winners = {}, {}
    for number, ((b, _), districts) in enumerate(ordered, start=1):
        winners[str(number)] = b
        for d in districts:
            assignment[d] = str(number)
    return assignment, winners


def build_slot_model(instance: Instance, scale: float = 1000.0,
                     integer_flow: bool = False) -> SlotModel:
    """Build the winner-slot MILP (objective in units of ``scale`` EUR)."""
    rules = instance.rules
    m = Model(name="slots")
    costs = district_costs(instance)
    by_bidder: dict[str, list[str]] = defaultdict(list)
    for d, b in sorted(costs):
        by_bidder[b].append(d)
    slots: list[Slot] = []
    for b in instance.bidder_ids:
        if not by_bidder[b]:
            continue
        cap = instance.max_lots(b)
        most = min(rules.lots_max, len(by_bidder[b]), cap if cap is not None else rules.lots_max)
        slots += [(b, j) for j in range(most)]
    u = {s: m.add_binary(instance.bidder_by_id[s[0]].lot_fee / scale) for s in slots}
    x = {(d, b, j): m.add_binary(costs[(d, b)] / scale) for (b, j) in slots
         for d in by_bidder[b]}
    r = {key: m.add_binary() for key in x}
    w = {b: m.add_binary() for b in dict.fromkeys(b for b, _ in slots)}  # fixed order
    by_district: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for key in x:
        by_district[key[0]].append(key)
    for d in instance.district_ids:
        m.add_eq([(x[key], 1) for key in by_district[d]], 1)
    m.add_row([(var, 1) for var in u.values()], rules.lots_min, rules.lots_max)
    for (b, j), var in u.items():
        if j > 0:
            m.add_le([(var, 1), (u[(b, j - 1)], -1)], 0)
        m.add_le([(var, 1), (w[b], -1)], 0)
        m.add_eq([(r[(d, b, j)], 1) for d in by_bidder[b]] + [(var, -1)], 0)
        for d in by_bidder[b]:
            m.add_le([(x[(d, b, j)], 1), (var, -1)], 0)
            m.add_le([(r[(d, b, j)], 1), (x[(d, b, j)], -1)], 0)
    for b in w:
        m.add_le([(w[b], 1)] + [(u[s], -1) for s in slots if s[0] == b], 0)
    flow, supply = _contiguity(m, instance, x, r, slots, by_bidder, integer_flow)
    _capacity(m, instance, x, slots, by_bidder)
    _client_bounds(m, instance, x, u, slots, by_bidder, scale)
    _winners(m, instance, w)
    _pins(m, instance, x, slots)
    _compactness(m, instance, x, slots, scale)
    matched, kept = _changed_cap(m, instance, x, slots, integer_flow)
    return SlotModel(m, x, u, r, flow, supply, w, scale, matched, kept)


def _contiguity(m: Model, instance: Instance, x, r, slots, by_bidder, integer_flow: bool):
    flow: dict = {}
    supply: dict = {}
    if instance.rules.contiguity == "none":
        return flow, supply
    edges = instance.edges_for()
    neighbours = instance.neighbours
    for b, j in slots:
        mine = by_bidder[b]
        arcs, roots = rooted_flow(m, mine, edges, {d: x[(d, b, j)] for d in mine},
                                  {d: r[(d, b, j)] for d in mine}, integer_flow)
        flow.update({(b, j, src, dst): var for (src, dst), var in arcs.items()})
        supply.update({(d, b, j): var for d, var in roots.items()})
        for d in mine:
            around = [(x[(e, b, j)], -1) for e in neighbours[d] if e in mine]
            m.add_le([(x[(d, b, j)], 1), (r[(d, b, j)], -1)] + around, 0)
    return flow, supply


def _capacity(m: Model, instance: Instance, x, slots, by_bidder) -> None:
    for b in dict.fromkeys(b for b, _ in slots):
        capacity = instance.bidder_by_id[b].capacity
        if capacity is None:
            continue
        m.add_le([(x[(d, b, j)], instance.clients(d)) for (bb, j) in slots if bb == b
                  for d in by_bidder[b]], capacity)


def _client_bounds(m: Model, instance: Instance, x, u, slots, by_bidder, scale) -> None:
    rules = instance.rules
    penalty = rules.lot_clients_penalty
    total = instance.total_clients
    for b, j in slots:
        load = [(x[(d, b, j)], instance.clients(d)) for d in by_bidder[b]]
        if rules.lot_clients_min is not None:
            short = [(m.add_var(0, rules.lot_clients_min, penalty / scale), 1)] if penalty else []
            m.add_ge(load + short + [(u[(b, j)], -rules.lot_clients_min)], 0)
        if rules.lot_clients_max is not None:
            excess = [(m.add_var(0, total, penalty / scale), -1)] if penalty else []
            m.add_le(load + excess + [(u[(b, j)], -rules.lot_clients_max)], 0)


def _winners(m: Model, instance: Instance, w) -> None:
    rules = instance.rules
    if rules.min_winners is None and rules.max_winners is None:
        return
    low = rules.min_winners or 0
    high = rules.max_winners if rules.max_winners is not None else len(w)
    m.add_row([(var, 1) for var in w.values()], low, high)


def _pins(m: Model, instance: Instance, x, slots) -> None:
    rules = instance.rules
    groups: list[list[str]] = [list(g) for g in rules.together]
    by_label: dict[str, list[str]] = defaultdict(list)
    for d, label in rules.pinned.items():
        by_label[label].append(d)
    groups += list(by_label.values())
    for group in groups:
        for a, c in zip(group, group[1:], strict=False):
            for b, j in slots:
                terms = [(x[k], s) for k, s in (((a, b, j), 1), ((c, b, j), -1)) if k in x]
                m.add_eq(terms, 0)
    labels = sorted(by_label)
    for i, first in enumerate(labels):
        for second in labels[i + 1:]:
            a, c = by_label[first][0], by_label[second][0]
            for b, j in slots:
                if (a, b, j) in x and (c, b, j) in x:
                    m.add_le([(x[(a, b, j)], 1), (x[(c, b, j)], 1)], 1)


def _compactness(m: Model, instance: Instance, x, slots, scale: float) -> None:
    weight = instance.rules.compactness_weight
    if not weight:
        return
    for e in instance.edges:
        cut = m.add_var(0, 1, weight * e.border_m / 1000.0 / scale)
        for b, j in slots:
            a_in = x.get((e.a, b, j))
            b_in = x.get((e.b, b, j))
            terms = [(cut, 1)]
            if a_in is not None:
                terms.append((a_in, -1))
            if b_in is not None:
                terms.append((b_in, 1))
            if a_in is not None:
                m.add_ge(terms, 0)


def _changed_cap(m: Model, instance: Instance, x, slots, integer: bool):
    """Rows (11): at most ``max_changed_districts`` districts leave today's area."""
    cap = instance.rules.max_changed_districts
    current = instance.current_lots
    if cap is None or not current:
        return {}, {}
    areas = sorted(set(current.values()))
    matched = {(slot, a): m.add_binary() for slot in slots for a in areas}
    for slot in slots:
        m.add_le([(matched[(slot, a)], 1) for a in areas], 1)
    for a in areas:
        m.add_le([(matched[(slot, a)], 1) for slot in slots], 1)
    kept = {}
    for (d, b, j), var in x.items():
        if d in current:
            t = m.add_var(0, 1, 0.0, integer)
            kept[(d, (b, j))] = t
            m.add_le([(t, 1), (var, -1)], 0)
            m.add_le([(t, 1), (matched[((b, j), current[d])], -1)], 0)
    m.add_ge([(t, 1) for t in kept.values()], len(current) - cap)
    return matched, kept

