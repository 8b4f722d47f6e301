"""The warm start of the optimal award: the greedy with its local search (shift, swap,
ejection chain) and its LP-guided start always give an award within the lot limits and
capacities, and the LP warm start of large models never changes the proven optimum."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_award_factory import BACKENDS, brute_force
from test_award_property import small_instances

from allocatie.award import award, award_data
from allocatie.award import milp as award_milp
from allocatie.award.formulation import Formulation
from allocatie.award.heuristic import greedy_award
from allocatie.checker import evaluate
from allocatie.milp import RawResult
from allocatie.settings import SolverSettings
from allocatie.status import Status


def _within_limits(data, winners) -> bool:
    for b in set(winners.values()):
        won = [lot for lot, w in winners.items() if w == b]
        limit, cap = data.max_lots(b), data.capacity(b)
        if limit is not None and len(won) > limit:
            return False
        if cap is not None and sum(data.clients[lot] for lot in won) > cap:
            return False
    return True


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(instance=small_instances(), pick=st.randoms(use_true_random=False))
def test_greedy_with_any_start_is_within_limits(instance, pick):
    data = award_data(instance)
    value = {(o.lot, o.bidder): data.value(o) for o in data.options}
    form = Formulation(data, primary={k: round(v, 2) for k, v in value.items()})
    stage = {k: value[k] for k in form.x}
    start = {o.lot: o.bidder for o in form.options if pick.random() < 0.5}
    best = brute_force(instance)
    for guess in (None, start):
        winners = greedy_award(data, form.options, stage, guess)
        if winners is None:
            continue
        assert set(winners) == set(data.lots)
        assert all((lot, b) in stage for lot, b in winners.items())
        assert _within_limits(data, winners)
        rules = instance.rules
        if rules.min_winners is None and rules.max_winners is None and not data.combos:
            assert best is not None
            ev = evaluate(instance, dict(instance.lots), winners, data.pricing)
            assert ev.objective >= best - 1e-6


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(instance=small_instances())
def test_lp_warm_start_keeps_the_optimum(backend, instance, monkeypatch_module):
    """The LP warm start (forced on small models) changes the hint only."""
    best = brute_force(instance)
    monkeypatch_module.setattr(award_milp, "LP_AND_FIX_MIN_BIDS", 0)
    monkeypatch_module.setattr(award_milp, "LP_AND_FIX_MIN_S", 0.0)
    try:
        solution = award(instance, "optimal", SolverSettings(backend=backend, time_limit_s=20))
    finally:
        monkeypatch_module.undo()
    if best is None:
        assert solution.status is Status.INFEASIBLE
        return
    assert solution.status is Status.OPTIMAL
    assert solution.objective == pytest.approx(best, abs=1e-6)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(instance=small_instances())
def test_lp_bound_stands_in_when_the_milp_has_no_time(backend, instance, monkeypatch_module):
    """When the MILP returns nothing (as at a 1 s limit on 500 x 100), the award keeps the
    warm start and reports the LP optimum as its bound: never above the true optimum."""
    best = brute_force(instance)
    real_solve = award_milp.solve

    def milp_without_time(model, settings_, *args, **kwargs):
        if not any(model.integer):
            return real_solve(model, settings_, *args, **kwargs)  # the LP of the warm start
        return RawResult(Status.NO_SOLUTION, "kTimeLimit", None, None, None, 0.0, "test")

    monkeypatch_module.setattr(award_milp, "LP_AND_FIX_MIN_BIDS", 0)
    monkeypatch_module.setattr(award_milp, "solve", milp_without_time)
    try:
        solution = award(instance, "optimal", SolverSettings(backend=backend, time_limit_s=20))
    finally:
        monkeypatch_module.undo()
    if best is None or not solution.status.has_solution:
        return
    assert solution.bound is not None
    assert solution.bound <= best + 1e-6 <= solution.objective + 2e-6
