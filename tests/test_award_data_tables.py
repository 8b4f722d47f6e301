"""The award data's per-lot tables give what the plain definitions give: transitions summed
over a lot's districts, and each bidder's lots in lot order."""

from __future__ import annotations

import dataclasses

from test_award_factory import benchmark_instance

from allocatie.award import award_data


def test_transitions_per_lot_equal_the_sum_over_its_districts(make_grid):
    incumbents = {"D01": {"A": 4, "C": 3}, "D02": {"B": 6}, "D03": {"A": 2, "B": 1},
                  "D04": {}}
    instance = make_grid(2, 2, clients=10, bidders=("A", "B", "C"), incumbents=incumbents,
                         lots=2)
    instance = dataclasses.replace(instance, lots={"D01": "1", "D02": "1", "D03": "2",
                                                   "D04": "2"})
    data = award_data(instance)
    assert data.pricing == "district"
    for lot in data.lots:
        for b in ("A", "B", "C", "nobody"):
            plain = sum(instance.district_by_id[d].served
                        - instance.district_by_id[d].incumbents.get(b, 0)
                        for d in data.members[lot])
            assert data.transitions(lot, b) == plain
    assert {(o.lot, o.bidder): o.transitions for o in data.options} == {
        ("1", "A"): 9, ("1", "B"): 7, ("1", "C"): 10, ("2", "A"): 1, ("2", "B"): 2,
        ("2", "C"): 3}


def test_lots_of_is_each_bidders_lots_in_lot_order():
    data = award_data(benchmark_instance(40, 12, seed=3))
    rank = {lot: i for i, lot in enumerate(data.lots)}
    for b in data.bidders:
        plain = sorted({o.lot for o in data.options if o.bidder == b}, key=rank.__getitem__)
        assert data.lots_of(b) == tuple(plain)
