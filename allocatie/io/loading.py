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

import difflib
import math
import os
import tomllib
import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allocatie.errors import InstanceError, Problem, RuleConflict, UsageError
from allocatie.instance import (
    AwardSettings,
    Bidder,
    CombinationBid,
    District,
    Edge,
    Instance,
    LotBid,
    Rules,
)
from allocatie.io.tables import Row, Table, decode_text, parse_number, read_table, split_sheet
from allocatie.settings import SolverSettings
from allocatie.text import list_ids
from allocatie.validation import Context, check_instance

TOML = "instance.toml"
SCHEMA_VERSION = 1
NAME_COLUMNS = ("name", "naam", "statnaam", "wijknaam", "buurtnaam", "gm_naam")

# key -> expected type, per section of instance.toml
_INT, _NUM, _STR, _BOOL, _PAIRS, _GROUPS, _TABLE = (
    "a whole number", "a number", "a string", "true or false",
    'a list of pairs, e.g. [["A", "B"]]', 'a list of lists of ids, e.g. [["A", "B"]]',
    "a table",
)
SCHEMA: dict[str, dict[str, str]] = {
    "": {"schema_version": _INT, "name": _STR, "description": _STR, "files": _TABLE,
         "rules": _TABLE, "award": _TABLE, "solver": _TABLE, "geometry": _TABLE,
         "bids": _TABLE},
    "bids": {"kind": _STR, "expected_tariff": _NUM, "expected_tariffs": _STR},
    "files": {**{role: _STR for role in ("districts", "incumbents", "bidders", "bids", "lots",
                                         "lot_bids", "current_lots", "combination_bids")},
              "allow_outside_folder": _BOOL},
    "rules": {"lots": _INT, "lots_min": _INT, "lots_max": _INT, "max_lots_per_bidder": _INT,
              "lot_clients_min": _INT, "lot_clients_max": _INT, "lot_clients_penalty": _NUM,
              "transition_cost": _NUM, "contiguity": _STR, "min_winners": _INT,
              "max_winners": _INT, "compactness_weight": _NUM, "max_changed_districts": _INT,
              "pinned": _TABLE, "together": _GROUPS},
    "award": {"rule": _STR, "criterion": _STR, "quality_weight": _NUM, "lottery_seed": _INT},
    "solver": {"backend": _STR, "time_limit_s": _NUM, "mip_gap": _NUM, "threads": _INT,
               "seed": _INT, "verbose": _BOOL},
    "geometry": {"id_field": _STR, "layer": _STR, "bridges": _PAIRS, "auto_bridge": _BOOL,
                 "contiguity_snap_m": _NUM, "min_shared_border_m": _NUM},
}
RULE_KEYS = tuple(k for k in SCHEMA["rules"] if k not in ("pinned", "together"))
# EUR per km of border between lots that `allocatie init` writes into a new instance.toml
# and the bundled default instance uses (a folder without the key keeps 0, the spec's
# objective). On Emmen wijken 2,000 to 10,000 left a corridor-shaped lot; 15,000 gives
# compact lots for 1.0% more cost and switching (docs/instance-format.md, "Compactness").
DEFAULT_COMPACTNESS_WEIGHT = 15000.0
BID_KINDS = ("bid", "example", "expected")


class LoadWarning(UserWarning):
    """Something odd but workable in an instance folder (repairs, bridges, unused bidders)."""


@dataclass
class _Geometry:
    id_field: str = "id"
    layer: str | None = None
    bridges: list[tuple[str, str]] = field(default_factory=list)
    auto_bridge: bool = False
    snap_m: float | None = None  # None: gebieden's tolerance (TOLERANCE_M)
    min_border_m: float | None = None  # None: gebieden's MIN_BORDER_M


    def contiguity_rule(self) -> dict[str, float]:
        """Keyword arguments of gebieden.adjacency: only what instance.toml sets."""
        rule = {"snap_m": self.snap_m, "min_border_m": self.min_border_m}
        return {k: v for k, v in rule.items() if v is not None}


