"""The file ``instance.toml``: its schema, typed keys, and the ``[rules]``, ``[award]``,
``[solver]`` and ``[geometry]`` sections as values; the state gathered while one folder is read."""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allocatie.errors import InstanceError, Problem, UsageError
from allocatie.instance import (
    AwardSettings,
    Rules,
)
from allocatie.io.tables import decode_text, split_sheet
from allocatie.settings import SolverSettings

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


@dataclass
class GeometrySettings:
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
class LoadState:
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


def read_geometry_settings(folder: str | Path) -> dict[str, Any]:
    """The ``[geometry]`` settings of an instance folder with defaults filled in
    (``id_field``, ``layer``, ``bridges``, ``auto_bridge``, ``contiguity_snap_m``), for
    layers that re-read the districts (``gebieden.read_districts(path, id_field, layer)``).
    Raises :class:`InstanceError` when instance.toml can not be read."""
    state = LoadState(Path(folder))
    geometry = geometry_settings(section(read_toml(Path(folder)), "geometry", state), state)
    return {"id_field": geometry.id_field, "layer": geometry.layer,
            "bridges": geometry.bridges, "auto_bridge": geometry.auto_bridge,
            "contiguity_snap_m": geometry.snap_m, "min_shared_border_m": geometry.min_border_m}


# --------------------------------------------------------------------------- instance.toml
def read_toml(folder: Path, notes: list[str] | None = None) -> dict[str, Any]:
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


def check_keys(config: dict[str, Any], state: LoadState) -> None:
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


def section(config: dict[str, Any], name: str, state: LoadState) -> dict[str, Any]:
    value = config.get(name, {})
    if not isinstance(value, dict):
        state.toml(f"{name} = {value!r} should be a [{name}] section", hint=f"write [{name}] "
                   "on its own line followed by key = value lines")
        return {}
    return value


def typed(table: dict[str, Any], section: str, key: str, state: LoadState) -> Any:
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


def geometry_settings(table: dict[str, Any], state: LoadState) -> GeometrySettings:
    geometry = GeometrySettings()
    geometry.id_field = typed(table, "geometry", "id_field", state) or "id"
    geometry.layer = typed(table, "geometry", "layer", state)
    geometry.bridges = [tuple(p) for p in typed(table, "geometry", "bridges", state) or []]
    geometry.auto_bridge = bool(typed(table, "geometry", "auto_bridge", state))
    snap = typed(table, "geometry", "contiguity_snap_m", state)
    if snap is not None and snap < 0:
        state.toml(f"[geometry] contiguity_snap_m = {snap}; expected metres >= 0",
                   hint="use 0 for exact contact, or a small distance such as 5")
    elif snap is not None:
        geometry.snap_m = float(snap)
    shortest = typed(table, "geometry", "min_shared_border_m", state)
    if shortest is not None and shortest < 0:
        state.toml(f"[geometry] min_shared_border_m = {shortest}; expected metres >= 0",
                   hint="use a short length such as 1")
    elif shortest is not None:
        geometry.min_border_m = float(shortest)
    return geometry


def rules_settings(table: dict[str, Any], overrides: Mapping[str, Any],
                   lots: Mapping[str, str] | None, n_districts: int, state: LoadState) -> Rules:
    values = {key: typed(table, "rules", key, state) for key in RULE_KEYS}
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
    pinned = typed(table, "rules", "pinned", state) or {}
    kw["pinned"] = {str(d): str(label) for d, label in pinned.items()}
    kw["together"] = tuple(tuple(g) for g in typed(table, "rules", "together", state) or [])
    return Rules(**kw)


def _is_plain_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def award_settings(table: dict[str, Any], state: LoadState) -> AwardSettings:
    values = {k: typed(table, "award", k, state) for k in SCHEMA["award"]}
    return AwardSettings(**{k: v for k, v in values.items() if v is not None})


def solver_settings(table: dict[str, Any], state: LoadState) -> SolverSettings:
    values = {k: typed(table, "solver", k, state) for k in SCHEMA["solver"]}
    try:
        return SolverSettings(**{k: v for k, v in values.items() if v is not None})
    except UsageError as exc:
        state.toml(f"[solver] {exc}", hint="correct the [solver] section")
        return SolverSettings()


def file_missing(state: LoadState, role: str, value: str) -> bool:
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


def file_outside(state: LoadState, role: str, value: str) -> bool:
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
