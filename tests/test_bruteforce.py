"""The brute-force oracle on hand-checked grids (the optimum is worked out in each docstring)."""

from __future__ import annotations

import pytest

from allocatie.checker import evaluate
from allocatie.design.bruteforce import brute_force_design, set_partitions
from allocatie.instance import Bidder, District, Edge, Instance, Rules
from allocatie.validation import instance_problems


def grid(rows: int, cols: int, clients: list[int], prices: dict[str, list[float]],
         incumbents: dict[int, dict[str, int]] | None = None,
         bidders: list[Bidder] | None = None, validate: bool = True,
         **rules: object) -> Instance:
    """A rows x cols grid of districts "1".."n" (row by row, rook edges of 1 km), with
    ``prices[bidder][i]`` the price of district i+1 (``None`` = no bid)."""
    n = rows * cols
    ids = [str(i + 1) for i in range(n)]
    incumbents = incumbents or {}
    districts = tuple(District(ids[i], clients[i], incumbents=incumbents.get(i + 1, {}))
                      for i in range(n))
    edges = []
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            if c + 1 < cols:
                edges.append(Edge(ids[i], ids[i + 1], 1000.0))
            if r + 1 < rows:
                edges.append(Edge(ids[i], ids[i + cols], 1000.0))
    people = tuple(bidders or [Bidder(b) for b in prices])
    bids = {(b, ids[i]): p for b, row in prices.items() for i, p in enumerate(row)
            if p is not None}
    instance = Instance(name=f"grid {rows}x{cols}", districts=districts, bidders=people,
                        bids=bids, edges=tuple(edges), rules=Rules(**rules))  # type: ignore
    if validate:
        assert not instance_problems(instance), instance_problems(instance)
    return instance


def checked(instance: Instance) -> float:
    """Brute-force optimum, after checking the returned design with the checker."""
    found = brute_force_design(instance)
    assert found is not None
    objective, assignment, winners = found
    result = evaluate(instance, assignment, winners)
    assert result.feasible, result.violations
    assert result.objective == pytest.approx(objective)
    return objective


def test_set_partitions_counts_are_stirling_numbers() -> None:
    items = list("abcde")
    assert sum(1 for _ in set_partitions(items, 1)) == 1
    assert sum(1 for _ in set_partitions(items, 2)) == 15
    assert sum(1 for _ in set_partitions(items, 3)) == 25
    assert sum(1 for _ in set_partitions(items, 5)) == 1
    assert list(set_partitions(items, 6)) == []
    seen = {tuple(tuple(b) for b in p) for p in set_partitions(items, 3)}
    assert len(seen) == 25


def test_2x2_grid_cheap_bidder_with_a_capacity() -> None:
    """Grid  A B / C D  with 10, 20, 30, 40 clients, all served by X today; K = 2, each
    bidder at most one lot, transition cost 5. X bids 100 per client, Y bids 90 but can take
    at most 60 clients: a client in Y's lot costs 90 + 5 = 95, so Y's lot should hold as many
    clients as possible, at most 60. Y's connected lots whose complement is connected: A 10,
    B 20, C 30, D 40, AB 30, AC 40, BD 60, ABC 60 (CD 70 and the rest exceed 60). Best: 60
    clients, objective 100 x 100 - 5 x 60 = 9,700."""
    instance = grid(2, 2, [10, 20, 30, 40], {"X": [100] * 4, "Y": [90] * 4},
                    incumbents={i: {"X": c} for i, c in zip(range(1, 5), [10, 20, 30, 40],
                                                             strict=True)},
                    bidders=[Bidder("X"), Bidder("Y", capacity=60)],
                    lots_min=2, lots_max=2, max_lots_per_bidder=1, transition_cost=5.0)
    assert checked(instance) == pytest.approx(9_700.0)


def test_2x2_grid_one_lot_and_lot_fees() -> None:
    """Same grid, one lot: X costs 100 x 100 + fee 500 = 10,500; Y costs 90 x 100 + 5 x 100
    transitions + fee 2,000 = 11,500. X wins: 10,500."""
    instance = grid(2, 2, [10, 20, 30, 40], {"X": [100] * 4, "Y": [90] * 4},
                    incumbents={i: {"X": c} for i, c in zip(range(1, 5), [10, 20, 30, 40],
                                                             strict=True)},
                    bidders=[Bidder("X", lot_fee=500.0), Bidder("Y", lot_fee=2000.0)],
                    lots_min=1, lots_max=1, transition_cost=5.0)
    assert checked(instance) == pytest.approx(10_500.0)


PRICES_3X3 = {  # each bidder 1 EUR per client in "its" column, 3 elsewhere
    "X": [1, 3, 3] * 3,
    "Y": [3, 1, 3] * 3,
    "Z": [3, 3, 1] * 3,
}


def test_3x3_grid_columns() -> None:
    """Grid 1 2 3 / 4 5 6 / 7 8 9, 10 clients each, K = 3, one lot per bidder. Bidder X
    charges 1 per client in column 1 and 3 elsewhere, Y in column 2, Z in column 3. The
    columns are connected lots, so every district gets price 1: 9 x 10 x 1 = 90."""
    instance = grid(3, 3, [10] * 9, PRICES_3X3, lots_min=3, lots_max=3,
                    max_lots_per_bidder=1)
    assert checked(instance) == pytest.approx(90.0)


def test_3x3_grid_pins_break_the_middle_column() -> None:
    """As above with districts 2 and 5 pinned to different lots: the middle column cannot be
    one lot, so at least one district of it pays 3 (+20). {1,2,4,7} to X, {5,8} to Y,
    {3,6,9} to Z reaches that: 90 + 20 = 110."""
    instance = grid(3, 3, [10] * 9, PRICES_3X3, lots_min=3, lots_max=3,
                    max_lots_per_bidder=1, pinned={"2": "north", "5": "middle"})
    assert checked(instance) == pytest.approx(110.0)


def test_3x3_grid_client_bounds_and_lot_range() -> None:
    """K may be 1 to 3. With at most 30 clients per lot the columns are allowed: 90. With at
    least 40 clients per lot K = 3 is impossible (120 > 90 clients) and K = 1 costs
    10 x (3 x 1 + 6 x 3) = 210; with K = 2 the two winners have price 1 on at most 6
    districts and the other 3 pay 3: 10 x (6 + 9) = 150, reached by {1,2,4,7} to X and
    {3,5,6,8,9} to Z."""
    instance = grid(3, 3, [10] * 9, PRICES_3X3, lots_min=1, lots_max=3,
                    lot_clients_max=30, max_lots_per_bidder=1)
    assert checked(instance) == pytest.approx(90.0)
    instance = grid(3, 3, [10] * 9, PRICES_3X3, lots_min=1, lots_max=3,
                    lot_clients_min=40, max_lots_per_bidder=1)
    assert checked(instance) == pytest.approx(150.0)


def test_infeasible_and_too_large() -> None:
    """Three lots of at least 40 clients cannot be cut from 90 clients: None."""
    instance = grid(3, 3, [10] * 9, PRICES_3X3, lots_min=3, lots_max=3,
                    lot_clients_min=40, validate=False)
    assert brute_force_design(instance) is None
    big = grid(3, 4, [10] * 12, {"X": [1] * 12}, lots_min=1, lots_max=1)
    with pytest.raises(ValueError, match="at most 10 districts, got 12"):
        brute_force_design(big)
