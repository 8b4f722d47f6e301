"""What every check shares: the loader's :class:`Context` (row numbers), the number
formatting of problem messages, and :class:`Checks`, which records problems at their file and
rows."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from allocatie.errors import Problem
from allocatie.instance import Instance
from allocatie.text import LISTED, list_ids

PER_ID = 20  # up to this many ids get a problem each; more are listed in one problem
CRITERIA = ("price", "price_quality")


@dataclass(frozen=True)
class Context:
    """Where things came from, for messages.

    ``rows`` maps ``(role, *key)`` to the row numbers where that key occurs, with keys
    ``("districts", id)`` (feature numbers), ``("incumbents", district, provider)``,
    ``("bidders", bidder)``, ``("bids", bidder, district)``, ``("lots", district)``,
    ``("current_lots", district)``, ``("lot_bids", bidder, lot)`` and
    ``("combination_bids", id)``. ``island_hint`` replaces the generic fix for a
    disconnected district graph (the loader quotes the nearest district pairs there).
    ``unread`` names the roles whose file could not be read (already reported): checks
    that refer to them are skipped, so one bad file does not cascade into many problems
    (``"clients"``: the districts file has no clients). ``bad_clients`` names districts whose
    clients could not be read (already reported); their clients are not checked again.
    """

    rows: Mapping[tuple[str, ...], Sequence[int]] = field(default_factory=dict)
    island_hint: str | None = None
    unread: frozenset[str] = frozenset()
    bad_clients: frozenset[str] = frozenset()


def fmt(value: float | int | None) -> str:
    """A number as in the messages: ``1,850`` or ``12.5``."""
    if value is None:
        return "none"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def plural(n: int, word: str) -> str:
    """``1 lot``, ``2 lots``."""
    return f"{fmt(n)} {word}" if n == 1 else f"{fmt(n)} {word}s"


def describe_parts(parts: Sequence[Sequence[str]], shown: int = 5) -> str:
    """Parts of a graph as ``{A, B, ... (25 districts)}; {C}``."""
    out = []
    for part in parts[:LISTED]:
        ids = ", ".join(part[:shown]) + (", ..." if len(part) > shown else "")
        size = f" ({len(part)} districts)" if len(part) > shown else ""
        out.append(f"{{{ids}{size}}}")
    if len(parts) > LISTED:
        out.append(f"... and {len(parts) - LISTED} more parts")
    return "; ".join(out)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        value)


def is_count(value: object) -> bool:
    return is_number(value) and float(value).is_integer()  # type: ignore[arg-type]


class Checks:
    """The state of one validation run and how a problem is recorded."""

    def __init__(self, instance: Instance, context: Context) -> None:
        self.i = instance
        self.rows = context.rows
        self.island_hint = context.island_hint
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.district_ids = set(instance.district_ids)
        self.bidder_ids = set(instance.bidder_ids)
        self.fixed_lot_bids = bool(instance.lots) and bool(instance.lot_bids)
        self.unread = context.unread
        self.bidders_known = "bidders" not in context.unread
        self.districts_known = "districts" not in context.unread
        self.clients_known = "clients" not in context.unread
        self.bad_clients = context.bad_clients
        self.bad_rules: set[str] = set()  # rules already reported; checks using them are skipped
        self.bidders_of: dict[str, set[str]] = defaultdict(set)  # district -> who bids on it

    def file(self, role: str) -> str | None:
        if role == "rules":
            return "instance.toml" if self.i.folder is not None else None
        named = self.i.files.get(role)
        if named:
            return named
        # no file for this role: the fix ([files] entry) is in instance.toml
        return "instance.toml" if self.i.folder is not None else None

    def add(self, role: str, message: str, hint: str | None = None, key: tuple = (),
            id: str | None = None, warning: bool = False, kind: str = "input") -> None:
        """Record a problem (or warning) in the file of ``role``, at the rows of ``key``;
        ``kind`` as in :class:`~allocatie.errors.Problem`."""
        rows = sorted(self.rows.get((role, *key), ())) if key else []
        self.add_at(role, rows, message, id=id, hint=hint, warning=warning, kind=kind)

    def add_at(self, role: str, rows: list[int], message: str, id: str | None = None,
               hint: str | None = None, warning: bool = False, kind: str = "input") -> None:
        """Record a problem at the first of ``rows``, naming them all when there are more."""
        if len(rows) > 1:
            message += f" (rows {list_ids(rows, 10)})"
        problem = Problem(message, file=self.file(role), row=rows[0] if rows else None, id=id,
                          hint=hint, kind=kind)
        (self.warnings if warning else self.problems).append(problem)

    def rows_of(self, role: str, keys: Iterable[tuple]) -> list[int]:
        return sorted({r for k in keys for r in self.rows.get((role, *k), ())})

    def per_id(self, role: str, ids: list[str], one: Callable[[str], str],
               many: Callable[[list[str]], str], hint: str, warning: bool = False,
               kind: str = "input") -> None:
        """A problem per id, or one listing them all when there are many."""
        if len(ids) <= PER_ID:
            for d in ids:
                self.add(role, one(d), key=(d,), id=d, hint=hint, warning=warning, kind=kind)
        else:
            self.add(role, many(ids), hint=hint, warning=warning, kind=kind)
