"""The figures every report file shows, computed once from the instance, the solution and the
checker's evaluation (so the map, the HTML report and the workbook always agree)."""

from __future__ import annotations

import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from allocatie.checker import Evaluation, objectives_match
from allocatie.instance import Instance
from allocatie.lot_shares import combination_shares
from allocatie.report.sentences import (
    diagnosis_lines,
    district_words,
    message_text,
    minimises_objective,
    objective_label,
    price_of_rule_text,
    rule_label,
    solver_text,
    status_text,
)
from allocatie.report.sources import attribution
from allocatie.report.texts import DEFAULT_ATTRIBUTION, texts
from allocatie.solution import Solution
from allocatie.text import fmt_eur, fmt_int, fmt_num, fmt_pct, natural_key

# Paul Tol's "light" scheme: pale, colour-blind safe fills that keep black labels readable;
# ordered so that the first colours differ most.
LOT_COLOURS = ("#77AADD", "#EE8866", "#44BB99", "#FFAABB", "#BBCC33", "#EEDD88", "#99DDFF",
               "#AAAA00", "#DDDDDD")
# Extra pale fills, distinct from the scheme above, for designs with more lots.
EXTRA_LOT_COLOURS = ("#C2A5CF", "#D8B48E", "#A6DBA0", "#F1B6DA", "#B8E186", "#FDDBC7",
                     "#D1E5F0", "#E6F5D0", "#CCCCAA", "#B3B3CC")
# Paul Tol's "muted" scheme for organisations (current providers and winners).
ORG_COLOURS = ("#88CCEE", "#CC6677", "#DDCC77", "#117733", "#332288", "#AA4499", "#44AA99",
               "#999933", "#882255",
               # then Paul Tol's "vibrant" scheme, for instances with many organisations
               "#EE7733", "#0077BB", "#33BBEE", "#EE3377", "#CC3311", "#009988")
OTHER_COLOUR = "#BBBBBB"
NO_PROVIDER_COLOUR = "#FFFFFF"


@dataclass(frozen=True)
class LotRow:
    """One lot as the report shows it."""

    lot: str
    winner: str | None
    districts: tuple[str, ...]
    names: tuple[str, ...]
    clients: int
    served: int
    cost: float
    transitions: int
    colour: str
    combination: str = ""  # the accepted combination bid this lot is part of, e.g. "B-combi"
    combination_lots: tuple[str, ...] = ()

    @property
    def switch_share(self) -> float | None:
        return self.transitions / self.served if self.served else None

    @property
    def cost_per_client(self) -> float | None:
        return self.cost / self.clients if self.clients else None


@dataclass(frozen=True)
class BidderRow:
    """One bidder: lots won, clients, capacity use and cost."""

    bidder: str
    lots: tuple[str, ...]
    clients: int
    capacity: int | None
    max_lots: int | None
    cost: float
    clients_today: int

    @property
    def capacity_use(self) -> float | None:
        return self.clients / self.capacity if self.capacity else None


@dataclass(frozen=True)
class DistrictRow:
    """One district: clients, today's providers and its place in the new design."""

    id: str
    name: str
    clients: int
    incumbents: tuple[tuple[str, int], ...]  # provider, clients; most clients first
    main_provider: str | None
    lot: str | None
    winner: str | None
    price: float | None  # winner's EUR per client per year (district pricing)
    cost: float | None
    switchers: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id


