"""The tables of an instance folder read into the fields of an
:class:`~allocatie.instance.Instance`: incumbents, bidders, bids, lot and combination bids,
current lots, and the expected bids of a folder without bids yet."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from allocatie.instance import (
    Bidder,
    CombinationBid,
    District,
    LotBid,
)
from allocatie.io.instance_toml import (
    LoadState,
    file_missing,
    file_outside,
    typed,
)
from allocatie.io.tables import Row, Table, read_table


def expected_bids(districts: Sequence[District], settings: dict[str, Any],
                   tariff: float | None, state: LoadState) -> dict[tuple[str, str], float]:
    """Every current provider bids on every district at its expected tariff per client."""
    if tariff is None:
        tariff = typed(settings, "bids", "expected_tariff", state)
    per_provider: dict[str, float] = {}
    source = typed(settings, "bids", "expected_tariffs", state)
    if source:
        table = read_table(state.folder / source, ["provider", "tariff"], name=source)
        state.problems.extend(table.problems)
        for row in table:
            provider = table.text(row, "provider", state.problems, required=True)
            value = table.number(row, "tariff", state.problems, allow_empty=False,
                                 id=provider or None)
            if provider and value is not None:
                per_provider[provider] = float(value)
    providers = sorted({p for d in districts for p in d.incumbents})
    if not providers:
        state.toml("no bids and no current providers to take as expected bidders",
                   hint="add incumbents (district_id,provider,clients) or bids")
        return {}
    missing = [p for p in providers if p not in per_provider]
    if missing and tariff is None:
        state.toml(f"no bids yet and no expected tariff for {', '.join(missing)}",
                   hint="add [bids] expected_tariff = 2500 (EUR per client per year) to "
                        "instance.toml, or pass --tariff EUR")
        return {}
    if tariff is not None and not tariff > 0:
        state.toml(f"expected tariff {tariff!r}; expected EUR per client > 0",
                   hint="write [bids] expected_tariff = 2500")
        return {}
    return {(p, d.id): per_provider.get(p, tariff) for p in providers for d in districts}


# --------------------------------------------------------------------------- tables
def _table(files: dict[str, Any], role: str, state: LoadState, required: Sequence[str],
           optional: Sequence[str] = ()) -> Table | None:
    """Read the table of ``role`` when [files] names it; its read problems go to ``state``."""
    value = files.get(role)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        state.toml(f"[files] {role} = {value!r}; expected a file name", hint=f'write {role} = '
                   f'"{role}.csv"')
        state.unread.add(role)
        return None
    state.files[role] = value
    if file_outside(state, role, value) or file_missing(state, role, value):
        state.unread.add(role)
        return None
    table = read_table(state.folder / value, required, optional, name=value)
    state.problems.extend(table.problems)
    if (table.ok or table.rows) and not table.swallowed:  # else checks would cascade
        return table
    state.unread.add(role)
    return None


def read_incumbents(files: dict[str, Any], state: LoadState) -> dict[str, dict[str, int]] | None:
    """district -> provider -> clients (None without the file); unknown districts are checked
    once the districts are in."""
    table = _table(files, "incumbents", state, ["district_id", "provider", "clients"])
    if table is None:
        return None
    out: dict[str, dict[str, int]] = defaultdict(dict)
    summed = 0
    for row in table:
        p = state.problems
        d = table.text(row, "district_id", p, required=True)
        provider = table.text(row, "provider", p, required=True, id=d or None)
        clients = table.number(row, "clients", p, integer=True, allow_empty=False, id=d or None)
        if not d or not provider or clients is None:
            continue
        state.rows[("incumbents", d, provider)].append(row.number)
        if provider in out[d]:
            summed += 1
        out[d][provider] = out[d].get(provider, 0) + int(clients)
    if summed:
        state.notes.append(f"{table.name}: {summed} row(s) repeat a district and provider; "
                           "their clients were added up")
    return out


def read_bidders(files: dict[str, Any], state: LoadState, bids: Mapping[tuple[str, str], float],
                  lot_bids: list[LotBid], combos: list[CombinationBid]) -> list[Bidder]:
    table = _table(files, "bidders", state, ["bidder"], ["capacity", "max_lots", "lot_fee"])
    if table is None:
        if "bidders" in files:
            return []
        names = list(dict.fromkeys([b for b, _ in bids] + [lb.bidder for lb in lot_bids]
                                   + [c.bidder for c in combos]))
        if names and not state.expected:
            state.notes.append(f"[files] has no bidders; using the {len(names)} bidders of "
                               "the bids, without capacity, lot limit or lot fee")
        return [Bidder(b) for b in names]
    bidders = []
    p = state.problems
    for row in table:
        b = table.text(row, "bidder", p, required=True)
        if not b:
            continue
        state.rows[("bidders", b)].append(row.number)
        capacity = table.number(row, "capacity", p, integer=True, id=b)
        max_lots = table.number(row, "max_lots", p, integer=True, id=b)
        fee = table.number(row, "lot_fee", p, id=b)
        bidders.append(Bidder(b, capacity, max_lots, 0.0 if fee is None else fee))
    return bidders


def read_bids(files: dict[str, Any], state: LoadState) -> dict[tuple[str, str], float]:
    table = _table(files, "bids", state, ["bidder", "district_id", "price"])
    bids: dict[tuple[str, str], float] = {}
    if table is None:
        return bids
    p = state.problems
    for row in table:
        b = table.text(row, "bidder", p, required=True)
        d = table.text(row, "district_id", p, required=True, id=b or None)
        price = table.number(row, "price", p, allow_empty=False, id=f"{b}/{d}")
        if not b or not d or price is None:
            continue
        rows = state.rows[("bids", b, d)]
        if rows:
            p.append(table.problem(row, f"second bid of {b} on {d} (first at row {rows[0]})",
                                   id=f"{b}/{d}", hint="keep one price per bidder and "
                                                       "district"))
            continue
        rows.append(row.number)
        bids[(b, d)] = price
    return bids


def read_assignment(files: dict[str, Any], role: str, state: LoadState) -> dict[str, str] | None:
    table = _table(files, role, state, ["district_id", "lot"])
    if table is None:
        return None
    out: dict[str, str] = {}
    p = state.problems
    for row in table:
        d = table.text(row, "district_id", p, required=True)
        lot = table.text(row, "lot", p, required=True, id=d or None)
        if not d or not lot:
            continue
        rows = state.rows[(role, d)]
        if rows:
            p.append(table.problem(row, f"district {d} appears twice (first at row {rows[0]}"
                                   f", lot {out[d]})", id=d, hint="keep one row per district"))
            continue
        rows.append(row.number)
        out[d] = _lot_label(lot)
    return out


def _lot_label(text: str) -> str:
    """Lot labels as written, except Excel's whole floats: "3.0" -> "3"."""
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def read_lot_bids(files: dict[str, Any], state: LoadState) -> list[LotBid]:
    table = _table(files, "lot_bids", state, ["bidder", "lot", "price"], ["score", "preference"])
    if table is None:
        return []
    out = []
    p = state.problems
    for row in table:
        b = table.text(row, "bidder", p, required=True)
        lot = _lot_label(table.text(row, "lot", p, required=True, id=b or None))
        label = f"{b}/{lot}"
        price = table.number(row, "price", p, allow_empty=False, id=label)
        score = table.number(row, "score", p, id=label)
        preference = table.number(row, "preference", p, integer=True, id=label)
        if not b or not lot or price is None:
            continue
        state.rows[("lot_bids", b, lot)].append(row.number)
        out.append(LotBid(b, lot, price, score, preference))  # type: ignore[arg-type]
    return out


def read_combinations(files: dict[str, Any], state: LoadState) -> list[CombinationBid]:
    table = _table(files, "combination_bids", state, ["bidder", "combination", "lots", "price"])
    if table is None:
        return []
    p = state.problems
    parsed: list[tuple[Row, str, str, frozenset[str], float]] = []
    for row in table:
        b = table.text(row, "bidder", p, required=True)
        name = table.text(row, "combination", p, required=True, id=b or None)
        text = table.text(row, "lots", p, required=True, id=name or None)
        price = table.number(row, "price", p, allow_empty=False, id=name or None)
        lots = frozenset(_lot_label(x.strip()) for x in text.split("+") if x.strip())
        if text and not lots:
            p.append(table.problem(row, f"lots {text!r} names no lot", id=name,
                                   hint="join lots with +, e.g. 1+2"))
        if b and name and lots and price is not None:
            parsed.append((row, b, name, lots, price))
    names = [name for _, _, name, _, _ in parsed]
    out = []
    for row, b, name, lots, price in parsed:
        cid = name if names.count(name) == 1 else f"{b}/{name}"
        state.rows[("combination_bids", cid)].append(row.number)
        out.append(CombinationBid(cid, b, lots, price))
    return out
