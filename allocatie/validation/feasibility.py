"""Cheap feasibility pre-checks: some lot count K in ``[lots_min, lots_max]`` must respect the
number of districts, the bidders' lot limits, the client bounds, the pins and the winner
limits, and the bidders' total capacity must cover all clients."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from allocatie.text import list_ids
from allocatie.validation.context import (
    Checks,
    fmt,
    is_count,
    is_number,
    plural,
)


@dataclass(frozen=True)
class Bound:
    """A bound on the number of lots K, how to say it fails for a given K, and the fix."""

    value: int
    describe: Callable[[int], str]
    hint: str


class FeasibilityChecks(Checks):
    def lot_count(self) -> None:
        """Some K in [lots_min, lots_max] must pass every bound; quote the bound that fails."""
        i, r = self.i, self.i.rules
        if {"lots_min", "lots_max"} & self.bad_rules or not self.district_ids:
            return
        n = len(self.district_ids)
        total = self.total_clients()
        lower: list[Bound] = []  # K >= bound
        upper: list[Bound] = [Bound(n, lambda k: f"more lots than districts: {k} lots > "
                                      f"{n} districts", "lower [rules] lots")]
        self.bidder_bound(upper)
        hard = not r.soft_client_bounds and self.clients_known
        cmin, cmax = r.lot_clients_min, r.lot_clients_max
        if hard and cmax is not None and "lot_clients_max" not in self.bad_rules:
            if cmax > 0:
                lower.append(Bound(
                    math.ceil(total / cmax),
                    lambda k: f"{k} lots x max {fmt(cmax)} clients = {fmt(k * cmax)} < "
                              f"{fmt(total)} clients",
                    "raise [rules] lot_clients_max or lots"))
            elif total > 0:
                lower.append(Bound(n + 1, lambda k: f"lot_clients_max 0 leaves no room for "
                                    f"{fmt(total)} clients", "raise [rules] lot_clients_max"))
            big = {d.id: d.clients for d in i.districts
                   if is_number(d.clients) and d.clients > cmax}
            self.per_id("districts", list(big),
                        lambda d: f"district {d} has {fmt(big[d])} clients > lot_clients_max "
                                  f"{fmt(cmax)}; it fits in no lot",
                        lambda ds: f"{len(ds)} districts have more clients than "
                                   f"lot_clients_max {fmt(cmax)}: {list_ids(ds)}",
                        hint="raise [rules] lot_clients_max or check the clients", kind="rules")
        if hard and cmin and "lot_clients_min" not in self.bad_rules:
            upper.append(Bound(
                math.floor(total / cmin),
                lambda k: f"{k} lots x min {fmt(cmin)} clients = {fmt(k * cmin)} > "
                          f"{fmt(total)} clients",
                "lower [rules] lot_clients_min or lots"))
        labels = set(r.pinned.values())
        if labels:
            lower.append(Bound(len(labels), lambda k: f"districts are pinned to "
                                f"{len(labels)} different lots > {k} lots",
                                "pin to fewer lots or raise [rules] lots"))
        if r.min_winners is not None and "min_winners" not in self.bad_rules:
            lower.append(Bound(r.min_winners, lambda k: f"min_winners {r.min_winners} > {k} "
                                "lots (each winner wins a lot)",
                                "lower [rules] min_winners or raise lots"))
        self.report_lot_count(r.lots_min, r.lots_max, lower, upper)

    def total_clients(self) -> int:
        """Clients of the districts whose clients are valid (the rest is reported apart)."""
        return sum(int(d.clients) for d in self.i.districts
                   if is_count(d.clients) and d.clients >= 0)

    def bidder_bound(self, upper: list[Bound]) -> None:
        """The most lots the bidders may win together (when every bidder has a limit)."""
        i, r = self.i, self.i.rules
        bidders = self.active_bidders()
        limits_or_none = [i.max_lots(b) for b in bidders]
        if not bidders or any(m is None or not is_count(m) for m in limits_or_none):
            return
        limits = sorted((int(m) for m in limits_or_none), reverse=True)  # type: ignore[arg-type]
        hint = "raise max_lots_per_bidder or the bidders' max_lots, or lower lots"
        if r.max_winners is not None and "max_winners" not in self.bad_rules and \
                r.max_winners < len(limits):
            m, most = r.max_winners, sum(limits[: r.max_winners])
            upper.append(Bound(most, lambda k: f"max_winners {m} winners may win at most "
                                f"{most} lots < {k} lots", "raise max_winners; or " + hint))
            return
        most = sum(limits)
        if len(set(limits)) == 1:
            upper.append(Bound(most, lambda k: f"{len(limits)} bidders x max "
                                f"{plural(limits[0], 'lot')} = {most} < {k} lots", hint))
        else:
            upper.append(Bound(most, lambda k: f"{len(limits)} bidders may win at most {most} "
                                f"lots together < {k} lots", hint))

    def active_bidders(self) -> list[str]:
        """Known bidders who bid on something (all bidders when there are no bids at all)."""
        i = self.i
        active = {b for b, _ in i.bids} | {lb.bidder for lb in i.lot_bids} | {
            c.bidder for c in i.combination_bids}
        known = list(dict.fromkeys(i.bidder_ids))
        return [b for b in known if b in active] if active else known

    def report_lot_count(self, lo: int, hi: int, lower: list[Bound],
                         upper: list[Bound]) -> None:
        failed = False
        for bound in lower:
            if bound.value > hi:
                failed = True
                self.add("rules", bound.describe(hi), hint=bound.hint, kind="rules")
        for bound in upper:
            if bound.value < lo:
                failed = True
                self.add("rules", bound.describe(lo), hint=bound.hint, kind="rules")
        if failed or not lower:
            return
        need = max(lower, key=lambda b: b.value)
        most = min(upper, key=lambda b: b.value)
        if need.value > most.value:
            self.add("rules", f"no number of lots from {lo} to {hi} passes every rule: at "
                     f"least {need.value} are needed ({need.describe(need.value - 1)}) but at "
                     f"most {most.value} are possible ({most.describe(most.value + 1)})",
                     hint=f"{need.hint}; or {most.hint}", kind="rules")

    def most_clients_in(self, lots: int, bidders: list[str]) -> float:
        """The most clients ``lots`` lots can hold when every winner stays within its capacity,
        its lot limit and lot_clients_max: bidder b holding n lots holds at most
        min(capacity, n x lot_clients_max); these gains shrink with n, so taking the largest
        gain lot by lot is optimal."""
        i, r = self.i, self.i.rules
        cmax = r.lot_clients_max if not r.soft_client_bounds else None
        per_lot = float(cmax) if is_number(cmax) else math.inf
        gains: list[float] = []
        for b in bidders:
            cap = float(i.bidder_by_id[b].capacity)  # type: ignore[arg-type]
            limit = i.max_lots(b)
            n_max = lots if limit is None or not is_count(limit) else min(lots, int(limit))
            for n in range(1, n_max + 1):
                gains.append(min(cap, n * per_lot) - min(cap, (n - 1) * per_lot))
        return sum(sorted(gains, reverse=True)[:lots])

    def capacity(self) -> None:
        i = self.i
        if not self.clients_known:
            return
        bidders = self.active_bidders()
        caps = [i.bidder_by_id[b].capacity for b in bidders]
        if not caps or any(c is None or not is_number(c) for c in caps):
            return
        total = self.total_clients()
        capacity = sum(caps)  # type: ignore[arg-type]
        if capacity < total:
            each = (f"capacity {fmt(caps[0])} x {plural(len(caps), 'bidder')} = "
                    if len(set(caps)) == 1 else "total capacity ")
            self.add("bidders", f"{each}{fmt(capacity)} < {fmt(total)} clients",
                     hint="raise the bidders' capacity, or check the clients", kind="rules")
            return
        r = i.rules
        if {"lots_min", "lots_max"} & self.bad_rules:
            return
        held = {k: self.most_clients_in(k, bidders) for k in range(r.lots_min, r.lots_max + 1)}
        if held and max(held.values()) < total:
            k = max(held, key=lambda n: held[n])
            if len(set(caps)) == 1 and held[k] == k * caps[0]:
                how = f"{plural(k, 'lot')} x capacity {fmt(caps[0])} = {fmt(held[k])}"
            else:
                how = (f"{plural(k, 'lot')} can hold at most {fmt(held[k])} clients (each "
                       "lot's winner within its capacity and lot limit)")
            self.add("bidders", f"{how} < {fmt(total)} clients: a lot can not hold more clients "
                     "than its winner's capacity", kind="rules",
                     hint="raise the capacities or the number of lots")
            return
        if r.max_winners is not None and "max_winners" not in self.bad_rules and \
                r.max_winners < len(caps):
            best = sum(sorted(caps, reverse=True)[: r.max_winners])  # type: ignore[type-var]
            if best < total:
                self.add("bidders", f"the {r.max_winners} largest capacities (max_winners) "
                         f"hold {fmt(best)} clients < {fmt(total)} clients",
                         hint="raise max_winners or the capacities", kind="rules")
