"""Hand-checked awards for every rule, criterion and rule family, on every backend.

Every award is also re-evaluated by the independent checker, which must find it feasible
with the same objective.
"""

from __future__ import annotations

import random

import pytest
from test_award_factory import BACKENDS, make_instance

from allocatie.award import RULES, award, format_log
from allocatie.award.lottery import Lottery
from allocatie.checker import evaluate, objectives_match
from allocatie.errors import UsageError
from allocatie.instance import AwardSettings
from allocatie.settings import SolverSettings
from allocatie.status import Status


def checked(instance, rule="optimal", backend="highs", **kwargs):
    """Award and assert the checker agrees (feasible, same objective)."""
    solution = award(instance, rule, SolverSettings(backend=backend, time_limit_s=20), **kwargs)
    if solution.status.has_solution:
        ev = evaluate(instance, solution.assignment, solution.winners, solution.pricing,
                      solution.combinations)
        assert ev.feasible, ev.violations
        assert objectives_match(solution.objective, ev.objective)
        assert solution.details["checker"]["violations"] == []
    return solution


def capped_pair():
    """Lot 1: 100 clients, lot 2: 50 clients; A may win 1 lot.

    Bids  A: lot 1 100, lot 2 10;  B: lot 1 105, lot 2 100.
    Awards: A1 + B2 = 200, B1 + A2 = 115 (optimal).
    by-lot-value and by-lot-number both start with lot 1 (larger / number 1): A wins it
    (100 < 105), is at its limit, so lot 2 goes to B (100): 200, price of the rule 85.
    """
    return make_instance({"1": 100, "2": 50},
                         [("A", "1", 100, None, 2), ("A", "2", 10, None, 1),
                          ("B", "1", 105), ("B", "2", 100)],
                         bidders={"A": (None, 1)})


@pytest.mark.parametrize("backend", BACKENDS)
def test_optimal_award_beats_the_greedy_rule(backend):
    instance = capped_pair()
    best = checked(instance, "optimal", backend)
    assert best.status is Status.OPTIMAL
    assert dict(best.winners) == {"1": "B", "2": "A"}
    assert best.objective == pytest.approx(115)
    assert best.bound == pytest.approx(115)
    assert best.pricing == "lot_bids"
    greedy = checked(instance, "by-lot-value", backend)
    assert greedy.status is Status.FEASIBLE
    assert dict(greedy.winners) == {"1": "A", "2": "B"}
    assert greedy.objective == pytest.approx(200)
    price = greedy.details["price_of_rule"]
    assert price["cost"] == pytest.approx(85) and price["objective"] == pytest.approx(85)
    assert price["optimal_objective"] == pytest.approx(115)
    assert greedy.gap == pytest.approx(85 / 200)


def test_by_lot_value_takes_the_largest_lot_first():
    """Lot 1: 50 clients, lot 2: 100; A may win 1 lot. A: lot 1 10, lot 2 100;
    B: lot 1 100, lot 2 105.

    by-lot-number: lot 1 -> A (10), lot 2 -> B (105): 115 = the optimum.
    by-lot-value: lot 2 first -> A (100), lot 1 -> B (100): 200."""
    instance = make_instance({"1": 50, "2": 100},
                             [("A", "1", 10), ("A", "2", 100), ("B", "1", 100), ("B", "2", 105)],
                             bidders={"A": (None, 1)})
    by_number = checked(instance, "by-lot-number")
    assert dict(by_number.winners) == {"1": "A", "2": "B"}
    assert by_number.status is Status.OPTIMAL  # equals the proven optimum
    by_value = checked(instance, "by-lot-value")
    assert dict(by_value.winners) == {"1": "B", "2": "A"}
    assert by_value.objective == pytest.approx(200)
    assert by_value.details["price_of_rule"]["objective"] == pytest.approx(85)
    assert "Volgorde van de percelen naar grootte" in by_value.log[1]


def test_by_preference_keeps_the_preferred_lot():
    """capped_pair with preferences: A prefers lot 2 (1) over lot 1 (2).

    Round 1: lot 1 -> A (100), lot 2 -> A (10); A may hold 1 and keeps lot 2, its
    preference. Round 2: lot 1 -> B (105). Total 115 = the optimum.
    With A preferring lot 1, A keeps lot 1 and lot 2 goes to B: 200."""
    instance = capped_pair()
    solution = checked(instance, "by-preference")
    assert dict(solution.winners) == {"1": "B", "2": "A"}
    assert solution.status is Status.OPTIMAL
    text = "\n".join(solution.log)
    assert "A houdt volgens zijn voorkeur perceel 2 en valt af voor perceel 1" in text
    flipped = make_instance({"1": 100, "2": 50},
                            [("A", "1", 100, None, 1), ("A", "2", 10, None, 2),
                             ("B", "1", 105), ("B", "2", 100)], bidders={"A": (None, 1)})
    other = checked(flipped, "by-preference")
    assert dict(other.winners) == {"1": "A", "2": "B"}
    assert other.objective == pytest.approx(200)


