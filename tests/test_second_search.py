"""The design's second heuristic search in a worker process (the spare core)."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocatie.checker import evaluate, objectives_match
from allocatie.design import design, second_search
from allocatie.design import run as design_run
from allocatie.design.heuristic import heuristic_design
from allocatie.io.loading import load_instance
from allocatie.settings import SolverSettings

INSTANCES = Path(__file__).resolve().parents[1] / "instances"


@pytest.fixture(scope="module")
def emmen_buurten():
    return load_instance(INSTANCES / "emmen-buurten")


def test_heuristic_improves_a_given_start(emmen_buurten) -> None:
    first = heuristic_design(emmen_buurten, time_limit_s=1.0, seed=0)
    assert first is not None
    again = heuristic_design(emmen_buurten, time_limit_s=2.0, seed=1,
                             start=(dict(first.assignment), dict(first.winners)))
    assert again is not None and again.objective <= first.objective + 1e-6
    check = evaluate(emmen_buurten, again.assignment, again.winners)
    assert check.feasible and objectives_match(again.objective, check.objective)


def test_worker_returns_a_checked_design_and_cleans_up(emmen_buurten) -> None:
    first = heuristic_design(emmen_buurten, time_limit_s=1.0, seed=0)
    assert first is not None
    search = second_search.SecondSearch(emmen_buurten, 8.0, 1,
                                        (dict(first.assignment), dict(first.winners)))
    folder = search._path
    found = search.collect(wait_s=30.0)
    assert found is not None and found.objective <= first.objective + 1e-6
    check = evaluate(emmen_buurten, found.assignment, found.winners)
    assert check.feasible and objectives_match(found.objective, check.objective)
    assert search._process.poll() is not None and not folder.exists()


def test_cancel_ends_the_worker_at_once(emmen_buurten) -> None:
    search = second_search.SecondSearch(emmen_buurten, 60.0, 1, ({}, {}))
    search.cancel()
    assert search._process.poll() is not None


def test_design_offers_the_second_search(emmen_buurten, monkeypatch) -> None:
    """With the size and time thresholds lowered, a short design run collects the worker's
    design; the result stays checker-verified whichever search found it."""
    monkeypatch.setattr(second_search, "MIN_TIME_LIMIT_S", 0.0)
    monkeypatch.setattr(design_run, "MIN_SECOND_S", 0.0)
    solution = design(emmen_buurten, SolverSettings(time_limit_s=12.0), heuristic_time_s=1.0)
    assert "second_search" in solution.details
    assert solution.status.has_solution
    check = evaluate(emmen_buurten, solution.assignment, solution.winners)
    assert check.feasible and objectives_match(solution.objective, check.objective)
