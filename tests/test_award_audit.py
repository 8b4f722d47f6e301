"""Audit log formatting, the transitions table, and the bundled Emmen instance."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_award_factory import make_instance

from allocatie.award import RULES, award, format_log, transitions_report, transitions_table
from allocatie.checker import evaluate, objectives_match
from allocatie.settings import SolverSettings
from allocatie.status import Status
from allocatie.text import fmt_lots
from allocatie.text import plain_eur as fmt_eur
from allocatie.text import plain_int as fmt_int

ROOT = Path(__file__).resolve().parents[1]


def test_number_formats():
    assert fmt_int(1234567) == "1.234.567" and fmt_int(1234567, "en") == "1,234,567"
    assert fmt_eur(2345678) == "€ 2.345.678" and fmt_eur(2345678, "en") == "EUR 2,345,678"
    assert fmt_eur(1234.5) == "€ 1.234,50" and fmt_eur(-10) == "-€ 10"
    assert fmt_lots(["4"]) == "perceel 4" and fmt_lots(["1", "2", "3"], "en") == "lots 1, 2 and 3"


def test_transitions_table():
    matrix = {("A", "A"): 10, ("A", "B"): 5, ("C", "B"): 1234}
    text = transitions_table(matrix, title="t")
    lines = text.splitlines()
    assert lines[0] == "t"
    assert lines[1].split() == ["van", "\\", "naar", "A", "B", "totaal", "wisselen"]
    row_a = next(line for line in lines if line.startswith("A "))
    assert row_a.split() == ["A", "=10", "5", "15", "5"]
    assert lines[-1].split() == ["totaal", "10", "1.239", "1.249", "1.239"]
    english = transitions_table(matrix, lang="en")
    assert english.splitlines()[0].split()[:3] == ["from", "\\", "to"]


def test_transitions_report_per_lot():
    instance = make_instance({"1": 100, "2": 50}, [("A", "1", 10), ("B", "2", 10)],
                             incumbents={"1": {"B": 60, "A": 20}, "2": {"B": 50}})
    solution = award(instance)
    ev = evaluate(instance, solution.assignment, solution.winners, solution.pricing)
    report = transitions_report(ev)
    assert "Perceel 1" in report and "Perceel 2" in report
    assert "totaal" in report
    assert solution.details["transitions_by_lot"] == {"1": 60, "2": 0}
    assert solution.details["transitions"] == 60


def test_log_can_be_rewritten_in_english():
    instance = make_instance({"1": 10, "2": 10},
                             [("A", "1", 10, None, 2), ("A", "2", 10, None, 1), ("B", "1", 20),
                              ("B", "2", 30)], bidders={"A": (None, 1)})
    for rule in RULES:
        solution = award(instance, rule)
        nl = solution.log
        en = format_log(solution.details["events"], "en")
        assert len(nl) == len(en)
        assert all(line.startswith(f"Stap {i}: ") for i, line in enumerate(nl, 1))
        assert all(line.startswith(f"Step {i}: ") for i, line in enumerate(en, 1))
        assert not any("{" in line for line in nl + en)  # no unformatted template
    with pytest.raises(ValueError, match="lang must be one of"):
        format_log(solution.details["events"], "de")


EMMEN = ROOT / "instances" / "emmen-wijken"


@pytest.fixture(scope="module")
def emmen():
    if not (EMMEN / "lot_bids.csv").exists():
        pytest.skip("instances/emmen-wijken has no lot bids yet")
    from allocatie.io.loading import load_instance

    return load_instance(EMMEN)


@pytest.mark.parametrize("criterion", ["price", "price_quality"])
@pytest.mark.parametrize("rule", list(RULES))
def test_emmen_every_rule_passes_the_checker(emmen, rule, criterion):
    solution = award(emmen, rule, SolverSettings(time_limit_s=30), criterion=criterion)
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE)
    ev = evaluate(emmen, solution.assignment, solution.winners, solution.pricing,
                  solution.combinations)
    assert ev.feasible, ev.violations
    assert objectives_match(solution.objective, ev.objective)
    details = solution.details
    assert details["rule"] == rule and details["criterion"] == criterion
    assert len(details["lots"]) == len(emmen.lot_ids)
    assert details["price_of_rule"]["objective"] >= -0.01
    assert details["lottery"]["seed"] == emmen.award.lottery_seed
    assert set(details["transitions_per_lot"]) == set(emmen.lot_ids)
    winners = list(solution.winners.values())
    assert all(winners.count(b) <= (emmen.max_lots(b) or 99) for b in set(winners))