def test_audit_log_reads_like_the_tender_rule():
    solution = checked(capped_pair(), "by-lot-number")
    assert solution.log[0].startswith("Stap 1: Gunningsregel: gunning per perceel")
    lot2 = next(line for line in solution.log if "Perceel 2 (50 cliënten" in line)
    assert ("laagste inschrijving A (€ 10); A heeft al 1 perceel (maximum 1) en valt af; "
            "gegund aan B (€ 100" in lot2)
    english = format_log(solution.details["events"], "en")
    assert english[0].startswith("Step 1: Award rule: lot by lot")
    assert any("A already holds 1 lot (maximum 1) and drops out" in line for line in english)
    assert any("Price of the rule" in line for line in english)
    assert award(capped_pair(), "by-lot-number", lang="en").log[0].startswith("Step 1:")


def tied_pair(seed: int):
    """Two lots of 100 clients; A and B bid 100 on both and may win 1 lot each. Lot 1 is a
    tie settled by the lottery; the loser of the draw wins lot 2. Objective 200 either way."""
    return make_instance({"1": 100, "2": 100},
                         [("A", "1", 100), ("A", "2", 100), ("B", "1", 100), ("B", "2", 100)],
                         max_lots_per_bidder=1, award=AwardSettings(lottery_seed=seed))


def expected_first(seed: int) -> str:
    return Lottery(seed).draw("1", ["A", "B"])[0]


def test_tie_settled_by_the_seeded_lottery():
    outcomes = {}
    for seed in range(12):
        solution = checked(tied_pair(seed), "by-lot-number")
        assert solution.winners["1"] == expected_first(seed)
        assert solution.winners["2"] != solution.winners["1"]
        draws = solution.details["lottery"]["draws"]
        assert draws[0]["seed"] == seed and draws[0]["candidates"] == ["A", "B"]
        assert any(f"loting 1 (seed {seed}) tussen A en B" in line for line in solution.log)
        again = checked(tied_pair(seed), "by-lot-number")
        assert dict(again.winners) == dict(solution.winners)  # same seed, same winner
        assert again.log == solution.log
        outcomes[solution.winners["1"]] = seed
    assert set(outcomes) == {"A", "B"}  # some seed gives the other winner
    seed_b = outcomes["B"]
    assert checked(tied_pair(0), "by-lot-number", lottery_seed=seed_b).winners["1"] == "B"


