"""The independent checker: the specification every solver is tested against.

From an instance and a proposed design with winners alone (no solver), it recomputes

- feasibility: every district in exactly one lot, the number of lots, contiguity of every lot
  on the induced subgraph (networkx), a winner per lot who bid on all its districts (or on the
  lot), max lots per bidder, capacity, client bounds, distinct winners, pinned and
  kept-together districts, the cap on districts that change area;
- the objective of ``shared/spec/instance-format.md``::

      cost(L, b)        = lot_fee(b) + sum_{d in L} price(b, d) * clients(d)
                          (fixed design with lot bids: the lot bid price; an accepted
                          combination bid replaces the prices of its lots, and its price
                          is attributed per lot by :mod:`allocatie.lot_shares`)
      transitions(L, b) = sum_{d in L} clients in d whose current provider is not b
      objective         = total cost + transition_cost * total transitions
                          + soft client-bound penalty + compactness_weight * cut border (km)

- the transitions matrix (from current provider to new provider, clients), in total and per
  lot.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
from scipy.optimize import linear_sum_assignment

from allocatie.instance import Instance
from allocatie.lot_shares import LotShare, combination_shares
from allocatie.solution import Solution
from allocatie.text import natural_key

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Violation:
    """One broken rule: its name (``contiguity``, ``capacity``, ``lot_clients_max``, ...;
    the README lists them), the lots and districts concerned, the file of a results folder it
    was found in (``None``: the design itself) and a message; ``str()`` gives the message."""

    rule: str
    message: str
    lots: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    file: str | None = None

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message

    def as_dict(self) -> dict[str, object]:
        """For summary.json."""
        return {"rule": self.rule, "message": self.message, "lots": list(self.lots),
                "districts": list(self.districts), "file": self.file}


@dataclass(frozen=True)
class LotFigures:
    """One lot's figures as recomputed by the checker."""

    lot: str
    winner: str | None
    districts: tuple[str, ...]
    clients: int
    cost: float
    transitions: int
    client_penalty: float = 0.0
    combination: str = ""  # the accepted combination bid the lot is part of, if any


@dataclass(frozen=True)
class Evaluation:
    """Recomputed figures of a design with winners, and every violated rule."""

    lots: tuple[LotFigures, ...]
    cost: float
    transitions: int
    transition_cost: float
    client_penalty: float
    cut_border_km: float
    compactness_cost: float
    objective: float
    matrix: Mapping[tuple[str, str], int]
    matrix_per_lot: Mapping[str, Mapping[tuple[str, str], int]]
    changed_districts: int | None
    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def messages(self) -> tuple[str, ...]:
        """The violations as text, for printing."""
        return tuple(str(v) for v in self.violations)

    def lot(self, lot: str) -> LotFigures:
        return next(f for f in self.lots if f.lot == lot)


