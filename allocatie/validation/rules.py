"""The rules of ``[rules]``: ranges, contiguity, pins."""

from __future__ import annotations

import networkx as nx

from allocatie.instance import CONTIGUITY
from allocatie.text import list_ids
from allocatie.validation.context import (
    CRITERIA,
    Checks,
    fmt,
    is_count,
    is_number,
)


class RuleChecks(Checks):
    def rules(self) -> None:
        r = self.i.rules
        if r.contiguity not in CONTIGUITY:
            self.add("rules", f"contiguity {r.contiguity!r} is not one of "
                     f"{', '.join(CONTIGUITY)}",
                     hint='set [rules] contiguity = "rook" for a shared border, "queen" for '
                          'touching, or "none"')
        for name, value in (("transition_cost", r.transition_cost),
                            ("compactness_weight", r.compactness_weight),
                            ("lot_clients_penalty", r.lot_clients_penalty)):
            if value is None:
                continue
            if not is_number(value):
                self.add("rules", f"{name} {value!r} is not a number",
                         hint=f"set [rules] {name} to a number of EUR >= 0")
            elif value < 0:
                self.add("rules", f"{name} {fmt(value)} < 0; expected EUR >= 0",
                         hint=f"set [rules] {name} to 0 or more")
        counts = (("lots_min", r.lots_min, 1), ("lots_max", r.lots_max, 1),
                  ("max_lots_per_bidder", r.max_lots_per_bidder, 1),
                  ("lot_clients_min", r.lot_clients_min, 0),
                  ("lot_clients_max", r.lot_clients_max, 0),
                  ("min_winners", r.min_winners, 1), ("max_winners", r.max_winners, 1),
                  ("max_changed_districts", r.max_changed_districts, 0))
        for name, value, least in counts:
            if value is None:
                continue
            if not is_count(value) or value < least:
                self.bad_rules.add(name)
                self.add("rules", f"{name} = {value!r}; expected a whole number >= {least}",
                         hint=f"set [rules] {name} to a whole number >= {least}")
        pairs = (("lots_min", "lots_max"), ("lot_clients_min", "lot_clients_max"),
                 ("min_winners", "max_winners"))
        for low, high in pairs:
            a, b = getattr(r, low), getattr(r, high)
            if a is not None and b is not None and not {low, high} & self.bad_rules and a > b:
                self.bad_rules.update((low, high))
                self.add("rules", f"{low} {fmt(a)} > {high} {fmt(b)}",
                         hint=f"make {low} at most {high}")
        if r.min_winners is not None and "min_winners" not in self.bad_rules and \
                self.i.bidders and r.min_winners > len(self.bidder_ids):
            self.add("rules", f"min_winners {r.min_winners} > {len(self.bidder_ids)} bidders",
                     hint="lower [rules] min_winners")
        if r.max_changed_districts is not None and not self.i.current_lots:
            self.add("rules", f"max_changed_districts = {r.max_changed_districts} needs "
                     "today's areas, but there is no current_lots file",
                     hint="add current_lots = \"current_lots.csv\" to [files] "
                          "with columns district_id,lot, or drop max_changed_districts")
        self.pins()
        award = self.i.award
        if award.criterion not in CRITERIA:
            self.add("rules", f"[award] criterion {award.criterion!r} is not one of "
                     f"{', '.join(CRITERIA)}", hint='use "price" or "price_quality"')
        if not is_number(award.quality_weight) or not 0 <= award.quality_weight <= 1:
            self.add("rules", f"[award] quality_weight {award.quality_weight!r} is not in "
                     "[0, 1]", hint="use a weight between 0 and 1, e.g. 0.4")

    def pins(self) -> None:
        r = self.i.rules
        known = self.district_ids if self.districts_known else set(r.pinned).union(*r.together)
        unknown = sorted(d for d in r.pinned if d not in known)
        for d in unknown:
            self.add("rules", f"[rules.pinned] names unknown district {d}", id=d,
                     hint="use a district id from the districts file")
        for n, group in enumerate(r.together, start=1):
            missing = [d for d in group if d not in known]
            if missing:
                self.add("rules", f"together group {n} ({', '.join(group)}) names unknown "
                         f"district(s) {', '.join(missing)}", id=missing[0],
                         hint="use district ids from the districts file")
            if len(set(group)) < 2:
                self.add("rules", f"together group {n} ({', '.join(group)}) has fewer than "
                         "2 districts; it changes nothing", warning=True)
        # districts kept together but pinned to different lots
        graph = nx.Graph()
        for group in r.together:
            graph.add_nodes_from(group)
            graph.add_edges_from(zip(group, group[1:], strict=False))
        for part in nx.connected_components(graph):
            labels = {r.pinned[d] for d in part if d in r.pinned}
            if len(labels) > 1:
                self.add("rules", f"districts {list_ids(sorted(part))} must be in one lot "
                         f"but are pinned to different lots {list_ids(sorted(labels))}",
                         hint="pin them to one lot or drop them from the together group")