@dataclass
class _Load:
    """Everything gathered while reading one folder."""

    folder: Path
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings, emitted at the end
    rows: dict[tuple[str, ...], list[int]] = field(default_factory=lambda: defaultdict(list))
    files: dict[str, str] = field(default_factory=dict)
    unread: set[str] = field(default_factory=set)  # roles whose file could not be read
    allow_outside: bool = False  # [files] allow_outside_folder: paths may leave the folder
    bad_clients: set[str] = field(default_factory=set)  # districts whose clients were bad
    expected: bool = False  # no bids yet: bids synthesised from the expected tariff

    def toml(self, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, file=TOML, hint=hint))


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
    state = _Load(folder)
    config = _read_toml(folder, state.notes)
    _check_keys(config, state)
    name = _typed(config, "", "name", state) or folder.name
    description = _typed(config, "", "description", state) or ""
    version = config.get("schema_version")
    if version is None:
        state.notes.append(f"{TOML}: no schema_version; reading it as version {SCHEMA_VERSION}")
    elif version != SCHEMA_VERSION:
        state.toml(f"schema_version = {version!r}; this version of allocatie reads "
                   f"schema_version = {SCHEMA_VERSION}", hint="convert the instance or "
                   "upgrade allocatie")
    files = _section(config, "files", state)
    state.allow_outside = bool(_typed(files, "files", "allow_outside_folder", state))
    geometry = _geometry_settings(_section(config, "geometry", state), state)
    rules_table = _section(config, "rules", state)
    contiguity = overrides.get("contiguity", rules_table.get("contiguity", "rook"))

    incumbents = _read_incumbents(files, state)
    districts, edges, island_hint = _read_districts(files, geometry, incumbents, contiguity,
                                                    state)
    bids = _read_bids(files, state)
    lots = _read_assignment(files, "lots", state)
    current = _read_assignment(files, "current_lots", state)
    lot_bids = _read_lot_bids(files, state)
    combos = _read_combinations(files, state)
    bid_settings = _section(config, "bids", state)
    kind = _typed(bid_settings, "bids", "kind", state) or "bid"
    if kind not in BID_KINDS:
        state.toml(f"[bids] kind = {kind!r}; expected one of {', '.join(BID_KINDS)}",
                   hint='write kind = "bid" for real bids, "example" for synthetic ones')
    if not ({"bids", "lot_bids", "bidders"} & set(files)) and (
            expected_tariff is not None or {"expected_tariff", "expected_tariffs"}
            & set(bid_settings)):
        bids = _expected_bids(districts, bid_settings, expected_tariff, state)
        kind, state.expected = "expected", True
    bidders = _read_bidders(files, state, bids, lot_bids, combos)
    if kind == "expected":
        state.notes.append(
            f"no bids yet: every current provider ({len(bidders)}) is taken as a bidder at "
            "an expected tariff; award figures are EXPECTED, not bid")
    rules = _rules(rules_table, overrides, lots, len(districts), state)
    award = _award(_section(config, "award", state), state)
    solver = _solver(_section(config, "solver", state), state)

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


def _expected_bids(districts: Sequence[District], settings: dict[str, Any],
                   tariff: float | None, state: _Load) -> dict[tuple[str, str], float]:
    """Every current provider bids on every district at its expected tariff per client."""
    if tariff is None:
        tariff = _typed(settings, "bids", "expected_tariff", state)
    per_provider: dict[str, float] = {}
    source = _typed(settings, "bids", "expected_tariffs", state)
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


