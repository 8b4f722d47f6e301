"""The set-partitioning bound of column generation over connected lots (design/colgen.py)."""

from __future__ import annotations

import dataclasses
import time

import networkx as nx
import numpy as np
import pytest

from allocatie.budget import Budget
from allocatie.checker import evaluate
from allocatie.design import colgen
from allocatie.design.bruteforce import brute_force_design
from allocatie.design.heuristic import heuristic_design
from allocatie.design.run import _Run
from allocatie.design.scale import relaxed_bound
from allocatie.design.value import Design
from allocatie.instance import Bidder, District, Instance, Rules
from allocatie.io.loading import load_instance
from allocatie.settings import SolverSettings
from tests.conftest import grid_edges, grid_id


def tiny_instance(seed: int, compactness: float = 0.0) -> Instance:
    """A 2 x 5 grid, 3 bidders with noisy prices, mixed incumbents, a capacity, client bounds,
    a lot fee and a compactness weight (EUR per km of cut border; grid borders are 100 m):
    small enough for brute force, with contiguity and bounds that bind."""
    rng = np.random.default_rng(seed)
    ids = [grid_id(r, c, 5) for r in range(2) for c in range(5)]
    bidders = ("A", "B", "C")
    districts = tuple(
        District(d, int(rng.integers(20, 60)),
                 incumbents={bidders[int(rng.integers(3))]: int(rng.integers(0, 20))})
        for d in ids)
    people = (Bidder("A", lot_fee=500.0), Bidder("B", capacity=200), Bidder("C"))
    bids = {(b, d): float(rng.uniform(80, 120)) for b in bidders for d in ids
            if not (b == "C" and d == ids[0])}
    return Instance(name=f"tiny {seed}", districts=districts, bidders=people, bids=bids,
                    edges=grid_edges(2, 5),
                    rules=Rules(lots_min=3, lots_max=3, max_lots_per_bidder=2,
                                lot_clients_min=60, lot_clients_max=200,
                                transition_cost=40.0, compactness_weight=compactness))


def checker_lot_cost(instance: Instance, bidder: str, lot: set[str]) -> float:
    """What the checker charges for ``lot`` won by ``bidder`` (fee, prices, transitions) and
    half the compactness cost of its outer border (the other lots pay the other half)."""
    assignment = {d: "1" if d in lot else "2" for d in instance.district_ids}
    check = evaluate(instance, assignment, {"1": bidder, "2": bidder})
    figures = check.lot("1")
    return (figures.cost + instance.rules.transition_cost * figures.transitions
            + check.compactness_cost / 2)


@pytest.mark.parametrize(("seed", "compactness"), [(1, 0.0), (2, 0.0), (3, 2000.0)])
def test_bound_between_no_contiguity_bound_and_brute_force_optimum(
        seed: int, compactness: float) -> None:
    instance = tiny_instance(seed, compactness)
    optimum, assignment, winners = brute_force_design(instance)
    data = colgen._Pricing(instance)
    index = {d: i for i, d in enumerate(data.ids)}
    lots = [(b, frozenset(index[d] for d in assignment if assignment[d] == lot))
            for lot, b in winners.items()]
    assert sum(data.lot_cost(b, lot) for b, lot in lots) == pytest.approx(
        evaluate(instance, assignment, winners).objective), "columns add up to the checker"
    result = colgen.colgen_bound(instance, Budget.starting_now(60.0))
    assert result.converged, "the master LP of 10 districts is solved within 60 s"
    assert result.bound is not None and result.bound <= optimum + 1e-6
    relaxed, _ = relaxed_bound(instance, SolverSettings(time_limit_s=20), 20.0)
    assert relaxed is not None and result.bound >= relaxed - 1e-6 * abs(relaxed)
    trace = [p.bound for p in result.trace if p.bound is not None]
    assert trace == sorted(trace), "the trace keeps the best bound so far"


@pytest.mark.parametrize("compactness", [0.0, 3000.0])
def test_columns_are_connected_lots_within_bounds_at_the_checkers_cost(
        compactness: float) -> None:
    instance = tiny_instance(4, compactness)
    result = colgen.colgen_bound(instance, Budget.starting_now(30.0))
    graph = nx.Graph((e.a, e.b) for e in instance.edges)
    ids = instance.district_ids
    assert len(result.lots) > 10
    for lot in result.lots:
        members = {ids[i] for i in lot.districts}
        clients = sum(instance.clients(d) for d in members)
        assert nx.is_connected(graph.subgraph(members)), members
        assert instance.rules.lot_clients_min <= clients <= instance.rules.lot_clients_max
        assert all((lot.bidder, d) in instance.bids for d in members)
        assert lot.cost == pytest.approx(checker_lot_cost(instance, lot.bidder, members))