@pytest.mark.parametrize("backend", BACKENDS)
def test_optimal_rule_settles_ties_by_lottery(backend):
    """One lot of 100 clients, A and B both bid 100: both awards are optimal; the lottery's
    first drawn bidder wins."""
    winners = set()
    for seed in range(6):
        instance = make_instance({"1": 100}, [("A", "1", 100), ("B", "1", 100)],
                                 award=AwardSettings(lottery_seed=seed))
        solution = checked(instance, "optimal", backend)
        assert solution.status is Status.OPTIMAL
        assert solution.winners["1"] == expected_first(seed)
        assert solution.details["lottery"]["draws"][0]["lot"] == "1"
        assert any("Gelijke inschrijvingen op perceel 1" in line for line in solution.log)
        winners.add(solution.winners["1"])
    assert winners == {"A", "B"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_combination_bid_accepted_only_when_cheaper(backend):
    """Lots 1, 2 (100 clients each). A bids 100 on each, B 110 on each.
    B's combination {1, 2} at 190 beats A's 200: accepted, objective 190.
    At 205 it loses to 200: rejected. At 220 = B's own lot bids: rejected (no gain)."""
    bids = [("A", "1", 100), ("A", "2", 100), ("B", "1", 110), ("B", "2", 110)]
    cheap = make_instance({"1": 100, "2": 100}, bids, combos=[("B12", "B", ["1", "2"], 190)])
    solution = checked(cheap, "optimal", backend)
    assert solution.combinations == ("B12",)
    assert dict(solution.winners) == {"1": "B", "2": "B"}
    assert solution.objective == pytest.approx(190)
    dear = make_instance({"1": 100, "2": 100}, bids, combos=[("B12", "B", ["1", "2"], 205)])
    solution = checked(dear, "optimal", backend)
    assert solution.combinations == ()
    assert solution.objective == pytest.approx(200)
    assert any("B12" in line and "niet aanvaard" in line for line in solution.log)
    own = make_instance({"1": 100, "2": 100}, [("B", "1", 110), ("B", "2", 110)],
                        combos=[("B12", "B", ["1", "2"], 220)])
    assert checked(own, "optimal", backend).combinations == ()


def test_combination_bid_in_a_lot_by_lot_rule():
    """by-lot-number gives both lots to A (200); B's combination at 190 is cheaper and is
    accepted afterwards; at 205 it is rejected."""
    bids = [("A", "1", 100), ("A", "2", 100), ("B", "1", 110), ("B", "2", 110)]
    cheap = make_instance({"1": 100, "2": 100}, bids, combos=[("B12", "B", ["1", "2"], 190)])
    solution = checked(cheap, "by-lot-number")
    assert solution.combinations == ("B12",) and solution.objective == pytest.approx(190)
    assert any("B12" in line and "wordt aanvaard" in line for line in solution.log)
    dear = make_instance({"1": 100, "2": 100}, bids, combos=[("B12", "B", ["1", "2"], 205)])
    assert checked(dear, "by-lot-number").combinations == ()


@pytest.mark.parametrize("backend", BACKENDS)
def test_combination_covers_a_lot_without_lot_bids(backend):
    """Lot 3 has no lot bid; only C's combination {2, 3} at 300 covers it."""
    instance = make_instance({"1": 10, "2": 10, "3": 10},
                             [("A", "1", 100), ("A", "2", 100)],
                             combos=[("C23", "C", ["2", "3"], 300)])
    solution = checked(instance, "optimal", backend)
    assert solution.combinations == ("C23",)
    assert dict(solution.winners) == {"1": "A", "2": "C", "3": "C"}
    assert solution.objective == pytest.approx(400)


@pytest.mark.parametrize("backend", BACKENDS)
def test_min_and_max_winners(backend):
    """max_winners = 1: A 100/100, B 50/200. Free optimum B1 + A2 = 150; with one winner
    A takes both: 200 (B both: 250).
    min_winners = 2: A 10/10, B 100/100. Free optimum A both = 20; two winners: 110."""
    few = make_instance({"1": 1, "2": 1},
                        [("A", "1", 100), ("A", "2", 100), ("B", "1", 50), ("B", "2", 200)],
                        max_winners=1)
    solution = checked(few, "optimal", backend)
    assert dict(solution.winners) == {"1": "A", "2": "A"}
    assert solution.objective == pytest.approx(200)
    many = make_instance({"1": 1, "2": 1},
                         [("A", "1", 10), ("A", "2", 10), ("B", "1", 100), ("B", "2", 100)],
                         min_winners=2)
    solution = checked(many, "optimal", backend)
    assert len(set(solution.winners.values())) == 2
    assert solution.objective == pytest.approx(110)
    # the lot-by-lot rule reserves the last lot for a new winner
    sequential = checked(many, "by-lot-number", backend)
    assert dict(sequential.winners) == {"1": "A", "2": "B"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_capacity(backend):
    """A has capacity 120 clients: not both lots (100 + 50). A 10/10, B 100/50.
    A1 + B2 = 60 (optimal), A2 + B1 = 110. by-lot-value: lot 1 -> A, lot 2: A has 20 left,
    drops out, B wins: 60 too."""
    instance = make_instance({"1": 100, "2": 50},
                             [("A", "1", 10), ("A", "2", 10), ("B", "1", 100), ("B", "2", 50)],
                             bidders={"A": (120, None)})
    solution = checked(instance, "optimal", backend)
    assert dict(solution.winners) == {"1": "A", "2": "B"}
    assert solution.objective == pytest.approx(60)
    greedy = checked(instance, "by-lot-value", backend)
    assert dict(greedy.winners) == {"1": "A", "2": "B"}
    assert any("A heeft nog 20 cliënten capaciteit over (van 120)" in line
               for line in greedy.log)


def test_transitions_count_in_the_optimum_not_in_the_rule():
    """Lot 1: 100 clients, all served today by B; EUR 1 per client who must move.
    A bids 100, B 150. Optimal: B (150 + 0) beats A (100 + 100 moves = 200).
    by-lot-number takes the lowest price, A: 50 less cost, 100 more moves, objective +50."""
    instance = make_instance({"1": 100}, [("A", "1", 100), ("B", "1", 150)],
                             incumbents={"1": {"B": 100}}, transition_cost=1.0)
    best = checked(instance, "optimal")
    assert best.winners["1"] == "B" and best.objective == pytest.approx(150)
    rule = checked(instance, "by-lot-number")
    assert rule.winners["1"] == "A" and rule.objective == pytest.approx(200)
    price = rule.details["price_of_rule"]
    assert (price["cost"], price["transitions"], price["objective"]) == (-50, 100, 50)
    assert rule.details["transitions_by_lot"] == {"1": 100}
    assert rule.details["transitions_per_lot"]["1"] == [{"from": "B", "to": "A",
                                                         "clients": 100}]


@pytest.mark.parametrize("backend", BACKENDS)
def test_price_quality(backend):
    """q = 0.5. A: price 100, quality 50; B: price 125, quality 100.
    score A = 0.5 x 100 x 100/100 + 0.5 x 50 = 75; B = 0.5 x 100 x 100/125 + 0.5 x 100 = 90.
    Best price-quality: B (objective 125, 25 above the cheapest award); lowest price: A."""
    instance = make_instance({"1": 10}, [("A", "1", 100, 50), ("B", "1", 125, 100)],
                             award=AwardSettings(criterion="price_quality", quality_weight=0.5))
    pq = checked(instance, "optimal", backend)
    assert pq.winners["1"] == "B"
    assert pq.details["score"] == pytest.approx(90)
    assert pq.status is Status.FEASIBLE  # not the cheapest award
    assert pq.details["price_of_rule"]["objective"] == pytest.approx(25)
    rule = checked(instance, "by-lot-number", backend)
    assert rule.winners["1"] == "B"
    assert any("hoogste score B (90,00 punten; € 125)" in line for line in rule.log)
    price = checked(instance, "optimal", backend, criterion="price")
    assert price.winners["1"] == "A" and price.status is Status.OPTIMAL


def test_district_pricing_without_lot_bids():
    """No lot bids: lot price = lot fee + sum price x clients. Lot 1 = districts d1 (10
    clients) + d2 (20); A bids 5 and 6 per client with fee 7: 7 + 50 + 120 = 177; B bid only
    on d1 and cannot win lot 1."""
    from allocatie.instance import Bidder, District, Instance, Rules

    instance = Instance(
        name="district", districts=(District("d1", 10), District("d2", 20)),
        bidders=(Bidder("A", lot_fee=7.0), Bidder("B")),
        bids={("A", "d1"): 5.0, ("A", "d2"): 6.0, ("B", "d1"): 1.0}, edges=(),
        rules=Rules(contiguity="none"), lots={"d1": "1", "d2": "1"})
    for rule in RULES:
        solution = checked(instance, rule)
        assert solution.pricing == "district"
        assert solution.winners["1"] == "A"
        assert solution.objective == pytest.approx(177)


def test_rule_that_gets_stuck_gives_no_award_but_shows_the_optimum():
    """A bids on both lots (cheapest), B only on lot 1; one lot each. by-lot-number gives lot
    1 to A, then nobody may take lot 2; the optimal award B1 + A2 exists."""
    instance = make_instance({"1": 1, "2": 1},
                             [("A", "1", 10), ("A", "2", 10), ("B", "1", 20)],
                             max_lots_per_bidder=1)
    solution = award(instance, "by-lot-number")
    assert solution.status is Status.NO_SOLUTION
    assert not solution.winners
    assert solution.details["optimal"]["winners"] == {"1": "B", "2": "A"}
    assert "perceel 2 aan niemand gunnen" in "\n".join(solution.log)


def test_deterministic_and_rule_names():
    instance = capped_pair()
    a = award(instance, "by_lot_value")
    b = award(instance, "BY-LOT-VALUE")
    assert a.log == b.log and dict(a.winners) == dict(b.winners)
    with pytest.raises(UsageError, match="unknown award rule 'cheapest'"):
        award(instance, "cheapest")
    with pytest.raises(UsageError, match="unknown award criterion"):
        award(instance, criterion="quality")
    with pytest.raises(UsageError, match="quality_weight must be in"):
        award(instance, quality_weight=1.5)


def test_no_design_is_a_usage_error():
    from dataclasses import replace

    with pytest.raises(UsageError, match="no fixed design"):
        award(replace(capped_pair(), lots=None))


def test_random_lottery_is_not_global():
    random.seed(1)
    first = award(tied_pair(3), "by-lot-number").winners["1"]
    random.seed(2)
    assert award(tied_pair(3), "by-lot-number").winners["1"] == first
