"""Read a drawn design as people bring it: ``district_id,lot[,winner]``, the tool's own
``assignment.csv``, the ``Wijken``/``Buurten``/``Districts`` sheet of its ``resultaat.xlsx``
(columns Code, Naam, ..., Perceel, Hoofdaannemer), or a table that names the districts by
name instead of by code.

:func:`design_table` returns a :class:`~allocatie.io.tables.Table` whose rows use the columns
``district_id``, ``lot`` and ``winner``, so the caller checks the rows as usual.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

from allocatie.errors import Problem
from allocatie.instance import Instance
from allocatie.io.tables import XLSX_SUFFIXES, Row, Table, read_table, split_sheet

# Accepted headers (lower case) for each column, the spec's name first.
ALIASES = {
    "district_id": ("district_id", "code", "wijkcode", "buurtcode", "district", "wijk",
                    "buurt", "gebied"),
    "lot": ("lot", "perceel"),
    "winner": ("winner", "hoofdaannemer", "main contractor", "winnaar"),
}
NAME_COLUMNS = ("name", "naam", "district_name", "wijknaam", "buurtnaam")
DESIGN_SHEETS = ("Wijken", "Buurten", "Districts", "Neighbourhoods")


def design_table(path: str | Path, instance: Instance) -> Table:
    """Read the design file at ``path`` (CSV/TXT/XLSX, optional ``#Sheet``) into a table with
    the columns ``district_id``, ``lot`` and ``winner`` (empty when absent)."""
    path = _with_design_sheet(path)
    table = read_table(path, [])
    if table.problems:
        return table
    found = {role: next((c for c in names if c in table.columns), None)
             for role, names in ALIASES.items()}
    name_column = next((c for c in NAME_COLUMNS if c in table.columns), None)
    if found["district_id"] is None and name_column is not None:
        found["district_id"] = name_column
    missing = [role for role in ("district_id", "lot") if found[role] is None]
    if missing:
        table.problems.append(Problem(
            f"missing column(s) {', '.join(missing)}; found {', '.join(table.columns) or 'none'}",
            file=table.name, row=1,
            hint="a design needs district_id,lot (optional: winner); the Wijken sheet of "
                 "resultaat.xlsx (Code, Perceel, Hoofdaannemer) is read as well"))
        table.rows = []
        return table
    by_name = _ids_by_name(instance)
    known = set(instance.district_ids)
    rows = []
    for row in table:
        d = row.get(found["district_id"], "")
        if d not in known:
            d = by_name.get(d.casefold(), d)
            if d not in known and name_column is not None:
                d = by_name.get(row.get(name_column, "").casefold(), d)
        values = {"district_id": d, "lot": row.get(found["lot"], ""),
                  "winner": row.get(found["winner"], "") if found["winner"] else ""}
        rows.append(Row(values, row.number))
    table.rows = rows
    table.columns = ["district_id", "lot"] + (["winner"] if found["winner"] else [])
    return table


def _ids_by_name(instance: Instance) -> dict[str, str]:
    """District name (case-folded) -> id, for names that belong to one district only."""
    counts: dict[str, list[str]] = {}
    for district in instance.districts:
        if district.name:
            counts.setdefault(district.name.strip().casefold(), []).append(district.id)
    return {name: ids[0] for name, ids in counts.items() if len(ids) == 1}


def _with_design_sheet(path: str | Path) -> str | Path:
    """A workbook without ``#Sheet`` is read from its districts sheet when it has one."""
    file, sheet = split_sheet(path)
    if sheet is not None or file.suffix.lower() not in XLSX_SUFFIXES or not file.is_file():
        return path
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(file, read_only=True)
        names = list(workbook.sheetnames)
        workbook.close()
    except Exception:  # noqa: BLE001 - read_table reports an unreadable workbook
        return path
    chosen = next((n for n in DESIGN_SHEETS if n in names), None)
    return f"{file}#{chosen}" if chosen else path


def with_own_lot_count(instance: Instance, assignment: dict[str, str],
                       source: str | Path) -> tuple[Instance, str]:
    """A drawn design with another number of lots than the rule is scored as it is: the
    lot-count rule becomes its own count, with a warning; returns the instance and the note
    ("" when the count is within the rule)."""
    k, rules = len(set(assignment.values())), instance.rules
    if rules.lots_min <= k <= rules.lots_max:
        return instance, ""
    wanted = str(rules.lots_min) if rules.lots_min == rules.lots_max else \
        f"{rules.lots_min} to {rules.lots_max}"
    note = (f"{Path(source).name} has {k} lots where the rules ask for {wanted}; it is scored "
            f"as a {k}-lot design (every other rule applies)")
    warnings.warn(note, stacklevel=2)
    return dataclasses.replace(instance, rules=dataclasses.replace(
        rules, lots_min=k, lots_max=k)), note
