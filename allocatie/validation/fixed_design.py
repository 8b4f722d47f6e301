"""The fixed design of an award: lots, lot bids, combination bids and today's lots."""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx

from allocatie.instance import CONTIGUITY
from allocatie.text import list_ids, natural_key
from allocatie.validation.context import (
    Checks,
    describe_parts,
    fmt,
    is_count,
    is_number,
    plural,
)


class FixedDesignChecks(Checks):
    def fixed_design(self) -> None:
        i = self.i
        lots = i.lots
        if not lots:
            if "lots" in self.unread:
                return
            if i.lot_bids:
                self.add("lot_bids", "lot bids without a fixed design", hint="add lots = "
                         "\"lots.csv\" with columns district_id,lot to [files]")
            if i.combination_bids:
                self.add("combination_bids", "combination bids without a fixed design",
                         hint="add lots = \"lots.csv\" with columns district_id,lot to [files]")
            return
        unknown = sorted((d for d in lots if d not in self.district_ids and self.districts_known),
                         key=natural_key)
        for d in unknown:
            self.add("lots", f"unknown district {d} in the lot design", key=(d,), id=d,
                     hint="use a district id of the districts file, or delete the row")
        missing = sorted((d for d in self.district_ids if d not in lots), key=natural_key)
        self.per_id("lots", missing, lambda d: f"district {d} is in no lot of the design",
                    lambda ds: f"{len(ds)} districts are in no lot of the design: "
                               f"{list_ids(ds)}",
                    hint="add a row district_id,lot for every district")
        empty = sorted((d for d, lot in lots.items() if lot in (None, "")), key=natural_key)
        for d in empty:
            self.add("lots", f"district {d} has an empty lot", key=(d,), id=d,
                     hint="fill in the lot column")
        design = set(i.lot_ids) - {""}
        r = i.rules
        if "lots_min" not in self.bad_rules and "lots_max" not in self.bad_rules and \
                not r.lots_min <= len(design) <= r.lots_max:
            wanted = str(r.lots_min) if r.lots_min == r.lots_max else \
                f"{r.lots_min} to {r.lots_max}"
            extra, rows = self.smallest_lots(design, len(design) - r.lots_max)
            self.add_at("lots", rows, f"the design has {plural(len(design), 'lot')}; [rules] "
                        f"asks for {wanted}{extra}",
                        hint="make [rules] lots match the design, or change the design",
                        kind="fixed_lots_shape")
        self.lot_bids(design)
        self.combinations(design)
        self.fixed_lot_shapes(design)

    def fixed_lot_shapes(self, design: set[str]) -> None:
        """Every fixed lot must be contiguous and within the hard client bounds."""
        i, r = self.i, self.i.rules
        members: dict[str, list[str]] = defaultdict(list)
        for d, lot in (i.lots or {}).items():
            if d in self.district_ids and lot in design:
                members[lot].append(d)
        hint = ("correct the lot column of the fixed design, loosen the rule in [rules], or "
                "award the lots as published with award --accept-fixed-lots")
        if r.contiguity in CONTIGUITY and r.contiguity != "none" and self.districts_known:
            graph = nx.Graph()
            graph.add_edges_from((e.a, e.b) for e in i.edges_for()
                                 if e.a in self.district_ids and e.b in self.district_ids)
            for lot in sorted(members, key=natural_key):
                ds = members[lot]
                graph.add_nodes_from(ds)
                parts = sorted((sorted(p, key=natural_key)
                                for p in nx.connected_components(graph.subgraph(ds))), key=len)
                if len(parts) > 1:
                    self.add_at("lots", self.rows_of("lots", [(d,) for d in parts[0]]),
                                f"lot {lot} is not contiguous ({r.contiguity}): "
                                f"{len(parts)} parts {describe_parts(parts)}", id=lot,
                                hint=hint, kind="fixed_lots_shape")
        if r.soft_client_bounds or not self.clients_known:
            return
        for lot in sorted(members, key=natural_key):
            clients = sum(int(i.clients(d)) for d in members[lot] if is_count(i.clients(d)))
            if r.lot_clients_min is not None and clients < r.lot_clients_min:
                self.add("lots", f"lot {lot} has {fmt(clients)} clients, below lot_clients_min "
                         f"{fmt(r.lot_clients_min)}", id=lot, hint=hint, kind="fixed_lots_shape")
            if r.lot_clients_max is not None and clients > r.lot_clients_max:
                self.add("lots", f"lot {lot} has {fmt(clients)} clients, above lot_clients_max "
                         f"{fmt(r.lot_clients_max)}", id=lot, hint=hint, kind="fixed_lots_shape")

    def smallest_lots(self, design: set[str], surplus: int) -> tuple[str, list[int]]:
        """With ``surplus`` lots too many: the smallest lots named (a typo in a lot label
        makes a lot of one district) and their rows; ("", []) otherwise."""
        if surplus <= 0 or not self.i.lots:
            return "", []
        members: dict[str, list[str]] = defaultdict(list)
        for d, lot in self.i.lots.items():
            members[lot].append(d)
        smallest = sorted(design, key=lambda lot: (len(members[lot]), natural_key(lot)))
        named = smallest[:min(surplus, 3)]
        text = "; ".join(f"lot {lot} has {plural(len(members[lot]), 'district')} "
                         f"({list_ids(members[lot], 5)})" for lot in named)
        return f"; smallest: {text}", self.rows_of("lots", [(d,) for lot in named
                                                              for d in members[lot]])

    def lot_bids(self, design: set[str]) -> None:
        i = self.i
        role = "lot_bids"
        seen: Counter[tuple[str, str]] = Counter()
        unknown_lot: dict[str, list[str]] = defaultdict(list)
        unknown_bidder: dict[str, list[str]] = defaultdict(list)
        for bid in i.lot_bids:
            key = (bid.bidder, bid.lot)
            seen[key] += 1
            label = f"{bid.bidder}/{bid.lot}"
            if bid.lot not in design:
                unknown_lot[bid.lot].append(bid.bidder)
            if bid.bidder not in self.bidder_ids and self.bidders_known:
                unknown_bidder[bid.bidder].append(bid.lot)
            if not is_number(bid.price) or bid.price <= 0:
                shown = fmt(bid.price) if is_number(bid.price) else repr(bid.price)
                self.add(role, f"price {shown}; expected EUR per year for the lot > 0",
                         key=key, id=label, hint="correct the price")
            if bid.preference is not None and (not is_count(bid.preference)
                                               or bid.preference < 1):
                self.add(role, f"preference {bid.preference!r}; expected a rank 1, 2, ...",
                         key=key, id=label, hint="1 = the lot the bidder wants most")
            if bid.score is not None and not is_number(bid.score):
                self.add(role, f"score {bid.score!r} is not a number", key=key, id=label,
                         hint="correct the score")
        lots_text = list_ids(sorted(design, key=natural_key))
        for lot, bs in sorted(unknown_lot.items(), key=lambda x: natural_key(x[0])):
            self.add_at(role, self.rows_of(role, [(b, lot) for b in bs]),
                        f"bid on unknown lot {lot} (from {list_ids(sorted(set(bs)))}); the "
                        f"design has lots {lots_text}", id=lot,
                        hint="use a lot of the lots file, or delete the row")
        for b, ls in sorted(unknown_bidder.items()):
            self.add_at(role, self.rows_of(role, [(b, lot) for lot in ls]),
                        f"lot bids from unknown bidder {b} ({len(ls)} bid(s))", id=b,
                        hint=f"add {b} to the bidders file, or correct the name")
        for (b, lot), n in seen.items():
            if n > 1:
                self.add(role, f"{n} bids of {b} on lot {lot}", key=(b, lot), id=f"{b}/{lot}",
                         hint="keep one bid per bidder and lot")
        if i.lot_bids:
            with_bid = {bid.lot for bid in i.lot_bids
                        if bid.bidder in self.bidder_ids or not self.bidders_known}
            for lot in sorted(design - with_bid, key=natural_key):
                self.add(role, f"nobody bids on lot {lot}", id=lot,
                         hint="every lot needs at least one bid to be awarded",
                         kind="fixed_design")
        elif i.bids:
            self.lots_priced_by_district(design)

    def lots_priced_by_district(self, design: set[str]) -> None:
        """Without lot bids a lot is priced from district bids: someone must bid on all of it."""
        members: dict[str, list[str]] = defaultdict(list)
        for d, lot in self.i.lots.items():  # type: ignore[union-attr]
            if d in self.district_ids:
                members[lot].append(d)
        for lot in sorted(design, key=natural_key):
            ds = members.get(lot, [])
            if ds and not any(all((b, d) in self.i.bids for d in ds) for b in self.bidder_ids):
                self.add("lots", f"nobody bids on every district of lot {lot}, so it has no "
                         "price", id=lot, hint="add lot_bids, or bids covering the whole lot",
                         kind="fixed_design")

    def combinations(self, design: set[str]) -> None:
        role = "combination_bids"
        for cid, n in Counter(c.id for c in self.i.combination_bids).items():
            if n > 1:
                self.add(role, f"duplicate combination id {cid}: {n} rows", key=(cid,), id=cid,
                         hint="give every combination a unique name")
        for combo in self.i.combination_bids:
            key = (combo.id,)
            unknown = sorted((lot for lot in combo.lots if lot not in design), key=natural_key)
            if unknown:
                self.add(role, f"combination {combo.id} names unknown lot(s) "
                         f"{list_ids(unknown)}", key=key, id=combo.id,
                         hint="join lots of lots.csv with +, e.g. 1+2")
            if combo.bidder not in self.bidder_ids and self.bidders_known:
                self.add(role, f"combination bid from unknown bidder {combo.bidder}", key=key,
                         id=combo.id, hint=f"add {combo.bidder} to the bidders file")
            if not is_number(combo.price) or combo.price <= 0:
                shown = fmt(combo.price) if is_number(combo.price) else repr(combo.price)
                self.add(role, f"price {shown}; expected EUR per year > 0", key=key,
                         id=combo.id, hint="correct the price")
            if len(combo.lots) < 2:
                self.add(role, f"combination {combo.id} has {len(combo.lots)} lot(s); a "
                         "combination joins 2 or more", key=key, id=combo.id, warning=True)

    def current_lots(self) -> None:
        current = self.i.current_lots
        if not current:
            return
        unknown = (d for d in current if d not in self.district_ids and self.districts_known)
        for d in sorted(unknown, key=natural_key):
            self.add("current_lots", f"unknown district {d} in today's areas", key=(d,), id=d,
                     hint="use a district id of the districts file, or delete the row")
        missing = sorted((d for d in self.district_ids if d not in current), key=natural_key)
        if missing:
            self.add("current_lots", f"{len(missing)} district(s) are in no current area: "
                     f"{list_ids(missing)}; they count as unchanged", warning=True)