def read_geometry_settings(folder: str | Path) -> dict[str, Any]:
    """The ``[geometry]`` settings of an instance folder with defaults filled in
    (``id_field``, ``layer``, ``bridges``, ``auto_bridge``, ``contiguity_snap_m``), for
    layers that re-read the districts (``gebieden.read_districts(path, id_field, layer)``).
    Raises :class:`InstanceError` when instance.toml can not be read."""
    state = _Load(Path(folder))
    geometry = _geometry_settings(_section(_read_toml(Path(folder)), "geometry", state), state)
    return {"id_field": geometry.id_field, "layer": geometry.layer,
            "bridges": geometry.bridges, "auto_bridge": geometry.auto_bridge,
            "contiguity_snap_m": geometry.snap_m, "min_shared_border_m": geometry.min_border_m}


# --------------------------------------------------------------------------- instance.toml
def _read_toml(folder: Path, notes: list[str] | None = None) -> dict[str, Any]:
    """The settings of ``folder/instance.toml``, decoded like the tables (UTF-8 with or
    without BOM, else cp1252, noted in ``notes``). Raises :class:`InstanceError`."""
    if not folder.is_dir():
        raise InstanceError([Problem(f"instance folder {folder} not found", hint="pass the "
                                     "folder that holds instance.toml")], source=str(folder))
    path = folder / TOML
    if not path.is_file():
        raise InstanceError([Problem(f"no {TOML} in {folder}", file=TOML,
                                     hint="an instance folder needs an instance.toml; see "
                                          "docs/instance-format.md, or make one with "
                                          "allocatie init")],
                            source=str(folder))
    try:
        text, encoding = decode_text(path.read_bytes())
        if encoding not in ("utf-8", "utf-8-sig") and notes is not None:
            notes.append(f"{TOML} is not UTF-8; read it as {encoding} (Windows). Save it as "
                         "UTF-8 to be sure accents come out right")
        return tomllib.loads(text)
    except OSError as exc:
        raise InstanceError([Problem(f"cannot read the file: {exc.strerror}", file=TOML,
                                     hint="check that it is readable")],
                            source=str(folder)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InstanceError([Problem(f"not valid TOML: {exc}", file=TOML,
                                     hint='check the quotes around text, as in name = "Emmen", and '
                                          "[section] headers")], source=str(folder)) from exc


def _check_keys(config: dict[str, Any], state: _Load) -> None:
    """Unknown keys are problems (a typo would otherwise be ignored silently)."""
    for section, known in SCHEMA.items():
        table = config if section == "" else config.get(section, {})
        if not isinstance(table, dict):
            continue
        for key in table:
            if section == "rules" and key in ("pinned",):
                continue
            if key not in known:
                where = f"[{section}] " if section else ""
                close = difflib.get_close_matches(key, list(known), n=1)
                hint = f"did you mean {close[0]}?" if close else f"known keys: {', '.join(known)}"
                state.toml(f"unknown key {where}{key}", hint=hint)


def _section(config: dict[str, Any], name: str, state: _Load) -> dict[str, Any]:
    value = config.get(name, {})
    if not isinstance(value, dict):
        state.toml(f"{name} = {value!r} should be a [{name}] section", hint=f"write [{name}] "
                   "on its own line followed by key = value lines")
        return {}
    return value


def _typed(table: dict[str, Any], section: str, key: str, state: _Load) -> Any:
    """The value of ``key`` when it has the type of the schema, else None (and a problem)."""
    if key not in table:
        return None
    value, kind = table[key], SCHEMA[section][key]
    ok = {
        _INT: isinstance(value, int) and not isinstance(value, bool),
        _NUM: isinstance(value, int | float) and not isinstance(value, bool)
        and math.isfinite(value),
        _STR: isinstance(value, str),
        _BOOL: isinstance(value, bool),
        _TABLE: isinstance(value, dict),
        _PAIRS: isinstance(value, list) and all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            for p in value),
        _GROUPS: isinstance(value, list) and all(
            isinstance(g, list) and all(isinstance(x, str) for x in g) for g in value),
    }[kind]
    if not ok:
        where = f"[{section}] " if section else ""
        state.toml(f"{where}{key} = {value!r}; expected {kind}",
                   hint=f"write {key} = {_example(kind)}")
        return None
    return value


