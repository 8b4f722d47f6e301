"""The report files: kaart.png, kaart.html, rapport.html and resultaat.xlsx."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_report_support import EMMEN_WIJKEN, emmen_solution, load, tiny_instance

from allocatie.checker import evaluate
from allocatie.cli.progress import ProgressPrinter, duration
from allocatie.milp.model import Progress
from allocatie.report import write_report
from allocatie.report.data import build
from allocatie.report.texts import texts
from allocatie.solution import Solution
from allocatie.status import Status
from allocatie.text import fmt_eur, fmt_int, fmt_num, fmt_pct

FILES = ("kaart.png", "kaart.html", "rapport.html", "resultaat.xlsx")
LOG = ("Regel: laagste prijs per perceel", "Perceel 1 gegund aan Zorggroep A")
ALTERNATIVES = [{"name": "Goedkoopst", "cost": 11_800_000, "transitions": 2_300},
                {"name": "Weinig overstappen", "cost": 13_300_000, "transitions": 150}]


@pytest.fixture(scope="module")
def emmen():
    instance = load(EMMEN_WIJKEN)
    solution, evaluation = emmen_solution(instance, log=LOG)
    return instance, solution, evaluation


@pytest.fixture(scope="module")
def report_nl(emmen, tmp_path_factory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("rapport-nl")
    instance, solution, evaluation = emmen
    return folder, write_report(folder, instance, solution, evaluation,
                                alternatives=ALTERNATIVES)


@pytest.fixture(scope="module")
def report_en(emmen, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rapport-en")
    instance, solution, evaluation = emmen
    write_report(folder, instance, solution, evaluation, lang="en")
    return folder


class _Fetches(HTMLParser):
    """Collects every URL the browser would load by itself (not links a user clicks)."""

    LOADING = {"script": "src", "img": "src", "iframe": "src", "embed": "src",
               "source": "src", "audio": "src", "video": "src", "object": "data",
               "image": "href", "use": "href", "input": "src", "track": "src"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.LOADING and values.get(self.LOADING[tag]):
            self.urls.append(values[self.LOADING[tag]] or "")
        if tag == "image" and values.get("xlink:href"):
            self.urls.append(values["xlink:href"] or "")
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")


def external_fetches(text: str) -> list[str]:
    parser = _Fetches()
    parser.feed(text)
    urls = [u for u in parser.urls if not u.startswith(("data:", "#"))]
    urls += re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", text)
    urls += re.findall(r"@import\s+['\"]?([^'\";]+)", text)
    return urls


# --------------------------------------------------------------------------- files
def test_all_report_files_are_written(report_nl):
    folder, written = report_nl
    for name in FILES:
        assert (folder / name).stat().st_size > 1000, name
        assert folder / name in written
    assert all(path.parent == folder for path in written)
    assert (folder / "kaart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_names_every_lot_and_district(report_nl, emmen):
    folder, _ = report_nl
    instance, solution, _ = emmen
    report = (folder / "rapport.html").read_text(encoding="utf-8")
    webmap = (folder / "kaart.html").read_text(encoding="utf-8")
    for lot in solution.lots:
        assert f'data-lot="{lot}"' in report
        assert f"Perceel {lot}" in report
        assert f"Perceel {lot}" in webmap
    for district in instance.district_ids:
        assert f'data-district="{district}"' in report
        assert f'"id":"{district}"' in webmap
    for winner in set(solution.winners.values()):
        assert winner in report


@pytest.mark.parametrize("name", ["rapport.html", "kaart.html"])
def test_html_loads_nothing_from_the_internet(report_nl, name):
    folder, _ = report_nl
    text = (folder / name).read_text(encoding="utf-8")
    assert external_fetches(text) == []
    assert "<script src" not in text and "<link " not in text


def test_webmap_inlines_leaflet_without_tiles_by_default(report_nl):
    folder, _ = report_nl
    text = (folder / "kaart.html").read_text(encoding="utf-8")
    assert 'window.L' in text and ".leaflet-container" in text
    assert "sourceMappingURL" not in text
    assert "images/layers.png" not in text
    # The only tile layer is optional: created for the layer switch, never added at load.
    tile_layer = re.search(r"overlays\[data\.texts\.osm\] = L\.tileLayer\(", text)
    assert tile_layer is not None
    assert ".addTo(map)" not in text[tile_layer.start():text.index("L.control.layers")]


def test_report_answers_in_dutch_number_format(report_nl, emmen):
    folder, _ = report_nl
    _, solution, evaluation = emmen
    report = (folder / "rapport.html").read_text(encoding="utf-8")
    assert "Bewezen optimaal" in report
    assert fmt_eur(evaluation.cost, "nl") in report
    assert re.search(r"€\s\d{1,3}(\.\d{3}){2}", report)
    assert f"{fmt_int(evaluation.transitions, 'nl')} van " in report
    for line in LOG:
        assert line in report
    assert "geen overtredingen" in report
    assert "Kavelbeperking" in report and "Centraal Bureau voor de Statistiek" in report
    assert "Goedkoopst" in report and report.count("<svg") >= 3  # two maps and the plot


def test_workbook_has_the_tables(report_nl, emmen):
    folder, _ = report_nl
    instance, solution, evaluation = emmen
    wb = load_workbook(folder / "resultaat.xlsx")
    assert wb.sheetnames == ["Samenvatting", "Percelen", "Inschrijvers", "Wijken",
                             "Overstappen", "Auditlog"]
    providers = {a for a, _ in evaluation.matrix}
    assert wb["Percelen"].max_row == len(solution.lots) + 1
    assert wb["Inschrijvers"].max_row == len(instance.bidders) + 1
    assert wb["Wijken"].max_row == len(instance.districts) + 1
    assert wb["Overstappen"].max_row == len(providers) + 2
    assert wb["Auditlog"].max_row == len(LOG) + 1
    lots = wb["Percelen"]
    assert lots.freeze_panes == "A2" and lots.auto_filter.ref == "A1:I7"
    assert lots["F1"].value == "Kosten per jaar" and lots["F2"].number_format == '"€ "#,##0'
    assert sum(row[5] for row in lots.iter_rows(min_row=2, values_only=True)) \
        == pytest.approx(evaluation.cost)
    assert lots.column_dimensions["D"].width > 20
    matrix = wb["Overstappen"]
    total = matrix.cell(row=matrix.max_row, column=matrix.max_column).value
    assert total == sum(evaluation.matrix.values())


def test_english_report_has_english_headings(report_en):
    report = (report_en / "rapport.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in report
    for heading in ("The answer", "The question", "Who moves to whom?", "Independent check",
                    "Proven optimal"):
        assert heading in report
    assert "Het antwoord" not in report and "Wie gaat naar wie" not in report
    assert re.search(r"€\s\d{1,3}(,\d{3}){2}", report)
    wb = load_workbook(report_en / "resultaat.xlsx")
    assert wb.sheetnames == ["Summary", "Lots", "Bidders", "Districts", "Transitions",
                             "Audit log"]
    assert "New lots" in (report_en / "kaart.html").read_text(encoding="utf-8")


def test_report_files_are_deterministic(report_nl, emmen, tmp_path):
    folder, _ = report_nl
    instance, solution, evaluation = emmen
    write_report(tmp_path, instance, solution, evaluation, alternatives=ALTERNATIVES)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


# --------------------------------------------------------------------------- outcomes
def test_status_in_words(emmen):
    instance, solution, evaluation = emmen
    feasible = Solution(status=Status.FEASIBLE, assignment=solution.assignment,
                        winners=solution.winners, objective=1000.0, bound=988.0)
    assert build(instance, feasible, evaluation).status_text \
        == "Toelaatbaar, niet bewezen optimaal, gap 1,2%"
    assert build(instance, feasible, evaluation, "en").status_text \
        == "Feasible, not proven optimal, gap 1.2%"
    none = Solution(status=Status.NO_SOLUTION)
    assert "tijdslimiet 60 s" in build(instance, none, None).status_text


def test_infeasible_report_shows_the_diagnosis(emmen, tmp_path):
    instance, _, _ = emmen
    diagnosis = ("total capacity 1,850 clients < 4,312 clients",)
    solution = Solution(status=Status.INFEASIBLE, message="no bidder can serve lot 3",
                        log=diagnosis)
    written = write_report(tmp_path, instance, solution, None)
    assert {p.name for p in written} == set(FILES)
    report = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "Onmogelijk" in report and "no bidder can serve lot 3" in report
    assert html.escape(diagnosis[0]) in report
    wb = load_workbook(tmp_path / "resultaat.xlsx")
    assert wb["Percelen"].max_row == 1 and wb["Auditlog"].max_row == 2


def test_checker_violations_are_reported(emmen, tmp_path):
    instance, solution, _ = emmen
    winners = dict.fromkeys(solution.winners, "Zorggroep A")  # breaks the lot limit
    evaluation = evaluate(instance, solution.assignment, winners)
    broken = Solution(status=Status.FEASIBLE, assignment=solution.assignment, winners=winners)
    data = build(instance, broken, evaluation)
    assert data.check_ok is False
    assert any("more than its limit" in line for line in data.check_lines)


def test_instance_without_geometry_skips_the_maps(tmp_path):
    instance = tiny_instance()
    assignment, winners = {"A": "1", "B": "1", "C": "2"}, {"1": "Oud", "2": "Nieuw"}
    evaluation = evaluate(instance, assignment, winners)
    solution = Solution(status=Status.OPTIMAL, assignment=assignment, winners=winners,
                        objective=evaluation.objective, bound=evaluation.objective)
    written = write_report(tmp_path, instance, solution, evaluation)
    assert [p.name for p in written] == ["rapport.html", "resultaat.xlsx"]
    report = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "Geen kaart" in report and "Noord" in report
    assert texts("nl")["districts"] in report  # generic word for non-CBS ids
    assert "Centraal Bureau voor de Statistiek" in report  # the default attribution


def test_unknown_language_is_refused(emmen, tmp_path):
    instance, solution, evaluation = emmen
    with pytest.raises(ValueError, match="unknown report language 'fr'"):
        write_report(tmp_path, instance, solution, evaluation, lang="fr")


# --------------------------------------------------------------------------- texts
def test_both_languages_have_every_string():
    assert set(texts("nl")) == set(texts("en"))


@pytest.mark.parametrize(("lang", "expected"), [
    ("nl", ("1.234.567", "€\u00a01.234.567", "1,2%", "1.234,5")),
    ("en", ("1,234,567", "€\u00a01,234,567", "1.2%", "1,234.5")),
])
def test_number_formats(lang, expected):
    got = (fmt_int(1234567, lang), fmt_eur(1234567.4, lang), fmt_pct(0.0123, lang),
           fmt_num(1234.5, lang))
    assert got == expected
    assert fmt_eur(None, lang) == "–" and fmt_eur(-5, lang) == "−€\u00a05"


# --------------------------------------------------------------------------- progress
class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_line_format():
    printer = ProgressPrinter(io.StringIO(), tty=False)
    line = printer.solve_line(Progress(12.34, 4_567_890, 4_512_000, "highs"))
    assert line == "    12,3 s  beste € 4.567.890  grens € 4.512.000  gap 1,22%".replace(
        "€ ", "€\u00a0")
    english = ProgressPrinter(io.StringIO(), lang="en", tty=False)
    assert "incumbent €\u00a04,567,890  bound €\u00a04,512,000  gap 1.22%" \
        in english.solve_line(Progress(12.34, 4_567_890, 4_512_000, "highs"))
    assert "incumbent –" in english.solve_line(Progress(1.0, None, None, "cbc"))


def test_progress_without_tty_prints_changes_with_a_rate_limit():
    stream, clock = io.StringIO(), _Clock()
    printer = ProgressPrinter(stream, tty=False, min_interval_s=5.0, clock=clock)
    printer(Progress(1.0, 100.0, 50.0, "highs"))
    clock.now = 1.0
    printer(Progress(2.0, 100.0, 50.0, "highs"))  # no change: nothing
    clock.now = 2.0
    printer(Progress(3.0, 90.0, 50.0, "highs"))  # change within 5 s: held back
    assert stream.getvalue().count("\n") == 1
    clock.now = 8.0
    printer(Progress(9.0, 80.0, 60.0, "highs"))
    printer.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "€\u00a080" in lines[1] and "\r" not in stream.getvalue()


def test_progress_on_a_tty_rewrites_one_line():
    stream, clock = io.StringIO(), _Clock()
    with ProgressPrinter(stream, tty=True, clock=clock) as printer:
        printer(Progress(1.0, 1_000_000.0, 900_000.0, "highs"))
        clock.now = 1.0
        printer(Progress(2.0, 950_000.0, 900_000.0, "highs"))
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and text.count("\n") == 1


def test_progress_of_scenarios():
    stream, clock = io.StringIO(), _Clock()
    printer = ProgressPrinter(stream, tty=False, clock=clock)
    printer.scenario(3, 10, 45.0)
    clock.now = 1.0
    printer.scenario(4, 10, 60.0)  # rate limited
    printer.scenario(10, 10, 150.0)  # the last one always shows
    lines = stream.getvalue().splitlines()
    assert lines == ["  3/10 scenario's klaar (30%)  45,0 s  nog ca. 1 min 45 s",
                     "  10/10 scenario's klaar (100%)  150,0 s"]
    assert duration(7300) == "2 h 01 min"


def test_award_rule_and_diagnosis_come_from_the_details(emmen):
    instance, solution, evaluation = emmen
    details = {"rule": "optimal", "criterion": "price_quality", "quality_weight": 0.3}
    award = Solution(status=Status.OPTIMAL, assignment=solution.assignment,
                     winners=solution.winners, details=details)
    question = dict(build(instance, award, evaluation).question)
    assert question["Gunningsregel"] == "optimale gunning op prijs en kwaliteit"
    assert question["Gunningscriterium"].endswith("(weging kwaliteit 30,0%)")
    assert question["Aantal percelen"] == "vaste indeling (6 percelen)"
    design = dict(build(instance, solution, evaluation).question)
    assert "Gunningsregel" not in design and design["Aantal percelen"] == "6"
    failed = Solution(status=Status.INFEASIBLE, message="geen gunning mogelijk",
                      details={"rule": "optimal", "diagnosis": ["perceel 3: geen bod"]})
    assert build(instance, failed, None).diagnosis == ("geen gunning mogelijk",
                                                       "perceel 3: geen bod")
