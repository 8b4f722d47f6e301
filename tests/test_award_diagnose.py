"""Infeasibility diagnosis: which rules conflict, and by how much."""

from __future__ import annotations

import pytest
from test_award_factory import BACKENDS, make_instance

from allocatie.award import award, diagnose_award
from allocatie.settings import SolverSettings
from allocatie.status import Status


def first(messages: list[str]) -> str:
    assert messages, "expected a diagnosis"
    return messages[0]


def test_lot_without_bid():
    instance = make_instance({"1": 10, "2": 10, "3": 10}, [("A", "1", 5), ("A", "3", 5)])
    assert first(diagnose_award(instance)) == "perceel 2 heeft geen inschrijving"
    assert first(diagnose_award(instance, lang="en")) == "lot 2 has no bid"
    solution = award(instance)
    assert solution.status is Status.INFEASIBLE
    assert not solution.winners and solution.objective is None
    assert solution.message == "geen gunning mogelijk: perceel 2 heeft geen inschrijving"
    assert solution.log == ("Diagnose 1: perceel 2 heeft geen inschrijving",)
    assert award(instance, "by-lot-value", lang="en").log == (
        "Diagnosis 1: lot 2 has no bid",)


def test_capacity_too_small():
    """Lots of 100 and 150 clients; A (capacity 100) and B (50) bid on both: 150 < 250."""
    instance = make_instance({"1": 100, "2": 150},
                             [("A", "1", 5), ("A", "2", 5), ("B", "1", 5), ("B", "2", 5)],
                             bidders={"A": (100, None), "B": (50, None)})
    messages = diagnose_award(instance, lang="en")
    assert "bidders' capacity 150 < 250 clients" in messages
    assert "capaciteit van de inschrijvers samen 150 < 250 cliënten" in diagnose_award(instance)
    assert any(m.startswith("lot 2 (150 clients) fits the capacity or limit of none")
               for m in messages)


def test_lot_limits_too_few():
    """7 lots, 3 bidders that may win 2 lots each: 6 < 7."""
    clients = {str(i): 10 for i in range(1, 8)}
    bids = [(b, lot, 5) for b in "ABC" for lot in clients]
    instance = make_instance(clients, bids, max_lots_per_bidder=2)
    assert first(diagnose_award(instance, lang="en")) == "max 2 lots x 3 bidders = 6 < 7 lots"
    assert first(diagnose_award(instance)) == (
        "maximaal 2 percelen x 3 inschrijvers = 6 < 7 percelen")
    assert award(instance).status is Status.INFEASIBLE


def test_lots_only_one_capped_bidder_bid_on():
    """Lots 1 and 2 have bids from A only, and A may win one lot (B bids on lot 3 only)."""
    instance = make_instance({"1": 10, "2": 10, "3": 10},
                             [("A", "1", 5), ("A", "2", 5), ("B", "3", 5), ("C", "3", 5)],
                             max_lots_per_bidder=1)
    assert first(diagnose_award(instance)) == (
        "percelen 1 en 2 hebben alleen een inschrijving van A, dat maximaal 1 perceel mag "
        "winnen")
    assert first(diagnose_award(instance, lang="en")) == (
        "lots 1 and 2 have bids only from A, who may win at most 1 lot")


def test_hall_set_of_several_bidders():
    """Lots 1-3 only bid on by A and B (max 1 each); C bids on lot 4."""
    instance = make_instance({str(i): 10 for i in range(1, 5)},
                             [("A", "1", 5), ("A", "2", 5), ("B", "2", 5), ("B", "3", 5),
                              ("C", "4", 5), ("D", "4", 5)],
                             max_lots_per_bidder=1)
    assert first(diagnose_award(instance, lang="en")) == (
        "lots 1, 2 and 3 can only be won by A and B, who may win at most 2 lots together")


def test_winner_counts():
    instance = make_instance({"1": 1, "2": 1}, [("A", "1", 5), ("B", "2", 5)], min_winners=3)
    messages = diagnose_award(instance)
    assert ("minimaal 3 winnaars gevraagd, maar slechts 2 inschrijvers kunnen een perceel "
            "winnen") in messages
    assert "minimaal 3 winnaars gevraagd, maar er zijn maar 2 percelen" in messages
    capped = make_instance({str(i): 1 for i in range(1, 6)},
                           [(b, str(i), 5) for b in "ABC" for i in range(1, 6)],
                           max_lots_per_bidder=2, max_winners=2)
    assert first(diagnose_award(capped, lang="en")) == (
        "at most 2 winners may win at most 4 lots together < 5 lots")


@pytest.mark.parametrize("backend", BACKENDS)
def test_relaxation_explains_a_subtle_conflict(backend):
    """Lots 1, 2 (100 clients) and 3 (150). A: capacity 240, bids on all; B: capacity 150,
    one lot, bids on lots 1 and 2. Every cheap check passes, yet lot 3 (only A) plus one
    100-client lot needs 250 > 240 for A. Relaxing the lot limits does not help (B cannot
    hold two lots of 100 in 150); relaxing capacity by 10 clients does."""
    instance = make_instance({"1": 100, "2": 100, "3": 150},
                             [("A", "1", 5), ("A", "2", 5), ("A", "3", 5), ("B", "1", 5),
                              ("B", "2", 5)],
                             bidders={"A": (240, None), "B": (150, 1)})
    settings = SolverSettings(backend=backend, time_limit_s=20)
    messages = diagnose_award(instance, settings=settings)
    assert messages[0].startswith("de regels samen maken gunning onmogelijk")
    assert messages[1:] == [
        "met de capaciteiten van de inschrijvers verruimd is gunning wel mogelijk: minimaal "
        "nodig is 10 cliënten meer capaciteit (A: 250 in plaats van 240)"]
    english = diagnose_award(instance, lang="en", settings=settings)
    assert english[1] == ("relaxing the bidders' capacities makes an award possible: the least "
                          "needed is 10 clients more capacity (A: 250 instead of 240)")
    solution = award(instance, settings=settings)
    assert solution.status is Status.INFEASIBLE
    assert "10 cliënten meer capaciteit" in solution.log[1]


def test_lot_limits_of_one_lot_each():
    """Three lots; A bids on all, B on lot 1 only; one lot each: 2 < 3."""
    instance = make_instance({"1": 10, "2": 10, "3": 10},
                             [("A", "1", 5), ("A", "2", 5), ("A", "3", 5), ("B", "1", 5)],
                             max_lots_per_bidder=1)
    assert first(diagnose_award(instance, lang="en")) == "max 1 lot x 2 bidders = 2 < 3 lots"


def test_min_winners_against_bidders_that_fit():
    """min 2 winners, two lots: A bids on both, B on lot 1 only with capacity 5 < 10
    clients, so B can win nothing."""
    instance = make_instance({"1": 10, "2": 10},
                             [("A", "1", 5), ("A", "2", 5), ("B", "1", 5)],
                             bidders={"B": (5, None)}, min_winners=2)
    assert ("minimaal 2 winnaars gevraagd, maar slechts 1 inschrijver kan een perceel "
            "winnen") in diagnose_award(instance)


def test_feasible_instance_has_no_diagnosis():
    instance = make_instance({"1": 10}, [("A", "1", 5)])
    assert diagnose_award(instance) == []