def _example(kind: str) -> str:
    return {_INT: "6", _NUM: "1000", _STR: '"text"', _BOOL: "true", _TABLE: "{...}",
            _PAIRS: '[["A", "B"]]', _GROUPS: '[["A", "B", "C"]]'}[kind]


def _geometry_settings(table: dict[str, Any], state: _Load) -> _Geometry:
    geometry = _Geometry()
    geometry.id_field = _typed(table, "geometry", "id_field", state) or "id"
    geometry.layer = _typed(table, "geometry", "layer", state)
    geometry.bridges = [tuple(p) for p in _typed(table, "geometry", "bridges", state) or []]
    geometry.auto_bridge = bool(_typed(table, "geometry", "auto_bridge", state))
    snap = _typed(table, "geometry", "contiguity_snap_m", state)
    if snap is not None and snap < 0:
        state.toml(f"[geometry] contiguity_snap_m = {snap}; expected metres >= 0",
                   hint="use 0 for exact contact, or a small distance such as 5")
    elif snap is not None:
        geometry.snap_m = float(snap)
    shortest = _typed(table, "geometry", "min_shared_border_m", state)
    if shortest is not None and shortest < 0:
        state.toml(f"[geometry] min_shared_border_m = {shortest}; expected metres >= 0",
                   hint="use a short length such as 1")
    elif shortest is not None:
        geometry.min_border_m = float(shortest)
    return geometry


def _rules(table: dict[str, Any], overrides: Mapping[str, Any], lots: Mapping[str, str] | None,
           n_districts: int, state: _Load) -> Rules:
    values = {key: _typed(table, "rules", key, state) for key in RULE_KEYS}
    values = {k: v for k, v in values.items() if v is not None}
    if "lots" in overrides:  # an exact number replaces any range
        for key in ("lots", "lots_min", "lots_max"):
            values.pop(key, None)
    elif {"lots_min", "lots_max"} & set(overrides) and "lots" in values:
        values["lots_min"] = values["lots_max"] = values.pop("lots")  # then overridden
    values.update(overrides)
    kw: dict[str, Any] = {}
    if "lots" in values:
        if "lots_min" in values or "lots_max" in values:
            state.toml("[rules] has both lots and lots_min/lots_max",
                       hint="use lots = K for an exact number, or lots_min and lots_max")
        kw["lots_min"] = kw["lots_max"] = values.pop("lots")
        values.pop("lots_min", None)
        values.pop("lots_max", None)
    elif "lots_min" in values or "lots_max" in values:
        kw["lots_min"] = values.pop("lots_min", 1)
        kw["lots_max"] = values.pop("lots_max", max(n_districts, kw["lots_min"]))
    elif lots:
        kw["lots_min"] = kw["lots_max"] = len(set(lots.values()))
    elif not {"lots", "lots_min", "lots_max"} & set(table):  # a bad value is reported already
        state.toml("[rules] sets no number of lots", hint="add lots = K, or lots_min and "
                   "lots_max, to [rules]; or give a fixed design in [files] lots")
    kw.update({k: float(v) if SCHEMA["rules"][k] == _NUM and _is_plain_number(v) else v
               for k, v in values.items()})
    pinned = _typed(table, "rules", "pinned", state) or {}
    kw["pinned"] = {str(d): str(label) for d, label in pinned.items()}
    kw["together"] = tuple(tuple(g) for g in _typed(table, "rules", "together", state) or [])
    return Rules(**kw)


def _is_plain_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _award(table: dict[str, Any], state: _Load) -> AwardSettings:
    values = {k: _typed(table, "award", k, state) for k in SCHEMA["award"]}
    return AwardSettings(**{k: v for k, v in values.items() if v is not None})


def _solver(table: dict[str, Any], state: _Load) -> SolverSettings:
    values = {k: _typed(table, "solver", k, state) for k in SCHEMA["solver"]}
    try:
        return SolverSettings(**{k: v for k, v in values.items() if v is not None})
    except UsageError as exc:
        state.toml(f"[solver] {exc}", hint="correct the [solver] section")
        return SolverSettings()


