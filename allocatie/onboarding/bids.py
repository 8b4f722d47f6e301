"""Bids for a new instance: read the real ones, write a template, or make labelled examples."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from allocatie.errors import InstanceError, Problem
from allocatie.tables import read_table

BID_TEMPLATE = "biedingen-sjabloon.csv"
EXAMPLE_TARIFF = 2500.0  # EUR per client per year, the level of the bundled instances
EXAMPLE_NEWCOMERS = ("Voorbeeld Nieuwkomer A", "Voorbeeld Nieuwkomer B")


@dataclass
class Bids:
    """Per-district bids ``(bidder, district) -> EUR per client per year``; ``example`` is
    True for synthetic example bids (never real)."""

    prices: dict[tuple[str, str], float] = field(default_factory=dict)
    bidders: list[str] = field(default_factory=list)
    source: str = ""
    example: bool = False


def read_bids(path: Path, districts: list[str]) -> Bids:
    """Read ``bidder,district_id,price`` (CSV/XLSX, Dutch Excel too); raise
    :class:`InstanceError` listing unknown districts and bad prices."""
    table = read_table(path, ["bidder", "district_id", "price"], name=Path(path).name)
    problems = list(table.problems)
    if table.has("lot") and not table.has("district_id"):
        problems = [Problem("bids per lot need a fixed lot design (lots.csv)", file=table.name,
                            hint="init reads bids per district (bidder,district_id,price); "
                                 "add lots.csv and lot_bids.csv to the instance folder by "
                                 "hand, see docs/instance-format.md")]
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