def evaluate(
    instance: Instance,
    assignment: Mapping[str, str],
    winners: Mapping[str, str],
    pricing: str = "district",
    combinations: tuple[str, ...] = (),
) -> Evaluation:
    """Recompute feasibility and the objective of a design (district -> lot) with winners
    (lot -> bidder). Never raises on an infeasible design: violations are listed instead."""
    violations: list[Violation] = []
    members = _lot_members(instance, assignment, violations)
    lots = sorted(members, key=natural_key)
    _check_lot_count(instance, lots, violations)
    _check_contiguity(instance, members, violations)
    _check_pins(instance, assignment, violations)
    combo_of_lot = _accepted_combinations(instance, winners, combinations, pricing, violations)
    shares = combination_shares(instance, tuple(dict.fromkeys(combo_of_lot.values())))

    figures = []
    matrix: Counter[tuple[str, str]] = Counter()
    per_lot: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for lot in lots:
        winner = winners.get(lot)
        districts = tuple(members[lot])
        clients = sum(instance.clients(d) for d in districts)
        if winner is None or winner not in instance.bidder_by_id:
            violations.append(Violation("winner", f"lot {lot} has no known winner (got "
                                        f"{winner!r})", lots=(lot,)))
            winner = None
            cost = 0.0
        elif pricing == "lot_bids":
            cost = _lot_bid_cost(instance, lot, winner, shares, violations)
        else:
            cost = _district_cost(instance, lot, winner, districts, violations)
        moved = 0
        for d in districts:
            for provider, n in instance.district_by_id[d].incumbents.items():
                if winner is None or n == 0:
                    continue
                matrix[(provider, winner)] += n
                per_lot[lot][(provider, winner)] += n
                if provider != winner:
                    moved += n
        penalty = _client_bounds(instance, lot, clients, violations)
        figures.append(LotFigures(lot, winner, districts, clients, cost, moved, penalty,
                                  combo_of_lot.get(lot, "")))

    # A combination's price is split over its lots by the documented rule (lot_shares).
    cost = sum(f.cost for f in figures)
    _check_bidders(instance, figures, violations)
    transitions = sum(f.transitions for f in figures)
    cut_km = _cut_border_km(instance, assignment)
    penalty = sum(f.client_penalty for f in figures)
    changed = _changed_districts(instance, assignment, violations)
    transition_cost = instance.rules.transition_cost * transitions
    compactness_cost = instance.rules.compactness_weight * cut_km
    return Evaluation(
        lots=tuple(figures),
        cost=cost,
        transitions=transitions,
        transition_cost=transition_cost,
        client_penalty=penalty,
        cut_border_km=cut_km,
        compactness_cost=compactness_cost,
        objective=cost + transition_cost + penalty + compactness_cost,
        matrix=dict(matrix),
        matrix_per_lot={lot: dict(m) for lot, m in per_lot.items()},
        changed_districts=changed,
        violations=tuple(violations),
    )


def check(instance: Instance, solution: Solution) -> Evaluation:
    """Evaluate a solution and also flag an objective that differs from the recomputed one."""
    result = evaluate(instance, solution.assignment, solution.winners, solution.pricing,
                      solution.combinations)
    if solution.objective is not None and not objectives_match(solution.objective,
                                                               result.objective):
        extra = (Violation("objective", f"reported objective {solution.objective:,.2f} "
                           f"differs from the recomputed {result.objective:,.2f}"),)
        return Evaluation(**{**result.__dict__, "violations": result.violations + extra})
    return result


def objectives_match(reported: float, recomputed: float) -> bool:
    """Equal up to rounding: 1e-6 relative or 0.01 EUR absolute."""
    return abs(reported - recomputed) <= max(0.01, 1e-6 * abs(recomputed))


# --------------------------------------------------------------------------- pieces
def _lot_members(instance: Instance, assignment: Mapping[str, str],
                 violations: list[Violation]) -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for d in instance.district_ids:
        lot = assignment.get(d)
        if lot is None or lot == "":
            violations.append(Violation("every_district_in_a_lot",
                                        f"district {d} is in no lot", districts=(d,)))
        else:
            members[str(lot)].append(d)
    unknown = sorted(set(assignment) - set(instance.district_ids))
    if unknown:
        violations.append(Violation("known_districts", "unknown district ids in the design: "
                                    f"{', '.join(unknown[:10])}", districts=tuple(unknown)))
    return dict(members)


def _check_lot_count(instance: Instance, lots: list[str],
                     violations: list[Violation]) -> None:
    lo, hi = instance.rules.lots_min, instance.rules.lots_max
    if not lo <= len(lots) <= hi:
        wanted = str(lo) if lo == hi else f"{lo} to {hi}"
        violations.append(Violation("lot_count", f"the design has {len(lots)} lots; the rules "
                                    f"ask for {wanted}", lots=tuple(lots)))


def _check_contiguity(instance: Instance, members: Mapping[str, list[str]],
                      violations: list[Violation]) -> None:
    if instance.rules.contiguity == "none":
        return
    graph = nx.Graph()
    graph.add_nodes_from(instance.district_ids)
    graph.add_edges_from((e.a, e.b) for e in instance.edges_for())
    for lot, districts in members.items():
        parts = list(nx.connected_components(graph.subgraph(districts)))
        if len(parts) > 1:
            sizes = sorted((sorted(p) for p in parts), key=len)
            violations.append(Violation(
                "contiguity", f"lot {lot} is not contiguous ({instance.rules.contiguity}): "
                f"{len(parts)} parts, e.g. {{{', '.join(sizes[0][:5])}}} is cut off",
                lots=(lot,), districts=tuple(sizes[0])))


