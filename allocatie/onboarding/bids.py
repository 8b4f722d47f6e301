"""Bids for a new instance: read the real ones, write a template, or make labelled examples."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from allocatie.errors import InstanceError, Problem
from allocatie.io.tables import read_table

BID_TEMPLATE = "biedingen-sjabloon.csv"
EXAMPLE_TARIFF = 2500.0  # EUR per client per year, the level of the bundled instances
EXAMPLE_NEWCOMERS = ("Voorbeeld Nieuwkomer A", "Voorbeeld Nieuwkomer B")


@dataclass
class Bids:
    """Per-district bids ``(bidder, district) -> EUR per client per year``, or bids per lot
    (``lot_rows`` on the design ``lots``); ``example`` is True for synthetic example bids
    (never real)."""

    prices: dict[tuple[str, str], float] = field(default_factory=dict)
    bidders: list[str] = field(default_factory=list)
    lots: dict[str, str] = field(default_factory=dict)  # bids per lot: district -> lot
    lot_rows: list[list[object]] = field(default_factory=list)  # bidder, lot, price, score, pref
    source: str = ""
    example: bool = False


def read_bids(path: Path, districts: list[str], lots_file: Path | None = None) -> Bids:
    """Read bids per district (``bidder,district_id,price``) or per lot
    (``bidder,lot,price[,score][,preference]``, which needs ``lots_file``:
    ``district_id,lot``), CSV/XLSX as Dutch Excel writes them too; raise
    :class:`InstanceError` listing unknown districts or lots and bad prices."""
    name = Path(path).name
    table = read_table(path, ["bidder", "price"], name=name)
    if table.problems:
        raise InstanceError(table.problems, source=name)
    if table.has("lot") and not table.has("district_id"):
        return _lot_bids(table, districts, lots_file)
    table = read_table(path, ["bidder", "district_id", "price"], name=name)
    problems = list(table.problems)
    known = set(districts)
    bids = Bids(source=table.name)
    for row in table:
        b = table.text(row, "bidder", problems, required=True)
        d = table.text(row, "district_id", problems, required=True)
        price = table.number(row, "price", problems, allow_empty=False, id=d)
        if not b or not d or price is None:
            continue
        if d not in known:
            problems.append(table.problem(row, f"unknown district {d}", id=d,
                                          hint="use a district code of the instance"))
            continue
        bids.prices[(b, d)] = float(price)
        if b not in bids.bidders:
            bids.bidders.append(b)
    if problems:
        raise InstanceError(problems, source=table.name)
    return bids


def _lot_bids(table, districts: list[str], lots_file: Path | None) -> Bids:
    if lots_file is None:
        raise InstanceError([Problem(
            "bids per lot need the lot design they are for", file=table.name,
            hint="pass --lots-file with district_id,lot (e.g. the assignment.csv of a "
                 "design), or give bids per district (bidder,district_id,price)")])
    lots = read_table(lots_file, ["district_id", "lot"], name=Path(lots_file).name)
    problems = list(lots.problems)
    known = set(districts)
    bids = Bids(source=table.name)
    for row in lots:
        d = lots.text(row, "district_id", problems, required=True)
        lot = lots.text(row, "lot", problems, required=True, id=d or None)
        if d and d not in known:
            problems.append(lots.problem(row, f"unknown district {d}", id=d,
                                         hint="use a district code of the instance"))
        elif d and lot:
            bids.lots[d] = lot
    missing = [d for d in districts if d not in bids.lots]
    if missing and not problems:
        problems.append(Problem(f"{len(missing)} district(s) are in no lot: "
                                f"{', '.join(missing[:10])}", file=lots.name,
                                hint="add a row district_id,lot for every district"))
    names = set(bids.lots.values())
    for row in table:
        b = table.text(row, "bidder", problems, required=True)
        lot = table.text(row, "lot", problems, required=True)
        price = table.number(row, "price", problems, allow_empty=False, id=lot or None)
        score = table.number(row, "score", problems, id=lot or None)
        rank = table.number(row, "preference", problems, integer=True, id=lot or None)
        if not b or not lot or price is None:
            continue
        if lot not in names:
            problems.append(table.problem(row, f"unknown lot {lot}", id=lot,
                                          hint=f"use a lot of {lots.name}"))
            continue
        bids.lot_rows.append([b, lot, price, "" if score is None else score,
                              "" if rank is None else rank])
        if b not in bids.bidders:
            bids.bidders.append(b)
    if problems:
        raise InstanceError(problems, source=table.name)
    return bids


def example_bids(districts: list[str], providers: list[str], seed: int = 2026) -> Bids:
    """Synthetic bids: every provider (and two newcomers when there are fewer than three)
    bids on every district at EXAMPLE_TARIFF x a seeded bidder level x +-5% noise."""
    rng = np.random.default_rng(seed)
    bidders = list(providers) + list(EXAMPLE_NEWCOMERS[: max(0, 3 - len(providers))])
    bids = Bids(bidders=bidders, source="voorbeeldbiedingen (synthetisch)", example=True)
    for b in bidders:
        level = rng.uniform(0.92, 1.08)
        for d in districts:
            bids.prices[(b, d)] = round(EXAMPLE_TARIFF * level * rng.uniform(0.95, 1.05), 2)
    return bids


def write_bid_template(path: Path, districts: list[str]) -> None:
    """A bid template as Dutch Excel reads it: ``bidder;district_id;price``, one row per
    district, bidder and price to fill in."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["bidder", "district_id", "price"])
        for d in districts:
            writer.writerow(["", d, ""])
