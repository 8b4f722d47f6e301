"""``allocatie check`` catches a tampering of every file of a results folder, names the rule
and the file, and never crashes on a damaged file.

One real award run on instances/emmen-wijken (the fixed six lots) gives the folder; every test
tampers with a copy."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from allocatie.cli import main
from allocatie.io.loading import load_instance
from allocatie.verify import check_results_folder

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instances" / "emmen-wijken"


@pytest.fixture(scope="module")
def award_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("award") / "out"
    assert main(["award", str(INSTANCE), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def instance():
    return load_instance(INSTANCE)


@pytest.fixture
def folder(award_folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(award_folder, copy)
    return copy


# --------------------------------------------------------------------------- helpers
def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, data: list[dict[str, str]], dutch_excel: bool = False) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(data[0]), delimiter=";" if dutch_excel
                            else ",", lineterminator="\r\n" if dutch_excel else "\n")
    writer.writeheader()
    writer.writerows(data)
    path.write_bytes(("\ufeff" if dutch_excel else "").encode() + buffer.getvalue().encode())


def edit_summary(folder: Path, change: Callable[[dict], None]) -> None:
    path = folder / "summary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def other_winner(folder: Path, lot: str) -> str:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    current = next(e["winner"] for e in summary["lots"] if e["lot"] == lot)
    return next(e["winner"] for e in summary["lots"] if e["winner"] != current)


def relabel_one_district(folder: Path) -> None:
    data = rows(folder / "assignment.csv")
    data[0]["winner"] = other_winner(folder, data[0]["lot"])
    write_rows(folder / "assignment.csv", data)


def rewin_whole_lot(folder: Path) -> None:
    data = rows(folder / "assignment.csv")
    lot = data[0]["lot"]
    winner = other_winner(folder, lot)
    write_rows(folder / "assignment.csv",
               [{**r, "winner": winner} if r["lot"] == lot else r for r in data])


def duplicate_row(folder: Path) -> None:
    data = rows(folder / "assignment.csv")
    write_rows(folder / "assignment.csv", data + [data[3]])


def drop_row(folder: Path) -> None:
    write_rows(folder / "assignment.csv", rows(folder / "assignment.csv")[1:])


def unknown_district(folder: Path) -> None:
    data = rows(folder / "assignment.csv")
    write_rows(folder / "assignment.csv", data + [{**data[0], "district_id": "WK999999"}])


def move_district(folder: Path) -> None:
    data = rows(folder / "assignment.csv")
    target = next(r for r in data if r["lot"] != data[0]["lot"])
    data[0] = {**data[0], "lot": target["lot"], "winner": target["winner"]}
    write_rows(folder / "assignment.csv", data)


def excel_relabel(folder: Path) -> None:
    data = rows(folder / "assignment.csv")
    data[0]["winner"] = other_winner(folder, data[0]["lot"])
    write_rows(folder / "assignment.csv", data, dutch_excel=True)


def lot_entry(change: Callable[[dict], None]) -> Callable[[Path], None]:
    return lambda folder: edit_summary(folder, lambda s: change(s["lots"][0]))


def entry_other_districts(entry: dict) -> None:
    entry["districts"] = entry["districts"][1:]


def drop_lot_entry(folder: Path) -> None:
    edit_summary(folder, lambda s: s["lots"].pop())


def proven_optimal(summary: dict) -> None:
    summary.update(status="optimal", bound=1, gap=0)


def edit_transitions(folder: Path) -> None:
    data = rows(folder / "transitions.csv")
    data[0]["clients"] = str(int(data[0]["clients"]) + 1)
    write_rows(folder / "transitions.csv", data)


def flip_switch(folder: Path) -> None:
    data = rows(folder / "transitions.csv")
    data[0]["switch"] = "no" if data[0]["switch"] == "yes" else "yes"
    write_rows(folder / "transitions.csv", data)


def edit_transitions_per_lot(folder: Path) -> None:
    data = rows(folder / "transitions_per_lot.csv")
    data[-1]["clients"] = str(int(data[-1]["clients"]) + 5)
    write_rows(folder / "transitions_per_lot.csv", data)


def delete(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def geojson_other_winner(folder: Path) -> None:
    path = folder / "lots.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][0]["properties"]["winner"] = "Iemand Anders"
    path.write_text(json.dumps(data), encoding="utf-8")


def truncate(name: str) -> Callable[[Path], None]:
    def cut(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[: len(data) // 2])
    return cut


def edit_report(folder: Path) -> None:
    path = folder / "rapport.html"
    path.write_text(path.read_text(encoding="utf-8").replace("Perceel 1", "Perceel 7", 1),
                    encoding="utf-8")


def workbook_other_lot(folder: Path) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(folder / "resultaat.xlsx")
    sheet = workbook["Wijken"]
    column = [c.value for c in sheet[1]].index("Perceel") + 1
    value = sheet.cell(row=2, column=column).value
    sheet.cell(row=2, column=column).value = 1 if str(value) != "1" else 2
    workbook.save(folder / "resultaat.xlsx")


def summary_edit(change: Callable[[dict], None]) -> Callable[[Path], None]:
    return lambda folder: edit_summary(folder, change)


TAMPERS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    # name: (tamper, rule named, file named)
    "one district relabelled to another winner": (relabel_one_district, "one_winner_per_lot",
                                                  "assignment.csv"),
    "a whole lot given to another winner": (rewin_whole_lot, "summary_lots", "summary.json"),
    "a duplicate district row": (duplicate_row, "duplicate_district", "assignment.csv"),
    "a district row deleted": (drop_row, "every_district_in_a_lot", ""),
    "an unknown district row": (unknown_district, "known_districts", "assignment.csv"),
    "a district moved to another lot": (move_district, "summary_lots", "summary.json"),
    "Dutch Excel re-save with a relabelled district": (excel_relabel, "one_winner_per_lot",
                                                       "assignment.csv"),
    "assignment.csv deleted": (delete("assignment.csv"), "file_missing", "assignment.csv"),
    "assignment.csv truncated": (truncate("assignment.csv"), "every_district_in_a_lot", ""),
    "summary lot entry with another winner": (
        lot_entry(lambda e: e.update(winner="Thuishulp E")), "summary_lots", "summary.json"),
    "summary lot entry with other clients": (
        lot_entry(lambda e: e.update(clients=e["clients"] + 1)), "summary_lots",
        "summary.json"),
    "summary lot entry with other districts": (lot_entry(entry_other_districts),
                                               "summary_lots", "summary.json"),
    "summary lot entry with another cost": (
        lot_entry(lambda e: e.update(cost=e["cost"] - 1000)), "summary_lots", "summary.json"),
    "summary lot entry removed": (drop_lot_entry, "summary_lots", "summary.json"),
    "summary lots not a list": (summary_edit(lambda s: s.update(lots="zes")), "summary_lots",
                                "summary.json"),
    "bound=1, gap=0 under status optimal": (summary_edit(proven_optimal), "bound",
                                            "summary.json"),
    "status optimal with the real bound": (summary_edit(lambda s: s.update(status="optimal")),
                                           "bound", "summary.json"),
    "gap changed": (summary_edit(lambda s: s.update(gap=0.001)), "gap", "summary.json"),
    "bound above the objective": (summary_edit(lambda s: s.update(bound=s["objective"] * 2)),
                                  "bound", "summary.json"),
    "objective lowered": (summary_edit(lambda s: s.update(objective=s["objective"] - 5000)),
                          "objective", "summary.json"),
    'objective "veel"': (summary_edit(lambda s: s.update(objective="veel")), "summary_field",
                         "summary.json"),
    "cost changed": (summary_edit(lambda s: s.update(cost=s["cost"] + 100)), "cost",
                     "summary.json"),
    "transitions changed": (summary_edit(lambda s: s.update(transitions=0)), "transitions",
                            "summary.json"),
    "status unknown": (summary_edit(lambda s: s.update(status="prima")), "status",
                       "summary.json"),
    "status infeasible on a feasible design": (
        summary_edit(lambda s: s.update(status="infeasible")), "status", "summary.json"),
    "checker verdict flipped": (summary_edit(lambda s: s.update(feasible_by_checker=False)),
                                "summary_verdict", "summary.json"),
    "a violation invented": (summary_edit(lambda s: s.update(violations=["lot 1 te groot"])),
                             "summary_verdict", "summary.json"),
    "another instance": (summary_edit(lambda s: s.update(instance="Zwolle")), "instance",
                         "summary.json"),
    "summary.json truncated": (truncate("summary.json"), "file_unreadable", "summary.json"),
    "summary.json deleted": (delete("summary.json"), "file_missing", "summary.json"),
    "transitions.csv edited": (edit_transitions, "transitions", "transitions.csv"),
    "transitions.csv switch flipped": (flip_switch, "switch", "transitions.csv"),
    "transitions.csv deleted": (delete("transitions.csv"), "file_missing", "transitions.csv"),
    "transitions_per_lot.csv edited": (edit_transitions_per_lot, "transitions_per_lot",
                                       "transitions_per_lot.csv"),
    "transitions_per_lot.csv deleted": (delete("transitions_per_lot.csv"), "file_missing",
                                        "transitions_per_lot.csv"),
    "lots.geojson deleted": (delete("lots.geojson"), "file_missing", "lots.geojson"),
    "lots.geojson truncated": (truncate("lots.geojson"), "file_unreadable", "lots.geojson"),
    "lots.geojson with another winner": (geojson_other_winner, "lots_geojson", "lots.geojson"),
    "log.txt deleted (listed in the manifest)": (delete("log.txt"), "file_missing", "log.txt"),
    "rapport.html deleted (listed in the manifest)": (delete("rapport.html"), "file_missing",
                                                      "rapport.html"),
    "manifest damaged": (truncate(".allocatie-manifest"), "file_unreadable",
                         ".allocatie-manifest"),
    "rapport.html edited": (edit_report, "file_changed", "rapport.html"),
    "kaart.png truncated": (lambda f: (f / "kaart.png").write_bytes(b"\x89PNG"),
                            "file_changed", "kaart.png"),
    "log.txt edited": (lambda f: (f / "log.txt").write_text("alles goed\n", encoding="utf-8"),
                       "file_changed", "log.txt"),
    "resultaat.xlsx Wijken sheet with another lot": (workbook_other_lot, "workbook",
                                                     "resultaat.xlsx"),
    "resultaat.xlsx not a workbook": (truncate("resultaat.xlsx"), "file_unreadable",
                                      "resultaat.xlsx"),
}


def test_the_untouched_folder_passes(award_folder: Path, capsys) -> None:
    assert main(["check", str(INSTANCE), str(award_folder)]) == 0
    assert "FAIL" not in capsys.readouterr().out


@pytest.mark.parametrize("name", list(TAMPERS))
def test_every_tampering_is_caught_and_named(name: str, folder: Path, instance,
                                             capsys) -> None:
    tamper, rule, file = TAMPERS[name]
    tamper(folder)
    report = check_results_folder(instance, folder)
    assert not report.ok
    assert rule in report.rules(), report.lines
    if file:
        assert any(v.file == file and v.rule == rule for v in report.violations), report.lines
    assert main(["check", str(INSTANCE), str(folder)]) != 0
    out = capsys.readouterr().out
    assert f"FAIL [{rule}]" in out and "Traceback" not in out


def test_a_dutch_excel_resave_of_assignment_is_read(folder: Path, instance) -> None:
    write_rows(folder / "assignment.csv", rows(folder / "assignment.csv"), dutch_excel=True)
    assert (folder / "assignment.csv").read_bytes().startswith(b"\xef\xbb\xbfdistrict_id;lot")
    report = check_results_folder(instance, folder)
    assert report.ok, report.lines


def test_violations_are_records_with_a_rule_and_lots(folder: Path, instance) -> None:
    move_district(folder)
    report = check_results_folder(instance, folder)
    lots = [v for v in report.violations if v.rule == "summary_lots"]
    assert lots and all(v.lots for v in lots)
    first = report.violations[0]
    with pytest.raises(AttributeError):
        first.rule = "anders"  # type: ignore[misc]
    assert str(first).startswith(f"{first.file}: ") if first.file else str(first)


def test_invalid_recorded_rules_are_named(folder: Path, capsys) -> None:
    edit_summary(folder, lambda s: s["rules"].update(lots_min="vijf"))
    assert main(["check", str(INSTANCE), str(folder)]) == 3
    assert "FAIL [summary_field] summary.json: rules.lots_min is 'vijf'" in capsys.readouterr().out


def test_random_damage_to_any_file_never_crashes_check(folder: Path, instance) -> None:
    import random

    rng = random.Random(12)
    names = sorted(p.name for p in folder.iterdir())
    for name in names:
        original = (folder / name).read_bytes()
        for damage in (b"", original[: rng.randrange(len(original) + 1)],
                       bytes(rng.randrange(256) for _ in range(64)),
                       original.replace(b'"', b"")):
            (folder / name).write_bytes(damage)
            report = check_results_folder(instance, folder)  # must not raise
            assert damage == original or not report.ok, (name, damage[:40])
        (folder / name).write_bytes(original)
