"""Read and validate a compare SPEC (TOML) into a frozen :class:`CompareSpec`.

Every problem in the file is collected and raised once as a :class:`SpecError` whose lines
name the key, what was received and how to fix it. The format is documented in
:mod:`allocatie.compare`.
"""

from __future__ import annotations

import importlib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from allocatie.budget import DEFAULT_TIME_LIMIT_S
from allocatie.errors import UsageError
from allocatie.settings import BACKENDS, SolverSettings

KINDS = ("design", "fixed", "current")
CONTIGUITY = ("rook", "queen", "none")
METHODS = ("auto", "exact", "milp")
CRITERIA = ("price", "price_quality")

_TOP_KEYS = ("name", "description", "instance", "designs", "scenarios", "award", "solver",
             "rules", "run")
_SCENARIO_KEYS = ("count", "seed", "price_level_sd", "district_noise_sd", "no_show_probability",
                  "capacity_shock_sd")
_NAMED_KEYS = ("name", "description", "absent", "price_factor", "capacity", "bids")
_AWARD_KEYS = ("rule", "criterion", "method")
_SOLVER_KEYS = ("backend", "time_limit_s", "mip_gap", "threads", "seed")
_RULE_KEYS = ("transition_cost", "max_lots_per_bidder", "min_winners", "max_winners")
_RUN_KEYS = ("chunk_size",)
_DESIGN_KEYS = {
    "design": ("name", "kind", "lots", "lots_min", "lots_max", "max_lots_per_bidder",
               "lot_clients_min", "lot_clients_max", "contiguity", "time_limit_s", "mip_gap",
               "threads"),
    "fixed": ("name", "kind", "lots", "max_lots_per_bidder"),
    "current": ("name", "kind", "max_lots_per_bidder"),
}


class SpecError(UsageError):
    """A compare SPEC that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str], source: str | Path) -> None:
        self.problems = list(problems)
        self.source = str(source)
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in compare spec {source}:\n{body}")


@dataclass(frozen=True)
class DesignSpec:
    """One candidate lot design.

    ``kind`` is ``design`` (drawn by the design MILP under the rule variation given here),
    ``fixed`` (a ``district_id,lot`` CSV at ``path``) or ``current`` (today's areas from the
    instance's ``current_lots``). ``max_lots_per_bidder`` applies to the design and to every
    award of it (None = the instance's rule).
    """

    name: str
    kind: str
    lots: int | None = None
    lots_min: int | None = None
    lots_max: int | None = None
    path: Path | None = None
    max_lots_per_bidder: int | None = None
    lot_clients_min: int | None = None
    lot_clients_max: int | None = None
    contiguity: str | None = None
    time_limit_s: float | None = None
    mip_gap: float | None = None
    threads: int | None = None

    def params(self) -> dict[str, Any]:
        """The candidate's settings as plain JSON-able values (None left out)."""
        out: dict[str, Any] = {}
        for key in ("name", "kind", "lots", "lots_min", "lots_max", "max_lots_per_bidder",
                    "lot_clients_min", "lot_clients_max", "contiguity", "time_limit_s",
                    "mip_gap", "threads"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.path is not None:
            out["lots"] = str(self.path)
        return out


@dataclass(frozen=True)
class NamedScenario:
    """A scenario the analyst names (``[[scenarios.named]]``): the expected bids, or the bids
    of another file (``bids``), with bidders left out (``absent``), prices multiplied per
    bidder (``price_factor``) and capacities set per bidder (``capacity``, clients). Bidder
    names are checked against the instance when the run starts
    (:func:`allocatie.compare.named.resolve`)."""

    name: str
    description: str = ""
    absent: tuple[str, ...] = ()
    price_factor: tuple[tuple[str, float], ...] = ()
    capacity: tuple[tuple[str, int], ...] = ()
    bids: Path | None = None

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "absent": list(self.absent),
                               "price_factor": dict(self.price_factor),
                               "capacity": dict(self.capacity)}
        if self.bids is not None:
            out["bids"] = str(self.bids)
        return out


@dataclass(frozen=True)
class ScenarioSpec:
    """How the scenario bids are sampled (see :mod:`allocatie.compare.scenarios`), plus the
    named scenarios."""

    count: int = 100
    seed: int = 0
    price_level_sd: float = 0.0
    district_noise_sd: float = 0.0
    no_show_probability: float = 0.0
    capacity_shock_sd: float = 0.0
    named: tuple[NamedScenario, ...] = ()

    def params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _SCENARIO_KEYS}

    def sampling(self) -> dict[str, Any]:
        """The parameters that shape one scenario's draw (``count`` left out, so adding
        scenarios keeps the ones already computed)."""
        return {k: getattr(self, k) for k in _SCENARIO_KEYS if k != "count"}


@dataclass(frozen=True)
class AwardSpec:
    """The award rule applied to every design x scenario.

    ``method`` only matters for ``rule = "optimal"``: ``exact`` solves the award by a small
    branch and bound (same optimum as the MILP), ``milp`` calls the award MILP, ``auto`` uses
    ``exact`` when it applies and falls back to the MILP otherwise.
    """

    rule: str = "optimal"
    criterion: str = "price"
    method: str = "auto"

    def params(self) -> dict[str, Any]:
        return {"rule": self.rule, "criterion": self.criterion, "method": self.method}


@dataclass(frozen=True)
class CompareSpec:
    """A validated compare SPEC. Paths are absolute (resolved against the spec's folder)."""

    path: Path
    instance: Path
    designs: tuple[DesignSpec, ...]
    scenarios: ScenarioSpec
    award: AwardSpec = AwardSpec()
    solver: SolverSettings = SolverSettings(threads=1)
    rules: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    description: str = ""
    chunk_size: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))
        object.__setattr__(self, "raw", MappingProxyType(dict(self.raw)))

    def solver_params(self) -> dict[str, Any]:
        s = self.solver
        return {"backend": s.backend, "time_limit_s": s.time_limit_s, "mip_gap": s.mip_gap,
                "threads": s.threads, "seed": s.seed}


