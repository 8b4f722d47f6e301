"""The districts (ids, clients, today's providers) and the neighbour graph (unknown ids, parts
under the contiguity rule)."""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx

from allocatie.instance import District
from allocatie.text import list_ids, natural_key
from allocatie.validation.context import (
    Checks,
    describe_parts,
    fmt,
    is_count,
    is_number,
)


class DistrictChecks(Checks):
    def districts(self) -> None:
        i = self.i
        role = "districts"
        if not i.districts:
            if not self.districts_known:
                return
            self.add(role, "no districts", hint="the districts file must hold at least one "
                     "polygon with an id and clients")
            return
        counts = Counter(i.district_ids)
        for d, n in counts.items():
            if n > 1:
                self.add(role, f"duplicate district id {d}: {n} districts have it", key=(d,),
                         id=d, hint="give every district a unique id, or remove the "
                                    "duplicate feature")
        for district in i.districts:
            d, c = district.id, district.clients
            if not self.clients_known or d in self.bad_clients:
                self.incumbents(district, check_sum=False)
                continue
            if not is_number(c):
                self.add(role, f"clients {c!r} is not a number", key=(d,), id=d,
                         hint="write the number of clients, a whole number >= 0")
                continue
            if c < 0:
                self.add(role, f"negative clients {fmt(c)}; expected a whole number >= 0",
                         key=(d,), id=d, hint="correct the clients of this district")
            elif not float(c).is_integer():
                self.add(role, f"clients {fmt(c)} is not a whole number", key=(d,), id=d,
                         hint=f"clients count people: write {math.floor(c)} or "
                              f"{math.ceil(c)}")
            self.incumbents(district, check_sum=is_count(c) and c >= 0)

    def incumbents(self, district: District, check_sum: bool) -> None:
        """Today's clients per provider; their sum only against valid clients."""
        d, c = district.id, district.clients
        total = 0.0
        for provider, n in district.incumbents.items():
            key = (d, provider)
            if not is_number(n) or n < 0 or not float(n).is_integer():
                self.add("incumbents", f"{d}: clients of provider {provider} = {n!r}; "
                         "expected a whole number >= 0", key=key, id=d,
                         hint="correct the clients column")
                continue
            total += n
        if check_sum and total > c:
            rows = self.rows_of("incumbents", [(d, p) for p in district.incumbents])
            self.add_at("incumbents", rows, f"{d}: incumbents {fmt(total)} > clients {fmt(c)}",
                        id=d, hint=f"today's providers can serve at most the {fmt(c)} clients "
                                   f"of {d}: lower their clients or raise the district's clients")

    def graph(self) -> None:
        i = self.i
        bad = sorted({d for e in i.edges for d in (e.a, e.b) if d not in self.district_ids})
        if bad:
            self.add("districts", f"the neighbour list names unknown district(s) "
                     f"{list_ids(bad)}", hint="build edges from the districts only")
        loops = sorted({e.a for e in i.edges if e.a == e.b})
        if loops:
            self.add("districts", f"district(s) {list_ids(loops)} are listed as their own "
                     "neighbour", hint="drop these edges")
        rule = i.rules.contiguity
        if rule not in ("rook", "queen") or len(self.district_ids) < 2:
            return
        graph = nx.Graph()
        graph.add_nodes_from(self.district_ids)
        graph.add_edges_from((e.a, e.b) for e in i.edges_for(rule)
                             if e.a in self.district_ids and e.b in self.district_ids)
        parts = sorted((sorted(p, key=natural_key) for p in nx.connected_components(graph)),
                       key=lambda p: (-len(p), natural_key(p[0])))
        if len(parts) < 2:
            return
        hint = self.island_hint or (
            'connect the parts in instance.toml: [geometry] bridges = [["A", "B"]] naming '
            "districts to treat as neighbours, or auto_bridge = true to join each part to its "
            'nearest district, or set [rules] contiguity = "none"')
        queen = ""
        if rule == "rook":
            everything = nx.Graph(graph)
            everything.add_edges_from((e.a, e.b) for e in i.edges
                                      if e.a in self.district_ids and e.b in self.district_ids)
            if nx.is_connected(everything):
                queen = ' (they touch at corners: contiguity = "queen" connects them)'
        self.add("districts", f"the districts are not connected under {rule} contiguity: "
                 f"{len(parts)} parts {describe_parts(parts)}{queen}; a lot can not span two "
                 "parts", hint=hint)