@dataclass(frozen=True)
class Matrix:
    """Clients from current provider (rows) to new main contractor (columns)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: Mapping[tuple[str, str], int]

    @property
    def stayers(self) -> int:
        return sum(n for (a, b), n in self.counts.items() if a == b)

    @property
    def movers(self) -> int:
        return sum(n for (a, b), n in self.counts.items() if a != b)

    def row_total(self, row: str) -> int:
        return sum(self.counts.get((row, c), 0) for c in self.columns)

    def column_total(self, column: str) -> int:
        return sum(self.counts.get((r, column), 0) for r in self.rows)

    @property
    def maximum(self) -> int:
        return max(self.counts.values(), default=0)


@dataclass(frozen=True)
class ReportData:
    """Everything the report writers need, formatted for one language."""

    lang: str
    t: Mapping[str, str]
    instance: Instance
    solution: Solution
    evaluation: Evaluation | None
    title: str
    status_text: str
    short_text: str
    district_word: str  # singular, capitalised ("Wijk")
    districts_word: str  # plural, capitalised ("Wijken")
    lots: tuple[LotRow, ...]
    bidders: tuple[BidderRow, ...]
    districts: tuple[DistrictRow, ...]
    matrix: Matrix
    question: tuple[tuple[str, str], ...]
    answer: tuple[tuple[str, str], ...]
    lot_colours: Mapping[str, str]
    org_colours: Mapping[str, str]  # organisations shown by name; the rest is "other"
    attribution: tuple[str, ...]
    alternatives: tuple[Mapping[str, object], ...] = ()
    diagnosis: tuple[str, ...] = ()
    check_lines: tuple[str, ...] = ()
    check_ok: bool | None = None
    served_total: int = 0
    unserved_total: int = 0

    @property
    def has_solution(self) -> bool:
        return self.evaluation is not None and bool(self.solution.assignment)

    @property
    def winners(self) -> tuple[str, ...]:
        return tuple(sorted({r.winner for r in self.lots if r.winner}, key=natural_key))

    def integer(self, value: float | None) -> str:
        return fmt_int(value, self.lang)

    def eur(self, value: float | None) -> str:
        return fmt_eur(value, self.lang)

    def pct(self, value: float | None) -> str:
        return fmt_pct(value, self.lang)

    def num(self, value: float | None, decimals: int = 1) -> str:
        return fmt_num(value, self.lang, decimals)

    def attribution_line(self) -> str:
        """One short attribution line for a map: the instance's "Bron: ..." sentence if it
        has one, else the default CBS/Kadaster line."""
        for paragraph in self.attribution:
            match = re.search(r"(Bron|Source)\s*:[^\n]*?(\.\s|$)", paragraph)
            if match and "CC" in match.group(0):
                return textwrap.shorten(match.group(0).strip(), width=300, placeholder="…")
        return DEFAULT_ATTRIBUTION[self.lang]

    def org_colour(self, organisation: str | None) -> str:
        if organisation is None:
            return NO_PROVIDER_COLOUR
        return self.org_colours.get(organisation, OTHER_COLOUR)


def build(instance: Instance, solution: Solution, evaluation: Evaluation | None,
          lang: str = "nl", alternatives: Sequence[Mapping[str, object]] | None = None
          ) -> ReportData:
    """Compute the report's figures; raises ValueError for an unknown language."""
    t = texts(lang)
    singular, plural = district_words(instance, t)
    has_solution = evaluation is not None and bool(solution.assignment)
    lots = _lot_rows(instance, evaluation, solution.combinations) if has_solution else ()
    lot_colours = {row.lot: row.colour for row in lots}
    districts = _district_rows(instance, solution, evaluation if has_solution else None)
    bidders = _bidder_rows(instance, lots)
    matrix = _matrix(evaluation) if has_solution else Matrix((), (), {})
    served = sum(d.served for d in instance.districts)
    status = status_text(solution, instance, t, lang)
    data = ReportData(
        lang=lang, t=t, instance=instance, solution=solution, evaluation=evaluation,
        title=t["report_title"] if has_solution else t["report_title_none"],
        status_text=status, short_text="", district_word=singular, districts_word=plural,
        lots=lots, bidders=bidders, districts=districts, matrix=matrix,
        question=(), answer=(), lot_colours=lot_colours,
        org_colours=_org_colours(instance, districts, lots),
        attribution=attribution(instance, lang),
        alternatives=tuple(dict(a) for a in alternatives or ()),
        diagnosis=diagnosis_lines(solution) if not has_solution else (),
        served_total=served, unserved_total=instance.total_clients - served,
    )
    check_ok, check_lines = _check(data)
    return replace(data, question=_question(data), answer=_answer(data),
                    short_text=_short(data), check_ok=check_ok, check_lines=check_lines)


# --------------------------------------------------------------------------- rows
def _lot_rows(instance: Instance, evaluation: Evaluation,
              combinations: Sequence[str] = ()) -> tuple[LotRow, ...]:
    rows = []
    palette = LOT_COLOURS + EXTRA_LOT_COLOURS
    shares = combination_shares(instance, combinations)
    for index, figures in enumerate(evaluation.lots):
        served = sum(instance.district_by_id[d].served for d in figures.districts)
        cost, combination, members = figures.cost, "", ()  # cost: the checker's share
        if figures.lot in shares:
            combination, members = shares[figures.lot].combination, shares[figures.lot].lots
        rows.append(LotRow(
            lot=figures.lot, winner=figures.winner, districts=figures.districts,
            names=tuple(instance.district_by_id[d].name or d for d in figures.districts),
            clients=figures.clients, served=served, cost=cost,
            transitions=figures.transitions, colour=palette[index % len(palette)],
            combination=combination, combination_lots=members,
        ))
    return tuple(rows)