def load_spec(path: str | Path) -> CompareSpec:
    """Read a compare SPEC. Returns the validated spec; raises :class:`SpecError` listing
    every problem (each naming the key and the fix), or FileNotFoundError."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"compare spec {path} not found; pass the path of a .toml file "
                                "such as examples/compare-emmen.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError([f"not valid TOML: {exc}"], path) from exc
    return parse_spec(data, path)


def parse_spec(data: Mapping[str, Any], path: str | Path) -> CompareSpec:
    """Validate a SPEC already read into a dict; relative paths are taken from ``path``'s
    folder. Returns the spec; raises :class:`SpecError` listing every problem."""
    path = Path(path)
    base = path.parent
    problems: list[str] = []
    _unknown(data, _TOP_KEYS, "", problems)

    instance_path = None
    raw_instance = data.get("instance")
    if not isinstance(raw_instance, str) or not raw_instance:
        problems.append("'instance' is missing or not a string; set instance = "
                        "\"../instances/emmen-wijken\" (a folder, relative to the spec file)")
    else:
        instance_path = (base / raw_instance).resolve()
        if not instance_path.is_dir():
            problems.append(f"'instance' = {raw_instance!r}: folder {instance_path} not found; "
                            "give the instance folder relative to the spec file")

    scenarios = _scenarios(_table(data, "scenarios", problems), base, problems)
    award = _award(_table(data, "award", problems), problems)
    solver = _solver(_table(data, "solver", problems), problems)
    rules = _rules(_table(data, "rules", problems), problems)
    run = _table(data, "run", problems)
    _unknown(run, _RUN_KEYS, "run", problems)
    chunk_size = _int(run, "chunk_size", "run", problems, minimum=1)
    designs = _designs(data.get("designs"), base, problems)
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            problems.append(f"'{key}' must be a string, got {data[key]!r}")

    if problems:
        raise SpecError(problems, path)
    assert instance_path is not None and scenarios is not None and award is not None
    assert solver is not None
    return CompareSpec(path=path.resolve(), instance=instance_path, designs=tuple(designs),
                       scenarios=scenarios, award=award, solver=solver, rules=rules,
                       name=str(data.get("name", "")),
                       description=str(data.get("description", "")),
                       chunk_size=chunk_size, raw=dict(data))


# --------------------------------------------------------------------------- sections
def _table(data: Mapping[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"'{key}' must be a table ([{key}]), got {value!r}")
        return {}
    return value


def _unknown(table: Mapping[str, Any], allowed: tuple[str, ...], where: str,
             problems: list[str]) -> None:
    for key in table:
        if key not in allowed:
            place = f"[{where}] " if where else ""
            problems.append(f"{place}unknown key '{key}'; expected one of {', '.join(allowed)} "
                            "(check the spelling)")


def _scenarios(table: dict[str, Any], base: Path, problems: list[str]) -> ScenarioSpec | None:
    _unknown(table, (*_SCENARIO_KEYS, "named"), "scenarios", problems)
    before = len(problems)
    named = _named(table.get("named", []), base, problems)
    count = _int(table, "count", "scenarios", problems, minimum=0 if named else 1)
    if "count" not in table:
        problems.append("[scenarios] 'count' is missing; set count = 200 (scenarios per design)")
    seed = _int(table, "seed", "scenarios", problems, minimum=0)
    if "seed" not in table:
        problems.append("[scenarios] 'seed' is missing; set seed = 2026 (any integer >= 0) so "
                        "the scenarios can be reproduced")
    sds = {k: _float(table, k, "scenarios", problems, minimum=0.0, maximum=2.0)
           for k in ("price_level_sd", "district_noise_sd", "capacity_shock_sd")}
    p = _float(table, "no_show_probability", "scenarios", problems, minimum=0.0, maximum=1.0)
    if len(problems) > before:
        return None
    return ScenarioSpec(count=count or 0, seed=seed or 0,
                        price_level_sd=sds["price_level_sd"] or 0.0,
                        district_noise_sd=sds["district_noise_sd"] or 0.0,
                        no_show_probability=p or 0.0,
                        capacity_shock_sd=sds["capacity_shock_sd"] or 0.0,
                        named=tuple(named))


def _named(value: Any, base: Path, problems: list[str]) -> list[NamedScenario]:
    """The ``[[scenarios.named]]`` tables (see :class:`NamedScenario`)."""
    if not isinstance(value, list):
        problems.append("[scenarios] named must be a list of tables: write [[scenarios.named]] "
                        "with name = \"...\" and absent, price_factor, capacity or bids")
        return []
    out: list[NamedScenario] = []
    seen: set[str] = set()
    for i, table in enumerate(value, start=1):
        where = f"scenarios.named #{i}"
        if not isinstance(table, dict):
            problems.append(f"[[scenarios.named]] #{i} must be a table, got {table!r}")
            continue
        before = len(problems)
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"[{where}] 'name' is missing; give every named scenario a short "
                            "unique name such as name = \"zonder Zorggroep A\"")
            name = f"#{i}"
        else:
            where = f"scenarios.named {name!r}"
            if name in seen:
                problems.append(f"[{where}] name {name!r} is used twice; names must be unique")
            seen.add(name)
        _unknown(table, _NAMED_KEYS, where, problems)
        absent = table.get("absent", [])
        if not isinstance(absent, list) or not all(isinstance(b, str) and b for b in absent):
            problems.append(f"[{where}] absent = {absent!r} must be a list of bidder names, "
                            "e.g. absent = [\"Zorggroep A\"]")
            absent = []
        factors = _bidder_numbers(table, "price_factor", where, problems, integer=False)
        capacity = _bidder_numbers(table, "capacity", where, problems, integer=True)
        bids = None
        if "bids" in table:
            raw = table["bids"]
            if not isinstance(raw, str) or not raw:
                problems.append(f"[{where}] bids = {raw!r} must be the path of a bids file "
                                "(bidder,district_id,price), relative to the spec file")
            else:
                bids = (base / raw).resolve()
                if not bids.is_file():
                    problems.append(f"[{where}] bids = {raw!r}: file {bids} not found; give "
                                    "the bids file relative to the spec file")
        if not (absent or factors or capacity or bids):
            problems.append(f"[{where}] changes nothing; give at least one of absent, "
                            "price_factor, capacity or bids")
        if len(problems) == before:
            out.append(NamedScenario(
                name=name, description=str(table.get("description", "")),
                absent=tuple(absent), price_factor=tuple(sorted(factors.items())),
                capacity=tuple(sorted(capacity.items())), bids=bids))
    return out


def _bidder_numbers(table: Mapping[str, Any], key: str, where: str, problems: list[str],
                    integer: bool) -> dict[str, Any]:
    """A ``{bidder = number}`` table: factors > 0 (``integer`` False) or clients >= 0."""
    value = table.get(key, {})
    example = ("price_factor = {\"Wijkzorg F\" = 1.10}" if not integer
               else "capacity = {\"Zorggroep A\" = 400}")
    if not isinstance(value, dict):
        problems.append(f"[{where}] {key} = {value!r} must be a table of bidder = number, "
                        f"e.g. {example}")
        return {}
    out: dict[str, Any] = {}
    for bidder, number in value.items():
        ok = (isinstance(number, int) if integer else isinstance(number, int | float)) \
            and not isinstance(number, bool)
        if ok and not integer and (not math.isfinite(number) or number <= 0):
            ok = False
        if ok and integer and number < 0:
            ok = False
        if not ok:
            want = "a whole number of clients >= 0" if integer else "a factor > 0 (1.10 = 10% "\
                "higher)"
            problems.append(f"[{where}] {key} of {bidder!r} = {number!r} must be {want}")
            continue
        out[str(bidder)] = int(number) if integer else float(number)
    return out


def _award(table: dict[str, Any], problems: list[str]) -> AwardSpec | None:
    _unknown(table, _AWARD_KEYS, "award", problems)
    before = len(problems)
    rule = table.get("rule", "optimal")
    rules = award_rules()
    if not isinstance(rule, str) or rule not in rules:
        problems.append(f"[award] rule = {rule!r} is not known; use one of {', '.join(rules)}")
    criterion = table.get("criterion", "price")
    if criterion not in CRITERIA:
        problems.append(f"[award] criterion = {criterion!r}; use one of {', '.join(CRITERIA)}")
    method = table.get("method", "auto")
    if method not in METHODS:
        problems.append(f"[award] method = {method!r}; use one of {', '.join(METHODS)}")
    elif method == "exact" and rule != "optimal":
        problems.append(f"[award] method = \"exact\" only solves rule = \"optimal\", not "
                        f"{rule!r}; use method = \"auto\"")
    if len(problems) > before:
        return None
    return AwardSpec(rule=rule, criterion=criterion, method=method)


def award_rules() -> tuple[str, ...]:
    """The award rules a SPEC may name: those of :mod:`allocatie.award` (its ``RULES``), else
    only ``optimal``."""
    rules: Any = None
    for module in ("allocatie.award", "allocatie.award.rules"):
        try:
            rules = getattr(importlib.import_module(module), "RULES", None)
        except ImportError:
            continue
        if rules:
            break
    if isinstance(rules, Mapping | tuple | list) and rules:
        return tuple(str(r) for r in rules)
    return ("optimal",)


def _solver(table: dict[str, Any], problems: list[str]) -> SolverSettings | None:
    _unknown(table, _SOLVER_KEYS, "solver", problems)
    before = len(problems)
    backend = table.get("backend", "highs")
    if backend not in BACKENDS:
        problems.append(f"[solver] backend = {backend!r}; use one of {', '.join(BACKENDS)}")
    time_limit = _float(table, "time_limit_s", "solver", problems, minimum=1e-3)
    gap = _float(table, "mip_gap", "solver", problems, minimum=0.0, maximum=0.999)
    threads = _int(table, "threads", "solver", problems, minimum=1)
    seed = _int(table, "seed", "solver", problems, minimum=0)
    if len(problems) > before:
        return None
    return SolverSettings(backend=backend, time_limit_s=time_limit or DEFAULT_TIME_LIMIT_S,
                          mip_gap=gap or 0.0, threads=threads or 1, seed=seed or 0)


def _rules(table: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    _unknown(table, _RULE_KEYS, "rules", problems)
    out: dict[str, Any] = {}
    cost = _float(table, "transition_cost", "rules", problems, minimum=0.0)
    if cost is not None:
        out["transition_cost"] = cost
    for key in ("max_lots_per_bidder", "min_winners", "max_winners"):
        value = _int(table, key, "rules", problems, minimum=1)
        if value is not None:
            out[key] = value
    return out


def _designs(value: Any, base: Path, problems: list[str]) -> list[DesignSpec]:
    if not isinstance(value, list) or not value:
        problems.append("no candidate designs: add at least one [[designs]] table, e.g. "
                        "[[designs]] name = \"vandaag\" kind = \"current\"")
        return []
    designs: list[DesignSpec] = []
    seen: set[str] = set()
    for i, table in enumerate(value, start=1):
        where = f"designs #{i}"
        if not isinstance(table, dict):
            problems.append(f"[[designs]] #{i} must be a table, got {table!r}")
            continue
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"[{where}] 'name' is missing; give every design a short unique "
                            "name such as name = \"K5\"")
            name = f"#{i}"
        else:
            where = f"designs {name!r}"
            if name in seen:
                problems.append(f"[{where}] name {name!r} is used twice; names must be unique")
            seen.add(name)
        kind = table.get("kind")
        if kind not in KINDS:
            problems.append(f"[{where}] kind = {kind!r}; use one of {', '.join(KINDS)}")
            continue
        before = len(problems)
        _unknown(table, _DESIGN_KEYS[kind], where, problems)
        spec = _design(table, name, kind, where, base, problems)
        if len(problems) == before and spec is not None:
            designs.append(spec)
    return designs


def _design(table: dict[str, Any], name: str, kind: str, where: str, base: Path,
            problems: list[str]) -> DesignSpec | None:
    max_lots = _int(table, "max_lots_per_bidder", where, problems, minimum=1)
    if kind == "current":
        return DesignSpec(name=name, kind=kind, max_lots_per_bidder=max_lots)
    if kind == "fixed":
        lots = table.get("lots")
        if not isinstance(lots, str) or not lots:
            problems.append(f"[{where}] kind = \"fixed\" needs lots = \"path/to/lots.csv\" "
                            "(a district_id,lot file, relative to the spec file)")
            return None
        path = (base / lots).resolve()
        if not path.is_file():
            problems.append(f"[{where}] lots = {lots!r}: file {path} not found; give the "
                            "lots CSV relative to the spec file")
            return None
        return DesignSpec(name=name, kind=kind, path=path, max_lots_per_bidder=max_lots)
    lots_n = _int(table, "lots", where, problems, minimum=1)
    lots_min = _int(table, "lots_min", where, problems, minimum=1)
    lots_max = _int(table, "lots_max", where, problems, minimum=1)
    if lots_n is not None and (lots_min is not None or lots_max is not None):
        problems.append(f"[{where}] give either lots or lots_min/lots_max, not both")
    if lots_min is not None and lots_max is not None and lots_min > lots_max:
        problems.append(f"[{where}] lots_min = {lots_min} > lots_max = {lots_max}; swap them")
    if isinstance(table.get("lots"), str):
        problems.append(f"[{where}] kind = \"design\" takes lots = <number of lots>; for a "
                        "lots CSV use kind = \"fixed\"")
    low = _int(table, "lot_clients_min", where, problems, minimum=0)
    high = _int(table, "lot_clients_max", where, problems, minimum=1)
    if low is not None and high is not None and low > high:
        problems.append(f"[{where}] lot_clients_min = {low} > lot_clients_max = {high}")
    contiguity = table.get("contiguity")
    if contiguity is not None and contiguity not in CONTIGUITY:
        problems.append(f"[{where}] contiguity = {contiguity!r}; use one of "
                        f"{', '.join(CONTIGUITY)}")
    return DesignSpec(
        name=name, kind=kind, lots=lots_n, lots_min=lots_min, lots_max=lots_max,
        max_lots_per_bidder=max_lots, lot_clients_min=low, lot_clients_max=high,
        contiguity=contiguity,
        time_limit_s=_float(table, "time_limit_s", where, problems, minimum=1e-3),
        mip_gap=_float(table, "mip_gap", where, problems, minimum=0.0, maximum=0.999),
        threads=_int(table, "threads", where, problems, minimum=1),
    )


# --------------------------------------------------------------------------- values
def _int(table: Mapping[str, Any], key: str, where: str, problems: list[str],
         minimum: int | None = None) -> int | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"[{where}] {key} = {value!r} must be a whole number"
                        + (f" >= {minimum}" if minimum is not None else ""))
        return None
    if minimum is not None and value < minimum:
        problems.append(f"[{where}] {key} = {value} must be >= {minimum}")
        return None
    return value


def _float(table: Mapping[str, Any], key: str, where: str, problems: list[str],
           minimum: float | None = None, maximum: float | None = None) -> float | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(f"[{where}] {key} = {value!r} must be a number")
        return None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        span = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        problems.append(f"[{where}] {key} = {value} must be {span}")
        return None
    return float(value)
