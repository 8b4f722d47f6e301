""""Herstel" (repair): make a drawing valid by moving the fewest districts.

A small MILP over x[d, l] (district d in lot l), exact within its time limit::

    min   sum_{d drawn} (1 - x[d, lot(d)])            districts moved (undrawn ones count 1)
    s.t.  sum_l x[d, l] = 1                            every district in one lot
          x[d, l] <= u_l,  lots_min <= sum_l u_l <= K  lots in use
          c_min u_l <= sum_d c_d x[d, l] <= c_max u_l  hard client bounds
          inflow(d, l) - outflow(d, l) >= x[d, l]      single-commodity flow from the lot's
          f[i->j, l] <= n x[i, l],  f <= n x[j, l]     root: contiguity
    locked lots: x fixed to the drawing (they neither lose nor gain a district)

Each drawn lot keeps its root, the district with most clients in its largest part (a new
lot gets a free root). A district may first only join its own lot or a lot next to it; when
no valid drawing exists that way, every lot is allowed. So "fewest" is exact among repairs
that keep each lot's core (status ``optimal``), within the time limit.

It repairs contiguity, client bounds and districts without a lot; the award rules (bids,
kavelbeperking, capacity) are the award's business and are not looked at here.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from allocatie.editor.complete import check_locked_lots
from allocatie.editor.evaluation import lot_parts
from allocatie.instance import Instance
from allocatie.milp import Model, solve
from allocatie.settings import SolverSettings
from allocatie.status import Status


@dataclass(frozen=True)
class Repair:
    """The repaired drawing (empty when none was found), how many districts moved, and the
    solve's status (``optimal``: no valid drawing moves fewer)."""

    assignment: dict[str, str]
    moved: list[str]
    status: Status
    time_s: float


def repair(instance: Instance, drawing: Mapping[str, str], locked: set[str],
           settings: SolverSettings, stop: threading.Event | None = None) -> Repair:
    """The valid drawing nearest to ``drawing`` (fewest districts moved), keeping ``locked``
    lots as they are. Raises :class:`UsageError` when a locked lot itself is invalid."""
    rules = instance.rules
    labels = [str(k) for k in range(1, rules.lots_max + 1)]
    fixed = {d: lot for d, lot in drawing.items() if lot in locked}
    check_locked_lots(instance, drawing, locked)
    free = [d for d in instance.district_ids if d not in fixed]
    free_labels = [lab for lab in labels if lab not in locked]
    roots = _roots(instance, drawing, free_labels)
    for wide in (False, True):
        options = _options(instance, drawing, free, free_labels, roots, wide)
        found = _solve(instance, drawing, free, free_labels, options, roots, len(locked),
                       settings, stop)
        if found.status.has_solution or found.status is not Status.INFEASIBLE or wide:
            break
    if not found.status.has_solution:
        return Repair({}, [], found.status, found.time_s)
    result = {**fixed, **found.assignment}
    moved = [d for d in instance.district_ids if drawing.get(d) != result.get(d)]
    return Repair(result, moved, found.status, found.time_s)


def _roots(instance: Instance, drawing: Mapping[str, str],
           labels: list[str]) -> dict[str, str]:
    """Per drawn lot the district it keeps: the one with most clients in its largest part."""
    roots = {}
    for lab in labels:
        districts = [d for d in instance.district_ids if drawing.get(d) == lab]
        if districts:
            part = max(lot_parts(instance, districts),
                       key=lambda p: sum(instance.clients(d) for d in p))
            roots[lab] = max(part, key=lambda d: (instance.clients(d), d))
    return roots


def _options(instance: Instance, drawing: Mapping[str, str], free: list[str],
             labels: list[str], roots: Mapping[str, str], wide: bool) -> dict[str, list[str]]:
    """The lots each free district may join: its own and those of its neighbours (``wide``:
    every lot); a lot's root stays in it."""
    options = {}
    allowed = set(labels)
    empty = [lab for lab in labels if lab not in roots]
    for d in free:
        if d in roots.values():
            options[d] = [next(lab for lab, r in roots.items() if r == d)]
            continue
        near = {drawing.get(d)} | {drawing.get(n) for n in instance.neighbours.get(d, ())}
        chosen = labels if wide else [lab for lab in labels if lab in near & allowed]
        options[d] = sorted(set(chosen) | set(empty)) or list(labels)
    return options


