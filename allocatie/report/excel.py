"""The workbook (resultaat.xlsx): the report's tables as sheets, formatted the way a Dutch
Excel user expects (euro and thousands formats, frozen header row, autofilter, widths).

Number formats are stored in Excel's neutral notation (``"€ "#,##0``); Excel shows them with
the reader's own separators, so a Dutch Excel displays € 1.234.567. The file is byte-for-byte
deterministic: fixed document dates and fixed zip entry times.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from allocatie.report.data import Figure, ReportData, figure_rows
from allocatie.report.sentences import (
    message_text,
    minimises_objective,
    objective_label,
    solver_text,
)

EUR = '"€ "#,##0'
INT = "#,##0"
PCT = "0.0%"
SECONDS = "#,##0.0"
FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")
HEADER_BORDER = Border(bottom=Side(style="medium", color="7F7F7F"))
STAY_FILL = PatternFill("solid", fgColor="C6D9EC")
MOVE_FILL = PatternFill("solid", fgColor="F6D5BE")

Cell = tuple[object, str | None]  # value, number format


def write(path: Path, data: ReportData) -> None:
    """Write the workbook to ``path``."""
    path.write_bytes(workbook_bytes(data))


def workbook_bytes(data: ReportData) -> bytes:
    """The workbook as deterministic bytes."""
    t = data.t
    wb = Workbook()
    summary = wb.active
    summary.title = t["summary_sheet"]
    _summary(summary, data)
    lots_ws = wb.create_sheet(t["lots_sheet"])
    _table(lots_ws, *_lots(data))
    _paint(lots_ws, data, column=2)
    bidders_ws = wb.create_sheet(t["bidders_sheet"])
    _table(bidders_ws, *_bidders(data))
    _paint(bidders_ws, data, column=1)
    districts_sheet = t["districts_sheet"] if data.lang == "en" else data.districts_word
    districts_ws = wb.create_sheet(districts_sheet)
    _table(districts_ws, *_districts(data))
    _paint(districts_ws, data, column=5)
    _paint(districts_ws, data, column=7)
    _matrix(wb.create_sheet(t["transitions_sheet"]), data)
    _table(wb.create_sheet(t["audit_sheet"]), [t["col_line"], t["col_entry"]],
           [[(i, INT), (line, None)] for i, line in enumerate(data.solution.log, start=1)],
           wrap={1})
    wb.properties.creator = "allocatie"
    wb.properties.title = f"{data.title} – {data.instance.name}"
    wb.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return _normalised_zip(buffer.getvalue())


def _normalised_zip(raw: bytes) -> bytes:
    """Rewrite the xlsx zip with fixed entry times and a fixed ``modified`` date."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


# --------------------------------------------------------------------------- sheets
def _summary(ws: Worksheet, data: ReportData) -> None:
    t, ev, solution = data.t, data.evaluation, data.solution
    rows: list[list[Cell]] = [[(t["a_status"], None), (data.status_text, None)]]
    if data.has_solution and ev is not None:
        share = ev.transitions / data.served_total if data.served_total else None
        rows += [
            [(t["a_lots"], None), (len(data.lots), INT)],
            [(t["a_winners"], None), (len(data.winners), INT)],
            [(t["a_cost"], None), (round(ev.cost, 2), EUR)],
            [(t["a_switchers"], None), (ev.transitions, INT)],
            [(t["q_served"], None), (data.served_total, INT)],
            [(t["col_switch_share"], None), (share, PCT)],
            [(t["a_transition_cost"], None), (round(ev.transition_cost, 2), EUR)],
        ]
        if ev.client_penalty:
            rows.append([(t["a_penalty"], None), (round(ev.client_penalty, 2), EUR)])
        if ev.compactness_cost:
            rows.append([(t["a_compactness"], None), (round(ev.compactness_cost, 2), EUR)])
        label = objective_label(t, ev, minimises_objective(solution))
        rows.append([(label, None), (round(ev.objective, 2), EUR)])
    for label, value in figure_rows(data):
        if isinstance(value, str):
            rows.append([(label, None), (value, None)])
        else:
            rows.append([(label, None), (value, "0.00%") if label == t["a_gap"]
                         else (round(value, 2), EUR)])
    if solution.solver:
        rows.append([(t["a_solver"], None), (solver_text(solution, t), None)])
        rows.append([(t["unit_time"], None), (round(solution.time_s, 1), SECONDS)])
    note = message_text(solution, data.lang) if data.has_solution else None
    if note:
        rows.append([(t["a_message"], None), (note, None)])
    verdict = {None: "–", True: t["check_short_ok"], False: t["check_short_bad"]}
    rows.append([(t["sec_check"], None), (verdict[data.check_ok], None)])
    if ev is not None:
        rows += [[("", None), (v, None)] for v in ev.messages]
    rows.append([("", None), ("", None)])
    rows.append([(t["sec_question"], "bold"), ("", None)])
    rows += [[(label, None), _question_cell(value)] for label, value in data.question]
    _table(ws, [t["col_item"], t["col_value"]], rows, autofilter=False, wrap={1})


def _question_cell(value: str) -> Cell:
    """A figure of "De vraag" as a number (with its format), other answers as text."""
    if isinstance(value, Figure):
        return (value.value, EUR if value.money else INT)
    return (value, None)


