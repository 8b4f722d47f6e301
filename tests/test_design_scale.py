"""Province scale: the relaxed bound is a valid lower bound, and the scale path of the
design run returns a checked design with that bound."""

from __future__ import annotations

import warnings
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from allocatie.checker import evaluate, objectives_match
from allocatie.design import design, scale
from allocatie.design.bruteforce import brute_force_design
from allocatie.design.territory import build_territory_model
from allocatie.instance import Instance
from allocatie.settings import SolverSettings
from allocatie.status import Status
from tests.test_design import path_instance, small_instances
from tests.test_design_heuristic import random_instance

QUICK = SolverSettings(backend="highs", time_limit_s=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instance=small_instances())
def test_relaxed_bound_never_exceeds_the_optimum(instance: Instance) -> None:
    truth = brute_force_design(instance)
    bound, status = scale.relaxed_bound(instance, QUICK, 10.0, milp=True)
    if status is Status.INFEASIBLE:
        assert truth is None  # the relaxation proves infeasible only what is infeasible
        return
    if truth is not None and bound is not None:
        assert bound <= truth[0] + 0.01


@pytest.mark.parametrize("seed", range(6))
def test_relaxed_bound_is_valid_with_client_bounds(seed: int) -> None:
    """Seeded grids with client bounds (where the lonely-district cut applies)."""
    instance = random_instance(seed, 3, 3, 3, frozenset({"bounds", "capacity"}))
    truth = brute_force_design(instance)
    bound, status = scale.relaxed_bound(instance, QUICK, 10.0)
    assert status is not Status.INFEASIBLE or truth is None
    if truth is not None:
        assert bound is not None and bound <= truth[0] + 0.01


def test_lonely_district_cut_is_added_and_proves_the_path_infeasible() -> None:
    """Path d1 - d2 - d3 of 10 clients each, two lots of one bidder each: with a lot minimum
    of 15 no district can be a lot alone, so the cut is added for every bid, and one of the
    two lots would need a lone district: brute force and the relaxation agree there is no
    design."""
    instance = path_instance()
    bounded = replace(instance, rules=replace(instance.rules, lot_clients_min=15))
    extra = scale.relaxed_model(bounded).model.num_rows - scale.relaxed_model(
        instance).model.num_rows
    assert extra >= len(instance.bids)  # one cut per bid (and the bound rows)
    assert brute_force_design(bounded) is None
    assert scale.relaxed_bound(bounded, QUICK, 10.0, milp=True)[1] is Status.INFEASIBLE


