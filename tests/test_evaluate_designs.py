"""``evaluate`` scores drawn designs as people bring them: another number of lots than the
rule (with a warning), the tool's own resultaat.xlsx and assignment.csv, districts by name;
and an infeasible design is reported honestly and accepted by ``check``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from allocatie.cli import main

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instances" / "emmen-wijken"
EXAMPLES = ROOT / "examples"


def evaluate(lots: Path, out: Path, *extra: str) -> int:
    return main(["evaluate", str(INSTANCE), "--lots", str(lots), "--out", str(out),
                 "--quiet", *extra])


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("example", "lots"), [("emmen-stad3-land2.csv", 5),
                                               ("emmen-stad4-land3.csv", 7)])
def test_a_design_with_another_lot_count_is_scored_with_a_warning(example: str, lots: int,
                                                                  tmp_path: Path,
                                                                  capsys) -> None:
    out = tmp_path / "out"
    assert evaluate(EXAMPLES / example, out, "--no-report") == 0
    data = summary(out)
    assert data["status"] == "feasible" and data["feasible_by_checker"] is True
    assert len(data["lots"]) == lots and data["rules"]["lots_min"] == lots
    assert f"has {lots} lots where the rules ask for 6" in data["message"]
    assert main(["check", str(INSTANCE), str(out)]) == 0
    assert f"lots_min {lots} (instance: 6)" in capsys.readouterr().out


def test_the_tools_own_outputs_are_read_back(tmp_path: Path) -> None:
    first = tmp_path / "first"
    assert evaluate(EXAMPLES / "emmen-stad3-land2.csv", first) == 0
    objective = summary(first)["objective"]
    for source in (first / "resultaat.xlsx", first / "assignment.csv"):
        again = tmp_path / source.stem
        assert evaluate(source, again, "--no-report") == 0
        assert summary(again)["objective"] == pytest.approx(objective)
        assert summary(again)["lots"] == summary(first)["lots"]


def test_districts_named_by_name_in_a_dutch_excel_file(tmp_path: Path) -> None:
    from allocatie.io.loading import load_instance

    instance = load_instance(INSTANCE)
    with (EXAMPLES / "emmen-stad3-land2.csv").open(encoding="utf-8") as handle:
        lots = {r["district_id"]: r["lot"] for r in csv.DictReader(handle)}
    names = {d.id: d.name for d in instance.districts}
    text = "Naam;Perceel\r\n" + "".join(f"{names[d]};{lot}\r\n" for d, lot in lots.items())
    path = tmp_path / "indeling.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    by_id, by_name = tmp_path / "by_id", tmp_path / "by_name"
    assert evaluate(EXAMPLES / "emmen-stad3-land2.csv", by_id, "--no-report") == 0
    assert evaluate(path, by_name, "--no-report") == 0
    assert summary(by_name)["objective"] == pytest.approx(summary(by_id)["objective"])


def test_an_infeasible_drawn_design_is_reported_honestly_and_check_accepts_it(
        tmp_path: Path, capsys) -> None:
    with (INSTANCE / "lots.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for r in rows:  # lot 1 loses WK011441 to lot 6, far away: both fall apart
        if r["district_id"] == "WK011441":
            r["lot"] = "6"
    path = tmp_path / "broken.csv"
    path.write_text("district_id,lot\n" + "".join(f"{r['district_id']},{r['lot']}\n"
                                                  for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert evaluate(path, out, "--no-report") == 3
    data = summary(out)
    assert data["status"] == "infeasible" and data["feasible_by_checker"] is False
    assert {v["rule"] for v in data["violations"]} == {"contiguity"}
    assert main(["check", str(INSTANCE), str(out)]) == 0
    assert "reported honestly" in capsys.readouterr().out
