"""Why no award is possible: which rules conflict, and by how much.

Cheap checks first, each a proof that no award exists, quoting the numbers:

1. a lot without any bid ("perceel 4 heeft geen inschrijving");
2. a lot larger than the capacity of every bidder on it;
3. the bidders' capacities together below the clients of all lots;
4. the lot limits together below the number of lots ("max 2 lots x 3 bidders = 6 < 7 lots");
5. Hall's condition: a set of lots that only a few capped bidders bid on, more lots than
   those bidders may win together (found as a minimum cut of the bidder-lot flow network);
6. lots that a single bidder alone bid on, more clients than its capacity;
7. the minimum and maximum number of winners against the bidders, lots, limits and
   capacities.

When they all pass but the MILP is still infeasible, the rules conflict in a subtler way: each
rule family (lot limits, capacities, minimum and maximum number of winners) is made elastic in
turn, and the least relaxation that makes an award possible is reported (then pairs, then all
families at once).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import numpy as np

from allocatie.award.data import AwardData, award_data
from allocatie.award.formulation import FAMILIES
from allocatie.award.milp import minimal_relaxation
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.status import Status
from allocatie.text import fmt_list, fmt_lots, plain_int

Message = dict[str, str]  # language -> text
_INF = float("inf")


def diagnose_award(instance: Instance, lang: str = "nl",
                   settings: SolverSettings | None = None) -> list[str]:
    """Why ``instance``'s fixed lots cannot be awarded; empty when an award is possible.

    Raises :class:`~allocatie.errors.UsageError` when there is no fixed design."""
    data = award_data(instance)
    messages = quick_checks(data)
    if not messages:
        messages = relaxation_checks(data, settings or instance.solver)
    return [m[lang] for m in messages]


def _msg(nl: str, en: str) -> Message:
    return {"nl": nl, "en": en}


def reach(data: AwardData) -> dict[str, set[str]]:
    """bidder -> the lots it could win on its own, within its capacity and limit."""
    out: dict[str, set[str]] = {b: set() for b in data.bidders}
    clients = data.clients
    largest: dict[str, float] = {}  # bidder -> clients of the largest lot it may win alone
    for b in data.bidders:
        cap, limit = data.capacity(b), data.max_lots(b)
        largest[b] = (-_INF if limit is not None and limit < 1
                      else _INF if cap is None else cap)
    for o in data.options:
        if clients[o.lot] <= largest[o.bidder]:
            out[o.bidder].add(o.lot)
    for k in data.combos:
        cap, limit = data.capacity(k.bidder), data.max_lots(k.bidder)
        if (cap is None or k.clients <= cap) and (limit is None or limit >= len(k.lots)):
            out[k.bidder].update(k.lots)
    return out


def quick_checks(data: AwardData) -> list[Message]:
    """The cheap checks of the module docstring; each message proves no award exists."""
    lots_of = reach(data)
    bidders_of: dict[str, list[str]] = {lot: [] for lot in data.lots}  # in bidder order
    for b, lots in lots_of.items():
        for lot in lots:
            bidders_of[lot].append(b)
    messages = _lot_checks(data, bidders_of)
    messages += _capacity_total(data, lots_of)
    if messages:  # the checks below assume every lot has a bidder that fits
        return messages
    messages += _lot_limits(data, lots_of, bidders_of)
    messages += _sole_bidder_capacity(data, bidders_of)
    messages += _winner_counts(data, lots_of)
    return messages


def _lot_checks(data: AwardData, bidders_of: dict[str, list[str]]) -> list[Message]:
    messages = []
    combo_lots = {lot for k in data.combos for lot in k.lots}
    no_bid = [lot for lot in data.lots if not data.by_lot[lot] and lot not in combo_lots]
    if no_bid:
        verb_nl = "heeft" if len(no_bid) == 1 else "hebben"
        verb_en = "has" if len(no_bid) == 1 else "have"
        extra_nl = extra_en = ""
        if data.pricing == "district":
            extra_nl = " (geen inschrijver bood op alle wijken ervan)"
            extra_en = " (no bidder bid on all its districts)"
        messages.append(_msg(f"{fmt_lots(no_bid, 'nl')} {verb_nl} geen inschrijving{extra_nl}",
                             f"{fmt_lots(no_bid, 'en')} {verb_en} no bid{extra_en}"))
    for lot in data.lots:
        if lot in no_bid or bidders_of[lot]:
            continue
        caps = [data.capacity(o.bidder) for o in data.by_lot[lot]]
        largest = max((c for c in caps if c is not None), default=0)
        n = data.clients[lot]
        messages.append(_msg(
            f"perceel {lot} ({plain_int(n, 'nl')} cliënten) past in de capaciteit of het maximum "
            f"van geen van zijn inschrijvers (grootste capaciteit: {plain_int(largest, 'nl')} "
            "cliënten)",
            f"lot {lot} ({plain_int(n, 'en')} clients) fits the capacity or limit of none of its "
            f"bidders (largest capacity: {plain_int(largest, 'en')} clients)"))
    return messages


def _capacity_total(data: AwardData, lots_of: dict[str, set[str]]) -> list[Message]:
    caps = [data.capacity(b) for b in data.bidders]
    if any(c is None for c in caps):
        return []
    raw = sum(caps)
    clients = data.clients.__getitem__
    usable = sum(min(cap, sum(map(clients, lots_of[b])))
                 for b, cap in zip(data.bidders, caps, strict=True))
    total = data.total_clients
    if raw < total:
        return [_msg(f"capaciteit van de inschrijvers samen {plain_int(raw, 'nl')} < "
                     f"{plain_int(total, 'nl')} cliënten",
                     f"bidders' capacity {plain_int(raw, 'en')} < "
                     f"{plain_int(total, 'en')} clients")]
    if usable < total:
        return [_msg(f"bruikbare capaciteit van de inschrijvers (op percelen waarop zij "
                     f"inschreven en die passen) {plain_int(usable, 'nl')} < "
                     f"{plain_int(total, 'nl')} cliënten",
                     f"bidders' usable capacity (on lots they bid on and that fit) "
                     f"{plain_int(usable, 'en')} < {plain_int(total, 'en')} clients")]
    return []


def _effective_limit(data: AwardData, bidder: str, lots: set[str]) -> int:
    limit = data.max_lots(bidder)
    return len(lots) if limit is None else min(limit, len(lots))


def _lot_limits(data: AwardData, lots_of: dict[str, set[str]],
                bidders_of: dict[str, list[str]]) -> list[Message]:
    n_lots = len(data.lots)
    limits = {b: _effective_limit(data, b, lots_of[b]) for b in data.bidders}
    total = sum(limits.values())
    if total < n_lots and all(data.max_lots(b) is not None for b in data.bidders):
        own = {data.max_lots(b) for b in data.bidders}
        if len(own) == 1 and all(limits[b] == data.max_lots(b) for b in data.bidders):
            m = own.pop()
            return [_msg(f"maximaal {m} {'perceel' if m == 1 else 'percelen'} x {len(limits)} "
                         f"inschrijvers = {total} < {n_lots} percelen",
                         f"max {m} {'lot' if m == 1 else 'lots'} x {len(limits)} bidders = "
                         f"{total} < {n_lots} lots")]
        return [_msg(f"de inschrijvers mogen samen ten hoogste {total} percelen winnen < "
                     f"{n_lots} percelen",
                     f"the bidders may win at most {total} lots together < {n_lots} lots")]
    return _hall(data, lots_of, bidders_of, limits)


def _hall(data: AwardData, lots_of: dict[str, set[str]], bidders_of: dict[str, list[str]],
          limits: dict[str, int]) -> list[Message]:
    """A set of lots that its only bidders cannot cover within their lot limits."""
    if _greedy_cover(data, bidders_of, limits):
        return []
    lots = _deficient_lots(data, lots_of, limits)
    if not lots:
        return []
    owners = [b for b in data.bidders if lots_of[b] & set(lots)]
    allowed = sum(limits[b] for b in owners)
    if len(owners) == 1:
        b = owners[0]
        return [_msg(f"{fmt_lots(lots, 'nl')} {'heeft' if len(lots) == 1 else 'hebben'} "
                     f"alleen een inschrijving van {b}, dat maximaal {allowed} "
                     f"{'perceel' if allowed == 1 else 'percelen'} mag winnen",
                     f"{fmt_lots(lots, 'en')} {'has' if len(lots) == 1 else 'have'} bids only "
                     f"from {b}, who may win at most {allowed} {'lot' if allowed == 1 else 'lots'}"
                     )]
    return [_msg(f"{fmt_lots(lots, 'nl')} kunnen alleen gewonnen worden door "
                 f"{fmt_list(owners, 'nl')}, die samen maximaal {allowed} percelen mogen winnen",
                 f"{fmt_lots(lots, 'en')} can only be won by {fmt_list(owners, 'en')}, who may "
                 f"win at most {allowed} lots together")]


def _greedy_cover(data: AwardData, bidders_of: dict[str, list[str]],
                  limits: dict[str, int]) -> bool:
    """A quick sufficient condition: lots with the fewest bidders first, each to a bidder
    with room left (most room first, ties in bidder order). True = every lot found a
    bidder, Hall holds."""
    room = dict(limits)
    for lot in sorted(data.lots, key=lambda x: len(bidders_of[x])):
        best, most = None, 0  # the first bidder with the most room
        for b in bidders_of[lot]:
            if room[b] > most:
                best, most = b, room[b]
        if best is None:
            return False
        room[best] -= 1
    return True


def _deficient_lots(data: AwardData, lots_of: dict[str, set[str]],
                    limits: dict[str, int]) -> list[str]:
    """Lots on the sink side of a minimum cut of source -> bidder (limit) -> lot -> sink (1);
    empty when the maximum flow covers every lot."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    bidders = list(lots_of)
    n_b, n_l = len(bidders), len(data.lots)
    lot_index = {lot: i for i, lot in enumerate(data.lots)}
    source, sink = 0, 1 + n_b + n_l
    rows, cols, caps = [], [], []
    for j, b in enumerate(bidders):
        rows.append(source)
        cols.append(1 + j)
        caps.append(limits[b])
        for lot in lots_of[b]:
            rows.append(1 + j)
            cols.append(1 + n_b + lot_index[lot])
            caps.append(n_l)
    for i in range(n_l):
        rows.append(1 + n_b + i)
        cols.append(sink)
        caps.append(1)
    size = sink + 1
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(size, size))
    result = maximum_flow(graph, source, sink)
    if result.flow_value >= n_l:
        return []
    residual = (graph - result.flow).tocsr()  # forward capacity left
    backward = result.flow.T.tocsr()  # flow that can be pushed back
    seen = np.zeros(size, dtype=bool)
    seen[source] = True
    stack = [source]
    while stack:
        node = stack.pop()
        for matrix in (residual, backward):
            start, end = matrix.indptr[node], matrix.indptr[node + 1]
            for nxt, cap in zip(matrix.indices[start:end], matrix.data[start:end], strict=True):
                if cap > 0 and not seen[nxt]:
                    seen[nxt] = True
                    stack.append(int(nxt))
    return [lot for lot in data.lots if not seen[1 + n_b + lot_index[lot]]]


