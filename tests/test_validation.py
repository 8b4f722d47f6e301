"""Semantic checks: every problem found at once, each with its numbers, file and row or id."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from allocatie.errors import InstanceError, Problem
from allocatie.instance import Bidder, District, Edge, LotBid, Rules
from allocatie.io.loading import load_instance
from allocatie.validation import (
    Context,
    check_instance,
    create_instance,
    instance_problems,
    instance_warnings,
)


def matching(problems: list[Problem], pattern: str, **where: object) -> list[Problem]:
    """The problems whose text matches ``pattern`` and whose fields equal ``where``."""
    return [p for p in problems if re.search(pattern, p.message)
            and all(getattr(p, k) == v for k, v in where.items())]


def one(problems: list[Problem], pattern: str, **where: object) -> Problem:
    found = matching(problems, pattern, **where)
    listed = "\n".join(str(p) for p in problems)
    assert len(found) == 1, f"{pattern!r} {where} matched {len(found)} of:\n{listed}"
    return found[0]


# --------------------------------------------------------------------------- acceptance
def plant_problems(folder: Path) -> None:
    """Plant 15 different problems in a copy of emmen-wijken."""
    districts = folder / "districts.geojson"
    data = json.loads(districts.read_text(encoding="utf-8"))
    features = {f["properties"]["id"]: f for f in data["features"]}
    features["WK011404"]["properties"]["clients"] = -5  # 1: negative clients (feature 4)
    features["WK011405"]["properties"]["clients"] = 12.5  # 2: not a whole number (feature 5)
    data["features"].append(json.loads(json.dumps(features["WK011453"])))  # 3: duplicate id
    districts.write_text(json.dumps(data), encoding="utf-8")

    with (folder / "incumbents.csv").open("a", encoding="utf-8") as handle:
        handle.write("WK011402,Zorggroep A,57\n")  # 4: 57 + today's > 32 clients (row 80)

    bids = (folder / "bids.csv").read_text(encoding="utf-8").splitlines()
    bids = [line for line in bids if ",WK011421," not in line]  # 5: nobody bids on WK011421
    bids[1] = bids[1].rsplit(",", 1)[0] + ",0"  # 6: a price of 0 (row 2)
    bids.append("Zorggroep A,WK999999,3000")  # 7: unknown district
    bids.append("Onbekend BV,WK011401,3000")  # 8: unknown bidder
    (folder / "bids.csv").write_text("\n".join(bids) + "\n", encoding="utf-8")

    # 9: total capacity 8 x 200 = 1,600 < clients; 10: a bad number in row 4
    (folder / "bidders.csv").write_text(
        "bidder,capacity,max_lots,lot_fee\nZorggroep A,200,,29000\nThuiszorg B,200,,53000\n"
        'Welzijn C,200,,"12,3,4"\nZorgcooperatie D,200,,24000\nThuishulp E,200,,37000\n'
        "Wijkzorg F,200,,43000\nZorgpartners G,200,,27000\nThuiszorg H,200,1,49000\n",
        encoding="utf-8")

    with (folder / "lots.csv").open("a", encoding="utf-8") as handle:
        handle.write("WK999998,3\n")  # 11: unknown district in the fixed design (row 29)

    toml = (folder / "instance.toml").read_text(encoding="utf-8")
    toml = toml.replace("lots = 6\n", "lots = 10\n")  # 12: 8 bidders x max 1 lot < 10 lots
    toml = toml.replace("max_lots_per_bidder = 2", "max_lots_per_bidder = 1")
    toml = toml.replace("lot_clients_max = 1150", "lot_clients_max = 400")  # 13: bounds
    toml = toml.replace("transition_cost = 1000", "transition_cost = -5")  # 14
    toml = toml.replace("[award]", '[rules.pinned]\nWK000000 = "1"\n\n[award]')  # 15
    (folder / "instance.toml").write_text(toml, encoding="utf-8")


def test_every_planted_problem_is_listed_in_one_error(emmen_wijken: Path) -> None:
    plant_problems(emmen_wijken)
    with pytest.raises(InstanceError, match=r"problem\(s\) in instance") as caught:
        load_instance(emmen_wijken)
    problems = caught.value.problems
    geo, toml = "districts.geojson", "instance.toml"
    bids = (emmen_wijken / "bids.csv").read_text(encoding="utf-8").splitlines()
    unknown_district_row = bids.index("Zorggroep A,WK999999,3000") + 1

    one(problems, r"duplicate district id WK011453: 2 districts .*rows 27, 28", file=geo,
        row=27, id="WK011453")
    one(problems, r"negative clients -5", file=geo, row=4, id="WK011404")
    one(problems, r"clients 12\.5 is not a whole number", file=geo, row=5, id="WK011405")
    one(problems, r"^WK011402: incumbents \d+ > clients 32", file="incumbents.csv",
        id="WK011402")
    one(problems, r"bid on unknown district WK999999 \(from Zorggroep A\)", file="bids.csv",
        row=unknown_district_row, id="WK999999")
    one(problems, r"bid from unknown bidder Onbekend BV", file="bids.csv",
        row=unknown_district_row + 1, id="Onbekend BV")
    one(problems, r"^nobody bids on district WK011421$", file=geo, id="WK011421")
    one(problems, r"price 0 of Zorggroep A for WK011401", file="bids.csv", row=2)
    one(problems, r"^8 bidders x max 1 lot = 8 < 10 lots$", file=toml)
    one(problems, r"^capacity 200 x 8 bidders = 1,600 < 4,\d{3} clients$", file="bidders.csv")
    one(problems, r"^10 lots x max 400 clients = 4,000 < 4,\d{3} clients$", file=toml)
    one(problems, r"unknown district WK999998 in the lot design", file="lots.csv", row=29,
        id="WK999998")
    one(problems, r"lot_fee '12,3,4' is not a number", file="bidders.csv", row=4,
        id="Welzijn C")
    one(problems, r"transition_cost -5 < 0", file=toml)
    one(problems, r"pinned\] names unknown district WK000000", file=toml, id="WK000000")
    assert len(problems) < 60, "a planted problem should not cascade into many"


# --------------------------------------------------------------------------- small cases
def test_grid_instance_is_clean(make_grid) -> None:
    instance = make_grid(3, 3, lots=3, max_lots_per_bidder=2, lot_clients_min=20,
                                  lot_clients_max=40, capacity=60)
    assert instance_problems(instance) == []
    assert instance_warnings(instance) == []
    assert instance_problems(instance) == []


def test_create_raises_with_every_problem(make_grid) -> None:
    good = make_grid(2, 2)
    fields = {name: getattr(good, name) for name in ("name", "districts", "bidders", "bids",
                                                     "edges", "rules")}
    fields["rules"] = Rules(lots_min=3, lots_max=2, contiguity="diagonal")
    with pytest.raises(InstanceError, match="lots_min 3 > lots_max 2") as caught:
        create_instance(**fields)
    one(caught.value.problems, r"contiguity 'diagonal' is not one of rook, queen, none")


def test_incumbents_above_clients_quotes_both(make_grid) -> None:
    instance = make_grid(2, 2, clients=50,
                                  incumbents={"D01": {"A": 40, "X": 17}, "D02": {"A": -1}})
    problems = instance_problems(instance)
    assert str(one(problems, "incumbents")).startswith("id D01: D01: incumbents 57 > clients 50")
    one(problems, r"D02: clients of provider A = -1", id="D02")


def test_bidder_limit_and_capacity_checks_quote_numbers(make_grid) -> None:
    bidders = [f"B{k}" for k in range(8)]
    instance = make_grid(5, 5, clients=100, bidders=bidders, lots=20,
                                  max_lots_per_bidder=2)
    one(instance_problems(instance), r"^8 bidders x max 2 lots = 16 < 20 lots$")
    capped = make_grid(5, 5, clients=100, bidders=bidders, lots=2, capacity=231)
    one(instance_problems(capped), r"^capacity 231 x 8 bidders = 1,848 < 2,500 clients$")
    mixed = replace(capped, bidders=(Bidder("A", max_lots=3), Bidder("B", max_lots=1)),
                    rules=Rules(lots_min=5, lots_max=5, max_lots_per_bidder=2))
    mixed = replace(mixed, bids={(b, d): 1.0 for b in ("A", "B") for d in mixed.district_ids})
    one(instance_problems(mixed), r"^2 bidders may win at most 4 lots together < 5 lots$")
    winners = replace(mixed, rules=Rules(lots_min=4, lots_max=4, max_winners=1))
    one(instance_problems(winners), r"max_winners 1 winners may win at most 3 lots")


def test_client_bounds_no_lot_count_can_meet(make_grid) -> None:
    grid = make_grid(3, 3, clients=100)  # 900 clients
    def problems(**rules: object) -> list[Problem]:
        return instance_problems(replace(grid, rules=Rules(**rules)))

    one(problems(lots_min=2, lots_max=3, lot_clients_max=250),
        r"^3 lots x max 250 clients = 750 < 900 clients$")
    one(problems(lots_min=4, lots_max=6, lot_clients_min=300),
        r"^4 lots x min 300 clients = 1,200 > 900 clients$")
    too_big = problems(lots_min=2, lots_max=2, lot_clients_max=80)
    assert len(matching(too_big, r"^district D\d\d has 100 clients > lot_clients_max 80; it "
                                 r"fits in no lot$")) == 9
    one(problems(lots_min=1, lots_max=2, lot_clients_min=500, lot_clients_max=400),
        r"^lot_clients_min 500 > lot_clients_max 400$")
    # each bound alone leaves some K in 2..6, together none: 900 / 200 -> K >= 5; 2 x 2 -> K <= 4
    combined = replace(grid, bidders=(Bidder("A", max_lots=2), Bidder("B", max_lots=2)),
                       rules=Rules(lots_min=2, lots_max=6, lot_clients_max=200))
    one(instance_problems(combined), r"^no number of lots from 2 to 6 passes every rule: at "
        r"least 5 are needed \(4 lots x max 200 clients = 800 < 900 clients\) but at most 4 "
        r"are possible \(2 bidders x max 2 lots = 4 < 5 lots\)$")
    assert problems(lots_min=2, lots_max=6, lot_clients_max=200, lot_clients_penalty=10) == []


def test_rule_values_out_of_range(make_grid) -> None:
    grid = make_grid(2, 2)
    rules = Rules(lots_min=0, lots_max=1, max_lots_per_bidder=0, transition_cost=-1,
                  compactness_weight=-2, min_winners=3, max_changed_districts=2)
    problems = instance_problems(replace(grid, rules=rules))
    one(problems, r"^lots_min = 0; expected a whole number >= 1$")
    one(problems, r"^max_lots_per_bidder = 0")
    one(problems, r"^transition_cost -1 < 0")
    one(problems, r"^compactness_weight -2 < 0")
    one(problems, r"^min_winners 3 > 2 bidders$")
    one(problems, r"max_changed_districts = 2 needs today's areas")


def test_bids_unknown_ids_and_prices(make_grid) -> None:
    grid = make_grid(2, 2)
    bids = dict(grid.bids)
    del bids[("A", "D04")], bids[("B", "D04")]
    bids[("A", "D99")] = 10.0
    bids[("Z", "D01")] = 10.0
    bids[("B", "D01")] = -3.0
    problems = instance_problems(replace(grid, bids=bids, bidders=(*grid.bidders, Bidder("C"))))
    one(problems, r"^bid on unknown district D99 \(from A\)$", id="D99")
    one(problems, r"^bid from unknown bidder Z \(1 bid\(s\)\)$", id="Z")
    one(problems, r"^price -3 of B for D01", id="B/D01")
    one(problems, r"^nobody bids on district D04$", id="D04")
    warning = one(instance_warnings(replace(grid, bidders=(*grid.bidders, Bidder("C")))),
                  r"bidder C bids on nothing")
    assert warning.id == "C"


def test_duplicate_ids_and_bad_clients(make_grid) -> None:
    grid = make_grid(2, 2)
    districts = (*grid.districts, District("D01", 5), District("D05", 3.5), District("D06", -1))
    people = (*grid.bidders, Bidder("A", capacity=-4))
    problems = instance_problems(replace(grid, districts=districts, bidders=people))
    one(problems, r"^duplicate district id D01: 2 districts have it$", id="D01")
    one(problems, r"^clients 3\.5 is not a whole number$", id="D05")
    one(problems, r"^negative clients -1", id="D06")
    one(problems, r"^duplicate bidder A: 2 rows$", id="A")
    one(problems, r"^capacity -4", id="A")


def test_rows_from_context_are_quoted(make_grid) -> None:
    grid = make_grid(2, 2)
    bids = {**grid.bids, ("A", "D99"): 1.0, ("B", "D99"): 1.0}
    context = Context(rows={("bids", "A", "D99"): [9], ("bids", "B", "D99"): [12]})
    problems, _ = check_instance(replace(grid, bids=bids, files={"bids": "bids.csv"}), context)
    problem = one(problems, r"^bid on unknown district D99 \(from A, B\) \(rows 9, 12\)$")
    assert (problem.file, problem.row) == ("bids.csv", 9)


def test_fixed_design_problems(make_grid) -> None:
    grid = make_grid(2, 2, lots=2)
    lots = {"D01": "1", "D02": "1", "D03": "2", "D99": "2"}
    lot_bids = (LotBid("A", "1", 100.0), LotBid("A", "3", 100.0), LotBid("Q", "1", 50.0),
                LotBid("B", "1", 0.0, preference=0))
    problems = instance_problems(replace(grid, lots=lots, lot_bids=lot_bids))
    one(problems, r"^unknown district D99 in the lot design$", id="D99")
    one(problems, r"^district D04 is in no lot of the design$", id="D04")
    one(problems, r"^bid on unknown lot 3 \(from A\); the design has lots 1, 2$", id="3")
    one(problems, r"^lot bids from unknown bidder Q", id="Q")
    one(problems, r"^nobody bids on lot 2$", id="2")
    one(problems, r"^price 0; expected EUR per year", id="B/1")
    one(problems, r"^preference 0; expected a rank", id="B/1")
    three = replace(grid, lots={"D01": "1", "D02": "2", "D03": "3", "D04": "3"})
    one(instance_problems(three),
        r"^the design has 3 lots; \[rules\] asks for 2; smallest: lot 1 has 1 district")


def test_fixed_design_priced_by_district_bids(make_grid) -> None:
    grid = make_grid(2, 2, lots=2)
    bids = {k: v for k, v in grid.bids.items() if k not in {("A", "D04"), ("B", "D03")}}
    design = replace(grid, bids=bids, lots={"D01": "1", "D02": "1", "D03": "2", "D04": "2"})
    one(instance_problems(design), r"^nobody bids on every district of lot 2", id="2")


def test_pins_and_groups(make_grid) -> None:
    grid = make_grid(2, 2, lots=2)
    rules = Rules(lots_min=1, lots_max=1, pinned={"D01": "n", "D04": "z", "D77": "n"},
                  together=(("D01", "D02"), ("D02", "D04"), ("D88", "D03")))
    problems = instance_problems(replace(grid, rules=rules))
    one(problems, r"pinned\] names unknown district D77", id="D77")
    one(problems, r"together group 3 \(D88, D03\) names unknown district\(s\) D88", id="D88")
    one(problems, r"^districts D01, D02, D04 must be in one lot but are pinned to different "
        r"lots n, z$")
    one(problems, r"^districts are pinned to 2 different lots > 1 lots$")


def test_disconnected_graph_names_the_parts(make_grid) -> None:
    grid = make_grid(2, 3, lots=2)  # D01 D02 D03 / D04 D05 D06
    edges = tuple(e for e in grid.edges if {e.a, e.b} not in ({"D02", "D03"}, {"D05", "D06"}))
    cut = replace(grid, edges=edges)
    problem = one(instance_problems(cut), r"not connected under rook contiguity")
    assert "2 parts {D01, D02, D04, D05}; {D03, D06}" in problem.message
    assert "bridges" in problem.hint and "auto_bridge" in problem.hint
    corner = replace(cut, edges=(*edges, Edge("D02", "D06", 0.0, "queen_only")))
    one(instance_problems(corner), r'contiguity = "queen" connects them')
    assert instance_problems(replace(corner, rules=Rules(2, 2, contiguity="queen"))) == []
    assert instance_problems(replace(cut, rules=Rules(2, 2, contiguity="none"))) == []
    bridged = replace(cut, edges=(*edges, Edge("D02", "D03", 0.0, "bridge")))
    assert instance_problems(bridged) == []
    hinted = check_instance(cut, Context(island_hint="use my bridge"))[0]
    assert one(hinted, "not connected").hint == "use my bridge"
    stray = replace(grid, edges=(*grid.edges, Edge("D01", "D42")))
    one(instance_problems(stray), r"neighbour list names unknown district\(s\) D42")


def test_district_too_big_for_every_bidder(make_grid) -> None:
    grid = make_grid(2, 2, clients=100, capacity=1000, lots=2)
    big = replace(grid, districts=(replace(grid.districts[0], clients=1200), *grid.districts[1:]))
    one(instance_problems(big), r"^district D01 has 1,200 clients, more than the capacity of "
        r"every bidder on it \(largest 1,000\)$", id="D01")