def _district_rows(instance: Instance, solution: Solution,
                   evaluation: Evaluation | None) -> tuple[DistrictRow, ...]:
    rows = []
    for d in instance.districts:
        incumbents = tuple(sorted(((p, n) for p, n in d.incumbents.items() if n > 0),
                                  key=lambda item: (-item[1], natural_key(item[0]))))
        lot = solution.assignment.get(d.id) if evaluation is not None else None
        winner = solution.winners.get(lot) if lot is not None else None
        price = None
        if winner is not None and solution.pricing == "district":
            price = instance.price(winner, d.id)
        switchers = sum(n for p, n in incumbents if winner is not None and p != winner)
        rows.append(DistrictRow(
            id=d.id, name=d.name, clients=d.clients, incumbents=incumbents,
            main_provider=incumbents[0][0] if incumbents else None, lot=lot, winner=winner,
            price=price, cost=price * d.clients if price is not None else None,
            switchers=switchers,
        ))
    return tuple(rows)


def _bidder_rows(instance: Instance, lots: Sequence[LotRow]) -> tuple[BidderRow, ...]:
    won: dict[str, list[LotRow]] = defaultdict(list)
    for row in lots:
        if row.winner:
            won[row.winner].append(row)
    today: Counter[str] = Counter()
    for d in instance.districts:
        today.update(d.incumbents)
    rows = []
    for bidder in instance.bidders:
        mine = won.get(bidder.id, [])
        rows.append(BidderRow(
            bidder=bidder.id, lots=tuple(r.lot for r in mine),
            clients=sum(r.clients for r in mine), capacity=bidder.capacity,
            max_lots=instance.max_lots(bidder.id), cost=sum(r.cost for r in mine),
            clients_today=today.get(bidder.id, 0),
        ))
    rows.sort(key=lambda r: (-len(r.lots), -r.clients, natural_key(r.bidder)))
    return tuple(rows)


def _matrix(evaluation: Evaluation) -> Matrix:
    counts = {k: v for k, v in evaluation.matrix.items() if v > 0}
    from_total: Counter[str] = Counter()
    to_total: Counter[str] = Counter()
    for (a, b), n in counts.items():
        from_total[a] += n
        to_total[b] += n
    rows = tuple(sorted(from_total, key=lambda p: (-from_total[p], natural_key(p))))
    both = [p for p in rows if p in to_total]
    rest = sorted((w for w in to_total if w not in from_total),
                  key=lambda w: (-to_total[w], natural_key(w)))
    return Matrix(rows=rows, columns=tuple(both + rest), counts=counts)


def organisation_colours(instance: Instance) -> dict[str, str]:
    """One colour per organisation (today's providers and bidders), from the instance alone,
    so a provider has the same colour in every output of every run on the instance (design,
    award, evaluate; maps, web map, charts, workbook). When there are more organisations
    than colours, the ones with most clients today (then most bids) get one; the rest are
    drawn as "other"."""
    weight: Counter[str] = Counter()
    for district in instance.districts:
        for provider, clients in district.incumbents.items():
            weight[provider] += int(clients) if isinstance(clients, int | float) else 0
    bids: Counter[str] = Counter(b for b, _ in instance.bids)
    bids.update(bid.bidder for bid in instance.lot_bids)
    organisations = set(weight) | set(instance.bidder_ids)
    ranked = sorted(organisations, key=lambda o: (-weight[o], -bids[o], natural_key(o)))
    chosen = sorted(ranked[: len(ORG_COLOURS)], key=natural_key)
    return {org: ORG_COLOURS[i] for i, org in enumerate(chosen)}


def _org_colours(instance: Instance, districts: Sequence[DistrictRow],
                 lots: Sequence[LotRow]) -> dict[str, str]:
    """The organisations' colours (see :func:`organisation_colours`)."""
    del districts, lots  # the colours depend on the instance only
    return organisation_colours(instance)


# --------------------------------------------------------------------------- texts
class Figure(str):
    """A number formatted for the report that keeps its value, so the workbook can store it
    as a number (``value``; ``money`` for a euro amount)."""

    value: float
    money: bool

    def __new__(cls, text: str, value: float, money: bool = False) -> Figure:
        out = super().__new__(cls, text)
        out.value, out.money = value, money
        return out


def figure(data: ReportData, value: float, money: bool = False) -> Figure:
    """``value`` as the report writes it (``4.312``, ``€ 1.000``), keeping the number."""
    return Figure(data.eur(value) if money else data.integer(value), value, money)


