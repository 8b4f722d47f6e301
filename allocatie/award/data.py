"""The award's view of an instance: the fixed lots, every usable bid on them and its figures.

Pricing (as the checker computes it):

- ``lot_bids``: the price of lot L for bidder b is b's lot bid on L;
- ``district`` (no lot bids in the instance): lot_fee(b) + sum_{d in L} price(b, d) x
  clients(d); a bidder that did not bid on every district of L cannot win L.

transitions(L, b) = clients in L served today by a provider other than b (clients without a
provider do not count). value(L, b) = price + transition_cost x transitions: what the spec's
objective charges for b winning L. The objective of an award adds a constant for the fixed
design (soft client-bound penalties and the compactness term), equal for every award.

Award criteria (:data:`CRITERIA`):

- ``price``: lowest price; the optimal rule minimises the spec's objective;
- ``price_quality``: best price-quality ratio, with quality weight q (0..1) and the bid's
  quality points s (``LotBid.score``, 0-100; missing = 0)::

      score(L, b) = (1 - q) x 100 x lowest price on L / price(L, b) + q x s(L, b)

  The lowest price is taken over every valid bid on the lot, so a score does not change while
  an award rule runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

from allocatie.costs import cost_matrix
from allocatie.errors import UsageError
from allocatie.instance import Instance
from allocatie.text import natural_key

CRITERIA = ("price", "price_quality")
PRICE_DECIMALS = 2  # prices equal to the cent are a tie
SCORE_DECIMALS = 4  # scores equal to 1/10,000 point are a tie


@dataclass(frozen=True)
class Option:
    """A way for one bidder to win one lot on its own (a lot bid, or district bids)."""

    lot: str
    bidder: str
    price: float
    transitions: int
    quality: float | None = None
    preference: int | None = None


@dataclass(frozen=True)
class Combo:
    """A combination bid that can be accepted: all its lots are in the design."""

    id: str
    bidder: str
    lots: tuple[str, ...]
    price: float
    transitions: int
    clients: int


@dataclass(frozen=True)
class AwardData:
    """Lots of the fixed design (natural order), their clients and districts, the usable bids
    and the constant part of the objective. Build it with :func:`award_data`."""

    instance: Instance
    pricing: str
    lots: tuple[str, ...]
    members: Mapping[str, tuple[str, ...]]
    clients: Mapping[str, int]
    options: tuple[Option, ...]
    combos: tuple[Combo, ...]
    constant: float
    notes: tuple[dict, ...] = ()

    @property
    def transition_cost(self) -> float:
        return float(self.instance.rules.transition_cost)

    @cached_property
    def by_lot(self) -> Mapping[str, tuple[Option, ...]]:
        """lot -> its options, in bidder order of the instance."""
        grouped: dict[str, list[Option]] = {lot: [] for lot in self.lots}
        for o in self.options:
            grouped[o.lot].append(o)
        return MappingProxyType({lot: tuple(v) for lot, v in grouped.items()})

    @cached_property
    def option_of(self) -> Mapping[tuple[str, str], Option]:
        return MappingProxyType({(o.lot, o.bidder): o for o in self.options})

    @cached_property
    def combo_by_id(self) -> Mapping[str, Combo]:
        return MappingProxyType({c.id: c for c in self.combos})

    @cached_property
    def bidders(self) -> tuple[str, ...]:
        """Bidders with at least one usable bid, in the instance's order."""
        active = {o.bidder for o in self.options} | {c.bidder for c in self.combos}
        return tuple(b for b in self.instance.bidder_ids if b in active)

    @cached_property
    def total_clients(self) -> int:
        return sum(self.clients.values())

    def max_lots(self, bidder: str) -> int | None:
        return self.instance.max_lots(bidder)

    def capacity(self, bidder: str) -> int | None:
        return self.instance.bidder_by_id[bidder].capacity

    def value(self, option: Option) -> float:
        """price + transition_cost x transitions (EUR)."""
        return option.price + self.transition_cost * option.transitions

    def combo_value(self, combo: Combo) -> float:
        return combo.price + self.transition_cost * combo.transitions

    @cached_property
    def served_today(self) -> Mapping[str, tuple[int, Mapping[str, int]]]:
        """lot -> (its clients served today, provider -> its clients in the lot today)."""
        district_by_id = self.instance.district_by_id
        table = {}
        for lot, districts in self.members.items():
            served = 0
            by_provider: dict[str, int] = defaultdict(int)
            for d in districts:
                for provider, clients in district_by_id[d].incumbents.items():
                    served += clients
                    by_provider[provider] += clients
            table[lot] = (served, MappingProxyType(dict(by_provider)))
        return MappingProxyType(table)

    def transitions(self, lot: str, bidder: str) -> int:
        """Clients of ``lot`` served today by a provider other than ``bidder``."""
        served, by_provider = self.served_today[lot]
        return served - by_provider.get(bidder, 0)

    def figures(self, winners: Mapping[str, str],
                combinations: tuple[str, ...] = ()) -> tuple[float, int, float]:
        """(cost, transitions, objective) of a complete award, in EUR and clients.

        Raises KeyError when a winner has no usable bid on its lot."""
        covered: set[str] = set()
        cost = 0.0
        for cid in combinations:
            combo = self.combo_by_id[cid]
            cost += combo.price
            covered.update(combo.lots)
        moved = 0
        for lot in self.lots:
            bidder = winners[lot]
            moved += self.transitions(lot, bidder)
            if lot not in covered:
                cost += self.option_of[(lot, bidder)].price
        return cost, moved, cost + self.transition_cost * moved + self.constant

    def mean_price(self, lot: str) -> float | None:
        """Mean of the prices bid on ``lot`` (None without bids): the lot's value."""
        prices = [o.price for o in self.by_lot[lot]]
        return sum(prices) / len(prices) if prices else None

    def lowest_price(self, lot: str) -> float | None:
        prices = [o.price for o in self.by_lot[lot]]
        return min(prices) if prices else None

    @cached_property
    def _lots_of(self) -> Mapping[str, tuple[str, ...]]:
        reach: dict[str, list[str]] = {b: [] for b in self.bidders}
        for lot, options in self.by_lot.items():  # lots in order: each list stays sorted
            for o in options:
                won = reach[o.bidder]
                if not won or won[-1] != lot:
                    won.append(lot)
        if self.combos:
            rank = {lot: i for i, lot in enumerate(self.lots)}
            for c in self.combos:
                reach[c.bidder] = sorted({*reach[c.bidder], *c.lots}, key=rank.__getitem__)
        return MappingProxyType({b: tuple(lots) for b, lots in reach.items()})

    def lots_of(self, bidder: str) -> tuple[str, ...]:
        """Lots ``bidder`` could win (a usable bid on it, alone or in a combination)."""
        return self._lots_of.get(bidder, ())


