"""The design heuristic and the shared design pieces (cost table, exact award).

Random instances are feasible by construction: a contiguous partition with winners is drawn
first and every rule (capacities, client bounds, pins, groups, changed districts, winner
counts, bids) is then set so that this design obeys it.
"""

from __future__ import annotations

import itertools
import math
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocatie.award import exact as common
from allocatie.award.exact import best_award as award_matrix
from allocatie.checker import changed_districts, evaluate
from allocatie.design.bruteforce import brute_force_design
from allocatie.design.common import DesignData, award_fixed, award_milp
from allocatie.design.heuristic import heuristic_design
from allocatie.instance import Bidder, District, Edge, Instance, Rules

INSTANCES = Path(__file__).resolve().parents[1] / "instances"
SHAPES = [(1, 3), (2, 2), (1, 5), (2, 3), (3, 2), (2, 4)]
FEATURES = ("capacity", "bounds", "soft", "pins", "together", "current", "winners",
            "compact", "missing", "fees", "none")


# --------------------------------------------------------------------------- instances
def _grid_edges(rows: int, cols: int, ids: list[str]) -> list[Edge]:
    edges = []
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            if c + 1 < cols:
                edges.append(Edge(ids[i], ids[i + 1], 1000.0 + 100 * i))
            if r + 1 < rows:
                edges.append(Edge(ids[i], ids[i + cols], 800.0 + 50 * i))
    return edges


def _random_partition(n: int, k: int, edges: list[Edge], ids: list[str],
                      rng: random.Random) -> list[int]:
    """A random partition of the grid into k connected blocks (random growth)."""
    nbrs: dict[int, list[int]] = {i: [] for i in range(n)}
    index = {d: i for i, d in enumerate(ids)}
    for e in edges:
        nbrs[index[e.a]].append(index[e.b])
        nbrs[index[e.b]].append(index[e.a])
    lot = [-1] * n
    for j, s in enumerate(rng.sample(range(n), k)):
        lot[s] = j
    while -1 in lot:
        frontier = [(i, lot[j]) for i in range(n) if lot[i] < 0 for j in nbrs[i] if lot[j] >= 0]
        i, j = rng.choice(frontier)
        lot[i] = j
    return lot