def _question(data: ReportData) -> tuple[tuple[str, str], ...]:
    t, inst, rules = data.t, data.instance, data.instance.rules
    items: list[tuple[str, str]] = [(t["q_instance"], inst.name)]
    if inst.description:
        items.append((t["q_description"], inst.description))
    items += [
        (t["q_districts"].format(districts=data.districts_word.lower()),
         figure(data, len(inst.districts))),
        (t["q_clients"], figure(data, inst.total_clients)),
        (t["q_served"], figure(data, data.served_total)),
        (t["q_providers"], figure(data, len(inst.providers))),
        (t["q_bidders"], figure(data, len(inst.bidders))),
    ]
    details = data.solution.details
    award = "rule" in details  # an award of the fixed design (lots.csv)
    if award and inst.lots:
        lots_text = t["q_fixed_design"].format(n=data.integer(len(inst.lot_ids)))
    elif rules.lots_min == rules.lots_max:
        lots_text = figure(data, rules.lots_min)
    else:
        lots_text = t["q_lots_range"].format(lo=data.integer(rules.lots_min),
                                             hi=data.integer(rules.lots_max))
    items.append((t["q_lots"], lots_text))
    limit = rules.max_lots_per_bidder
    items.append((t["q_max_lots"], figure(data, limit) if limit is not None else t["none"]))
    own = [f"{b.id}: {data.integer(b.max_lots)}" for b in inst.bidders if b.max_lots is not None]
    if own:
        items.append((t["q_own_max_lots"], "; ".join(own)))
    capped = [b for b in inst.bidders if b.capacity is not None]
    if capped:
        detail = "; ".join(f"{b.id}: {data.integer(b.capacity)}" for b in capped)
        items.append((t["q_capacity"], t["q_capacity_some"].format(
            n=data.integer(len(capped)), total=data.integer(len(inst.bidders))) + f" ({detail})"))
    else:
        items.append((t["q_capacity"], t["q_capacity_none"]))
    items.append((t["q_client_bounds"], _bounds_text(data)))
    items.append((t["q_transition_cost"], figure(data, rules.transition_cost, money=True)))
    items.append((t["q_contiguity"], t.get(f"q_contiguity_{rules.contiguity}",
                                           rules.contiguity)))
    if rules.min_winners is not None or rules.max_winners is not None:
        lo = data.integer(rules.min_winners) if rules.min_winners is not None else "–"
        hi = data.integer(rules.max_winners) if rules.max_winners is not None else "–"
        items.append((t["q_winners"], f"{lo} – {hi}"))
    if rules.compactness_weight:
        items.append((t["q_compactness"], t["q_compactness_value"].format(
            eur=data.eur(rules.compactness_weight))))
    if rules.max_changed_districts is not None:
        items.append((t["q_changed"].format(districts=data.districts_word.lower()),
                      figure(data, rules.max_changed_districts)))
    pricing = data.solution.pricing
    items.append((t["q_pricing"], t[f"q_pricing_{pricing}"].format(
        district=data.district_word.lower())))
    if award:
        items.append((t["q_award_rule"], rule_label(details, t)))
        criterion = details.get("criterion")
        if criterion == "price_quality":
            weight = float(details.get("quality_weight") or 0.0)  # type: ignore[arg-type]
            items.append((t["q_criterion"], t["q_criterion_quality"].format(
                weight=data.pct(weight))))
        elif criterion:
            items.append((t["q_criterion"], t["q_criterion_price"]))
    solver = inst.solver  # the settings of this run (the command line passes them in)
    items.append((t["q_solver"], t["q_solver_value"].format(
        backend=solver.backend, limit=data.num(solver.time_limit_s, 0),
        gap=data.pct(solver.mip_gap))))
    items.append((t["q_objective"], t["q_objective_value"].format(
        eur=data.eur(rules.transition_cost))))
    return tuple(items)


def _bounds_text(data: ReportData) -> str:
    t, rules = data.t, data.instance.rules
    lo, hi = rules.lot_clients_min, rules.lot_clients_max
    if lo is not None and hi is not None:
        text = t["q_bounds_between"].format(lo=data.integer(lo), hi=data.integer(hi))
    elif lo is not None:
        text = t["q_bounds_min"].format(lo=data.integer(lo))
    elif hi is not None:
        text = t["q_bounds_max"].format(hi=data.integer(hi))
    else:
        return t["none"]
    if rules.soft_client_bounds:
        return t["q_bounds_soft"].format(bounds=text,
                                         penalty=data.eur(rules.lot_clients_penalty))
    return text


