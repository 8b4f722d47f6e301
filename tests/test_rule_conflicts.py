"""Rules that cannot all be met are infeasibility (exit 3, diagnosis in the results folder),
and a result the checker rejects is never reported feasible. Real runs on copies of
instances/emmen-wijken."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from allocatie.cli import main
from allocatie.errors import RuleConflict
from allocatie.io.loading import load_instance


def rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows = [r for r in (change(dict(r)) for r in rows) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_a_non_contiguous_fixed_lot_is_rejected_and_award_diagnoses_it(emmen_wijken: Path,
                                                                       tmp_path: Path,
                                                                       capsys) -> None:
    # WK011441 (lot 1) moved to lot 6, which lies elsewhere: both lots fall apart.
    rewrite(emmen_wijken / "lots.csv",
            lambda r: {**r, "lot": "6"} if r["district_id"] == "WK011441" else r)
    assert main(["validate", str(emmen_wijken)]) == 3
    err = capsys.readouterr().err
    assert "lot 6 is not contiguous" in err and "lots.csv" in err
    out = tmp_path / "award"
    assert main(["award", str(emmen_wijken), "--out", str(out), "--no-report"]) == 3
    printed = capsys.readouterr()
    assert "status: feasible" not in printed.out and "status: infeasible" in printed.out
    data = summary(out)
    assert data["status"] == "infeasible" and not (out / "assignment.csv").exists()
    assert any("lot 6 is not contiguous" in line for line in data["details"]["diagnosis"])
    assert "lot 6 is not contiguous" in (out / "log.txt").read_text(encoding="utf-8")
    assert main(["check", str(emmen_wijken), str(out)]) == 0  # an honest infeasible result
    # design draws its own lots: the broken fixed design does not stop it
    assert main(["design", str(emmen_wijken), "--out", str(tmp_path / "d"), "--no-report",
                 "--quiet", "--time-limit", "5"]) == 0


def test_lot_limits_below_the_lots_exit_3_with_the_diagnosis(emmen_wijken: Path,
                                                             tmp_path: Path) -> None:
    gone = {"Zorggroep A", "Welzijn C", "Thuishulp E"}
    for name in ("bidders.csv", "bids.csv", "lot_bids.csv", "combination_bids.csv"):
        rewrite(emmen_wijken / name, lambda r: None if r["bidder"] in gone else r)
    out = tmp_path / "award"
    code = main(["award", str(emmen_wijken), "--out", str(out), "--no-report", "--quiet",
                 "--max-lots-per-bidder", "1"])
    assert code == 3
    assert "5 bidders x max 1 lot = 5 < 6 lots" in " ".join(summary(out)["details"]["diagnosis"])
    try:
        load_instance(emmen_wijken, {"max_lots_per_bidder": 1})
    except RuleConflict as conflict:
        assert [p.kind for p in conflict.problems] == ["rules"]
    else:
        raise AssertionError("no rule conflict raised")


def test_a_rule_conflict_speaks_the_language_of_each_output(emmen_wijken: Path,
                                                           tmp_path: Path, capsys) -> None:
    """The command line in English by default (the report folder in Dutch); --lang nl makes
    both Dutch. The input problems themselves stay English (the house convention)."""
    gone = {"Zorggroep A", "Welzijn C", "Thuishulp E"}
    for name in ("bidders.csv", "bids.csv", "lot_bids.csv", "combination_bids.csv"):
        rewrite(emmen_wijken / name, lambda r: None if r["bidder"] in gone else r)
    args = ["award", str(emmen_wijken), "--no-report", "--max-lots-per-bidder", "1"]
    assert main([*args, "--out", str(tmp_path / "en")]) == 3
    printed = capsys.readouterr()
    cli = printed.out + printed.err
    assert "infeasible: the rules of" in cli and "the rules conflict (1 found)" in cli
    assert "Diagnosis 1:" in cli
    assert "strijd" not in cli and "Diagnose " not in cli and "inlezen" not in cli
    log = (tmp_path / "en" / "log.txt").read_text(encoding="utf-8")
    assert log.startswith("Diagnose 1:")  # the results folder is Dutch by default
    assert main([*args, "--out", str(tmp_path / "nl"), "--lang", "nl"]) == 3
    printed = capsys.readouterr()
    cli = printed.out + printed.err
    assert "de regels van" in cli and "met elkaar in strijd (1 gevonden)" in cli
    assert "Diagnose 1:" in cli and "infeasible:" not in cli and "note:" not in cli


def test_an_infeasible_design_names_the_binding_rule_and_by_how_much(emmen_wijken: Path,
                                                                      tmp_path: Path) -> None:
    rewrite(emmen_wijken / "bidders.csv", lambda r: {**r, "capacity": "700", "max_lots": ""})
    out = tmp_path / "design"
    assert main(["design", str(emmen_wijken), "--out", str(out), "--no-report", "--quiet",
                 "--time-limit", "5"]) == 3
    data = summary(out)
    assert data["status"] == "infeasible"
    assert "6 lots x capacity 700 = 4,200 < 4,312 clients" in " ".join(data["details"]["diagnosis"])


def test_a_result_the_checker_rejects_is_never_reported_feasible(emmen_wijken: Path,
                                                                  tmp_path: Path,
                                                                  capsys) -> None:
    from allocatie.award import award
    from allocatie.cli.summary import describe
    from allocatie.io.results import write_results

    instance = load_instance(emmen_wijken)
    solution = award(instance)
    assert solution.status.has_solution
    # The same award checked against tighter rules (a bidder's capacity halved) breaks one.
    winner = solution.winners["1"]
    rewrite(emmen_wijken / "bidders.csv",
            lambda r: {**r, "capacity": "400"} if r["bidder"] == winner else r)
    tighter = load_instance(emmen_wijken)
    written = write_results(tmp_path / "out", tighter, solution, command="award",
                            report=True, lang="nl")
    assert not written.evaluation.feasible
    assert written.solution.status.value == "infeasible"
    assert written.solution.status.exit_code == 3
    data = summary(tmp_path / "out")
    assert data["status"] == "infeasible" and data["feasible_by_checker"] is False
    assert data["details"]["solver_status"] in ("optimal", "feasible")
    assert "status: infeasible" in describe(tighter, written.solution, written.evaluation)
    report = (tmp_path / "out" / "rapport.html").read_text(encoding="utf-8")
    headline = report.split("In het kort", 1)[1][:400]
    assert "Toelaatbaar" not in headline and "Optimaal" not in headline
    assert "overtredingen gevonden" in report


def test_design_with_another_lot_count_than_the_fixed_lots_runs(instances_dir: Path,
                                                                 tmp_path: Path) -> None:
    assert main(["design", str(instances_dir / "emmen-wijken"), "--lots", "5", "--out",
                 str(tmp_path / "d5"), "--no-report", "--quiet", "--time-limit", "5"]) == 0
    assert len(set(r["lot"] for r in csv.DictReader(
        (tmp_path / "d5" / "assignment.csv").open(encoding="utf-8")))) == 5


def test_a_solver_proven_infeasible_design_names_the_rules_that_bind(write_grid,
                                                                      tmp_path: Path) -> None:
    # A path of four districts with 10, 30, 10, 10 clients in 2 contiguous lots of 25 to 35
    # clients: the totals pass every pre-check (2 x 35 >= 60 >= 2 x 25) but no cut works.
    folder = write_grid(tmp_path / "path", rows=1, cols=4, lots=2,
                        toml_extra="lot_clients_min = 25\nlot_clients_max = 35\n")
    districts = json.loads((folder / "districts.geojson").read_text(encoding="utf-8"))
    districts["features"][1]["properties"]["clients"] = 30
    (folder / "districts.geojson").write_text(json.dumps(districts), encoding="utf-8")
    assert main(["validate", str(folder)]) == 0
    out = tmp_path / "out"
    assert main(["design", str(folder), "--out", str(out), "--no-report", "--quiet",
                 "--time-limit", "10"]) == 3
    diagnosis = summary(out)["details"]["diagnosis"]
    text = " ".join(diagnosis)
    assert "without the client bounds per lot (25 to 35) a design exists" in text
    assert "above the maximum 35" in text or "below the minimum 25" in text
    assert "without the contiguity (rook) a design exists" in text
    assert "Diagnosis 1" in (out / "log.txt").read_text(encoding="utf-8")


def test_without_contiguity_client_bounds_do_not_prove_a_false_infeasibility(make_grid) -> None:
    """Regression: the territory model's client-bound cuts treated connected parts as lots
    even under contiguity "none", and proved this feasible instance infeasible."""
    import dataclasses

    from allocatie.design import design
    from allocatie.design.bruteforce import brute_force_design
    from allocatie.settings import SolverSettings

    grid = make_grid(1, 4, clients=10, lots=2, lot_clients_min=25, lot_clients_max=35,
                     contiguity="none")
    districts = list(grid.districts)
    districts[1] = dataclasses.replace(districts[1], clients=30)
    grid = dataclasses.replace(grid, districts=tuple(districts))
    best = brute_force_design(grid)
    assert best is not None
    solution = design(grid, SolverSettings(time_limit_s=10))
    assert solution.status.value == "optimal"
    assert solution.objective == best[0]


def test_award_accept_fixed_lots_is_a_named_relaxation_that_check_verifies(
        emmen_wijken: Path, tmp_path: Path, capsys) -> None:
    rewrite(emmen_wijken / "lots.csv",
            lambda r: {**r, "lot": "6"} if r["district_id"] == "WK011441" else r)
    out = tmp_path / "award"
    assert main(["award", str(emmen_wijken), "--out", str(out), "--accept-fixed-lots"]) == 0
    assert "rule relaxation accept-fixed-lots" in capsys.readouterr().out  # CLI: English
    data = summary(out)
    assert data["relaxation"]["name"] == "accept-fixed-lots"
    assert any("lot 6 is not contiguous" in b for b in data["relaxation"]["broken"])
    assert data["feasible_by_checker"] is True
    report = (out / "rapport.html").read_text(encoding="utf-8")
    assert "regelversoepeling accept-fixed-lots" in report.split("In het kort", 1)[1][:300]
    assert main(["check", str(emmen_wijken), str(out)]) == 0
    # the relaxation covers only the published lots: another design under it is rejected
    rewrite(out / "assignment.csv",
            lambda r: {**r, "lot": "6", "winner": next(e["winner"] for e in data["lots"]
                                                       if e["lot"] == "6")}
            if r["district_id"] == "WK011442" else r)
    assert main(["check", str(emmen_wijken), str(out)]) == 3
    assert "FAIL [relaxation]" in capsys.readouterr().out


def test_a_relaxation_written_into_a_design_folder_is_rejected(tmp_path: Path,
                                                                instances_dir: Path,
                                                                capsys) -> None:
    out = tmp_path / "design"
    assert main(["design", str(instances_dir / "emmen-wijken"), "--out", str(out),
                 "--no-report", "--quiet", "--time-limit", "5"]) == 0
    data = summary(out)
    data["relaxation"] = {"name": "accept-fixed-lots", "broken": []}
    (out / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["check", str(instances_dir / "emmen-wijken"), str(out)]) == 3
    assert "FAIL [relaxation]" in capsys.readouterr().out