def _check_pins(instance: Instance, assignment: Mapping[str, str],
                violations: list[Violation]) -> None:
    rules = instance.rules
    lot_of_label: dict[str, str] = {}
    for d, label in rules.pinned.items():
        lot = assignment.get(d)
        if lot is None:
            continue
        if label in lot_of_label and lot_of_label[label] != lot:
            violations.append(Violation(
                "pinned", f"district {d} is pinned to lot {label!r} with other districts but "
                f"lies in lot {lot}, apart from them", lots=(lot,), districts=(d,)))
        lot_of_label.setdefault(label, lot)
    if len(set(lot_of_label.values())) < len(lot_of_label):
        violations.append(Violation("pinned", "districts pinned to different lots share one lot"))
    for group in rules.together:
        lots = {assignment.get(d) for d in group}
        if len(lots) > 1:
            violations.append(Violation(
                "together", f"districts {', '.join(group)} must be in one lot but lie in "
                f"{len(lots)} lots", districts=tuple(group)))


def _accepted_combinations(instance: Instance, winners: Mapping[str, str],
                           combinations: tuple[str, ...], pricing: str,
                           violations: list[Violation]) -> dict[str, str]:
    combo_of_lot: dict[str, str] = {}
    by_id = {c.id: c for c in instance.combination_bids}
    for cid in combinations:
        combo = by_id.get(cid)
        if combo is None:
            violations.append(Violation("combination", f"unknown combination bid {cid!r}"))
            continue
        if pricing != "lot_bids":
            violations.append(Violation("combination", f"combination bid {cid} needs a fixed "
                                        "design with lot bids"))
            continue
        for lot in combo.lots:
            if winners.get(lot) != combo.bidder:
                violations.append(Violation(
                    "combination", f"combination bid {cid} of {combo.bidder} is accepted but "
                    f"lot {lot} is won by {winners.get(lot)}", lots=(lot,)))
            if lot in combo_of_lot:
                violations.append(Violation("combination", f"lot {lot} is in two accepted "
                                            "combination bids", lots=(lot,)))
            combo_of_lot[lot] = cid
    return combo_of_lot


def _lot_bid_cost(instance: Instance, lot: str, winner: str, shares: Mapping[str, LotShare],
                  violations: list[Violation]) -> float:
    if (instance.lots or {}) and lot not in set(instance.lots.values()):
        violations.append(Violation("fixed_design", f"lot {lot} is not a lot of the fixed "
                                    "design", lots=(lot,)))
    if lot in shares:
        return shares[lot].amount
    bid = _lot_bid_index(instance).get((winner, lot))
    if bid is None:
        violations.append(Violation("bid", f"lot {lot}: winner {winner} has no bid on this lot",
                                    lots=(lot,)))
        return 0.0
    return bid.price


_LOT_BID_INDEX: dict[int, tuple[Instance, dict]] = {}


def _lot_bid_index(instance: Instance) -> dict:
    """(bidder, lot) -> lot bid, built once per instance (lot bids can number 25,000)."""
    cached = _LOT_BID_INDEX.get(id(instance))
    if cached is None or cached[0] is not instance:
        cached = (instance, {(b.bidder, b.lot): b for b in instance.lot_bids})
        _LOT_BID_INDEX.clear()
        _LOT_BID_INDEX[id(instance)] = cached
    return cached[1]


def _district_cost(instance: Instance, lot: str, winner: str, districts: tuple[str, ...],
                   violations: list[Violation]) -> float:
    cost = instance.bidder_by_id[winner].lot_fee
    missing = []
    for d in districts:
        price = instance.price(winner, d)
        if price is None:
            missing.append(d)
        else:
            cost += price * instance.clients(d)
    if missing:
        violations.append(Violation("bid", f"lot {lot}: winner {winner} has no bid on "
                                    f"district(s) {', '.join(missing[:10])}", lots=(lot,),
                                    districts=tuple(missing)))
    return cost


