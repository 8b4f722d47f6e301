"""Lot design: the exact pipeline against brute force, on every backend."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocatie.checker import evaluate, objectives_match
from allocatie.design import design
from allocatie.design.bruteforce import brute_force_design
from allocatie.instance import Bidder, District, Edge, Instance, Rules
from allocatie.settings import SolverSettings
from allocatie.status import Status

BACKENDS = ("highs", "cbc", "cpsat")


def path_instance(transition_cost: float = 50.0) -> Instance:
    """d1 - d2 - d3, 10 clients each; X bids 100/100/300, Y 300/100/100 per client; d2's
    clients are with X today. K = 2, at most 1 lot per bidder.

    {d1,d2}->X + {d3}->Y costs 1000 + 1000 + 1000 = 3000 with no transitions;
    {d1}->X + {d2,d3}->Y costs 3000 + 10 x 50 = 3500; any lot {d1,d3} is not contiguous.
    The optimum is 3000."""
    districts = (District("d1", 10), District("d2", 10, incumbents={"X": 10}),
                 District("d3", 10))
    bids = {("X", "d1"): 100.0, ("X", "d2"): 100.0, ("X", "d3"): 300.0,
            ("Y", "d1"): 300.0, ("Y", "d2"): 100.0, ("Y", "d3"): 100.0}
    return Instance(name="path", districts=districts, bidders=(Bidder("X"), Bidder("Y")),
                    bids=bids, edges=(Edge("d1", "d2", 100.0), Edge("d2", "d3", 100.0)),
                    rules=Rules(lots_min=2, lots_max=2, max_lots_per_bidder=1,
                                transition_cost=transition_cost))


def quick(backend: str) -> SolverSettings:
    return SolverSettings(backend=backend, time_limit_s=30)


@pytest.mark.parametrize("backend", BACKENDS)
def test_path_optimum_worked_by_hand(backend: str) -> None:
    instance = path_instance()
    solution = design(instance, quick(backend), heuristic_time_s=0.2)
    assert solution.status is Status.OPTIMAL
    assert solution.objective == pytest.approx(3000.0)
    assert solution.assignment["d1"] == solution.assignment["d2"] != solution.assignment["d3"]
    assert solution.winners[solution.assignment["d2"]] == "X"
    check = evaluate(instance, solution.assignment, solution.winners)
    assert check.feasible and objectives_match(solution.objective, check.objective)


def test_infeasible_rules_are_an_outcome_not_a_crash() -> None:
    instance = path_instance()
    instance = Instance(**{**instance.__dict__, "rules": Rules(
        lots_min=3, lots_max=3, max_lots_per_bidder=1)})
    solution = design(instance, quick("highs"), heuristic_time_s=0.2)
    assert solution.status is Status.INFEASIBLE
    assert not solution.assignment and "no design" in solution.message


def test_stop_keeps_the_best_design_found() -> None:
    stop = threading.Event()
    stop.set()
    seen = []
    solution = design(path_instance(), quick("highs"), progress=seen.append, stop=stop,
                      heuristic_time_s=0.2)
    assert solution.status.has_solution
    assert evaluate(path_instance(), solution.assignment, solution.winners).feasible


@st.composite
def small_instances(draw, compact: bool = False) -> Instance:
    """Grids of up to 3 x 3 districts, 2-3 bidders, random prices, gaps in the bids,
    capacities, lot caps, client bounds and incumbents; feasibility not guaranteed. With
    ``compact`` a compactness weight as well."""
    rows = draw(st.integers(1, 3))
    cols = draw(st.integers(2, 3))
    ids = [f"d{r}{c}" for r in range(rows) for c in range(cols)]
    edges = [Edge(f"d{r}{c}", f"d{r}{c + 1}", 1000.0) for r in range(rows)
             for c in range(cols - 1)]
    edges += [Edge(f"d{r}{c}", f"d{r + 1}{c}", 1000.0) for r in range(rows - 1)
              for c in range(cols)]
    bidder_ids = ["A", "B", "C"][: draw(st.integers(2, 3))]
    districts = []
    for d in ids:
        clients = draw(st.integers(0, 30))
        served = draw(st.integers(0, clients))
        provider = draw(st.sampled_from(bidder_ids + ["Z"]))
        districts.append(District(d, clients, incumbents={provider: served} if served else {}))
    bids = {}
    for b in bidder_ids:
        for d in ids:
            if draw(st.integers(0, 9)) > 0:
                bids[(b, d)] = float(draw(st.integers(50, 150)))
    total = sum(d.clients for d in districts)
    bidders = tuple(Bidder(b, capacity=draw(st.one_of(st.none(), st.integers(total // 2, total))),
                           lot_fee=float(draw(st.sampled_from([0, 200]))))
                    for b in bidder_ids)
    k = draw(st.integers(1, min(3, len(ids))))
    bounded = draw(st.booleans())
    rules = Rules(lots_min=k, lots_max=k, max_lots_per_bidder=draw(st.sampled_from([1, 2, None])),
                  transition_cost=float(draw(st.sampled_from([0, 40]))),
                  lot_clients_min=draw(st.integers(0, 20)) if bounded else None,
                  lot_clients_max=draw(st.integers(20, 80)) if bounded else None,
                  compactness_weight=float(draw(st.sampled_from([100, 2000]))) if compact
                  else 0.0)
    return Instance(name="random", districts=tuple(districts), bidders=bidders, bids=bids,
                    edges=tuple(edges), rules=rules)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instance=small_instances())
def test_design_agrees_with_brute_force(backend: str, instance: Instance) -> None:
    truth = brute_force_design(instance)
    solution = design(instance, quick(backend), heuristic_time_s=0.1)
    if truth is None:
        assert solution.status is Status.INFEASIBLE, solution.message
        return
    assert solution.status is Status.OPTIMAL, (solution.status, solution.message)
    assert solution.objective == pytest.approx(truth[0], abs=0.01)
    check = evaluate(instance, solution.assignment, solution.winners)
    assert check.feasible, check.violations
    assert objectives_match(solution.objective, check.objective)


@pytest.mark.parametrize("backend", BACKENDS)
def test_with_compactness_design_agrees_with_brute_force(backend: str) -> None:
    """The territory bound includes the border between territories (rows (11)): a valid
    lower bound, so the design is still the brute-force optimum."""

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(instance=small_instances(compact=True))
    def agrees(instance: Instance) -> None:
        truth = brute_force_design(instance)
        solution = design(instance, quick(backend), heuristic_time_s=0.1)
        if truth is None:
            assert solution.status is Status.INFEASIBLE, solution.message
            return
        assert solution.status is Status.OPTIMAL, (solution.status, solution.message)
        assert solution.objective == pytest.approx(truth[0], abs=0.01)
        assert solution.bound is not None and solution.bound <= truth[0] + 0.01

    agrees()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["highs", "cpsat"])
def test_emmen_wijken_design_is_checked_and_bounded(backend: str, instances_dir) -> None:
    """The default instance (27 real wijken, client bounds): whatever the machine's speed,
    the design must pass the checker with an equal objective and a bound below it. The
    proven optimum found on the reference machine is EUR 13,671,928."""
    import warnings

    from allocatie.io.loading import load_instance

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # without the instance's compactness weight: the spec's objective, whose optimum
        # on this instance is known
        instance = load_instance(instances_dir / "emmen-wijken", {"compactness_weight": 0.0})
    solution = design(instance, SolverSettings(backend=backend, time_limit_s=90))
    assert solution.status.has_solution
    check = evaluate(instance, solution.assignment, solution.winners)
    assert check.feasible, check.violations
    assert objectives_match(solution.objective, check.objective)
    assert solution.bound is not None and solution.bound <= solution.objective + 0.01
    assert solution.bound <= 13_671_928.0 + 0.01
    if solution.status is Status.OPTIMAL:
        assert solution.objective == pytest.approx(13_671_928.0, abs=0.01)


def test_plain_baseline_finds_the_path_optimum() -> None:
    """The benchmark's baseline model (anonymous lots) must be a correct model too."""
    from allocatie.design.plain import plain_flow_design

    solution = plain_flow_design(path_instance(), quick("highs"))
    assert solution.status is Status.OPTIMAL
    assert solution.objective == pytest.approx(3000.0)
    check = evaluate(path_instance(), solution.assignment, solution.winners)
    assert check.feasible and objectives_match(solution.objective, check.objective)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("seed", "shape", "lots"), [(41, (2, 4), 3), (47, (3, 3), 3),
                                                      (49, (3, 3), 3)])
