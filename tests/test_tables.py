"""Reading the tables users hand over: Dutch and English Excel CSV, cp1252, XLSX."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from allocatie.errors import Problem
from allocatie.io.tables import parse_number, read_table


def write_bytes(path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.234,50", ",", 1234.5),
        ("1.234,5", ".", 1234.5),
        ("1234.5", ".", 1234.5),
        ("1234.5", ",", 1234.5),
        ("1,5", ",", 1.5),
        ("1,5", ".", 1.5),
        ("€ 1.234", ",", 1234.0),
        ("€1.234,00", ",", 1234.0),
        ("EUR 12,50", ",", 12.5),
        ("1,234.50", ".", 1234.5),
        ("1,234", ".", 1234.0),
        ("1,234", ",", 1.234),
        ("1.234.567", ",", 1234567.0),
        ("1 234,5", ",", 1234.5),
        ("-3", ",", -3.0),
        ("(1.000,00)", ",", -1000.0),
        ("1e3", ".", 1000.0),
    ],
)
def test_parse_number_accepts_dutch_and_english_forms(text: str, decimal: str,
                                                       expected: float) -> None:
    assert parse_number(text, decimal) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["12,3,4", "12.3.4", "abc", "1,2.3,4", "nan", "inf", "1.23,4.5"])
def test_parse_number_rejects_garbage(text: str) -> None:
    assert parse_number(text, ",") is None


def test_dutch_excel_csv_with_bom_semicolons_and_decimal_comma(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "bids.csv",
                       " Bidder ;District_ID;PRICE \r\nZorg A;WK01;1.234,50\r\n"
                       "Zorg A;WK02;€ 2.000\r\n;;\r\nZorg B;WK01;987,25\r\n", bom=True)
    table = read_table(path, ["bidder", "district_id", "price"])
    assert table.ok, table.problems
    assert table.columns == ["bidder", "district_id", "price"]
    assert table.separator == ";" and table.decimal == "," and table.encoding == "utf-8-sig"
    assert [row.number for row in table] == [2, 3, 5]  # the empty row 4 is skipped
    problems: list[Problem] = []
    prices = [table.number(row, "price", problems) for row in table]
    assert prices == [1234.5, 2000.0, 987.25]
    assert problems == []
    assert table.rows[0]["bidder"] == "Zorg A"


def test_cp1252_file_with_accented_name(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "bidders.csv",
                       "bidder;capacity;lot_fee\nZorgcoöperatie Émmen;1.850;12.500,00\n",
                       encoding="cp1252")
    table = read_table(path, ["bidder"], ["capacity", "max_lots", "lot_fee"])
    assert table.encoding == "cp1252"
    row = table.rows[0]
    assert row["bidder"] == "Zorgcoöperatie Émmen"
    problems: list[Problem] = []
    assert table.number(row, "capacity", problems, integer=True) == 1850
    assert table.number(row, "lot_fee", problems) == 12500.0
    assert table.number(row, "max_lots", problems) is None  # absent column = empty
    assert problems == []


def test_plain_comma_csv_with_decimal_point_and_quotes(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "bids.csv",
                       'bidder,district_id,price\n"Zorg, A",WK01,1234.5\nB,WK02,"1,234.50"\n')
    table = read_table(path, ["bidder", "district_id", "price"])
    assert table.separator == "," and table.decimal == "."
    problems: list[Problem] = []
    assert [table.number(r, "price", problems) for r in table] == [1234.5, 1234.5]
    assert table.rows[0]["bidder"] == "Zorg, A"


def test_tab_separated_txt(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "lots.txt", "district_id\tlot\nWK01\t1\nWK02\t2\n")
    table = read_table(path, ["district_id", "lot"])
    assert table.ok and table.separator == "\t"
    assert [(r["district_id"], r["lot"]) for r in table] == [("WK01", "1"), ("WK02", "2")]


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_first_sheet_numbers_and_text(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bids.xlsx", {
        "Blad1": [["Bidder", "district_id", "Price"], ["A", "WK01", 1234.5],
                  ["A", "WK02", 1.234], ["B", "WK01", "1.234,50"], [None, None, None],
                  ["B", "WK02", 3000]],
        "Other": [["x"], [1]],
    })
    table = read_table(path, ["bidder", "district_id", "price"])
    assert table.ok, table.problems
    assert table.name == "bids.xlsx"
    assert [r.number for r in table] == [2, 3, 4, 6]
    problems: list[Problem] = []
    # a numeric cell 1.234 stays 1.234; text "1.234,50" is read the Dutch way
    assert [table.number(r, "price", problems) for r in table] == [1234.5, 1.234, 1234.5, 3000]


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tender.xlsx", {
        "Uitleg": [["read me"]],
        "Prijzen": [["bidder", "district_id", "price"], ["A", "WK01", 100]],
    })
    table = read_table(f"{path}#Prijzen", ["bidder", "district_id", "price"])
    assert table.ok and table.name == "tender.xlsx#Prijzen"
    assert table.rows[0]["district_id"] == "WK01"
    missing = read_table(f"{path}#Bids", ["bidder"])
    assert not missing.ok
    assert "no sheet named 'Bids'" in missing.problems[0].message
    assert "Uitleg, Prijzen" in missing.problems[0].message


def test_bad_number_reports_file_row_column_and_value(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "bids.csv",
                       "bidder;district_id;price\nA;WK01;100\nA;WK02;12,3,4\nA;WK03;\n")
    table = read_table(path, ["bidder", "district_id", "price"])
    problems: list[Problem] = []
    values = [table.number(r, "price", problems, allow_empty=False, id=r["district_id"])
              for r in table]
    assert values == [100.0, None, None]
    bad, empty = problems
    assert (bad.file, bad.row, bad.id) == ("bids.csv", 3, "WK02")
    assert "price '12,3,4' is not a number" in bad.message and bad.hint
    assert (empty.row, empty.message) == (4, "empty price; expected a number")
    assert "bids.csv, row 3, id WK02" in str(bad)


def test_integer_column_rejects_fractions(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "bidders.csv", "bidder;capacity\nA;12,5\nB;12,0\n")
    table = read_table(path, ["bidder"], ["capacity"])
    problems: list[Problem] = []
    assert [table.number(r, "capacity", problems, integer=True) for r in table] == [None, 12]
    assert problems[0].row == 2 and "not a whole number" in problems[0].message


def test_missing_columns_lists_found_and_expected(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "bids.csv", "bieder;wijk;prijs\nA;WK01;1\n")
    table = read_table(path, ["bidder", "district_id", "price"], ["score"])
    assert not table.ok and table.rows == []
    (problem,) = table.problems
    assert problem.file == "bids.csv" and problem.row == 1
    assert "missing column(s) bidder, district_id, price" in problem.message
    assert "found bieder, wijk, prijs" in problem.message
    assert "expected bidder, district_id, price (optional: score)" in problem.message


def test_unreadable_inputs_become_problems(tmp_path: Path) -> None:
    missing = read_table(tmp_path / "nope.csv", ["bidder"])
    assert "file not found" in missing.problems[0].message
    (tmp_path / "bids.ods").write_bytes(b"x")
    assert "unsupported file type" in read_table(tmp_path / "bids.ods", ["bidder"]).problems[
        0].message
    write_xlsx(tmp_path / "real.xlsx", {"S": [["bidder"], ["A"]]})
    (tmp_path / "fake.csv").write_bytes((tmp_path / "real.xlsx").read_bytes())
    assert "Excel workbook" in read_table(tmp_path / "fake.csv", ["bidder"]).problems[0].message
    empty = write_bytes(tmp_path / "empty.csv", "")
    assert "the file is empty" in read_table(empty, ["bidder"]).problems[0].message


def test_too_many_values_in_a_row(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "lots.csv", "district_id,lot\nWK01,1\nWK02,2,3\n")
    table = read_table(path, ["district_id", "lot"])
    (problem,) = table.problems
    assert problem.row == 3 and "3 values but the header has 2 columns" in problem.message
    assert len(table.rows) == 2
