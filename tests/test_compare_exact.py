"""The exact award of a fixed design (branch and bound) and the seeded scenarios.

The exact award must give the optimum of the award MILP: checked by hand on a tiny case,
against brute force on random small cases, and against ``allocatie.award`` on Emmen
scenarios.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from allocatie.award.exact import AwardMatrix, award_matrix, solve_exact
from allocatie.checker import evaluate
from allocatie.compare.scenarios import apply_draw, draw
from allocatie.compare.spec import AwardSpec, ScenarioSpec
from allocatie.compare.tasks import award_figures, award_instance
from allocatie.instance import Bidder, District, Instance, Rules
from allocatie.settings import SolverSettings

ROOT = Path(__file__).resolve().parents[1]


def tiny(capacity_b: int | None = None, min_winners: int | None = None) -> Instance:
    """Three lots of one district (100 clients each), bidders A and B, max 2 lots each.

    Prices per client: A 10, 10, 10; B 11, 12, 20. A can take only two lots, so B takes the
    one where it is least dearer than A: lot 1 (+100). Optimum: A on lots 2 and 3, B on lot 1,
    cost 1,000 + 1,000 + 1,100 = 3,100. With B's capacity below 100 no award exists.
    """
    districts = tuple(District(f"d{i}", 100) for i in (1, 2, 3))
    prices = {"A": (10, 10, 10), "B": (11, 12, 20)}
    bids = {(b, f"d{i + 1}"): float(p) for b, row in prices.items() for i, p in enumerate(row)}
    return Instance(
        name="tiny", districts=districts,
        bidders=(Bidder("A"), Bidder("B", capacity=capacity_b)), bids=bids, edges=(),
        rules=Rules(lots_min=3, lots_max=3, max_lots_per_bidder=2, contiguity="none",
                    min_winners=min_winners),
        lots={"d1": "1", "d2": "2", "d3": "3"},
    )


def test_tiny_award_by_hand() -> None:
    result = solve_exact(award_matrix(tiny()))
    assert result.status == "optimal"
    assert result.winners == {"1": "B", "2": "A", "3": "A"}
    assert result.objective == pytest.approx(3100.0)
    assert solve_exact(award_matrix(tiny(capacity_b=99))).status == "infeasible"


def test_tiny_award_with_transitions_and_fees() -> None:
    """B serves everyone today (300 clients) and the transition cost is EUR 10 per client:
    A taking a lot moves 100 clients (+1,000), so B takes lots 1 and 2 (1,100 + 1,200) and A
    lot 3 (1,000 + 1,000 transitions): 4,300."""
    base = tiny()
    districts = tuple(replace(d, incumbents={"B": 100}) for d in base.districts)
    instance = replace(base, districts=districts,
                       rules=replace(base.rules, transition_cost=10.0))
    result = solve_exact(award_matrix(instance))
    assert result.winners == {"1": "B", "2": "B", "3": "A"}
    assert result.objective == pytest.approx(4300.0)
    assert evaluate(instance, instance.lots, result.winners).objective == pytest.approx(4300.0)


def brute_force(m: AwardMatrix) -> float | None:
    best = None
    for combo in itertools.product(range(len(m.bidders)), repeat=len(m.lots)):
        if not all(math.isfinite(m.cost[i, j]) for i, j in enumerate(combo)):
            continue
        ok = True
        for j in set(combo):
            lots = [i for i, b in enumerate(combo) if b == j]
            if m.max_lots[j] is not None and len(lots) > m.max_lots[j]:
                ok = False
            if m.capacity[j] is not None and sum(m.lot_clients[i] for i in lots) > m.capacity[j]:
                ok = False
        distinct = len(set(combo))
        if m.min_winners is not None and distinct < m.min_winners:
            ok = False
        if m.max_winners is not None and distinct > m.max_winners:
            ok = False
        if ok:
            value = sum(m.cost[i, j] for i, j in enumerate(combo))
            best = value if best is None else min(best, value)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_exact_equals_brute_force_on_random_small_awards(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_lots, n_bidders = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    cost = rng.uniform(100, 200, size=(n_lots, n_bidders)).round(0)
    cost[rng.random((n_lots, n_bidders)) < 0.2] = np.inf
    clients = tuple(int(c) for c in rng.integers(50, 150, size=n_lots))
    max_lots = tuple(None if rng.random() < 0.3 else int(rng.integers(1, 3))
                     for _ in range(n_bidders))
    capacity = tuple(None if rng.random() < 0.4 else int(rng.integers(100, 400))
                     for _ in range(n_bidders))
    low = int(rng.integers(1, 3)) if rng.random() < 0.3 else None
    high = int(rng.integers(1, 4)) if rng.random() < 0.3 else None
    m = AwardMatrix(lots=tuple(f"L{i}" for i in range(n_lots)),
                    bidders=tuple(f"B{j}" for j in range(n_bidders)), cost=cost,
                    transitions=np.zeros_like(cost, dtype=np.int64), lot_clients=clients,
                    max_lots=max_lots, capacity=capacity, min_winners=low, max_winners=high)
    expected = brute_force(m)
    result = solve_exact(m)
    if expected is None:
        assert result.status == "infeasible"
    else:
        assert result.status == "optimal"
        assert result.objective == pytest.approx(expected)


def test_node_limit_reports_limit_not_a_wrong_answer() -> None:
    m = award_matrix(tiny())
    assert solve_exact(m, node_limit=1).status == "limit"


# --------------------------------------------------------------------------- scenarios
def test_scenarios_are_seeded_and_independent_of_count() -> None:
    params = ScenarioSpec(count=5, seed=11, price_level_sd=0.1, district_noise_sd=0.05,
                          no_show_probability=0.2, capacity_shock_sd=0.1)
    a = draw(params, 3, 8, 27)
    b = draw(replace(params, count=500), 3, 8, 27)
    assert np.array_equal(a.price_factor, b.price_factor)
    assert np.array_equal(a.present, b.present)
    c = draw(params, 4, 8, 27)
    assert not np.array_equal(a.price_factor, c.price_factor)
    # Changing one parameter leaves the other draws as they were (common random numbers).
    d = draw(replace(params, price_level_sd=0.0), 3, 8, 27)
    assert np.array_equal(a.present, d.present)
    assert np.array_equal(a.capacity_factor, d.capacity_factor)


def test_zero_spread_scenario_is_the_instance() -> None:
    instance = tiny(capacity_b=500)
    same = apply_draw(instance, draw(ScenarioSpec(seed=1), 0, 2, 3))
    assert dict(same.bids) == dict(instance.bids)
    assert same.bidders == instance.bidders


def test_price_factors_have_mean_one() -> None:
    params = ScenarioSpec(seed=3, price_level_sd=0.3, district_noise_sd=0.2)
    factors = np.concatenate([draw(params, i, 4, 5).price_factor.ravel() for i in range(3000)])
    assert factors.mean() == pytest.approx(1.0, abs=0.01)


# --------------------------------------------------------------------------- vs the MILP
@pytest.fixture(scope="module")
def emmen() -> Instance:
    from allocatie.io.loading import load_instance

    return load_instance(ROOT / "instances" / "emmen-wijken")


def test_exact_equals_the_award_milp_on_emmen_scenarios(emmen: Instance) -> None:
    """40 scenarios x 2 designs, with capacity shocks strong enough to bind and no-shows
    that make some awards infeasible: same status and same optimum as the MILP."""
    from allocatie.io.loading import load_lots_file

    seven, _ = load_lots_file(ROOT / "examples" / "emmen-stad4-land3.csv", emmen)
    params = ScenarioSpec(count=40, seed=5, price_level_sd=0.1, district_noise_sd=0.08,
                          no_show_probability=0.3, capacity_shock_sd=0.4)
    settings = SolverSettings(threads=1, time_limit_s=30)
    exact, milp = AwardSpec(method="exact"), AwardSpec(method="milp")
    statuses = set()
    for design in (dict(emmen.current_lots), seven):
        target = award_instance(emmen, design)
        for i in range(params.count):
            scenario = apply_draw(target, draw(params, i, len(target.bidders),
                                               len(target.districts)))
            a = award_figures(scenario, exact, settings)
            b = award_figures(scenario, milp, settings)
            statuses.add(a["status"])
            assert a["status"] == b["status"], i
            if a["objective"] is not None:
                assert a["objective"] == pytest.approx(b["objective"], abs=0.01), i
            assert a["solver"] == "exact" and b["solver"] != "exact"
    assert statuses == {"optimal", "infeasible"}
