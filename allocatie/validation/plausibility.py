"""Numbers that parse but cannot be right: documented ranges, and outliers among the bids.

A price of EUR 1e15, a quality score of -50 or a capacity of a billion clients is a typo or
a broken export; such values are problems (see :data:`RANGES`, documented in
docs/instance-format.md). A price that is a factor :data:`OUTLIER_FACTOR` or more away from
the median of the other bids on the same district (or lot), or of the same bidder's other
bids, is probably a typo too (``3.926`` for ``3926``, a cut-off ``2`` for ``2719``), but may
be meant: a warning with the row.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from allocatie.instance import Instance

OUTLIER_FACTOR = 3.0  # a bid this many times above or below the median of its peers
PEERS = 3  # the median needs at least this many other bids
LISTED_OUTLIERS = 20  # outliers warned one by one; more are counted in one warning


@dataclass(frozen=True)
class Range:
    """The values a field may take: ``low`` (exclusive when ``open_low``) to ``high``."""

    low: float
    high: float
    unit: str
    open_low: bool = False

    def holds(self, value: float) -> bool:
        above = value > self.low if self.open_low else value >= self.low
        return above and value <= self.high

    def text(self) -> str:
        low = f"> {_fmt(self.low)}" if self.open_low else f">= {_fmt(self.low)}"
        return f"{low} and <= {_fmt(self.high)} {self.unit}"


# (role, column) -> range; the lower ends (> 0, >= 0) are checked in validation as well
RANGES: dict[tuple[str, str], Range] = {
    ("bids", "price"): Range(0, 100_000, "EUR per client per year", open_low=True),
    ("lot_bids", "price"): Range(0, 1_000_000_000, "EUR per year", open_low=True),
    ("combination_bids", "price"): Range(0, 1_000_000_000, "EUR per year", open_low=True),
    ("lot_bids", "score"): Range(0, 100, "quality points"),
    ("bidders", "lot_fee"): Range(0, 100_000_000, "EUR per lot"),
    ("bidders", "capacity"): Range(0, 1_000_000, "clients"),
    ("districts", "clients"): Range(0, 1_000_000, "clients"),
}

# add(role, message, hint, key, id, warning): validation's way to record a located problem
Add = Callable[..., None]


def check_plausibility(instance: Instance, add: Add) -> None:
    """Record values outside :data:`RANGES` as problems and outlying bids as warnings."""
    _ranges(instance, add)
    _outliers(instance, add)


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{4 if abs(value) < 100 else 2}f}".rstrip("0").rstrip(".")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and \
        math.isfinite(value)


def _out_of_range(role: str, column: str, value: object) -> bool:
    """Outside the range; for the fields whose low end validation rejects already (prices
    <= 0, negative capacities, fees and clients) only the high end counts here."""
    if not _number(value):
        return False  # reported by validation
    limits = RANGES[(role, column)]
    if column == "score":
        return not limits.holds(value)  # type: ignore[arg-type]
    return value > limits.high  # type: ignore[operator]


def _ranges(instance: Instance, add: Add) -> None:
    def check(role: str, column: str, value: object, key: tuple, id: str, what: str) -> None:
        if _out_of_range(role, column, value):
            limits = RANGES[(role, column)]
            add(role, f"{what} {_fmt(value)} is outside the range {limits.text()}",  # type: ignore[arg-type]
                hint=f"correct the {column}; the ranges are in docs/instance-format.md",
                key=key, id=id)

    for (b, d), price in instance.bids.items():
        check("bids", "price", price, (b, d), f"{b}/{d}", f"price of {b} for {d}")
    for bid in instance.lot_bids:
        key, label = (bid.bidder, bid.lot), f"{bid.bidder}/{bid.lot}"
        check("lot_bids", "price", bid.price, key, label, "price")
        if bid.score is not None:
            check("lot_bids", "score", bid.score, key, label, "quality score")
    for combo in instance.combination_bids:
        check("combination_bids", "price", combo.price, (combo.id,), combo.id, "price")
    for bidder in instance.bidders:
        check("bidders", "lot_fee", bidder.lot_fee, (bidder.id,), bidder.id, "lot_fee")
        if bidder.capacity is not None:
            check("bidders", "capacity", bidder.capacity, (bidder.id,), bidder.id, "capacity")
    for district in instance.districts:
        check("districts", "clients", district.clients, (district.id,), district.id,
              f"district {district.id} has clients")


def _outliers(instance: Instance, add: Add) -> None:
    district_bids = [(b, d, p) for (b, d), p in instance.bids.items()
                     if _positive(p) and not _out_of_range("bids", "price", p)]
    lot_bids = [(bid.bidder, bid.lot, bid.price) for bid in instance.lot_bids
                if _positive(bid.price) and not _out_of_range("lot_bids", "price", bid.price)]
    for role, bids, place in (("bids", district_bids, "district"), ("lot_bids", lot_bids, "lot")):
        found = list(_outlying(bids, place))
        for (b, where, price), why in found[:LISTED_OUTLIERS]:
            add(role, f"price {_fmt(price)} of {b} for {place} {where} is {why}; is it a "
                "typo?", key=(b, where), id=f"{b}/{where}", warning=True)
        if len(found) > LISTED_OUTLIERS:
            add(role, f"{len(found) - LISTED_OUTLIERS} more prices are {OUTLIER_FACTOR:g} times "
                "above or below the median of their peers", warning=True)


def _positive(value: object) -> bool:
    return _number(value) and value > 0  # type: ignore[operator]


def _outlying(bids: list[tuple[str, str, float]],
              place: str) -> Iterable[tuple[tuple[str, str, float], str]]:
    """Bids far from the median of the other bids on the same place, or of the same bidder."""
    on_place: dict[str, list[float]] = defaultdict(list)
    by_bidder: dict[str, list[float]] = defaultdict(list)
    for b, where, price in bids:
        on_place[where].append(price)
        by_bidder[b].append(price)
    for group in (*on_place.values(), *by_bidder.values()):
        group.sort()
    for bid in bids:
        b, where, price = bid
        for peers, whose in ((on_place[where], f"the other bids on {place} {where}"),
                             (by_bidder[b], f"{b}'s other bids")):
            if len(peers) - 1 < PEERS:
                continue
            median = _median_without(peers, price)
            if price * OUTLIER_FACTOR <= median or price >= median * OUTLIER_FACTOR:
                ratio = median / price if price < median else price / median
                side = "below" if price < median else "above"
                shown = f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.1f}"
                yield bid, f"{shown} times {side} the median {_fmt(median)} of {whose}"
                break


def _median_without(ordered: list[float], value: float) -> float:
    """The median of the sorted list ``ordered`` with one ``value`` taken out (O(log n))."""
    gone = bisect.bisect_left(ordered, value)
    n = len(ordered) - 1

    def at(k: int) -> float:
        return ordered[k if k < gone else k + 1]

    return at(n // 2) if n % 2 else (at(n // 2 - 1) + at(n // 2)) / 2