def _sole_bidder_capacity(data: AwardData, bidders_of: dict[str, list[str]]
                          ) -> list[Message]:
    messages = []
    alone_of: dict[str, list[str]] = defaultdict(list)  # bidder -> lots only it can win
    for lot in data.lots:
        if len(bidders_of[lot]) == 1:
            (only,) = bidders_of[lot]
            alone_of[only].append(lot)
    for b in data.bidders:
        cap = data.capacity(b)
        alone = alone_of.get(b, [])
        need = sum(data.clients[lot] for lot in alone)
        if cap is not None and len(alone) > 1 and need > cap:
            messages.append(_msg(
                f"{fmt_lots(alone, 'nl')} (samen {plain_int(need, 'nl')} cliënten) kunnen alleen "
                f"door {b} gewonnen worden, met capaciteit {plain_int(cap, 'nl')}",
                f"{fmt_lots(alone, 'en')} ({plain_int(need, 'en')} clients together) can only be "
                f"won by {b}, with capacity {plain_int(cap, 'en')}"))
    return messages


def _winner_counts(data: AwardData, lots_of: dict[str, set[str]]) -> list[Message]:
    rules = data.instance.rules
    messages = []
    able = [b for b in data.bidders if lots_of[b]]
    low, high = rules.min_winners, rules.max_winners
    if low is not None and high is not None and low > high:
        messages.append(_msg(f"minimaal {low} winnaars > maximaal {high} winnaars",
                             f"minimum {low} winners > maximum {high} winners"))
    if low is not None and low > len(able):
        one = len(able) == 1
        messages.append(_msg(f"minimaal {low} winnaars gevraagd, maar slechts {len(able)} "
                             f"{'inschrijver kan' if one else 'inschrijvers kunnen'} een "
                             "perceel winnen",
                             f"at least {low} winners required, but only {len(able)} "
                             f"{'bidder' if one else 'bidders'} can win a lot"))
    if low is not None and low > len(data.lots):
        messages.append(_msg(f"minimaal {low} winnaars gevraagd, maar er zijn maar "
                             f"{len(data.lots)} percelen",
                             f"at least {low} winners required, but there are only "
                             f"{len(data.lots)} lots"))
    if high is not None and able:
        limits = sorted((_effective_limit(data, b, lots_of[b]) for b in able), reverse=True)
        most = sum(limits[:high])
        if most < len(data.lots):
            messages.append(_msg(
                f"maximaal {high} winnaars mogen samen ten hoogste {most} percelen winnen < "
                f"{len(data.lots)} percelen",
                f"at most {high} winners may win at most {most} lots together < "
                f"{len(data.lots)} lots"))
        caps = [data.capacity(b) for b in able]
        if all(c is not None for c in caps):
            room = sum(sorted(caps, reverse=True)[:high])
            if room < data.total_clients:
                messages.append(_msg(
                    f"maximaal {high} winnaars hebben samen hoogstens {plain_int(room, 'nl')} "
                    f"cliënten capaciteit < {plain_int(data.total_clients, 'nl')} cliënten",
                    f"at most {high} winners have at most {plain_int(room, 'en')} clients of "
                    f"capacity together < {plain_int(data.total_clients, 'en')} clients"))
    return messages