@pytest.mark.parametrize("compactness", [0.0, 4000.0])
def test_grow_lots_returns_connected_sets_within_bounds_with_their_weight(
        compactness: float) -> None:
    instance = tiny_instance(5, compactness)
    data = colgen._Pricing(instance)
    rng = np.random.default_rng(0)
    weight = rng.normal(0, 1000, len(data.ids))
    weight[3] = np.inf  # no bid there
    found = colgen.grow_lots(weight, data.clients, data.neighbours, data.low, data.high,
                             data.border, data.per_metre)
    assert found
    for lot, total in found.items():
        assert 3 not in lot
        assert total == pytest.approx(sum(weight[i] for i in lot)
                                      + data.per_metre * data.outer_border_m(lot))
        assert data.low <= data.clients[list(lot)].sum() <= data.high
        assert colgen._connected(lot, data.neighbours)


@pytest.mark.parametrize("compactness", [0.0, 5000.0])
def test_exact_pricing_finds_the_least_weight_lot_of_brute_force(compactness: float) -> None:
    instance = tiny_instance(6, compactness)
    data = colgen._Pricing(instance)
    rng = np.random.default_rng(1)
    weight = rng.normal(0, 1000, len(data.ids))
    n = len(data.ids)
    best = min(
        (float(sum(weight[i] for i in lot)) + data.per_metre * data.outer_border_m(lot), lot)
        for mask in range(1, 2 ** n)
        if data.feasible("A", lot := frozenset(i for i in range(n) if mask >> i & 1)))
    lot, value, lower = colgen._ExactPricing(data, "A").solve(weight, 10.0)
    assert value == pytest.approx(best[0]) and lower <= value + 1e-6
    assert lower == pytest.approx(best[0], abs=1e-3)


@pytest.mark.slow
def test_bound_never_above_a_design_the_checker_accepts_on_emmen_buurten(
        instances_dir) -> None:
    instance = load_instance(instances_dir / "emmen-buurten")
    found = heuristic_design(instance, time_limit_s=3.0, seed=0)
    check = evaluate(instance, found.assignment, found.winners)
    assert check.feasible
    best = Design(found.assignment, found.winners, found.objective, "heuristic")
    result = colgen.colgen_bound(instance, Budget.starting_now(20.0), best)
    # The master LP is solved by interior point without crossover: close, not exact.
    assert result.master is not None and result.master <= check.objective * (1 + 1e-6)
    assert result.bound is None or result.bound <= check.objective + 1e-6


def test_the_pipeline_keeps_the_stronger_bound_and_says_where_it_came_from() -> None:
    instance = tiny_instance(7)
    optimum, assignment, winners = brute_force_design(instance)
    run = _Run(instance, SolverSettings(time_limit_s=120), None, None, time.perf_counter())
    run.offer(Design(assignment, winners, optimum, "brute force"))
    run.raise_bound(optimum - 5000.0, False, "territory")  # a weak bound from before
    assert colgen.wanted(run)
    colgen.colgen_phase(run)
    assert run.details["bound_from"] == "column generation"
    assert optimum - 5000.0 < run.bound <= optimum + 1e-6
    solution = run.solution(["client bounds per lot"])
    assert solution.bound == pytest.approx(min(run.bound, optimum))
    assert solution.details["colgen"]["converged"] is True



def test_no_colgen_without_time_or_with_soft_client_bounds() -> None:
    instance = tiny_instance(8)
    optimum, assignment, winners = brute_force_design(instance)
    short = _Run(instance, SolverSettings(time_limit_s=20), None, None, time.perf_counter())
    short.offer(Design(assignment, winners, optimum, "brute force"))
    assert not colgen.wanted(short), "half of 20 s is below the phase's minimum"
    soft = dataclasses.replace(instance, rules=dataclasses.replace(
        instance.rules, lot_clients_penalty=10.0))
    assert "soft client bounds" in colgen.not_applicable(soft)