def _answer(data: ReportData) -> tuple[tuple[str, str], ...]:
    t, solution, ev = data.t, data.solution, data.evaluation
    items: list[tuple[str, str]] = [(t["a_status"], data.status_text)]
    if data.has_solution and ev is not None:
        items += [
            (t["a_lots"], data.integer(len(data.lots))),
            (t["a_winners"], f"{data.integer(len(data.winners))}: {', '.join(data.winners)}"),
            (t["a_cost"], data.eur(ev.cost)),
            (t["a_switchers"], t["a_switchers_value"].format(
                n=data.integer(ev.transitions), served=data.integer(data.served_total),
                share=data.pct(ev.transitions / data.served_total if data.served_total
                               else None))),
            (t["a_transition_cost"], data.eur(ev.transition_cost)),
        ]
        if ev.client_penalty:
            items.append((t["a_penalty"], data.eur(ev.client_penalty)))
        if ev.compactness_cost:
            items.append((t["a_compactness"], data.eur(ev.compactness_cost)))
        price = solution.details.get("compactness_price")
        if isinstance(price, Mapping):
            items.append((t["a_compactness_price"], t["a_compactness_price_value"].format(
                extra=data.eur(price["extra_money"]), km=data.num(price["saved_km"]),
                without=data.eur(price["without"]["money"]),
                with_=data.eur(price["with"]["money"]))))
        items.append((objective_label(t, ev, minimises_objective(solution)),
                      data.eur(ev.objective)))
        if ev.changed_districts is not None and "rule" not in solution.details:
            items.append((t["a_changed"].format(districts=data.districts_word),
                          data.integer(ev.changed_districts)))
    for label, value in figure_rows(data):
        items.append((label, value if isinstance(value, str) else
                      data.pct(value) if label == t["a_gap"] else data.eur(value)))
    if solution.solver:
        items.append((t["a_solver"], t["a_solver_value"].format(
            solver=solver_text(solution, t), seconds=data.num(solution.time_s, 1))))
    note = message_text(solution, data.lang) if data.has_solution else None
    if note:  # without a solution: in the diagnosis
        items.append((t["a_message"], note))
    return tuple(items)


def figure_rows(data: ReportData) -> list[tuple[str, float | str]]:
    """Bound and gap of a run that minimised the objective, or the price of an award rule
    that does not (never a bound under a rule that does not minimise it). Shared by the
    HTML report and the workbook so both show the same figures."""
    t, solution = data.t, data.solution
    if not minimises_objective(solution):
        price = price_of_rule_text(solution, t, data.lang)
        return [(t["a_price_of_rule"], price)] if price and data.has_solution else []
    rows: list[tuple[str, float | str]] = []
    if solution.bound is not None:
        rows.append((t["a_bound"], solution.bound))
    if solution.gap is not None:
        rows.append((t["a_gap"], solution.gap))
    return rows


def _short(data: ReportData) -> str:
    t, ev = data.t, data.evaluation
    if not data.has_solution or ev is None:
        return t["short_none"].format(status=data.status_text)
    share = ev.transitions / data.served_total if data.served_total else None
    relaxation = data.solution.details.get("relaxation")
    named = (f"{t['short_relaxation'].format(name=relaxation['name'])} "
             if isinstance(relaxation, Mapping) else "")
    text = named + t["short_solution"].format(
        status=data.status_text, lots=data.integer(len(data.lots)),
        winners=data.integer(len(data.winners)), cost=data.eur(ev.cost),
        switchers=data.integer(ev.transitions), served=data.integer(data.served_total),
        share=data.pct(share))
    kind = data.instance.bids_kind
    return text + (" " + t[f"short_bids_{kind}"] if kind != "bid" else "")


def _check(data: ReportData) -> tuple[bool | None, tuple[str, ...]]:
    t, ev, solution = data.t, data.evaluation, data.solution
    if ev is None or not data.has_solution:
        return None, (t["check_none"],)
    lines = [t["check_ok"]] if ev.feasible else [t["check_bad"].format(
        n=data.integer(len(ev.violations)))]
    lines += list(ev.messages)
    ok = ev.feasible
    if solution.objective is not None:
        if objectives_match(solution.objective, ev.objective):
            lines.append(t["check_objective_ok"].format(reported=data.eur(solution.objective)))
        else:
            ok = False
            lines.append(t["check_objective_bad"].format(
                reported=data.eur(solution.objective), recomputed=data.eur(ev.objective)))
    return ok, tuple(lines)


