"""Semantic checks of an :class:`~allocatie.instance.Instance`, with the numbers quoted.

:func:`instance_problems` lists what makes an instance unusable (each a
:class:`~allocatie.errors.Problem`: what, where, how to fix); :func:`instance_warnings` lists
what is odd but workable (a bidder who bids on nothing). Both never raise.

The checks, in order: the rules (ranges, contiguity, pins); districts (duplicate ids, clients,
today's providers); bidders and bids; the fixed design (lots, lot bids, combination bids);
the neighbour graph (unknown ids, parts under the contiguity rule); and cheap feasibility
pre-checks: some lot count K in ``[lots_min, lots_max]`` must respect the number of
districts, the bidders' lot limits, the client bounds, the pins and the winner limits, and the
bidders' total capacity must cover all clients.

When the instance was read from a folder, the loader passes a :class:`Context` with the row
numbers of every key, so problems name the file *and* the row.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx

from allocatie.errors import InstanceError, Problem
from allocatie.instance import CONTIGUITY, District, Instance, Rules
from allocatie.text import LISTED, list_ids, natural_key

PER_ID = 20  # up to this many ids get a problem each; more are listed in one problem
CRITERIA = ("price", "price_quality")


@dataclass(frozen=True)
class _Bound:
    """A bound on the number of lots K, how to say it fails for a given K, and the fix."""

    value: int
    describe: Callable[[int], str]
    hint: str


@dataclass(frozen=True)
class Context:
    """Where things came from, for messages.

    ``rows`` maps ``(role, *key)`` to the row numbers where that key occurs, with keys
    ``("districts", id)`` (feature numbers), ``("incumbents", district, provider)``,
    ``("bidders", bidder)``, ``("bids", bidder, district)``, ``("lots", district)``,
    ``("current_lots", district)``, ``("lot_bids", bidder, lot)`` and
    ``("combination_bids", id)``. ``island_hint`` replaces the generic fix for a
    disconnected district graph (the loader quotes the nearest district pairs there).
    ``unread`` names the roles whose file could not be read (already reported): checks
    that refer to them are skipped, so one bad file does not cascade into many problems
    (``"clients"``: the districts file has no clients). ``bad_clients`` names districts whose
    clients could not be read (already reported); their clients are not checked again.
    """

    rows: Mapping[tuple[str, ...], Sequence[int]] = field(default_factory=dict)
    island_hint: str | None = None
    unread: frozenset[str] = frozenset()
    bad_clients: frozenset[str] = frozenset()


def create_instance(**fields: object) -> Instance:
    """Build an :class:`Instance` and validate it; raises :class:`InstanceError` listing every
    problem found."""
    instance = Instance(**fields)  # type: ignore[arg-type]
    problems = instance_problems(instance)
    if problems:
        raise InstanceError(problems, source=instance.name)
    return instance


def with_rules(instance: Instance, overrides: Mapping[str, object]) -> Instance:
    """``instance`` with rule overrides (names of :class:`~allocatie.instance.Rules` fields)
    applied and validated again; raises :class:`InstanceError` listing every problem the
    overrides cause (an unknown name is one)."""
    if not overrides:
        return instance
    fields = set(Rules.__dataclass_fields__)
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise InstanceError([Problem(f"unknown rule override(s) {', '.join(unknown)}",
                                     hint=f"use rules of {', '.join(sorted(fields))}")],
                            source=instance.name)
    changed = replace(instance, rules=replace(instance.rules, **dict(overrides)))
    problems = instance_problems(changed)
    if problems:
        raise InstanceError(problems, source=instance.name)
    return changed


def instance_problems(instance: Instance, context: Context | None = None) -> list[Problem]:
    """Return every problem that makes the instance unusable (empty = fine). Never raises."""
    return check_instance(instance, context)[0]


def instance_warnings(instance: Instance, context: Context | None = None) -> list[Problem]:
    """Return what is odd but workable (e.g. a bidder who bids on nothing). Never raises."""
    return check_instance(instance, context)[1]


def check_instance(instance: Instance,
                   context: Context | None = None) -> tuple[list[Problem], list[Problem]]:
    """Return (problems, warnings) of an instance in one pass. Never raises."""
    checks = _Checks(instance, context or Context())
    checks.run()
    return checks.problems, checks.warnings


# --------------------------------------------------------------------------- formatting
def fmt(value: float | int | None) -> str:
    """A number as in the messages: ``1,850`` or ``12.5``."""
    if value is None:
        return "none"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def plural(n: int, word: str) -> str:
    """``1 lot``, ``2 lots``."""
    return f"{fmt(n)} {word}" if n == 1 else f"{fmt(n)} {word}s"


def describe_parts(parts: Sequence[Sequence[str]], shown: int = 5) -> str:
    """Parts of a graph as ``{A, B, ... (25 districts)}; {C}``."""
    out = []
    for part in parts[:LISTED]:
        ids = ", ".join(part[:shown]) + (", ..." if len(part) > shown else "")
        size = f" ({len(part)} districts)" if len(part) > shown else ""
        out.append(f"{{{ids}{size}}}")
    if len(parts) > LISTED:
        out.append(f"... and {len(parts) - LISTED} more parts")
    return "; ".join(out)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        value)


def _is_count(value: object) -> bool:
    return _is_number(value) and float(value).is_integer()  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the checks
class _Checks:
    def __init__(self, instance: Instance, context: Context) -> None:
        self.i = instance
        self.rows = context.rows
        self.island_hint = context.island_hint
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.district_ids = set(instance.district_ids)
        self.bidder_ids = set(instance.bidder_ids)
        self.fixed_lot_bids = bool(instance.lots) and bool(instance.lot_bids)
        self.unread = context.unread
        self.bidders_known = "bidders" not in context.unread
        self.districts_known = "districts" not in context.unread
        self.clients_known = "clients" not in context.unread
        self.bad_clients = context.bad_clients
        self.bad_rules: set[str] = set()  # rules already reported; checks using them are skipped
        self.bidders_of: dict[str, set[str]] = defaultdict(set)  # district -> who bids on it

    # ---- plumbing
    def file(self, role: str) -> str | None:
        if role == "rules":
            return "instance.toml" if self.i.folder is not None else None
        named = self.i.files.get(role)
        if named:
            return named
        # no file for this role: the fix ([files] entry) is in instance.toml
        return "instance.toml" if self.i.folder is not None else None

    def add(self, role: str, message: str, hint: str | None = None, key: tuple = (),
            id: str | None = None, warning: bool = False, kind: str = "input") -> None:
        """Record a problem (or warning) in the file of ``role``, at the rows of ``key``;
        ``kind`` as in :class:`~allocatie.errors.Problem`."""
        rows = sorted(self.rows.get((role, *key), ())) if key else []
        self.add_at(role, rows, message, id=id, hint=hint, warning=warning, kind=kind)

    def add_at(self, role: str, rows: list[int], message: str, id: str | None = None,
               hint: str | None = None, warning: bool = False, kind: str = "input") -> None:
        """Record a problem at the first of ``rows``, naming them all when there are more."""
        if len(rows) > 1:
            message += f" (rows {list_ids(rows, 10)})"
        problem = Problem(message, file=self.file(role), row=rows[0] if rows else None, id=id,
                          hint=hint, kind=kind)
        (self.warnings if warning else self.problems).append(problem)

    def rows_of(self, role: str, keys: Iterable[tuple]) -> list[int]:
        return sorted({r for k in keys for r in self.rows.get((role, *k), ())})

    def run(self) -> None:
        self.rules()
        self.districts()
        self.bidders()
        self.bids()
        self.fixed_design()
        self.current_lots()
        self.graph()
        self.lot_count()
        self.capacity()
        from allocatie.plausibility import check_plausibility

        check_plausibility(self.i, self.add)

    # ---- rules
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
            if not _is_number(value):
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
            if not _is_count(value) or value < least:
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
        if not _is_number(award.quality_weight) or not 0 <= award.quality_weight <= 1:
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

    # ---- districts
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
            if not _is_number(c):
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
            self.incumbents(district, check_sum=_is_count(c) and c >= 0)

    def incumbents(self, district: District, check_sum: bool) -> None:
        """Today's clients per provider; their sum only against valid clients."""
        d, c = district.id, district.clients
        total = 0.0
        for provider, n in district.incumbents.items():
            key = (d, provider)
            if not _is_number(n) or n < 0 or not float(n).is_integer():
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

    # ---- bidders and bids
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
            if bidder.capacity is not None and (not _is_count(bidder.capacity)
                                                or bidder.capacity < 0):
                self.add(role, f"capacity {bidder.capacity!r}; expected a whole number of "
                         "clients >= 0 (empty = unlimited)", key=(b,), id=b,
                         hint="correct the capacity column")
            if bidder.max_lots is not None:
                if not _is_count(bidder.max_lots) or bidder.max_lots < 0:
                    self.add(role, f"max_lots {bidder.max_lots!r}; expected a whole number "
                             ">= 1 (empty = the rule)", key=(b,), id=b,
                             hint="correct the max_lots column")
                elif bidder.max_lots == 0:
                    self.add(role, "max_lots 0: this bidder can win no lot", key=(b,), id=b,
                             warning=True)
            if not _is_number(bidder.lot_fee) or bidder.lot_fee < 0:
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
            if price is None or not _is_number(price) or price <= 0:
                shown = "missing" if price is None else fmt(price) if _is_number(price) \
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
            if caps and None not in caps and _is_number(clients) and \
                    all(_is_number(c) for c in caps) and max(caps) < clients:
                self.add("districts", f"district {d} has {fmt(clients)} clients, more than the "
                         f"capacity of every bidder on it (largest {fmt(max(caps))})",
                         key=(d,), id=d, hint="raise a capacity or check the clients",
                         kind="rules")

    def per_id(self, role: str, ids: list[str], one: Callable[[str], str],
               many: Callable[[list[str]], str], hint: str, warning: bool = False,
               kind: str = "input") -> None:
        """A problem per id, or one listing them all when there are many."""
        if len(ids) <= PER_ID:
            for d in ids:
                self.add(role, one(d), key=(d,), id=d, hint=hint, warning=warning, kind=kind)
        else:
            self.add(role, many(ids), hint=hint, warning=warning, kind=kind)

    # ---- fixed design
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
            clients = sum(int(i.clients(d)) for d in members[lot] if _is_count(i.clients(d)))
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
            if not _is_number(bid.price) or bid.price <= 0:
                shown = fmt(bid.price) if _is_number(bid.price) else repr(bid.price)
                self.add(role, f"price {shown}; expected EUR per year for the lot > 0",
                         key=key, id=label, hint="correct the price")
            if bid.preference is not None and (not _is_count(bid.preference)
                                               or bid.preference < 1):
                self.add(role, f"preference {bid.preference!r}; expected a rank 1, 2, ...",
                         key=key, id=label, hint="1 = the lot the bidder wants most")
            if bid.score is not None and not _is_number(bid.score):
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
            if not _is_number(combo.price) or combo.price <= 0:
                shown = fmt(combo.price) if _is_number(combo.price) else repr(combo.price)
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

    # ---- graph
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

    # ---- cheap feasibility pre-checks
    def lot_count(self) -> None:
        """Some K in [lots_min, lots_max] must pass every bound; quote the bound that fails."""
        i, r = self.i, self.i.rules
        if {"lots_min", "lots_max"} & self.bad_rules or not self.district_ids:
            return
        n = len(self.district_ids)
        total = self.total_clients()
        lower: list[_Bound] = []  # K >= bound
        upper: list[_Bound] = [_Bound(n, lambda k: f"more lots than districts: {k} lots > "
                                      f"{n} districts", "lower [rules] lots")]
        self.bidder_bound(upper)
        hard = not r.soft_client_bounds and self.clients_known
        cmin, cmax = r.lot_clients_min, r.lot_clients_max
        if hard and cmax is not None and "lot_clients_max" not in self.bad_rules:
            if cmax > 0:
                lower.append(_Bound(
                    math.ceil(total / cmax),
                    lambda k: f"{k} lots x max {fmt(cmax)} clients = {fmt(k * cmax)} < "
                              f"{fmt(total)} clients",
                    "raise [rules] lot_clients_max or lots"))
            elif total > 0:
                lower.append(_Bound(n + 1, lambda k: f"lot_clients_max 0 leaves no room for "
                                    f"{fmt(total)} clients", "raise [rules] lot_clients_max"))
            big = {d.id: d.clients for d in i.districts
                   if _is_number(d.clients) and d.clients > cmax}
            self.per_id("districts", list(big),
                        lambda d: f"district {d} has {fmt(big[d])} clients > lot_clients_max "
                                  f"{fmt(cmax)}; it fits in no lot",
                        lambda ds: f"{len(ds)} districts have more clients than "
                                   f"lot_clients_max {fmt(cmax)}: {list_ids(ds)}",
                        hint="raise [rules] lot_clients_max or check the clients", kind="rules")
        if hard and cmin and "lot_clients_min" not in self.bad_rules:
            upper.append(_Bound(
                math.floor(total / cmin),
                lambda k: f"{k} lots x min {fmt(cmin)} clients = {fmt(k * cmin)} > "
                          f"{fmt(total)} clients",
                "lower [rules] lot_clients_min or lots"))
        labels = set(r.pinned.values())
        if labels:
            lower.append(_Bound(len(labels), lambda k: f"districts are pinned to "
                                f"{len(labels)} different lots > {k} lots",
                                "pin to fewer lots or raise [rules] lots"))
        if r.min_winners is not None and "min_winners" not in self.bad_rules:
            lower.append(_Bound(r.min_winners, lambda k: f"min_winners {r.min_winners} > {k} "
                                "lots (each winner wins a lot)",
                                "lower [rules] min_winners or raise lots"))
        self.report_lot_count(r.lots_min, r.lots_max, lower, upper)

    def total_clients(self) -> int:
        """Clients of the districts whose clients are valid (the rest is reported apart)."""
        return sum(int(d.clients) for d in self.i.districts
                   if _is_count(d.clients) and d.clients >= 0)

    def bidder_bound(self, upper: list[_Bound]) -> None:
        """The most lots the bidders may win together (when every bidder has a limit)."""
        i, r = self.i, self.i.rules
        bidders = self.active_bidders()
        limits_or_none = [i.max_lots(b) for b in bidders]
        if not bidders or any(m is None or not _is_count(m) for m in limits_or_none):
            return
        limits = sorted((int(m) for m in limits_or_none), reverse=True)  # type: ignore[arg-type]
        hint = "raise max_lots_per_bidder or the bidders' max_lots, or lower lots"
        if r.max_winners is not None and "max_winners" not in self.bad_rules and \
                r.max_winners < len(limits):
            m, most = r.max_winners, sum(limits[: r.max_winners])
            upper.append(_Bound(most, lambda k: f"max_winners {m} winners may win at most "
                                f"{most} lots < {k} lots", "raise max_winners; or " + hint))
            return
        most = sum(limits)
        if len(set(limits)) == 1:
            upper.append(_Bound(most, lambda k: f"{len(limits)} bidders x max "
                                f"{plural(limits[0], 'lot')} = {most} < {k} lots", hint))
        else:
            upper.append(_Bound(most, lambda k: f"{len(limits)} bidders may win at most {most} "
                                f"lots together < {k} lots", hint))

    def active_bidders(self) -> list[str]:
        """Known bidders who bid on something (all bidders when there are no bids at all)."""
        i = self.i
        active = {b for b, _ in i.bids} | {lb.bidder for lb in i.lot_bids} | {
            c.bidder for c in i.combination_bids}
        known = list(dict.fromkeys(i.bidder_ids))
        return [b for b in known if b in active] if active else known

    def report_lot_count(self, lo: int, hi: int, lower: list[_Bound],
                         upper: list[_Bound]) -> None:
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
        per_lot = float(cmax) if _is_number(cmax) else math.inf
        gains: list[float] = []
        for b in bidders:
            cap = float(i.bidder_by_id[b].capacity)  # type: ignore[arg-type]
            limit = i.max_lots(b)
            n_max = lots if limit is None or not _is_count(limit) else min(lots, int(limit))
            for n in range(1, n_max + 1):
                gains.append(min(cap, n * per_lot) - min(cap, (n - 1) * per_lot))
        return sum(sorted(gains, reverse=True)[:lots])

    def capacity(self) -> None:
        i = self.i
        if not self.clients_known:
            return
        bidders = self.active_bidders()
        caps = [i.bidder_by_id[b].capacity for b in bidders]
        if not caps or any(c is None or not _is_number(c) for c in caps):
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
