"""Reports say one thing: status, price of the rule, settings, language, colours, numbers,
combination bids and progress agree across the report, the workbook, the audit log and the
command line."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from allocatie.cli import main
from allocatie.cli.progress import ProgressPrinter
from allocatie.io.loading import load_instance
from allocatie.milp import Progress
from allocatie.report.data import organisation_colours


def report_text(folder: Path) -> str:
    """rapport.html as plain text."""
    html = (folder / "rapport.html").read_text(encoding="utf-8")
    html = re.sub(r"<(script|style|svg)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def summary_sheet(folder: Path) -> dict[str, object]:
    sheet = load_workbook(folder / "resultaat.xlsx").worksheets[0]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}


@pytest.fixture(scope="module")
def rule_award(tmp_path_factory) -> tuple[Path, str]:
    """An award by rule by-lot-value of emmen-wijken, with the CLI's output."""
    out = tmp_path_factory.mktemp("award") / "out"
    root = Path(__file__).resolve().parents[1] / "instances" / "emmen-wijken"
    buffer = io.StringIO()
    import contextlib
    with contextlib.redirect_stdout(buffer):
        assert main(["award", str(root), "--out", str(out), "--rule", "by-lot-value",
                     "--criterion", "price", "--backend", "cpsat", "--time-limit", "10",
                     "--quiet"]) == 0
    return out, buffer.getvalue()


def test_a_rule_award_shows_the_price_of_the_rule_once_and_no_bound(rule_award) -> None:
    out, cli = rule_award
    text = report_text(out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    audit = next(line for line in summary["log"] if "Prijs van de regel" in line)
    pct = re.search(r"\((\d+,\d+%)", audit).group(1)  # the audit log's figure
    assert "Ondergrens" not in text and "Gap" not in text
    assert text.count(pct) >= 3  # headline, answer row and audit log agree
    assert "duurder dan de goedkoopste gunning" in text
    assert "per perceel, het grootste perceel eerst" in text and "by-lot-value" not in text
    sheet = summary_sheet(out)
    assert "Ondergrens (bewezen)" not in sheet and pct in str(sheet["Prijs van de regel"])
    assert "bound" not in cli and pct.replace(",", ".") in cli


def test_the_report_shows_the_solver_settings_of_the_run(rule_award) -> None:
    out, _cli = rule_award
    assert "cpsat, tijdslimiet 10 s" in report_text(out)  # the instance says highs, 60 s


def test_de_vraag_stores_figures_as_numbers(rule_award) -> None:
    out, _cli = rule_award
    sheet = load_workbook(out / "resultaat.xlsx").worksheets[0]
    values = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2) if row[0].value}
    assert values["Cliënten in totaal"].value == 4312
    assert values["Cliënten in totaal"].number_format == "#,##0"
    assert values["Kosten per cliënt die moet wisselen"].value == 1000


def test_a_dutch_report_has_no_english_passages(rule_award) -> None:
    out, _cli = rule_award
    text = report_text(out)
    for english in ("derived from data published", "geometry simplified", "Toelichting",
                    "award by rule", "(feasible)", "optimal by", "Districts in"):
        assert english not in text, english
    assert "De bronvermelding luidt" in text and "Stap 1" in text


def test_an_english_report_and_cli_have_no_dutch_passages(emmen_wijken: Path, tmp_path: Path,
                                                         capsys) -> None:
    out = tmp_path / "en"
    assert main(["award", str(emmen_wijken), "--out", str(out), "--lang", "en"]) == 0
    text = report_text(out)
    assert "Step 1" in text and "Stap " not in text and "Gegund" not in text
    assert "Source: Centraal Bureau" in text and "Bron:" not in text
    printed = capsys.readouterr()
    assert "status: feasible; awarded by the rule optimal award on price and quality" in \
        printed.out
    assert "gunning" not in printed.out + printed.err


def test_lang_governs_the_command_line_and_english_is_the_default(emmen_wijken: Path,
                                                                  tmp_path: Path,
                                                                  capsys) -> None:
    assert main(["award", str(emmen_wijken), "--out", str(tmp_path / "a"), "--no-report"]) == 0
    default = capsys.readouterr()
    assert default.out.startswith("status: ") and "reading" in default.err
    assert main(["award", str(emmen_wijken), "--out", str(tmp_path / "b"), "--no-report",
                 "--lang", "nl"]) == 0
    dutch = capsys.readouterr()
    assert dutch.out.startswith("uitkomst: toelaatbaar; gegund volgens de regel")
    assert "resultaten geschreven naar" in dutch.out and "inlezen" in dutch.err
    assert "status" not in dutch.out and "written" not in dutch.out


