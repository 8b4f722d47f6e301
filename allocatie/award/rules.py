"""Published award rules that decide lot by lot (every rule but ``optimal``).

Ranking. On each lot the bidders are ranked by the award criterion: lowest price, or highest
price-quality score (see :mod:`allocatie.award.data`). Bids equal to the cent (or to 1/10,000
point) tie; a tie among bidders still in the running is settled by the seeded lottery, drawn
when the rule reaches it. Transitions play no part in a rule; they show in its price.

``by-lot-value`` and ``by-lot-number`` (sequential). The lots are awarded one by one:
by-lot-value takes the largest lot first, largest meaning most clients (a figure published
with the tender, not taken from the bids), then the higher mean bid price (the lot's value in
EUR), then the lower lot number; by-lot-number takes the lots in natural number order. Each
lot goes to its best-ranked bidder that is still eligible. A bidder drops out of a lot when

1. it already holds its lot limit (``max_lots``, else the kavelbeperking);
2. its remaining capacity is below the lot's clients;
3. it holds no lot yet while the maximum number of winners has been reached;
4. it holds a lot already while every lot left must go to a new winner to reach the minimum
   number of winners.

``by-preference`` (deferred acceptance, lots proposing). Each bidder orders the lots by its
stated preference (``LotBid.preference``, 1 = most wanted; lots without one come after, and
equal preferences go by lot number). Round by round, every lot without a provisional winner is
offered to its best-ranked bidder that has not yet turned it down. Each bidder then goes
through all lots it holds or is offered, in its own preference order, keeps each one that
still fits its lot limit and capacity, and turns the others down for good. The rounds stop
when no lot is offered any more. A bidder over its limit therefore keeps the lots it prefers,
which is the point of the rule. The minimum and maximum number of winners are checked at the
end; the rule has no way to repair them and fails when they are broken.

Combination bids (criterion ``price`` only; they carry no quality score). After the lots,
each combination bid is compared with the prices of the provisional winners of its lots:
the bids saving the most go first (a bid covering a lot left open goes before all others, and
equal savings go by bid id). A bid is accepted when it is strictly cheaper, none of its lots
is in a combination accepted before, and its bidder stays within its lot limit and capacity
and the number of winners within its bounds; its bidder then wins all its lots.

A rule that leaves a lot without an eligible bidder gives no award (``failure``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from allocatie.award.data import PRICE_DECIMALS, SCORE_DECIMALS, AwardData, Combo, Option
from allocatie.award.lottery import Lottery
from allocatie.text import natural_key

RULES = {
    "optimal": "the award with the lowest total cost (price + transition cost) within the rules",
    "by-lot-value": "lot by lot, most clients first; a bidder at its limit drops out",
    "by-lot-number": "lot by lot in lot-number order; a bidder at its limit drops out",
    "by-preference": "best bidder per lot; a bidder over its limit keeps its preferred lots",
}


@dataclass
class RuleOutcome:
    """What a rule decided: lot -> winner, accepted combinations, the events of its audit
    log, and the reason it failed (None = every lot awarded within the rules)."""

    winners: dict[str, str] = field(default_factory=dict)
    combinations: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    failure: dict | None = None


def lot_order(data: AwardData, rule: str) -> list[str]:
    """The order in which a sequential rule awards the lots."""
    if rule == "by-lot-number":
        return list(data.lots)
    return sorted(data.lots, key=lambda lot: (-data.clients[lot], -(data.mean_price(lot) or 0.0),
                                              natural_key(lot)))


def run_rule(data: AwardData, rule: str, criterion: str,
             scores: Mapping[tuple[str, str], float] | None, lottery: Lottery) -> RuleOutcome:
    """Apply a published rule (``by-lot-value``, ``by-lot-number`` or ``by-preference``)."""
    ranking = _Ranking(data, criterion, scores or {}, lottery)
    if rule == "by-preference":
        outcome = _preference_rule(data, ranking)
    else:
        outcome = _sequential_rule(data, lot_order(data, rule), rule, ranking)
    accepted_before = len(outcome.events)
    _combination_stage(data, outcome, criterion)
    combo_events = outcome.events[accepted_before:]
    accepted = any(e.get("accepted") for e in combo_events)
    if rule == "by-preference" or accepted:
        _final_awards(data, outcome, ranking, every_lot=rule == "by-preference")
    _final_check(data, outcome)
    return outcome


def _final_awards(data: AwardData, outcome: RuleOutcome, ranking: _Ranking,
                  every_lot: bool) -> None:
    """One 'awarded' event per lot (``every_lot``) or per lot of an accepted combination."""
    in_combo = {lot: cid for cid in outcome.combinations for lot in data.combo_by_id[cid].lots}
    for lot in data.lots:
        winner = outcome.winners.get(lot)
        if winner is None or not (every_lot or lot in in_combo):
            continue
        event = {"kind": "awarded", "lot": lot, "clients": data.clients[lot], "winner": winner,
                 "combo": in_combo.get(lot), "transitions": data.transitions(lot, winner)}
        if lot not in in_combo:
            event.update(_won(data, ranking, data.option_of[(lot, winner)]))
        outcome.events.append(event)


# --------------------------------------------------------------------------- ranking
class _Ranking:
    """Per lot, the bids grouped by equal criterion value, best group first."""

    def __init__(self, data: AwardData, criterion: str, scores: Mapping[tuple[str, str], float],
                 lottery: Lottery) -> None:
        self.data = data
        self.criterion = criterion
        self.scores = scores
        self.lottery = lottery

    def key(self, option: Option) -> float:
        if self.criterion == "price_quality":
            return -round(self.scores[(option.lot, option.bidder)], SCORE_DECIMALS)
        return round(option.price, PRICE_DECIMALS)

    def groups(self, lot: str) -> list[list[Option]]:
        grouped: dict[float, list[Option]] = defaultdict(list)
        for o in self.data.by_lot[lot]:
            grouped[self.key(o)].append(o)
        return [grouped[k] for k in sorted(grouped)]

    def bid(self, option: Option) -> dict:
        """The figures of a bid as the audit log quotes them."""
        out = {"bidder": option.bidder, "price": option.price}
        if self.criterion == "price_quality":
            out["score"] = round(self.scores[(option.lot, option.bidder)], 2)
        return out

    def draw(self, lot: str, tied: list[Option]) -> tuple[list[Option], dict]:
        """Order tied bids by the lottery: (ordered bids, the recorded draw)."""
        measure = "score" if self.criterion == "price_quality" else "price"
        value = (self.scores[(lot, tied[0].bidder)] if measure == "score" else tied[0].price)
        order = self.lottery.draw(lot, [o.bidder for o in tied], value, measure)
        by_bidder = {o.bidder: o for o in tied}
        return [by_bidder[b] for b in order], self.lottery.draws[-1]


# --------------------------------------------------------------------------- bookkeeping
class _Book:
    """Who holds which lots, and whether a bidder may take more."""

    def __init__(self, data: AwardData) -> None:
        self.data = data
        self.held: dict[str, list[str]] = defaultdict(list)

    @property
    def winners(self) -> int:
        return sum(1 for lots in self.held.values() if lots)

    def take(self, bidder: str, lot: str) -> None:
        self.held[bidder].append(lot)

    def blocker(self, bidder: str, lot: str, new_only: bool) -> dict | None:
        """Why ``bidder`` may not take ``lot`` now (None = it may)."""
        data, rules = self.data, self.data.instance.rules
        have = self.held.get(bidder, [])
        limit = data.max_lots(bidder)
        if limit is not None and len(have) + 1 > limit:
            return {"reason": "max_lots", "have": len(have), "limit": limit}
        cap = data.capacity(bidder)
        used = sum(data.clients[x] for x in have)
        if cap is not None and used + data.clients[lot] > cap:
            return {"reason": "capacity", "left": cap - used, "capacity": cap}
        if not have and rules.max_winners is not None and self.winners >= rules.max_winners:
            return {"reason": "max_winners", "limit": rules.max_winners}
        if have and new_only:
            return {"reason": "min_winners", "limit": rules.min_winners}
        return None


# --------------------------------------------------------------------------- sequential
def _sequential_rule(data: AwardData, order: list[str], rule: str,
                     ranking: _Ranking) -> RuleOutcome:
    outcome = RuleOutcome()
    outcome.events.append({"kind": "order", "rule": rule, "lots": [
        {"lot": lot, "clients": data.clients[lot], "value": data.mean_price(lot)}
        for lot in order]})
    book = _Book(data)
    minimum = data.instance.rules.min_winners
    open_lots = []
    for i, lot in enumerate(order):
        new_only = minimum is not None and minimum - book.winners >= len(order) - i
        groups = ranking.groups(lot)
        dropped: list[dict] = []
        winner: Option | None = None
        draw = None
        for group in groups:
            eligible = []
            for o in group:
                why = book.blocker(o.bidder, lot, new_only)
                if why is None:
                    eligible.append(o)
                else:
                    dropped.append({**ranking.bid(o), **why})
            if eligible:
                if len(eligible) > 1:
                    eligible, draw = ranking.draw(lot, eligible)
                winner = eligible[0]
                break
        event = {"kind": "lot", "lot": lot, "clients": data.clients[lot],
                 "value": data.mean_price(lot), "criterion": ranking.criterion,
                 "best": [ranking.bid(o) for o in groups[0]] if groups else [],
                 "dropped": dropped, "draw": draw, "winner": None}
        if winner is not None:
            book.take(winner.bidder, lot)
            outcome.winners[lot] = winner.bidder
            event.update(winner=winner.bidder, **_won(data, ranking, winner))
        else:
            open_lots.append(lot)
        outcome.events.append(event)
    if open_lots:
        outcome.failure = {"reason": "open_lots", "lots": open_lots}
    return outcome


def _won(data: AwardData, ranking: _Ranking, option: Option) -> dict:
    figures = ranking.bid(option)
    figures.pop("bidder")
    figures["transitions"] = option.transitions
    return figures


# --------------------------------------------------------------------------- preference
class _Queue:
    """The bidders a lot is still to be offered to, best first; tied groups are drawn when
    reached."""

    def __init__(self, lot: str, ranking: _Ranking) -> None:
        self.lot = lot
        self.ranking = ranking
        self.groups = ranking.groups(lot)
        self.current: list[Option] = []
        self.draw_of: dict[str, dict] = {}

    def next(self) -> Option | None:
        while not self.current and self.groups:
            group = self.groups.pop(0)
            if len(group) > 1:
                group, draw = self.ranking.draw(self.lot, group)
                self.draw_of.update({o.bidder: draw for o in group})
            self.current = list(group)
        return self.current.pop(0) if self.current else None


def preference_order(data: AwardData, bidder: str) -> list[str]:
    """The lots ``bidder`` bid on, most preferred first (stated preference, then lot
    number)."""
    def key(lot: str) -> tuple:
        pref = data.option_of[(lot, bidder)].preference
        return (0, pref, natural_key(lot)) if pref is not None else (1, 0, natural_key(lot))
    return sorted((o.lot for o in data.options if o.bidder == bidder), key=key)


def _preference_rule(data: AwardData, ranking: _Ranking) -> RuleOutcome:
    outcome = RuleOutcome()
    outcome.events.append({"kind": "preferences", "orders": [
        {"bidder": b, "lots": preference_order(data, b)} for b in data.bidders
        if any(o.bidder == b for o in data.options)]})
    rank = {b: {lot: i for i, lot in enumerate(preference_order(data, b))}
            for b in data.bidders}
    queues = {lot: _Queue(lot, ranking) for lot in data.lots}
    holder: dict[str, str] = {}
    held: dict[str, list[str]] = defaultdict(list)
    exhausted: list[str] = []
    free = list(data.lots)
    round_number = 0
    while free:
        round_number += 1
        offers: dict[str, list[str]] = defaultdict(list)
        offered = []
        for lot in free:
            option = queues[lot].next()
            if option is None:
                exhausted.append(lot)
                continue
            offers[option.bidder].append(lot)
            offered.append({"lot": lot, **ranking.bid(option),
                            "draw": queues[lot].draw_of.get(option.bidder)})
        if offered:
            outcome.events.append({"kind": "round", "round": round_number, "offers": offered})
        free = []
        for bidder in data.bidders:
            if bidder not in offers:
                continue
            pool = sorted(held[bidder] + offers[bidder], key=lambda lot, b=bidder: rank[b][lot])
            keep, refused = _choose(data, bidder, pool)
            held[bidder] = keep
            for lot in keep:
                holder[lot] = bidder
            for item in refused:
                holder.pop(item["lot"], None)
                free.append(item["lot"])
            if refused:
                outcome.events.append({"kind": "turn_down", "bidder": bidder, "kept": keep,
                                       "refused": refused, "limit": data.max_lots(bidder),
                                       "capacity": data.capacity(bidder)})
        free.sort(key=natural_key)
    for lot in data.lots:
        if lot in holder:
            outcome.winners[lot] = holder[lot]
    open_lots = [lot for lot in data.lots if lot not in holder]
    if open_lots:
        outcome.failure = {"reason": "open_lots", "lots": open_lots}
    return outcome


def _choose(data: AwardData, bidder: str, pool: list[str]) -> tuple[list[str], list[dict]]:
    """Keep lots in preference order while they fit the limit and capacity."""
    limit = data.max_lots(bidder)
    cap = data.capacity(bidder)
    keep: list[str] = []
    used = 0
    refused = []
    for lot in pool:
        if limit is not None and len(keep) >= limit:
            refused.append({"lot": lot, "reason": "max_lots"})
        elif cap is not None and used + data.clients[lot] > cap:
            refused.append({"lot": lot, "reason": "capacity", "left": cap - used,
                            "clients": data.clients[lot]})
        else:
            keep.append(lot)
            used += data.clients[lot]
    return keep, refused


# --------------------------------------------------------------------------- combinations
def _combination_stage(data: AwardData, outcome: RuleOutcome, criterion: str) -> None:
    if not data.combos:
        return
    if criterion != "price":
        outcome.events.append({"kind": "note", "key": "combos_need_price",
                               "count": len(data.combos)})
        return
    winners = outcome.winners
    rules = data.instance.rules

    def current(lots: tuple[str, ...]) -> float | None:
        if any(lot not in winners for lot in lots):
            return None
        return sum(data.option_of[(lot, winners[lot])].price for lot in lots)

    def saving(k: Combo) -> float:
        now = current(k.lots)
        return float("inf") if now is None else now - k.price

    taken: set[str] = set()
    for k in sorted(data.combos, key=lambda k: (-saving(k), k.id)):
        overlap = bool(taken & set(k.lots))
        now = None if overlap else current(k.lots)
        event = {"kind": "combination", "combo": k.id, "bidder": k.bidder, "lots": list(k.lots),
                 "price": k.price, "current": now, "accepted": False}
        trial = dict(winners)
        trial.update(dict.fromkeys(k.lots, k.bidder))
        mine = [lot for lot, b in trial.items() if b == k.bidder]
        limit, cap = data.max_lots(k.bidder), data.capacity(k.bidder)
        distinct_before, distinct = len(set(winners.values())), len(set(trial.values()))
        if overlap:
            event["reason"] = "overlap"
        elif now is not None and k.price >= now:
            event["reason"] = "not_cheaper"
        elif limit is not None and len(mine) > limit:
            event.update(reason="max_lots", limit=limit, lots_after=len(mine))
        elif cap is not None and sum(data.clients[lot] for lot in mine) > cap:
            event.update(reason="capacity", capacity=cap,
                         clients_after=sum(data.clients[lot] for lot in mine))
        elif rules.max_winners is not None and distinct > max(rules.max_winners,
                                                              distinct_before):
            event.update(reason="max_winners", limit=rules.max_winners)
        elif (rules.min_winners is not None and distinct < rules.min_winners
              and distinct < distinct_before):
            event.update(reason="min_winners", limit=rules.min_winners)
        else:
            event["accepted"] = True
            winners.update(trial)
            taken.update(k.lots)
            outcome.combinations.append(k.id)
        outcome.events.append(event)
    outcome.combinations.sort(key=natural_key)


def _final_check(data: AwardData, outcome: RuleOutcome) -> None:
    """Set ``failure`` for open lots or a number of winners outside the rules."""
    open_lots = [lot for lot in data.lots if lot not in outcome.winners]
    if open_lots:
        outcome.failure = {"reason": "open_lots", "lots": open_lots}
        return
    outcome.failure = None
    rules = data.instance.rules
    distinct = len(set(outcome.winners.values()))
    if rules.min_winners is not None and distinct < rules.min_winners:
        outcome.failure = {"reason": "min_winners", "winners": distinct,
                           "limit": rules.min_winners}
    elif rules.max_winners is not None and distinct > rules.max_winners:
        outcome.failure = {"reason": "max_winners", "winners": distinct,
                           "limit": rules.max_winners}
