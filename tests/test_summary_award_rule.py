"""summary.json under an award rule that does not minimise the objective says what the
report says (the rule, its own proof, the price of the rule) and claims no bound or gap;
check holds it to that."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from allocatie.cli import main
from allocatie.io.loading import load_instance
from allocatie.verify import check_results_folder

INSTANCE = Path(__file__).resolve().parents[1] / "instances" / "emmen-wijken"


@pytest.fixture(scope="module")
def by_lot_value(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rule") / "out"
    assert main(["award", str(INSTANCE), "--out", str(out), "--rule", "by-lot-value",
                 "--quiet", "--time-limit", "20"]) == 0
    return out


def _edit(folder: Path, tmp_path: Path, change) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(folder, copy)
    data = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    change(data)
    (copy / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    return copy


def test_the_summary_says_what_the_report_says(by_lot_value: Path) -> None:
    summary = json.loads((by_lot_value / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "feasible"
    assert summary["bound"] is None and summary["gap"] is None
    rule = summary["award_rule"]
    assert rule["rule"] == "by-lot-value" and rule["minimises_objective"] is False
    price = rule["price_of_rule"]
    assert price["rule_objective"] == pytest.approx(summary["objective"])
    assert price["objective"] == pytest.approx(price["rule_objective"]
                                               - price["optimal_objective"])
    assert rule["statement"] in (by_lot_value / "rapport.html").read_text(encoding="utf-8")
    assert check_results_folder(load_instance(INSTANCE), by_lot_value).ok


def test_a_minimising_award_has_no_rule_entry(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["award", str(INSTANCE), "--out", str(out), "--criterion", "price",
                 "--quiet", "--no-report", "--time-limit", "20"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["award_rule"] is None and summary["bound"] is not None


@pytest.mark.parametrize("change", [
    lambda d: d.update(bound=d["award_rule"]["price_of_rule"]["optimal_objective"], gap=0.04),
    lambda d: d.update(status="optimal"),
    lambda d: d["award_rule"]["price_of_rule"].update(objective=1.0),
    lambda d: d.update(award_rule=None),
], ids=["bound-and-gap", "optimal", "price-of-rule", "entry-removed"])
def test_check_rejects_a_bound_or_a_wrong_price_of_the_rule(by_lot_value: Path,
                                                             tmp_path: Path, change) -> None:
    report = check_results_folder(load_instance(INSTANCE), _edit(by_lot_value, tmp_path,
                                                                 change))
    assert "award_rule" in report.rules()