def random_instance(seed: int, rows: int, cols: int, k: int, features: frozenset[str]
                    ) -> Instance:
    """A grid instance with the given rule features that the drawn design obeys."""
    rng = random.Random(seed)
    n = rows * cols
    ids = [f"D{i + 1}" for i in range(n)]
    edges = _grid_edges(rows, cols, ids)
    lot = _random_partition(n, k, edges, ids, rng)
    n_bidders = rng.randint(max(2, k), k + 2)
    names = [f"B{j}" for j in range(n_bidders)]
    per_bidder = rng.choice([1, 2, None])
    slots = per_bidder or k
    while n_bidders * slots < k:
        slots += 1
        per_bidder = slots
    owners = [b for b in names for _ in range(min(slots, k))]
    rng.shuffle(owners)
    winner = owners[:k]
    clients = [rng.randint(0 if "none" in features else 1, 40) for _ in range(n)]
    lot_clients = [sum(c for c, lo in zip(clients, lot, strict=True) if lo == j)
                   for j in range(k)]
    districts = []
    for i in range(n):
        served = rng.randint(0, clients[i])
        split = rng.randint(0, served)
        inc = {rng.choice(names): split, "Other": served - split}
        districts.append(District(ids[i], clients[i],
                                  incumbents={p: v for p, v in inc.items() if v}))
    bids = {}
    for b in names:
        for i in range(n):
            own = winner[lot[i]] == b
            if "missing" in features and not own and rng.random() < 0.25:
                continue
            bids[b, ids[i]] = float(rng.randint(50, 150)) + rng.choice([0.0, 0.25, 0.5])
    load = {b: sum(lc for lc, w in zip(lot_clients, winner, strict=True) if w == b)
            for b in names}
    bidders = []
    for b in names:
        capacity = None
        if "capacity" in features and rng.random() < 0.7:
            capacity = load[b] + rng.randint(0, 25)
        fee = float(rng.choice([0, 100, 500])) if "fees" in features else 0.0
        bidders.append(Bidder(b, capacity=capacity, lot_fee=fee))
    rules: dict[str, object] = {
        "lots_min": k, "lots_max": k, "max_lots_per_bidder": per_bidder,
        "transition_cost": float(rng.choice([0, 20, 80])),
        "contiguity": "none" if "none" in features else "rook",
    }
    if rng.random() < 0.3 and "current" not in features:
        rules["lots_min"] = max(1, k - 1)
        rules["lots_max"] = min(n, k + 1)
    if "bounds" in features or "soft" in features:
        rules["lot_clients_min"] = max(0, min(lot_clients) - rng.randint(0, 10))
        rules["lot_clients_max"] = max(lot_clients) + rng.randint(0, 10)
        if "soft" in features:
            rules["lot_clients_penalty"] = float(rng.choice([5, 50]))
            rules["lot_clients_min"] = int(rules["lot_clients_min"]) + 8  # type: ignore
    pinned: dict[str, str] = {}
    if "pins" in features:
        for i in rng.sample(range(n), min(n, rng.randint(1, 3))):
            pinned[ids[i]] = f"lot-{lot[i]}"
        rules["pinned"] = pinned
    if "together" in features:
        j = rng.randrange(k)
        members = [ids[i] for i in range(n) if lot[i] == j]
        if len(members) >= 2:
            rules["together"] = (tuple(rng.sample(members, 2)),)
    current = None
    if "current" in features:
        current_lot = _random_partition(n, k, edges, ids, rng)
        current = {ids[i]: f"area{current_lot[i]}" for i in range(n)}
        design = {ids[i]: str(lot[i]) for i in range(n)}
        rules["max_changed_districts"] = changed_districts(current, design) + rng.randint(0, 1)
    if "winners" in features:
        distinct = len(set(winner))
        rules["min_winners"] = max(1, distinct - rng.randint(0, 1))
        rules["max_winners"] = distinct + rng.randint(0, 1)
    if "compact" in features:
        rules["compactness_weight"] = float(rng.choice([10, 200]))
    instance = Instance(name=f"random {seed}", districts=tuple(districts),
                        bidders=tuple(bidders), bids=bids, edges=tuple(edges),
                        rules=Rules(**rules), current_lots=current)  # type: ignore[arg-type]
    assignment = {ids[i]: str(lot[i]) for i in range(n)}
    won = {str(j): winner[j] for j in range(k)}
    drawn = evaluate(instance, assignment, won)
    assert drawn.feasible, drawn.violations  # feasible by construction
    return instance


@st.composite
def random_instances(draw: st.DrawFn, max_features: int = 3) -> Instance:
    rows, cols = draw(st.sampled_from(SHAPES))
    k = draw(st.integers(1, min(3, rows * cols)))
    features = draw(st.frozensets(st.sampled_from(FEATURES), max_size=max_features))
    return random_instance(draw(st.integers(0, 10**6)), rows, cols, k, features)


