"""Read the tables users really hand over: CSV from Dutch or English Excel, and XLSX.

Accepted:

- CSV (``.csv``, ``.txt``) separated by ``;``, ``,``, tab or ``|`` (detected from the header
  line), in UTF-8 with or without BOM, or cp1252 (Windows Excel; detected when the bytes are
  not UTF-8). A ``;``-separated file is taken to use the decimal comma (``1.234,50``).
- XLSX (``.xlsx``, ``.xlsm``): the first sheet, or a named one with ``file.xlsx#Sheet``.

Header names are trimmed and compared case-insensitively. Row numbers are the ones Excel
shows: the header is row 1 (or the first non-empty row), the first data row is row 2.
Reading never raises on bad content: every problem (missing file, missing columns, a bad
number) becomes a :class:`~allocatie.errors.Problem` so one error can list them all.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from allocatie.errors import Problem

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
SEPARATORS = (";", ",", "\t", "|")
NUMBER_EXAMPLES = "such as 1234,50 or 1.234,50 or 1234.50"

_CURRENCY = re.compile(r"(€|eur(o)?\b|\u00a0|\u202f|\s|')", re.IGNORECASE)
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED_DOT = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DECIMAL_COMMA = re.compile(r"[+-]?(\d+(,\d*)?|,\d+)")
# what a column name looks like; a header of other text is not quoted in messages
_COLUMN_NAME = re.compile(r"[^\W\d][\w .()%€#-]{0,39}")


class Row(dict[str, str]):
    """One data row: column name (lower case) -> trimmed text, plus ``number``, the row
    number as Excel shows it (header = row 1)."""

    def __init__(self, values: dict[str, str], number: int, cells: int = 0) -> None:
        super().__init__(values)
        self.number = number
        self.cells = cells  # values on the line, as written


@dataclass
class Table:
    """A table read by :func:`read_table`.

    ``name`` is the file name used in messages (with ``#Sheet`` for a named sheet),
    ``columns`` the trimmed lower-case header names, ``rows`` the non-empty data rows and
    ``problems`` what went wrong while reading (empty = fine). ``decimal`` is the decimal
    separator expected in text numbers (``","`` for ``;``-separated CSV, else ``"."``).
    """

    path: Path
    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    decimal: str = "."
    encoding: str | None = None
    separator: str | None = None
    unterminated: bool = False  # a CSV whose last line has no line break
    swallowed: bool = False  # an unclosed quote swallowed rows: the rows are not complete

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def ok(self) -> bool:
        """True when the file was read and has all required columns."""
        return not self.problems

    def has(self, column: str) -> bool:
        """Whether the header has ``column`` (case-insensitive)."""
        return column.strip().lower() in self.columns

    def problem(self, row: Row | None, message: str, hint: str | None = None,
                id: str | None = None) -> Problem:
        """A :class:`Problem` located in this file (and row, when given)."""
        return Problem(message, file=self.name, row=row.number if row is not None else None,
                       id=id, hint=hint)

    def text(self, row: Row, column: str, problems: list[Problem] | None = None,
             required: bool = False, id: str | None = None) -> str:
        """The trimmed text in ``column`` ("" when absent). With ``required``, an empty value
        appends a Problem to ``problems``."""
        value = row.get(column.strip().lower(), "")
        if required and not value and problems is not None:
            problems.append(self.problem(row, f"empty {column}; expected a value", id=id,
                                         hint=f"fill in the {column} column"))
        return value

    def number(self, row: Row, column: str, problems: list[Problem], integer: bool = False,
               allow_empty: bool = True, id: str | None = None,
               ) -> float | int | None:
        """The number in ``column``, or None when empty (or bad).

        Accepts ``1.234,5``, ``1234.5``, ``1,5``, ``€ 1.234``, ``1,234.50``; with
        ``integer`` a whole number is returned as int. A bad or (when not ``allow_empty``)
        missing value appends a Problem naming the file, row, column and value; never raises.
        """
        text = row.get(column.strip().lower(), "")
        if not text:
            if not allow_empty:
                problems.append(self.problem(
                    row, f"empty {column}; expected a number", id=id,
                    hint=f"fill in the {column} column, {NUMBER_EXAMPLES}"))
            return None
        value = parse_number(text, self.decimal)
        if value is None:
            problems.append(self.problem(
                row, f"{column} {text!r} is not a number", id=id,
                hint=f"write a number, {NUMBER_EXAMPLES}"))
            return None
        if integer:
            if not value.is_integer():
                problems.append(self.problem(
                    row, f"{column} {text!r} is not a whole number", id=id,
                    hint=f"{column} counts, so write a whole number such as {round(value)}"))
                return None
            return int(value)
        return value


def parse_number(text: str, decimal: str = ".") -> float | None:
    """Parse a number as typed in Dutch or English Excel; None when it is not a finite number.

    Currency signs, spaces and apostrophes are ignored. With both ``.`` and ``,`` the last one
    is the decimal separator. A lone separator is the decimal one, except a single group of
    three digits after the non-decimal separator (``1.234`` with ``decimal=","``, or
    ``1,234`` with ``decimal="."``), which is a thousands separator.
    """
    s = _CURRENCY.sub("", str(text))
    if s.startswith("(") and s.endswith(")"):  # accounting notation for negatives
        s = "-" + s[1:-1]
    if not s:
        return None
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "") if _GROUPED_DOT.fullmatch(s) else ""
            s = s.replace(",", ".")
        else:
            s = s.replace(",", "") if _GROUPED_COMMA.fullmatch(s) else ""
    elif has_comma:
        if s.count(",") > 1 or (decimal == "." and _GROUPED_COMMA.fullmatch(s)):
            s = s.replace(",", "") if _GROUPED_COMMA.fullmatch(s) else ""
        elif _DECIMAL_COMMA.fullmatch(s):
            s = s.replace(",", ".")
        else:
            s = ""
    elif has_dot and (s.count(".") > 1 or (decimal == "," and _GROUPED_DOT.fullmatch(s))):
        s = s.replace(".", "") if _GROUPED_DOT.fullmatch(s) else ""
    if not _PLAIN.fullmatch(s):
        return None
    value = float(s)
    return value if math.isfinite(value) else None


def split_sheet(path: str | Path) -> tuple[Path, str | None]:
    """Split ``file.xlsx#Sheet`` into the path and the sheet name (None without ``#``)."""
    text = str(path)
    if "#" in text:
        head, _, sheet = text.rpartition("#")
        if Path(head).suffix.lower() in XLSX_SUFFIXES:
            return Path(head), sheet
    return Path(text), None


def read_table(path: str | Path, required: Sequence[str], optional: Sequence[str] = (),
               name: str | None = None) -> Table:
    """Read a CSV, TXT or XLSX table; return a :class:`Table`.

    ``required`` columns must be in the header; ``optional`` ones are only documented in the
    message about missing columns (extra columns are kept). ``name`` is the file name used in
    messages (default: the file's name, with ``#Sheet``). Never raises on bad content:
    a missing file, an unreadable file, or missing columns end up in ``table.problems`` (and
    ``table.rows`` is then empty).
    """
    file, sheet = split_sheet(path)
    name = name or file.name + (f"#{sheet}" if sheet else "")
    table = Table(path=file, name=name)
    if not file.is_file():
        table.problems.append(Problem(
            f"file not found: {file}", file=name,
            hint="check the path in instance.toml [files]; it is relative to the "
                 "instance folder"))
        return table
    suffix = file.suffix.lower()
    try:
        if suffix in XLSX_SUFFIXES:
            records = _xlsx_records(file, sheet, table)
        elif suffix in CSV_SUFFIXES:
            records = _csv_records(file, table)
        else:
            table.problems.append(Problem(
                f"unsupported file type {file.suffix!r}", file=name,
                hint="save the table from Excel as CSV UTF-8, CSV separated by ; "
                     "or .xlsx"))
            return table
    except _ReadError as exc:
        table.problems.append(Problem(str(exc), file=name, hint=exc.hint))
        return table
    _fill(table, records, [c.lower() for c in required], [c.lower() for c in optional])
    return table


# --------------------------------------------------------------------------- internals
class _ReadError(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding): UTF-8 (BOM or not), else cp1252, else latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _separator(text: str) -> str:
    """The separator used in the first non-empty line (outside quotes); "," by default."""
    for line in text.splitlines():
        if line.strip():
            unquoted = re.sub(r'"[^"]*"', "", line)
            counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
            best = max(SEPARATORS, key=lambda sep: counts[sep])  # ties: order of SEPARATORS
            return best if counts[best] else ","
    return ","


def _csv_records(file: Path, table: Table) -> Iterator[tuple[int, list[str]]]:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise _ReadError(f"cannot read the file: {exc}", "check that it exists and is "
                         "readable") from exc
    if data.startswith(b"PK\x03\x04"):
        raise _ReadError("this is an Excel workbook saved with a CSV/TXT name",
                         "rename it to .xlsx, or save it from Excel as CSV")
    text, table.encoding = decode_text(data)
    table.unterminated = bool(text.strip()) and not text.endswith(("\n", "\r"))
    table.separator = _separator(text)
    table.decimal = "," if table.separator == ";" else "."
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=table.separator)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise _ReadError(f"cannot parse as CSV: {exc}",
                         "check for an unclosed quote (\")") from exc
    return ((n, rec) for n, rec in enumerate(records, start=1))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def _xlsx_records(file: Path, sheet: str | None, table: Table) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise _ReadError(f"cannot open as an Excel workbook: {exc}",
                         "save it again from Excel as .xlsx") from exc
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise _ReadError(f"no sheet named {sheet!r}; sheets found: "
                             f"{', '.join(workbook.sheetnames)}",
                             "write the sheet name after # exactly as in Excel")
        rows = [(n, [_cell_text(v) for v in values])
                for n, values in enumerate(worksheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
    table.decimal = "."  # numeric cells are written with a decimal point by _cell_text
    return iter(rows)


def _fill(table: Table, records: Iterator[tuple[int, list[str]]], required: list[str],
          optional: list[str]) -> None:
    header: list[str] | None = None
    for number, record in records:
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if header is None:
            header = [c.lower() for c in cells]
            table.columns = [c for c in header if c]
            if not _check_header(table, header, required, optional, number):
                return
            continue
        values = {col: (cells[i] if i < len(cells) else "")
                  for i, col in enumerate(header) if col}
        _check_open_quote(table, header, cells, number)
        extra = [c for c in cells[len(header):] if c]
        if extra:
            table.problems.append(table.problem(
                Row({}, number), f"{len(cells)} values but the header has {len(header)} "
                f"columns (extra: {', '.join(repr(c) for c in extra[:3])})",
                hint=f"use one {_name_of(table.separator)} per column; quote values "
                     "that contain it"))
        table.rows.append(Row(values, number, len(cells)))
    if header is None:
        _check_header(table, [], required, optional, 1)
    elif table.unterminated and table.rows:
        _check_cut_off(table, [c for c in header if c])


def _check_open_quote(table: Table, header: list[str], cells: list[str], number: int) -> None:
    """A value that runs over several lines is a quote (") that was never closed: it
    swallows the rows after it."""
    for i, cell in enumerate(cells):
        if "\n" in cell or "\r" in cell:
            column = header[i] if i < len(header) and header[i] else f"number {i + 1}"
            lines = cell.count("\n") + 1
            table.swallowed = True
            table.problems.append(table.problem(
                Row({}, number), f"the value in column {column} opens a quote (\") that is not "
                f"closed, so it runs over {lines} lines and swallows the rows after it",
                hint='remove the quote, or close it; write a quote inside a value as ""'))
            return


def _check_cut_off(table: Table, header: list[str]) -> None:
    """A last line without a line break that has fewer values than the header, or whose last
    value is shorter than that column's value on every other row, was probably cut off
    (``...,2`` for ``...,2719``): a problem, as a shortened price would be used."""
    last, others = table.rows[-1], table.rows[:-1]
    column = header[-1]
    value = last.get(column, "")
    lengths = [len(r.get(column, "")) for r in others if r.get(column, "")]
    short_cells = bool(others) and last.cells < len(header) <= min(r.cells for r in others)
    short_value = bool(value) and bool(lengths) and (
        len(value) < min(lengths) if len(lengths) >= 2 else len(value) <= lengths[0] - 2)
    # "...,1," where every other row has a value in the last column: cut after the separator
    no_value = not value and len(others) >= 2 and len(lengths) == len(others)
    if not (short_cells or short_value or no_value):
        return
    what = (f"has {last.cells} of the {len(header)} values" if short_cells else
            f"has no {column}, which every other row has" if no_value else
            f"has a shorter {column} than every other row ({len(value)} character(s), the "
            f"others {min(lengths)} or more)")
    table.problems.append(table.problem(
        last, f"the last line ends without a line break and {what}: the file looks cut off",
        hint="save the complete file again; if this row is complete, end the file with a line "
             "break (press Enter after the last row)"))


def _name_of(separator: str | None) -> str:
    return {";": "semicolon", ",": "comma", "\t": "tab", "|": "bar"}.get(separator or "",
                                                                      "separator")


def _check_header(table: Table, header: list[str], required: list[str],
                  optional: list[str], number: int) -> bool:
    duplicates = sorted({c for c in header if c and header.count(c) > 1})
    if duplicates:
        table.problems.append(table.problem(
            Row({}, number), f"duplicate column(s) {', '.join(duplicates)}",
            hint="give every column a distinct name"))
    missing = [c for c in required if c not in header]
    if not missing:
        return not duplicates
    found = ", ".join(c for c in header if c) or "nothing (the file is empty)"
    if any(c for c in header) and len(missing) == len(required) and \
            not all(_COLUMN_NAME.fullmatch(c) for c in header if c):
        found = "no column names (the first line is not a table header)"  # never quote it
    expected = ", ".join(required) + (f" (optional: {', '.join(optional)})" if optional else "")
    hint = "add the missing column(s) to the header row"
    if len(header) == 1 and any(sep in header[0] for sep in SEPARATORS):
        hint = "the separator was not recognised; use ; or , between the columns"
    table.problems.append(table.problem(
        Row({}, number),
        f"missing column(s) {', '.join(missing)}; found {found}; expected {expected}",
        hint=hint))
    return False
