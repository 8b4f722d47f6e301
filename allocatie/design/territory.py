"""The territory formulation: which bidder serves which district, and how many lots each.

The cost of a design depends only on which bidder serves each district (plus a fee per lot),
so the lot boundaries inside one bidder's territory are arbitrary: a huge symmetry for any
model with lot variables. This model has no lot variables. A bidder's territory may be cut
into ``n_b`` lots exactly when it has at most ``n_b`` connected parts and at least ``n_b``
districts (split a spanning tree); so without lot-level rules this model is exact, and with
them (client bounds, compactness, pins, a cap on changed districts) it is a relaxation whose
optimum is a valid lower bound. :mod:`allocatie.design.partition` then cuts every territory
into its lots.

Formulation (d district, b bidder, P = {(d, b): b bid on d}, A_b arcs between neighbouring
districts both in P for b, c_db = price x clients + lambda x (served - incumbent_b)):

    min  sum c_db z_db + sum fee_b n_b
    (1) each_district_one_bidder   sum_b z_db = 1                               for all d
    (2) number_of_lots             K_min <= sum_b n_b <= K_max
    (3) lots_need_a_winner         w_b <= n_b <= M_b w_b,   n_b <= sum_d z_db
    (4) roots_per_bidder           r_db <= z_db,  w_b <= sum_d r_db <= n_b
    (5) territory_reaches_a_root   single-commodity flow on A_b: every district of the
                                   territory consumes one unit, only roots supply
                                   (sum_in f - sum_out f + g_db = z_db, g_db <= U_b r_db,
                                   f_deb <= (U_b - 1) z_db, f_deb <= (U_b - 1) z_eb)
    (6) lonely_district_is_a_root  z_db <= r_db + sum_{e in N(d)} z_eb       (valid cut)
    (7) bidder_capacity            sum_d clients_d z_db <= cap_b w_b
    (8) client_bounds_relaxed      L_min n_b <= sum_d clients_d z_db <= L_max n_b   (hard bounds)
    (5b) with hard client bounds the flow of (5) is counted in clients: one root per lot
         (sum_d r_db = n_b), each supplying L_min..L_max clients (see ``flow_demand``), so
         every connected part of a territory holds its lots' worth of clients
    (9) distinct_winners           W_min <= sum_b w_b <= W_max
    (10) pinned_and_together       z_db = z_eb for districts that must share a lot
    (11) cut_between_territories   y_de >= z_db - z_eb for every b bidding on d, y_de in [0, 1]
                                   with cost compactness_weight x border_km(d, e): districts
                                   of different territories are in different lots, so this
                                   part of the compactness term is a valid lower bound

z, r, w binary; n integer; f, g >= 0 (integral at an integer optimum, as CP-SAT needs).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from allocatie.costs import district_costs
from allocatie.design.flow import rooted_flow, tree_flow
from allocatie.instance import Instance
from allocatie.milp import Model


@dataclass
class TerritoryModel:
    """The built model and the handles needed to read a solution back."""

    model: Model
    z: dict[tuple[str, str], int]
    n: dict[str, int]
    w: dict[str, int]
    r: dict[tuple[str, str], int]
    flow: dict[tuple[str, str, str], int]  # (bidder, from, to) -> arc flow
    supply: dict[tuple[str, str], int]  # (district, bidder) -> root supply
    scale: float
    cut: dict[tuple[str, str], int] = field(default_factory=dict)  # edge -> y (11)

    def cut_cost(self, values) -> float:
        """EUR of the (11) terms in a solution: the compactness between territories."""
        return sum(values[var] * self.model.cost[var] for var in self.cut.values()) * self.scale

    def territories(self, values) -> tuple[dict[str, str], dict[str, int]]:
        """(district -> bidder, bidder -> number of lots) from solution values."""
        owner = {d: b for (d, b), var in self.z.items() if values[var] > 0.5}
        lots = {b: int(round(values[var])) for b, var in self.n.items()
                if round(values[var]) > 0}
        return owner, lots

    def hint_from_design(self, instance: Instance, assignment: dict[str, str],
                         winners: dict[str, str]) -> dict[int, float]:
        """A complete start vector from a feasible design: territories, one root per lot and
        the flow along a breadth-first tree of every lot."""
        hint = {var: 0.0 for var in range(self.model.num_vars)}
        members: dict[str, list[str]] = defaultdict(list)
        for d in instance.district_ids:
            members[assignment[d]].append(d)
        count: dict[str, int] = defaultdict(int)
        demand = flow_demand(instance)[0]
        neighbours = instance.neighbours
        for lot, districts in members.items():
            b = winners[lot]
            count[b] += 1
            for d in districts:
                hint[self.z[(d, b)]] = 1.0
            root = districts[0]
            hint[self.r[(root, b)]] = 1.0
            if not self.supply:
                continue
            hint[self.supply[(root, b)]] = sum(demand[d] for d in districts)
            for (a, d), flow in tree_flow(root, set(districts), neighbours, demand).items():
                hint[self.flow[(b, a, d)]] = float(flow)
        for b, lots in count.items():
            hint[self.n[b]] = float(lots)
            hint[self.w[b]] = 1.0
        for (a, c), var in self.cut.items():
            hint[var] = float(winners[assignment[a]] != winners[assignment[c]])
        return hint


def build_territory_model(instance: Instance, scale: float = 1000.0,
                          integer_flow: bool = False) -> TerritoryModel:
    """Build the territory MILP (objective in units of ``scale`` EUR for solver numerics)."""
    m = Model(name="territory")
    costs = district_costs(instance)
    rules = instance.rules
    k_min, k_max = rules.lots_min, rules.lots_max
    z = {key: m.add_binary(cost / scale) for key, cost in sorted(costs.items())}
    by_bidder: dict[str, list[str]] = defaultdict(list)
    by_district: dict[str, list[str]] = defaultdict(list)
    for d, b in z:
        by_bidder[b].append(d)
        by_district[d].append(b)
    by_bidder = {b: by_bidder[b] for b in instance.bidder_ids if by_bidder.get(b)}
    bidders = list(by_bidder)
    n, w, r = {}, {}, {}
    for b in bidders:
        cap = instance.max_lots(b)
        most = min(k_max, len(by_bidder[b]), cap if cap is not None else k_max)
        n[b] = m.add_var(0, most, instance.bidder_by_id[b].lot_fee / scale, True)
        w[b] = m.add_binary()
    for d, b in z:
        r[(d, b)] = m.add_binary()

    each_district_one_bidder(m, instance, z, by_district)
    number_of_lots(m, n, k_min, k_max)
    lots_need_a_winner(m, z, n, w, by_bidder, instance)
    roots_per_bidder(m, z, n, w, r, by_bidder)
    flow, supply = territory_reaches_a_root(m, instance, z, r, n, by_bidder, integer_flow)
    lonely_district_is_a_root(m, instance, z, r)
    bidder_capacity(m, instance, z, w, by_bidder)
    client_bounds_relaxed(m, instance, z, n, by_bidder)
    distinct_winners(m, instance, w)
    pinned_and_together(m, instance, z, by_district)
    cut = cut_between_territories(m, instance, z, by_district, scale, integer_flow)
    return TerritoryModel(m, z, n, w, r, flow, supply, scale, cut)


# ----------------------------------------------------------------- constraint families
def each_district_one_bidder(m: Model, instance: Instance, z, by_district) -> None:
    for d in instance.district_ids:
        m.add_eq([(z[(d, b)], 1) for b in by_district[d]], 1)


def number_of_lots(m: Model, n, k_min: int, k_max: int) -> None:
    m.add_row([(var, 1) for var in n.values()], k_min, k_max)


def lots_need_a_winner(m: Model, z, n, w, by_bidder, instance: Instance) -> None:
    for b in n:
        m.add_ge([(n[b], 1), (w[b], -1)], 0)
        m.add_le([(n[b], 1), (w[b], -m.ub[n[b]])], 0)
        m.add_le([(n[b], 1)] + [(z[(d, b)], -1) for d in by_bidder[b]], 0)
        for d in by_bidder[b]:
            m.add_le([(z[(d, b)], 1), (w[b], -1)], 0)


def roots_per_bidder(m: Model, z, n, w, r, by_bidder) -> None:
    for b in n:
        roots = [(r[(d, b)], 1) for d in by_bidder[b]]
        m.add_le(roots + [(n[b], -1)], 0)
        m.add_ge(roots + [(w[b], -1)], 0)
        for d in by_bidder[b]:
            m.add_le([(r[(d, b)], 1), (z[(d, b)], -1)], 0)


def flow_demand(instance: Instance) -> tuple[dict[str, float], float, float | None]:
    """What each district consumes in the territory flow, and a root's supply bounds.

    Without hard client bounds: one unit per district, supply unbounded. With them, one flow
    does both jobs: a district consumes (N + 1) x clients + 1 and a root supplies between
    (N + 1) L_min and (N + 1) L_max + N, so a connected part with k roots holds at least
    k L_min clients and at most k L_max + k - 1 (the +1 per district keeps empty districts
    connected; the scale N + 1 keeps them from counting as a client)."""
    rules = instance.rules
    low, high = rules.lot_clients_min, rules.lot_clients_max
    if rules.soft_client_bounds or (low is None and high is None):
        return {d: 1.0 for d in instance.district_ids}, 0.0, None
    scale = len(instance.districts) + 1
    demand = {d: float(scale * instance.clients(d) + 1) for d in instance.district_ids}
    supply_max = None if high is None else float(scale * high + scale - 1)
    return demand, float(scale * (low or 0)), supply_max


def territory_reaches_a_root(m: Model, instance: Instance, z, r, n, by_bidder,
                             integer_flow: bool) -> tuple[dict, dict]:
    flow: dict[tuple[str, str, str], int] = {}
    supply: dict[tuple[str, str], int] = {}
    if instance.rules.contiguity == "none":
        return flow, supply
    edges = instance.edges_for()
    demand, supply_min, supply_max = flow_demand(instance)
    for b, districts in by_bidder.items():
        if supply_max is not None or supply_min > 0:
            m.add_eq([(r[(d, b)], 1) for d in districts] + [(n[b], -1)], 0)  # a root per lot
        arcs, roots = rooted_flow(m, districts, edges, {d: z[(d, b)] for d in districts},
                                  {d: r[(d, b)] for d in districts}, integer_flow,
                                  demand={d: demand[d] for d in districts},
                                  supply_min=supply_min, supply_max=supply_max,
                                  roots_max=int(m.ub[n[b]]))
        flow.update({(b, src, dst): var for (src, dst), var in arcs.items()})
        supply.update({(d, b): var for d, var in roots.items()})
    return flow, supply


def lonely_district_is_a_root(m: Model, instance: Instance, z, r) -> None:
    if instance.rules.contiguity == "none":
        return
    neighbours = instance.neighbours
    for (d, b), var in z.items():
        around = [(z[(e, b)], -1) for e in neighbours[d] if (e, b) in z]
        m.add_le([(var, 1), (r[(d, b)], -1)] + around, 0)


def bidder_capacity(m: Model, instance: Instance, z, w, by_bidder) -> None:
    for b, districts in by_bidder.items():
        capacity = instance.bidder_by_id[b].capacity
        if capacity is None or capacity >= sum(instance.clients(d) for d in districts):
            continue
        m.add_le([(z[(d, b)], instance.clients(d)) for d in districts] + [(w[b], -capacity)], 0)


def client_bounds_relaxed(m: Model, instance: Instance, z, n, by_bidder) -> None:
    rules = instance.rules
    if rules.soft_client_bounds:
        return
    for b, districts in by_bidder.items():
        load = [(z[(d, b)], instance.clients(d)) for d in districts]
        if rules.lot_clients_min is not None:
            m.add_ge(load + [(n[b], -rules.lot_clients_min)], 0)
        if rules.lot_clients_max is not None:
            m.add_le(load + [(n[b], -rules.lot_clients_max)], 0)


def distinct_winners(m: Model, instance: Instance, w) -> None:
    rules = instance.rules
    if rules.min_winners is None and rules.max_winners is None:
        return
    low = rules.min_winners if rules.min_winners is not None else 0
    high = rules.max_winners if rules.max_winners is not None else len(w)
    m.add_row([(var, 1) for var in w.values()], low, high)


def pinned_and_together(m: Model, instance: Instance, z, by_district) -> None:
    groups: dict[str, list[str]] = defaultdict(list)
    for d, label in instance.rules.pinned.items():
        groups[f"pin:{label}"].append(d)
    for i, group in enumerate(instance.rules.together):
        groups[f"together:{i}"].extend(group)
    for members in groups.values():
        first = members[0]
        for other in members[1:]:
            for b in sorted(set(by_district[first]) | set(by_district[other])):
                terms = []
                if (first, b) in z:
                    terms.append((z[(first, b)], 1))
                if (other, b) in z:
                    terms.append((z[(other, b)], -1))
                m.add_eq(terms, 0)


def cut_between_territories(m: Model, instance: Instance, z, by_district, scale: float,
                            integer: bool = False) -> dict[tuple[str, str], int]:
    """Rows (11): the compactness of borders between districts of different bidders
    (``integer``: y binary, for CP-SAT, which has no continuous variables)."""
    weight = instance.rules.compactness_weight
    if not weight:
        return {}
    cut = {}
    for e in instance.edges:
        if e.border_m <= 0:
            continue
        y = m.add_var(0, 1, weight * e.border_m / 1000.0 / scale, integer)
        cut[(e.a, e.b)] = y
        for b in by_district[e.a]:
            terms = [(y, 1), (z[(e.a, b)], -1)]
            if (e.b, b) in z:
                terms.append((z[(e.b, b)], 1))
            m.add_ge(terms, 0)
    return cut