# --------------------------------------------------------------------------- tables
def _table(files: dict[str, Any], role: str, state: _Load, required: Sequence[str],
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
    if _outside(state, role, value) or _missing_file(state, role, value):
        state.unread.add(role)
        return None
    table = read_table(state.folder / value, required, optional, name=value)
    state.problems.extend(table.problems)
    if (table.ok or table.rows) and not table.swallowed:  # else checks would cascade
        return table
    state.unread.add(role)
    return None


def _missing_file(state: _Load, role: str, value: str) -> bool:
    """Whether the file of ``role`` does not exist (then a problem in instance.toml, with the
    nearest file name of the folder as a suggestion)."""
    path, _sheet = split_sheet(state.folder / value)
    if path.is_file():
        return False
    names = sorted(p.name for p in state.folder.iterdir() if p.is_file()) \
        if state.folder.is_dir() else []
    close = difflib.get_close_matches(path.name, names, n=1)
    hint = f"did you mean {close[0]}?" if close else "the path is relative to the instance folder"
    state.toml(f"[files] {role} = {value!r}: no such file in the instance folder", hint=hint)
    return True


def _outside(state: _Load, role: str, value: str) -> bool:
    """Whether the file of ``role`` lies outside the instance folder (then a problem is
    recorded), following symbolic links; always False with ``allow_outside_folder``."""
    if state.allow_outside:
        return False
    path, _sheet = split_sheet(state.folder / value)
    try:
        root, real = state.folder.resolve(), path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        real, root = path, Path("/nonexistent-root")
    if real == root or root in real.parents:
        return False
    linked = Path(os.path.normpath(path)).is_relative_to(os.path.normpath(state.folder))
    how = "is a symbolic link to a file" if linked else "names a file"
    state.problems.append(Problem(
        f"[files] {role} = {value!r} {how} outside the instance folder", file=value if linked
        else TOML, hint="copy the file into the instance folder, or set [files] "
        "allow_outside_folder = true in instance.toml if the file is meant to be shared"))
    return True


def _read_incumbents(files: dict[str, Any], state: _Load) -> dict[str, dict[str, int]] | None:
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


def _read_districts(files: dict[str, Any], geometry: _Geometry,
                    incumbents: dict[str, dict[str, int]] | None, contiguity: object,
                    state: _Load) -> tuple[list[District], list[Edge], str | None]:
    """Districts, their edges (rook, queen_only, bridge) and a fix for islands, if any."""
    value = files.get("districts")
    state.unread.add("districts")  # until read
    if value is None:
        state.toml("[files] has no districts", hint='add districts = "districts.geojson" to '
                   "[files]")
        return [], [], None
    if not isinstance(value, str):
        state.toml(f"[files] districts = {value!r}; expected a file name",
                   hint='write districts = "districts.geojson"')
        return [], [], None
    state.files["districts"] = value
    if _outside(state, "districts", value) or _missing_file(state, "districts", value):
        return [], [], None
    import gebieden

    try:
        gdf = gebieden.read_districts(state.folder / value, id_field=geometry.id_field,
                                      layer=geometry.layer)
    except gebieden.GeometryError as exc:
        message = str(exc).replace(f"{state.folder / value}: ", "")
        about_fields = any(word in message for word in ("Id field", "layer", "empty id"))
        state.problems.append(Problem(message, file=value, hint="see [geometry] id_field and "
                                      "layer in instance.toml" if about_fields else None))
        return [], [], None
    state.unread.discard("districts")
    from allocatie.io.coordinates import coordinate_problems

    wrong_place, far_away = coordinate_problems(gdf, value)
    state.problems.extend(wrong_place)
    state.notes.extend(far_away)
    columns = {str(c).strip().lower(): c for c in gdf.columns if c != gdf.geometry.name}
    clients_column = columns.get("clients")
    if clients_column is None:
        state.problems.append(Problem(
            f"no clients property; found {', '.join(map(str, columns.values())) or 'none'}",
            file=value, hint="add a property clients, a whole number >= 0, to every district"))
        state.unread.add("clients")
    name_column = next((columns[c] for c in NAME_COLUMNS if c in columns), None)
    districts = []
    for number, (d, record) in enumerate(gdf.iterrows(), start=1):
        state.rows[("districts", d)].append(number)
        clients: float | int = 0
        if clients_column is not None:
            parsed = _clients(record[clients_column], value, number, d, state)
            if parsed is None:
                state.bad_clients.add(d)
            clients = parsed if parsed is not None else 0
        name = record[name_column] if name_column is not None else ""
        name = "" if _missing(name) else name
        districts.append(District(d, clients, str(name), (incumbents or {}).get(d, {})))
    known = set(gdf.index)
    if incumbents:
        for d in sorted(set(incumbents) - known):
            rows = sorted(r for key, rs in state.rows.items() for r in rs
                          if key[0] == "incumbents" and key[1] == d)
            more = f" (rows {list_ids(rows, 10)})" if len(rows) > 1 else ""
            state.problems.append(Problem(
                f"today's providers for unknown district {d}{more}", file=state.files[
                    "incumbents"], row=rows[0] if rows else None, id=d,
                hint="use a district id of the districts file, or delete the row"))
    edges, hint = _edges(gdf, value, geometry, contiguity, state)
    return districts, edges, hint


def _missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA (an empty cell in a GeoPackage or shapefile)."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are not missing
        return False


def _clients(value: object, file: str, number: int, d: str, state: _Load) -> float | int | None:
    """Clients as int (or a non-whole float, left for validation to report)."""
    if _missing(value):
        state.problems.append(Problem("no clients", file=file, row=number, id=d,
                                      hint="fill in clients, a whole number >= 0"))
        return None
    if isinstance(value, str):
        parsed = parse_number(value, decimal=",")
        if parsed is None:
            state.problems.append(Problem(f"clients {value!r} is not a number", file=file,
                                          row=number, id=d, hint="write a whole number >= 0"))
            return None
        value = parsed
    try:
        number_value = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        state.problems.append(Problem(f"clients {value!r} is not a number", file=file,
                                      row=number, id=d, hint="write a whole number >= 0"))
        return None
    return int(number_value) if number_value.is_integer() else number_value


def _edges(gdf: Any, file: str, geometry: _Geometry, contiguity: object,
           state: _Load) -> tuple[list[Edge], str | None]:
    """Rook and queen-only edges of the unique districts, plus bridges; and an island fix."""
    import gebieden

    unique = gdf[~gdf.index.duplicated(keep="first")]
    try:
        fixed, issues = gebieden.check_geometry(unique, repair=True)
    except gebieden.GeometryError as exc:
        state.problems.append(Problem(str(exc), file=file))
        return [], None
    for issue in issues:
        if issue.kind == "invalid":
            state.problems.append(Problem(issue.message, file=file, id=issue.ids[0]))
    state.notes += _geometry_notes(file, [i for i in issues if i.kind != "invalid"])
    try:
        pairs = gebieden.adjacency(fixed, kind="queen", **geometry.contiguity_rule())
    except (gebieden.GeometryError, ValueError) as exc:
        state.problems.append(Problem(str(exc), file=file))
        return [], None
    bridged = [p for p in pairs if p.kind == "rook" and p.gap_m > 0]
    if bridged:
        listed = ", ".join(f"{p.a}-{p.b} ({p.border_m:.0f} m of border, apart by "
                           f"{_gap(p.gap_m)} on average)" for p in bridged[:10])
        more = f" and {len(bridged) - 10} more" if len(bridged) > 10 else ""
        state.notes.append(f"{file}: repaired {len(bridged)} border(s) that do not coincide "
                           f"exactly; counted as shared within the contiguity tolerance "
                           f"([geometry] contiguity_snap_m): {listed}{more}")
    edges = {(p.a, p.b): Edge(p.a, p.b, p.border_m, p.kind) for p in pairs}
    known = set(fixed.index)
    for a, b in geometry.bridges:
        bad = [d for d in (a, b) if d not in known]
        if bad or a == b:
            state.toml(f"[geometry] bridge [{a!r}, {b!r}] names unknown district(s) "
                       f"{', '.join(bad)}" if bad else f"[geometry] bridge [{a!r}, {b!r}] "
                       "joins a district to itself", hint="use two district ids of the "
                       "districts file")
            continue
        key = tuple(sorted((a, b)))
        if key in edges and edges[key].kind == "rook":
            state.notes.append(f"{TOML}: bridge {a}-{b} is not needed, they already share a "
                               "border")
            continue
        edges[key] = Edge(key[0], key[1], 0.0, "bridge")
    if contiguity not in ("rook", "queen") or len(known) < 2:
        return sorted(edges.values(), key=lambda e: (e.a, e.b)), None
    counted = [(e.a, e.b) for e in edges.values() if contiguity == "queen" or
               e.kind != "queen_only"]
    hint = None
    if len(gebieden.connected_parts(list(fixed.index), counted)) > 1:
        bridges = gebieden.nearest_bridges(fixed, counted)
        if geometry.auto_bridge:
            for bridge in bridges:
                edges[(bridge.a, bridge.b)] = Edge(bridge.a, bridge.b, 0.0, "bridge")
            state.notes.append(
                f"{file}: auto_bridge joined {len(bridges) + 1} parts of the district graph "
                f"with bridges {_bridge_list(bridges)}")
        else:
            pairs_text = ", ".join(f'["{b.a}", "{b.b}"]' for b in bridges)
            distances = ", ".join(f"{b.a}-{b.b} {_distance(b.distance_m)}" for b in bridges)
            hint = (f"add to instance.toml [geometry] bridges = [{pairs_text}] (the nearest "
                    f"districts of the parts: {distances}), or set [geometry] auto_bridge = "
                    'true, or [rules] contiguity = "none"')
    return sorted(edges.values(), key=lambda e: (e.a, e.b)), hint


def _geometry_notes(file: str, issues: list[Any], listed: int = 5) -> list[str]:
    """One note per repaired polygon, overlap and sliver gap; beyond ``listed`` of a kind,
    one summary line with their number, total and largest area."""
    notes = []
    for kind in dict.fromkeys(i.kind for i in issues):
        same = [i for i in issues if i.kind == kind]
        notes += [f"{file}: {i.message}" for i in same[:listed]]
        if len(same) > listed:
            areas = [i.area_m2 for i in same[listed:] if i.area_m2 is not None]
            size = (f", {sum(areas):,.1f} m² in total, the largest {max(areas):,.1f} m²"
                    if areas else "")
            what = {"overlap": "overlaps", "sliver_gap": "sliver gaps"}.get(kind, kind)
            notes.append(f"{file}: {len(same) - listed} more {what}{size}")
    return notes


def _gap(metres: float) -> str:
    if metres < 0.001:
        return "less than 1 mm"
    return f"{metres * 100:.1f} cm" if metres < 0.995 else f"{metres:.2f} m"


def _bridge_list(bridges: list[Any]) -> str:
    return ", ".join(f"{b.a}-{b.b} ({_distance(b.distance_m)})" for b in bridges)


def _distance(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def _read_bidders(files: dict[str, Any], state: _Load, bids: Mapping[tuple[str, str], float],
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


def _read_bids(files: dict[str, Any], state: _Load) -> dict[tuple[str, str], float]:
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


def _read_assignment(files: dict[str, Any], role: str, state: _Load) -> dict[str, str] | None:
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


def _read_lot_bids(files: dict[str, Any], state: _Load) -> list[LotBid]:
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


def _read_combinations(files: dict[str, Any], state: _Load) -> list[CombinationBid]:
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