def run_heuristic(instance: Instance, **kwargs: object):
    """The heuristic with a small, reproducible amount of work."""
    kwargs.setdefault("time_limit_s", 3.0)
    kwargs.setdefault("max_iterations", 20)
    return heuristic_design(instance, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- DesignData
def test_design_data_objective_equals_the_checker() -> None:
    for seed in range(20):
        instance = random_instance(seed, 2, 3, 2, frozenset(
            {"fees", "soft", "compact", "missing"} if seed % 2 else {"bounds", "capacity"}))
        data = DesignData.from_instance(instance)
        rng = random.Random(seed)
        lot_of = _random_partition(data.n, 2, list(instance.edges), list(data.district_ids),
                                   rng)
        lots = [[i for i in range(data.n) if lot_of[i] == j] for j in range(2)]
        winners = [rng.randrange(data.num_bidders) for _ in lots]
        assignment, won = data.to_design(lots, winners)
        value = data.objective(lots, winners)
        result = evaluate(instance, assignment, won)
        if math.isfinite(value):
            assert value == pytest.approx(result.objective, abs=1e-6)
        else:
            assert any("no bid" in v for v in result.messages)


def test_design_data_tables() -> None:
    instance = random_instance(3, 2, 2, 2, frozenset({"missing", "capacity"}))
    data = DesignData.from_instance(instance)
    assert data.cost.shape == (4, data.num_bidders)
    assert np.array_equal(np.isinf(data.cost), ~data.can_serve)
    assert all(len(nb) >= 2 for nb in data.neighbours)
    assert data.contiguous
    assert data.lot_cost_matrix([[0, 1], [2, 3]]).shape == (2, data.num_bidders)
    assert not data.cost.flags.writeable
    lots = [[0, 1], [2, 3]]
    assignment, won = data.to_design(lots, [0, 1])
    assert assignment == {"D1": "1", "D2": "1", "D3": "2", "D4": "2"}
    assert won == {"1": data.bidder_ids[0], "2": data.bidder_ids[1]}


# --------------------------------------------------------------------------- award
def _award_by_enumeration(cost: np.ndarray, clients: np.ndarray, max_lots: np.ndarray,
                          capacity: np.ndarray, min_w: int | None,
                          max_w: int | None) -> float | None:
    k, nb = cost.shape
    best = None
    for winners in itertools.product(range(nb), repeat=k):
        if any(not math.isfinite(cost[j, b]) for j, b in enumerate(winners)):
            continue
        counts = np.bincount(winners, minlength=nb)
        loads = np.bincount(winners, weights=clients, minlength=nb)
        if (counts > max_lots).any() or (loads > capacity).any():
            continue
        distinct = int((counts > 0).sum())
        if (min_w is not None and distinct < min_w) or (max_w is not None and distinct > max_w):
            continue
        value = float(sum(cost[j, b] for j, b in enumerate(winners)))
        best = value if best is None else min(best, value)
    return best


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 5), st.integers(1, 4))
def test_award_matrix_equals_enumeration(seed: int, k: int, nb: int) -> None:
    rng = np.random.default_rng(seed)
    cost = rng.integers(10, 100, size=(k, nb)).astype(float)
    cost[rng.random((k, nb)) < 0.2] = np.inf
    clients = rng.integers(1, 20, size=k).astype(float)
    max_lots = rng.integers(1, 3, size=nb)
    capacity = np.where(rng.random(nb) < 0.5, np.inf, rng.integers(10, 60, size=nb))
    min_w = int(rng.integers(1, 3)) if rng.random() < 0.3 else None
    max_w = int(rng.integers(1, 4)) if rng.random() < 0.3 else None
    expected = _award_by_enumeration(cost, clients, max_lots, capacity, min_w, max_w)
    found = award_matrix(cost, clients, max_lots, capacity, min_w, max_w)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        winners, value = found
        assert value == pytest.approx(expected)
        assert value == pytest.approx(sum(cost[j, b] for j, b in enumerate(winners)))


def test_award_fixed_equals_the_milp(monkeypatch: pytest.MonkeyPatch) -> None:
    """award_fixed (assignment bound + depth-first search) and award_milp (HiGHS) agree,
    also when the search runs out of nodes and falls back to the MILP."""
    checked = 0
    for seed in range(25):
        instance = random_instance(seed, 2, 4, 3 + seed % 2, frozenset(
            {"capacity", "winners", "fees", "missing"}))
        data = DesignData.from_instance(instance)
        rng = random.Random(seed)
        lot_of = _random_partition(data.n, data.lots_max, list(instance.edges),
                                   list(data.district_ids), rng)
        lots = [[i for i in range(data.n) if lot_of[i] == j] for j in range(data.lots_max)]
        fast = award_fixed(data, lots)
        exact = award_milp(data, lots)
        assert (fast is None) == (exact is None)
        if fast is not None and exact is not None:
            assert fast[1] == pytest.approx(exact[1])
            assert data.objective(lots, fast[0]) == pytest.approx(fast[1])
            checked += 1
            monkeypatch.setattr(common, "DFS_MAX_NODES", 1)
            limited = award_fixed(data, lots)
            monkeypatch.undo()
            assert limited is not None and limited[1] == pytest.approx(exact[1])
    assert checked >= 10


