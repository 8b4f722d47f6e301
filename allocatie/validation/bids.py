"""Bidders and their bids: known ids, prices, capacities, districts nobody bids on."""

from __future__ import annotations

from collections import Counter, defaultdict

from allocatie.text import list_ids, natural_key
from allocatie.validation.context import (
    Checks,
    fmt,
    is_count,
    is_number,
)


class BidChecks(Checks):
    def bidders(self) -> None:
        i = self.i
        role = "bidders"
        if not i.bidders:
            if not self.bidders_known:
                return
            self.add(role, "no bidders", hint="list the bidders in a table with a column "
                     "bidder and point [files] bidders to it")
            return
        for b, n in Counter(i.bidder_ids).items():
            if n > 1:
                self.add(role, f"duplicate bidder {b}: {n} rows", key=(b,), id=b,
                         hint="keep one row per bidder")
        for bidder in i.bidders:
            b = bidder.id
            if bidder.capacity is not None and (not is_count(bidder.capacity)
                                                or bidder.capacity < 0):
                self.add(role, f"capacity {bidder.capacity!r}; expected a whole number of "
                         "clients >= 0 (empty = unlimited)", key=(b,), id=b,
                         hint="correct the capacity column")
            if bidder.max_lots is not None:
                if not is_count(bidder.max_lots) or bidder.max_lots < 0:
                    self.add(role, f"max_lots {bidder.max_lots!r}; expected a whole number "
                             ">= 1 (empty = the rule)", key=(b,), id=b,
                             hint="correct the max_lots column")
                elif bidder.max_lots == 0:
                    self.add(role, "max_lots 0: this bidder can win no lot", key=(b,), id=b,
                             warning=True)
            if not is_number(bidder.lot_fee) or bidder.lot_fee < 0:
                self.add(role, f"lot_fee {bidder.lot_fee!r}; expected EUR >= 0 (empty = 0)",
                         key=(b,), id=b, hint="correct the lot_fee column")

    def bids(self) -> None:
        i = self.i
        role = "bids"
        unknown_d: dict[str, list[str]] = defaultdict(list)
        unknown_b: dict[str, list[str]] = defaultdict(list)
        for (b, d), price in i.bids.items():
            if d not in self.district_ids and self.districts_known:
                unknown_d[d].append(b)
            if b not in self.bidder_ids and self.bidders_known:
                unknown_b[b].append(d)
            if price is None or not is_number(price) or price <= 0:
                shown = "missing" if price is None else fmt(price) if is_number(price) \
                    else repr(price)
                self.add(role, f"price {shown} of {b} for {d}; expected EUR per client per "
                         "year > 0", key=(b, d), id=f"{b}/{d}",
                         hint="correct the price, or delete the row if the bidder does not "
                              "bid on this district")
            self.bidders_of[d].add(b)
        for d, bs in sorted(unknown_d.items()):
            rows = self.rows_of(role, [(b, d) for b in bs])
            self.add_at(role, rows, f"bid on unknown district {d} (from {list_ids(sorted(bs))})",
                        id=d, hint="use a district id of the districts file, or delete the row")
        for b, ds in sorted(unknown_b.items()):
            rows = self.rows_of(role, [(b, d) for d in ds])
            self.add_at(role, rows, f"bid from unknown bidder {b} ({len(ds)} bid(s))", id=b,
                        hint=f"add {b} to the bidders file, or correct the name")
        if not self.district_ids or "bids" in self.unread:
            return
        if not i.bids and not self.fixed_lot_bids:
            self.add(role, "no prices: neither per-district bids nor a fixed design with lot "
                     "bids", hint="add bids = \"bids.csv\" with columns "
                                  "bidder,district_id,price to [files], or lots and lot_bids; "
                                  "before the bids are in: [bids] expected_tariff = EUR per "
                                  "client (every current provider bids that)")
            return
        if i.bids:
            nobody = sorted((d for d in self.district_ids if d not in self.bidders_of),
                            key=natural_key)
            self.per_id("districts", nobody,
                        lambda d: f"nobody bids on district {d}",
                        lambda ds: f"nobody bids on {len(ds)} districts: {list_ids(ds)}",
                        hint="a lot can only be won by a bidder who bids on all its "
                             "districts; add bids for it")
            self.too_big_for_bidders()
        active = {b for b, _ in i.bids} | {lb.bidder for lb in i.lot_bids} | {
            c.bidder for c in i.combination_bids}
        for b in i.bidder_ids:
            if b not in active:
                self.add("bidders", f"bidder {b} bids on nothing; it can win no lot",
                         key=(b,), id=b, warning=True)

    def too_big_for_bidders(self) -> None:
        if not self.clients_known:
            return
        for d in sorted(self.bidders_of, key=natural_key):
            if d not in self.district_ids:
                continue
            caps = [self.i.bidder_by_id[b].capacity for b in self.bidders_of[d]
                    if b in self.bidder_ids]
            clients = self.i.clients(d)
            if caps and None not in caps and is_number(clients) and \
                    all(is_number(c) for c in caps) and max(caps) < clients:
                self.add("districts", f"district {d} has {fmt(clients)} clients, more than the "
                         f"capacity of every bidder on it (largest {fmt(max(caps))})",
                         key=(d,), id=d, hint="raise a capacity or check the clients",
                         kind="rules")
