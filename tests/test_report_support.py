"""Helpers for the report tests (no tests here): the bundled Emmen instance with an evaluated
solution on a fixed design, and a small instance built in code without geometry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from allocatie.checker import Evaluation, evaluate
from allocatie.instance import Bidder, District, Edge, Instance, Rules
from allocatie.io.loading import load_instance
from allocatie.solution import Solution
from allocatie.status import Status

ROOT = Path(__file__).resolve().parent.parent
EMMEN_WIJKEN = ROOT / "instances" / "emmen-wijken"


def load(folder: Path) -> Instance:
    """The instance of a bundled folder."""
    return load_instance(folder)


def best_award(instance: Instance, design: Mapping[str, str],
               node_limit: int = 50_000) -> dict[str, str]:
    """Cheap feasible winners of a fixed design under district prices (cost plus transition
    cost), by depth-first search with pruning: the optimum when the search ends within
    ``node_limit`` nodes (small designs), else the best found."""
    members: dict[str, list[str]] = defaultdict(list)
    for d, lot in design.items():
        members[lot].append(d)
    lots = sorted(members, key=lambda lot: -sum(instance.clients(d) for d in members[lot]))
    options: dict[str, list[tuple[float, str]]] = {}
    rules = instance.rules
    for lot in lots:
        clients = sum(instance.clients(d) for d in members[lot])
        choice = []
        for bidder in instance.bidders:
            prices = [instance.price(bidder.id, d) for d in members[lot]]
            if any(p is None for p in prices):
                continue
            cost = bidder.lot_fee + sum(p * instance.clients(d)
                                        for p, d in zip(prices, members[lot], strict=True))
            moved = sum(n for d in members[lot]
                        for p, n in instance.district_by_id[d].incumbents.items()
                        if p != bidder.id)
            if bidder.capacity is not None and clients > bidder.capacity:
                continue
            choice.append((cost + rules.transition_cost * moved, bidder.id))
        options[lot] = sorted(choice)
    best: tuple[float, dict[str, str]] = (float("inf"), {})
    budget = [node_limit]

    def search(i: int, total: float, chosen: dict[str, str], load: dict[str, int],
               count: dict[str, int]) -> None:
        nonlocal best
        budget[0] -= 1
        if total >= best[0] or budget[0] < 0:
            return
        if i == len(lots):
            best = (total, dict(chosen))
            return
        lot = lots[i]
        clients = sum(instance.clients(d) for d in members[lot])
        for value, bidder in options[lot]:
            limit = instance.max_lots(bidder)
            capacity = instance.bidder_by_id[bidder].capacity
            if limit is not None and count.get(bidder, 0) >= limit:
                continue
            if capacity is not None and load.get(bidder, 0) + clients > capacity:
                continue
            chosen[lot] = bidder
            count[bidder] = count.get(bidder, 0) + 1
            load[bidder] = load.get(bidder, 0) + clients
            search(i + 1, total + value, chosen, load, count)
            count[bidder] -= 1
            load[bidder] -= clients
            del chosen[lot]

    search(0, 0.0, {}, {}, {})
    return best[1]


def emmen_solution(instance: Instance, status: Status = Status.OPTIMAL,
                   log: tuple[str, ...] = ()) -> tuple[Solution, Evaluation]:
    """Today's areas of Emmen (``current_lots``, else ``lots``) with the cheapest winners."""
    design = dict(instance.current_lots or instance.lots or {})
    winners = best_award(instance, design)
    evaluation = evaluate(instance, design, winners)
    bound = evaluation.objective * (0.988 if status is Status.FEASIBLE else 1.0)
    solution = Solution(status=status, assignment=design, winners=winners,
                        objective=evaluation.objective, bound=bound, solver="highs 1.12",
                        time_s=12.34, log=log)
    return solution, evaluation


def tiny_instance() -> Instance:
    """Three districts on a path, two bidders, no geometry (built in code)."""
    districts = (
        District("A", 100, "Noord", {"Oud": 80}),
        District("B", 50, "Midden", {"Oud": 20, "Nieuw": 25}),
        District("C", 70, "Zuid", {}),
    )
    bidders = (Bidder("Oud", capacity=200), Bidder("Nieuw"))
    bids = {(b, d): price for b, price in (("Oud", 1000.0), ("Nieuw", 900.0))
            for d in "ABC"}
    edges = (Edge("A", "B", 10.0), Edge("B", "C", 10.0))
    return Instance(name="Drie wijken", districts=districts, bidders=bidders, bids=bids,
                    edges=edges, rules=Rules(lots_min=2, lots_max=2, transition_cost=500.0))


def test_design_note_is_wholly_dutch_in_a_dutch_report():
    from allocatie.design.run import lot_level_rules
    from allocatie.report.data import message_text

    instance = load_instance(Path(__file__).resolve().parents[1] / "instances" / "emmen-wijken")
    rules = lot_level_rules(instance)
    assert "compactness weight" in rules
    note = "lot-level rules (" + ", ".join(rules) + ") are relaxed in the territory bound"
    solution = Solution(status=Status.FEASIBLE, message=note)
    dutch = message_text(solution, "nl")
    assert dutch.startswith("de ondergrens laat de regels per perceel (")
    assert "weging van compactheid" in dutch and "cliëntgrenzen per perceel" in dutch
    assert not any(rule in dutch for rule in rules)
    assert message_text(solution, "en") == note


def test_objective_label_names_every_part_of_the_sum():
    import dataclasses

    from allocatie.award import award
    from allocatie.report.data import objective_label
    from allocatie.report.texts import texts

    instance = load_instance(Path(__file__).resolve().parents[1] / "instances" / "emmen-wijken")
    assert instance.rules.compactness_weight
    winners = dict(award(instance, rule="optimal").winners)
    compact = evaluate(instance, dict(instance.lots), winners)
    plain_instance = dataclasses.replace(
        instance, rules=dataclasses.replace(instance.rules, compactness_weight=0.0))
    plain = evaluate(plain_instance, dict(instance.lots), winners)
    assert compact.compactness_cost > 0 and plain.compactness_cost == 0
    nl, en = texts("nl"), texts("en")
    assert objective_label(nl, plain, True) == "Doelwaarde (kosten + overstapkosten)"
    assert objective_label(nl, compact, True) == \
        "Doelwaarde (kosten + overstapkosten + compactheid)"
    assert objective_label(en, compact, False) == "Cost plus transition cost + compactness"
