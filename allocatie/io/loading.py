"""Read an instance folder (``docs/instance-format.md``) into an :class:`Instance`.

:func:`load_instance` reads ``instance.toml``, the districts (GeoJSON, GeoPackage or
Shapefile, in WGS84 or RD, through :mod:`gebieden`) and every table (CSV from Dutch or English
Excel, TXT or XLSX, see :mod:`allocatie.io.tables`). It collects every problem of every file,
with file, row, id and a fix, runs the semantic checks of :mod:`allocatie.validation`, and
raises one :class:`~allocatie.errors.InstanceError` listing them all. What is odd but workable
(repaired polygons, overlaps, sliver gaps, added bridges, a bidder who bids on nothing) is
reported with :func:`warnings.warn` as a :class:`LoadWarning`, never silently.

Adjacency is computed once: rook pairs (``kind="rook"``, with the shared border in metres),
point contacts (``"queen_only"``) and the bridges of ``[geometry] bridges`` or
``auto_bridge`` (``"bridge"``). A district graph that is not connected under the contiguity
rule is a problem whose fix quotes the nearest district pairs, ready to copy into
``[geometry] bridges``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from allocatie.errors import InstanceError, Problem, RuleConflict, UsageError
from allocatie.instance import (
    Instance,
)
from allocatie.io.district_file import read_districts
from allocatie.io.instance_tables import (
    expected_bids,
    read_assignment,
    read_bidders,
    read_bids,
    read_combinations,
    read_incumbents,
    read_lot_bids,
)
from allocatie.io.instance_toml import (
    BID_KINDS,
    RULE_KEYS,
    SCHEMA_VERSION,
    TOML,
    LoadState,
    award_settings,
    check_keys,
    geometry_settings,
    read_toml,
    rules_settings,
    section,
    solver_settings,
    typed,
)
from allocatie.text import list_ids
from allocatie.validation import Context, check_instance


class LoadWarning(UserWarning):
    """Something odd but workable in an instance folder (repairs, bridges, unused bidders)."""


# --------------------------------------------------------------------------- public API
def load_instance(folder: str | Path, overrides: Mapping[str, Any] | None = None,
                  expected_tariff: float | None = None) -> Instance:
    """Read an instance folder and return a validated :class:`Instance`.

    ``overrides`` replaces ``[rules]`` values (e.g. from the command line): any key of
    ``[rules]`` such as ``lots``, ``lots_min``, ``max_lots_per_bidder``, ``transition_cost``
    or ``contiguity``; ``None`` values are ignored. Without bids (no ``[files] bids``,
    ``lot_bids`` or ``bidders``) every current provider becomes a bidder at an expected
    tariff per client (``expected_tariff``, else ``[bids] expected_tariff``, or per provider
    from ``[bids] expected_tariffs``) and the instance is marked ``bids_kind="expected"``.
    Raises :class:`InstanceError` listing every problem of every file, and
    :class:`UsageError` for an unknown override key.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = sorted(set(overrides) - set(RULE_KEYS))
    if unknown:
        raise UsageError(f"unknown rule override(s) {', '.join(unknown)}; expected "
                         f"{', '.join(RULE_KEYS)}")
    folder = Path(folder)
    if folder.is_file() and folder.name == TOML:
        folder = folder.parent
    state = LoadState(folder)
    config = read_toml(folder, state.notes)
    check_keys(config, state)
    name = typed(config, "", "name", state) or folder.name
    description = typed(config, "", "description", state) or ""
    version = config.get("schema_version")
    if version is None:
        state.notes.append(f"{TOML}: no schema_version; reading it as version {SCHEMA_VERSION}")
    elif version != SCHEMA_VERSION:
        state.toml(f"schema_version = {version!r}; this version of allocatie reads "
                   f"schema_version = {SCHEMA_VERSION}", hint="convert the instance or "
                   "upgrade allocatie")
    files = section(config, "files", state)
    state.allow_outside = bool(typed(files, "files", "allow_outside_folder", state))
    geometry = geometry_settings(section(config, "geometry", state), state)
    rules_table = section(config, "rules", state)
    contiguity = overrides.get("contiguity", rules_table.get("contiguity", "rook"))

    incumbents = read_incumbents(files, state)
    districts, edges, island_hint = read_districts(files, geometry, incumbents, contiguity,
                                                    state)
    bids = read_bids(files, state)
    lots = read_assignment(files, "lots", state)
    current = read_assignment(files, "current_lots", state)
    lot_bids = read_lot_bids(files, state)
    combos = read_combinations(files, state)
    bid_settings = section(config, "bids", state)
    kind = typed(bid_settings, "bids", "kind", state) or "bid"
    if kind not in BID_KINDS:
        state.toml(f"[bids] kind = {kind!r}; expected one of {', '.join(BID_KINDS)}",
                   hint='write kind = "bid" for real bids, "example" for synthetic ones')
    if not ({"bids", "lot_bids", "bidders"} & set(files)) and (
            expected_tariff is not None or {"expected_tariff", "expected_tariffs"}
            & set(bid_settings)):
        bids = expected_bids(districts, bid_settings, expected_tariff, state)
        kind, state.expected = "expected", True
    bidders = read_bidders(files, state, bids, lot_bids, combos)
    if kind == "expected":
        state.notes.append(
            f"no bids yet: every current provider ({len(bidders)}) is taken as a bidder at "
            "an expected tariff; award figures are EXPECTED, not bid")
    rules = rules_settings(rules_table, overrides, lots, len(districts), state)
    award = award_settings(section(config, "award", state), state)
    solver = solver_settings(section(config, "solver", state), state)

    instance = Instance(
        name=str(name), description=str(description), districts=tuple(districts),
        bidders=tuple(bidders), bids=bids, edges=tuple(edges), rules=rules, lots=lots,
        lot_bids=tuple(lot_bids), combination_bids=tuple(combos), current_lots=current,
        award=award, solver=solver, folder=folder, files=state.files, bids_kind=kind)
    found, warned = check_instance(instance, Context(dict(state.rows), island_hint,
                                                     frozenset(state.unread),
                                                     frozenset(state.bad_clients)))
    problems = state.problems + found
    notes = state.notes + [str(w) for w in warned]
    for note in notes:
        warnings.warn(note, LoadWarning, stacklevel=2)
    if problems and all(p.kind != "input" for p in problems):
        raise RuleConflict(problems, instance, source=str(folder))
    if problems:
        raise InstanceError(problems, source=str(folder))
    return instance


