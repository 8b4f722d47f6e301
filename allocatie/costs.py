"""The cost of giving a district to a bidder: one definition for design, award and compare.

Because a district's cost depends only on which bidder serves it, ::

    cost[d, b] = price(b, d) x clients(d) + transition_cost x switching(d, b)
    switching(d, b) = served(d) - incumbent(d, b)

where ``served(d)`` are the clients of ``d`` with a provider today and ``incumbent(d, b)`` those
served by ``b`` (clients without a provider today do not switch); ``inf`` where ``b`` did not
bid on ``d``. A lot's cost for a bidder is its lot fee plus the sum over its districts. The
checker (:mod:`allocatie.checker`) recomputes the same figures on its own, on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocatie.instance import Instance


@dataclass(frozen=True, eq=False)
class CostMatrix:
    """Per-(district, bidder) figures of an instance, indexed by position: district ``i`` is
    ``instance.districts[i]``, bidder ``j`` is ``instance.bidders[j]``. Arrays are read-only.

    ``price`` (n, B) EUR per client (``nan`` = no bid), ``clients`` and ``served`` (n,),
    ``incumbent`` (n, B) clients served today by the bidder, ``purchase`` (n, B) price x
    clients (0 without a bid), ``switching`` (n, B) clients who switch, ``cost`` (n, B) EUR per
    year including transitions (``inf`` without a bid).
    """

    district_ids: tuple[str, ...]
    bidder_ids: tuple[str, ...]
    price: np.ndarray
    clients: np.ndarray
    served: np.ndarray
    incumbent: np.ndarray
    purchase: np.ndarray
    switching: np.ndarray
    cost: np.ndarray
    transition_cost: float

    @property
    def can_serve(self) -> np.ndarray:
        """(n, B) bool: the bidder bid on the district."""
        return np.isfinite(self.cost)


def cost_matrix(instance: Instance) -> CostMatrix:
    """The cost table of ``instance``. Bids naming unknown districts or bidders are ignored
    (the instance validation reports them)."""
    ids = instance.district_ids
    bidder_ids = instance.bidder_ids
    index = {d: i for i, d in enumerate(ids)}
    bidder_index = {b: j for j, b in enumerate(bidder_ids)}
    n, nb = len(ids), len(bidder_ids)
    clients = np.array([d.clients for d in instance.districts], dtype=np.int64)
    served = np.array([d.served for d in instance.districts], dtype=np.int64)
    incumbent = np.zeros((n, nb), dtype=np.int64)
    for i, d in enumerate(instance.districts):
        for provider, count in d.incumbents.items():
            j = bidder_index.get(provider)
            if j is not None:
                incumbent[i, j] += count
    price = np.full((n, nb), np.nan)
    for (b, d), p in instance.bids.items():
        if b in bidder_index and d in index:
            price[index[d], bidder_index[b]] = float(p)
    can_serve = ~np.isnan(price)
    switching = served[:, None] - incumbent
    purchase = np.nan_to_num(price) * clients[:, None]
    transition_cost = float(instance.rules.transition_cost)
    with np.errstate(invalid="ignore"):
        cost = np.where(can_serve, purchase + transition_cost * switching, np.inf)
    for array in (price, clients, served, incumbent, purchase, switching, cost):
        array.setflags(write=False)
    return CostMatrix(ids, bidder_ids, price, clients, served, incumbent, purchase, switching,
                      cost, transition_cost)


def district_costs(instance: Instance) -> dict[tuple[str, str], float]:
    """``(district, bidder) -> cost`` in EUR for every bid on a known district and bidder, in
    the order of ``instance.bids`` (the MILP builders add their variables in this order)."""
    table = cost_matrix(instance)
    index = {d: i for i, d in enumerate(table.district_ids)}
    bidder_index = {b: j for j, b in enumerate(table.bidder_ids)}
    return {(d, b): float(table.cost[index[d], bidder_index[b]])
            for (b, d) in instance.bids if d in index and b in bidder_index}