# --------------------------------------------------------------------------- relaxations
_FAMILY_NAMES = {
    "max_lots": ("de kavelbeperking (maximaal aantal percelen per inschrijver)",
                 "the lot limits (max lots per bidder)"),
    "capacity": ("de capaciteiten van de inschrijvers", "the bidders' capacities"),
    "min_winners": ("het minimum aantal winnaars", "the minimum number of winners"),
    "max_winners": ("het maximum aantal winnaars", "the maximum number of winners"),
}


def present_families(data: AwardData) -> list[str]:
    """The rule families the instance actually uses."""
    rules = data.instance.rules
    present = []
    if any(data.max_lots(b) is not None for b in data.bidders):
        present.append("max_lots")
    if any(data.capacity(b) is not None for b in data.bidders):
        present.append("capacity")
    if rules.min_winners is not None:
        present.append("min_winners")
    if rules.max_winners is not None:
        present.append("max_winners")
    return [f for f in FAMILIES if f in present]


def relaxation_checks(data: AwardData, settings: SolverSettings) -> list[Message]:
    """Solve the award's feasibility; when infeasible, relax one rule family at a time (then
    pairs, then all) and report the least relaxation that makes an award possible."""
    status, _ = minimal_relaxation(data, settings, frozenset())
    if status is not Status.INFEASIBLE:
        return []
    families = present_families(data)
    head = _msg("de regels samen maken gunning onmogelijk, hoewel elke eenvoudige controle "
                "slaagt",
                "the rules together make an award impossible, although every simple check "
                "passes")
    for size in range(1, len(families) + 1):
        found = []
        for group in combinations(families, size):
            status, slack = minimal_relaxation(data, settings, frozenset(group))
            if status.has_solution:
                found.append(_relaxation_message(data, group, slack))
        if found:
            return [head] + found
    return [head]


