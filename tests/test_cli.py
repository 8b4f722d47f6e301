"""The command line end to end: exit codes of the spec, results folders, the checker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allocatie.cli import main


def run(*args: str) -> int:
    return main([str(a) for a in args])


def test_validate_accepts_the_default_instance(instances_dir: Path, capsys) -> None:
    assert run("validate", instances_dir / "emmen-wijken") == 0
    assert "valid" in capsys.readouterr().out


def test_validate_lists_problems_and_exits_1(emmen_wijken: Path, capsys) -> None:
    bids = emmen_wijken / "bids.csv"
    bids.write_text(bids.read_text(encoding="utf-8") + "Nobody,WK999999,12\n", encoding="utf-8")
    assert run("validate", emmen_wijken) == 1
    err = capsys.readouterr().err
    assert "WK999999" in err and "Nobody" in err


def test_usage_errors_exit_2(instances_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stop:
        run("design", instances_dir / "emmen-wijken", "--out", tmp_path, "--backend", "gurobi")
    assert stop.value.code == 2
    no_lots = instances_dir / "emmen-buurten"  # has no fixed design
    assert run("award", no_lots, "--out", tmp_path / "a", "--no-report") == 2


def test_design_writes_a_results_folder_the_checker_accepts(write_grid, tmp_path: Path,
                                                            capsys) -> None:
    folder = write_grid(tmp_path / "grid", rows=2, cols=3, lots=2,
                        toml_extra="max_lots_per_bidder = 1\n")
    out = tmp_path / "out"
    assert run("design", folder, "--out", out, "--time-limit", "20", "--no-report") == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(6 * 10 * 100)
    assert {p.name for p in out.iterdir()} >= {"summary.json", "assignment.csv",
                                               "transitions.csv", "lots.geojson"}
    assert run("check", folder, out) == 0
    assert "FAIL" not in capsys.readouterr().out


def test_check_catches_a_tampered_objective(write_grid, tmp_path: Path, capsys) -> None:
    folder = write_grid(tmp_path / "grid", rows=1, cols=2, lots=2)
    out = tmp_path / "out"
    assert run("design", folder, "--out", out, "--time-limit", "20", "--no-report") == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary["objective"] -= 1.0
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert run("check", folder, out) == 3
    assert "FAIL [objective]" in capsys.readouterr().out


def test_award_and_evaluate_on_emmen(instances_dir: Path, tmp_path: Path, capsys) -> None:
    instance = instances_dir / "emmen-wijken"
    assert run("award", instance, "--out", tmp_path / "opt", "--no-report") == 0
    assert run("award", instance, "--out", tmp_path / "val", "--rule", "by-lot-value",
               "--no-report") == 0
    assert run("check", instance, tmp_path / "opt") == 0
    assert run("check", instance, tmp_path / "val") == 0
    assert run("evaluate", instance, "--lots", instance / "current_lots.csv", "--out",
               tmp_path / "ev", "--no-report") == 0
    assert run("check", instance, tmp_path / "ev") == 0
    assert "who moves to whom" in capsys.readouterr().out


def test_evaluate_reports_a_broken_design_with_exit_3(instances_dir: Path,
                                                      tmp_path: Path) -> None:
    instance = instances_dir / "emmen-wijken"
    rows = (instance / "current_lots.csv").read_text(encoding="utf-8").splitlines()
    # Put the first district of lot 1 into a lot far away: it is then cut off.
    header, first, *rest = rows
    district = first.split(",")[0]
    far = rest[-1].split(",")[1]
    design = tmp_path / "lots.csv"
    design.write_text("\n".join([header, f"{district},{far}", *rest]) + "\n", encoding="utf-8")
    out = tmp_path / "ev"
    assert run("evaluate", instance, "--lots", design, "--out", out, "--no-report") == 3
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "infeasible" and summary["violations"]