def award_data(instance: Instance) -> AwardData:
    """The award data of ``instance``'s fixed design.

    Raises :class:`UsageError` when the instance has no fixed design (``lots.csv``)."""
    if not instance.lots:
        raise UsageError("the instance has no fixed design: an award needs lots.csv (district,"
                         " lot); use `allocatie design` to draw the lots first")
    members: dict[str, list[str]] = defaultdict(list)
    for d in instance.district_ids:
        lot = instance.lots.get(d)
        if lot not in (None, ""):
            members[str(lot)].append(d)
    lots = tuple(sorted(members, key=natural_key))
    clients = {lot: sum(instance.clients(d) for d in members[lot]) for lot in lots}
    notes: list[dict] = []
    pricing = "lot_bids" if instance.lot_bids else "district"
    data = AwardData(instance, pricing, lots, {k: tuple(v) for k, v in members.items()},
                     clients, (), (), _design_constant(instance, members, clients))
    if pricing == "lot_bids":
        options = _lot_bid_options(data, notes)
        combos = _combos(data, notes)
    else:
        options = _district_options(data)
        combos = ()
        if instance.combination_bids:
            notes.append({"kind": "note", "key": "combos_need_lot_bids",
                          "count": len(instance.combination_bids)})
    return AwardData(instance, pricing, lots, data.members, data.clients, tuple(options),
                     tuple(combos), data.constant, tuple(notes))