@dataclass(frozen=True)
class _Found:
    assignment: dict[str, str]
    status: Status
    time_s: float


def _solve(instance: Instance, drawing: Mapping[str, str], free: list[str], labels: list[str],
           options: Mapping[str, list[str]], roots: Mapping[str, str], locked_count: int,
           settings: SolverSettings, stop: threading.Event | None) -> _Found:
    rules = instance.rules
    m = Model("repair")
    x = {(d, lab): m.add_binary(cost=-1.0 if drawing.get(d) == lab else 0.0)
         for d in free for lab in options[d]}
    m.offset = float(sum(1 for d in free if d in drawing))
    used = {lab: m.add_binary() for lab in labels}
    members: dict[str, list[str]] = {lab: [] for lab in labels}
    for d in free:
        m.add_eq([(x[d, lab], 1.0) for lab in options[d]], 1.0)
        for lab in options[d]:
            members[lab].append(d)
            m.add_le([(x[d, lab], 1.0), (used[lab], -1.0)], 0.0)
    for lab, root in roots.items():
        m.lb[used[lab]] = 1.0
        m.lb[x[root, lab]] = 1.0
    m.add_ge([(used[lab], 1.0) for lab in labels], max(0, rules.lots_min - locked_count))
    m.add_le([(used[lab], 1.0) for lab in labels], rules.lots_max - locked_count)
    hard = not rules.soft_client_bounds
    for lab in labels:
        clients = [(x[d, lab], float(instance.clients(d))) for d in members[lab]]
        if hard and rules.lot_clients_min is not None:
            m.add_ge(clients + [(used[lab], -float(rules.lot_clients_min))], 0.0)
        if hard and rules.lot_clients_max is not None:
            m.add_le(clients + [(used[lab], -float(rules.lot_clients_max))], 0.0)
    if rules.contiguity != "none":
        for lab in labels:
            _contiguity(m, instance, lab, members[lab], x, used[lab], roots.get(lab))
    raw = solve(m, settings, stop=stop)
    if not raw.status.has_solution:
        return _Found({}, raw.status, raw.time_s)
    found = {d: lab for (d, lab), var in x.items() if raw.is_one(var)}
    return _Found(found, raw.status, raw.time_s)


def _contiguity(m: Model, instance: Instance, lab: str, members: list[str], x: dict,
                used: int, root: str | None) -> None:
    """Single-commodity flow from the lot's root to every district in it, along arcs whose
    both ends may be in the lot (a free root when the lot is new)."""
    inside = set(members)
    arcs = [(e.a, e.b) for e in instance.edges_for() if e.a in inside and e.b in inside]
    arcs += [(b, a) for a, b in arcs]
    n = float(len(members))
    if root is None:
        is_root = {d: m.add_binary() for d in members}
        m.add_eq([(v, 1.0) for v in is_root.values()] + [(used, -1.0)], 0.0)
        for d in members:
            m.add_le([(is_root[d], 1.0), (x[d, lab], -1.0)], 0.0)
    into: dict[str, list[int]] = {d: [] for d in members}
    out: dict[str, list[int]] = {d: [] for d in members}
    for a, b in arcs:
        f = m.add_var(0.0, n)
        m.add_le([(f, 1.0), (x[a, lab], -n)], 0.0)
        m.add_le([(f, 1.0), (x[b, lab], -n)], 0.0)
        out[a].append(f)
        into[b].append(f)
    for d in members:
        if d == root:
            continue
        terms = [(f, 1.0) for f in into[d]] + [(f, -1.0) for f in out[d]]
        terms.append((x[d, lab], -1.0))
        if root is None:
            terms.append((is_root[d], n))
        m.add_ge(terms, 0.0)
