"""The comparison an analyst reads and steers: named scenarios, duplicate designs counted
once, counts that add up, exit codes, vergelijking.html / .xlsx and the design files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from allocatie.compare import SpecError, run_compare
from allocatie.compare.tasks import FAIL_HOOK

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instances" / "emmen-wijken"
FIVE = ROOT / "examples" / "emmen-stad3-land2.csv"
OTHERS = ("Thuiszorg B", "Welzijn C", "Zorgcooperatie D", "Thuishulp E", "Wijkzorg F",
          "Zorgpartners G", "Thuiszorg H")


def dutch_excel_bids(path: Path, factor: float) -> Path:
    """The instance's bids times ``factor``, written as Dutch Excel writes a CSV."""
    rows = pd.read_csv(INSTANCE / "bids.csv")
    lines = ["bidder;district_id;price"] + [
        f"{b};{d};{p * factor:.2f}".replace(".", ",") for b, d, p in rows.itertuples(index=False)]
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def make_spec(folder: Path, count: int = 6, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dutch_excel_bids(folder / "ronde2.csv", 1.05)
    absent_all_but_a = ", ".join(f'"{b}"' for b in OTHERS)
    text = f"""
name = "Emmen: test"
instance = "{INSTANCE}"
[scenarios]
count = {count}
seed = 2026
price_level_sd = 0.08
district_noise_sd = 0.05
no_show_probability = 0.15

[[scenarios.named]]
name = "zonder Zorggroep A"
absent = ["Zorggroep A"]

[[scenarios.named]]
name = "F duurder"
price_factor = {{"Wijkzorg F" = 1.10}}

[[scenarios.named]]
name = "krap"
capacity = {{"Zorggroep A" = 100}}

[[scenarios.named]]
name = "ronde 2"
bids = "ronde2.csv"

[[scenarios.named]]
name = "alleen A"
absent = [{absent_all_but_a}]

[[designs]]
name = "vandaag"
kind = "current"

[[designs]]
name = "bestek"
kind = "fixed"
lots = "{INSTANCE / 'lots.csv'}"

[[designs]]
name = "vijf"
kind = "fixed"
lots = "{FIVE}"
{extra}
"""
    path = folder / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("compare-report")
    return run_compare(make_spec(folder), folder / "out", workers=1)


def test_the_same_design_under_two_names_is_counted_once(run) -> None:
    assert dict(run.duplicates) == {"bestek": "vandaag"}  # lots.csv is today's areas
    assert run.distinct == 2 and run.total == 2 * (6 + 5)
    assert len(list((run.out_dir / "tasks").glob("*.json"))) == run.total
    both = run.scenarios[run.scenarios["design"].isin(["vandaag", "bestek"])]
    pairs = both.pivot_table(index=["scenario_kind", "scenario_name", "scenario"],
                             columns="design", values="objective", dropna=False)
    assert len(both) == 2 * 11
    pd.testing.assert_series_equal(pairs["vandaag"], pairs["bestek"], check_names=False)
    assert "bestek = vandaag: counted once" in run.count_line()


def test_the_counts_add_up(run) -> None:
    assert run.total == run.computed + run.reused + run.missing
    assert run.computed + run.reused == run.awarded + run.no_award + run.failed
    assert run.failed == 0 and run.no_award >= 2  # "alleen A" has no award for either design
    line = run.count_line()
    assert (f"{run.total} tasks: {run.computed} computed + {run.reused} reused + 0 not done"
            in line)
    assert f"{run.awarded} awarded + {run.no_award} without any feasible award + 0 failed" in line
    meta = json.loads((run.out_dir / "compare.json").read_text(encoding="utf-8"))
    tasks = meta["tasks"]
    assert tasks["total"] == tasks["computed"] + tasks["reused"] + tasks["missing"]
    assert meta["duplicates"] == {"bestek": "vandaag"}


def test_no_award_is_a_result_with_its_reason_not_a_failure(run) -> None:
    named = run.named.set_index(["design", "scenario_name"])
    row = named.loc[("vandaag", "alleen A")]
    assert row["status"] == "infeasible" and pd.isna(row["cost"])
    # Zorggroep A alone: at most 2 of the 6 lots and 1,780 clients; neither rule alone is the
    # cause, both together are.
    assert row["reason"] == "max_lots+capacity"
    assert run.ok and not run.has_failures
    page = (run.out_dir / "vergelijking.html").read_text(encoding="utf-8")
    assert "geen gunning mogelijk" in page
    assert "pas zonder kavelbeperking én capaciteitsgrenzen was gunnen mogelijk" in page


def test_named_scenarios_move_the_result_the_expected_way(run) -> None:
    designs = run.designs.set_index("design")
    named = run.named.set_index(["design", "scenario_name"])
    for design in ("vandaag", "vijf"):
        expected = designs.loc[design]
        absent = named.loc[(design, "zonder Zorggroep A")]
        assert absent["transitions_change"] == absent["transitions"] - expected[
            "expected_transitions"]
        if "Zorggroep A" in expected["expected_winners"]:
            # The incumbent wins a lot today: without it the award costs more and its
            # clients must move.
            assert design == "vandaag"
            assert absent["objective"] > expected["expected_objective"]
            assert absent["transitions"] > expected["expected_transitions"]
        else:  # it wins nothing: the same award stays optimal
            assert design == "vijf"
            assert absent["objective"] == pytest.approx(expected["expected_objective"])
        for name in ("F duurder", "krap"):
            assert named.loc[(design, name), "objective"] >= expected["expected_objective"] - 0.01
        # Every price 5% higher (the Dutch Excel file): every award costs more.
        assert named.loc[(design, "ronde 2"), "objective"] > expected["expected_objective"]
    assert "zonder Zorggroep A" in run.scenarios["scenario_name"].tolist()


def test_workbook_has_dutch_headers_and_real_numbers(run) -> None:
    book = load_workbook(run.out_dir / "vergelijking.xlsx")
    assert book.sheetnames[:3] == ["Toelichting", "Overzicht", "Per indeling"]
    assert "Benoemde scenario's" in book.sheetnames
    sheet = book["Overzicht"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Nr.", "Indeling", "Soort", "Percelen", "Kosten verwacht"]
    assert "Kans geen gunning" in header and sheet.freeze_panes == "C2"
    cost = sheet.cell(row=2, column=5)
    assert isinstance(cost.value, int | float) and cost.number_format == '"€ "#,##0'
    share = sheet.cell(row=2, column=header.index("Kans geen gunning") + 1)
    assert isinstance(share.value, int | float) and share.number_format == "0.0%"
    assert sheet.column_dimensions["E"].width >= len("Kosten verwacht")
    per = book["Per indeling"]
    labels = [row[1].value for row in per.iter_rows(min_row=2)]
    assert "Benoemd: zonder Zorggroep A" in labels and "Willekeurig: 95%" in labels


def test_worst_scenarios_show_the_total_they_are_ranked_by(run) -> None:
    sheet = load_workbook(run.out_dir / "vergelijking.xlsx")["Slechtste scenario's"]
    header = [c.value for c in sheet[1]]
    total = header.index("Totaal (kosten + overstapkosten)")
    cost, switchers = header.index("Kosten"), header.index("Overstappers")
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    awarded = [r for r in rows if r[header.index("Uitkomst")] == "gegund"]
    assert awarded
    for design in {r[0] for r in awarded}:
        totals = [r[total] for r in awarded if r[0] == design]
        assert totals == sorted(totals, reverse=True)
    # the total is cost plus one transition cost per switcher, the same in every row
    per_switcher = {round((r[total] - r[cost]) / r[switchers], 6) for r in awarded}
    assert len(per_switcher) == 1 and per_switcher.pop() > 0


def test_each_design_is_written_by_its_name(run) -> None:
    import geopandas as gpd

    from allocatie.io.loading import load_instance, load_lots_file

    instance = load_instance(INSTANCE)
    for name, lots in (("vandaag", 6), ("bestek", 6), ("vijf", 5)):
        folder = run.out_dir / "designs" / name
        assignment, _ = load_lots_file(folder / "lots.csv", instance)
        assert len(assignment) == len(instance.districts)
        assert len(set(assignment.values())) == lots
        frame = gpd.read_file(folder / "lots.geojson")
        assert len(frame) == lots and frame["clients"].sum() == instance.total_clients


def test_html_report_in_english(tmp_path: Path) -> None:
    result = run_compare(make_spec(tmp_path, count=3), tmp_path / "out", workers=1, lang="en",
                         spread="whiskers")
    page = (tmp_path / "out" / "vergelijking.html").read_text(encoding="utf-8")
    assert "How to read this" in page and "Zo leest u dit" not in page
    assert "no award possible" in page and "Named: ronde 2" in page
    assert "<link" not in page and 'src="http' not in page  # nothing to fetch
    assert result.files["vergelijking.xlsx"].is_file()
    assert "Overview" in load_workbook(result.files["vergelijking.xlsx"]).sheetnames


def test_bad_named_scenarios_are_reported_with_file_and_row(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, count=1)
    bad = tmp_path / "ronde2.csv"
    text = bad.read_bytes().decode("utf-8").replace("WK011402", "WK999999", 1)
    bad.write_bytes(text.replace("Zorggroep A;WK011401;", "Zorggroep A;WK011401;-", 1)
                    .encode("utf-8"))
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        'absent = ["Zorggroep A"]', 'absent = ["Zorggroep Z"]'), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        run_compare(spec, tmp_path / "out", workers=1)
    text = str(caught.value)
    assert "'Zorggroep Z' is not a bidder of the instance" in text
    assert "ronde2.csv" in text and "WK999999" in text and "row 3" in text
    assert "row 2" in text  # the negative price


def _cli(spec: Path, out: Path, *extra: str, env: dict[str, str] | None = None):
    return subprocess.run([sys.executable, "-m", "allocatie", "compare", str(spec), "--out",
                           str(out), "--workers", "1", "--quiet", *extra],
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          cwd=ROOT, timeout=300)


def test_exit_code_on_a_real_failure(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, count=2)
    done = _cli(spec, tmp_path / "ok")
    assert done.returncode == 0, done.stderr  # "alleen A" has no award: a result
    assert "without any feasible award + 0 failed" in done.stdout

    failing = _cli(spec, tmp_path / "bad", env={FAIL_HOOK: "vijf:1"})
    assert failing.returncode == 5, failing.stdout + failing.stderr
    assert "1 failure(s):" in failing.stdout
    assert "vijf / scenario 1: RuntimeError: failure injected" in failing.stdout
    assert "--allow-failures" in failing.stderr

    allowed = _cli(spec, tmp_path / "bad", "--allow-failures", env={FAIL_HOOK: "vijf:1"})
    assert allowed.returncode == 0 and "+ 1 failed" in allowed.stdout


@pytest.mark.parametrize("spread", ["box", "whiskers", "none"])
def test_pareto_labels_never_collide_and_point_at_their_own_marker(spread: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from allocatie.compare.plots import pareto_figure

    rows = []
    for i in range(11):  # eleven designs crowded into a small corner
        cost = 10e6 + (i % 4) * 15_000 + (i // 4) * 4_000
        moved = 1000 + (i % 3) * 12
        rows.append({"design": f"D{i}", "scenarios": 10, "pareto": i % 2 == 0,
                     "cost_mean": cost, "transitions_mean": moved,
                     **{f"cost_p{p}": cost * f for p, f in ((5, 0.9), (50, 1.0), (95, 1.1))},
                     **{f"transitions_p{p}": moved * f for p, f in ((5, 0.8), (50, 1.0),
                                                                    (95, 1.2))}})
    rows.append({**rows[10], "design": "D11"})  # and a twelfth on the same point as D10
    table = pd.DataFrame(rows)
    figure = pareto_figure(table, "nl", spread)
    renderer = FigureCanvasAgg(figure).get_renderer()
    ax = figure.axes[0]
    labels = ax.texts
    assert sorted(int(n) for t in labels for n in t.get_text().split(", ")) == list(range(1, 13))
    assert "11, 12" in [t.get_text() for t in labels]
    boxes = []
    for text in labels:
        text.update_positions(renderer)
        boxes.append(Text.get_window_extent(text, renderer))
        numbers = [int(n) for n in text.get_text().split(", ")]
        point = table.iloc[numbers[0] - 1]
        assert text.xy == pytest.approx((point["cost_mean"] / 1e6, point["transitions_mean"]))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    legend = " ".join(t.get_text() for t in figure.texts)
    assert " 1  D0" in legend and "12  D11" in legend


def test_only_named_scenarios(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, count=0)
    result = run_compare(spec, tmp_path / "out", workers=1)
    assert result.ok and result.total == 2 * 5 and result.no_award == 2
    assert (result.scenarios["scenario_kind"] == "named").all()
    assert len(result.named) == 3 * 5
    assert (tmp_path / "out" / "vergelijking.html").stat().st_size > 0