def _lot_bid_options(data: AwardData, notes: list[dict]) -> list[Option]:
    instance = data.instance
    lot_rank = {lot: i for i, lot in enumerate(data.lots)}  # the known lots
    bidder_rank = {b: i for i, b in enumerate(instance.bidder_ids)}
    served_today = data.served_today
    options: dict[tuple[str, str], Option] = {}
    for bid in instance.lot_bids:
        lot, bidder = bid.lot, bid.bidder
        if lot not in lot_rank:
            notes.append({"kind": "note", "key": "bid_unknown_lot", "bidder": bidder,
                          "lot": lot})
        elif bidder not in bidder_rank:
            notes.append({"kind": "note", "key": "bid_unknown_bidder", "bidder": bidder,
                          "lot": lot})
        elif (lot, bidder) in options:  # the checker prices the first one
            notes.append({"kind": "note", "key": "bid_duplicate", "bidder": bidder,
                          "lot": lot})
        else:
            served, by_provider = served_today[lot]
            score = bid.score
            options[(lot, bidder)] = Option(
                lot, bidder, float(bid.price), served - by_provider.get(bidder, 0),
                None if score is None else float(score), bid.preference)
    width = len(instance.bidder_ids)  # above every bidder rank
    return sorted(options.values(),
                  key=lambda o: lot_rank[o.lot] * width + bidder_rank[o.bidder])


def _district_options(data: AwardData) -> list[Option]:
    instance = data.instance
    table = cost_matrix(instance)
    index = {d: i for i, d in enumerate(table.district_ids)}
    options = []
    for lot in data.lots:
        rows = [index[d] for d in data.members[lot]]
        for j, bidder in enumerate(instance.bidders):
            if not table.can_serve[rows, j].all():
                continue
            price = bidder.lot_fee + sum(float(table.purchase[i, j]) for i in rows)
            options.append(Option(lot, bidder.id, float(price),
                                  data.transitions(lot, bidder.id)))
    return options


def _combos(data: AwardData, notes: list[dict]) -> list[Combo]:
    instance = data.instance
    combos = []
    seen: set[str] = set()
    for c in instance.combination_bids:
        lots = tuple(sorted({str(lot) for lot in c.lots}, key=natural_key))
        unknown = [lot for lot in lots if lot not in data.clients]
        if c.id in seen:
            notes.append({"kind": "note", "key": "combo_duplicate", "combo": c.id})
        elif c.bidder not in instance.bidder_by_id:
            notes.append({"kind": "note", "key": "combo_unknown_bidder", "combo": c.id,
                          "bidder": c.bidder})
        elif unknown or not lots:
            notes.append({"kind": "note", "key": "combo_unknown_lot", "combo": c.id,
                          "lots": unknown})
        else:
            combos.append(Combo(c.id, c.bidder, lots, float(c.price),
                                sum(data.transitions(lot, c.bidder) for lot in lots),
                                sum(data.clients[lot] for lot in lots)))
        seen.add(c.id)
    return combos


def _design_constant(instance: Instance, members: Mapping[str, list[str]],
                     clients: Mapping[str, int]) -> float:
    """Objective terms fixed by the design: soft client-bound penalties and compactness."""
    rules = instance.rules
    total = 0.0
    if rules.soft_client_bounds:
        for n in clients.values():
            short = max(0, rules.lot_clients_min - n) if rules.lot_clients_min is not None else 0
            excess = max(0, n - rules.lot_clients_max) if rules.lot_clients_max is not None else 0
            total += float(rules.lot_clients_penalty) * (short + excess)
    if rules.compactness_weight:
        lot_of = instance.lots or {}
        cut_m = sum(e.border_m for e in instance.edges if lot_of.get(e.a) != lot_of.get(e.b))
        total += rules.compactness_weight * cut_m / 1000.0
    return total


def quality_scores(data: AwardData, quality_weight: float) -> dict[tuple[str, str], float]:
    """(lot, bidder) -> price-quality score (see the module docstring)."""
    scores = {}
    for lot in data.lots:
        low = data.lowest_price(lot)
        for o in data.by_lot[lot]:
            price_part = 100.0 if o.price <= 0 or low is None or low <= 0 else (
                100.0 * low / o.price)
            scores[(lot, o.bidder)] = ((1.0 - quality_weight) * price_part
                                       + quality_weight * (o.quality or 0.0))
    return scores
