"""Named scenarios: what-if cases an analyst writes down, beside the random families.

A ``[[scenarios.named]]`` table of the SPEC (:class:`allocatie.compare.spec.NamedScenario`)
says, starting from the expected bids of the instance:

- ``bids = "alt/bids.csv"``: use the bids of another file instead (``bidder,district_id,price``
  as in the instance's ``bids.csv``; read with the instance's reader and checked like the
  instance's own bids: unknown districts or bidders, prices <= 0, districts nobody bids on);
- ``absent = ["Zorggroep A"]``: these bidders do not bid;
- ``price_factor = {"Wijkzorg F" = 1.10}``: all prices of a bidder times the factor;
- ``capacity = {"Zorggroep A" = 400}``: a bidder's capacity in clients.

They apply in that order. :func:`resolve` checks every bidder name against the instance and
reads the bids files once, in the process that starts the run; the result (plain data) is
what the workers get and what a task's key is hashed from, so editing a bids file recomputes
the tasks that use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from allocatie.compare.spec import NamedScenario, SpecError
from allocatie.instance import Instance


@dataclass(frozen=True)
class ResolvedNamed:
    """A named scenario checked against the instance, with its bids file read."""

    index: int
    name: str
    description: str
    absent: tuple[str, ...]
    price_factor: tuple[tuple[str, float], ...]
    capacity: tuple[tuple[str, int], ...]
    bids: tuple[tuple[str, str, float], ...] | None = None  # (bidder, district, price)
    bids_file: str = ""

    def key_params(self) -> dict[str, Any]:
        """Everything that decides the scenario's bids (the name left out)."""
        return {"absent": list(self.absent), "price_factor": [list(p) for p in self.price_factor],
                "capacity": [list(c) for c in self.capacity],
                "bids": [list(b) for b in self.bids] if self.bids is not None else None}


def resolve(named: Sequence[NamedScenario], instance: Instance,
            source: str | Path) -> tuple[ResolvedNamed, ...]:
    """Check the named scenarios of a SPEC against ``instance`` and read their bids files.
    Returns them resolved; raises :class:`SpecError` (``source`` = the SPEC file) listing
    every unknown bidder and every problem of a bids file (with file and row)."""
    problems: list[str] = []
    known = set(instance.bidder_ids)
    hint = ", ".join(instance.bidder_ids)
    out = []
    for i, scenario in enumerate(named):
        where = f"[scenarios.named {scenario.name!r}]"
        bids: dict[tuple[str, str], float] | None = None
        if scenario.bids is not None:
            bids = read_bids(scenario.bids, instance, problems, where)
        used = [("absent", b) for b in scenario.absent]
        used += [("price_factor", b) for b, _ in scenario.price_factor]
        used += [("capacity", b) for b, _ in scenario.capacity]
        for key, bidder in used:
            if bidder not in known:
                problems.append(f"{where} {key}: bidder {bidder!r} is not a bidder of the "
                                f"instance; use one of {hint}")
        out.append(ResolvedNamed(
            index=i, name=scenario.name, description=scenario.description,
            absent=scenario.absent, price_factor=scenario.price_factor,
            capacity=scenario.capacity,
            bids=None if bids is None else tuple(sorted((b, d, p) for (b, d), p in bids.items())),
            bids_file=str(scenario.bids) if scenario.bids is not None else ""))
    if problems:
        raise SpecError(problems, source)
    return tuple(out)


def read_bids(path: Path, instance: Instance, problems: list[str],
              where: str) -> dict[tuple[str, str], float]:
    """Read an alternative bids file with the instance loader's reader and check the bids
    with the instance's validation (same messages as for ``bids.csv``). Problems are added to
    ``problems``; returns the bids read."""
    from allocatie.io.instance_tables import read_bids
    from allocatie.io.instance_toml import LoadState
    from allocatie.validation import Context, check_instance

    state = LoadState(path.parent)
    bids = read_bids({"bids": path.name}, state)
    if not state.problems:
        files = {**dict(instance.files), "bids": str(path)}
        trial = replace(instance, bids=bids, files=files)
        found, _warnings = check_instance(trial, Context(rows=dict(state.rows)))
        # Only what concerns this file: the rest of the instance was checked when loaded.
        state.problems.extend(p for p in found if p.file == str(path))
    for problem in state.problems:
        text = str(problem)
        problems.append(f"{where} {text}" if str(path) in text or path.name in text
                        else f"{where} {path}: {text}")
    return bids


def apply_named(instance: Instance, scenario: ResolvedNamed) -> Instance:
    """The award instance under ``scenario``: its bids, without the absent bidders (and their
    bids), prices times the factors, capacities replaced."""
    bids: Mapping[tuple[str, str], float] = instance.bids
    if scenario.bids is not None:
        bids = {(b, d): p for b, d, p in scenario.bids}
    absent = set(scenario.absent)
    factor = dict(scenario.price_factor)
    new_bids = {(b, d): round(p * factor.get(b, 1.0), 2) for (b, d), p in bids.items()
                if b not in absent}
    capacity = dict(scenario.capacity)
    bidders = tuple(replace(b, capacity=capacity[b.id]) if b.id in capacity else b
                    for b in instance.bidders if b.id not in absent)
    return replace(instance, bids=new_bids, bidders=bidders)


def describe_named(scenario: ResolvedNamed, t: Mapping[str, str], fmt_pct: Any) -> str:
    """What the scenario changes, in words (texts ``t`` of :mod:`allocatie.compare.report`)."""
    parts = []
    if scenario.bids is not None:
        parts.append(t["named_bids"].format(file=Path(scenario.bids_file).name))
    if scenario.absent:
        parts.append(t["named_absent"].format(names=", ".join(scenario.absent)))
    for bidder, f in scenario.price_factor:
        change = fmt_pct(abs(f - 1.0))
        key = "named_dearer" if f >= 1 else "named_cheaper"
        parts.append(t[key].format(bidder=bidder, pct=change))
    for bidder, clients in scenario.capacity:
        parts.append(t["named_capacity"].format(bidder=bidder, n=clients))
    text = "; ".join(parts)
    if scenario.description:
        text = f"{scenario.description} ({text})" if text else scenario.description
    return text
