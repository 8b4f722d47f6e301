"""A winning combination bid is attributed per lot by the one documented rule
(allocatie.lot_shares) in every output, shown as a combination, and verified by check.

The bundled emmen-wijken instance has combination bids that never win at their bundled
prices; a copy with Thuiszorg B's combination 3+6 made cheaper than its two lot bids
together gives an award where it wins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from allocatie.cli import main
from allocatie.io.loading import load_instance
from allocatie.lot_shares import combination_shares
from allocatie.verify import check_results_folder

ROOT = Path(__file__).resolve().parents[1]
PRICE = 2_500_000.0  # B alone: lot 3 2,266,700 + lot 6 1,899,800 = 4,166,500


@pytest.fixture(scope="module")
def cheap_combination(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("combi") / "emmen-wijken"
    shutil.copytree(ROOT / "instances" / "emmen-wijken", folder)
    path = folder / "combination_bids.csv"
    text = path.read_text(encoding="utf-8").replace("B-combi,3+6,4004100",
                                                    f"B-combi,3+6,{PRICE:.0f}")
    path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def award_folder(cheap_combination: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("award") / "out"
    assert main(["award", str(cheap_combination), "--out", str(out), "--criterion", "price",
                 "--time-limit", "20", "--lang", "en"]) == 0
    return out


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_the_rule_splits_in_proportion_to_the_lot_bids(cheap_combination: Path) -> None:
    instance = load_instance(cheap_combination)
    shares = combination_shares(instance, ["B-combi"])
    assert set(shares) == {"3", "6"}
    assert shares["3"].amount == pytest.approx(PRICE * 2_266_700 / 4_166_500)
    assert shares["6"].amount == pytest.approx(PRICE * 1_899_800 / 4_166_500)
    assert shares["3"].lots == ("3", "6") and shares["3"].combination == "B-combi"


def test_every_output_books_the_same_share_per_lot(award_folder: Path,
                                                   cheap_combination: Path) -> None:
    summary = _summary(award_folder)
    assert summary["combinations"] == ["B-combi"]
    lots = {e["lot"]: e for e in summary["lots"]}
    shares = combination_shares(load_instance(cheap_combination), ["B-combi"])
    for lot in ("3", "6"):
        assert lots[lot]["cost"] == pytest.approx(shares[lot].amount)
        assert lots[lot]["combination"] == {"id": "B-combi", "bidder": "Thuiszorg B",
                                            "price": PRICE, "lots": ["3", "6"]}
    assert lots["3"]["cost"] + lots["6"]["cost"] == pytest.approx(PRICE)
    assert all(lots[lot]["combination"] is None for lot in lots if lot not in ("3", "6"))
    assert sum(e["cost"] for e in summary["lots"]) == pytest.approx(summary["cost"])
    features = json.loads((award_folder / "lots.geojson").read_text(encoding="utf-8"))
    geo = {f["properties"]["lot"]: f["properties"] for f in features["features"]}
    for lot in ("3", "6"):
        assert geo[lot]["cost"] == pytest.approx(shares[lot].amount, abs=0.01)
        assert geo[lot]["combination"] == "B-combi"
    report = (award_folder / "rapport.html").read_text(encoding="utf-8")
    assert "B-combi" in report


def test_check_accepts_the_shares_and_rejects_the_whole_price_on_one_lot(
        award_folder: Path, cheap_combination: Path, tmp_path: Path) -> None:
    instance = load_instance(cheap_combination)
    assert check_results_folder(instance, award_folder).ok
    copy = tmp_path / "out"
    shutil.copytree(award_folder, copy)
    summary = _summary(copy)
    for entry in summary["lots"]:  # the old booking: all on lot 3, nothing on lot 6
        if entry["lot"] == "3":
            entry["cost"] = PRICE
        if entry["lot"] == "6":
            entry["cost"] = 0.0
    (copy / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    report = check_results_folder(instance, copy)
    assert not report.ok
    assert {("summary_lots", "3"), ("summary_lots", "6")} <= {
        (v.rule, lot) for v in report.violations for lot in v.lots}


def test_check_rejects_a_combination_entry_that_is_not_the_design(
        award_folder: Path, cheap_combination: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(award_folder, copy)
    summary = _summary(copy)
    for entry in summary["lots"]:
        if entry["lot"] == "6":
            entry["combination"] = None
    (copy / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    report = check_results_folder(load_instance(cheap_combination), copy)
    assert any(v.rule == "summary_lots" and "6" in v.lots and "combination" in v.message
               for v in report.violations)