def test_award_fixed_infeasible() -> None:
    """Two lots, one bidder allowed one lot: no award."""
    cost = np.array([[1.0], [2.0]])
    assert award_matrix(cost, np.array([1.0, 1.0]), np.array([1]), np.array([np.inf])) is None
    assert award_matrix(cost, np.array([1.0, 1.0]), np.array([2]), np.array([1.0])) is None
    assert award_matrix(cost, np.array([1.0, 1.0]), np.array([2]),
                        np.array([2.0]))[1] == pytest.approx(3.0)  # type: ignore[index]


# --------------------------------------------------------------------------- heuristic
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(random_instances())
def test_heuristic_is_feasible_and_never_below_brute_force(instance: Instance) -> None:
    found = run_heuristic(instance)
    assert found is not None, "the instance is feasible by construction"
    result = evaluate(instance, found.assignment, found.winners)
    assert result.feasible, result.violations
    assert found.objective == pytest.approx(result.objective, rel=1e-9, abs=1e-6)
    assert sorted(set(found.assignment.values()), key=int) == \
        [str(j) for j in range(1, len(found.winners) + 1)]
    optimum = brute_force_design(instance)
    assert optimum is not None
    assert found.objective >= optimum[0] - 1e-6


@pytest.mark.parametrize("seed", range(12))
def test_heuristic_finds_the_optimum_of_easy_tiny_cases(seed: int) -> None:
    """Few districts and no tight rules: the heuristic should reach the optimum."""
    rows, cols = SHAPES[seed % len(SHAPES)]
    instance = random_instance(seed, rows, cols, 2 + seed % 2 if rows * cols > 3 else 2,
                               frozenset({"fees"} if seed % 3 else set()))
    found = run_heuristic(instance, max_iterations=1000)
    optimum = brute_force_design(instance)
    assert found is not None and optimum is not None
    assert found.objective == pytest.approx(optimum[0], abs=1e-6)


@pytest.mark.parametrize("features", [
    {"pins", "together"}, {"current"}, {"bounds", "capacity"}, {"soft", "compact"},
    {"winners", "missing"}, {"none", "capacity"},
])
def test_heuristic_obeys_each_rule(features: set[str]) -> None:
    rows, cols = (2, 3) if "none" in features else (2, 4)
    for seed in range(4):
        instance = random_instance(100 + seed, rows, cols, 3, frozenset(features))
        found = run_heuristic(instance)
        assert found is not None
        result = evaluate(instance, found.assignment, found.winners)
        assert result.feasible, (features, seed, result.violations)
        assert found.objective == pytest.approx(result.objective, abs=1e-6)
        optimum = brute_force_design(instance)
        assert optimum is not None and found.objective >= optimum[0] - 1e-6


def test_heuristic_is_deterministic_for_a_seed() -> None:
    instance = random_instance(7, 2, 4, 3, frozenset({"capacity", "bounds"}))
    runs = [run_heuristic(instance, seed=5, time_limit_s=30.0, max_iterations=25)
            for _ in range(2)]
    assert runs[0] is not None and runs[1] is not None
    assert runs[0].assignment == runs[1].assignment
    assert runs[0].winners == runs[1].winners
    assert runs[0].iterations == runs[1].iterations == 25


def test_heuristic_returns_none_when_nothing_is_feasible() -> None:
    """Two islands but one lot: no contiguous design exists."""
    districts = (District("a", 5), District("b", 5), District("c", 5))
    instance = Instance(name="islands", districts=districts, bidders=(Bidder("X"),),
                        bids={("X", d.id): 10.0 for d in districts},
                        edges=(Edge("a", "b", 10.0),),
                        rules=Rules(lots_min=1, lots_max=1))
    assert heuristic_design(instance, time_limit_s=0.5) is None


def test_heuristic_stops_on_the_event() -> None:
    import threading

    stop = threading.Event()
    stop.set()
    instance = random_instance(11, 2, 4, 3, frozenset())
    found = heuristic_design(instance, time_limit_s=30.0, stop=stop)
    assert found is not None and found.time_s < 5.0  # a first design, then it stops