def test_column_count_matches_the_built_model(tmp_path) -> None:
    from allocatie.io.loading import load_instance
    from tools.instances.synthetic import write_synthetic_instance

    folder = write_synthetic_instance(tmp_path / "v", 40, 4, 4, 3, fixed_lots=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        instance = load_instance(folder)
    for case in (instance, path_instance(), random_instance(2, 3, 3, 3, frozenset({"bounds"}))):
        assert scale.territory_columns(case) == build_territory_model(case).model.num_vars


def test_design_takes_the_scale_path_above_the_threshold(tmp_path, monkeypatch) -> None:
    """With the threshold at 0 a small Voronoi instance goes the province-scale way: a design
    the checker accepts, the relaxed bound below it, and a note that says why."""
    from allocatie.io.loading import load_instance
    from tools.instances.synthetic import write_synthetic_instance

    folder = write_synthetic_instance(tmp_path / "v", 60, 4, 4, 5, fixed_lots=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        instance = load_instance(folder)
    monkeypatch.setattr(scale, "MAX_TERRITORY_COLUMNS", 0)
    solution = design(instance, SolverSettings(backend="highs", time_limit_s=8),
                      heuristic_time_s=1.0)
    assert solution.status.has_solution, solution.message
    assert solution.details["method"] == "heuristic + relaxed bound"
    assert "relaxation without contiguity" in solution.message
    assert solution.solver.startswith("HiGHS")
    check = evaluate(instance, solution.assignment, solution.winners)
    assert check.feasible, check.violations
    assert objectives_match(solution.objective, check.objective)
    assert solution.bound is not None and 0 < solution.bound <= solution.objective + 0.01
    assert solution.details["relaxed_bound"] == pytest.approx(solution.bound, abs=0.01)


def test_scale_path_reports_infeasible_rules(monkeypatch) -> None:
    """Three lots of one bidder each on two bidders: the relaxation proves it impossible."""
    instance = path_instance()
    impossible = replace(instance, rules=replace(instance.rules, lots_min=3, lots_max=3))
    monkeypatch.setattr(scale, "MAX_TERRITORY_COLUMNS", 0)
    solution = design(impossible, QUICK, heuristic_time_s=0.2)
    assert solution.status is Status.INFEASIBLE
    assert "relaxed bound" in solution.message


@pytest.mark.slow
def test_groningen_buurten_gets_a_checked_design_and_a_bound(instances_dir) -> None:
    """The bundled province (635 buurten, 66,509 territory columns) takes the scale path:
    whatever the machine's speed, a design the checker accepts and a positive bound below
    it within a 60 s limit."""
    from allocatie.io.loading import load_instance

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        instance = load_instance(instances_dir / "groningen-buurten")
    assert scale.territory_too_big(instance)
    solution = design(instance, SolverSettings(backend="highs", time_limit_s=60))
    assert solution.status is Status.FEASIBLE, solution.message
    check = evaluate(instance, solution.assignment, solution.winners)
    assert check.feasible, check.violations
    assert objectives_match(solution.objective, check.objective)
    assert solution.bound is not None and 0 < solution.bound <= solution.objective


def test_stalled_cut_rounds_stop_the_loop() -> None:
    """The cut loop stops when the last rounds raised the bound by less than the stall gain
    per second they took: the same gain is enough from fast rounds, not from slow ones."""
    gain = scale.STALL_GAIN_PER_S * 100.0  # per second on a bound of 100
    fast = [(float(t), 100.0 + 2 * gain * t) for t in range(5)]  # 1 s per round
    assert not scale.stalled(fast)
    slow = [(10.0 * t, 100.0 + 2 * gain * t) for t in range(5)]  # same gains, 10 s per round
    assert scale.stalled(slow)
    assert not scale.stalled(slow[:scale.STALL_ROUNDS])  # too few rounds to judge


@pytest.mark.parametrize("seed", range(4))
def test_early_relaxed_bound_keeps_the_design_run_valid(seed: int, monkeypatch) -> None:
    """With the early bound switched on for small instances, the territory path reports the
    relaxed bound (or a better one), never above the brute-force optimum, and a checked
    design."""
    instance = random_instance(seed, 3, 3, 3, frozenset({"bounds", "capacity"}))
    assert instance.rules.lot_clients_min
    monkeypatch.setattr(scale, "EARLY_BOUND_MIN_DISTRICTS", 0)
    assert scale.early_bound_wanted(instance)
    truth = brute_force_design(instance)
    solution = design(instance, SolverSettings(backend="highs", time_limit_s=10),
                      heuristic_time_s=0.5)
    if truth is None:
        assert not solution.status.has_solution
        return
    assert solution.status.has_solution, solution.message
    relaxed = solution.details["relaxed_bound"]
    assert relaxed is not None and relaxed <= truth[0] + 0.01
    assert solution.bound is not None and relaxed - 0.01 <= solution.bound <= truth[0] + 0.01
    check = evaluate(instance, solution.assignment, solution.winners)
    assert check.feasible, check.violations
    assert objectives_match(solution.objective, check.objective)


def test_early_bound_only_where_its_cuts_apply() -> None:
    """No early bound without a hard lot minimum or below the district threshold."""
    instance = random_instance(1, 3, 3, 3, frozenset({"bounds"}))
    assert not scale.early_bound_wanted(instance)  # 9 districts: below the threshold
    soft = replace(instance, rules=replace(instance.rules, lot_clients_min=None))
    assert not scale.early_bound_wanted(soft)