def _relaxation_message(data: AwardData, group: tuple[str, ...],
                        slack: dict[str, dict[str, int]]) -> Message:
    rules = data.instance.rules
    names_nl = fmt_list([_FAMILY_NAMES[f][0] for f in group], "nl")
    names_en = fmt_list([_FAMILY_NAMES[f][1] for f in group], "en")
    parts_nl, parts_en = [], []
    for family in group:
        amounts = slack.get(family, {})
        if family == "max_lots":
            extra = sum(amounts.values())
            who_nl = fmt_list([f"{b}: {data.max_lots(b) + s} in plaats van {data.max_lots(b)}"
                               for b, s in amounts.items()], "nl")
            who_en = fmt_list([f"{b}: {data.max_lots(b) + s} instead of {data.max_lots(b)}"
                               for b, s in amounts.items()], "en")
            parts_nl.append(f"{extra} {'perceel' if extra == 1 else 'percelen'} meer ({who_nl})")
            parts_en.append(f"{extra} more {'lot' if extra == 1 else 'lots'} ({who_en})")
        elif family == "capacity":
            extra = sum(amounts.values())
            who_nl = fmt_list([f"{b}: {plain_int(data.capacity(b) + s, 'nl')} in plaats van "
                               f"{plain_int(data.capacity(b), 'nl')}" for b, s in amounts.items()],
                              "nl")
            who_en = fmt_list([f"{b}: {plain_int(data.capacity(b) + s, 'en')} instead of "
                               f"{plain_int(data.capacity(b), 'en')}" for b, s in amounts.items()],
                              "en")
            parts_nl.append(f"{plain_int(extra, 'nl')} cliënten meer capaciteit ({who_nl})")
            parts_en.append(f"{plain_int(extra, 'en')} clients more capacity ({who_en})")
        elif family == "min_winners":
            s = sum(amounts.values())
            parts_nl.append(f"minimaal {rules.min_winners - s} winnaars in plaats van "
                            f"{rules.min_winners}")
            parts_en.append(f"a minimum of {rules.min_winners - s} winners instead of "
                            f"{rules.min_winners}")
        else:
            s = sum(amounts.values())
            parts_nl.append(f"maximaal {rules.max_winners + s} winnaars in plaats van "
                            f"{rules.max_winners}")
            parts_en.append(f"a maximum of {rules.max_winners + s} winners instead of "
                            f"{rules.max_winners}")
    return _msg(f"met {names_nl} verruimd is gunning wel mogelijk: minimaal nodig is "
                f"{'; '.join(parts_nl)}",
                f"relaxing {names_en} makes an award possible: the least needed is "
                f"{'; '.join(parts_en)}")