def test_heuristic_on_emmen_wijken_is_fast_and_feasible() -> None:
    from allocatie.io.loading import load_instance

    instance = load_instance(INSTANCES / "emmen-wijken")
    found = heuristic_design(instance, time_limit_s=1.0)
    assert found is not None
    assert found.first_feasible_s < 0.5
    result = evaluate(instance, found.assignment, found.winners)
    assert result.feasible, result.violations
    assert found.objective == pytest.approx(result.objective)
    assert found.time_s < 2.0


@pytest.mark.slow
def test_heuristic_on_rivierenland_is_feasible_in_a_second() -> None:
    from allocatie.io.loading import load_instance

    instance = load_instance(INSTANCES / "rivierenland-buurten")
    found = heuristic_design(instance, time_limit_s=1.0)
    assert found is not None and found.first_feasible_s < 1.0
    result = evaluate(instance, found.assignment, found.winners)
    assert result.feasible, result.violations
    assert found.objective == pytest.approx(result.objective)


def test_heuristic_gives_every_island_its_own_lot() -> None:
    """Two islands {a, b} and {c, d} and two lots: each island is one lot; the cheaper
    bidder per island wins it (X on the first, Y on the second): 10 x (1 + 1) x 2 = 40."""
    districts = tuple(District(d, 10) for d in "abcd")
    prices = {"X": {"a": 1.0, "b": 1.0, "c": 5.0, "d": 5.0},
              "Y": {"a": 5.0, "b": 5.0, "c": 1.0, "d": 1.0}}
    instance = Instance(name="islands", districts=districts,
                        bidders=(Bidder("X"), Bidder("Y")),
                        bids={(b, d): p for b, row in prices.items() for d, p in row.items()},
                        edges=(Edge("a", "b", 10.0), Edge("c", "d", 10.0)),
                        rules=Rules(lots_min=2, lots_max=2))
    found = heuristic_design(instance, time_limit_s=1.0, max_iterations=20)
    assert found is not None
    assert found.objective == pytest.approx(40.0)
    assert found.assignment["a"] == found.assignment["b"] != found.assignment["c"]
    assert evaluate(instance, found.assignment, found.winners).feasible


def test_heuristic_history_improves() -> None:
    instance = random_instance(21, 2, 4, 3, frozenset({"capacity"}))
    found = run_heuristic(instance, max_iterations=60)
    assert found is not None
    values = [v for _, v in found.history]
    assert values == sorted(values, reverse=True)
    assert values[-1] == pytest.approx(found.objective)
    assert found.first_feasible_s <= found.time_s
    assert all(gain > 0 for gain in found.gains.values())


def test_kept_together_group_may_join_through_a_pinned_district() -> None:
    """D1 and D3 must share a lot and the only path between them runs through D2, which is
    pinned: the group takes D2 (and its pin) in instead of declaring the instance infeasible
    (a case Hypothesis found)."""
    ids = [f"D{i}" for i in range(1, 6)]
    districts = tuple(District(d, 10 + i) for i, d in enumerate(ids))
    edges = tuple(Edge(a, b, 1000.0) for a, b in itertools.pairwise(ids))
    bids = {(b, d): 50.0 + 10 * j for j, b in enumerate(("B0", "B1")) for d in ids}
    instance = Instance(
        name="pinned path", districts=districts, bidders=(Bidder("B0"), Bidder("B1")),
        bids=bids, edges=edges,
        rules=Rules(lots_min=1, lots_max=1, contiguity="rook", pinned={"D2": "lot-0"},
                    together=(("D1", "D3"),)))
    found = run_heuristic(instance)
    assert found is not None
    assert evaluate(instance, found.assignment, found.winners).feasible
    assert set(found.winners.values()) == {"B0"}


