"""The neighbourhood search of a large award's warm start (LP-and-fix in rounds, each free
lot limited to its bids of least LP reduced cost): it only ever improves the warm start,
every award it returns passes the independent checker, and the bound stays a bound."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_award_scale import synthetic

from allocatie.award import award, award_data
from allocatie.award import milp as award_milp
from allocatie.award.formulation import Formulation
from allocatie.checker import evaluate, objectives_match
from allocatie.milp import Relaxation
from allocatie.settings import SolverSettings
from allocatie.status import Status

LOTS, BIDDERS = 200, 40  # ~4,000 bids: above LP_AND_FIX_MIN_BIDS, so the search runs


@pytest.fixture(scope="module")
def instance():
    return synthetic(LOTS, BIDDERS, seed=3)


def _form(instance):
    data = award_data(instance)
    value = {(o.lot, o.bidder): data.value(o) for o in data.options}
    form = Formulation(data, primary={k: round(v, 2) for k, v in value.items()})
    cost = form.costs({k: v * 1e-3 for k, v in value.items()})
    form.model.cost = cost
    return data, form, cost, {k: cost[v] for k, v in form.x.items()}


def _total(form, cost, hint) -> float:
    return float(np.dot(cost, [hint[i] for i in range(form.model.num_vars)]))


@pytest.mark.parametrize("backend", ["highs", "cpsat"])
def test_search_never_worsens_the_warm_start_and_stays_valid(instance, backend):
    data, form, cost, stage_one = _form(instance)
    assert len(form.x) >= award_milp.LP_AND_FIX_MIN_BIDS
    award_milp._greedy_hint(form, stage_one)
    assert form.model.hint, "the greedy found no warm start"
    greedy = _total(form, cost, form.model.hint)
    settings = SolverSettings(backend=backend, time_limit_s=award_milp.LP_AND_FIX_MIN_S)
    better, lp_bound = award_milp._lp_warm_start(form, cost, stage_one, settings, None)
    assert lp_bound is not None
    found = better if better is not None else form.model.hint
    total = _total(form, cost, found)
    assert total <= greedy + 1e-9
    assert lp_bound <= total + 1e-6
    winners, combos = form.decode(np.array([found[i] for i in range(form.model.num_vars)]))
    assert set(winners) == set(data.lots)
    ev = evaluate(instance, dict(instance.lots), winners, data.pricing, combos)
    assert ev.feasible, ev.violations
    assert objectives_match(data.figures(winners, combos)[2], ev.objective)


def test_core_keeps_the_hint_and_the_lp_support(instance):
    data, form, cost, stage_one = _form(instance)
    award_milp._greedy_hint(form, stage_one)
    relaxed = copy.copy(form.model)
    relaxed.integer = [False] * form.model.num_vars
    relaxation = Relaxation(relaxed)
    lp = relaxation.solve(10.0)
    assert lp is not None
    _, lp_values = lp
    reduced = np.array(relaxation.h.getSolution().col_dual)
    lots = set(data.lots)
    core = award_milp._core_bids(form, lots, lp_values, reduced)
    for var in form.x.values():
        if lp_values[var] > 1e-6 or form.model.hint[var] > 0.5:
            assert var in core
    for lot in lots:
        bids = sorted((reduced[var], var) for (own, _), var in form.x.items() if own == lot)
        # the bids of least reduced cost are in, and the core is smaller than the lot's bids
        assert {var for _, var in bids[:award_milp.FIX_BIDS_PER_LOT]} <= core
    assert len(core) < len(form.x)


def _short_award(instance):
    return award(instance, "optimal", SolverSettings(time_limit_s=award_milp.LP_AND_FIX_MIN_S))


def test_award_with_the_search_is_checked_and_bounded(instance):
    """At the search's own limit (no proof at this size) the award passes the checker and
    its bound is below its objective."""
    short = _short_award(instance)
    assert short.status.has_solution
    assert short.bound is not None and short.bound <= short.objective + 1e-6
    assert short.details["checker"]["violations"] == []
    assert objectives_match(short.objective, short.details["checker"]["objective"])


@pytest.mark.slow
def test_award_with_the_search_is_not_below_the_proven_optimum(instance):
    """The proven optimum (HiGHS, ~30 s) lies between the short award's bound and its
    objective."""
    short = _short_award(instance)
    proof = award(instance, "optimal", SolverSettings(time_limit_s=300))
    assert proof.status is Status.OPTIMAL
    assert short.bound <= proof.objective + 0.01 <= short.objective + 0.02
