"""The municipality's client sheet: write the template, read it back (or a long table).

Two shapes are read, from XLSX or CSV as Dutch Excel writes it (``;``, BOM, decimal comma):

- the filled template ``clienten-sjabloon.xlsx`` (sheet ``Clienten``): one row per district
  (code, name, inhabitants) and one column per provider;
- a long table: one row per district and provider, with the district's code or name, the
  provider and the number of clients.

Districts are matched on their CBS code or their name (case and spaces ignored); a name
that matches nothing gets suggestions. Nothing is guessed: every unmatched name is an error.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from allocatie.errors import InstanceError, Problem
from allocatie.io.tables import XLSX_SUFFIXES, Table, read_table

TEMPLATE = "clienten-sjabloon.xlsx"
TEMPLATE_SHEET = "Clienten"
PLACEHOLDER = re.compile(r"^aanbieder \d+$", re.IGNORECASE)
NO_PROVIDER = ("zonder aanbieder", "geen aanbieder", "nieuw", "no provider", "none")
# role -> header names recognised (normalised: lower case, accents removed)
HEADERS = {
    "code": ("code", "district_id", "buurtcode", "wijkcode", "bu_code", "wk_code", "statcode",
             "gebiedscode", "id"),
    "name": ("naam", "name", "buurtnaam", "wijknaam", "buurt", "wijk", "district", "gebied",
             "gebiedsnaam", "statnaam"),
    "provider": ("aanbieder", "zorgaanbieder", "provider", "leverancier", "zittende aanbieder",
                 "incumbent"),
    "clients": ("clienten", "aantal clienten", "aantal", "clients", "count", "number",
                "aantal cliënten"),
    "inhabitants": ("inwoners", "aantal inwoners", "inhabitants", "population"),
}


@dataclass
class Clients:
    """Clients per district: ``incumbents`` district -> provider -> clients, ``without``
    district -> clients without a provider; ``columns`` says which column was taken for
    what; ``proxy`` is set when the counts are rate x inhabitants, not real."""

    incumbents: dict[str, dict[str, int]] = field(default_factory=dict)
    without: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    source: str = ""
    shape: str = ""
    proxy: float | None = None

    def total(self, district: str) -> int:
        return sum(self.incumbents.get(district, {}).values()) + self.without.get(district, 0)

    @property
    def providers(self) -> list[str]:
        return sorted({p for per in self.incumbents.values() for p in per})


def normalise(text: str) -> str:
    """Lower case, accents and punctuation runs folded, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_\-./]+", " ", text.lower()).strip()


