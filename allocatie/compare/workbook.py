"""vergelijking.xlsx: the tables of the comparison report, formatted for a Dutch Excel user.

Numbers are stored as numbers with Excel's neutral number formats (``"€ "#,##0``,
``#,##0``, ``0.0%``), which a Dutch Excel shows as € 1.234.567 and 12,5%; the header row is
bold, shaded and frozen, every table has an autofilter and column widths that fit the text.
Sheets: Toelichting (how to read, the counts), Overzicht, Per indeling, Benoemde scenario's
(when there are any), Slechtste scenario's and Alle scenario's (English names with
``--lang en``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from allocatie.report.excel import EUR, FIXED_TIME, INT, PCT, freeze_and_filter, write_header

if TYPE_CHECKING:
    from allocatie.compare.report import Cell, Comparison

FORMATS = {
    "eur": EUR,
    "int": INT,
    "pct": PCT,
    "delta_eur": '+"€ "#,##0;-"€ "#,##0;"€ "0',
    "delta_int": "+#,##0;-#,##0;0",
    "num": "#,##0.0",
}


def workbook_bytes(view: Comparison, scenarios: pd.DataFrame) -> bytes:
    """The workbook of ``view`` (and every scenario row) as bytes."""
    t = view.t
    wb = Workbook()
    explain = wb.active
    explain.title = t["sheet_explain"]
    lines = [[(view.title, "text")], [(view.subtitle, "text")], [("", "text")]]
    lines += [[(p, "text")] for p in view.read]
    lines += [[("", "text")], [(view.counts, "text")]]
    lines += [[(f, "text")] for f in view.failures]
    lines += [[("", "text")]] + [[(s, "text")] for s in view.sources]
    _table(explain, [t["read_heading"]], lines, autofilter=False, wrap=True)
    _table(wb.create_sheet(t["sheet_overview"]), view.overview_header, view.overview,
           freeze="C2")
    per_design_header = [t["col_design"], *view.design_header]
    rows = [[(d.name, "text"), *row] for d in view.designs for row in d.rows]
    _table(wb.create_sheet(t["sheet_designs"]), per_design_header, rows, freeze="C2")
    if view.named:
        _table(wb.create_sheet(t["sheet_named"]), view.named_header, view.named, freeze="C2")
    worst = [[(d.name, "text"), *row] for d in view.designs for row in d.worst]
    _table(wb.create_sheet(t["sheet_worst"]), [t["col_design"], *view.worst_header], worst,
           freeze="C2")
    header, rows = _scenario_rows(scenarios, view)
    _table(wb.create_sheet(t["sheet_scenarios"]), header, rows, freeze="C2")
    wb.properties.creator = "allocatie"
    wb.properties.title = view.title
    wb.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _scenario_rows(scenarios: pd.DataFrame,
                   view: Comparison) -> tuple[list[str], list[list[Cell]]]:
    t = view.t
    header = [t["col_design"], t["col_scenario"], t["col_scenario_kind"], t["col_status"],
              t["col_cost"], t["col_transitions"], t["col_objective"], t["col_absent"],
              t["col_reason"], t["col_winners"], t["col_error"]]
    rows = []
    for _, r in scenarios.iterrows():
        named = r["scenario_kind"] == "named"
        rows.append([
            (r["design"], "text"),
            (r["scenario_name"] if named else _int(r["scenario"]), "text" if named else "int"),
            (t["named"] if named else t["random"], "text"),
            (t.get(f"status_{r['status']}", str(r["status"])), "text"),
            (_float(r["cost"]), "eur"), (_int(r["transitions"]), "int"),
            (_float(r["objective"]), "eur"), (_text(r["absent"]), "text"),
            (_text(r["reason"]), "text"), (_text(r["winners"]), "text"),
            (_text(r["error"]), "text"),
        ])
    return header, rows


def _table(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Cell]],
           autofilter: bool = True, freeze: str = "A2", wrap: bool = False) -> None:
    """Header row (bold, shaded, frozen), typed cells with number formats, autofilter and
    column widths from the displayed text."""
    widths = [len(str(h)) for h in header]
    write_header(ws, header)
    for i, row in enumerate(rows, start=2):
        for j, (value, kind) in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=value)
            if kind in FORMATS and value is not None:
                cell.number_format = FORMATS[kind]
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if j > len(widths):
                widths.append(0)
            widths[j - 1] = max(widths[j - 1], _width(value, kind))
    for j, width in enumerate(widths, start=1):
        limit = 120 if wrap else 60
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 9), limit)
    freeze_and_filter(ws, header, len(rows), freeze, autofilter)


def _width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "pct":
        return 7
    if isinstance(value, int | float) and not isinstance(value, bool):
        return len(f"{abs(value):,.0f}") + (3 if "eur" in kind else 1)
    return min(len(str(value)), 120)


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 2)


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)