def test_each_provider_has_one_colour_in_every_run(emmen_wijken: Path, tmp_path: Path) -> None:
    instance = load_instance(emmen_wijken)
    colours = organisation_colours(instance)
    assert len(set(colours.values())) == len(colours)  # distinct
    assert set(colours) == set(instance.bidder_ids) | set(instance.providers)
    legends = []
    for command, extra in (("award", []), ("design", ["--time-limit", "5"])):
        out = tmp_path / command
        assert main([command, str(emmen_wijken), "--out", str(out), *extra, "--quiet"]) == 0
        page = (out / "kaart.html").read_text(encoding="utf-8")
        legend = dict((name, colour) for colour, name in re.findall(
            r'background:(#[0-9A-Fa-f]{6})\\?"><\\?/span>([^<\\]+)', page) if name in colours)
        assert legend and all(colours[name] == colour for name, colour in legend.items())
        workbook = load_workbook(out / "resultaat.xlsx")
        for row in workbook.worksheets[2].iter_rows(min_row=2, max_col=1):  # bidders sheet
            cell = row[0]
            assert cell.fill.fgColor.rgb[-6:] == colours[cell.value].lstrip("#").upper()
        legends.append(legend)
    assert legends[0] != {} and legends[1] != {}


def test_a_combination_bid_is_split_over_its_lots_and_shown(emmen_wijken: Path,
                                                          tmp_path: Path, capsys) -> None:
    combos = emmen_wijken / "combination_bids.csv"
    combos.write_text(combos.read_text(encoding="utf-8").replace("B-combi,3+6,4004100",
                                                                 "B-combi,3+6,2000000"),
                      encoding="utf-8")
    out = tmp_path / "combo"
    assert main(["award", str(emmen_wijken), "--out", str(out), "--criterion", "price"]) == 0
    cli = capsys.readouterr().out
    assert json.loads((out / "summary.json").read_text())["combinations"] == ["B-combi"]
    # separate bids of Thuiszorg B: lot 3 2,266,700 and lot 6 1,899,800
    lot3 = 2_000_000 * 2_266_700 / (2_266_700 + 1_899_800)
    assert f"EUR {lot3:,.0f}" in cli and f"EUR {2_000_000 - lot3:,.0f}" in cli
    assert "EUR 0 " not in cli and "(combination B-combi)" in cli
    text = report_text(out)
    assert "combinatie B-combi (percelen 3 + 6)" in text
    assert "€ 1.088.060" in text and "€ 911.940" in text
    sheet = load_workbook(out / "resultaat.xlsx")["Percelen"]
    costs = {row[0]: row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert costs[3] + costs[6] == pytest.approx(2_000_000)


def test_progress_names_each_phase_at_once() -> None:
    stream = io.StringIO()
    now = [0.0]
    printer = ProgressPrinter(stream, lang="en", clock=lambda: now[0])
    printer(Progress(0.0, None, None, "heuristic", "heuristic"))
    now[0] = 0.1  # a new phase is printed at once, within the 5 s between lines
    printer(Progress(0.1, 10.0, None, "heuristic", "territory_model"))
    now[0] = 0.2
    printer(Progress(0.2, 10.0, None, "highs", "territory_milp"))
    now[0] = 2.0
    printer.heartbeat(quiet_s=5.0)  # not quiet long enough: nothing
    now[0] = 19.9
    printer.heartbeat(quiet_s=5.0)  # 19.7 s of silence: the phase line is repeated
    lines = stream.getvalue().splitlines()
    assert [re.match(r"\s*[\d.]+ s  (.+?)\s{2,}", line).group(1) for line in lines[:3]] == [
        "heuristic", "building territory model", "territory model (MILP)"]
    assert len(lines) == 4 and "territory model (MILP)" in lines[3]
    assert lines[3].lstrip().startswith("19.9 s")


def test_design_reports_its_phases_from_the_start(emmen_wijken: Path) -> None:
    from allocatie.design import design

    instance = load_instance(emmen_wijken)
    events: list[Progress] = []
    design(instance, instance.solver.with_(time_limit_s=10), events.append)
    phases = list(dict.fromkeys(e.phase for e in events))
    assert phases[0] == "heuristic" and events[0].elapsed_s < 1.0
    assert {"territory_model", "root_cuts", "territory_milp"} <= set(phases)


def test_the_dutch_design_note_names_the_relaxed_rules_in_dutch() -> None:
    import inspect

    from allocatie.design.run import lot_level_rules
    from allocatie.report.data import message_text
    from allocatie.solution import Solution
    from allocatie.status import Status

    rules = tuple(re.findall(r'found\.append\("([^"]+)"\)', inspect.getsource(lot_level_rules)))
    assert len(rules) >= 4  # every rule family the design notes can name
    message = f"lot-level rules ({', '.join(rules)}) are relaxed in the territory bound"
    text = message_text(Solution(Status.FEASIBLE, message=message), "nl")
    assert text is not None and text.startswith("de ondergrens laat de regels per perceel")
    assert not any(rule in text for rule in rules), text