def write_template(path: Path, districts: gpd.GeoDataFrame, level: str) -> None:
    """Write the client template: Dutch instructions on sheet 1, one row per district."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    info = book.active
    info.title = "Uitleg"
    lines = [
        "Cliënten per " + level + " en per zittende aanbieder",
        "",
        f"1. Ga naar het blad '{TEMPLATE_SHEET}'. Elke rij is een {level} van het CBS "
        "(code, naam, inwoners). Verander de codes niet.",
        "2. Vervang de kopjes 'Aanbieder 1', 'Aanbieder 2', ... door de namen van de "
        "aanbieders die nu zorg leveren. Voeg kolommen toe als er meer aanbieders zijn; "
        "lege kolommen 'Aanbieder N' worden overgeslagen.",
        "3. Vul per " + level + " het aantal cliënten per aanbieder in (hele getallen). "
        "Cliënten die nog geen aanbieder hebben komen in de kolom 'zonder aanbieder'.",
        "4. Een lege cel telt als 0. Een " + level + " zonder cliënten mag leeg blijven; "
        "allocatie noemt die in het verslag.",
        "5. Sla op als .xlsx (of als CSV gescheiden door ;) en geef het bestand mee: "
        "allocatie init MAP --geometry ... --gemeente ... --clients dit-bestand.xlsx",
        "",
        "Inwoners: CBS Kerncijfers wijken en buurten; leeg = geheim of onbekend bij CBS.",
    ]
    for row, line in enumerate(lines, start=1):
        info.cell(row=row, column=1, value=line)
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 110
    sheet = book.create_sheet(TEMPLATE_SHEET)
    header = ["code", "naam", "inwoners", "Aanbieder 1", "Aanbieder 2", "Aanbieder 3",
              "zonder aanbieder"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for code, row in districts.iterrows():
        inhabitants = row["inhabitants"]
        sheet.append([code, row["name"],
                      None if inhabitants != inhabitants else int(inhabitants)])
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 36
    sheet.freeze_panes = "D2"
    book.save(path)


def read_clients(path: Path, districts: gpd.GeoDataFrame) -> Clients:
    """Read a filled template or a long table; raise :class:`InstanceError` listing every
    unmatched district (with suggestions), bad number and missing column."""
    path = Path(path)
    table = _read(path)
    if table.problems:
        raise InstanceError(table.problems, source=str(path))
    roles = _roles(table)
    matcher = _Matcher(districts)
    if roles.get("provider") and roles.get("clients"):
        clients = _long(table, roles, matcher)
        clients.shape = "long"
    else:
        clients = _wide(table, roles, matcher)
        clients.shape = "template"
    clients.source = path.name
    return clients


def proxy_clients(districts: gpd.GeoDataFrame, rate: float) -> Clients:
    """Clients = round(rate x inhabitants), without a provider: a labelled proxy."""
    without = {d: int(round(rate * v)) for d, v in districts["inhabitants"].items() if v == v}
    if not without:
        raise InstanceError([Problem(
            "--clients-proxy needs inhabitants, and the geometry file has none (PDOK layout?)",
            hint="use the CBS Wijk- en Buurtkaart (it has aantalInwoners), or give --clients")])
    return Clients(without=without, source=f"proxy: {rate:g} x inwoners", shape="proxy",
                   proxy=rate)


def _read(path: Path) -> Table:
    if path.suffix.lower() in XLSX_SUFFIXES and path.is_file():
        from openpyxl import load_workbook

        sheets = load_workbook(path, read_only=True).sheetnames
        if TEMPLATE_SHEET in sheets:
            return read_table(f"{path}#{TEMPLATE_SHEET}", [], name=path.name)
    return read_table(path, [], name=path.name)


def _roles(table: Table) -> dict[str, str]:
    """role -> column, the first recognised header per role."""
    roles: dict[str, str] = {}
    for column in table.columns:
        key = normalise(column)
        for role, names in HEADERS.items():
            if role not in roles and key in {normalise(n) for n in names}:
                roles[role] = column
                break
    if "code" not in roles and "name" not in roles:
        raise InstanceError([Problem(
            f"no district column; found {', '.join(table.columns)}", file=table.name,
            hint="name the column code (CBS code such as BU01140301) or naam (the name)")])
    return roles


class _Matcher:
    def __init__(self, districts: gpd.GeoDataFrame) -> None:
        self.codes = {str(d).upper(): str(d) for d in districts.index}
        self.names: dict[str, list[str]] = defaultdict(list)
        self.display = {str(d): str(n) for d, n in districts["name"].items()}
        for d, name in self.display.items():
            self.names[normalise(name)].append(d)
            short = re.sub(r"^(wijk|buurt) \d+ ", "", normalise(name))  # "Wijk 01 Emmen"
            if short != normalise(name):
                self.names.setdefault(short, []).append(d)

    def find(self, code: str, name: str) -> tuple[str | None, str | None]:
        """(district, None) or (None, a Dutch message with suggestions)."""
        if code:
            found = self.codes.get(code.strip().upper())
            if found:
                return found, None
            if not name:
                return None, _code_not_found(code)
        if not code and name.strip().upper() in self.codes:  # one column, codes and names
            return self.codes[name.strip().upper()], None
        if not code and _CODE.match(name.strip()):
            return None, _code_not_found(name)
        key = normalise(name)
        hits = self.names.get(key, [])
        if len(hits) == 1:
            return hits[0], None
        if len(hits) > 1:
            listed = ", ".join(f"{self.display[d]!r} ({d})" for d in hits)
            return None, f"'{name}' is niet eenduidig: {listed}; gebruik de code"
        close = difflib.get_close_matches(key, list(self.names), n=3, cutoff=0.6)
        contains = [k for k in self.names if key and (key in k or k in key) and k not in close]
        options = [d for k in close + contains[:2] for d in self.names[k]]
        return None, _not_found(name, list(dict.fromkeys(options)), self.display)


_CODE = re.compile(r"^(BU|WK)\d{6,8}$", re.IGNORECASE)


def _code_not_found(code: str) -> str:
    gemeente = f"GM{code.strip()[2:6]}" if _CODE.match(code.strip()) else None
    other = (f"; hoort hij bij gemeente {gemeente}, geef die dan ook mee (--gemeente "
             f"{gemeente})" if gemeente else "")
    return f"code '{code}' niet gevonden in de gekozen gemeente(n){other}"


def _not_found(text: str, options: list[str], display: dict[str, str]) -> str:
    if not options:
        return f"'{text}' niet gevonden; geen district met een naam die erop lijkt"
    listed = " of ".join(f"'{display[d]}' ({d})" for d in options[:3])
    return f"'{text}' niet gevonden; bedoelt u {listed}?"


def _district_of(table: Table, row, roles: dict[str, str], matcher: _Matcher,
                 problems: list[Problem]) -> str | None:
    code = table.text(row, roles["code"]) if "code" in roles else ""
    name = table.text(row, roles["name"]) if "name" in roles else ""
    if not code and not name:
        return None
    district, message = matcher.find(code, name)
    if message:
        problems.append(table.problem(row, message, id=code or name,
                                      hint="schrijf de naam of code zoals in de CBS-kaart"))
    return district


def _grouped(problems: list[Problem]) -> list[Problem]:
    """One problem per unmatched name, with all its rows (rows of other problems kept)."""
    out: list[Problem] = []
    seen: dict[str, Problem] = {}
    rows: dict[str, list[int]] = defaultdict(list)
    for p in problems:
        if "niet gevonden" not in p.message and "niet eenduidig" not in p.message:
            out.append(p)
            continue
        if p.message not in seen:
            seen[p.message] = p
            out.append(p)
        if p.row is not None:
            rows[p.message].append(p.row)
    for message, first in seen.items():
        if len(rows[message]) > 1:
            listed = ", ".join(map(str, rows[message][:10]))
            out[out.index(first)] = Problem(f"{message} (rows {listed})", file=first.file,
                                            id=first.id, hint=first.hint)
    return out


def _count(table: Table, row, column: str, problems: list[Problem], d: str) -> int:
    value = table.number(row, column, problems, integer=True, id=d)
    if value is not None and value < 0:
        problems.append(table.problem(row, f"{column} {value} is negative", id=d,
                                      hint="write the number of clients, 0 or more"))
        return 0
    return int(value or 0)


def _long(table: Table, roles: dict[str, str], matcher: _Matcher) -> Clients:
    problems: list[Problem] = []
    clients = Clients(columns={role: roles[role] for role in ("code", "name", "provider",
                                                              "clients") if role in roles})
    incumbents: dict[str, dict[str, int]] = defaultdict(dict)
    for row in table:
        d = _district_of(table, row, roles, matcher, problems)
        provider = table.text(row, roles["provider"], problems, required=True, id=d)
        count = _count(table, row, roles["clients"], problems, d or "")
        if d is None or not provider:
            continue
        if normalise(provider) in NO_PROVIDER:
            clients.without[d] = clients.without.get(d, 0) + count
        else:
            incumbents[d][provider] = incumbents[d].get(provider, 0) + count
    if problems:
        raise InstanceError(_grouped(problems), source=table.name)
    clients.incumbents = {d: dict(p) for d, p in incumbents.items()}
    return clients


def _wide(table: Table, roles: dict[str, str], matcher: _Matcher) -> Clients:
    used = {roles[r] for r in ("code", "name", "inhabitants") if r in roles}
    providers = [c for c in table.columns if c not in used]
    filled = [c for c in providers if any(table.text(row, c) for row in table)]
    providers = [c for c in providers if c in filled or not PLACEHOLDER.match(c)]
    if not providers:
        raise InstanceError([Problem(
            "no provider columns with clients", file=table.name,
            hint="fill in the clients per provider (one column per provider), or give a long "
                 "table with columns code (or naam), aanbieder and clienten")])
    placeholders = [c for c in providers if PLACEHOLDER.match(c)]
    problems: list[Problem] = []
    if placeholders:
        problems.append(Problem(f"column(s) {', '.join(placeholders)} still have the "
                                "template's name", file=table.name,
                                hint="replace 'Aanbieder N' by the provider's name"))
    spelled = _header_as_written(table)
    clients = Clients(columns={**{role: roles[role] for role in ("code", "name") if role in
                                  roles}, "providers": ", ".join(spelled.get(c, c)
                                                                 for c in providers)})
    for row in table:
        d = _district_of(table, row, roles, matcher, problems)
        if d is None:
            continue
        for column in providers:
            count = _count(table, row, column, problems, d)
            if not count:
                continue
            if normalise(column) in NO_PROVIDER:
                clients.without[d] = clients.without.get(d, 0) + count
            else:
                clients.incumbents.setdefault(d, {})[spelled.get(column, column)] = count
    if problems:
        raise InstanceError(_grouped(problems), source=table.name)
    return clients


def _header_as_written(table: Table) -> dict[str, str]:
    """lower-case column -> the header as the file writes it (provider names keep their
    capitals); {} when the file cannot be read again."""
    try:
        if table.path.suffix.lower() in XLSX_SUFFIXES:
            from openpyxl import load_workbook

            book = load_workbook(table.path, read_only=True)
            sheet = book[TEMPLATE_SHEET] if TEMPLATE_SHEET in book.sheetnames else book.active
            rows = sheet.iter_rows(values_only=True)
            header = next(r for r in rows if any(c is not None for c in r))
            cells = ["" if c is None else str(c).strip() for c in header]
        else:
            data = table.path.read_bytes()
            text = data.decode(table.encoding or "utf-8-sig", errors="replace")
            line = next(row for row in csv.reader(io.StringIO(text.lstrip("\ufeff")),
                                                  delimiter=table.separator or ",")
                        if any(c.strip() for c in row))
            cells = [c.strip() for c in line]
    except (OSError, StopIteration, KeyError, ValueError):
        return {}
    return {c.lower(): c for c in cells if c}