def test_territories_that_cannot_be_cut_into_lots_are_cut_off(
        backend: str, seed: int, shape: tuple[int, int], lots: int) -> None:
    """Seeded grids where the territory model's first optimum holds a part that no cut
    into lots meets the client bounds (found by search): the no-good cut on that part
    makes the territory model exact, so the design is proven optimal and matches brute
    force."""
    from tests.test_design_heuristic import random_instance

    features = frozenset({"bounds", "capacity"} if seed % 3 else {"bounds"})
    instance = random_instance(seed, *shape, lots, features)
    truth = brute_force_design(instance)
    assert truth is not None
    solution = design(instance, quick(backend), heuristic_time_s=0.01)
    assert solution.status is Status.OPTIMAL, (solution.status, solution.message)
    assert solution.objective == pytest.approx(truth[0], abs=0.01)
    if backend == "highs":
        assert solution.details.get("unsplittable_part_cuts", 0) >= 1
    check = evaluate(instance, solution.assignment, solution.winners)
    assert check.feasible and objectives_match(solution.objective, check.objective)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("seed", range(10))
def test_cap_on_changed_districts_is_exact(backend: str, seed: int) -> None:
    """With a cap on districts that change area (today's areas given), the winner-slot model
    enforces the cap, so the design is proven optimal and matches brute force even when the
    heuristic has almost no time."""
    from tests.test_design_heuristic import random_instance

    features = frozenset({"current", "bounds"} if seed % 2 else {"current"})
    instance = random_instance(seed, 2, 3, 2 + seed % 2, features)
    assert instance.rules.max_changed_districts is not None
    truth = brute_force_design(instance)
    assert truth is not None
    solution = design(instance, quick(backend), heuristic_time_s=0.01)
    assert solution.status is Status.OPTIMAL, (solution.status, solution.message)
    assert solution.objective == pytest.approx(truth[0], abs=0.01)
    check = evaluate(instance, solution.assignment, solution.winners)
    assert check.feasible, check.violations