def test_heuristic_finds_the_only_partition_the_capacities_allow() -> None:
    """Found by Hypothesis (random 213): B1's capacity is 21 and B2 bids on D1, D2 and D4
    only, so {D1, D4} to B2 and the rest to B0 (119 of its 120) is the one design that keeps
    the capacities. The constructions give both lots to B0 (55 clients over capacity), where
    single-district moves never lower that violation; the re-award of an infeasible design
    gives a lot to the bidder that brings the excess down most (B2 on {D1, D2, D4}: 4 over
    its 66), and moving D2 to B0's lot then makes the design feasible."""
    clients = {"D1": 34, "D2": 14, "D3": 39, "D4": 22, "D5": 36, "D6": 30}
    served = {"D1": {"B0": 22, "Other": 7}, "D2": {"B2": 9, "Other": 3}, "D3": {"B1": 37},
              "D4": {"B1": 2, "Other": 1}, "D5": {"B1": 9, "Other": 4},
              "D6": {"B0": 10, "Other": 7}}
    bids = {("B0", "D1"): 96.25, ("B0", "D2"): 53.5, ("B0", "D3"): 115.25,
            ("B0", "D4"): 62.5, ("B0", "D5"): 69.5, ("B0", "D6"): 144.5,
            ("B1", "D1"): 128.0, ("B1", "D2"): 64.5, ("B1", "D3"): 89.0, ("B1", "D5"): 51.5,
            ("B2", "D1"): 128.0, ("B2", "D2"): 119.0, ("B2", "D4"): 89.25}
    edges = [("D1", "D2", 1000.0), ("D1", "D4", 800.0), ("D2", "D3", 1100.0),
             ("D2", "D5", 850.0), ("D3", "D6", 900.0), ("D4", "D5", 1300.0),
             ("D5", "D6", 1400.0)]
    instance = Instance(
        name="random 213",
        districts=tuple(District(d, n, incumbents=served[d]) for d, n in clients.items()),
        bidders=(Bidder("B0", capacity=120), Bidder("B1", capacity=21),
                 Bidder("B2", capacity=66)),
        bids=bids, edges=tuple(Edge(a, b, m) for a, b, m in edges),
        rules=Rules(lots_min=2, lots_max=2, lot_clients_min=58, lot_clients_max=127,
                    lot_clients_penalty=5.0, transition_cost=80.0, contiguity="rook"))
    optimum = brute_force_design(instance)
    assert optimum is not None
    found = run_heuristic(instance)
    assert found is not None
    assert dict(found.winners) == {found.assignment["D1"]: "B2", found.assignment["D2"]: "B0"}
    assert found.assignment["D4"] == found.assignment["D1"]
    assert found.objective == pytest.approx(optimum[0])
    assert evaluate(instance, found.assignment, found.winners).feasible


def test_heuristic_repairs_a_start_no_award_makes_feasible() -> None:
    """Path a-b-c-d of 10 clients each; X (1 EUR a client, capacity 30) bids everywhere, Y
    (2 on a, 3 on b and c, capacity 25) not on d. The start {a, b, c} / {d} fits no award
    (X cannot take both lots, Y not {a, b, c}): its re-award gives {a, b, c} to Y (5 over
    instead of X's 10), moving c to X's lot makes it feasible and moving b too cheaper:
    Y on {a}, X on {b, c, d}: 10 x 2 + 30 x 1 = 50."""
    prices = {"X": {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0},
              "Y": {"a": 2.0, "b": 3.0, "c": 3.0}}
    instance = Instance(name="repair", districts=tuple(District(d, 10) for d in "abcd"),
                        bidders=(Bidder("X", capacity=30), Bidder("Y", capacity=25)),
                        bids={(b, d): p for b, row in prices.items() for d, p in row.items()},
                        edges=tuple(Edge(a, b, 100.0) for a, b in ("ab", "bc", "cd")),
                        rules=Rules(lots_min=2, lots_max=2))
    start = ({"a": "1", "b": "1", "c": "1", "d": "2"}, {"1": "X", "2": "X"})
    found = run_heuristic(instance, start=start)
    assert found is not None
    assert found.objective == pytest.approx(50.0)
    lot_a = found.assignment["a"]
    assert found.winners[lot_a] == "Y"
    assert [d for d in "abcd" if found.assignment[d] == lot_a] == ["a"]
    assert evaluate(instance, found.assignment, found.winners).feasible