def _client_bounds(instance: Instance, lot: str, clients: int,
                   violations: list[Violation]) -> float:
    rules = instance.rules
    low, high = rules.lot_clients_min, rules.lot_clients_max
    short = max(0, low - clients) if low is not None else 0
    excess = max(0, clients - high) if high is not None else 0
    if rules.soft_client_bounds:
        return float(rules.lot_clients_penalty) * (short + excess)
    if short:
        violations.append(Violation("lot_clients_min", f"lot {lot} has {clients:,} clients, "
                                    f"below the minimum {low:,}", lots=(lot,)))
    if excess:
        violations.append(Violation("lot_clients_max", f"lot {lot} has {clients:,} clients, "
                                    f"above the maximum {high:,}", lots=(lot,)))
    return 0.0


def _check_bidders(instance: Instance, figures: list[LotFigures],
                   violations: list[Violation]) -> None:
    won: dict[str, list[LotFigures]] = defaultdict(list)
    for f in figures:
        if f.winner is not None:
            won[f.winner].append(f)
    for bidder, lots in sorted(won.items()):
        limit = instance.max_lots(bidder)
        if limit is not None and len(lots) > limit:
            violations.append(Violation(
                "max_lots_per_bidder", f"bidder {bidder} wins {len(lots)} lots, more than its "
                f"limit of {limit}", lots=tuple(f.lot for f in lots)))
        capacity = instance.bidder_by_id[bidder].capacity
        clients = sum(f.clients for f in lots)
        if capacity is not None and clients > capacity:
            violations.append(Violation(
                "capacity", f"bidder {bidder} wins {clients:,} clients, above its capacity of "
                f"{capacity:,}", lots=tuple(f.lot for f in lots)))
    rules = instance.rules
    if rules.min_winners is not None and len(won) < rules.min_winners:
        violations.append(Violation("min_winners", f"{len(won)} distinct winners, fewer than "
                                    f"the minimum {rules.min_winners}"))
    if rules.max_winners is not None and len(won) > rules.max_winners:
        violations.append(Violation("max_winners", f"{len(won)} distinct winners, more than "
                                    f"the maximum {rules.max_winners}"))


def _cut_border_km(instance: Instance, assignment: Mapping[str, str]) -> float:
    return sum(e.border_m for e in instance.edges
               if assignment.get(e.a) != assignment.get(e.b)) / 1000.0


def changed_districts(current: Mapping[str, str], assignment: Mapping[str, str]) -> int:
    """Districts that leave their current area, under the one-to-one matching of new lots to
    current areas that keeps the most districts in place (lot labels are arbitrary)."""
    kept = sum(n for _, _, n in best_area_matching(current, assignment))
    return sum(1 for d in assignment if d in current) - kept


def best_area_matching(current: Mapping[str, str], assignment: Mapping[str, str],
                       ) -> list[tuple[str, str, int]]:
    """(lot, area, districts kept in place) of the one-to-one matching of new lots to
    current areas that keeps the most districts in place."""
    new_lots = sorted(set(assignment.values()), key=natural_key)
    old_lots = sorted(set(current.values()), key=natural_key)
    overlap = [[0] * len(old_lots) for _ in new_lots]
    index_new = {lot: i for i, lot in enumerate(new_lots)}
    index_old = {lot: i for i, lot in enumerate(old_lots)}
    for d, lot in assignment.items():
        if d in current:
            overlap[index_new[lot]][index_old[current[d]]] += 1
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    return [(new_lots[r], old_lots[c], overlap[r][c]) for r, c in zip(rows, cols, strict=True)]


def _changed_districts(instance: Instance, assignment: Mapping[str, str],
                       violations: list[Violation]) -> int | None:
    if not instance.current_lots or not assignment:
        return None
    changed = changed_districts(instance.current_lots, assignment)
    cap = instance.rules.max_changed_districts
    if cap is not None and changed > cap:
        violations.append(Violation("max_changed_districts", f"{changed} districts change "
                                    f"area, more than the cap of {cap}"))
    return changed