def load_lots_file(path: str | Path,
                   instance: Instance) -> tuple[dict[str, str], dict[str, str]]:
    """Read a design (``district_id,lot[,winner]``, CSV/TXT/XLSX) for ``evaluate --lots``.

    Returns ``(assignment, winners)``: district -> lot and lot -> winner (empty without a
    winner column). Raises :class:`InstanceError` listing unknown, duplicate and missing
    district ids, empty lots, unknown winners and lots with two different winners.
    """
    from allocatie.io.design_file import design_table

    table = design_table(path, instance)  # also resultaat.xlsx's Wijken sheet, names
    problems = list(table.problems)
    assignment: dict[str, str] = {}
    winners: dict[str, str] = {}
    first_row: dict[str, int] = {}
    known = set(instance.district_ids)
    for row in table:
        d = table.text(row, "district_id", problems, required=True)
        lot = table.text(row, "lot", problems, required=True, id=d or None)
        if not d or not lot:
            continue
        if d not in known:
            problems.append(table.problem(row, f"unknown district {d}", id=d,
                                          hint="use a district id of the instance"))
            continue
        if d in assignment:
            problems.append(table.problem(row, f"district {d} appears twice (also row "
                                          f"{first_row[d]})", id=d, hint="keep one row"))
            continue
        assignment[d], first_row[d] = lot, row.number
        winner = table.text(row, "winner")
        if winner:
            if winner not in instance.bidder_by_id:
                problems.append(table.problem(row, f"unknown winner {winner}", id=d,
                                              hint="use a bidder of the instance"))
            elif winners.setdefault(lot, winner) != winner:
                problems.append(table.problem(
                    row, f"lot {lot} has two winners: {winners[lot]} and {winner}", id=d,
                    hint="give every district of a lot the same winner"))
    if table.ok:
        missing = [d for d in instance.district_ids if d not in assignment]
        if missing:
            problems.append(Problem(f"{len(missing)} district(s) are in no lot: "
                                    f"{list_ids(missing)}", file=table.name,
                                    hint="add a row district_id,lot for every district"))
    if problems:
        raise InstanceError(problems, source=table.name)
    return assignment, winners