def _lots(data: ReportData) -> tuple[list[str], list[list[Cell]]]:
    t = data.t
    header = [t["col_lot"], t["col_winner"],
              t["col_n_districts"].format(districts=data.districts_word.lower()),
              data.districts_word,
              t["col_clients"], t["col_cost"], t["col_cost_per_client"], t["col_switchers"],
              t["col_switch_share"]]
    rows = [[(_id(r.lot), None), (r.winner or "", None), (len(r.districts), INT),
             (", ".join(r.names), None), (r.clients, INT), (round(r.cost, 2), EUR),
             (round(r.cost_per_client, 2) if r.cost_per_client else None, EUR),
             (r.transitions, INT), (r.switch_share, PCT)]
            for r in data.lots]
    if any(r.combination for r in data.lots):  # the combination a lot's cost is a share of
        header.append(t["col_combination"])
        for row, r in zip(rows, data.lots, strict=True):
            row.append((t["lot_combination"].format(name=r.combination, lots=" + ".join(
                r.combination_lots)) if r.combination else "", None))
    return header, rows


def _bidders(data: ReportData) -> tuple[list[str], list[list[Cell]]]:
    t = data.t
    header = [t["col_bidder"], t["col_lots_won"], t["col_n_lots"], t["col_clients"],
              t["col_capacity"], t["col_capacity_use"], t["col_max_lots"], t["col_cost"],
              t["col_clients_today"]]
    rows = [[(b.bidder, None), (", ".join(b.lots), None), (len(b.lots), INT),
             (b.clients, INT), (b.capacity, INT), (b.capacity_use, PCT), (b.max_lots, INT),
             (round(b.cost, 2), EUR), (b.clients_today, INT)]
            for b in data.bidders]
    return header, rows


def _districts(data: ReportData) -> tuple[list[str], list[list[Cell]]]:
    t = data.t
    header = [t["col_district_id"], t["col_district_name"], t["col_clients"],
              t["col_current"], t["col_main_current"], t["col_lot"], t["col_winner"],
              t["col_price"], t["col_cost"], t["col_switchers"]]
    rows = []
    for r in data.districts:
        current = ", ".join(f"{p} ({data.integer(n)})" for p, n in r.incumbents)
        rows.append([(r.id, None), (r.name, None), (r.clients, INT), (current, None),
                     (r.main_provider or "", None), (_id(r.lot) if r.lot else "", None),
                     (r.winner or "", None), (r.price, EUR),
                     (round(r.cost, 2) if r.cost is not None else None, EUR),
                     (r.switchers if r.lot is not None else None, INT)])
    return header, rows


def _matrix(ws: Worksheet, data: ReportData) -> None:
    t, m = data.t, data.matrix
    header = [f"{t['col_from']} \\ {t['col_to']}", *m.columns, t["total"]]
    rows: list[list[Cell]] = []
    for r in m.rows:
        rows.append([(r, None), *[(m.counts.get((r, c)) or None, INT) for c in m.columns],
                     (m.row_total(r), INT)])
    if m.rows:
        rows.append([(t["total"], "bold"), *[(m.column_total(c), INT) for c in m.columns],
                     (m.stayers + m.movers, INT)])
    _table(ws, header, rows, autofilter=False, freeze="B2")
    for i, r in enumerate(m.rows, start=2):
        for j, c in enumerate(m.columns, start=2):
            if m.counts.get((r, c)):
                ws.cell(row=i, column=j).fill = STAY_FILL if r == c else MOVE_FILL


# --------------------------------------------------------------------------- helpers
def _paint(ws: Worksheet, data: ReportData, column: int) -> None:
    """Fill the organisation names in ``column`` with the organisation's colour, the same as
    on the maps (white text on dark colours)."""
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row=row, column=column)
        if not cell.value or str(cell.value) not in data.org_colours:
            continue
        colour = data.org_colour(str(cell.value)).lstrip("#").upper()
        cell.fill = PatternFill("solid", fgColor=colour)
        red, green, blue = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
        if 0.299 * red + 0.587 * green + 0.114 * blue < 140:
            cell.font = Font(color="FFFFFF")


def _table(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Cell]],
           autofilter: bool = True, freeze: str = "A2", wrap: set[int] | None = None) -> None:
    """Header row (bold, shaded, frozen), typed cells with number formats, autofilter and
    column widths from the displayed text."""
    widths = [len(str(h)) for h in header]
    write_header(ws, header)
    for i, row in enumerate(rows, start=2):
        for j, (value, fmt) in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=_plain(value))
            if fmt == "bold":
                cell.font = HEADER_FONT
            elif fmt:
                cell.number_format = fmt
            if wrap and j - 1 in wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[j - 1] = max(widths[j - 1], _display_width(value, fmt))
    for j, width in enumerate(widths, start=1):
        limit = 90 if wrap and j - 1 in wrap else 60
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 9), limit)
    freeze_and_filter(ws, header, len(rows), freeze, autofilter)



def write_header(ws: Worksheet, header: Sequence[str]) -> None:
    """The header row of a sheet: bold, shaded, a line below, wrapped at the top."""
    for j, title in enumerate(header, start=1):
        cell = ws.cell(row=1, column=j, value=title)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def freeze_and_filter(ws: Worksheet, header: Sequence[str], n_rows: int, freeze: str,
                      autofilter: bool) -> None:
    """Freeze the panes at ``freeze`` and put an autofilter over the header and rows."""
    ws.freeze_panes = freeze
    if autofilter and header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(n_rows + 1, 1)}"


def _plain(value: object) -> object:
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def _display_width(value: object, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, int | float) and not isinstance(value, bool):
        if fmt == PCT:
            return 7
        digits = len(f"{abs(value):,.0f}")
        return digits + (2 if fmt == EUR else 0) + 1
    return min(len(str(value)), 90)


def _id(value: str) -> object:
    """Lot ids made of digits become numbers, so Excel sorts them and does not warn."""
    return int(value) if value.isdigit() and len(value) < 10 else value
